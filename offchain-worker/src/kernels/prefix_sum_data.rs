//! Inclusive prefix sum (wrapping `u32`) of the consumer's own values: `dims = [n]` and one
//! input of `4n` bytes (or up to 3 fewer: the last value is zero-padded), read as `u32`
//! little-endian. Output: the sums, `u32` LE; small output: the first 64 bytes. The data
//! variant of [`super::PrefixSum`], sharing its scan.

use super::{
	check_dims, input_words,
	prefix_sum::{chunk_for, encode, rescan_blocks, scan_rest, MAX_N},
	Inputs, Kernel, Output,
};
use crate::{device::Device, JobParams, WorkerError};
use rayon::prelude::*;

/// The prefix-sum kernel over an uploaded input.
pub struct PrefixSumData;

const SOURCE: &str = concat!(
	include_str!("../../kernels/blake2b.cl"),
	include_str!("../../kernels/prefix_sum.cl"),
	include_str!("../../kernels/prefix_sum_data.cl")
);

/// The job's `n` values from its input.
fn values(params: &JobParams, inputs: &Inputs) -> Result<Vec<u32>, WorkerError> {
	input_words(
		&PrefixSumData,
		params,
		inputs,
		*params.dims.first().unwrap_or(&0) as usize,
		u32::from_le_bytes,
	)
}

impl Kernel for PrefixSumData {
	fn name(&self) -> &'static str {
		"prefix-sum-data"
	}
	fn source(&self) -> &'static str {
		SOURCE
	}
	fn entry_point(&self) -> &'static str {
		"scan_block_sums_in"
	}
	fn describe_params(&self) -> &'static str {
		"dims = [n], one input of n u32 LE values: their inclusive wrapping prefix sum"
	}
	fn input_shapes(&self) -> &'static [(u32, u8)] {
		&[(4, 1)]
	}
	fn validate(&self, params: &JobParams) -> Result<u64, WorkerError> {
		check_dims(params, &[(1, MAX_N)], false)?;
		Ok(params.dims[0] as u64)
	}
	fn reference(&self, params: &JobParams, inputs: &Inputs) -> Result<Output, WorkerError> {
		let mut v = values(params, inputs)?;
		let mut acc = 0u32;
		for x in v.iter_mut() {
			acc = acc.wrapping_add(*x);
			*x = acc;
		}
		Ok(encode(&v))
	}
	fn native_parallel(&self, params: &JobParams, inputs: &Inputs) -> Result<Output, WorkerError> {
		let mut v = values(params, inputs)?;
		let chunk = v.len().div_ceil(rayon::current_num_threads() * 4).max(1);
		let sums: Vec<u32> = v
			.par_chunks(chunk)
			.map(|c| c.iter().fold(0u32, |a, x| a.wrapping_add(*x)))
			.collect();
		rescan_blocks(&mut v, chunk, sums);
		Ok(encode(&v))
	}
	fn run_opencl(
		&self,
		device: &Device,
		program: &ocl::Program,
		params: &JobParams,
		inputs: &Inputs,
	) -> Result<Output, WorkerError> {
		let host = values(params, inputs)?;
		let n = host.len();
		let chunk = chunk_for(n);
		let q = device.queue.clone();
		let values = ocl::Buffer::<u32>::builder()
			.queue(q.clone())
			.flags(ocl::MemFlags::new().read_write().alloc_host_ptr())
			.len(n)
			.copy_host_slice(&host)
			.build()?;
		let sums = ocl::Buffer::<u32>::builder().queue(q.clone()).len(n.div_ceil(chunk)).build()?;
		let pass1 = ocl::Kernel::builder()
			.program(program)
			.name("scan_block_sums_in")
			.queue(q.clone())
			.global_work_size(n.div_ceil(chunk))
			.arg(n as u32)
			.arg(chunk as u32)
			.arg(&values)
			.arg(&sums)
			.build()?;
		scan_rest(program, &q, &pass1, &values, &sums, n, chunk)
	}
}
