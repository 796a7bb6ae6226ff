//! `crucible-node`: the Crucible blockchain node.
//!
//! Aura block authoring, GRANDPA finality, ParityDB storage, offchain workers with HTTP
//! enabled, and the standard JSON-RPC (system, chain, state, author, transaction payment).

#![warn(missing_docs)]

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
