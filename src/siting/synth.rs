//! Synthetic city-like siting instances for benchmarks and tests: demand points clustered
//! around neighbourhood centres in a square, candidate sites scattered the same way, and a
//! sparse reach table of pairs within a walking distance (straight line × a detour factor,
//! at 60 m/min).

use crate::reach_table::ReachTable;
use crate::rng::SplitMix64;

use super::SitingProblem;

/// Shape of a synthetic city.
#[derive(Debug, Clone)]
pub struct CitySpec {
    pub n_demand: usize,
    pub n_existing: usize,
    pub n_candidates: usize,
    /// Side of the square, metres.
    pub side_m: f64,
    /// Walking distance within which a site reaches a demand, metres.
    pub reach_m: f64,
    pub seed: u64,
}

impl Default for CitySpec {
    fn default() -> Self {
        CitySpec {
            n_demand: 10_000,
            n_existing: 0,
            n_candidates: 50_000,
            side_m: 20_000.0,
            reach_m: 900.0,
            seed: 42,
        }
    }
}

const SPEED_M_PER_MIN: f64 = 60.0;
const DETOUR: f64 = 1.25;

fn clustered(rng: &mut SplitMix64, centres: &[(f64, f64, f64)], side: f64) -> (f64, f64) {
    if rng.next_f64() < 0.2 {
        return (rng.range(0.0, side), rng.range(0.0, side));
    }
    let (cx, cy, s) = centres[rng.below(centres.len())];
    let x = (cx + s * rng.normal()).clamp(0.0, side);
    let y = (cy + s * rng.normal()).clamp(0.0, side);
    (x, y)
}

/// Builds the instance: weights are elderly counts (20–600), candidate costs 1–3, capacities
/// 200–2000 people (existing facilities included).
pub fn synthetic_city(spec: &CitySpec) -> SitingProblem {
    let mut rng = SplitMix64::new(spec.seed);
    let side = spec.side_m.max(1.0);
    let n_centres = ((side / 2000.0).powi(2) as usize).clamp(1, 400);
    let centres: Vec<(f64, f64, f64)> = (0..n_centres)
        .map(|_| {
            (
                rng.range(0.0, side),
                rng.range(0.0, side),
                rng.range(400.0, 1500.0),
            )
        })
        .collect();
    let demand: Vec<(f64, f64)> = (0..spec.n_demand)
        .map(|_| clustered(&mut rng, &centres, side))
        .collect();
    let weights: Vec<f64> = (0..spec.n_demand)
        .map(|_| (20.0 + 580.0 * rng.next_f64().powi(2)).round())
        .collect();
    let n_sites = spec.n_existing + spec.n_candidates;
    let sites: Vec<(f64, f64)> = (0..n_sites)
        .map(|_| clustered(&mut rng, &centres, side))
        .collect();
    let costs: Vec<f64> = (0..spec.n_candidates)
        .map(|_| (1 + rng.below(3)) as f64)
        .collect();
    let capacities: Vec<f64> = (0..n_sites)
        .map(|_| (200 + 100 * rng.below(19)) as f64)
        .collect();
    // Grid of demands, cell = reach radius.
    let straight = spec.reach_m / DETOUR;
    let cell = straight.max(1.0);
    let cols = (side / cell).ceil() as usize + 1;
    let mut grid: Vec<Vec<u32>> = vec![Vec::new(); cols * cols];
    let at = |v: f64| ((v / cell) as usize).min(cols - 1);
    for (i, &(x, y)) in demand.iter().enumerate() {
        grid[at(y) * cols + at(x)].push(i as u32);
    }
    let mut triplets = Vec::new();
    for (s, &(x, y)) in sites.iter().enumerate() {
        let (gx, gy) = (at(x), at(y));
        for cy in gy.saturating_sub(1)..=(gy + 1).min(cols - 1) {
            for cx in gx.saturating_sub(1)..=(gx + 1).min(cols - 1) {
                for &i in &grid[cy * cols + cx] {
                    let (dx, dy) = (demand[i as usize].0 - x, demand[i as usize].1 - y);
                    let d = (dx * dx + dy * dy).sqrt();
                    if d <= straight {
                        triplets.push((i, s as u32, d * DETOUR / SPEED_M_PER_MIN));
                    }
                }
            }
        }
    }
    let limit = spec.reach_m / SPEED_M_PER_MIN;
    SitingProblem {
        weights,
        reach: ReachTable::from_triplets(spec.n_demand, n_sites, limit, triplets),
        n_existing: spec.n_existing,
        costs: Some(costs),
        capacities: Some(capacities),
        full: None,
    }
}
