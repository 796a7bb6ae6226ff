//! The referenda tracks: what each kind of proposal must pass, and how long it takes.
//!
//! Durations are in blocks of 3 s and sized for Crucible's development and local test
//! networks, where a proposal should pass within minutes so that it can be tried (and
//! end-to-end tested) by hand; a public network would lengthen them. The fastest a referendum
//! can be enacted is `prepare_period + confirm_period + min_enactment_period` after its
//! submission, once the decision deposit is placed and the approval and support curves are met.
//!
//! | track | origin | max deciding | decision deposit | prepare | decide (max) | confirm | enact (min) | fastest |
//! | --- | --- | --- | --- | --- | --- | --- | --- | --- |
//! | 0 `root` | `Root` | 1 | 10,000 CRU | 10 (30 s) | 400 (20 min) | 20 (1 min) | 10 (30 s) | 2 min |
//! | 1 `market_admin` | `MarketAdmin` | 10 | 1,000 CRU | 5 (15 s) | 200 (10 min) | 5 (15 s) | 2 (6 s) | 36 s |
//! | 2 `treasurer` | `Treasurer` | 10 | 1,000 CRU | 10 (30 s) | 200 (10 min) | 10 (30 s) | 10 (30 s) | 1.5 min |
//!
//! Approval (conviction-weighted ayes over all votes) falls linearly over the decision period
//! from 100% to 50% on every track. Support (aye capital over total issuance) falls linearly
//! from 50% to 10% for `root`, and from 5% to 0.5% for `market_admin` and `treasurer`, so a
//! well-supported change passes at once and a sparsely voted one only late in its period.

use crate::{currency::UNITS, Balance, BlockNumber, OriginCaller};
use alloc::borrow::Cow;
use pallet_referenda::{Curve, Track, TrackInfo};
use sp_runtime::{str_array as name, Perbill};

const fn percent(x: u32) -> Perbill {
	Perbill::from_percent(x)
}

/// Approval needed on every track: 100% at the start of the decision period, 50% at its end.
const APPROVAL: Curve =
	Curve::LinearDecreasing { length: percent(100), floor: percent(50), ceil: percent(100) };
/// Support needed on `root`: 50% of issuance at the start, 10% at the end.
const ROOT_SUPPORT: Curve =
	Curve::LinearDecreasing { length: percent(100), floor: percent(10), ceil: percent(50) };
/// Support needed on `market_admin` and `treasurer`: 5% of issuance at the start, 0.5% at the end.
const MARKET_SUPPORT: Curve = Curve::LinearDecreasing {
	length: percent(100),
	floor: Perbill::from_parts(5_000_000),
	ceil: percent(5),
};

/// The track ids.
pub mod ids {
	/// `Root` referenda: anything, runtime upgrades included.
	pub const ROOT: u16 = 0;
	/// The compute market's parameters and workload registry.
	pub const MARKET_ADMIN: u16 = 1;
	/// Treasury spends up to `TREASURER_MAX_SPEND`.
	pub const TREASURER: u16 = 2;
}

const TRACKS: [Track<u16, Balance, BlockNumber>; 3] = [
	Track {
		id: ids::ROOT,
		info: TrackInfo {
			name: name("root"),
			max_deciding: 1,
			decision_deposit: 10_000 * UNITS,
			prepare_period: 10,
			decision_period: 400,
			confirm_period: 20,
			min_enactment_period: 10,
			min_approval: APPROVAL,
			min_support: ROOT_SUPPORT,
		},
	},
	Track {
		id: ids::MARKET_ADMIN,
		info: TrackInfo {
			name: name("market_admin"),
			max_deciding: 10,
			decision_deposit: 1_000 * UNITS,
			prepare_period: 5,
			decision_period: 200,
			confirm_period: 5,
			min_enactment_period: 2,
			min_approval: APPROVAL,
			min_support: MARKET_SUPPORT,
		},
	},
	Track {
		id: ids::TREASURER,
		info: TrackInfo {
			name: name("treasurer"),
			max_deciding: 10,
			decision_deposit: 1_000 * UNITS,
			prepare_period: 10,
			decision_period: 200,
			confirm_period: 10,
			min_enactment_period: 10,
			min_approval: APPROVAL,
			min_support: MARKET_SUPPORT,
		},
	},
];

/// Crucible's tracks, for `pallet_referenda::Config::Tracks`.
pub struct TracksInfo;
impl pallet_referenda::TracksInfo<Balance, BlockNumber> for TracksInfo {
	type Id = u16;
	type RuntimeOrigin =
		<crate::RuntimeOrigin as frame_support::traits::OriginTrait>::PalletsOrigin;

	fn tracks() -> impl Iterator<Item = Cow<'static, Track<Self::Id, Balance, BlockNumber>>> {
		TRACKS.iter().map(Cow::Borrowed)
	}

	fn track_for(origin: &Self::RuntimeOrigin) -> Result<Self::Id, ()> {
		use super::origins::Origin;
		match origin {
			OriginCaller::system(frame_system::RawOrigin::Root) => Ok(ids::ROOT),
			OriginCaller::Origins(Origin::MarketAdmin) => Ok(ids::MARKET_ADMIN),
			OriginCaller::Origins(Origin::Treasurer) => Ok(ids::TREASURER),
			_ => Err(()),
		}
	}
}
