//! What the worker's integration tests share: a JSON-RPC client over plain HTTP, a runtime,
//! and waiting for a ticket to finish.
#![allow(dead_code)]

use crucible_worker::service::StatusView;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use std::{
	io::{Read, Write},
	net::{SocketAddr, TcpStream},
	time::Duration,
};

/// A JSON-RPC call over HTTP/1.1 with std's TcpStream: Ok(result) or Err(error code).
pub fn call<T: DeserializeOwned>(addr: SocketAddr, method: &str, params: Value) -> Result<T, i32> {
	let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string();
	let mut s = TcpStream::connect(addr).map_err(|_| -1)?;
	s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
	write!(
		s,
		"POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
		body.len()
	)
	.map_err(|_| -1)?;
	let mut resp = String::new();
	s.read_to_string(&mut resp).map_err(|_| -1)?;
	let json_start = resp.find("\r\n\r\n").map(|i| i + 4).ok_or(-1)?;
	let v: Value = serde_json::from_str(&resp[json_start..]).map_err(|_| -1)?;
	if let Some(e) = v.get("error") {
		return Err(e["code"].as_i64().unwrap_or(-1) as i32);
	}
	serde_json::from_value(v["result"].clone()).map_err(|_| -1)
}

/// A two-thread tokio runtime for the service.
pub fn runtime() -> tokio::runtime::Runtime {
	tokio::runtime::Builder::new_multi_thread()
		.worker_threads(2)
		.enable_all()
		.build()
		.unwrap()
}

/// Poll `worker_status` until the ticket is done or failed (30 s at most).
pub fn wait_done(addr: SocketAddr, ticket: u64) -> StatusView {
	for _ in 0..600 {
		let s: StatusView = call(addr, "worker_status", json!([ticket])).unwrap();
		if s.state == "done" || s.state == "failed" {
			return s;
		}
		std::thread::sleep(Duration::from_millis(50));
	}
	panic!("job {ticket} did not finish in 30 s")
}
