//! Merkle root of a seeded data set: `dims = [leaves]`. Leaf `i` is the 32 bytes
//! `splitmix64(seed64 + 4i + j)` LE for `j = 0..4`; its node is `blake2_256(leaf)`; a parent is
//! `blake2_256(left ‖ right)`; an odd last node is carried up unchanged. Output: the root.

use super::{check_dims, seed64, splitmix64, Inputs, Kernel, Output};
use crate::{blake2_256, device::Device, JobParams, WorkerError};
use rayon::prelude::*;

/// The Merkle-root kernel.
pub struct MerkleRoot;

/// Most leaves.
pub const MAX_LEAVES: u32 = 1 << 22;

const SOURCE: &str =
	concat!(include_str!("../../kernels/blake2b.cl"), include_str!("../../kernels/merkle.cl"));

fn leaf(s: u64, i: u64) -> [u8; 32] {
	let mut data = [0u8; 32];
	for j in 0..4 {
		data[8 * j as usize..8 * j as usize + 8]
			.copy_from_slice(&splitmix64(s.wrapping_add(4 * i + j)).to_le_bytes());
	}
	blake2_256(&data)
}

pub(crate) fn parent(l: &[u8; 32], r: &[u8; 32]) -> [u8; 32] {
	let mut b = [0u8; 64];
	b[..32].copy_from_slice(l);
	b[32..].copy_from_slice(r);
	blake2_256(&b)
}

pub(crate) fn level(nodes: &[[u8; 32]]) -> Vec<[u8; 32]> {
	nodes
		.chunks(2)
		.map(|c| if c.len() == 2 { parent(&c[0], &c[1]) } else { c[0] })
		.collect()
}

pub(crate) fn par_level(nodes: &[[u8; 32]]) -> Vec<[u8; 32]> {
	nodes
		.par_chunks(2)
		.map(|c| if c.len() == 2 { parent(&c[0], &c[1]) } else { c[0] })
		.collect()
}

pub(crate) fn root_output(root: [u8; 32]) -> Output {
	Output { bytes: root.to_vec(), small: root.to_vec() }
}

impl Kernel for MerkleRoot {
	fn name(&self) -> &'static str {
		"merkle-root"
	}
	fn source(&self) -> &'static str {
		SOURCE
	}
	fn entry_point(&self) -> &'static str {
		"merkle_leaves"
	}
	fn describe_params(&self) -> &'static str {
		"dims = [leaves]: blake2b-256 Merkle root of a seeded data set"
	}
	fn validate(&self, params: &JobParams) -> Result<u64, WorkerError> {
		check_dims(params, &[(1, MAX_LEAVES)], false)?;
		Ok(2 * params.dims[0] as u64)
	}
	fn reference(&self, params: &JobParams, _: &Inputs) -> Result<Output, WorkerError> {
		self.validate(params)?;
		let s = seed64(&params.seed);
		let mut nodes: Vec<[u8; 32]> = (0..params.dims[0] as u64).map(|i| leaf(s, i)).collect();
		while nodes.len() > 1 {
			nodes = level(&nodes);
		}
		Ok(root_output(nodes[0]))
	}
	fn native_parallel(&self, params: &JobParams, _: &Inputs) -> Result<Output, WorkerError> {
		self.validate(params)?;
		let s = seed64(&params.seed);
		let mut nodes: Vec<[u8; 32]> =
			(0..params.dims[0] as u64).into_par_iter().map(|i| leaf(s, i)).collect();
		while nodes.len() > 1 {
			nodes = par_level(&nodes);
		}
		Ok(root_output(nodes[0]))
	}
	fn run_opencl(
		&self,
		device: &Device,
		program: &ocl::Program,
		params: &JobParams,
		_: &Inputs,
	) -> Result<Output, WorkerError> {
		self.validate(params)?;
		let n = params.dims[0] as usize;
		let q = device.queue.clone();
		let mk =
			|len: usize| ocl::Buffer::<u64>::builder().queue(q.clone()).len(len.max(1) * 4).build();
		let (cur, next) = (mk(n)?, mk(n.div_ceil(2))?);
		let leaves = ocl::Kernel::builder()
			.program(program)
			.name("merkle_leaves")
			.queue(q.clone())
			.global_work_size(n)
			.arg(seed64(&params.seed))
			.arg(n as u32)
			.arg(&cur)
			.build()?;
		// SAFETY: `cur` holds n nodes of 4 words.
		unsafe { leaves.enq()? };
		reduce_on_device(program, &q, cur, next, n)
	}
}

/// Reduce `n` leaf nodes in `cur` (4 words each) to the root with `merkle_level`, using `next`
/// (room for ⌈n/2⌉ nodes) as the other buffer.
pub(crate) fn reduce_on_device(
	program: &ocl::Program,
	q: &ocl::Queue,
	mut cur: ocl::Buffer<u64>,
	mut next: ocl::Buffer<u64>,
	n: usize,
) -> Result<Output, WorkerError> {
	let levels = ocl::Kernel::builder()
		.program(program)
		.name("merkle_level")
		.queue(q.clone())
		.global_work_size(n.div_ceil(2).max(1))
		.arg(&cur)
		.arg(n as u32)
		.arg(&next)
		.build()?;
	let mut count = n;
	while count > 1 {
		let parents = count.div_ceil(2);
		levels.set_arg(0, &cur)?;
		levels.set_arg(1, count as u32)?;
		levels.set_arg(2, &next)?;
		// SAFETY: `cur` holds `count` nodes and `next` at least `parents`.
		unsafe { levels.cmd().global_work_size(parents).enq()? };
		std::mem::swap(&mut cur, &mut next);
		count = parents;
	}
	let mut words = [0u64; 4];
	cur.cmd().read(&mut words[..]).len(4).enq()?;
	let mut root = [0u8; 32];
	for (i, w) in words.iter().enumerate() {
		root[8 * i..8 * i + 8].copy_from_slice(&w.to_le_bytes());
	}
	Ok(root_output(root))
}
