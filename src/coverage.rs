//! The coverage audit: for every community and facility kind, the nearest facility over the
//! network and its minutes, covered or not; totals per street and for the district.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;

use crate::io::scenario::Target;
use crate::model::FacilityKind;
use crate::network::{nearest_sources, Direction, SearchSpace};
use crate::reach_table::ReachTable;
use crate::study::Study;

/// "Within the limit" allows this much slack (minutes), as DESIGN.md says.
pub const WITHIN_EPS: f64 = 1e-9;

/// The nearest facility of a kind for one community.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nearest {
    /// Index into `study.layers.facilities`.
    pub facility: usize,
    pub minutes: f64,
}

/// Coverage of one facility kind.
#[derive(Debug, Clone)]
pub struct KindCoverage {
    pub kind: FacilityKind,
    pub limit_min: f64,
    pub target: Option<Target>,
    pub facilities: usize,
    /// Per community: the nearest facility at its representative point (no limit, so the
    /// report can say how far the uncovered are); `None` when none can be reached at all.
    pub nearest: Vec<Option<Nearest>>,
    /// Per community: its representative point is within the limit.
    pub covered: Vec<bool>,
    /// Per community: population and elderly people within the limit (from the population
    /// cells when given, else the whole community when covered).
    pub population_covered: Vec<f64>,
    pub elderly_covered: Vec<f64>,
    /// Per community: the kind's target applies to it (`[targets] kind.communities`); totals
    /// and the uncovered list count only these.
    pub in_scope: Vec<bool>,
}

/// Totals over a set of communities.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Totals {
    pub communities: usize,
    pub communities_covered: usize,
    pub community_share: f64,
    pub population: f64,
    pub population_covered: f64,
    pub elderly: f64,
    pub elderly_covered: f64,
    pub elderly_share: f64,
}

/// The whole audit.
#[derive(Debug, Clone)]
pub struct Audit {
    /// Per community: population and elderly people counted as demand.
    pub population: Vec<f64>,
    pub elderly: Vec<f64>,
    pub kinds: Vec<KindCoverage>,
}

/// Runs the audit: one multi-source search per kind for the communities' points, and one for
/// the population cells when they are given.
pub fn audit(study: &Study) -> Audit {
    let n = study.layers.communities.len();
    let mut population = vec![0.0; n];
    let mut elderly = vec![0.0; n];
    for d in &study.demand {
        population[d.community as usize] += d.population;
        elderly[d.community as usize] += d.elderly;
    }
    // Each kind is one search over the whole graph with its own scratch space: the kinds run
    // in parallel and are collected in kind order.
    let kinds = study
        .audited_kinds()
        .into_par_iter()
        .map(|kind| {
            let mut space = SearchSpace::new(&study.graph);
            let limit = study.scenario.limit_for(kind);
            let (index, sources) = study.facilities_of(kind);
            let nearest: Vec<Option<Nearest>> = nearest_sources(
                &study.graph,
                &mut space,
                &sources,
                &study.community_snaps,
                f64::INFINITY,
                Direction::ToSource,
            )
            .into_iter()
            .map(|r| {
                r.map(|r| Nearest {
                    facility: index[r.source as usize],
                    minutes: r.minutes,
                })
            })
            .collect();
            let covered: Vec<bool> = nearest
                .iter()
                .map(|r| r.is_some_and(|r| r.minutes <= limit + WITHIN_EPS))
                .collect();
            let mut population_covered = vec![0.0; n];
            let mut elderly_covered = vec![0.0; n];
            if study.demand_from_cells {
                let cells = nearest_sources(
                    &study.graph,
                    &mut space,
                    &sources,
                    &study.demand_snaps,
                    limit,
                    Direction::ToSource,
                );
                for (d, r) in study.demand.iter().zip(cells) {
                    if r.is_some() {
                        population_covered[d.community as usize] += d.population;
                        elderly_covered[d.community as usize] += d.elderly;
                    }
                }
            } else {
                for c in 0..n {
                    if covered[c] {
                        population_covered[c] = population[c];
                        elderly_covered[c] = elderly[c];
                    }
                }
            }
            KindCoverage {
                kind,
                limit_min: limit,
                target: study.scenario.targets.get(&kind).copied(),
                facilities: index.len(),
                nearest,
                covered,
                population_covered,
                elderly_covered,
                in_scope: study.target_scope(kind),
            }
        })
        .collect();
    Audit {
        population,
        elderly,
        kinds,
    }
}

/// The audit from a travel matrix instead of the road network (`site --matrix`, where the
/// scenario may have no roads): per community and kind the nearest facility the matrix lists
/// (ties by facility id), covered within the kind's limit. A matrix knows communities only, so
/// a covered community counts all its people.
pub fn audit_from_matrix(study: &Study, table: &ReachTable) -> Audit {
    let n = study.layers.communities.len();
    let mut population = vec![0.0; n];
    let mut elderly = vec![0.0; n];
    for d in &study.demand {
        population[d.community as usize] += d.population;
        elderly[d.community as usize] += d.elderly;
    }
    let facilities = &study.layers.facilities;
    let kinds = study
        .audited_kinds()
        .into_iter()
        .map(|kind| {
            let limit = study.scenario.limit_for(kind);
            let nearest: Vec<Option<Nearest>> = (0..n)
                .map(|c| {
                    table
                        .row(c)
                        .filter(|&(s, _)| {
                            facilities.get(s as usize).is_some_and(|f| f.kind == kind)
                        })
                        // Facilities are in id order, so the lower index breaks a tie by id.
                        .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
                        .map(|(s, minutes)| Nearest {
                            facility: s as usize,
                            minutes,
                        })
                })
                .collect();
            let covered: Vec<bool> = nearest
                .iter()
                .map(|r| r.is_some_and(|r| r.minutes <= limit + WITHIN_EPS))
                .collect();
            let keep = |v: &[f64]| -> Vec<f64> {
                v.iter()
                    .zip(&covered)
                    .map(|(&x, &c)| if c { x } else { 0.0 })
                    .collect()
            };
            KindCoverage {
                kind,
                limit_min: limit,
                target: study.scenario.targets.get(&kind).copied(),
                facilities: facilities.iter().filter(|f| f.kind == kind).count(),
                population_covered: keep(&population),
                elderly_covered: keep(&elderly),
                nearest,
                covered,
                in_scope: study.target_scope(kind),
            }
        })
        .collect();
    Audit {
        population,
        elderly,
        kinds,
    }
}

impl Audit {
    /// Totals of a kind over the communities `filter` accepts, among those the kind's target
    /// applies to.
    pub fn totals(&self, kind: &KindCoverage, filter: impl Fn(usize) -> bool) -> Totals {
        let mut t = Totals::default();
        for c in (0..self.population.len()).filter(|&c| kind.in_scope[c] && filter(c)) {
            t.communities += 1;
            t.communities_covered += kind.covered[c] as usize;
            t.population += self.population[c];
            t.population_covered += kind.population_covered[c];
            t.elderly += self.elderly[c];
            t.elderly_covered += kind.elderly_covered[c];
        }
        t.community_share = share(t.communities_covered as f64, t.communities as f64);
        t.elderly_share = share(t.elderly_covered, t.elderly);
        t
    }

    /// Totals per street (sorted by street name) for a kind.
    pub fn by_street(&self, study: &Study, kind: &KindCoverage) -> BTreeMap<String, Totals> {
        let mut streets: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, c) in study.layers.communities.iter().enumerate() {
            streets.entry(c.street.clone()).or_default().push(i);
        }
        streets
            .into_iter()
            .map(|(street, members)| {
                let t = self.totals(kind, |c| members.binary_search(&c).is_ok());
                (street, t)
            })
            .collect()
    }

    /// Communities the kind's target applies to and that are not covered, most elderly first
    /// (ties by id).
    pub fn uncovered(&self, study: &Study, kind: &KindCoverage) -> Vec<usize> {
        let mut list: Vec<usize> = (0..self.population.len())
            .filter(|&c| kind.in_scope[c] && !kind.covered[c])
            .collect();
        list.sort_by(|&a, &b| {
            self.elderly[b].total_cmp(&self.elderly[a]).then_with(|| {
                study.layers.communities[a]
                    .id
                    .cmp(&study.layers.communities[b].id)
            })
        });
        list
    }
}

fn share(part: f64, whole: f64) -> f64 {
    if whole > 0.0 {
        part / whole
    } else {
        0.0
    }
}
