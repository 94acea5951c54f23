//! Site selection on a study: candidate sites (a candidates layer, or road-graph nodes on a
//! spacing), the reach table over the network (or a precomputed travel matrix), the siting
//! solver, and the files a bureau reads (sites.csv, sites.geojson, a report section).
//!
//! Demand points are the communities (their representative points), weighted by their elderly
//! people as the audit counts them, so "covered" means here what it means in the audit.
//! Existing facilities of the kind stay open and count as covering.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use crate::io::scenario::{ModelName, SitingConfig, DEFAULT_P};

use geo::Point;
use serde_json::{json, Map, Value};

use crate::coverage::Audit;
use crate::error::{Error, Result};
use crate::model::{Candidate, FacilityKind};
use crate::network::{candidates::nodes_on_grid, reach_table, Direction, SourceSet};
use crate::reach_table::ReachTable;
use crate::report::{count_json, md_cell, round_to, OutputSet, Section};
use crate::siting::{self, Method, Model, SitingOptions, SitingProblem, SitingSolution};
use crate::study::Study;

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
    /// Joint siting: per chosen candidate, every kind it hosts (empty when sited alone).
    pub hosts: std::collections::BTreeMap<usize, Vec<FacilityKind>>,
    pub solution: SitingSolution,
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
        hosts: Default::default(),
        solution,
    })
}

fn objective_words(plan: &SitePlan) -> &'static str {
    match plan.solution.model.as_str() {
        "lscp" if plan.solution.objective.fract() == 0.0 => "new sites",
        "lscp" => "total cost of new sites",
        "mclp" => "elderly people covered",
        "mclp-capacitated" => "elderly people served within capacity",
        "pcenter" => "worst minutes of any elderly person to the nearest facility",
        _ => "elderly-weighted minutes to the nearest facility",
    }
}

/// A chosen site's location and its attributes in column order.
type SiteRow = (Point<f64>, Vec<(String, Value)>);

/// One row per chosen site, shared by sites.csv and sites.geojson.
fn site_rows(study: &Study, plan: &SitePlan) -> Vec<SiteRow> {
    let s = &plan.solution;
    s.sites
        .iter()
        .enumerate()
        .map(|(rank, site)| {
            let cand = &plan.candidates[site.candidate];
            let newly: Vec<&str> = site
                .newly_covered
                .iter()
                .map(|&d| study.layers.communities[d].id.as_str())
                .collect();
            let newly_names: Vec<&str> = site
                .newly_covered
                .iter()
                .map(|&d| study.layers.communities[d].name.as_str())
                .collect();
            let row = vec![
                ("kind".into(), json!(plan.kind.as_str())),
                ("rank".into(), json!(rank + 1)),
                ("site_id".into(), json!(cand.id)),
                (
                    "kinds_at_site".into(),
                    json!(plan
                        .hosts
                        .get(&site.candidate)
                        .map(|ks| ks.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(";"))
                        .unwrap_or_else(|| plan.kind.as_str().to_string())),
                ),
                ("lon".into(), json!(round_to(cand.location.x(), 7))),
                ("lat".into(), json!(round_to(cand.location.y(), 7))),
                ("newly_covered_communities".into(), json!(newly.len())),
                ("newly_covered_ids".into(), json!(newly.join(";"))),
                ("newly_covered_names".into(), json!(newly_names.join("、"))),
                (
                    "newly_covered_elderly".into(),
                    count_json(site.newly_covered_weight),
                ),
                ("served_elderly".into(), count_json(site.served_weight)),
                ("model".into(), json!(s.model)),
                ("method".into(), json!(s.method)),
                ("objective".into(), json!(round_to(s.objective, 3))),
                ("bound".into(), json!(round_to(s.bound, 3))),
                ("gap".into(), json!(round_to(s.gap, 6))),
            ];
            (cand.location, row)
        })
        .collect()
}

/// sites.csv (UTF-8 with BOM) for one or more plans.
pub fn sites_csv(study: &Study, plans: &[SitePlan]) -> Result<Vec<u8>> {
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut w = csv::Writer::from_writer(&mut out);
        let err = |e: csv::Error| Error::Other(format!("writing sites.csv: {e}"));
        let mut header_written = false;
        for plan in plans {
            for (_, row) in site_rows(study, plan) {
                if !header_written {
                    w.write_record(row.iter().map(|(k, _)| k.as_str()))
                        .map_err(err)?;
                    header_written = true;
                }
                w.write_record(row.iter().map(|(_, v)| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                }))
                .map_err(err)?;
            }
        }
        if !header_written {
            w.write_record([
                "kind",
                "rank",
                "site_id",
                "kinds_at_site",
                "lon",
                "lat",
                "newly_covered_communities",
                "newly_covered_ids",
                "newly_covered_names",
                "newly_covered_elderly",
                "served_elderly",
                "model",
                "method",
                "objective",
                "bound",
                "gap",
            ])
            .map_err(err)?;
        }
        w.flush()
            .map_err(|e| Error::Other(format!("writing sites.csv: {e}")))?;
    }
    Ok(out)
}

/// sites.geojson: the chosen sites as points.
pub fn sites_geojson(study: &Study, plans: &[SitePlan]) -> Vec<u8> {
    let features = plans
        .iter()
        .flat_map(|plan| site_rows(study, plan))
        .map(|(p, row)| {
            let props: Map<String, Value> = row.into_iter().collect();
            (
                crate::report::output_geometry(&geo::Geometry::Point(p)),
                props,
            )
        })
        .collect();
    crate::report::feature_collection(features)
}

/// The siting section of report.md and summary.json.
pub fn section(study: &Study, plans: &[SitePlan]) -> Section {
    let mut md = String::from("# 新设施选址 · Proposed new sites\n");
    let mut summary = Map::new();
    for plan in plans {
        let s = &plan.solution;
        let (before, after) = plan.communities_covered();
        let n = plan.in_scope.iter().filter(|&&inside| inside).count();
        let _ = writeln!(
            md,
            "\n## {} ({}): model {}, {}\n",
            plan.kind.chinese(),
            plan.kind.as_str(),
            s.model,
            s.method
        );
        let _ = writeln!(
            md,
            "Candidates: {}. Existing {} facilities stay open. {}.\n",
            plan.candidate_source,
            plan.existing.len(),
            if plan.solution.model == "pmedian" && plan.unlimited {
                "No time limit: every community counts the minutes to its nearest open site"
                    .to_string()
            } else {
                format!("Limit {} min", plan.limit_min)
            }
        );
        let _ = writeln!(
            md,
            "- objective ({}): {:.2}; bound {:.2}; gap {:.2} %{}",
            objective_words(plan),
            s.objective,
            s.bound,
            100.0 * s.gap,
            if s.proven_optimal {
                " (proven optimal)"
            } else {
                ""
            }
        );
        let _ = writeln!(
            md,
            "- communities covered: {before} → {after} of {n}; elderly covered: {:.0} → {:.0} of {:.0}",
            s.covered_before, s.covered_after, s.total_weight
        );
        let uncoverable: Vec<usize> = s
            .uncoverable
            .iter()
            .copied()
            .filter(|&d| plan.in_scope[d])
            .collect();
        if !uncoverable.is_empty() {
            let names: Vec<String> = uncoverable
                .iter()
                .map(|&d| {
                    let c = &study.layers.communities[d];
                    format!("{} {}", md_cell(&c.id), md_cell(&c.name))
                })
                .collect();
            let _ = writeln!(
                md,
                "- {} communities cannot be reached within {} min from any site: {}",
                names.len(),
                plan.limit_min,
                names.join(", ")
            );
        }
        if !s.sites.is_empty() {
            md.push_str("\n| # | site | lon, lat | newly covered communities | newly covered elderly |\n|---:|---|---|---|---:|\n");
            for (rank, site) in s.sites.iter().enumerate() {
                let cand = &plan.candidates[site.candidate];
                let names: Vec<String> = site
                    .newly_covered
                    .iter()
                    .map(|&d| md_cell(&study.layers.communities[d].name))
                    .collect();
                let _ = writeln!(
                    md,
                    "| {} | {} | {:.5}, {:.5} | {} | {:.0} |",
                    rank + 1,
                    md_cell(&cand.id),
                    cand.location.x(),
                    cand.location.y(),
                    names.join("、"),
                    site.newly_covered_weight
                );
            }
        }
        summary.insert(
            plan.kind.as_str().into(),
            json!({
                "model": s.model,
                "method": s.method,
                "objective": round_to(s.objective, 3),
                "bound": round_to(s.bound, 3),
                "gap": round_to(s.gap, 6),
                "proven_optimal": s.proven_optimal,
                "candidates": plan.candidates.len(),
                "new_sites": s.chosen.iter().map(|&c| plan.candidates[c].id.clone()).collect::<Vec<_>>(),
                "communities_covered_before": before,
                "communities_covered_after": after,
                "elderly_covered_before": count_json(s.covered_before),
                "elderly_covered_after": count_json(s.covered_after),
                "uncoverable": s.uncoverable.iter().map(|&d| study.layers.communities[d].id.clone()).collect::<Vec<_>>(),
            }),
        );
    }
    Section {
        key: "siting".into(),
        markdown: md,
        summary: Value::Object(summary),
    }
}

/// The siting table for report.html.
pub fn html_section(study: &Study, plans: &[SitePlan]) -> crate::html::HtmlSection {
    let mut rows = Vec::new();
    for plan in plans {
        for (rank, site) in plan.solution.sites.iter().enumerate() {
            let cand = &plan.candidates[site.candidate];
            let names: Vec<&str> = site
                .newly_covered
                .iter()
                .map(|&d| study.layers.communities[d].name.as_str())
                .collect();
            rows.push(vec![
                format!("{} {}", plan.kind.chinese(), plan.kind.as_str()),
                (rank + 1).to_string(),
                cand.id.clone(),
                format!("{:.5}, {:.5}", cand.location.x(), cand.location.y()),
                names.join("、"),
                format!("{:.0}", site.newly_covered_weight),
            ]);
        }
    }
    let notes: Vec<String> = plans
        .iter()
        .map(|p| {
            let (before, after) = p.communities_covered();
            format!(
                "{}: {} ({}), objective {:.2}, bound {:.2}, gap {:.2} %; communities covered {} → {}",
                p.kind.as_str(),
                p.solution.model,
                p.solution.method,
                p.solution.objective,
                p.solution.bound,
                100.0 * p.solution.gap,
                before,
                after
            )
        })
        .collect();
    crate::html::HtmlSection {
        title: "Proposed new sites".into(),
        note: notes.join(". "),
        header: [
            "kind",
            "#",
            "site",
            "lon, lat",
            "newly covered communities",
            "newly covered elderly",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    }
}

/// Adds sites.csv and sites.geojson to an output set and returns the report section.
pub fn outputs(study: &Study, plans: &[SitePlan], out: &mut OutputSet) -> Result<Section> {
    out.add("sites.csv", sites_csv(study, plans)?);
    out.add("sites.geojson", sites_geojson(study, plans));
    Ok(section(study, plans))
}

/// Several kinds sited together on shared candidates (LSCP): one plan per kind, each saying
/// which kinds its sites host. `cost_per_kind` is added per kind hosted at a site, on top of
/// the site's cost (the candidates' `cost`, else 1). See `siting::joint`.
pub fn plan_joint(
    study: &Study,
    audit: &Audit,
    kinds: &[FacilityKind],
    request: &SitingRequest,
    cost_per_kind: f64,
) -> Result<(Vec<SitePlan>, siting::joint::JointSolution)> {
    use siting::joint::{solve_joint, JointKind, JointProblem};
    let mut plans = Vec::new();
    for &kind in kinds {
        let req = SitingRequest {
            kind,
            model: Model::Lscp,
            ..request.clone()
        };
        plans.push(plan_sites(study, audit, &req)?);
    }
    let Some(first) = plans.first() else {
        return Err(Error::Other("joint siting needs at least one kind".into()));
    };
    let n_candidates = first.candidates.len();
    let site_costs = first
        .candidates
        .iter()
        .map(|c| c.cost)
        .collect::<Option<Vec<f64>>>()
        .filter(|c| !c.is_empty());
    let problem = JointProblem {
        kinds: plans
            .iter()
            .map(|p| JointKind {
                weights: p.weights.clone(),
                reach: p.reach.clone(),
                n_existing: p.existing.len(),
                cost_per_kind,
            })
            .collect(),
        n_candidates,
        site_costs,
    };
    let options = SitingOptions {
        method: request.method,
        time_limit: request.time_limit,
        gap_target: request.gap_target,
        ..SitingOptions::default()
    };
    let joint = solve_joint(&problem, &options)?;
    let mut hosts: std::collections::BTreeMap<usize, Vec<FacilityKind>> = Default::default();
    for (k, hosted) in joint.hosted.iter().enumerate() {
        for &j in hosted {
            hosts.entry(j).or_default().push(kinds[k]);
        }
    }
    for (plan, solution) in plans.iter_mut().zip(&joint.per_kind) {
        plan.solution = solution.clone();
        plan.solution.model = "lscp-joint".into();
        for site in &mut plan.solution.sites {
            site.newly_covered.retain(|&d| plan.in_scope[d]);
        }
        plan.hosts = hosts.clone();
    }
    Ok((plans, joint))
}
