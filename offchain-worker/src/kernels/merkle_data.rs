//! Merkle root of the consumer's own file: `dims = [leaves]` and one input of up to
//! `32 × leaves` bytes (more than `32 × (leaves − 1)`). Leaf `i` is the input's bytes
//! `32i .. 32i + 32`, the last zero-padded; its node is `blake2_256(leaf)`; a parent is
//! `blake2_256(left ‖ right)`; an odd last node is carried up unchanged — the tree of
//! [`super::MerkleRoot`] over given leaves. Output: the root.

use super::{
	check_dims, input_words,
	merkle::{level, par_level, reduce_on_device, root_output, MAX_LEAVES},
	Inputs, Kernel, Output,
};
use crate::{blake2_256, device::Device, JobParams, WorkerError};
use rayon::prelude::*;

/// The Merkle-root kernel over an uploaded file.
pub struct MerkleRootData;

const SOURCE: &str = concat!(
	include_str!("../../kernels/blake2b.cl"),
	include_str!("../../kernels/merkle.cl"),
	include_str!("../../kernels/merkle_data.cl")
);

/// The job's leaves: 32 bytes each, the last zero-padded.
fn leaves(params: &JobParams, inputs: &Inputs) -> Result<Vec<[u8; 32]>, WorkerError> {
	input_words(
		&MerkleRootData,
		params,
		inputs,
		*params.dims.first().unwrap_or(&0) as usize,
		|w: [u8; 32]| w,
	)
}

fn root(mut nodes: Vec<[u8; 32]>, next: fn(&[[u8; 32]]) -> Vec<[u8; 32]>) -> Output {
	while nodes.len() > 1 {
		nodes = next(&nodes);
	}
	root_output(nodes[0])
}

impl Kernel for MerkleRootData {
	fn name(&self) -> &'static str {
		"merkle-root-data"
	}
	fn source(&self) -> &'static str {
		SOURCE
	}
	fn entry_point(&self) -> &'static str {
		"merkle_leaves_in"
	}
	fn describe_params(&self) -> &'static str {
		"dims = [leaves], one input of up to 32 × leaves bytes: its blake2b-256 Merkle root over 32-byte leaves"
	}
	fn input_shapes(&self) -> &'static [(u32, u8)] {
		&[(32, 1)]
	}
	fn validate(&self, params: &JobParams) -> Result<u64, WorkerError> {
		check_dims(params, &[(1, MAX_LEAVES)], false)?;
		Ok(2 * params.dims[0] as u64)
	}
	fn reference(&self, params: &JobParams, inputs: &Inputs) -> Result<Output, WorkerError> {
		let nodes = leaves(params, inputs)?.iter().map(|l| blake2_256(l)).collect();
		Ok(root(nodes, level))
	}
	fn native_parallel(&self, params: &JobParams, inputs: &Inputs) -> Result<Output, WorkerError> {
		let nodes = leaves(params, inputs)?.par_iter().map(|l| blake2_256(l)).collect();
		Ok(root(nodes, par_level))
	}
	fn run_opencl(
		&self,
		device: &Device,
		program: &ocl::Program,
		params: &JobParams,
		inputs: &Inputs,
	) -> Result<Output, WorkerError> {
		let n = *params.dims.first().unwrap_or(&0) as usize;
		let words = input_words(self, params, inputs, 4 * n, u64::from_le_bytes)?;
		let q = device.queue.clone();
		let mk =
			|len: usize| ocl::Buffer::<u64>::builder().queue(q.clone()).len(len.max(1) * 4).build();
		let data = ocl::Buffer::<u64>::builder()
			.queue(q.clone())
			.flags(ocl::MemFlags::new().read_only())
			.len(words.len())
			.copy_host_slice(&words)
			.build()?;
		let (cur, next) = (mk(n)?, mk(n.div_ceil(2))?);
		let leaves = ocl::Kernel::builder()
			.program(program)
			.name("merkle_leaves_in")
			.queue(q.clone())
			.global_work_size(n)
			.arg(n as u32)
			.arg(&data)
			.arg(&cur)
			.build()?;
		// SAFETY: `data` holds 4n words and `cur` n nodes of 4 words.
		unsafe { leaves.enq()? };
		reduce_on_device(program, &q, cur, next, n)
	}
}
