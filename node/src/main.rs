//! `crucible-node`: the Crucible blockchain node.
//!
//! Aura block authoring, GRANDPA finality, ParityDB storage, offchain workers with HTTP
//! enabled, and the standard JSON-RPC (system, chain, state, author, transaction payment).

#![warn(missing_docs)]
// `sc_cli::Error` and `sc_service::Error`, the errors every Substrate node's commands and
// service return, are large; boxing them would only differ from every other node.
#![allow(clippy::result_large_err)]

mod chain_spec;
mod cli;
mod command;
mod compute;
mod compute_rpc;
mod rpc;
mod service;

fn main() -> sc_cli::Result<()> {
	command::run()
}
