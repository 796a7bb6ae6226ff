use super::*;
use frame_support::{assert_noop, assert_ok, BoundedVec};
use sp_core::Pair;

#[test]
fn register_holds_the_bond_and_makes_a_candidate() {
	new_test_ext().execute_with(|| {
		register(1, 150);
		assert_eq!(bond_of(1), 150);
		assert_eq!(Balances::free_balance(1), INITIAL - 150);
		let p = Providers::<Test>::get(1).unwrap();
		assert_eq!(p.status, ProviderStatus::Active);
		assert_eq!(p.reputation, INITIAL_REPUTATION);
		assert_eq!(Candidates::<Test>::get().len(), 1);
		assert_eq!(Market::stats().providers, 1);
	});
}

#[test]
fn bad_registrations_are_refused_and_change_nothing() {
	new_test_ext().execute_with(|| {
		let key = crypto::Public::from(compute_pair(1).public());
		let classes = BoundedVec::truncate_from(vec![gpu_class()]);
		assert_noop!(
			Market::register_provider(RuntimeOrigin::signed(1), 99, key.clone(), classes.clone()),
			Error::<Test>::BondTooLow
		);
		assert_noop!(
			Market::register_provider(
				RuntimeOrigin::signed(1),
				100,
				key.clone(),
				BoundedVec::new()
			),
			Error::<Test>::InvalidDeviceClasses
		);
		assert_noop!(
			Market::register_provider(
				RuntimeOrigin::signed(1),
				100,
				key.clone(),
				BoundedVec::truncate_from(vec![gpu_class(), gpu_class()])
			),
			Error::<Test>::InvalidDeviceClasses
		);
		assert_noop!(
			Market::register_provider(
				RuntimeOrigin::signed(1),
				100,
				key.clone(),
				BoundedVec::truncate_from(vec![BoundedVec::new()])
			),
			Error::<Test>::InvalidDeviceClasses
		);
		assert_noop!(
			Market::register_provider(
				RuntimeOrigin::signed(1),
				INITIAL * 2,
				key.clone(),
				classes.clone()
			),
			Error::<Test>::InsufficientBalance
		);
		register(1, 100);
		assert_noop!(
			Market::register_provider(RuntimeOrigin::signed(1), 100, key, classes),
			Error::<Test>::AlreadyProvider
		);
	});
}

#[test]
fn providers_are_bounded() {
	new_test_ext().execute_with(|| {
		for who in 1..=16 {
			register(who, 100);
		}
		assert_noop!(
			Market::register_provider(
				RuntimeOrigin::signed(17),
				100,
				crypto::Public::from(compute_pair(17).public()),
				BoundedVec::truncate_from(vec![gpu_class()])
			),
			Error::<Test>::TooManyProviders
		);
	});
}

#[test]
fn bond_more_adds_and_reactivates() {
	new_test_ext().execute_with(|| {
		assert_noop!(Market::bond_more(RuntimeOrigin::signed(1), 10), Error::<Test>::NotProvider);
		register(1, 100);
		assert_noop!(Market::bond_more(RuntimeOrigin::signed(1), 0), Error::<Test>::BondTooLow);
		assert_ok!(Market::bond_more(RuntimeOrigin::signed(1), 50));
		assert_eq!(bond_of(1), 150);
		assert_eq!(Providers::<Test>::get(1).unwrap().bond, 150);
		// Suspended providers come back once the bond reaches the minimum again.
		Providers::<Test>::mutate(1, |p| {
			let p = p.as_mut().unwrap();
			p.status = ProviderStatus::Suspended;
			p.bond = 60;
		});
		Market::set_candidate(&1, None);
		assert_ok!(Market::bond_more(RuntimeOrigin::signed(1), 40));
		assert_eq!(Providers::<Test>::get(1).unwrap().status, ProviderStatus::Active);
		assert_eq!(Candidates::<Test>::get().len(), 1);
		assert!(market_events().contains(&Event::ProviderReactivated { provider: 1 }));
	});
}

#[test]
fn leaving_takes_the_unbonding_period_and_no_open_assignments() {
	new_test_ext().execute_with(|| {
		register(1, 100);
		assert_noop!(Market::withdraw_bond(RuntimeOrigin::signed(1)), Error::<Test>::NotLeaving);
		assert_ok!(Market::unbond(RuntimeOrigin::signed(1)));
		assert_noop!(Market::unbond(RuntimeOrigin::signed(1)), Error::<Test>::AlreadyLeaving);
		assert_noop!(Market::bond_more(RuntimeOrigin::signed(1), 1), Error::<Test>::AlreadyLeaving);
		assert!(Candidates::<Test>::get().is_empty());
		assert_noop!(
			Market::withdraw_bond(RuntimeOrigin::signed(1)),
			Error::<Test>::StillUnbonding
		);
		run_to_block(11);
		Providers::<Test>::mutate(1, |p| p.as_mut().unwrap().open_assignments = 1);
		assert_noop!(
			Market::withdraw_bond(RuntimeOrigin::signed(1)),
			Error::<Test>::HasOpenAssignments
		);
		Providers::<Test>::mutate(1, |p| p.as_mut().unwrap().open_assignments = 0);
		assert_ok!(Market::withdraw_bond(RuntimeOrigin::signed(1)));
		assert_eq!(bond_of(1), 0);
		assert_eq!(Balances::free_balance(1), INITIAL);
		assert!(Providers::<Test>::get(1).is_none());
		assert_eq!(Market::stats().providers, 0);
	});
}

#[test]
fn draw_weight_grows_with_bond_and_reputation() {
	new_test_ext().execute_with(|| {
		register(1, 100);
		register(2, 300);
		let w1 = Market::draw_weight(&Providers::<Test>::get(1).unwrap());
		let w2 = Market::draw_weight(&Providers::<Test>::get(2).unwrap());
		assert_eq!(w2, 3 * w1);
		Providers::<Test>::mutate(1, |p| p.as_mut().unwrap().reputation = 0);
		assert_eq!(Market::draw_weight(&Providers::<Test>::get(1).unwrap()), 1);
	});
}
