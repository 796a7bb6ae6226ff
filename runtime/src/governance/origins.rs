//! The origins that referenda tracks dispatch with, besides `Root`.
//!
//! A referendum on the `market_admin` track, once approved, dispatches its call with the
//! [`Origin::MarketAdmin`] origin; the compute market's workload registry and the market's
//! parameters accept it (see `configs::market`). A referendum on the `treasurer` track
//! dispatches with [`Origin::Treasurer`], which may spend from the treasury up to
//! [`TREASURER_MAX_SPEND`].

pub use pallet_custom_origins::*;

/// The most one `treasurer` referendum may spend: ten thousand CRU.
pub const TREASURER_MAX_SPEND: crate::Balance = 10_000 * crate::currency::UNITS;

#[frame_support::pallet]
pub mod pallet_custom_origins {
	use frame_support::pallet_prelude::*;

	#[pallet::config]
	pub trait Config: frame_system::Config {}

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	/// The custom origins of Crucible's governance.
	#[derive(
		PartialEq, Eq, Clone, MaxEncodedLen, Encode, Decode, DecodeWithMemTracking, TypeInfo, Debug,
	)]
	#[pallet::origin]
	pub enum Origin {
		/// Token holders, through a referendum on the `market_admin` track: may change the
		/// compute market's parameters and its workload registry.
		MarketAdmin,
		/// Token holders, through a referendum on the `treasurer` track: may spend from the
		/// treasury up to `TREASURER_MAX_SPEND` per spend.
		Treasurer,
	}

	/// An `EnsureOrigin` that accepts exactly one variant of [`Origin`].
	macro_rules! decl_unit_ensures {
		( $name:ident: $success_type:ty = $success:expr ) => {
			#[doc = concat!("Accepts only [`Origin::", stringify!($name), "`].")]
			pub struct $name;
			impl<O: OriginTrait + From<Origin>> EnsureOrigin<O> for $name
			where
				for<'a> &'a O::PalletsOrigin: TryInto<&'a Origin>,
			{
				type Success = $success_type;
				fn try_origin(o: O) -> Result<Self::Success, O> {
					match o.caller().try_into() {
						Ok(Origin::$name) => return Ok($success),
						_ => (),
					}
					Err(o)
				}
				#[cfg(feature = "runtime-benchmarks")]
				fn try_successful_origin() -> Result<O, ()> {
					Ok(O::from(Origin::$name))
				}
			}
		};
	}
	decl_unit_ensures!(MarketAdmin: () = ());
	decl_unit_ensures!(Treasurer: crate::Balance = super::TREASURER_MAX_SPEND);
}
