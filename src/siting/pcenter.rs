//! p-center: at most `p` new sites minimising the worst minutes from any elderly person
//! (demand of weight > 0) to the nearest open site, existing facilities included.
//!
//! Solved exactly by bisection over the coverage radius (Minieka 1970; Daskin 2013 §5): the
//! optimal radius is one of the distinct minutes in the table, and "some `p` sites reach every
//! demand within `r`" is an LSCP on the table cut at `r`, solved through the public
//! [`solve`](super::solve). Radius `r` is feasible when the LSCP needs at most `p` new sites and
//! proven infeasible when its lower bound exceeds `p`; the answer's bound is the smallest radius
//! not proven infeasible, so an LSCP stopped early shows up as a gap, never as a wrong claim.
//!
//! Minutes come from [`SitingProblem::full`] when given, else from the reach table. Demands no
//! site reaches at all are left out and listed in `uncoverable`.

use std::time::Instant;

use super::{
    assemble, remaining, solve, Assembled, Model, Sense, SitingOptions, SitingProblem,
    SitingSolution,
};
use crate::reach_table::ReachTable;
use crate::Result;

/// The table cut at `radius` (every pair within it).
fn cut(table: &ReachTable, radius: f64) -> ReachTable {
    let mut triplets = Vec::new();
    for i in 0..table.n_demand {
        for (s, m) in table.row(i) {
            if m <= radius + 1e-9 {
                triplets.push((i as u32, s, m));
            }
        }
    }
    ReachTable::from_triplets(table.n_demand, table.n_sites, radius, triplets)
}

/// What the LSCP says about one radius.
enum Verdict {
    /// At most `p` sites reach everyone within the radius: these.
    Feasible(Vec<usize>),
    /// More than `p` sites are needed, proven by the LSCP's bound.
    Infeasible,
    /// Neither proven (the LSCP stopped with a gap around `p`).
    Unknown,
}

pub(super) fn solve_pcenter(
    pr: &SitingProblem,
    p: usize,
    opt: &SitingOptions,
    deadline: Option<Instant>,
) -> Result<SitingSolution> {
    let table = pr.full.as_ref().unwrap_or(&pr.reach);
    let ne = pr.n_existing;
    // Every demand must reach some site: the radius is at least the worst of the nearest
    // minutes; it is one of the distinct minutes at or above that.
    let mut floor = 0.0f64;
    let mut radii: Vec<f64> = Vec::new();
    for i in 0..table.n_demand {
        if pr.weights[i] <= 0.0 {
            continue;
        }
        let mut nearest = f64::INFINITY;
        for (_, m) in table.row(i) {
            nearest = nearest.min(m);
            radii.push(m);
        }
        if nearest.is_finite() {
            floor = floor.max(nearest);
        }
    }
    radii.retain(|&r| r >= floor);
    radii.sort_by(f64::total_cmp);
    radii.dedup();

    let lscp_options = SitingOptions {
        time_limit: remaining(deadline),
        capacitated: false,
        ..opt.clone()
    };
    let mut lscps = 0usize;
    let mut nodes = 0usize;
    let mut judge = |radius: f64| -> Result<Verdict> {
        let sub = SitingProblem {
            weights: pr.weights.clone(),
            reach: cut(table, radius),
            n_existing: ne,
            costs: None,
            capacities: None,
            full: None,
        };
        let options = SitingOptions {
            time_limit: remaining(deadline),
            ..lscp_options.clone()
        };
        let s = solve(&sub, &Model::Lscp, &options)?;
        lscps += 1;
        nodes += s.nodes;
        // Rows with no site within the radius but some site farther away make the radius
        // infeasible outright (LSCP lists them as uncoverable).
        let short = s
            .uncoverable
            .iter()
            .any(|&i| pr.weights[i] > 0.0 && table.offsets[i] < table.offsets[i + 1]);
        Ok(if short {
            Verdict::Infeasible
        } else if s.chosen.len() <= p {
            Verdict::Feasible(s.chosen)
        } else if s.bound > p as f64 + 1e-9 {
            Verdict::Infeasible
        } else {
            Verdict::Unknown
        })
    };

    // Bisection over the index of the radius: radii[hi] is feasible; radii[bound_at] is the
    // smallest radius not proven infeasible.
    let mut chosen: Vec<usize> = Vec::new();
    let mut bound_at = 0usize;
    let mut reachable = true;
    if let Some(top) = radii.len().checked_sub(1) {
        match judge(radii[top])? {
            Verdict::Feasible(s) => {
                chosen = s;
                let (mut lo, mut hi) = (0usize, top);
                while lo < hi {
                    let mid = lo + (hi - lo) / 2;
                    match judge(radii[mid])? {
                        Verdict::Feasible(s) => {
                            hi = mid;
                            chosen = s;
                        }
                        Verdict::Infeasible => {
                            lo = mid + 1;
                            bound_at = lo;
                        }
                        // Not proven either way: look above; the bound stays where it is.
                        Verdict::Unknown => lo = mid + 1,
                    }
                }
            }
            // With p new sites some elderly people stay out of every site's row.
            _ => reachable = false,
        }
    }
    // The worst minutes of the chosen set, measured (the radius it was found at is an upper
    // bound; the set may do better).
    let mut open = vec![false; table.n_sites];
    open[..ne].iter_mut().for_each(|o| *o = true);
    for &j in &chosen {
        open[ne + j] = true;
    }
    let mut worst = 0.0f64;
    for i in 0..table.n_demand {
        if pr.weights[i] <= 0.0 || table.offsets[i] == table.offsets[i + 1] {
            continue;
        }
        let best = table
            .row(i)
            .filter(|&(s, _)| open[s as usize])
            .map(|(_, m)| m)
            .fold(f64::INFINITY, f64::min);
        worst = worst.max(best);
    }
    let objective = if reachable { worst } else { f64::INFINITY };
    let bound = if reachable {
        radii.get(bound_at).copied().unwrap_or(objective)
    } else {
        f64::INFINITY
    };
    let a = Assembled {
        chosen: chosen.iter().map(|&j| j as u32).collect(),
        objective,
        bound,
        method: format!(
            "bisection over {} radii, {lscps} LSCPs ({})",
            radii.len(),
            match opt.method {
                super::Method::Heuristic => "Lagrangian branch-and-bound",
                super::Method::Exact => "good_lp + microlp",
                super::Method::ExactHighs => "good_lp + HiGHS",
            }
        ),
        nodes,
        iterations: lscps,
        flows: Vec::new(),
    };
    Ok(assemble(pr, "pcenter", Sense::Minimise, a, table, None))
}
