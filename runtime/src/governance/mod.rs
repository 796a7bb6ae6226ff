//! Crucible's governance: who may change what, and through which door.
//!
//! * The **Council** (`pallet-collective`, members managed by `pallet-membership`) decides
//!   by motion. Two thirds of the council may change the compute market's parameters and
//!   workload registry, reject treasury spends and manage council membership; three quarters
//!   may run staking's admin calls.
//! * **Token holders** decide by referendum (`pallet-referenda` with
//!   `pallet-conviction-voting`) on one of the [`tracks`]: `root` (anything), `market_admin`
//!   (the market's parameters and workloads, dispatched with [`origins::Origin::MarketAdmin`])
//!   and `treasurer` (treasury spends, [`origins::Origin::Treasurer`]).
//! * The market's parameters live in `pallet-parameters` (`configs::market::dynamic_params`);
//!   the compute market's `Config` reads them on every use, so a change applies from the next
//!   block.
//! * `sudo` exists only on the development chain (its genesis is the only one with a key).

pub mod origins;
pub mod tracks;

use crate::{configs::governance::CouncilCollective, AccountId};
use frame_support::traits::EitherOfDiverse;
use frame_system::EnsureRoot;
use pallet_collective::EnsureProportionAtLeast;

/// Root, or at least two thirds of the council.
pub type RootOrTwoThirdsCouncil = EitherOfDiverse<
	EnsureRoot<AccountId>,
	EnsureProportionAtLeast<AccountId, CouncilCollective, 2, 3>,
>;
/// Root, or at least three quarters of the council.
pub type RootOrThreeQuartersCouncil = EitherOfDiverse<
	EnsureRoot<AccountId>,
	EnsureProportionAtLeast<AccountId, CouncilCollective, 3, 4>,
>;
/// Who may change the compute market: root, two thirds of the council, or a `market_admin`
/// referendum.
pub type MarketAdminOrigin = EitherOfDiverse<RootOrTwoThirdsCouncil, origins::MarketAdmin>;
