//! Several kinds sited together: one candidate may host several kinds, and co-locating shares
//! the site cost. The plan covers every kind's coverable demand (an LSCP per kind) and
//! minimises `Σ_sites cost_j + Σ_(site, kind hosted) cost_per_kind_k`; with unit site costs and
//! no per-kind cost that is the fewest distinct sites.
//!
//! Solved in two stages through the public [`solve`](super::solve):
//! 1. the **combined LSCP**: one row per (kind, demand) that needs cover, a candidate covering
//!    the rows its kind reaches; its answer is the set of distinct sites;
//! 2. per kind, an LSCP restricted to those sites with the kind's cost decides which of them
//!    host the kind.
//!
//! The plan is compared with siting each kind alone (the union of the separate LSCPs) and the
//! cheaper one is kept, so joint siting never costs more — and with unit site costs never
//! needs more distinct sites — than separate siting. The bound adds the combined LSCP's bound
//! (the site costs any plan pays) and each kind's LSCP bound times its per-kind cost.

use super::{solve, Model, SitingOptions, SitingProblem, SitingSolution};
use crate::reach_table::ReachTable;
use crate::Result;

/// One kind of a joint problem: its demand weights and its table, sites being the kind's
/// `n_existing` existing facilities first, then the shared candidates (same order for every
/// kind).
#[derive(Debug, Clone)]
pub struct JointKind {
    pub weights: Vec<f64>,
    pub reach: ReachTable,
    pub n_existing: usize,
    /// Cost of hosting this kind at a site, on top of the site's cost.
    pub cost_per_kind: f64,
}

/// Kinds sharing one list of candidates.
#[derive(Debug, Clone)]
pub struct JointProblem {
    pub kinds: Vec<JointKind>,
    pub n_candidates: usize,
    /// Cost of opening each candidate (1 each when `None`).
    pub site_costs: Option<Vec<f64>>,
}

/// The joint plan.
#[derive(Debug, Clone)]
pub struct JointSolution {
    /// Distinct candidates opened, ascending.
    pub sites: Vec<usize>,
    /// Per kind: the candidates hosting it, ascending (a subset of `sites`).
    pub hosted: Vec<Vec<usize>>,
    /// `Σ site costs + Σ per-kind costs` of this plan.
    pub cost: f64,
    /// A proven lower bound on the cost of any plan covering every kind.
    pub bound: f64,
    pub gap: f64,
    /// The same figures for siting each kind alone (the union of the separate LSCPs).
    pub separate_sites: Vec<usize>,
    pub separate_hosted: Vec<Vec<usize>>,
    pub separate_cost: f64,
    /// True when the two-stage plan was kept, false when the separate plan was cheaper.
    pub joint_plan_kept: bool,
    /// Per kind: the kind's solution (with the kind's own table) for the sites it hosts.
    pub per_kind: Vec<SitingSolution>,
}

fn check(pr: &JointProblem) -> Result<()> {
    let bad = |m: String| crate::Error::Other(format!("joint siting: {m}"));
    for (k, kind) in pr.kinds.iter().enumerate() {
        if kind.reach.n_sites != kind.n_existing + pr.n_candidates {
            return Err(bad(format!(
                "kind {k} has {} sites, expected {} existing + {} candidates",
                kind.reach.n_sites, kind.n_existing, pr.n_candidates
            )));
        }
        if !(kind.cost_per_kind.is_finite() && kind.cost_per_kind >= 0.0) {
            return Err(bad(format!("kind {k}: cost_per_kind must be >= 0")));
        }
    }
    if let Some(c) = &pr.site_costs {
        if c.len() != pr.n_candidates {
            return Err(bad(format!(
                "{} site costs for {} candidates",
                c.len(),
                pr.n_candidates
            )));
        }
    }
    Ok(())
}

/// The kind's problem with only the candidates in `allowed` (others removed from the table).
fn restricted(kind: &JointKind, allowed: &[bool], cost: f64) -> SitingProblem {
    let ne = kind.n_existing;
    let mut trip = Vec::new();
    for i in 0..kind.reach.n_demand {
        for (s, m) in kind.reach.row(i) {
            let s_us = s as usize;
            if s_us < ne || allowed[s_us - ne] {
                trip.push((i as u32, s, m));
            }
        }
    }
    let reach = ReachTable::from_triplets(
        kind.reach.n_demand,
        kind.reach.n_sites,
        kind.reach.limit_min,
        trip,
    );
    let n_cand = kind.reach.n_sites - ne;
    SitingProblem {
        weights: kind.weights.clone(),
        reach,
        n_existing: ne,
        costs: Some(
            (0..n_cand)
                .map(|j| if allowed[j] { cost } else { 1e9 })
                .collect(),
        ),
        capacities: None,
        full: None,
    }
}

fn plan_cost(pr: &JointProblem, sites: &[usize], hosted: &[Vec<usize>]) -> f64 {
    let site: f64 = sites
        .iter()
        .map(|&j| pr.site_costs.as_ref().map_or(1.0, |c| c[j]))
        .sum();
    let kinds: f64 = pr
        .kinds
        .iter()
        .zip(hosted)
        .map(|(k, h)| k.cost_per_kind * h.len() as f64)
        .sum();
    site + kinds
}

/// Sites several kinds together (see the module doc).
pub fn solve_joint(pr: &JointProblem, options: &SitingOptions) -> Result<JointSolution> {
    check(pr)?;
    let nc = pr.n_candidates;
    let lscp = Model::Lscp;
    let options = SitingOptions {
        capacitated: false,
        ..options.clone()
    };
    // Separate siting: each kind's own LSCP over every candidate.
    let mut separate_hosted = Vec::new();
    let mut kind_bounds = Vec::new();
    for kind in &pr.kinds {
        let s = solve(
            &SitingProblem {
                weights: kind.weights.clone(),
                reach: kind.reach.clone(),
                n_existing: kind.n_existing,
                ..SitingProblem::default()
            },
            &lscp,
            &options,
        )?;
        kind_bounds.push(s.bound);
        separate_hosted.push(s.chosen);
    }
    let mut separate_sites: Vec<usize> = separate_hosted.iter().flatten().copied().collect();
    separate_sites.sort_unstable();
    separate_sites.dedup();

    // Stage 1: the combined LSCP. Existing facilities of every kind come first (each listed
    // in its own kind's rows only), then the shared candidates.
    let n_existing: usize = pr.kinds.iter().map(|k| k.n_existing).sum();
    let mut trip = Vec::new();
    let mut weights = Vec::new();
    let mut offset = 0u32;
    for kind in &pr.kinds {
        let ne = kind.n_existing as u32;
        for i in 0..kind.reach.n_demand {
            let row = weights.len() as u32;
            weights.push(kind.weights[i]);
            for (s, m) in kind.reach.row(i) {
                let site = if s < ne {
                    offset + s
                } else {
                    n_existing as u32 + (s - ne)
                };
                trip.push((row, site, m));
            }
        }
        offset += ne;
    }
    let combined = SitingProblem {
        reach: ReachTable::from_triplets(weights.len(), n_existing + nc, f64::INFINITY, trip),
        weights,
        n_existing,
        costs: pr.site_costs.clone(),
        capacities: None,
        full: None,
    };
    let stage1 = solve(&combined, &lscp, &options)?;
    // Stage 2: which chosen sites host each kind.
    let mut allowed = vec![false; nc];
    for &j in &stage1.chosen {
        allowed[j] = true;
    }
    let mut hosted = Vec::new();
    for kind in &pr.kinds {
        // With no per-kind cost, host each kind at as few of the sites as will do.
        let cost = if kind.cost_per_kind > 0.0 {
            kind.cost_per_kind
        } else {
            1.0
        };
        let s = solve(&restricted(kind, &allowed, cost), &lscp, &options)?;
        hosted.push(s.chosen);
    }
    let mut sites: Vec<usize> = hosted.iter().flatten().copied().collect();
    sites.sort_unstable();
    sites.dedup();
    let joint_cost = plan_cost(pr, &sites, &hosted);
    let separate_cost = plan_cost(pr, &separate_sites, &separate_hosted);
    let joint_plan_kept = joint_cost <= separate_cost + 1e-9;
    let (sites, hosted, cost) = if joint_plan_kept {
        (sites, hosted, joint_cost)
    } else {
        (
            separate_sites.clone(),
            separate_hosted.clone(),
            separate_cost,
        )
    };
    let bound = (stage1.bound
        + pr.kinds
            .iter()
            .zip(&kind_bounds)
            .map(|(k, b)| k.cost_per_kind * b)
            .sum::<f64>())
    .min(cost);
    // Each kind's own report for the sites it hosts.
    let mut per_kind = Vec::new();
    for (kind, h) in pr.kinds.iter().zip(&hosted) {
        let mut only = vec![false; nc];
        for &j in h {
            only[j] = true;
        }
        per_kind.push(solve(&restricted(kind, &only, 1.0), &lscp, &options)?);
    }
    Ok(JointSolution {
        gap: super::relative_gap(cost, bound),
        sites,
        hosted,
        cost,
        bound,
        separate_sites,
        separate_hosted,
        separate_cost,
        joint_plan_kept,
        per_kind,
    })
}
