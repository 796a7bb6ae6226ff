//! A test runtime: System, Balances and the compute market, with a deterministic randomness
//! source and helpers to build workloads, providers, commitments and attestations.

use crate::{self as pallet_compute_market, *};
use codec::Encode;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU128, ConstU32, ConstU64, ConstU8, Hooks, Randomness},
	weights::Weight,
	BoundedVec,
};
use frame_system::EnsureRoot;
use sp_core::{sr25519, Pair, H256};
use sp_runtime::{BuildStorage, Perbill};

pub type AccountId = u64;
pub type Balance = u128;
type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Market: pallet_compute_market,
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
	type RuntimeHoldReason = RuntimeHoldReason;
}

/// Existential deposit of the test currency.
pub const ED: Balance = 1;
/// The treasury's account.
pub const TREASURY: AccountId = 999;
/// Initial free balance of every test account.
pub const INITIAL: Balance = 1_000_000;

/// A randomness source that changes with the block and the subject: deterministic per test.
pub struct TestRandomness;
impl Randomness<H256, u64> for TestRandomness {
	fn random(subject: &[u8]) -> (H256, u64) {
		let n = System::block_number();
		let mut data = subject.to_vec();
		data.extend_from_slice(&n.to_le_bytes());
		data.extend_from_slice(&RandomSalt::get().to_le_bytes());
		(H256(sp_io::hashing::blake2_256(&data)), n)
	}
}

thread_local! {
	static BLOBS: core::cell::RefCell<std::collections::BTreeMap<[u8; 32], (u64, u64)>> =
		Default::default();
}

/// The stored data of the tests: what [`put_blob`] recorded.
pub struct TestBlobs;

impl crucible_primitives::data::BlobInspect<u64> for TestBlobs {
	fn blob(hash: &[u8; 32]) -> Option<(u64, u64)> {
		BLOBS.with(|b| b.borrow().get(hash).copied())
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn insert_for_benchmark(hash: [u8; 32], bytes: u64, last: u64) {
		put_blob(hash, bytes, last)
	}
}

impl crucible_primitives::data::BlobStore<AccountId> for TestBlobs {
	type Error = sp_runtime::DispatchError;

	/// Record the blob kept for 100 blocks, and charge `who` 1 per KiB started to the
	/// treasury (as the blobs pallet charges its fees).
	fn store_as(who: &AccountId, data: Vec<u8>) -> Result<(), Self::Error> {
		use frame_support::traits::{fungible::Mutate, tokens::Preservation};
		if data.is_empty() || data.len() as u32 > Self::max_blob_size() {
			return Err(sp_runtime::DispatchError::Other("bad blob"));
		}
		Balances::transfer(
			who,
			&TREASURY,
			data.len().div_ceil(1024) as Balance,
			Preservation::Preserve,
		)?;
		put_blob(
			sp_io::hashing::blake2_256(&data),
			data.len() as u64,
			System::block_number() + 100,
		);
		Ok(())
	}

	fn max_blob_size() -> u32 {
		1 << 21
	}
}

/// Record blob `hash` of `bytes` bytes, kept until block `last`.
pub fn put_blob(hash: [u8; 32], bytes: u64, last: u64) {
	BLOBS.with(|b| b.borrow_mut().insert(hash, (bytes, last)));
}

parameter_types! {
	pub const Treasury: AccountId = TREASURY;
	pub static RandomSalt: u64 = 0;
	pub static MinBond: Balance = 100;
	pub static RewardPerUnit: Balance = 2;
	pub static MaxRewardPerBlock: Balance = 1_000;
	pub static TreasuryCut: Perbill = Perbill::from_percent(10);
	pub static SlashWrong: Perbill = Perbill::from_percent(50);
	pub static SlashNoShow: Perbill = Perbill::from_percent(10);
	pub static CommitWindow: u64 = 3;
	pub static RevealWindow: u64 = 3;
	pub static SubmissionFee: Balance = 0;
	pub static DepositPerByte: Balance = 0;
	pub static InputPricePerMiB: Balance = 5;
	pub static OutputPricePerMiB: Balance = 2048;
	pub static PublishWindow: u64 = 2;
	pub static ProgramDeposit: Balance = 50;
	pub static FailedRunShare: Perbill = Perbill::from_percent(10);
	/// Whether `run_to_block` checks `try_state` after every block (off only in tests that
	/// put the storage into states the calls cannot reach).
	pub static CheckTryState: bool = true;
	pub const MarketPalletId: frame_support::PalletId = frame_support::PalletId(*b"crc/escr");
}

impl Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type WorkloadOrigin = EnsureRoot<AccountId>;
	type Randomness = TestRandomness;
	type TreasuryAccount = Treasury;
	type PalletId = MarketPalletId;
	type MinProviderBond = MinBond;
	type UnbondingPeriod = ConstU64<10>;
	type MaxProviders = ConstU32<16>;
	type MaxDeviceClasses = ConstU32<4>;
	type MaxWorkloads = ConstU32<8>;
	type MaxReplicas = ConstU32<5>;
	type MaxAssignmentsPerProvider = ConstU32<8>;
	type MaxJobsPerAccount = ConstU32<16>;
	type MaxPendingJobs = ConstU32<32>;
	type MaxPendingPerAccount = ConstU32<8>;
	type MaxAssignPerBlock = ConstU32<4>;
	type CommitWindow = CommitWindow;
	type RevealWindow = RevealWindow;
	type MaxJobDuration = ConstU64<100>;
	type MaxAttempts = ConstU8<3>;
	type RewardPerUnit = RewardPerUnit;
	type MaxRewardPerBlock = MaxRewardPerBlock;
	type TreasuryCut = TreasuryCut;
	type SlashWrong = SlashWrong;
	type SlashNoShow = SlashNoShow;
	type RetentionPeriod = ConstU64<20>;
	type SubmissionFee = SubmissionFee;
	type DepositPerByte = DepositPerByte;
	type InputPricePerMiB = InputPricePerMiB;
	type OutputPricePerMiB = OutputPricePerMiB;
	type PublishWindow = PublishWindow;
	type ProgramDeposit = ProgramDeposit;
	type FailedRunShare = FailedRunShare;
	type MaxPrograms = ConstU32<3>;
	type Blobs = TestBlobs;
	type AuthorityId = TestAuthId;
	type WeightInfo = ();
}

/// The offchain worker's signer in tests: an sr25519 key whose account is the `u64` of its
/// first eight bytes (so tests keep their small numeric accounts).
#[derive(
	Clone, PartialEq, Eq, PartialOrd, Ord, Debug, Encode, codec::Decode, scale_info::TypeInfo,
)]
pub struct TestPublic(pub sr25519::Public);

impl sp_runtime::traits::IdentifyAccount for TestPublic {
	type AccountId = AccountId;
	fn into_account(self) -> AccountId {
		account_of_key(&self.0)
	}
}

impl From<sr25519::Public> for TestPublic {
	fn from(p: sr25519::Public) -> Self {
		TestPublic(p)
	}
}

impl From<TestPublic> for sr25519::Public {
	fn from(p: TestPublic) -> Self {
		p.0
	}
}

/// The account of a compute key in tests.
pub fn account_of_key(key: &sr25519::Public) -> AccountId {
	let mut b = [0u8; 8];
	b.copy_from_slice(&key.0[..8]);
	u64::from_le_bytes(b)
}

/// [`crate::offchain`]'s signer in tests.
pub struct TestAuthId;
impl frame_system::offchain::AppCrypto<TestPublic, sr25519::Signature> for TestAuthId {
	type RuntimeAppPublic = crypto::Public;
	type GenericPublic = sr25519::Public;
	type GenericSignature = sr25519::Signature;
}

impl frame_system::offchain::SigningTypes for Test {
	type Public = TestPublic;
	type Signature = sr25519::Signature;
}

/// Transactions the offchain worker builds in tests: signed by account, no extension.
pub type TestXt = frame_system::mocking::MockUncheckedExtrinsic<Test>;

impl<C> frame_system::offchain::CreateTransactionBase<C> for Test
where
	RuntimeCall: From<C>,
{
	type Extrinsic = TestXt;
	type RuntimeCall = RuntimeCall;
}

impl<C> frame_system::offchain::CreateSignedTransaction<C> for Test
where
	RuntimeCall: From<C>,
{
	fn create_signed_transaction<
		A: frame_system::offchain::AppCrypto<Self::Public, Self::Signature>,
	>(
		call: RuntimeCall,
		_public: TestPublic,
		account: AccountId,
		_nonce: u32,
	) -> Option<TestXt> {
		Some(TestXt::new_signed(call, account, (), ()))
	}
}

/// Workload 0: a hash search over `dims[0]` nonces, 1,000 nonces per unit.
pub fn hash_search_workload() -> WorkloadOf<Test> {
	Workload {
		name: BoundedVec::truncate_from(b"hash-search".to_vec()),
		kernel_hash: H256::repeat_byte(0x11),
		entry_point: BoundedVec::truncate_from(b"hash_search".to_vec()),
		schema: ParamSchema {
			dims: BoundedVec::truncate_from(vec![DimBound { min: 1, max: 1_000_000, power: 1 }]),
			needs_target: true,
			inputs: BoundedVec::new(),
		},
		verification: VerificationClass::OnChainCheck(OnChainCheckKind::HashSearch),
		unit_size: 1_000,
		max_work: 1_000_000,
		work_per_block: 100_000,
		price_floor: 1,
		max_units: 1_000,
		retired: false,
	}
}

/// Workload 1: a replicated, bit-exact matrix product over one dimension n (work n³, 4,096 =
/// 1 unit), quorum 2.
pub fn matmul_workload() -> WorkloadOf<Test> {
	Workload {
		name: BoundedVec::truncate_from(b"matmul-modp".to_vec()),
		kernel_hash: H256::repeat_byte(0x22),
		entry_point: BoundedVec::truncate_from(b"matmul".to_vec()),
		schema: ParamSchema {
			dims: BoundedVec::truncate_from(vec![DimBound { min: 1, max: 1024, power: 3 }]),
			needs_target: false,
			inputs: BoundedVec::new(),
		},
		verification: VerificationClass::Replicated { quorum: 2, bit_exact: true },
		unit_size: 4096,
		max_work: 1 << 28,
		work_per_block: 1 << 20,
		price_floor: 2,
		max_units: 1_000,
		retired: false,
	}
}

/// Workload 2: replicated but not bit-exact across devices, quorum 2.
pub fn render_workload() -> WorkloadOf<Test> {
	Workload {
		name: BoundedVec::truncate_from(b"render".to_vec()),
		kernel_hash: H256::repeat_byte(0x33),
		entry_point: BoundedVec::truncate_from(b"render".to_vec()),
		schema: ParamSchema {
			dims: BoundedVec::truncate_from(vec![
				DimBound { min: 1, max: 4096, power: 1 },
				DimBound { min: 1, max: 4096, power: 1 },
			]),
			needs_target: false,
			inputs: BoundedVec::new(),
		},
		verification: VerificationClass::Replicated { quorum: 2, bit_exact: false },
		unit_size: 65_536,
		max_work: 1 << 24,
		work_per_block: 1 << 22,
		price_floor: 1,
		max_units: 1_000,
		retired: false,
	}
}

/// A data workload (not registered at genesis): a prefix sum over one input of `dims[0]` u32
/// values (4 bytes an element), one unit = 1,024 values, quorum 2.
pub fn data_workload() -> WorkloadOf<Test> {
	Workload {
		name: BoundedVec::truncate_from(b"prefix-sum-data".to_vec()),
		kernel_hash: H256::repeat_byte(0x44),
		entry_point: BoundedVec::truncate_from(b"scan".to_vec()),
		schema: ParamSchema {
			dims: BoundedVec::truncate_from(vec![DimBound { min: 1, max: 1 << 26, power: 1 }]),
			needs_target: false,
			inputs: BoundedVec::truncate_from(vec![InputShape { elem_bytes: 4, power: 1 }]),
		},
		verification: VerificationClass::Replicated { quorum: 2, bit_exact: true },
		unit_size: 1024,
		max_work: 1 << 26,
		work_per_block: 1 << 22,
		price_floor: 1,
		max_units: 1 << 16,
		retired: false,
	}
}

pub const HASH_SEARCH: WorkloadId = 0;
pub const MATMUL: WorkloadId = 1;
pub const RENDER: WorkloadId = 2;

/// Build the test state: accounts 1..=20 and the treasury endowed, the three workloads
/// registered at genesis.
pub fn new_test_ext() -> sp_io::TestExternalities {
	BLOBS.with(|b| b.borrow_mut().clear());
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut balances: Vec<(AccountId, Balance)> = (1..=20).map(|a| (a, INITIAL)).collect();
	balances.push((TREASURY, ED));
	pallet_balances::GenesisConfig::<Test> { balances, ..Default::default() }
		.assimilate_storage(&mut t)
		.unwrap();
	pallet_compute_market::GenesisConfig::<Test> {
		workloads: vec![hash_search_workload(), matmul_workload(), render_workload()],
		providers: vec![],
	}
	.assimilate_storage(&mut t)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(t);
	// Benchmarks generate and use compute keys through the keystore.
	ext.register_extension(sp_keystore::KeystoreExt::new(
		sp_keystore::testing::MemoryKeystore::new(),
	));
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Run blocks up to `n`: `on_finalize` of the current block, then `on_initialize` and `on_idle`
/// (with the whole block's weight) of each next one.
pub fn run_to_block(n: u64) {
	while System::block_number() < n {
		let b = System::block_number();
		Market::on_finalize(b);
		System::on_finalize(b);
		System::set_block_number(b + 1);
		System::on_initialize(b + 1);
		Market::on_initialize(b + 1);
		Market::on_idle(b + 1, Weight::from_parts(u64::MAX, u64::MAX));
		if CheckTryState::get() {
			Market::do_try_state().expect("the market's invariants hold after every block");
		}
	}
}

/// The deterministic compute key pair of test account `who`.
pub fn compute_pair(who: AccountId) -> sr25519::Pair {
	let mut seed = [0u8; 32];
	seed[..8].copy_from_slice(&who.to_le_bytes());
	seed[31] = 0xc0;
	sr25519::Pair::from_seed(&seed)
}

/// The device class every test provider declares.
pub fn gpu_class() -> DeviceClass {
	BoundedVec::truncate_from(b"pocl/cpu/3.1".to_vec())
}

/// A second device class, for non-bit-exact workloads.
pub fn other_class() -> DeviceClass {
	BoundedVec::truncate_from(b"nvidia/h100/550".to_vec())
}

/// Register `who` as a provider with `bond`, its compute key and both device classes.
pub fn register(who: AccountId, bond: Balance) {
	frame_support::assert_ok!(Market::register_provider(
		RuntimeOrigin::signed(who),
		bond,
		crypto::Public::from(compute_pair(who).public()),
		BoundedVec::truncate_from(vec![gpu_class(), other_class()]),
	));
}

/// Salt used by test providers: distinct per provider and job.
pub fn salt_of(who: AccountId, job: JobId) -> [u8; 32] {
	sp_io::hashing::blake2_256(&(who, job, b"salt").encode())
}

/// Commit `digest` with `small_output` for `who` on `job`.
pub fn commit(
	who: AccountId,
	job: JobId,
	digest: H256,
	small_output: &[u8],
) -> frame_support::dispatch::DispatchResult {
	let c = Market::commitment_of(job, &digest, small_output, &salt_of(who, job), &who);
	Market::commit_result(RuntimeOrigin::signed(who), job, c)
}

/// A valid attestation by `who` for `digest` and `small_output` on `job`, on device class
/// `class`.
pub fn attest(
	who: AccountId,
	job: JobId,
	digest: H256,
	small_output: &[u8],
	class: DeviceClass,
) -> Attestation {
	let kernel_hash = crate::Jobs::<Test>::get(job).map(|j| j.kernel_hash).unwrap_or_default();
	let msg = Market::attestation_message(job, kernel_hash, digest, small_output, 7, &class);
	Attestation {
		worker_version: 7,
		device_class: class,
		signature: crypto::Signature::from(compute_pair(who).sign(&msg)),
	}
}

/// Reveal `digest` with `small_output` for `who` on `job`, attested on `class`.
pub fn reveal_on(
	who: AccountId,
	job: JobId,
	digest: H256,
	small_output: Vec<u8>,
	class: DeviceClass,
) -> frame_support::dispatch::DispatchResultWithPostInfo {
	let attestation = attest(who, job, digest, &small_output, class);
	Market::reveal_result(
		RuntimeOrigin::signed(who),
		job,
		digest,
		salt_of(who, job),
		BoundedVec::truncate_from(small_output),
		attestation,
	)
}

/// Reveal on the default device class.
pub fn reveal(
	who: AccountId,
	job: JobId,
	digest: H256,
	small_output: Vec<u8>,
) -> frame_support::dispatch::DispatchResultWithPostInfo {
	reveal_on(who, job, digest, small_output, gpu_class())
}

/// Parameters of a job over `dims` with a seed and no target.
pub fn params(dims: Vec<u32>) -> JobParams {
	JobParams {
		seed: [7u8; 32],
		dims: BoundedVec::truncate_from(dims),
		target: None,
		inputs: BoundedVec::new(),
		publish_output: false,
	}
}

/// Solve a hash search by brute force: the smallest nonce below `range` whose hash is below
/// `target`, as the worker's canonical small output (`nonce_le ‖ hash`) and its digest.
pub fn solve_hash_search(seed: [u8; 32], range: u32, target: [u8; 32]) -> Option<(Vec<u8>, H256)> {
	(0..range as u64).find_map(|nonce| {
		let mut pre = seed.to_vec();
		pre.extend_from_slice(&nonce.to_le_bytes());
		let hash = sp_io::hashing::blake2_256(&pre);
		(hash < target).then(|| {
			let mut out = nonce.to_le_bytes().to_vec();
			out.extend_from_slice(&hash);
			let digest = H256(sp_io::hashing::blake2_256(&out));
			(out, digest)
		})
	})
}

/// Events of the market pallet since the last call, oldest first.
pub fn market_events() -> Vec<Event<Test>> {
	let evs = System::events()
		.into_iter()
		.filter_map(|r| if let RuntimeEvent::Market(e) = r.event { Some(e) } else { None })
		.collect();
	System::reset_events();
	evs
}
