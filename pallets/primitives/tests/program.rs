//! The kernel ABI's checks: a valid manifest passes, and each way of breaking one is refused
//! with its own error.

use crucible_primitives::program::*;

fn name(s: &str) -> Name {
	s.as_bytes().to_vec().try_into().unwrap()
}

fn term(coeff: u64, dims: &[u8]) -> Term {
	Term::new(coeff, dims).unwrap()
}

fn expr(terms: Vec<Term>) -> Expr {
	Expr::new(terms).unwrap()
}

/// A two-layer int8 network: dimensions `n` (images) and `h` (hidden units); input 0 the
/// weights (64·h + 4·h + 10·h + 40 bytes), input 1 the images (64·n bytes); a scratch buffer of
/// the hidden activations (h·n bytes), the output the predicted classes (4·n bytes).
fn mlp() -> Manifest {
	let (n, h) = (0u8, 1u8);
	Manifest {
		dims: vec![
			Dim { name: name("n"), min: 1, max: 4096 },
			Dim { name: name("h"), min: 1, max: 256 },
		]
		.try_into()
		.unwrap(),
		inputs: vec![expr(vec![term(78, &[h]), term(40, &[])]), expr(vec![term(64, &[n])])]
			.try_into()
			.unwrap(),
		buffers: vec![
			Buffer::Input(0),
			Buffer::Input(1),
			Buffer::Scratch(expr(vec![term(1, &[h, n])])),
			Buffer::Output(expr(vec![term(4, &[n])])),
		]
		.try_into()
		.unwrap(),
		launches: vec![
			Launch {
				entry: name("hidden"),
				global: vec![Expr::dim(h), Expr::dim(n)].try_into().unwrap(),
				local: Default::default(),
				args: vec![Arg::Buffer(0), Arg::Buffer(1), Arg::Buffer(2), Arg::Uint(Expr::dim(h))]
					.try_into()
					.unwrap(),
			},
			Launch {
				entry: name("classify"),
				global: vec![Expr::dim(n)].try_into().unwrap(),
				local: vec![64].try_into().unwrap(),
				args: vec![
					Arg::Buffer(0),
					Arg::Buffer(2),
					Arg::Buffer(3),
					Arg::Uint(Expr::dim(h)),
					Arg::Uint(Expr::dim(n)),
					Arg::Local(Expr::constant(1024)),
				]
				.try_into()
				.unwrap(),
			},
		]
		.try_into()
		.unwrap(),
		output: vec![3].try_into().unwrap(),
		verification: Verification { quorum: 2, bit_exact: true },
		work: expr(vec![term(74, &[h, n])]),
		unit_size: 1 << 20,
		max_work: 1 << 30,
	}
}

fn refused(f: impl FnOnce(&mut Manifest), e: AbiError) {
	let mut m = mlp();
	f(&mut m);
	assert_eq!(m.check(), Err(e));
}

#[test]
fn a_valid_manifest_passes_and_sizes_follow_the_dimensions() {
	let m = mlp();
	assert_eq!(m.check(), Ok(()));
	assert_eq!(m.output_bytes(&[1797, 32]), Ok(4 * 1797));
	assert_eq!(m.job_work(&[1797, 32]), Ok(74 * 32 * 1797));
	assert_eq!(m.check_input(0, &[1797, 32], 78 * 32 + 40), Ok(()));
	assert_eq!(m.check_input(1, &[1797, 32], 64 * 1797), Ok(()));
	assert_eq!(m.check_input(1, &[1797, 32], 64 * 1797 - 1), Err(AbiError::InputSize));
	assert_eq!(m.check_input(2, &[1797, 32], 1), Err(AbiError::BadInputs));
}

#[test]
fn a_manifest_survives_json() {
	let m = mlp();
	let json = serde_json::to_string(&m).unwrap();
	assert!(json.contains("\"entry\":\"hidden\""), "{json}");
	assert_eq!(serde_json::from_str::<Manifest>(&json).unwrap(), m);
}

#[cfg(feature = "codec")]
#[test]
fn a_manifest_survives_scale() {
	use codec::{Decode, Encode};
	let m = mlp();
	assert_eq!(Manifest::decode(&mut &m.encode()[..]).unwrap(), m);
}

#[test]
fn a_job_outside_the_dimensions_or_the_work_bound_is_refused() {
	let mut m = mlp();
	assert_eq!(m.job_work(&[1797]), Err(AbiError::DimsOutOfBounds));
	assert_eq!(m.job_work(&[0, 32]), Err(AbiError::DimsOutOfBounds));
	assert_eq!(m.job_work(&[4097, 32]), Err(AbiError::DimsOutOfBounds));
	m.max_work = 74 * 32 * 1000;
	assert_eq!(m.job_work(&[1000, 32]), Ok(74 * 32 * 1000));
	assert_eq!(m.job_work(&[1001, 32]), Err(AbiError::WorkTooLarge));
}

#[test]
fn bad_dimensions_are_refused() {
	refused(|m| m.dims.clear(), AbiError::BadDims);
	refused(|m| m.dims[0].min = 0, AbiError::BadDims);
	refused(|m| m.dims[0].min = 5000, AbiError::BadDims);
	refused(|m| m.dims[1].name = name("n"), AbiError::BadDims);
	refused(|m| m.dims[1].name = name("2x"), AbiError::BadDims);
	refused(|m| m.dims[1].name = name(""), AbiError::BadDims);
	// An expression naming a third dimension.
	refused(|m| m.work = Expr::dim(2), AbiError::UnknownDim);
}

#[test]
fn expressions_that_overflow_are_refused() {
	refused(|m| m.work = expr(vec![term(u64::MAX, &[0])]), AbiError::Overflow);
	refused(
		|m| m.work = expr(vec![term(u64::MAX / 2, &[]), term(u64::MAX / 2 + 2, &[])]),
		AbiError::Overflow,
	);
	// Overflowing only at the maxima, in a launch's argument.
	refused(
		|m| m.launches[0].args[3] = Arg::Ulong(expr(vec![term(1 << 53, &[1, 0])])),
		AbiError::Overflow,
	);
}

#[test]
fn inputs_must_each_feed_one_buffer() {
	refused(|m| m.buffers[1] = Buffer::Input(0), AbiError::BadInputs);
	refused(|m| m.buffers[1] = Buffer::Input(2), AbiError::BadInputs);
	refused(|m| m.inputs.truncate(1), AbiError::BadInputs);
}

#[test]
fn empty_and_oversized_memory_is_refused() {
	refused(|m| m.buffers[2] = Buffer::Scratch(Expr::constant(0)), AbiError::Empty);
	refused(|m| m.inputs[1] = expr(vec![]), AbiError::Empty);
	refused(
		|m| m.buffers[2] = Buffer::Scratch(Expr::constant(MAX_BUFFER_BYTES + 1)),
		AbiError::TooMuchMemory,
	);
	refused(
		|m| {
			m.buffers[2] = Buffer::Scratch(Expr::constant(MAX_BUFFER_BYTES));
			m.buffers.try_push(Buffer::Scratch(Expr::constant(MAX_BUFFER_BYTES))).unwrap();
			m.buffers.try_push(Buffer::Scratch(Expr::constant(MAX_BUFFER_BYTES))).unwrap();
			m.buffers.try_push(Buffer::Scratch(Expr::constant(MAX_BUFFER_BYTES))).unwrap();
		},
		AbiError::TooMuchMemory,
	);
}

#[test]
fn bad_launches_are_refused() {
	refused(|m| m.launches.clear(), AbiError::BadLaunch);
	refused(|m| m.launches[0].entry = name("hid den"), AbiError::BadLaunch);
	refused(|m| m.launches[0].global.clear(), AbiError::BadLaunch);
	refused(|m| m.launches[0].global[0] = Expr::constant(0), AbiError::Empty);
	refused(|m| m.launches[0].global[0] = Expr::constant(MAX_GLOBAL_ITEMS), AbiError::BadLaunch);
	refused(|m| m.launches[1].local[0] = 0, AbiError::BadLocalSize);
	refused(|m| m.launches[1].local[0] = MAX_LOCAL_ITEMS + 1, AbiError::BadLocalSize);
	refused(|m| m.launches[1].local.try_push(1).unwrap(), AbiError::BadLocalSize);
}

#[test]
fn bad_arguments_are_refused() {
	refused(|m| m.launches[0].args[0] = Arg::Buffer(4), AbiError::BadArg);
	refused(
		|m| m.launches[0].args[3] = Arg::Uint(expr(vec![term(1 << 24, &[0])])),
		AbiError::BadArg,
	);
	refused(|m| m.launches[1].args[5] = Arg::Local(Expr::constant(0)), AbiError::BadArg);
	refused(
		|m| m.launches[1].args[5] = Arg::Local(Expr::constant(MAX_LOCAL_BYTES + 1)),
		AbiError::BadArg,
	);
}

#[test]
fn bad_outputs_are_refused() {
	refused(|m| m.output.clear(), AbiError::BadOutput);
	refused(|m| m.output[0] = 2, AbiError::BadOutput);
	refused(|m| m.output.try_push(3).unwrap(), AbiError::BadOutput);
	refused(|m| m.output.try_push(9).unwrap(), AbiError::BadOutput);
	refused(|m| m.buffers[2] = Buffer::Output(Expr::constant(8)), AbiError::BadOutput);
	refused(
		|m| m.buffers[3] = Buffer::Output(expr(vec![term(MAX_OUTPUT_BYTES / 4096 + 1, &[0])])),
		AbiError::BadOutput,
	);
}

#[test]
fn bad_verification_and_work_are_refused() {
	refused(|m| m.verification.quorum = 0, AbiError::BadVerification);
	refused(|m| m.unit_size = 0, AbiError::BadWork);
	refused(|m| m.max_work = 0, AbiError::BadWork);
	refused(|m| m.max_work = crucible_primitives::MAX_WORK + 1, AbiError::BadWork);
	refused(|m| m.work = expr(vec![]), AbiError::BadWork);
}
