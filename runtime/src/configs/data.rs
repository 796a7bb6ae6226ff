//! The data plane: blobs kept by every node's transaction index and served over bitswap
//! (`pallet-blobs`). Fees and the retention period are governed (`data` group of
//! `pallet-parameters`, see [`super::market::dynamic_params::data`]); the bounds are constants.

use super::market::{dynamic_params::data, Clamp};
use crate::{configs::governance::TreasuryAccount, Balances, Runtime, RuntimeEvent, DAYS};
use frame_support::traits::ConstU32;

/// Largest blob: 2 MiB. Larger data is stored as 2 MiB chunks named by a manifest.
pub const MAX_BLOB_SIZE: u32 = 2 * 1024 * 1024;

/// The longest a record may be kept by one store or renewal, whatever governance sets.
pub type MaxRetention = ConstU32<{ 30 * DAYS }>;

impl pallet_blobs::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	/// Fees go to the treasury.
	type FeeDestination = TreasuryAccount;
	type BlobFee = data::BlobFee;
	type ByteFee = data::ByteFee;
	type RetentionPeriod = Clamp<data::RetentionPeriod, ConstU32<1>, MaxRetention>;
	type MaxRetention = MaxRetention;
	type MaxBlobSize = ConstU32<MAX_BLOB_SIZE>;
	/// 1,024 chunks of 2 MiB: data of up to 2 GiB under one hash (a 36 KiB manifest).
	type MaxChunks = ConstU32<1024>;
	/// Bounds `on_initialize`'s expiry work (a tenth of a block at most, checked by the
	/// pallet's integrity test).
	type MaxExpiringPerBlock = ConstU32<256>;
	type WeightInfo = pallet_blobs::weights::SubstrateWeight<Runtime>;
}
