//! A test runtime: System, Balances and the blobs pallet, with governed values as statics.

use crate::{self as pallet_blobs, *};
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU128, ConstU32, ConstU64, Hooks},
};
use sp_runtime::BuildStorage;

pub type AccountId = u64;
pub type Balance = u128;
type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Blobs: pallet_blobs,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type AccountStore = System;
	type ExistentialDeposit = ConstU128<ED>;
}

/// Existential deposit.
pub const ED: Balance = 1;
/// The fee destination (treasury).
pub const TREASURY: AccountId = 999;
/// Every test account's starting balance.
pub const INITIAL: Balance = 1_000_000;
/// `MaxBlobSize` of the test runtime.
pub const MAX_BLOB: u32 = 1024;
/// `MaxChunks` of the test runtime.
pub const MAX_CHUNKS: u32 = 4;
/// `MaxExpiringPerBlock` of the test runtime.
pub const MAX_EXPIRING: u32 = 3;
/// `MaxRetention` of the test runtime.
pub const MAX_RETENTION: u64 = 100;

parameter_types! {
	pub const Treasury: AccountId = TREASURY;
	pub static BlobFee: Balance = 10;
	pub static ByteFee: Balance = 1;
	pub static RetentionPeriod: u64 = 20;
}

impl Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type FeeDestination = Treasury;
	type BlobFee = BlobFee;
	type ByteFee = ByteFee;
	type RetentionPeriod = RetentionPeriod;
	type MaxRetention = ConstU64<MAX_RETENTION>;
	type MaxBlobSize = ConstU32<MAX_BLOB>;
	type MaxChunks = ConstU32<MAX_CHUNKS>;
	type MaxExpiringPerBlock = ConstU32<MAX_EXPIRING>;
	type WeightInfo = ();
}

pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut balances: Vec<(AccountId, Balance)> = (1..=5).map(|a| (a, INITIAL)).collect();
	balances.push((TREASURY, ED));
	balances.push((6, 50));
	pallet_balances::GenesisConfig::<Test> { balances, ..Default::default() }
		.assimilate_storage(&mut t)
		.unwrap();
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| {
		System::set_block_number(1);
		// Genesis leaves the extrinsic index at 0; the block's first extrinsic sets it.
		sp_io::storage::clear(sp_core::storage::well_known_keys::EXTRINSIC_INDEX);
	});
	ext
}

/// Run blocks up to `n` (hooks of each new block, the pallet's invariants after each), as the
/// first extrinsic of each block.
pub fn run_to_block(n: u64) {
	while System::block_number() < n {
		let b = System::block_number();
		System::on_finalize(b);
		System::set_block_number(b + 1);
		System::on_initialize(b + 1);
		Blobs::on_initialize(b + 1);
		// The block's extrinsics start again at 0 (`next_extrinsic`).
		sp_io::storage::clear(sp_core::storage::well_known_keys::EXTRINSIC_INDEX);
		Blobs::do_try_state(b + 1).expect("the blobs' invariants hold after every block");
	}
}

/// Start the block's next extrinsic, whose encoding ends with `tail` (what the executive notes
/// before it dispatches a call).
pub fn next_extrinsic(tail: &[u8]) {
	let i = System::extrinsic_index().map_or(0, |i| i + 1);
	System::set_extrinsic_index(i);
	System::note_extrinsic(tail.to_vec());
}

/// The pallet's events so far.
pub fn blob_events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Blobs(e) => Some(e),
			_ => None,
		})
		.collect()
}

/// `blake2_256` of `data`, as a blob's name.
pub fn hash_of(data: &[u8]) -> sp_core::H256 {
	sp_core::H256(sp_io::hashing::blake2_256(data))
}
