//! Command-line interface.

/// Subcommands of `crucible-node`; without one the node runs.
#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Key management: generate, inspect and insert keys (`key insert` puts a validator's
	/// session or compute key into the node's keystore).
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Build a chain specification (prefer `export-chain-spec`).
	BuildSpec(sc_cli::BuildSpecCmd),

	/// Export the chain specification of the chosen chain.
	ExportChainSpec(sc_cli::ExportChainSpecCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a given block into a chain spec.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Database meta columns information.
	ChainInfo(sc_cli::ChainInfoCmd),

	/// The child process in which the embedded compute worker runs one job of an open program
	/// (started by the node itself; see `crucible_worker::program`).
	#[command(hide = true)]
	ComputeRunProgram {
		/// The job directory.
		dir: std::path::PathBuf,
	},
}

/// The `crucible-node` command line.
#[derive(Debug, clap::Parser)]
#[command(
	propagate_version = true,
	args_conflicts_with_subcommands = true,
	subcommand_negates_reqs = true
)]
pub struct Cli {
	/// A subcommand; without one the node runs.
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	/// Options of the running node.
	#[clap(flatten)]
	pub run: sc_cli::RunCmd,

	/// Where the node's compute jobs run.
	#[clap(flatten)]
	pub compute: crate::compute::ComputeArgs,
}
