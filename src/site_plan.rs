//! Site selection on a study: candidate sites (a candidates layer, or road-graph nodes on a
//! spacing), the reach table over the network (or a precomputed travel matrix), the siting
//! solver, and the files a bureau reads (sites.csv, sites.geojson, a report section).
//!
//! Demand points are the communities (their representative points), weighted by their elderly
//! people as the audit counts them, so "covered" means here what it means in the audit.
//! Existing facilities of the kind stay open and count as covering.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use crate::io::scenario::{ModelName, SitingConfig, DEFAULT_P};

use geo::Point;

use crate::coverage::Audit;
use crate::error::{Error, Result};
use crate::model::{Candidate, FacilityKind};
use crate::network::{candidates::nodes_on_grid, reach_table, Direction, SourceSet};
use crate::reach_table::ReachTable;
use crate::siting::{self, Method, Model, SitingOptions, SitingProblem, SitingSolution};
use crate::study::Study;
use serde_json::Value;

/// What to site and how.
#[derive(Debug, Clone)]
pub struct SitingRequest {
    pub kind: FacilityKind,
    pub model: Model,
    pub method: Method,
    pub capacitated: bool,
    pub time_limit: Option<Duration>,
    /// Stop improving once the proven relative gap is at most this (0: prove optimality
    /// within the time limit).
    pub gap_target: f64,
    /// Spacing of candidates drawn from the road graph when no candidates layer is given.
    pub candidate_spacing_m: f64,
    /// Capacity of a candidate that has none (capacitated model); unlimited when `None`.
    pub default_capacity: Option<f64>,
    /// A precomputed travel matrix (CSV: community id, site id, minutes or metres) to use
    /// instead of the road network.
    pub matrix: Option<PathBuf>,
    /// p-median without a time limit (`[siting] limit = "none"`): every community is assigned
    /// to its nearest open site however far, as the textbook model states it.
    pub unlimited: bool,
    /// What a community's demand weighs (`[siting] weight`).
    pub weight: DemandWeight,
}

pub use crate::io::scenario::DemandWeight;

/// The demand weight per community.
fn demand_weights(study: &Study, audit: &Audit, weight: &DemandWeight) -> Result<Vec<f64>> {
    match weight {
        DemandWeight::Elderly => Ok(audit.elderly.clone()),
        DemandWeight::Population => Ok(audit.population.clone()),
        DemandWeight::Field(field) => study
            .layers
            .communities
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let v = c.extra.get(field);
                let x = v.and_then(|v| match v {
                    Value::Number(n) => n.as_f64(),
                    Value::String(s) => s.trim().parse().ok(),
                    _ => None,
                });
                x.filter(|x| x.is_finite() && *x >= 0.0).ok_or_else(|| {
                    Error::from(crate::InputError::file(
                        &study.scenario.communities.path,
                        crate::Problem::Other(format!(
                            "community {i} (id {}): [siting] weight = \"{field}\" needs a \
                             number >= 0 in that property, found {}",
                            c.id,
                            v.map_or("nothing".to_string(), |v| v.to_string())
                        )),
                    ))
                })
            })
            .collect(),
    }
}

impl SitingRequest {
    /// Defaults for a kind and model, with the scenario's `[siting]` settings applied
    /// (`candidate_spacing_m`, `default_capacity`, `time_limit_s`, `gap_target`).
    pub fn new(study: &Study, kind: FacilityKind, model: Model) -> Result<SitingRequest> {
        Ok(SitingRequest::from_config(
            kind,
            model,
            &study.scenario.siting,
        ))
    }

    /// A request from checked `[siting]` settings (with any command-line flags applied).
    pub fn from_config(kind: FacilityKind, model: Model, siting: &SitingConfig) -> SitingRequest {
        SitingRequest {
            kind,
            model,
            method: Method::Heuristic,
            capacitated: false,
            time_limit: Some(siting.time_limit()),
            gap_target: siting.gap_target,
            candidate_spacing_m: siting.candidate_spacing_m,
            default_capacity: siting.default_capacity,
            matrix: None,
            unlimited: siting.no_limit,
            weight: siting.weight.clone(),
        }
    }
}

/// The `[siting]` model for `run` and `demo`: `model = "lscp" | "mclp" | "pmedian"`, `p`
/// (default 3).
pub fn scenario_model(study: &Study) -> Result<Model> {
    let siting = &study.scenario.siting;
    Ok(model_of(siting.model, siting.p.unwrap_or(DEFAULT_P)))
}

/// The model of a name and a number of sites (ignored by lscp).
pub fn model_of(name: ModelName, p: usize) -> Model {
    match name {
        ModelName::Lscp => Model::Lscp,
        ModelName::Mclp => Model::Mclp { p },
        ModelName::PMedian => Model::PMedian { p },
        ModelName::PCenter => Model::PCenter { p },
    }
}

/// Parses a model name; mclp and pmedian need `p`.
pub fn parse_model(name: &str, p: Option<usize>) -> std::result::Result<Model, String> {
    let model = ModelName::parse(name)?;
    match p {
        Some(p) => Ok(model_of(model, p)),
        None if !model.needs_p() => Ok(Model::Lscp),
        None => Err(format!("model {name} needs the number of new sites, --p N")),
    }
}

/// A solved siting problem with what is needed to report it.
#[derive(Debug, Clone)]
pub struct SitePlan {
    pub kind: FacilityKind,
    pub limit_min: f64,
    /// Existing facilities of the kind (indexes into `study.layers.facilities`), in site order.
    pub existing: Vec<usize>,
    pub candidates: Vec<Candidate>,
    /// Where the candidates came from, in words.
    pub candidate_source: String,
    pub reach: ReachTable,
    /// Elderly people per community (the demand weights; 0 outside the target's community
    /// type).
    pub weights: Vec<f64>,
    /// Per community: the kind's target applies to it (`[targets] kind.communities`).
    pub in_scope: Vec<bool>,
    /// The p-median ran without a time limit (`[siting] limit = "none"`).
    pub unlimited: bool,
    pub solution: SitingSolution,
    /// Elderly people covered by the existing facilities, and with the chosen sites added,
    /// counted as the audit counts them (population cells within the limit when the scenario
    /// has them, else whole communities whose point is within it), so the report's "before"
    /// is the audit's figure. The model's own objective counts whole communities.
    pub elderly_covered_before: f64,
    pub elderly_covered_after: f64,
}

impl SitePlan {
    /// Communities covered by existing facilities, and with the chosen sites added.
    pub fn communities_covered(&self) -> (usize, usize) {
        let n_existing = self.existing.len();
        let open: BTreeSet<usize> = self
            .solution
            .chosen
            .iter()
            .map(|c| n_existing + c)
            .collect();
        let mut before = 0;
        let mut after = 0;
        for d in (0..self.reach.n_demand).filter(|&d| self.in_scope[d]) {
            let row: Vec<usize> = self.reach.row(d).map(|(s, _)| s as usize).collect();
            let b = row.iter().any(|&s| s < n_existing);
            before += b as usize;
            after += (b || row.iter().any(|s| open.contains(s))) as usize;
        }
        (before, after)
    }

    /// The chosen sites as map overlays.
    pub fn new_sites(&self) -> Vec<(FacilityKind, String, Point<f64>)> {
        self.solution
            .chosen
            .iter()
            .map(|&c| {
                (
                    self.kind,
                    self.candidates[c].id.clone(),
                    self.candidates[c].location,
                )
            })
            .collect()
    }
}

/// Candidates from the candidates layer, or road-graph nodes thinned to a spacing.
fn candidates(study: &Study, spacing_m: f64) -> (Vec<Candidate>, String) {
    if !study.layers.candidates.is_empty() {
        return (
            study.layers.candidates.clone(),
            format!(
                "{} sites from the candidates layer",
                study.layers.candidates.len()
            ),
        );
    }
    let nodes = nodes_on_grid(&study.graph, spacing_m);
    let list: Vec<Candidate> = nodes
        .iter()
        .enumerate()
        .map(|(i, &n)| Candidate {
            id: format!("S{:05}", i + 1),
            location: Point(study.graph.nodes_lonlat[n as usize]),
            cost: None,
            capacity: None,
        })
        .collect();
    let source = format!(
        "{} road-network nodes, one per {spacing_m:.0} m square",
        list.len()
    );
    (list, source)
}

/// Builds and solves the siting problem for one kind.
pub fn plan_sites(study: &Study, audit: &Audit, req: &SitingRequest) -> Result<SitePlan> {
    let limit = study.scenario.limit_for(req.kind);
    let (existing, existing_sources) = study.facilities_of(req.kind);
    let (candidates, candidate_source) = candidates(study, req.candidate_spacing_m);
    // A target for urban communities (or villages) asks nothing of the others: they weigh 0,
    // so no model sites for them.
    let in_scope = study.target_scope(req.kind);
    let demand = demand_weights(study, audit, &req.weight)?;
    let weights: Vec<f64> = demand
        .iter()
        .zip(&in_scope)
        .map(|(&e, &inside)| if inside { e } else { 0.0 })
        .collect();

    let table_within = |limit: f64| -> Result<ReachTable> {
        Ok(match &req.matrix {
            Some(path) => {
                let demand_ids: Vec<String> = study
                    .layers
                    .communities
                    .iter()
                    .map(|c| c.id.clone())
                    .collect();
                let site_ids: Vec<String> = existing
                    .iter()
                    .map(|&f| study.layers.facilities[f].id.clone())
                    .chain(candidates.iter().map(|c| c.id.clone()))
                    .collect();
                siting::read_travel_matrix_with_speed(
                    path,
                    &demand_ids,
                    &site_ids,
                    limit,
                    Some(study.scenario.travel.speed_m_per_min),
                )?
            }
            None => {
                let snaps: Vec<_> = existing_sources
                    .snaps
                    .iter()
                    .copied()
                    .chain(
                        candidates
                            .iter()
                            .map(|c| study.snapper.snap(&study.graph, c.location)),
                    )
                    .collect();
                let sources = SourceSet::new(snaps);
                let bar = crate::progress::bar(
                    sources.len() as u64,
                    &format!("reach of {} sites", req.kind.as_str()),
                );
                let table = reach_table(
                    &study.graph,
                    &sources,
                    &study.community_snaps,
                    limit,
                    Direction::ToSource,
                    &|| bar.inc(1),
                );
                bar.finish_and_clear();
                table
            }
        })
    };
    let reach = table_within(limit)?;
    // The classic p-median (no time limit): every community to its nearest open site, however
    // far; the full table holds every reachable pair.
    let full = if req.unlimited && matches!(req.model, Model::PMedian { .. }) {
        Some(table_within(f64::INFINITY)?)
    } else {
        None
    };

    let n_sites = existing.len() + candidates.len();
    let costs = candidates
        .iter()
        .map(|c| c.cost)
        .collect::<Option<Vec<f64>>>()
        .filter(|c| !c.is_empty());
    let capacities = req.capacitated.then(|| {
        existing
            .iter()
            .map(|&f| study.layers.facilities[f].capacity.unwrap_or(f64::INFINITY))
            .chain(
                candidates
                    .iter()
                    .map(|c| c.capacity.or(req.default_capacity).unwrap_or(f64::INFINITY)),
            )
            .collect::<Vec<f64>>()
    });
    debug_assert_eq!(reach.n_sites, n_sites);
    let full_given = full.is_some();
    let problem = SitingProblem {
        weights: weights.clone(),
        reach: reach.clone(),
        n_existing: existing.len(),
        costs,
        capacities,
        full,
    };
    let options = SitingOptions {
        method: req.method,
        time_limit: req.time_limit,
        capacitated: req.capacitated,
        gap_target: req.gap_target,
        ..SitingOptions::default()
    };
    let mut solution = siting::solve(&problem, &req.model, &options)?;
    // Communities outside the target's type weigh nothing; a site does not "newly cover" them.
    for site in &mut solution.sites {
        site.newly_covered.retain(|&d| in_scope[d]);
    }
    let (elderly_covered_before, elderly_covered_after) = match &req.matrix {
        None => {
            let chosen_snaps = solution
                .chosen
                .iter()
                .map(|&c| study.snapper.snap(&study.graph, candidates[c].location));
            let with_chosen = SourceSet::new(
                existing_sources
                    .snaps
                    .iter()
                    .copied()
                    .chain(chosen_snaps)
                    .collect(),
            );
            (
                elderly_within(study, &existing_sources, limit, &in_scope),
                elderly_within(study, &with_chosen, limit, &in_scope),
            )
        }
        // A travel matrix knows communities only: the audit's figure, plus the whole of each
        // community the chosen sites newly reach.
        Some(_) => {
            let kind = audit.kinds.iter().find(|k| k.kind == req.kind);
            let covered = |c: usize| kind.map_or(0.0, |k| k.elderly_covered[c]);
            let before: f64 = (0..audit.elderly.len())
                .filter(|&c| in_scope[c])
                .map(covered)
                .sum();
            let gained: f64 = solution
                .sites
                .iter()
                .flat_map(|s| s.newly_covered.iter())
                .map(|&c| audit.elderly[c] - covered(c))
                .sum();
            (before, before + gained)
        }
    };
    Ok(SitePlan {
        kind: req.kind,
        limit_min: limit,
        existing,
        candidates,
        candidate_source,
        reach,
        weights,
        in_scope,
        unlimited: full_given,
        solution,
        elderly_covered_before,
        elderly_covered_after,
    })
}

/// Elderly people of the demand points (cells, or communities without cells) that reach one of
/// `sources` within `limit_min`: the audit's definition of "elderly covered".
fn elderly_within(study: &Study, sources: &SourceSet, limit_min: f64, in_scope: &[bool]) -> f64 {
    let mut space = crate::network::SearchSpace::new(&study.graph);
    crate::network::nearest_sources(
        &study.graph,
        &mut space,
        sources,
        &study.demand_snaps,
        limit_min,
        Direction::ToSource,
    )
    .iter()
    .zip(&study.demand)
    // Only the communities the kind's target applies to, as the audit counts them.
    .filter(|(r, d)| r.is_some() && in_scope[d.community as usize])
    .map(|(_, d)| d.elderly)
    .sum()
}
