//! Inclusive prefix sum (wrapping `u32`) of `dims[0]` seeded values
//! `v[i] = splitmix64(seed64 + i) as u32` — the memory-bound kernel. Output: the sums, `u32` LE;
//! small output: the first 64 bytes.

use super::{check_dims, seed64, splitmix64, Inputs, Kernel, Output, PREVIEW_BYTES};
use crate::{device::Device, JobParams, WorkerError};
use rayon::prelude::*;

/// The prefix-sum kernel.
pub struct PrefixSum;

/// Most values.
pub const MAX_N: u32 = 1 << 24;

const SOURCE: &str =
	concat!(include_str!("../../kernels/blake2b.cl"), include_str!("../../kernels/prefix_sum.cl"));

pub(crate) fn encode(v: &[u32]) -> Output {
	Output::with_preview(v.iter().flat_map(|x| x.to_le_bytes()).collect(), PREVIEW_BYTES)
}

/// Values per block of the three-pass scan.
pub(crate) fn chunk_for(n: usize) -> usize {
	n.div_ceil(1024).max(4096)
}

impl Kernel for PrefixSum {
	fn name(&self) -> &'static str {
		"prefix-sum"
	}
	fn source(&self) -> &'static str {
		SOURCE
	}
	fn entry_point(&self) -> &'static str {
		"scan_block_sums"
	}
	fn describe_params(&self) -> &'static str {
		"dims = [n]: inclusive wrapping prefix sum of n seeded u32 values"
	}
	fn validate(&self, params: &JobParams) -> Result<u64, WorkerError> {
		check_dims(params, &[(1, MAX_N)], false)?;
		Ok(params.dims[0] as u64)
	}
	fn reference(&self, params: &JobParams, _: &Inputs) -> Result<Output, WorkerError> {
		self.validate(params)?;
		let s = seed64(&params.seed);
		let mut acc = 0u32;
		let out: Vec<u32> = (0..params.dims[0] as u64)
			.map(|i| {
				acc = acc.wrapping_add(splitmix64(s.wrapping_add(i)) as u32);
				acc
			})
			.collect();
		Ok(encode(&out))
	}
	fn native_parallel(&self, params: &JobParams, _: &Inputs) -> Result<Output, WorkerError> {
		self.validate(params)?;
		let s = seed64(&params.seed);
		let n = params.dims[0] as usize;
		let chunk = n.div_ceil(rayon::current_num_threads() * 4).max(1);
		let mut out = vec![0u32; n];
		// Pass 1: generate and sum each block; pass 2: offsets; pass 3: rescan from the offset.
		let sums: Vec<u32> = out
			.par_chunks_mut(chunk)
			.enumerate()
			.map(|(b, blk)| {
				let base = (b * chunk) as u64;
				let mut sum = 0u32;
				for (i, v) in blk.iter_mut().enumerate() {
					*v = splitmix64(s.wrapping_add(base + i as u64)) as u32;
					sum = sum.wrapping_add(*v);
				}
				sum
			})
			.collect();
		rescan_blocks(&mut out, chunk, sums);
		Ok(encode(&out))
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
		let chunk = chunk_for(n);
		let blocks = n.div_ceil(chunk);
		let q = device.queue.clone();
		// Host-allocated so that on CPU devices (PoCL) reading the result is a map, not a copy.
		let values = ocl::Buffer::<u32>::builder()
			.queue(q.clone())
			.flags(ocl::MemFlags::new().read_write().alloc_host_ptr())
			.len(n)
			.build()?;
		let sums = ocl::Buffer::<u32>::builder().queue(q.clone()).len(blocks).build()?;
		let pass1 = ocl::Kernel::builder()
			.program(program)
			.name("scan_block_sums")
			.queue(q.clone())
			.global_work_size(blocks)
			.arg(seed64(&params.seed))
			.arg(n as u32)
			.arg(chunk as u32)
			.arg(&values)
			.arg(&sums)
			.build()?;
		scan_rest(program, &q, &pass1, &values, &sums, n, chunk)
	}
}

/// Passes 2 and 3 of the parallel scan on the host: given each block's sum (blocks of `chunk`
/// values), rescan every block from its offset.
pub(crate) fn rescan_blocks(v: &mut [u32], chunk: usize, sums: Vec<u32>) {
	let mut offsets = Vec::with_capacity(sums.len());
	let mut acc = 0u32;
	for x in sums {
		offsets.push(acc);
		acc = acc.wrapping_add(x);
	}
	v.par_chunks_mut(chunk).zip(offsets).for_each(|(blk, mut acc)| {
		for x in blk {
			acc = acc.wrapping_add(*x);
			*x = acc;
		}
	});
}

/// Passes 2 and 3 of the scan after `pass1` (which sums each block of `values` into `sums`),
/// then the values read out as the canonical output.
pub(crate) fn scan_rest(
	program: &ocl::Program,
	q: &ocl::Queue,
	pass1: &ocl::Kernel,
	values: &ocl::Buffer<u32>,
	sums: &ocl::Buffer<u32>,
	n: usize,
	chunk: usize,
) -> Result<Output, WorkerError> {
	let blocks = n.div_ceil(chunk);
	let pass2 = ocl::Kernel::builder()
		.program(program)
		.name("scan_sums")
		.queue(q.clone())
		.global_work_size(1)
		.arg(sums)
		.arg(blocks as u32)
		.build()?;
	let pass3 = ocl::Kernel::builder()
		.program(program)
		.name("scan_apply")
		.queue(q.clone())
		.global_work_size(blocks)
		.arg(n as u32)
		.arg(chunk as u32)
		.arg(values)
		.arg(sums)
		.build()?;
	// SAFETY: `values` holds n values and `sums` one per block, as the kernels index them.
	unsafe {
		pass1.enq()?;
		pass2.enq()?;
		pass3.enq()?;
	}
	// SAFETY: the queue is in order, so the map waits for the three passes; nothing else
	// writes `values` while it is mapped.
	let mut mapped = unsafe { values.map().read().enq()? };
	let out = encode(&mapped);
	mapped.unmap().enq()?;
	Ok(out)
}
