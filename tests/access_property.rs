//! Properties of the 2SFCA family on random demand × facility tables.

use carecircle::access::{two_step, Decay};
use carecircle::reach_table::ReachTable;
use proptest::prelude::*;

/// Demand weights, capacities, (demand, site, minutes) triplets and the decay choice.
type Instance = (Vec<f64>, Vec<f64>, Vec<(u32, u32, f64)>, u8);

fn instance() -> impl Strategy<Value = Instance> {
    (1usize..12, 1usize..8).prop_flat_map(|(nd, ns)| {
        (
            prop::collection::vec(0.0f64..500.0, nd),
            prop::collection::vec(0.5f64..50.0, ns),
            prop::collection::vec((0..nd as u32, 0..ns as u32, 0.0f64..20.0), 0..40),
            0u8..3,
        )
    })
}

fn decay(which: u8) -> Decay {
    match which {
        0 => Decay::Uniform,
        1 => Decay::luo_qi(15.0),
        _ => Decay::Gaussian,
    }
}

proptest! {
    #[test]
    fn doubling_every_capacity_doubles_every_accessibility(
        (demand, supply, triplets, which) in instance()
    ) {
        let t = ReachTable::from_triplets(demand.len(), supply.len(), 20.0, triplets);
        let d = decay(which);
        let once = two_step(&demand, &supply, &t, &d, 15.0);
        let doubled: Vec<f64> = supply.iter().map(|s| 2.0 * s).collect();
        let twice = two_step(&demand, &doubled, &t, &d, 15.0);
        for (a, b) in once.access.iter().zip(&twice.access) {
            prop_assert!((2.0 * a - b).abs() <= 1e-9 * b.abs().max(1.0), "{a} {b}");
        }
        for (a, b) in once.ratio.iter().zip(&twice.ratio) {
            match (a, b) {
                (Some(a), Some(b)) => prop_assert!((2.0 * a - b).abs() <= 1e-9 * b.abs().max(1.0)),
                (None, None) => {}
                _ => prop_assert!(false, "ratio defined in one run only"),
            }
        }
        // Crowdedness halves: the same elderly share twice the places.
        for (a, b) in once.crowdedness.iter().zip(&twice.crowdedness) {
            if let (Some(a), Some(b)) = (a, b) {
                prop_assert!((a - 2.0 * b).abs() <= 1e-9 * a.abs().max(1.0));
            }
        }
    }

    #[test]
    fn supply_is_shared_out_never_created(
        (demand, supply, triplets, which) in instance()
    ) {
        let t = ReachTable::from_triplets(demand.len(), supply.len(), 20.0, triplets);
        let a = two_step(&demand, &supply, &t, &decay(which), 15.0);
        let shared: f64 = demand.iter().zip(&a.access).map(|(p, a)| p * a).sum();
        let reached: f64 = supply
            .iter()
            .zip(&a.ratio)
            .filter(|(_, r)| r.is_some())
            .map(|(s, _)| s)
            .sum();
        prop_assert!((shared - reached).abs() <= 1e-9 * reached.max(1.0), "{shared} {reached}");
    }
}
