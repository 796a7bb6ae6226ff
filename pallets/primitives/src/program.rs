//! The kernel ABI of open programs: what a program's publisher declares, the chain checks when
//! it is published, and the worker checks again and runs.
//!
//! A program is OpenCL C source (a blob; the program is named by its `blake2_256`, the blob's
//! name) plus a [`Manifest`]:
//!
//! * **dimensions** ([`Dim`]): named sizes with bounds; a job gives one value for each;
//! * **inputs**: the bytes each of the job's inputs must have, as an [`Expr`] of the dimensions;
//! * **buffers** ([`Buffer`]): device memory, each a job input (read-only), an output or a
//!   scratch buffer (both zero-filled, sized by an [`Expr`]);
//! * **launches** ([`Launch`]): kernels run in order, each an entry point, a global size (one
//!   to three [`Expr`]s) and an optional local size, and its arguments ([`Arg`]);
//! * **output**: which output buffers, concatenated in this order, form the job's output (its
//!   digest is `blake2_256` of those bytes);
//! * the **verification** ([`Verification`]), the **work** of a job (an [`Expr`]), its unit and
//!   its bound.
//!
//! An [`Expr`] is a sum of terms, each a constant times a product of dimensions. Every
//! expression is monotone in the dimensions, so [`Manifest::check`] bounds each one by
//! evaluating it at the dimensions' maxima and at their minima: a manifest that passes it can
//! overflow nothing, allocate no empty buffer and ask no more memory than [`MAX_JOB_MEMORY`]
//! for any job its bounds admit.

use crate::{BoundedVec, ConstU32, MAX_DIMS, MAX_INPUTS, MAX_WORK};
use alloc::vec::Vec;

/// Most terms of one [`Expr`].
pub const MAX_TERMS: u32 = 4;
/// Most dimensions multiplied in one [`Term`].
pub const MAX_FACTORS: u32 = 4;
/// Most buffers of a program.
pub const MAX_BUFFERS: u32 = 8;
/// Most kernel launches of a program.
pub const MAX_LAUNCHES: u32 = 8;
/// Most arguments of one launch.
pub const MAX_ARGS: u32 = 12;
/// Longest entry point or dimension name, in bytes.
pub const MAX_NAME_LEN: u32 = 32;
/// The largest buffer, in bytes, at the dimensions' maxima (`CL_DEVICE_MAX_MEM_ALLOC_SIZE` is at
/// least 128 MiB on every conformant device with 512 MiB of memory or more).
pub const MAX_BUFFER_BYTES: u64 = 256 * 1024 * 1024;
/// The most device memory one job's buffers take together, in bytes.
pub const MAX_JOB_MEMORY: u64 = 1024 * 1024 * 1024;
/// The largest output of a program, in bytes (the worker retains outputs in memory).
pub const MAX_OUTPUT_BYTES: u64 = 16 * 1024 * 1024;
/// The most work-items in one work-group (the local size's product); every conformant device
/// supports at least this many.
pub const MAX_LOCAL_ITEMS: u32 = 256;
/// The most `__local` memory one launch asks for, in bytes (OpenCL's full profile guarantees
/// 32 KiB).
pub const MAX_LOCAL_BYTES: u64 = 32 * 1024;
/// The most work-items of one launch's global size, its product at the dimensions' maxima.
pub const MAX_GLOBAL_ITEMS: u64 = 1 << 32;
/// The largest program source, in bytes: one blob.
pub const MAX_SOURCE_BYTES: u64 = 1024 * 1024;

macro_rules! abi_type {
	($(#[$m:meta])* $vis:vis $kind:ident $name:ident $($body:tt)*) => {
		$(#[$m])*
		#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
		#[cfg_attr(
			feature = "codec",
			derive(
				codec::Encode,
				codec::Decode,
				codec::DecodeWithMemTracking,
				codec::MaxEncodedLen,
				scale_info::TypeInfo
			)
		)]
		#[serde(rename_all = "camelCase")]
		$vis $kind $name $($body)*
	};
}

/// A name: an entry point or a dimension's name, a C identifier.
pub type Name = BoundedVec<u8, ConstU32<MAX_NAME_LEN>>;

abi_type! {
	/// `coeff × Π dims[i]` for each `i` in `dims` (a dimension may repeat, for powers).
	pub struct Term {
		/// The constant factor.
		pub coeff: u64,
		/// Indexes of the dimensions multiplied.
		pub dims: BoundedVec<u8, ConstU32<MAX_FACTORS>>,
	}
}

abi_type! {
	/// A size: the sum of its terms. No terms is zero.
	pub struct Expr {
		/// The terms added.
		pub terms: BoundedVec<Term, ConstU32<MAX_TERMS>>,
	}
}

abi_type! {
	/// One named dimension and the values a job may give it.
	pub struct Dim {
		/// Its name (a C identifier), for people and the CLI's expressions.
		#[serde(with = "crate::bounded_str")]
		pub name: Name,
		/// Smallest value, at least 1.
		pub min: u32,
		/// Largest value.
		pub max: u32,
	}
}

abi_type! {
	/// One buffer of device memory.
	pub enum Buffer {
		/// The job's input of this index, read-only, as many bytes as the input has.
		Input(u8),
		/// A zero-filled buffer of this many bytes that may form part of the output.
		Output(Expr),
		/// A zero-filled buffer of this many bytes, not part of the output.
		Scratch(Expr),
	}
}

abi_type! {
	/// One kernel argument.
	pub enum Arg {
		/// The buffer of this index (`__global` pointer).
		Buffer(u8),
		/// An expression of the dimensions as a `uint` (at most `u32::MAX` for every job).
		Uint(Expr),
		/// An expression of the dimensions as a `ulong`.
		Ulong(Expr),
		/// `__local` memory of this many bytes.
		Local(Expr),
	}
}

abi_type! {
	/// One kernel launch.
	pub struct Launch {
		/// The `__kernel` function.
		#[serde(with = "crate::bounded_str")]
		pub entry: Name,
		/// The global size, one to three expressions.
		pub global: BoundedVec<Expr, ConstU32<3>>,
		/// The local size, empty (the device chooses) or one value for each global dimension,
		/// at most [`MAX_LOCAL_ITEMS`] together. The worker rounds each global size up to a
		/// multiple of it, so a kernel guards against work-items past its sizes.
		#[serde(default)]
		pub local: BoundedVec<u32, ConstU32<3>>,
		/// Its arguments, in order.
		pub args: BoundedVec<Arg, ConstU32<MAX_ARGS>>,
	}
}

abi_type! {
	/// How replicas' results are compared.
	#[derive(Copy)]
	pub struct Verification {
		/// Providers that must agree on an output.
		pub quorum: u8,
		/// Whether the output is bit-identical on every device; if not, only replicas of one
		/// device class are compared with one another.
		pub bit_exact: bool,
	}
}

abi_type! {
	/// What a program's publisher declares about it: its interface to jobs, the kernels it
	/// launches and how its results are verified and priced.
	pub struct Manifest {
		/// The job's dimensions, one to [`MAX_DIMS`].
		pub dims: BoundedVec<Dim, ConstU32<MAX_DIMS>>,
		/// The bytes each of the job's inputs must have, in order.
		#[serde(default)]
		pub inputs: BoundedVec<Expr, ConstU32<MAX_INPUTS>>,
		/// The program's buffers; each input appears exactly once.
		pub buffers: BoundedVec<Buffer, ConstU32<MAX_BUFFERS>>,
		/// The launches, run in order on one queue.
		pub launches: BoundedVec<Launch, ConstU32<MAX_LAUNCHES>>,
		/// Indexes of the output buffers whose bytes, concatenated in this order, are the
		/// output; each output buffer appears exactly once.
		pub output: BoundedVec<u8, ConstU32<MAX_BUFFERS>>,
		/// How results are verified.
		pub verification: Verification,
		/// The work of a job, in the units the price is per (with `unit_size`).
		pub work: Expr,
		/// Work per unit of work.
		pub unit_size: u64,
		/// The most work a job may ask for (at most [`MAX_WORK`]).
		pub max_work: u64,
	}
}

/// Why a manifest, or a job's dimensions against it, is refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[cfg_attr(
	feature = "codec",
	derive(
		codec::Encode,
		codec::Decode,
		codec::DecodeWithMemTracking,
		codec::MaxEncodedLen,
		scale_info::TypeInfo
	)
)]
pub enum AbiError {
	/// No dimensions, a bound below 1, a minimum above its maximum, or a name that is not a
	/// C identifier or is given twice.
	BadDims,
	/// An expression names a dimension the manifest does not have.
	UnknownDim,
	/// An expression overflows 64 bits at the dimensions' maxima.
	Overflow,
	/// An input is used by no buffer or by two, or a buffer names an input that does not exist.
	BadInputs,
	/// An input, buffer, output or global size is zero at the dimensions' minima.
	Empty,
	/// A buffer exceeds [`MAX_BUFFER_BYTES`], or the job's buffers [`MAX_JOB_MEMORY`].
	TooMuchMemory,
	/// No launches, an entry point that is not a C identifier, or a global size of no or more
	/// than three dimensions or of more than [`MAX_GLOBAL_ITEMS`] work-items.
	BadLaunch,
	/// A local size of another rank than the global size, a zero in it, or more than
	/// [`MAX_LOCAL_ITEMS`] work-items.
	BadLocalSize,
	/// An argument names a buffer that does not exist, a `uint` that can exceed `u32::MAX`,
	/// or `__local` memory beyond [`MAX_LOCAL_BYTES`] for one launch.
	BadArg,
	/// No output, an output that is not an output buffer or is named twice, an output buffer
	/// not in the output, or an output beyond [`MAX_OUTPUT_BYTES`].
	BadOutput,
	/// A quorum of zero.
	BadVerification,
	/// A unit size of zero, a work bound of zero or above [`MAX_WORK`], or work of zero.
	BadWork,
	/// A job's dimensions: another number than the manifest's, or a value outside its bounds.
	DimsOutOfBounds,
	/// A job's work exceeds the manifest's `max_work`.
	WorkTooLarge,
	/// A job's input has another length than the manifest's expression gives.
	InputSize,
}

fn is_identifier(name: &[u8]) -> bool {
	matches!(name.first(), Some(c) if c.is_ascii_alphabetic() || *c == b'_')
		&& name.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

impl Term {
	/// A term from its constant and the indexes of the dimensions it multiplies; `None` with
	/// more than [`MAX_FACTORS`] of them.
	pub fn new(coeff: u64, dims: &[u8]) -> Option<Self> {
		Some(Self { coeff, dims: dims.to_vec().try_into().ok()? })
	}
}

impl Expr {
	/// The expression of `terms`; `None` with more than [`MAX_TERMS`].
	pub fn new(terms: Vec<Term>) -> Option<Self> {
		Some(Self { terms: terms.try_into().ok()? })
	}

	/// The constant `c`.
	pub fn constant(c: u64) -> Self {
		Self {
			terms: BoundedVec::truncate_from(alloc::vec![Term {
				coeff: c,
				dims: Default::default()
			}]),
		}
	}

	/// Dimension `i`.
	pub fn dim(i: u8) -> Self {
		Self {
			terms: BoundedVec::truncate_from(alloc::vec![Term {
				coeff: 1,
				dims: BoundedVec::truncate_from(alloc::vec![i]),
			}]),
		}
	}

	/// Its value for the dimensions `dims`: `UnknownDim` if it names one `dims` lacks,
	/// `Overflow` past 64 bits.
	pub fn eval(&self, dims: &[u32]) -> Result<u64, AbiError> {
		self.terms.iter().try_fold(0u64, |sum, t| {
			let product = t.dims.iter().try_fold(t.coeff, |p, &i| {
				let d = *dims.get(i as usize).ok_or(AbiError::UnknownDim)?;
				p.checked_mul(d as u64).ok_or(AbiError::Overflow)
			})?;
			sum.checked_add(product).ok_or(AbiError::Overflow)
		})
	}

	/// Its least and greatest values over every job `m` admits: at the minima and the maxima
	/// (an expression only grows with each dimension).
	fn range(&self, m: &Manifest) -> Result<(u64, u64), AbiError> {
		Ok((self.eval(&m.min_dims())?, self.eval(&m.max_dims())?))
	}
}

impl Manifest {
	/// Every dimension at its minimum.
	pub fn min_dims(&self) -> Vec<u32> {
		self.dims.iter().map(|d| d.min).collect()
	}

	/// Every dimension at its maximum.
	pub fn max_dims(&self) -> Vec<u32> {
		self.dims.iter().map(|d| d.max).collect()
	}

	/// The bytes of buffer `b` for the dimensions `dims` (for an input, the bytes the
	/// manifest asks of it).
	pub fn buffer_bytes(&self, b: &Buffer, dims: &[u32]) -> Result<u64, AbiError> {
		match b {
			Buffer::Input(i) => self.inputs.get(*i as usize).ok_or(AbiError::BadInputs)?.eval(dims),
			Buffer::Output(e) | Buffer::Scratch(e) => e.eval(dims),
		}
	}

	/// The bytes of the output for the dimensions `dims`.
	pub fn output_bytes(&self, dims: &[u32]) -> Result<u64, AbiError> {
		self.output.iter().try_fold(0u64, |sum, &b| {
			let buffer = self.buffers.get(b as usize).ok_or(AbiError::BadOutput)?;
			sum.checked_add(self.buffer_bytes(buffer, dims)?).ok_or(AbiError::Overflow)
		})
	}

	/// Check everything about the manifest that does not depend on a job: see [`AbiError`].
	/// The chain runs it when a program is published, the worker before it runs a job.
	pub fn check(&self) -> Result<(), AbiError> {
		self.check_dims_decl()?;
		self.check_exprs()?;
		// Inputs: each one the source of exactly one buffer, and never empty.
		for i in 0..self.inputs.len() {
			let uses = self
				.buffers
				.iter()
				.filter(|b| matches!(b, Buffer::Input(j) if *j as usize == i));
			if uses.count() != 1 {
				return Err(AbiError::BadInputs);
			}
		}
		let mut memory = 0u64;
		for b in &self.buffers {
			if let Buffer::Input(i) = b {
				if *i as usize >= self.inputs.len() {
					return Err(AbiError::BadInputs);
				}
			}
			let (lo, hi) =
				(self.buffer_bytes(b, &self.min_dims())?, self.buffer_bytes(b, &self.max_dims())?);
			if lo == 0 {
				return Err(AbiError::Empty);
			}
			if hi > MAX_BUFFER_BYTES {
				return Err(AbiError::TooMuchMemory);
			}
			memory = memory.saturating_add(hi);
		}
		if memory > MAX_JOB_MEMORY {
			return Err(AbiError::TooMuchMemory);
		}
		self.check_launches()?;
		self.check_output()?;
		if self.verification.quorum == 0 {
			return Err(AbiError::BadVerification);
		}
		let (work_lo, _) = self.work.range(self)?;
		if self.unit_size == 0 || self.max_work == 0 || self.max_work > MAX_WORK || work_lo == 0 {
			return Err(AbiError::BadWork);
		}
		Ok(())
	}

	fn check_dims_decl(&self) -> Result<(), AbiError> {
		if self.dims.is_empty() {
			return Err(AbiError::BadDims);
		}
		for (i, d) in self.dims.iter().enumerate() {
			let unique = self.dims.iter().take(i).all(|e| e.name != d.name);
			if d.min == 0 || d.min > d.max || !is_identifier(&d.name) || !unique {
				return Err(AbiError::BadDims);
			}
		}
		Ok(())
	}

	/// Every expression of the manifest, evaluated at the maxima (which also finds a dimension
	/// that does not exist).
	fn check_exprs(&self) -> Result<(), AbiError> {
		let max = self.max_dims();
		let buffers = self.buffers.iter().filter_map(|b| match b {
			Buffer::Output(e) | Buffer::Scratch(e) => Some(e),
			Buffer::Input(_) => None,
		});
		let launches = self.launches.iter().flat_map(|l| {
			l.global.iter().chain(l.args.iter().filter_map(|a| match a {
				Arg::Uint(e) | Arg::Ulong(e) | Arg::Local(e) => Some(e),
				Arg::Buffer(_) => None,
			}))
		});
		for e in self.inputs.iter().chain(buffers).chain(launches).chain([&self.work]) {
			e.eval(&max)?;
		}
		Ok(())
	}

	fn check_launches(&self) -> Result<(), AbiError> {
		if self.launches.is_empty() {
			return Err(AbiError::BadLaunch);
		}
		for l in &self.launches {
			if !is_identifier(&l.entry) || l.global.is_empty() {
				return Err(AbiError::BadLaunch);
			}
			let mut items = 1u64;
			for g in &l.global {
				let (lo, hi) = g.range(self)?;
				if lo == 0 {
					return Err(AbiError::Empty);
				}
				items = items.saturating_mul(hi);
			}
			if items > MAX_GLOBAL_ITEMS {
				return Err(AbiError::BadLaunch);
			}
			if !l.local.is_empty()
				&& (l.local.len() != l.global.len()
					|| l.local.contains(&0)
					|| l.local.iter().map(|&x| x as u64).product::<u64>() > MAX_LOCAL_ITEMS as u64)
			{
				return Err(AbiError::BadLocalSize);
			}
			let mut local = 0u64;
			for a in &l.args {
				match a {
					Arg::Buffer(b) if *b as usize >= self.buffers.len() => {
						return Err(AbiError::BadArg)
					},
					Arg::Uint(e) if e.range(self)?.1 > u32::MAX as u64 => {
						return Err(AbiError::BadArg)
					},
					Arg::Local(e) => {
						let (lo, hi) = e.range(self)?;
						if lo == 0 {
							return Err(AbiError::BadArg);
						}
						local = local.saturating_add(hi);
					},
					_ => {},
				}
			}
			if local > MAX_LOCAL_BYTES {
				return Err(AbiError::BadArg);
			}
		}
		Ok(())
	}

	fn check_output(&self) -> Result<(), AbiError> {
		if self.output.is_empty() {
			return Err(AbiError::BadOutput);
		}
		for (i, b) in self.buffers.iter().enumerate() {
			let named = self.output.iter().filter(|&&o| o as usize == i).count();
			let is_output = matches!(b, Buffer::Output(_));
			if named != usize::from(is_output) {
				return Err(AbiError::BadOutput);
			}
		}
		if self.output.iter().any(|&o| o as usize >= self.buffers.len()) {
			return Err(AbiError::BadOutput);
		}
		if self.output_bytes(&self.max_dims())? > MAX_OUTPUT_BYTES {
			return Err(AbiError::BadOutput);
		}
		Ok(())
	}

	/// Check a job's dimensions against a manifest that passed [`Manifest::check`], and return
	/// the job's work.
	pub fn job_work(&self, dims: &[u32]) -> Result<u64, AbiError> {
		if dims.len() != self.dims.len()
			|| dims.iter().zip(&self.dims).any(|(v, d)| *v < d.min || *v > d.max)
		{
			return Err(AbiError::DimsOutOfBounds);
		}
		let work = self.work.eval(dims)?;
		if work > self.max_work {
			return Err(AbiError::WorkTooLarge);
		}
		Ok(work)
	}

	/// Check that input `i` of a job with dimensions `dims` has the bytes the manifest asks.
	pub fn check_input(&self, i: usize, dims: &[u32], bytes: u64) -> Result<(), AbiError> {
		let want = self.inputs.get(i).ok_or(AbiError::BadInputs)?.eval(dims)?;
		if want != bytes {
			return Err(AbiError::InputSize);
		}
		Ok(())
	}
}

abi_type! {
	/// Why a provider's run of an open program failed. A replica that fails reveals
	/// `blake2_256(`[`Failure::preimage`]`)` as its output digest and the `blake2_256` of its
	/// log (the build log, or what the run said before it was stopped) as its small output;
	/// when a quorum of replicas agrees on the reason (the log hashes are not compared: drivers
	/// word their logs differently), the job ends `ProgramFailed` with it and nobody is slashed.
	#[derive(Copy)]
	pub enum Failure {
		/// The source did not compile for the device (or names an entry point it lacks).
		Build,
		/// A launch was refused by the device (bad arguments or work-group size, no resources).
		Launch,
		/// The run took longer than the worker's wall-time limit and was stopped.
		Timeout,
		/// The run used more memory than the worker's limit and was stopped.
		Memory,
		/// A kernel wrote past the end of a buffer (into the guard bytes the worker places there).
		OutOfBounds,
		/// The run ended without a result (the kernel or the driver crashed).
		Crashed,
	}
}

impl Failure {
	/// Every reason, in code order.
	pub const ALL: [Failure; 6] = [
		Failure::Build,
		Failure::Launch,
		Failure::Timeout,
		Failure::Memory,
		Failure::OutOfBounds,
		Failure::Crashed,
	];

	/// The reason's code, 1–6.
	pub fn code(self) -> u8 {
		self as u8 + 1
	}

	/// The reason of a code.
	pub fn from_code(code: u8) -> Option<Self> {
		Self::ALL.get(usize::from(code).checked_sub(1)?).copied()
	}

	/// What a failed run's output digest is the `blake2_256` of.
	pub fn preimage(self) -> [u8; 24] {
		let mut out = [0u8; 24];
		out[..23].copy_from_slice(b"crucible/program-failed");
		out[23] = self.code();
		out
	}
}
