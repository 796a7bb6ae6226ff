//! OpenCL platform and device discovery, the device class, and the program cache.

use std::{collections::HashMap, sync::Mutex};

use ocl::{enums::DeviceInfo, flags::DeviceType, Context, Platform, Program, Queue};

use crate::{kernels::Kernel, kernels::Output, JobParams, WorkerError};

/// Which device to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceChoice {
	/// The first GPU of any platform, else the first CPU, else any device.
	Auto,
	/// Device `device` of platform `platform` (indices as [`list`] prints them).
	Index {
		/// Platform index.
		platform: usize,
		/// Device index within the platform.
		device: usize,
	},
}

impl std::str::FromStr for DeviceChoice {
	type Err = String;
	fn from_str(s: &str) -> Result<Self, String> {
		if s == "auto" {
			return Ok(Self::Auto);
		}
		let (p, d) = s.split_once(':').ok_or("expected `auto` or `PLATFORM:DEVICE`, e.g. 0:0")?;
		Ok(Self::Index {
			platform: p.parse().map_err(|e| format!("platform index: {e}"))?,
			device: d.parse().map_err(|e| format!("device index: {e}"))?,
		})
	}
}

impl std::fmt::Display for DeviceChoice {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			Self::Auto => f.write_str("auto"),
			Self::Index { platform, device } => write!(f, "{platform}:{device}"),
		}
	}
}

/// A device as discovery lists it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct DeviceSummary {
	/// Platform index.
	pub platform: usize,
	/// Device index within the platform.
	pub device: usize,
	/// `GPU`, `CPU`, `ACCELERATOR`, …
	pub kind: String,
	/// Its device class string.
	pub class: String,
	/// Compute units.
	pub compute_units: u32,
}

fn info_string(d: &ocl::Device, what: DeviceInfo) -> String {
	d.info(what).map(|i| i.to_string()).unwrap_or_default().trim().to_string()
}

/// `vendor/device/driver-version`, at most 96 bytes: what attestations name.
pub fn device_class(d: &ocl::Device) -> String {
	let mut class = format!(
		"{}/{}/{}",
		info_string(d, DeviceInfo::Vendor),
		info_string(d, DeviceInfo::Name),
		info_string(d, DeviceInfo::DriverVersion)
	);
	class.truncate(96);
	class
}

fn kind_of(d: &ocl::Device) -> String {
	match d.info(DeviceInfo::Type) {
		Ok(ocl::enums::DeviceInfoResult::Type(t)) if t.contains(DeviceType::GPU) => "GPU".into(),
		Ok(ocl::enums::DeviceInfoResult::Type(t)) if t.contains(DeviceType::CPU) => "CPU".into(),
		Ok(ocl::enums::DeviceInfoResult::Type(t)) if t.contains(DeviceType::ACCELERATOR) => {
			"ACCELERATOR".into()
		},
		_ => "OTHER".into(),
	}
}

/// Every OpenCL device on the machine.
pub fn list() -> Vec<DeviceSummary> {
	let mut out = Vec::new();
	for (pi, p) in Platform::list().into_iter().enumerate() {
		for (di, d) in ocl::Device::list_all(p).unwrap_or_default().into_iter().enumerate() {
			let compute_units = match d.info(DeviceInfo::MaxComputeUnits) {
				Ok(ocl::enums::DeviceInfoResult::MaxComputeUnits(n)) => n,
				_ => 0,
			};
			out.push(DeviceSummary {
				platform: pi,
				device: di,
				kind: kind_of(&d),
				class: device_class(&d),
				compute_units,
			});
		}
	}
	out
}

/// An opened device: its context, queue, class, and the programs built on it.
pub struct Device {
	/// The OpenCL device.
	pub device: ocl::Device,
	/// Its context.
	pub context: Context,
	/// An in-order queue on it.
	pub queue: Queue,
	/// `vendor/device/driver-version`.
	pub class: String,
	/// `GPU`, `CPU`, …
	pub kind: String,
	programs: Mutex<HashMap<[u8; 32], Program>>,
}

impl Device {
	/// Open the chosen device.
	pub fn open(choice: DeviceChoice) -> Result<Self, WorkerError> {
		// OpenCL ICD loaders and drivers (PoCL among them) are not safe to initialise from
		// several threads at once: discovery is serialised.
		static DISCOVERY: Mutex<()> = Mutex::new(());
		let _guard = DISCOVERY.lock().unwrap_or_else(|e| e.into_inner());
		let platforms = Platform::list();
		if platforms.is_empty() {
			return Err(WorkerError::NoDevice(
				"no OpenCL platform (install an ICD, e.g. pocl-opencl-icd)".into(),
			));
		}
		let (platform, device) = match choice {
			DeviceChoice::Index { platform, device } => {
				let p = *platforms
					.get(platform)
					.ok_or_else(|| WorkerError::NoDevice(format!("no platform {platform}")))?;
				let d = ocl::Device::list_all(p)?.get(device).copied().ok_or_else(|| {
					WorkerError::NoDevice(format!("no device {device} on platform {platform}"))
				})?;
				(p, d)
			},
			DeviceChoice::Auto => {
				let mut found = None;
				'kinds: for kind in [DeviceType::GPU, DeviceType::CPU, DeviceType::ALL] {
					for p in &platforms {
						if let Some(d) =
							ocl::Device::list(p, Some(kind)).unwrap_or_default().first()
						{
							found = Some((*p, *d));
							break 'kinds;
						}
					}
				}
				found.ok_or_else(|| WorkerError::NoDevice("no device on any platform".into()))?
			},
		};
		let context = Context::builder().platform(platform).devices(device).build()?;
		let queue = Queue::new(&context, device, None)?;
		Ok(Self {
			class: device_class(&device),
			kind: kind_of(&device),
			device,
			context,
			queue,
			programs: Mutex::new(HashMap::new()),
		})
	}

	/// The program of `kernel`, built once per kernel hash and cached.
	pub fn program(&self, kernel: &dyn Kernel) -> Result<Program, WorkerError> {
		let hash = kernel.kernel_hash();
		let mut cache = self
			.programs
			.lock()
			.map_err(|_| WorkerError::OpenCl("program cache poisoned".into()))?;
		if let Some(p) = cache.get(&hash) {
			return Ok(p.clone());
		}
		let program = Program::builder()
			.src(kernel.source())
			.devices(self.device)
			.cmplr_opt("-cl-std=CL1.2")
			.build(&self.context)?;
		cache.insert(hash, program.clone());
		Ok(program)
	}

	/// Validate, then run `kernel` on this device over the bytes of the job's `inputs`.
	pub fn run(
		&self,
		kernel: &dyn Kernel,
		params: &JobParams,
		inputs: &crate::kernels::Inputs,
	) -> Result<Output, WorkerError> {
		kernel.check(params)?;
		crate::kernels::check_input_bytes(params, inputs)?;
		let program = self.program(kernel)?;
		kernel.run_opencl(self, &program, params, inputs)
	}

	/// Programs built so far.
	pub fn cached_programs(&self) -> usize {
		self.programs.lock().map(|c| c.len()).unwrap_or(0)
	}
}
