//! Step 2: providers — bonds held under `ProviderBond`, compute keys, device classes, status,
//! reputation, leaving, and the candidate list the assignment draw reads.

use crate::{pallet::*, types::*};
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{
		fungible::{InspectHold, MutateHold},
		tokens::{Fortitude, Precision, Restriction},
	},
};
use sp_runtime::{
	traits::{Saturating, UniqueSaturatedInto, Zero},
	Perbill,
};

impl<T: Config> Pallet<T> {
	/// Register `who` as a provider.
	pub fn do_register_provider(
		who: T::AccountId,
		bond: BalanceOf<T>,
		compute_key: crate::crypto::Public,
		device_classes: BoundedVec<DeviceClass, T::MaxDeviceClasses>,
	) -> DispatchResult {
		ensure!(!Providers::<T>::contains_key(&who), Error::<T>::AlreadyProvider);
		ensure!(bond >= T::MinProviderBond::get(), Error::<T>::BondTooLow);
		ensure!(Providers::<T>::count() < T::MaxProviders::get(), Error::<T>::TooManyProviders);
		Self::ensure_device_classes(&device_classes)?;
		T::Currency::hold(&HoldReason::ProviderBond.into(), &who, bond)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
		let info = ProviderInfo {
			bond,
			compute_key,
			device_classes: device_classes.clone(),
			status: ProviderStatus::Active,
			reputation: INITIAL_REPUTATION,
			open_assignments: 0,
			declared_at: BoundedVec::truncate_from(
				device_classes
					.iter()
					.map(|_| frame_system::Pallet::<T>::block_number())
					.collect(),
			),
		};
		Self::set_candidate(&who, Some(Self::draw_weight(&info)));
		Providers::<T>::insert(&who, info);
		Self::deposit_event(Event::ProviderRegistered { provider: who, bond });
		Ok(())
	}

	/// At least one device class, each non-empty and distinct.
	fn ensure_device_classes(classes: &[DeviceClass]) -> DispatchResult {
		ensure!(!classes.is_empty(), Error::<T>::InvalidDeviceClasses);
		for (i, d) in classes.iter().enumerate() {
			ensure!(!d.is_empty(), Error::<T>::InvalidDeviceClasses);
			ensure!(!classes[..i].contains(d), Error::<T>::InvalidDeviceClasses);
		}
		Ok(())
	}

	/// Replace a provider's declared device classes (its hardware changed). Reveals attest one
	/// of them; those already revealed keep the class they named, and on workloads that are not
	/// bit-exact, jobs assigned before the change cannot be revealed with the new classes.
	pub fn do_set_device_classes(
		who: T::AccountId,
		device_classes: BoundedVec<DeviceClass, T::MaxDeviceClasses>,
	) -> DispatchResult {
		Self::ensure_device_classes(&device_classes)?;
		Providers::<T>::try_mutate(&who, |info| -> DispatchResult {
			let info = info.as_mut().ok_or(Error::<T>::NotProvider)?;
			// A class declared before keeps its declaration block; a new one starts now.
			let now = frame_system::Pallet::<T>::block_number();
			let since = |c: &DeviceClass| {
				info.device_classes
					.iter()
					.position(|d| d == c)
					.and_then(|i| info.declared_at.get(i).copied())
					.unwrap_or(now)
			};
			info.declared_at =
				BoundedVec::truncate_from(device_classes.iter().map(since).collect());
			info.device_classes = device_classes.clone();
			Ok(())
		})?;
		Self::deposit_event(Event::DeviceClassesSet { provider: who, device_classes });
		Ok(())
	}

	/// Add to a provider's bond.
	pub fn do_bond_more(who: T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::BondTooLow);
		let mut info = Providers::<T>::get(&who).ok_or(Error::<T>::NotProvider)?;
		ensure!(!matches!(info.status, ProviderStatus::Leaving { .. }), Error::<T>::AlreadyLeaving);
		T::Currency::hold(&HoldReason::ProviderBond.into(), &who, amount)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
		info.bond = info.bond.saturating_add(amount);
		let reactivated =
			info.status == ProviderStatus::Suspended && info.bond >= T::MinProviderBond::get();
		if reactivated {
			info.status = ProviderStatus::Active;
		}
		if info.status == ProviderStatus::Active {
			Self::set_candidate(&who, Some(Self::draw_weight(&info)));
		}
		let bond = info.bond;
		Providers::<T>::insert(&who, info);
		Self::deposit_event(Event::BondIncreased { provider: who.clone(), amount, bond });
		if reactivated {
			Self::deposit_event(Event::ProviderReactivated { provider: who });
		}
		Ok(())
	}

	/// Start leaving.
	pub fn do_unbond(who: T::AccountId) -> DispatchResult {
		let unlock_at =
			frame_system::Pallet::<T>::block_number().saturating_add(T::UnbondingPeriod::get());
		Providers::<T>::try_mutate(&who, |maybe| -> DispatchResult {
			let info = maybe.as_mut().ok_or(Error::<T>::NotProvider)?;
			ensure!(
				!matches!(info.status, ProviderStatus::Leaving { .. }),
				Error::<T>::AlreadyLeaving
			);
			info.status = ProviderStatus::Leaving { unlock_at };
			Ok(())
		})?;
		Self::set_candidate(&who, None);
		Self::deposit_event(Event::ProviderLeaving { provider: who, unlock_at });
		Ok(())
	}

	/// Leave, releasing the bond.
	pub fn do_withdraw_bond(who: T::AccountId) -> DispatchResult {
		let info = Providers::<T>::get(&who).ok_or(Error::<T>::NotProvider)?;
		let ProviderStatus::Leaving { unlock_at } = info.status else {
			return Err(Error::<T>::NotLeaving.into());
		};
		ensure!(frame_system::Pallet::<T>::block_number() >= unlock_at, Error::<T>::StillUnbonding);
		ensure!(info.open_assignments == 0, Error::<T>::HasOpenAssignments);
		let released = Self::remove_provider(&who)?;
		Self::deposit_event(Event::ProviderLeft { provider: who, released });
		Ok(())
	}

	/// Remove a provider without open assignments and release its bond: any provider by
	/// governance, a suspended one by anyone.
	pub fn do_evict_provider(who: T::AccountId, by_governance: bool) -> DispatchResult {
		let info = Providers::<T>::get(&who).ok_or(Error::<T>::NotProvider)?;
		ensure!(
			info.open_assignments == 0
				&& (by_governance || info.status == ProviderStatus::Suspended),
			Error::<T>::NotEvictable
		);
		let released = Self::remove_provider(&who)?;
		Self::deposit_event(Event::ProviderRemoved { provider: who, released });
		Ok(())
	}

	/// Release `who`'s whole bond and forget the provider (registration, candidacy, job index);
	/// the caller has checked that it has no open assignment. Returns what was released.
	fn remove_provider(who: &T::AccountId) -> Result<BalanceOf<T>, DispatchError> {
		let held = T::Currency::balance_on_hold(&HoldReason::ProviderBond.into(), who);
		let released = T::Currency::release(
			&HoldReason::ProviderBond.into(),
			who,
			held,
			Precision::BestEffort,
		)?;
		Self::set_candidate(who, None);
		Self::clear_program_limit(who);
		Providers::<T>::remove(who);
		ProviderJobs::<T>::remove(who);
		Ok(released)
	}

	/// A provider's weight in the assignment draw: its bond in units of the minimum bond
	/// (capped at 1,000) times its reputation plus one.
	pub fn draw_weight(info: &ProviderInfoOf<T>) -> u128 {
		let min: u128 = T::MinProviderBond::get().unique_saturated_into();
		let bond: u128 = info.bond.unique_saturated_into();
		let stake = bond.checked_div(min).map_or(1_000, |s| s.clamp(1, 1_000));
		stake.saturating_mul(info.reputation as u128 + 1)
	}

	/// Put `who` into the candidate list with `weight`, update it, or (with `None`) take it out.
	pub(crate) fn set_candidate(who: &T::AccountId, weight: Option<u128>) {
		Candidates::<T>::mutate(|c| {
			let pos = c.iter().position(|(a, _)| a == who);
			match (pos, weight) {
				(Some(i), Some(w)) => c[i].1 = w,
				(Some(i), None) => {
					c.swap_remove(i);
				},
				(None, Some(w)) => {
					// The list has room for every provider (`MaxProviders`), so this only fails
					// if the bound was lowered below the number registered; the provider then
					// simply is not drawn.
					let _ = c.try_push((who.clone(), w));
				},
				(None, None) => {},
			}
		});
	}

	/// Slash `fraction` of `who`'s bond into the treasury. Returns the amount slashed.
	/// Suspends the provider if its bond falls below the minimum.
	pub(crate) fn slash_provider(
		job: JobId,
		who: &T::AccountId,
		info: &mut ProviderInfoOf<T>,
		fraction: Perbill,
		reason: SlashReason,
	) -> BalanceOf<T> {
		let want = fraction * info.bond;
		if want.is_zero() {
			return Zero::zero();
		}
		let slashed = T::Currency::transfer_on_hold(
			&HoldReason::ProviderBond.into(),
			who,
			&T::TreasuryAccount::get(),
			want,
			Precision::BestEffort,
			Restriction::Free,
			Fortitude::Force,
		)
		.unwrap_or_else(|e| {
			log::warn!(target: crate::LOG_TARGET, "slash of {who:?} failed: {e:?}");
			Zero::zero()
		});
		info.bond = info.bond.saturating_sub(slashed);
		Stats::<T>::mutate(|s| s.slashed = s.slashed.saturating_add(slashed));
		Self::deposit_event(Event::ProviderSlashed {
			job,
			provider: who.clone(),
			amount: slashed,
			reason,
		});
		if info.status == ProviderStatus::Active && info.bond < T::MinProviderBond::get() {
			info.status = ProviderStatus::Suspended;
			Self::deposit_event(Event::ProviderSuspended { provider: who.clone() });
		}
		slashed
	}
}
