//! Site selection: where to open new elderly-care facilities.
//!
//! The input is a [`SitingProblem`]: demand points with a weight (elderly people), and sites —
//! existing facilities first (always open, they count as covering), then candidate sites — joined
//! by a sparse [`ReachTable`] (demand × site within the time limit). Models ([`Model`]):
//!
//! * **LSCP** — the fewest (or, with `costs`, the cheapest) new sites such that every demand that
//!   any site reaches is covered. Demands no site reaches are listed in
//!   [`SitingSolution::uncoverable`], never silently dropped. Demands of weight 0 need no cover.
//! * **MCLP** — at most `p` new sites covering the most weight (objective: covered weight,
//!   existing coverage included).
//! * **p-median** — at most `p` new sites minimising Σ weight × minutes to the nearest open site.
//!   Minutes come from [`SitingProblem::full`] when given (e.g. a complete OR-Library matrix),
//!   otherwise from the reach table. A demand with no open site in its row counts
//!   [`SitingOptions::unreached_minutes`] minutes; the default is **2 × the reach limit** when no
//!   full table is given, and "no penalty" with a full table (then a demand that has a row but no
//!   open site in it counts 2 × its farthest listed minutes + 1, a big-M that the solver avoids).
//! * **capacitated** ([`SitingOptions::capacitated`], MCLP only) — sites have capacities
//!   ([`SitingProblem::capacities`], in people); maximise the weight *served* within the limit
//!   without exceeding any capacity. The assignment is **fractional** (a community may be split
//!   between centres): for a fixed site set it is a maximum flow.
//!
//! `p` larger than the number of candidates opens at most all of them; sites that would improve
//! nothing are never chosen, so fewer than `p` may come back.
//!
//! ## Solving
//! [`Method::Heuristic`] (default): greedy, then swap local search (Resende–Werneck fast swap for
//! MCLP / p-median, neighbourhood swaps evaluated by max-flow for capacitated, greedy +
//! redundancy elimination for LSCP). A Lagrangian relaxation of the demand constraints,
//! optimised by deflected subgradient steps, gives a valid bound; its site sets seed more local
//! search. If the root gap is still open, MCLP / p-median run an iterated local search (close a
//! site and its overlapping neighbours, refill greedily, swap) until the gap target is met or it
//! stalls; then reduced costs fix variables and a depth-first branch-and-bound over the
//! Lagrangian closes the gap, limited by [`SitingOptions::max_nodes`] and the time limit. When
//! weights and costs are integers the bound is rounded up, so gap 0 is a proof of optimality.
//!
//! Measured (release, shared 2-core machine under load): all 40 OR-Library p-median instances
//! proven optimal, 40.5 s together (the slowest, pmed36, in 13 s; 37 of 40 under 2 s; table in
//! the README, `examples/orlib_table.rs`). Synthetic city of 10,000 demands × 50,000
//! candidates at a 0.1 % gap target, 60 s limit: MCLP p = 100 gap 0.72 %, p-median p = 100 gap
//! 0.23 % (`benches/siting.rs`).
//!
//! LSCP is solved by an exact search instead (`cover_bnb`): set-covering reductions (forced
//! candidates, dominated rows and candidates, `reduce`), independent components, and per
//! component an LP branch-and-bound (microlp simplex, dual-simplex re-solves after fixings) or,
//! for components over 1,500 rows, the Lagrangian branch-and-bound above. Its proof summary is
//! [`SitingSolution::certificate`]. MCLP and p-median drop dominated candidates first.
//!
//! [`Method::Exact`] solves the MILP with good_lp + microlp (pure Rust); [`Method::ExactHighs`]
//! with HiGHS (cargo feature `highs`). Both start from the heuristic solution; if the solver
//! stops at the time limit the better of its answer and the heuristic's is returned with the
//! Lagrangian bound.
//!
//! Every [`SitingSolution`] states the method, objective, bound and relative gap. Results are
//! deterministic (ties go to the lower index) unless a time limit cuts a run short.

// Demands and sites index several parallel arrays at once; index loops read best there.
#![allow(clippy::needless_range_loop)]

mod assign;
mod capacitated;
mod capacitated_milp;
pub mod certificate;
mod cover;
mod cover_bnb;
mod cover_heur;
mod cover_lp;
mod cover_rwls;
mod cover_split;
mod exact;
pub mod joint;
mod lagrange;
pub mod matrix;
pub mod orlib;
mod pcenter;
mod reduce;
// Synthetic siting instances for the crate's own tests and benches (feature `dev-support`).
#[cfg(feature = "dev-support")]
#[doc(hidden)]
pub mod synth;

use std::time::{Duration, Instant};

pub use certificate::{certificate_json, Certificate, ComponentSummary, DualCertificate};
pub use matrix::{read_travel_matrix, read_travel_matrix_with_speed};
pub use reduce::ReductionStats;

use crate::reach_table::ReachTable;
use crate::{Error, Result};

use assign::{AssignData, AssignRelax, State};
use capacitated::{CapData, CapRelax};
use cover::CoverData;
use exact::Backend;
use lagrange::{Driver, LagOptions, RootDual};

/// The siting model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Model {
    /// Location set covering: fewest / cheapest new sites covering every coverable demand.
    Lscp,
    /// Maximal covering: `p` new sites covering the most weight.
    Mclp { p: usize },
    /// p-median: `p` new sites minimising total weight × minutes.
    PMedian { p: usize },
    /// p-center: `p` new sites minimising the worst minutes of any demand (bisection over
    /// the radius with LSCP; see `pcenter.rs`).
    PCenter { p: usize },
}

impl Model {
    pub fn name(&self) -> &'static str {
        match self {
            Model::Lscp => "lscp",
            Model::Mclp { .. } => "mclp",
            Model::PMedian { .. } => "pmedian",
            Model::PCenter { .. } => "pcenter",
        }
    }
}

/// How to solve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Method {
    /// Greedy + local search + Lagrangian bound + small branch-and-bound.
    #[default]
    Heuristic,
    /// MILP through good_lp and microlp.
    Exact,
    /// MILP through good_lp and HiGHS (needs the `highs` cargo feature).
    ExactHighs,
}

/// Whether the objective is minimised or maximised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sense {
    Minimise,
    Maximise,
}

/// Demands, sites and the table that joins them.
#[derive(Debug, Clone, Default)]
pub struct SitingProblem {
    /// Weight of each demand point (elderly people); finite and `>= 0`.
    pub weights: Vec<f64>,
    /// Demand × site within the time limit; sites are the `n_existing` existing facilities
    /// first, then the candidates.
    pub reach: ReachTable,
    pub n_existing: usize,
    /// Cost of each *candidate* (`reach.n_sites - n_existing` values); LSCP minimises their sum.
    pub costs: Option<Vec<f64>>,
    /// Capacity of each *site*, existing ones included (`reach.n_sites` values, people;
    /// `f64::INFINITY` for no limit). Needed when `capacitated` is set.
    pub capacities: Option<Vec<f64>>,
    /// Minutes between demands and sites beyond the limit, for p-median (same shape as `reach`,
    /// any limit, e.g. `f64::INFINITY` for a complete matrix).
    pub full: Option<ReachTable>,
}

/// Solver settings.
#[derive(Debug, Clone)]
pub struct SitingOptions {
    pub method: Method,
    /// Stop every phase at this wall-clock limit and return the best answer so far.
    pub time_limit: Option<Duration>,
    /// Respect site capacities (MCLP only).
    pub capacitated: bool,
    /// p-median: minutes counted for a demand with no open site in its row (see the module doc).
    pub unreached_minutes: Option<f64>,
    /// Stop the branch-and-bound once the relative gap is at most this (0: prove optimality).
    pub gap_target: f64,
    /// Branch-and-bound node limit (1: root bound only).
    pub max_nodes: usize,
    /// Exact methods: seed the MILP solver with the heuristic's answer (default true). When
    /// false, the solver's own answer is reported whenever it proves optimality (a way to
    /// check the MILP against the heuristic); otherwise the better of the two is kept.
    pub exact_warm_start: bool,
    /// LSCP: a component (after the reductions) with more rows than this takes the
    /// large-component search (interior-point LP bound, neighbourhood search, Lagrangian
    /// branch-and-bound) instead of microlp's LP branch-and-bound. Default 1,500; tests lower it
    /// to check that path against brute force on small instances.
    pub large_component_rows: usize,
}

impl Default for SitingOptions {
    fn default() -> Self {
        SitingOptions {
            method: Method::Heuristic,
            time_limit: None,
            capacitated: false,
            unreached_minutes: None,
            gap_target: 0.0,
            max_nodes: 2000,
            exact_warm_start: true,
            large_component_rows: cover_bnb::LP_MAX_ROWS,
        }
    }
}

/// One chosen candidate and what it brings.
#[derive(Debug, Clone, PartialEq)]
pub struct ChosenSite {
    /// Index among candidates (0-based).
    pub candidate: usize,
    /// Index among all sites (`n_existing + candidate`).
    pub site: usize,
    /// Demands within the limit of this site that no existing facility covers and whose nearest
    /// new site (by minutes, then index) this is — so the lists of all chosen sites partition
    /// the newly covered demands.
    pub newly_covered: Vec<usize>,
    pub newly_covered_weight: f64,
    /// Weight assigned to this site: demands whose nearest open site it is (capacitated: the
    /// flow it serves).
    pub served_weight: f64,
}

/// Flow of weight from a demand to a site (capacitated model).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Flow {
    pub demand: usize,
    pub site: usize,
    pub weight: f64,
}

/// The answer, with the evidence for how good it is.
#[derive(Debug, Clone)]
pub struct SitingSolution {
    /// `lscp`, `mclp`, `pmedian` or `mclp-capacitated`.
    pub model: String,
    /// Which method produced the answer, e.g. `heuristic+lagrangian` or
    /// `exact (good_lp + microlp)`.
    pub method: String,
    pub sense: Sense,
    /// Chosen candidates (indices among candidates), ascending.
    pub chosen: Vec<usize>,
    /// LSCP: number (or cost) of new sites; MCLP: covered weight; p-median: Σ weight × minutes;
    /// capacitated: served weight.
    pub objective: f64,
    /// A proven bound on the optimum: lower when minimising, upper when maximising.
    pub bound: f64,
    /// `|objective − bound| / |objective or bound|`; 0 means proven optimal.
    pub gap: f64,
    pub proven_optimal: bool,
    /// Demands no site (existing or candidate) reaches within the limit.
    pub uncoverable: Vec<usize>,
    pub total_weight: f64,
    /// Weight covered within the limit by existing facilities alone, and with the chosen sites
    /// (capacitated: weight served, by maximum flow).
    pub covered_before: f64,
    pub covered_after: f64,
    pub sites: Vec<ChosenSite>,
    /// Per demand: the nearest open site (site index) and its minutes, in the table the model
    /// uses (p-median: `full` when given); `None` when no open site is in the row.
    pub assignment: Vec<Option<(usize, f64)>>,
    /// Capacitated model: the served flows; empty otherwise.
    pub flows: Vec<Flow>,
    pub nodes: usize,
    pub iterations: usize,
    pub elapsed: Duration,
    /// The proof summary (LSCP: reductions, components, LP bounds, nodes; MCLP and p-median
    /// without capacities: the root's Lagrangian multipliers, re-checked by [`check_dual`]);
    /// `None` for the capacitated models and p-center. See [`certificate_json`].
    pub certificate: Option<Certificate>,
}

fn bad(msg: impl Into<String>) -> Error {
    Error::Other(format!("siting: {}", msg.into()))
}

fn check_table(t: &ReachTable, what: &str) -> Result<()> {
    if t.offsets.len() != t.n_demand + 1
        || t.offsets.first() != Some(&0)
        || t.offsets.windows(2).any(|w| w[0] > w[1])
        || t.offsets.last() != Some(&t.sites.len())
        || t.sites.len() != t.minutes.len()
    {
        return Err(bad(format!("the {what} table is malformed (offsets)")));
    }
    if t.sites.iter().any(|&s| s as usize >= t.n_sites) {
        return Err(bad(format!(
            "the {what} table refers to a site past n_sites"
        )));
    }
    if t.minutes.iter().any(|m| !m.is_finite() || *m < 0.0) {
        return Err(bad(format!(
            "the {what} table has negative or non-finite minutes"
        )));
    }
    Ok(())
}

fn validate(pr: &SitingProblem, model: &Model, opt: &SitingOptions) -> Result<()> {
    check_table(&pr.reach, "reach")?;
    let n = pr.reach.n_demand;
    if pr.weights.len() != n {
        return Err(bad(format!(
            "{} weights for {} demand points",
            pr.weights.len(),
            n
        )));
    }
    if let Some(i) = pr.weights.iter().position(|w| !w.is_finite() || *w < 0.0) {
        return Err(bad(format!(
            "weight of demand {i} is {}, expected a finite number >= 0",
            pr.weights[i]
        )));
    }
    if pr.n_existing > pr.reach.n_sites {
        return Err(bad(format!(
            "{} existing facilities but only {} sites",
            pr.n_existing, pr.reach.n_sites
        )));
    }
    if pr.reach.n_sites > u32::MAX as usize - 1 {
        return Err(bad("too many sites"));
    }
    let n_cand = pr.reach.n_sites - pr.n_existing;
    if let Some(c) = &pr.costs {
        if c.len() != n_cand {
            return Err(bad(format!("{} costs for {} candidates", c.len(), n_cand)));
        }
        if let Some(j) = c.iter().position(|x| !x.is_finite() || *x < 0.0) {
            return Err(bad(format!(
                "cost of candidate {j} is {}, expected a finite number >= 0",
                c[j]
            )));
        }
    }
    if let Some(c) = &pr.capacities {
        if c.len() != pr.reach.n_sites {
            return Err(bad(format!(
                "{} capacities for {} sites (existing facilities and candidates)",
                c.len(),
                pr.reach.n_sites
            )));
        }
        if let Some(j) = c.iter().position(|x| x.is_nan() || *x < 0.0) {
            return Err(bad(format!(
                "capacity of site {j} is {}, expected a number >= 0",
                c[j]
            )));
        }
    }
    if let Some(f) = &pr.full {
        check_table(f, "full")?;
        if f.n_demand != n || f.n_sites != pr.reach.n_sites {
            return Err(bad("the full table's shape differs from the reach table's"));
        }
    }
    if opt.capacitated {
        if matches!(model, Model::PCenter { .. }) {
            return Err(bad(
                "capacities are supported for LSCP, MCLP and p-median, not p-center",
            ));
        }
        if pr.capacities.is_none() {
            return Err(bad("the capacitated model needs site capacities"));
        }
    }
    if let Some(u) = opt.unreached_minutes {
        if u.is_nan() || u < 0.0 {
            return Err(bad("unreached_minutes must be >= 0"));
        }
    }
    if !(opt.gap_target >= 0.0 && opt.gap_target.is_finite()) {
        return Err(bad("gap_target must be a finite number >= 0"));
    }
    Ok(())
}

/// Chooses sites for `model`. Errors only on inconsistent input.
pub fn solve(
    problem: &SitingProblem,
    model: &Model,
    options: &SitingOptions,
) -> Result<SitingSolution> {
    validate(problem, model, options)?;
    let start = Instant::now();
    // A limit too far ahead for the clock (checked_add fails) means no deadline, never a panic.
    let deadline = options.time_limit.and_then(|t| start.checked_add(t));
    let mut out = match (model, options.capacitated) {
        (Model::Lscp, true) => capacitated_milp::solve_model(problem, None, options, deadline)?,
        (Model::PMedian { p }, true) => {
            capacitated_milp::solve_model(problem, Some(*p), options, deadline)?
        }
        (Model::Lscp, false) => solve_lscp(problem, options, deadline)?,
        (Model::Mclp { p }, false) => solve_assign(problem, *p, false, options, deadline)?,
        (Model::PMedian { p }, false) => solve_assign(problem, *p, true, options, deadline)?,
        (Model::Mclp { p }, true) => solve_capacitated(problem, *p, options, deadline)?,
        (Model::PCenter { p }, _) => pcenter::solve_pcenter(problem, *p, options, deadline)?,
    };
    out.elapsed = start.elapsed();
    Ok(out)
}

/// Relative gap between an objective and a bound.
pub fn relative_gap(objective: f64, bound: f64) -> f64 {
    if !bound.is_finite() || !objective.is_finite() {
        return f64::INFINITY;
    }
    let d = (objective - bound).abs();
    if d <= 1e-9 * objective.abs().max(1.0) {
        return 0.0;
    }
    d / objective.abs().max(bound.abs()).max(1e-12)
}

fn lag_options(
    opt: &SitingOptions,
    deadline: Option<Instant>,
    nnz: usize,
    n_cand: usize,
) -> LagOptions {
    let big = is_big(nnz, n_cand);
    LagOptions {
        root_iterations: if big { 400 } else { 800 },
        node_iterations: 60,
        max_patience: 30,
        root_more_iterations: 0,
        root_more_patience: 0,
        max_nodes: opt.max_nodes.max(1),
        deadline,
        rel_gap: opt.gap_target,
        max_offset: None,
        repair_every: if big { 100 } else { 20 },
        // Large instances (city scale) still find better incumbents in the nodes; small ones
        // (OR-Library) do not, and bound twice as fast without them.
        repair_below_root: big,
    }
}

/// City scale: the Lagrangian search spends its effort differently above this size.
fn is_big(nnz: usize, n_cand: usize) -> bool {
    nnz + n_cand > 2_000_000
}

/// Demands whose reach row is empty, and those an existing facility covers.
fn coverage_flags(pr: &SitingProblem) -> (Vec<usize>, Vec<bool>) {
    let r = &pr.reach;
    let mut uncoverable = Vec::new();
    let mut by_existing = vec![false; r.n_demand];
    for (i, flag) in by_existing.iter_mut().enumerate() {
        if r.offsets[i] == r.offsets[i + 1] {
            uncoverable.push(i);
        }
        *flag = r.row(i).any(|(s, _)| (s as usize) < pr.n_existing);
    }
    (uncoverable, by_existing)
}

struct Assembled {
    chosen: Vec<u32>,
    objective: f64,
    bound: f64,
    method: String,
    nodes: usize,
    iterations: usize,
    flows: Vec<Flow>,
}

/// Fills the report fields common to every model.
fn assemble(
    pr: &SitingProblem,
    model: &str,
    sense: Sense,
    a: Assembled,
    table: &ReachTable,
    capacitated: Option<(f64, f64)>,
) -> SitingSolution {
    let (uncoverable, by_existing) = coverage_flags(pr);
    let mut chosen: Vec<usize> = a.chosen.iter().map(|&j| j as usize).collect();
    chosen.sort_unstable();
    chosen.dedup();
    let ne = pr.n_existing;
    let mut open = vec![false; pr.reach.n_sites];
    open[..ne].iter_mut().for_each(|o| *o = true);
    for &j in &chosen {
        open[ne + j] = true;
    }
    let mut slot = vec![usize::MAX; pr.reach.n_sites];
    let mut sites: Vec<ChosenSite> = chosen
        .iter()
        .enumerate()
        .map(|(k, &j)| {
            slot[ne + j] = k;
            ChosenSite {
                candidate: j,
                site: ne + j,
                newly_covered: Vec::new(),
                newly_covered_weight: 0.0,
                served_weight: 0.0,
            }
        })
        .collect();
    let total_weight: f64 = pr.weights.iter().sum();
    let mut covered_before = 0.0;
    let mut covered_after = 0.0;
    for i in 0..pr.reach.n_demand {
        let w = pr.weights[i];
        if by_existing[i] {
            covered_before += w;
            covered_after += w;
            continue;
        }
        let nearest_new = pr
            .reach
            .row(i)
            .filter(|&(s, _)| open[s as usize])
            .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        if let Some((s, _)) = nearest_new {
            covered_after += w;
            let k = slot[s as usize];
            sites[k].newly_covered.push(i);
            sites[k].newly_covered_weight += w;
        }
    }
    let assignment: Vec<Option<(usize, f64)>> = (0..table.n_demand)
        .map(|i| {
            table
                .row(i)
                .filter(|&(s, _)| open[s as usize])
                .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
                .map(|(s, m)| (s as usize, m))
        })
        .collect();
    if capacitated.is_some() {
        for f in &a.flows {
            if f.site >= ne {
                sites[slot[f.site]].served_weight += f.weight;
            }
        }
    } else {
        for (i, asg) in assignment.iter().enumerate() {
            if let Some((s, _)) = asg {
                if *s >= ne {
                    sites[slot[*s]].served_weight += pr.weights[i];
                }
            }
        }
    }
    if let Some((before, after)) = capacitated {
        covered_before = before;
        covered_after = after;
    }
    let bound = match sense {
        Sense::Minimise => a.bound.min(a.objective),
        Sense::Maximise => a.bound.max(a.objective),
    };
    let gap = relative_gap(a.objective, bound);
    SitingSolution {
        model: model.to_string(),
        method: a.method,
        sense,
        chosen,
        objective: a.objective,
        bound,
        gap,
        proven_optimal: gap == 0.0,
        uncoverable,
        total_weight,
        covered_before,
        covered_after,
        sites,
        assignment,
        flows: a.flows,
        nodes: a.nodes,
        iterations: a.iterations,
        elapsed: Duration::ZERO,
        certificate: None,
    }
}

fn backend(method: Method) -> Option<Backend> {
    match method {
        Method::Heuristic => None,
        Method::Exact => Some(Backend::Microlp),
        Method::ExactHighs => Some(Backend::Highs),
    }
}

fn remaining(deadline: Option<Instant>) -> Option<Duration> {
    deadline.map(|d| d.saturating_duration_since(Instant::now()))
}

/// The heuristic's options when an exact solver follows: root bound only.
fn warm_options(opt: &SitingOptions) -> SitingOptions {
    let mut o = opt.clone();
    if opt.method != Method::Heuristic {
        o.max_nodes = 1;
    }
    o
}

/// LSCP as a set cover over the candidates: the number of candidates, their costs (1 each when
/// none are given) and one row of candidates per demand that has people, no existing facility
/// within reach and some candidate within reach.
fn cover_instance(pr: &SitingProblem) -> (usize, Vec<f64>, Vec<Vec<u32>>) {
    let ne = pr.n_existing;
    let n_cand = pr.reach.n_sites - ne;
    let (_, by_existing) = coverage_flags(pr);
    let rows: Vec<Vec<u32>> = (0..pr.reach.n_demand)
        .filter(|&i| !by_existing[i] && pr.weights[i] > 0.0)
        .map(|i| {
            pr.reach
                .row(i)
                .filter(|&(s, _)| s as usize >= ne)
                .map(|(s, _)| s - ne as u32)
                .collect::<Vec<u32>>()
        })
        .filter(|row| !row.is_empty())
        .collect();
    let cost = pr.costs.clone().unwrap_or_else(|| vec![1.0; n_cand]);
    (n_cand, cost, rows)
}

fn solve_lscp(
    pr: &SitingProblem,
    opt: &SitingOptions,
    deadline: Option<Instant>,
) -> Result<SitingSolution> {
    let (n_cand, cost, rows) = cover_instance(pr);
    let search = cover_bnb::search(
        n_cand,
        &cost,
        &rows,
        warm_options(opt).max_nodes.max(1),
        opt.large_component_rows,
        deadline,
    )
    .map_err(bad)?;
    let data = CoverData::new(n_cand, cost, rows);
    let mut a = Assembled {
        chosen: search.sites,
        objective: search.value,
        bound: search.bound,
        // The incumbent comes from LP rounding on small components and from the neighbourhood
        // searches on large ones, so the label names only what every answer shares.
        method: "exact search (reductions + LP bound + branch-and-bound)".into(),
        nodes: search.nodes,
        iterations: search.lp_iterations,
        flows: Vec::new(),
    };
    let certificate = search.certificate;
    if let Some(b) = backend(opt.method) {
        let res = exact::solve_cover(
            &data,
            &a.chosen.clone(),
            b,
            remaining(deadline),
            opt.exact_warm_start,
        )
        .map_err(bad)?;
        let v = data.value(&res.sites);
        // A MILP answer must cover every row to count (a cold optimal one wins ties).
        if data.complete(&res.sites).len() == res.sites.len() || res.optimal {
            let trust = res.optimal && !opt.exact_warm_start;
            if trust || v <= a.objective + 1e-9 {
                a.chosen = res.sites;
                a.objective = v;
            }
            if res.optimal {
                a.bound = a.objective;
            } else if let Some(bound) = res.bound {
                a.bound = a.bound.max(cover_bound(&data, bound));
            }
        }
        a.method = b.name().into();
    }
    let mut sol = assemble(pr, "lscp", Sense::Minimise, a, &pr.reach, None);
    sol.certificate = Some(certificate);
    Ok(sol)
}

/// A MILP dual bound on a set cover's cost, rounded up when every cost is an integer (the
/// cover's value then is one too).
fn cover_bound(data: &CoverData, bound: f64) -> f64 {
    let bound = cover_bnb::ceil_bound(bound, data.integral);
    // Costs are >= 0, so 0 is a bound too (and no "-0" is printed).
    if bound > 0.0 {
        bound
    } else {
        0.0
    }
}

/// A model solved by HiGHS alone: cold (no hint), on the model without carecircle's reductions
/// (HiGHS presolves it itself), with the whole `time_limit`: the side-by-side figure of the
/// benchmarks (`benches/siting.rs`, `examples/lscp_city.rs`). [`Method::ExactHighs`] instead
/// runs carecircle's search first and hands HiGHS its incumbent and the time left. The bound is
/// HiGHS's dual bound (`mip_dual_bound`). LSCP, MCLP without capacities and p-median.
#[cfg(feature = "highs")]
pub fn solve_highs_cold(
    pr: &SitingProblem,
    model: &Model,
    time_limit: Duration,
) -> Result<SitingSolution> {
    let start = Instant::now();
    let opt = SitingOptions::default();
    let mut sol = match *model {
        Model::Lscp => {
            let (n_cand, cost, rows) = cover_instance(pr);
            let data = CoverData::new(n_cand, cost, rows);
            let res = exact::solve_cover(&data, &[], Backend::Highs, Some(time_limit), false)
                .map_err(bad)?;
            let objective = data.value(&res.sites);
            let a = Assembled {
                chosen: res.sites,
                objective,
                bound: res.bound.map_or(0.0, |b| cover_bound(&data, b)),
                method: Backend::Highs.name().into(),
                nodes: 0,
                iterations: 0,
                flows: Vec::new(),
            };
            assemble(pr, "lscp", Sense::Minimise, a, &pr.reach, None)
        }
        Model::Mclp { p } | Model::PMedian { p } => {
            let pmedian = matches!(model, Model::PMedian { .. });
            let (data, table, _) = assign_data(pr, p, pmedian, &opt, false);
            let res = exact::solve_assign(&data, &[], Backend::Highs, Some(time_limit), false)
                .map_err(bad)?;
            let value = State::new(&data, &res.sites).value();
            let found = Found {
                value,
                // Every cost is >= 0: 0 is a bound when HiGHS gives none.
                bound: res.bound.unwrap_or(0.0),
                method: Backend::Highs.name().into(),
                nodes: 0,
                iterations: 0,
            };
            assign_solution(pr, pmedian, &data, table, &res.sites, found)
        }
        _ => {
            return Err(Error::Usage(
                "HiGHS alone is measured for LSCP, MCLP and p-median only".into(),
            ))
        }
    };
    sol.elapsed = start.elapsed();
    Ok(sol)
}

/// How the assignment engine's data relates to the problem's demands and candidates.
struct AssignMap {
    /// The data row each demand went into (MCLP merges demands reached by the same
    /// candidates); `None` for a demand that only adds a constant 0.
    row_of: Vec<Option<u32>>,
    /// Candidates the presolve left out, each with a surviving candidate that dominates it.
    dominated: Vec<(usize, usize)>,
    /// Each demand's own fallback cost `f_i` (before any merging).
    demand_fallback: Vec<f64>,
}

/// The assignment engine's data for MCLP (`pmedian == false`) or p-median, and the table it
/// reads. With `presolve`, candidates dominated by another go and (MCLP) demands with the same
/// candidates act as one; without, the model is handed whole to another solver (HiGHS alone),
/// which has its own presolve. The [`AssignMap`] says where each demand and candidate went.
fn assign_data<'p>(
    pr: &'p SitingProblem,
    p: usize,
    pmedian: bool,
    opt: &SitingOptions,
    presolve: bool,
) -> (AssignData, &'p ReachTable, AssignMap) {
    let ne = pr.n_existing;
    let n_cand = pr.reach.n_sites - ne;
    let table = if pmedian {
        pr.full.as_ref().unwrap_or(&pr.reach)
    } else {
        &pr.reach
    };
    let penalty = if pmedian {
        opt.unreached_minutes.unwrap_or(if pr.full.is_some() {
            f64::INFINITY
        } else {
            2.0 * pr.reach.limit_min
        })
    } else {
        f64::INFINITY
    };
    let (_, by_existing) = coverage_flags(pr);
    let mut fallback = Vec::with_capacity(table.n_demand);
    let mut rows = Vec::with_capacity(table.n_demand);
    for i in 0..table.n_demand {
        let w = pr.weights[i];
        let mut row: Vec<(u32, f64)> = Vec::new();
        let mut f = if pmedian { w * penalty } else { w };
        if !pmedian && by_existing[i] {
            f = 0.0;
        }
        let mut far = 0.0f64;
        for (s, m) in table.row(i) {
            let s = s as usize;
            if s < ne {
                if pmedian {
                    f = f.min(w * m);
                }
            } else {
                row.push(((s - ne) as u32, if pmedian { w * m } else { 0.0 }));
                far = far.max(w * m);
            }
        }
        if !f.is_finite() {
            f = if row.is_empty() { 0.0 } else { 2.0 * far + w };
        }
        if w == 0.0 {
            f = 0.0;
        }
        fallback.push(f);
        rows.push(row);
    }
    // Candidates dominated by another (reaches a superset of demands, each no slower) are
    // never needed: removing them shrinks the search without changing the optimum.
    for (row, &f) in rows.iter_mut().zip(&fallback) {
        // Entries no cheaper than the fallback never matter (AssignData drops them too).
        row.retain(|e| e.1 < f);
        row.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
        row.dedup_by_key(|e| e.0);
    }
    let identity = AssignMap {
        row_of: (0..rows.len() as u32).map(Some).collect(),
        dominated: Vec::new(),
        demand_fallback: fallback.clone(),
    };
    if !presolve {
        return (AssignData::new(n_cand, p, fallback, rows), table, identity);
    }
    let dominator = reduce::dominated_assign_columns(n_cand, &rows);
    for row in rows.iter_mut() {
        row.retain(|e| dominator[e.0 as usize].is_none());
    }
    // Each left-out candidate with a survivor that dominates it: domination is transitive and
    // strict in (demands, -index), so following the chain ends at a survivor.
    let dominated = (0..n_cand)
        .filter_map(|j| {
            let mut k = dominator[j]?;
            while let Some(next) = dominator[k as usize] {
                k = next;
            }
            Some((j, k as usize))
        })
        .collect();
    // MCLP: demands reached by the same candidates act as one (weights add up).
    let demand_fallback = identity.demand_fallback;
    let (fallback, rows, row_of) = if pmedian {
        (fallback, rows, identity.row_of)
    } else {
        merge_identical_rows(fallback, rows)
    };
    let map = AssignMap {
        row_of,
        dominated,
        demand_fallback,
    };
    (AssignData::new(n_cand, p, fallback, rows), table, map)
}

/// The root's multipliers as a certificate over the problem's demands: a merged row's
/// multiplier is shared among its demands in proportion to their fallback costs, which leaves
/// `L(λ)` unchanged (every term is linear in `λ_i` and `f_i` within a merged row).
fn dual_certificate(
    data: &AssignData,
    map: AssignMap,
    root: &RootDual,
    total: Option<f64>,
) -> DualCertificate {
    let multipliers = map
        .row_of
        .iter()
        .zip(&map.demand_fallback)
        .map(|(row, &f)| match row {
            Some(r) if data.fallback[*r as usize] > 0.0 => {
                root.lambda[*r as usize] * (f / data.fallback[*r as usize])
            }
            _ => 0.0,
        })
        .collect();
    DualCertificate {
        multipliers,
        dominated: map.dominated,
        bound: match total {
            Some(t) => t - root.bound,
            None => root.bound,
        },
    }
}

fn solve_assign(
    pr: &SitingProblem,
    p: usize,
    pmedian: bool,
    opt: &SitingOptions,
    deadline: Option<Instant>,
) -> Result<SitingSolution> {
    let (data, table, map) = assign_data(pr, p, pmedian, opt, true);
    let state = assign::heuristic(&data, &[], deadline);
    let ub = state.value();
    let lopt = lag_options(&warm_options(opt), deadline, data.d_cand.len(), data.n_cand);
    let total: f64 = pr.weights.iter().sum();
    let mut lopt = LagOptions {
        max_offset: (!pmedian).then_some(total),
        ..lopt
    };
    if pmedian && is_big(data.d_cand.len(), data.n_cand) {
        // The city-scale p-median root runs its subgradient on to convergence once the first
        // 400 steps and the incumbent search leave a gap: on the dense table (10,000 x
        // 50,000) the 400 steps stop at 34,959,870 (patience 30: run on to 2,937 steps they
        // stall at 34,975,445), and 3,000 further steps with patience 200 reach 34,994,026
        // in about 11 s (from the start with patience 100: 2,500 steps 34,996,079, 7,300
        // steps 34,996,562). A deeper root also closes more sites by reduced cost. After the
        // incumbent search, so that runs the first steps already settle (p = 300 at a 1 %
        // target, tests/siting_scale.rs) stop where they did.
        lopt.root_more_iterations = 3000;
        lopt.root_more_patience = 200;
    }
    let mut relax = AssignRelax::new(&data, deadline);
    if pmedian && is_big(data.d_cand.len(), data.n_cand) {
        relax = relax.relocating_anywhere();
    }
    let out = Driver::new(&mut relax, lopt, ub, state.sites()).run();
    let dual = out
        .root
        .as_ref()
        .map(|r| dual_certificate(&data, map, r, (!pmedian).then_some(total)));
    let mut best = out.best.clone();
    let mut value = out.ub;
    let mut lb = out.lb;
    let mut method = "heuristic (greedy + fast swap + Lagrangian branch-and-bound)".to_string();
    if let Some(b) = backend(opt.method) {
        let res = exact::solve_assign(&data, &best, b, remaining(deadline), opt.exact_warm_start)
            .map_err(bad)?;
        let v = State::new(&data, &res.sites).value();
        let trust = res.optimal && !opt.exact_warm_start;
        if trust || v <= value + 1e-9 * value.abs().max(1.0) {
            best = res.sites;
            value = v;
        }
        if res.optimal {
            lb = value;
        } else if let Some(bound) = res.bound {
            lb = lb.max(bound);
        }
        method = b.name().into();
    }
    let found = Found {
        value,
        bound: lb,
        method,
        nodes: out.nodes,
        iterations: out.iterations,
    };
    let mut sol = assign_solution(pr, pmedian, &data, table, &best, found);
    sol.certificate = Some(Certificate {
        nodes: out.nodes,
        lp_iterations: out.iterations,
        dual,
        ..Certificate::default()
    });
    Ok(sol)
}

/// Re-checks an MCLP or p-median dual certificate against the problem, independently of the
/// search: checks every listed domination, then computes `L(λ)` (see [`DualCertificate`]) from
/// the reach table and the weights alone. Returns the bound in the model's reported units: a
/// lower bound on the p-median's weighted minutes, an upper bound on MCLP's covered weight.
/// Errors when the certificate does not fit the problem or a listed domination does not hold.
pub fn check_dual(
    problem: &SitingProblem,
    model: &Model,
    options: &SitingOptions,
    dual: &DualCertificate,
) -> Result<f64> {
    validate(problem, model, options)?;
    let (p, pmedian) = match (model, options.capacitated) {
        (Model::Mclp { p }, false) => (*p, false),
        (Model::PMedian { p }, false) => (*p, true),
        _ => {
            return Err(bad(
                "a dual certificate is given for MCLP and p-median without capacities only",
            ))
        }
    };
    let (data, _, _) = assign_data(problem, p, pmedian, options, false);
    let lambda = &dual.multipliers;
    if lambda.len() != data.n_dem || lambda.iter().any(|x| !x.is_finite()) {
        return Err(bad(format!(
            "the certificate has {} multipliers for {} demands, or one that is not a number",
            lambda.len(),
            data.n_dem
        )));
    }
    // Column `k`'s cost for demand `i` (columns are sorted by demand).
    let cost_in = |k: usize, i: u32| -> Option<f64> {
        let r = data.s_off[k]..data.s_off[k + 1];
        let dem = &data.s_dem[r.clone()];
        dem.binary_search(&i).ok().map(|x| data.s_cost[r.start + x])
    };
    let mut left_out = vec![false; data.n_cand];
    for &(j, _) in &dual.dominated {
        if j >= data.n_cand || std::mem::replace(&mut left_out[j], true) {
            return Err(bad(format!(
                "dominated candidate {j} is out of range or listed twice"
            )));
        }
    }
    for &(j, k) in &dual.dominated {
        if k >= data.n_cand || left_out[k] {
            return Err(bad(format!(
                "candidate {j}'s dominator {k} is out of range or itself left out"
            )));
        }
        for e in data.s_off[j]..data.s_off[j + 1] {
            let i = data.s_dem[e];
            if !cost_in(k, i).is_some_and(|c| c <= data.s_cost[e]) {
                return Err(bad(format!(
                    "candidate {k} does not dominate candidate {j}: demand {i} is reached by \
                     {j} at {} and not as cheaply by {k}",
                    data.s_cost[e]
                )));
            }
        }
    }
    let mut value: f64 = (0..data.n_dem)
        .map(|i| lambda[i] + (data.fallback[i] - lambda[i]).min(0.0))
        .sum();
    let mut rho: Vec<f64> = (0..data.n_cand)
        .filter(|&j| !left_out[j])
        .map(|j| {
            (data.s_off[j]..data.s_off[j + 1])
                .map(|e| (data.s_cost[e] - lambda[data.s_dem[e] as usize]).min(0.0))
                .sum()
        })
        .collect();
    rho.sort_by(f64::total_cmp);
    value += rho.iter().take(data.k).sum::<f64>();
    Ok(if pmedian {
        value
    } else {
        problem.weights.iter().sum::<f64>() - value
    })
}

/// What a search over the assignment engine's data ends with (internal minimisation units).
struct Found {
    value: f64,
    bound: f64,
    method: String,
    nodes: usize,
    iterations: usize,
}

/// An MCLP or p-median answer from the assignment engine's sites and values.
fn assign_solution(
    pr: &SitingProblem,
    pmedian: bool,
    data: &AssignData,
    table: &ReachTable,
    best: &[u32],
    found: Found,
) -> SitingSolution {
    let Found {
        value,
        bound: lb,
        method,
        nodes,
        iterations,
    } = found;
    let total: f64 = pr.weights.iter().sum();
    // Drop sites that serve nobody (they change nothing).
    let st = State::new(data, best);
    let useful: Vec<u32> = best
        .iter()
        .copied()
        .filter(|&j| st.f1.contains(&j))
        .collect();
    let a = if pmedian {
        Assembled {
            chosen: useful,
            objective: value,
            bound: lb,
            method,
            nodes,
            iterations,
            flows: Vec::new(),
        }
    } else {
        Assembled {
            chosen: useful,
            objective: total - value,
            bound: total - lb,
            method,
            nodes,
            iterations,
            flows: Vec::new(),
        }
    };
    let (name, sense) = if pmedian {
        ("pmedian", Sense::Minimise)
    } else {
        ("mclp", Sense::Maximise)
    };
    assemble(pr, name, sense, a, table, None)
}

/// The assignment engine's rows: per row its (candidate, cost) entries.
type Rows = Vec<Vec<(u32, f64)>>;

/// Merges demands with the same candidate list (MCLP, where every entry costs 0): one row with
/// the summed fallback weight, in order of first appearance. Rows with no candidate go into
/// one last row without entries, which only adds a constant. Also returns the row each demand
/// went into (`None` for a demand without candidates when that constant is 0).
fn merge_identical_rows(fallback: Vec<f64>, rows: Rows) -> (Vec<f64>, Rows, Vec<Option<u32>>) {
    let mut index: std::collections::HashMap<Vec<u32>, usize> = std::collections::HashMap::new();
    let mut out_f: Vec<f64> = Vec::new();
    let mut out_r: Vec<Vec<(u32, f64)>> = Vec::new();
    let mut row_of: Vec<Option<u32>> = Vec::with_capacity(rows.len());
    let mut constant = 0.0;
    let mut in_constant: Vec<usize> = Vec::new();
    for (f, row) in fallback.into_iter().zip(rows) {
        if row.is_empty() {
            constant += f;
            in_constant.push(row_of.len());
            row_of.push(None);
            continue;
        }
        let key: Vec<u32> = row.iter().map(|e| e.0).collect();
        match index.get(&key) {
            Some(&k) => {
                out_f[k] += f;
                row_of.push(Some(k as u32));
            }
            None => {
                index.insert(key, out_f.len());
                row_of.push(Some(out_f.len() as u32));
                out_f.push(f);
                out_r.push(row);
            }
        }
    }
    if constant > 0.0 {
        for &i in &in_constant {
            row_of[i] = Some(out_f.len() as u32);
        }
        out_f.push(constant);
        out_r.push(Vec::new());
    }
    (out_f, out_r, row_of)
}

fn solve_capacitated(
    pr: &SitingProblem,
    p: usize,
    opt: &SitingOptions,
    deadline: Option<Instant>,
) -> Result<SitingSolution> {
    let ne = pr.n_existing;
    let n_cand = pr.reach.n_sites - ne;
    let caps = pr
        .capacities
        .clone()
        .ok_or_else(|| bad("the capacitated model needs site capacities"))?;
    let rows: Vec<Vec<u32>> = (0..pr.reach.n_demand)
        .map(|i| {
            if pr.weights[i] > 0.0 {
                pr.reach.row(i).map(|(s, _)| s).collect()
            } else {
                Vec::new()
            }
        })
        .collect();
    let weights: Vec<f64> = (0..pr.reach.n_demand)
        .map(|i| {
            if rows[i].is_empty() {
                0.0
            } else {
                pr.weights[i]
            }
        })
        .collect();
    let mut data = CapData::new(weights, ne, caps, &rows, p);
    let total = data.total();
    let before = data.served_set(&[]);
    let (served, start) = data.heuristic(&[], deadline, capacitated::SWAP_EVALS);
    let n_arcs: usize = rows.iter().map(Vec::len).sum();
    let lopt = LagOptions {
        max_offset: Some(total),
        ..lag_options(&warm_options(opt), deadline, n_arcs, n_cand)
    };
    let mut relax = CapRelax {
        data: &mut data,
        deadline,
    };
    let out = Driver::new(&mut relax, lopt, total - served, start).run();
    let mut best = out.best.clone();
    let mut value = total - out.ub;
    let mut bound = total - out.lb;
    let mut method = "heuristic (greedy + swap + Lagrangian branch-and-bound)".to_string();
    if let Some(b) = backend(opt.method) {
        let res = exact::solve_capacitated(
            &mut data,
            &best,
            b,
            remaining(deadline),
            opt.exact_warm_start,
        )
        .map_err(bad)?;
        let v = data.served_set(&res.sites);
        let trust = res.optimal && !opt.exact_warm_start;
        if trust || v >= value - 1e-9 * value.abs().max(1.0) {
            best = res.sites;
            value = v;
        }
        if res.optimal {
            bound = value;
        }
        method = b.name().into();
    }
    let after = data.served_set(&best);
    let flows: Vec<Flow> = data
        .net
        .assignment()
        .into_iter()
        .map(|(demand, site, weight)| Flow {
            demand,
            site,
            weight,
        })
        .collect();
    let useful: Vec<u32> = best
        .iter()
        .copied()
        .filter(|&j| flows.iter().any(|f| f.site == ne + j as usize))
        .collect();
    let a = Assembled {
        chosen: useful,
        objective: after,
        bound,
        method,
        nodes: out.nodes,
        iterations: out.iterations,
        flows,
    };
    Ok(assemble(
        pr,
        "mclp-capacitated",
        Sense::Maximise,
        a,
        &pr.reach,
        Some((before, after)),
    ))
}
