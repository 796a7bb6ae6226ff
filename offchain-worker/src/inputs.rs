//! A job's inputs: fetched by hash from the chain's node (`bitswap_v1_get`, which every node
//! answers with the bytes its transaction index keeps) or from an HTTP(S) URL, checked against
//! the hash and length the job names, bounded in size and time, and cached on disk by hash.
//!
//! An input named by a manifest (data stored as chunks, see [`crucible_primitives::data`]) is
//! read chunk by chunk, each chunk checked against its own hash and listed length, and handed
//! out as the concatenated data; its hash is the manifest's. Bytes that do not match are never
//! handed out: a fetch either yields exactly the named bytes or fails with the reason
//! ([`InputError`]), which the offchain worker reports as the input being unavailable.

use crate::blake2_256;
use crucible_primitives::data::{cid_of, Manifest, MANIFEST_MAGIC};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper_util::{
	client::legacy::{connect::HttpConnector, Client},
	rt::TokioExecutor,
};
use std::{
	fs,
	path::{Path, PathBuf},
	time::Duration,
};

/// What a job names as one input: the hash and length its bytes must have, and where to get
/// them (`url`, or the chain's nodes when `None`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputRef {
	/// `blake2_256` of the bytes (for data stored as chunks: of its manifest).
	pub hash: [u8; 32],
	/// Length of the bytes (for chunked data: of all chunks together).
	pub size: u64,
	/// An HTTP(S) URL serving the bytes, for data not stored on the chain.
	pub url: Option<String>,
}

/// Why an input could not be had. Every one but [`InputError::TooLarge`] means the input is
/// unavailable to this worker.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum InputError {
	/// The input is larger than the worker's bound.
	#[error("input of {size} bytes exceeds the bound of {max} bytes")]
	TooLarge {
		/// The input's length.
		size: u64,
		/// The worker's bound.
		max: u64,
	},
	/// The source does not have it (no such blob, HTTP error, connection refused, …).
	#[error("{what} unavailable: {why}")]
	Unavailable {
		/// The CID or URL asked.
		what: String,
		/// What the source answered.
		why: String,
	},
	/// The bytes do not hash to the named hash.
	#[error("the bytes from {0} do not hash to the named hash")]
	WrongHash(String),
	/// The bytes have another length than named.
	#[error("the bytes from {what} are not {expected} bytes long{}", got.map(|g| format!(" ({g})")).unwrap_or_else(|| " (more)".into()))]
	WrongLength {
		/// The CID or URL asked.
		what: String,
		/// The named length.
		expected: u64,
		/// The length served, when known (`None`: more than named).
		got: Option<u64>,
	},
	/// The fetch took longer than the worker's bound.
	#[error("fetching took longer than {0} ms")]
	Timeout(u64),
}

impl From<&crucible_primitives::DataRef> for InputRef {
	fn from(r: &crucible_primitives::DataRef) -> Self {
		use crucible_primitives::DataRef;
		match r {
			DataRef::Blob { digest: hash, bytes: size } => {
				Self { hash: *hash, size: *size, url: None }
			},
			DataRef::Url { url, digest: hash, bytes: size } => Self {
				hash: *hash,
				size: *size,
				url: Some(String::from_utf8_lossy(url).into_owned()),
			},
			// Refused at `worker_submit`: the chain resolves it to a blob before assigning.
			// Named by no hash, it is fetched as no blob and reported unavailable.
			DataRef::Output { bytes: size, .. } => Self { hash: [0; 32], size: *size, url: None },
		}
	}
}

type HttpsClient = Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>;

/// Blobs read in-process (a node's own database, for the worker embedded in it): the bytes
/// stored under a hash, if any.
pub type LocalBlobs = std::sync::Arc<dyn Fn(&[u8; 32]) -> Option<Vec<u8>> + Send + Sync>;

/// Fetches inputs, with its bounds and its cache.
pub struct Fetcher {
	client: HttpsClient,
	/// The node's database, for a worker inside the node.
	local: Option<LocalBlobs>,
	/// The node's HTTP JSON-RPC endpoint (`http://127.0.0.1:9944`), for inputs on the chain.
	node: Option<String>,
	cache: Option<Cache>,
	/// Largest input, in bytes.
	pub max_bytes: u64,
	/// Longest a fetch may take (all chunks of an input together).
	pub timeout: Duration,
}

impl Fetcher {
	/// A fetcher asking `node` for blobs, caching in `cache_dir` (at most `cache_bytes`), with
	/// the bounds `max_bytes` per input and `timeout` per fetch.
	pub fn new(
		node: Option<String>,
		cache_dir: Option<PathBuf>,
		cache_bytes: u64,
		max_bytes: u64,
		timeout: Duration,
	) -> std::io::Result<Self> {
		let https = hyper_rustls::HttpsConnectorBuilder::new()
			.with_native_roots()?
			.https_or_http()
			.enable_http1()
			.build();
		let client = Client::builder(TokioExecutor::new()).build(https);
		let cache = match cache_dir {
			Some(dir) => {
				fs::create_dir_all(&dir)?;
				Some(Cache { dir, max_bytes: cache_bytes })
			},
			None => None,
		};
		Ok(Self { client, local: None, node, cache, max_bytes, timeout })
	}

	/// This fetcher, reading blobs from `local` first (the node's own database).
	pub fn with_local(mut self, local: LocalBlobs) -> Self {
		self.local = Some(local);
		self
	}

	/// Whether blobs stored on the chain can be asked for at all (a node or a local database
	/// is configured): without, a blob input is this worker's problem, not the input's.
	pub fn serves_blobs(&self) -> bool {
		self.local.is_some() || self.node.is_some()
	}

	/// The bytes `input` names, exactly, from the cache or its source.
	pub async fn fetch(&self, input: &InputRef) -> Result<Vec<u8>, InputError> {
		if input.size > self.max_bytes {
			return Err(InputError::TooLarge { size: input.size, max: self.max_bytes });
		}
		if let Some(bytes) = self.cache.as_ref().and_then(|c| c.get(&input.hash, input.size)) {
			return Ok(bytes);
		}
		let ms = self.timeout.as_millis() as u64;
		let bytes = tokio::time::timeout(self.timeout, self.fetch_from_source(input))
			.await
			.map_err(|_| InputError::Timeout(ms))??;
		if let Some(c) = &self.cache {
			c.put(&input.hash, &bytes);
		}
		Ok(bytes)
	}

	async fn fetch_from_source(&self, input: &InputRef) -> Result<Vec<u8>, InputError> {
		match &input.url {
			Some(url) => {
				let bytes = self.get_url(url, input.size).await?;
				if bytes.len() as u64 != input.size {
					return Err(InputError::WrongLength {
						what: url.clone(),
						expected: input.size,
						got: Some(bytes.len() as u64),
					});
				}
				if blake2_256(&bytes) != input.hash {
					return Err(InputError::WrongHash(url.clone()));
				}
				Ok(bytes)
			},
			None => self.get_data(&input.hash, input.size).await,
		}
	}

	/// The data a blob names: its bytes, or its chunks' if it is a manifest.
	async fn get_data(&self, hash: &[u8; 32], size: u64) -> Result<Vec<u8>, InputError> {
		let cid = cid_of(hash);
		let head = self.get_blob(hash).await?;
		let manifest = head.starts_with(&MANIFEST_MAGIC).then(|| Manifest::from_bytes(&head));
		let Some(Some(manifest)) = manifest else {
			if head.len() as u64 != size {
				return Err(InputError::WrongLength {
					what: cid,
					expected: size,
					got: Some(head.len() as u64),
				});
			}
			return Ok(head);
		};
		if manifest.total_size() != size {
			return Err(InputError::WrongLength {
				what: cid,
				expected: size,
				got: Some(manifest.total_size()),
			});
		}
		let mut out = Vec::with_capacity(size as usize);
		for c in &manifest.chunks {
			let part = self.get_blob(&c.hash).await?;
			if part.len() != c.size as usize {
				return Err(InputError::WrongLength {
					what: cid_of(&c.hash),
					expected: c.size as u64,
					got: Some(part.len() as u64),
				});
			}
			out.extend_from_slice(&part);
		}
		Ok(out)
	}

	/// One blob's bytes from the node's `bitswap_v1_get`, checked against its hash.
	async fn get_blob(&self, hash: &[u8; 32]) -> Result<Vec<u8>, InputError> {
		let cid = cid_of(hash);
		if let Some(bytes) = self.local.as_ref().and_then(|l| l(hash)) {
			if blake2_256(&bytes) == *hash {
				return Ok(bytes);
			}
		}
		let unavailable = |why: String| InputError::Unavailable { what: cid.clone(), why };
		let node =
			self.node.as_ref().ok_or_else(|| unavailable("no node RPC configured".into()))?;
		let body = serde_json::json!({
			"jsonrpc": "2.0", "id": 1, "method": "bitswap_v1_get", "params": [cid],
		});
		let request = hyper::Request::post(node)
			.header("content-type", "application/json")
			.body(Full::new(Bytes::from(body.to_string())))
			.map_err(|e| unavailable(e.to_string()))?;
		// The answer is hex: twice the bytes, and a little JSON around them.
		let limit = (2 * self.max_bytes as usize).saturating_add(4096);
		let raw = self.send(request, limit).await.map_err(unavailable)?;
		let answer: serde_json::Value =
			serde_json::from_slice(&raw).map_err(|e| unavailable(format!("not JSON: {e}")))?;
		if let Some(err) = answer.get("error") {
			return Err(unavailable(err.get("message").unwrap_or(err).to_string()));
		}
		let hex_bytes = answer
			.get("result")
			.and_then(|r| r.as_str())
			.ok_or_else(|| unavailable("no result".into()))?;
		let bytes = hex::decode(hex_bytes.trim_start_matches("0x"))
			.map_err(|e| unavailable(format!("not hex: {e}")))?;
		if blake2_256(&bytes) != *hash {
			return Err(InputError::WrongHash(cid));
		}
		Ok(bytes)
	}

	/// A URL's body, at most `size + 1` bytes read (more than `size` is wrong anyway).
	async fn get_url(&self, url: &str, size: u64) -> Result<Vec<u8>, InputError> {
		let unavailable = |why: String| InputError::Unavailable { what: url.into(), why };
		let request = hyper::Request::get(url)
			.body(Full::new(Bytes::new()))
			.map_err(|e| unavailable(e.to_string()))?;
		match self.send(request, size as usize).await {
			Ok(bytes) => Ok(bytes),
			Err(e) if e == TOO_LONG => {
				Err(InputError::WrongLength { what: url.into(), expected: size, got: None })
			},
			Err(e) => Err(unavailable(e)),
		}
	}

	/// Send `request`; the body of a 2xx answer, read up to `limit` bytes (else [`TOO_LONG`]).
	async fn send(
		&self,
		request: hyper::Request<Full<Bytes>>,
		limit: usize,
	) -> Result<Vec<u8>, String> {
		let response = self.client.request(request).await.map_err(|e| e.to_string())?;
		let status = response.status();
		if !status.is_success() {
			return Err(format!("HTTP {status}"));
		}
		let body = Limited::new(response.into_body(), limit).collect().await.map_err(|e| {
			if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() {
				TOO_LONG.to_string()
			} else {
				e.to_string()
			}
		})?;
		Ok(body.to_bytes().to_vec())
	}
}

impl std::fmt::Debug for Fetcher {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		f.debug_struct("Fetcher")
			.field("local", &self.local.is_some())
			.field("node", &self.node)
			.field("cache", &self.cache.as_ref().map(|c| &c.dir))
			.field("max_bytes", &self.max_bytes)
			.field("timeout", &self.timeout)
			.finish()
	}
}

/// What [`Fetcher::send`] answers for a body longer than its limit.
const TOO_LONG: &str = "the body is longer than named";

/// Inputs on disk, one file per input hash (`<hex>`), at most `max_bytes` in all (the oldest go
/// first). A file holds `blake2_256` of the data, then the data, so that a damaged file is
/// noticed (a manifest's hash names the concatenated chunks, which do not hash to it).
struct Cache {
	dir: PathBuf,
	max_bytes: u64,
}

impl Cache {
	fn path(&self, hash: &[u8; 32]) -> PathBuf {
		self.dir.join(hex::encode(hash))
	}

	/// The cached data of `hash`, if it is there, `size` bytes long and undamaged (a damaged
	/// file is dropped).
	fn get(&self, hash: &[u8; 32], size: u64) -> Option<Vec<u8>> {
		let path = self.path(hash);
		let mut bytes = fs::read(&path).ok()?;
		if bytes.len() as u64 == size + 32 && blake2_256(&bytes[32..]) == bytes[..32] {
			bytes.drain(..32);
			return Some(bytes);
		}
		let _ = fs::remove_file(path);
		None
	}

	/// Keep `bytes` under `hash` (written whole, then renamed into place), then trim the cache.
	fn put(&self, hash: &[u8; 32], bytes: &[u8]) {
		if bytes.len() as u64 + 32 > self.max_bytes {
			return;
		}
		let path = self.path(hash);
		let tmp = path.with_extension("part");
		let mut file = blake2_256(bytes).to_vec();
		file.extend_from_slice(bytes);
		if fs::write(&tmp, file).and_then(|_| fs::rename(&tmp, &path)).is_err() {
			let _ = fs::remove_file(&tmp);
			return;
		}
		self.trim(&path);
	}

	/// Drop the oldest files until the cache holds at most `max_bytes` (never `keep`).
	fn trim(&self, keep: &Path) {
		let Ok(entries) = fs::read_dir(&self.dir) else { return };
		let mut files: Vec<_> = entries
			.filter_map(|e| e.ok())
			.filter_map(|e| {
				let m = e.metadata().ok()?;
				m.is_file().then(|| (m.modified().ok(), m.len(), e.path()))
			})
			.collect();
		let mut total: u64 = files.iter().map(|f| f.1).sum();
		files.sort_by_key(|f| f.0);
		for (_, len, path) in files {
			if total <= self.max_bytes {
				break;
			}
			if path != keep && fs::remove_file(&path).is_ok() {
				total -= len;
			}
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::{
		io::{Read, Write},
		net::TcpListener,
	};

	/// A real HTTP/1.1 server on loopback answering every request with `body` (and `status`),
	/// for as many connections as `n`.
	fn serve(body: Vec<u8>, status: &'static str, n: usize) -> String {
		let listener = TcpListener::bind("127.0.0.1:0").unwrap();
		let addr = listener.local_addr().unwrap();
		std::thread::spawn(move || {
			for stream in listener.incoming().take(n) {
				let mut s = stream.unwrap();
				let mut buf = [0u8; 4096];
				let _ = s.read(&mut buf);
				let head = format!(
					"HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
					body.len()
				);
				let _ = s.write_all(head.as_bytes());
				let _ = s.write_all(&body);
			}
		});
		format!("http://{addr}/input.bin")
	}

	fn fetcher(cache: Option<PathBuf>) -> Fetcher {
		Fetcher::new(None, cache, 1 << 20, 1 << 20, Duration::from_secs(5)).unwrap()
	}

	fn input(bytes: &[u8], url: &str) -> InputRef {
		InputRef { hash: blake2_256(bytes), size: bytes.len() as u64, url: Some(url.into()) }
	}

	#[tokio::test]
	async fn a_url_input_is_fetched_and_checked() {
		let data: Vec<u8> = (0..100_000u32).map(|i| (i * 7) as u8).collect();
		let url = serve(data.clone(), "200 OK", 1);
		assert_eq!(fetcher(None).fetch(&input(&data, &url)).await.unwrap(), data);
	}

	#[tokio::test]
	async fn wrong_bytes_wrong_lengths_and_errors_are_refused() {
		let data = b"the consumer's data".to_vec();
		let mut other = data.clone();
		other[0] ^= 1;
		let f = fetcher(None);
		let url = serve(other, "200 OK", 1);
		assert_eq!(f.fetch(&input(&data, &url)).await, Err(InputError::WrongHash(url.clone())));
		let url = serve(data[..5].to_vec(), "200 OK", 1);
		assert!(matches!(
			f.fetch(&input(&data, &url)).await,
			Err(InputError::WrongLength { got: Some(5), .. })
		));
		let mut longer = data.clone();
		longer.push(0);
		let url = serve(longer, "200 OK", 1);
		assert!(matches!(
			f.fetch(&input(&data, &url)).await,
			Err(InputError::WrongLength { got: None, .. })
		));
		let url = serve(data.clone(), "404 Not Found", 1);
		assert!(matches!(f.fetch(&input(&data, &url)).await, Err(InputError::Unavailable { .. })));
		// Nothing listens there any more.
		let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
		let url = format!("http://{closed}/x");
		assert!(matches!(f.fetch(&input(&data, &url)).await, Err(InputError::Unavailable { .. })));
		// A blob without a node to ask.
		let on_chain = InputRef { url: None, ..input(&data, "") };
		assert!(matches!(f.fetch(&on_chain).await, Err(InputError::Unavailable { .. })));
	}

	#[tokio::test]
	async fn inputs_above_the_bound_are_not_fetched() {
		let f = fetcher(None);
		let big = InputRef { hash: [0; 32], size: (1 << 20) + 1, url: Some("http://x".into()) };
		assert_eq!(
			f.fetch(&big).await,
			Err(InputError::TooLarge { size: (1 << 20) + 1, max: 1 << 20 })
		);
	}

	#[tokio::test]
	async fn a_server_that_never_answers_times_out() {
		let listener = TcpListener::bind("127.0.0.1:0").unwrap();
		let url = format!("http://{}/slow", listener.local_addr().unwrap());
		let f = Fetcher::new(None, None, 0, 1 << 20, Duration::from_millis(300)).unwrap();
		assert_eq!(f.fetch(&input(b"x", &url)).await, Err(InputError::Timeout(300)));
		drop(listener);
	}

	#[tokio::test]
	async fn the_cache_serves_a_second_fetch_and_stays_bounded() {
		let dir = std::env::temp_dir().join(format!("crucible-inputs-{}", std::process::id()));
		let _ = fs::remove_dir_all(&dir);
		let data = vec![42u8; 300_000];
		// One connection only: the second fetch must come from the cache.
		let url = serve(data.clone(), "200 OK", 1);
		let f = fetcher(Some(dir.clone()));
		assert_eq!(f.fetch(&input(&data, &url)).await.unwrap(), data);
		assert_eq!(f.fetch(&input(&data, &url)).await.unwrap(), data);
		// A damaged file is noticed and fetched again (the server is gone: unavailable).
		let file = dir.join(hex::encode(blake2_256(&data)));
		let mut damaged = fs::read(&file).unwrap();
		damaged[100] ^= 1;
		fs::write(&file, damaged).unwrap();
		assert!(matches!(f.fetch(&input(&data, &url)).await, Err(InputError::Unavailable { .. })));
		assert!(!file.exists(), "the damaged file is dropped");
		// Four more inputs of 300 kB: the 1 MiB cache keeps the newest three.
		for i in 0..4u8 {
			let d = vec![i; 300_000];
			let url = serve(d.clone(), "200 OK", 1);
			f.fetch(&input(&d, &url)).await.unwrap();
		}
		let held: u64 =
			fs::read_dir(&dir).unwrap().map(|e| e.unwrap().metadata().unwrap().len()).sum();
		assert!(held <= 1 << 20, "the cache holds {held} bytes");
		assert!(dir.join(hex::encode(blake2_256(&[3u8; 300_000]))).exists(), "the newest stays");
		let _ = fs::remove_dir_all(&dir);
	}
}
