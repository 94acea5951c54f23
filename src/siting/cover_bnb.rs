//! Exact LSCP: reductions, independent components, and per component an LP-based
//! branch-and-bound.
//!
//! Per component the LP relaxation `min Σ c_j x_j, Σ_{j ∈ row} x_j >= 1, 0 <= x <= 1` is solved
//! by microlp's simplex (pure Rust); branching fixes a variable with `fix_var`, which re-solves
//! from the parent's basis by dual simplex. The search is depth-first on the branch that sets
//! the fractional variable nearest 1 to 1 (a dive that finds covers early), the other branch
//! later. Every node's cover heuristic (LP values >= 0.5 opened, completed greedily, redundant
//! sites dropped) feeds the incumbent. With integer costs a node is pruned once
//! `ceil(LP − 1e-6) >= incumbent`, so the proof is exact; nothing depends on the clock (node
//! counts decide, a time limit only stops).
//!
//! Components above `LP_MAX_ROWS` rows (the city instance's one component of 4,366 rows) take
//! [`large_component`]: clarabel's interior point for the LP bound, then neighbourhood search
//! for the incumbent and the Lagrangian branch-and-bound for the rest (see there).

use std::time::Instant;

use microlp::{ComparisonOp, LinearExpr, OptimizationDirection, Problem, Solution, Variable};

use super::certificate::{Certificate, ComponentSummary};
use super::cover::{CoverData, CoverRelax};
use super::lagrange::{Driver, LagOptions};
use super::reduce::{components, reduce};
use super::{cover_heur, cover_lp, cover_rwls, cover_split};

/// The outcome on one component.
#[derive(Debug, Clone)]
pub(crate) struct ComponentResult {
    /// Chosen candidates, local to the component.
    pub sites: Vec<u32>,
    pub value: f64,
    /// Proven lower bound (rounded up with integer costs).
    pub bound: f64,
    pub root_lp: f64,
    pub nodes: usize,
    pub lp_iterations: u64,
}

const EPS: f64 = 1e-6;

/// A bound rounded up when every cost is an integer (a cover's value then is one too).
pub(crate) fn ceil_bound(x: f64, integral: bool) -> f64 {
    if integral {
        (x - EPS).ceil()
    } else {
        x
    }
}

struct Search<'a> {
    data: &'a CoverData,
    vars: Vec<Variable>,
    best: Vec<u32>,
    ub: f64,
    nodes: usize,
    lp_iterations: u64,
}

impl Search<'_> {
    fn values(&self, sol: &Solution) -> Vec<f64> {
        self.vars.iter().map(|&v| sol.var_value_raw(v)).collect()
    }

    /// Rounds an LP point into a cover and keeps it when it beats the incumbent.
    fn round(&mut self, x: &[f64]) {
        let start: Vec<u32> = (0..x.len() as u32)
            .filter(|&j| x[j as usize] >= 0.5)
            .collect();
        let cover = self.data.complete(&start);
        let v = self.data.value(&cover);
        if v < self.ub - 1e-9 {
            self.ub = v;
            self.best = cover;
        }
    }

    fn prunes(&self, lp: f64) -> bool {
        let b = ceil_bound(lp, self.data.integral);
        if self.data.integral {
            b >= self.ub - 0.5
        } else {
            b >= self.ub - 1e-9 * self.ub.abs().max(1.0)
        }
    }
}

/// Components with more rows than this get the large-component search: microlp's simplex needs
/// minutes on the city instance's one large component (4,366 rows × 7,396 candidates after the
/// reductions).
pub(crate) const LP_MAX_ROWS: usize = 1500;

/// Row-weighting local search steps, counted (never timed): 32 per coverage nonzero, as many
/// as the work budget allows on dense components (a step touches more there), within
/// 20,000..=2,000,000. The city component (61,372 nonzeros) gets 1,963,904 steps, about 5 s.
const RWLS_STEPS_PER_NONZERO: u64 = 32;
const RWLS_WORK: u64 = 120_000_000_000;
const RWLS_MIN_STEPS: u64 = 20_000;
const RWLS_MAX_STEPS: u64 = 2_000_000;
const RWLS_SEED: u64 = 1;

fn rwls_steps(data: &CoverData) -> u64 {
    let nnz = data.c_row.len().max(1) as u64;
    (RWLS_STEPS_PER_NONZERO * nnz)
        .min(RWLS_WORK / nnz)
        .clamp(RWLS_MIN_STEPS, RWLS_MAX_STEPS)
}

/// Exact neighbourhood steps (each closes 20 sites and re-solves their rows exactly).
const LNS_EXACT_STEPS: usize = 1600;

/// Rows per region and the branch-and-bound node budget per region of the split bound
/// (`cover_split`), measured on the city component (LP 634.77): with as many nodes as rows,
/// 100 / 200 / 400 rows gave 635.29 / 635.50 / 634.95 in 0.4 / 1.2 / 6 s; with 1,000 nodes,
/// 150 / 225 / 250 / 275 / 300 rows gave 635.65 (3,000 nodes) / 636.07 / 636.16 / 635.53 /
/// 635.37 in 3.5–5 s; 250 rows with 3,000 nodes 636.61 in 8.5 s. The partition matters as much
/// as the size: the figure is this instance's, not a rule.
const SPLIT_REGION_ROWS: usize = 250;
const SPLIT_REGION_NODES: usize = 1000;

/// The largest component (nonzeros of its coverage matrix) whose LP relaxation is solved.
const LP_MAX_NONZEROS: usize = 1_000_000;

/// A component too large for microlp's simplex:
/// 1. the LP relaxation by clarabel's interior point; its row duals `u ≥ 0` give the bound
///    `Σ u + Σ min(0, c_j − Σ_{i ∋ j} u_i)`, valid for any `u ≥ 0`, so the bound does not rest
///    on the interior point's accuracy; then the split bound at those duals (regions of rows
///    solved exactly, `cover_split`), above the LP's;
/// 2. subgradient multipliers from there (Caprara, Fischetti & Toth 1999 step control) and the
///    Lagrangian greedy at both for a first cover;
/// 3. row-weighting local search from it (`cover_rwls`, a fixed number of steps from a fixed
///    seed), then exact neighbourhood steps (close 20 open sites around a row, re-solve their
///    rows by the LP branch-and-bound);
/// 4. the Lagrangian branch-and-bound (Beasley 1990), warm-started at the LP duals, with
///    reduced-cost fixing against the incumbent.
fn large_component(
    data: &CoverData,
    greedy: Vec<u32>,
    max_nodes: usize,
    deadline: Option<Instant>,
) -> ComponentResult {
    let timed_out = || deadline.is_some_and(|d| Instant::now() >= d);
    let mut best = greedy;
    let mut ub = data.value(&best);
    // The interior point's set-up and each of its iterations cannot be interrupted: on the
    // dense 10,000 × 50,000 table (2.5 M nonzeros) one solve took 61 s of a 60 s limit. Above
    // LP_MAX_NONZEROS the Lagrangian (subgradient) bound stands alone; a size rule, not a
    // clock, so the answer does not depend on the machine.
    let lp = if timed_out() || data.c_row.len() > LP_MAX_NONZEROS {
        None
    } else {
        cover_lp::solve(data, deadline).ok()
    };
    let mut gamma = vec![0.0; data.n_cand];
    let (u_lp, lp_bound, root_lp) = match &lp {
        Some(r) => {
            let b = cover_heur::lagrangian(data, &r.u, &mut gamma);
            (Some(r.u.clone()), b, r.primal)
        }
        None => (None, f64::NEG_INFINITY, f64::NAN),
    };
    let start = u_lp
        .clone()
        .unwrap_or_else(|| cover_heur::init_multipliers(data));
    let dual = cover_heur::subgradient(data, start, ub, 2000, deadline);
    let no_ban = vec![false; data.n_cand];
    let mut multipliers = vec![dual.u.clone()];
    multipliers.extend(u_lp.clone());
    for u in &multipliers {
        let c = cover_heur::lag_greedy(data, u, &[], &no_ban);
        let v = data.value(&c);
        if v < ub - 1e-9 {
            ub = v;
            best = c;
        }
    }
    let bound_now = |ub: f64| ceil_bound(lp_bound.max(dual.bound), data.integral) >= ub - 0.5;
    if !bound_now(ub) && !timed_out() {
        let steps = rwls_steps(data);
        let (v, c) = cover_rwls::improve(data, &best, steps, RWLS_SEED, deadline);
        if v < ub - 1e-9 {
            ub = v;
            best = c;
        }
    }
    if !bound_now(ub) && !timed_out() {
        let steps = LNS_EXACT_STEPS.min(data.n_rows());
        let (v, c) = cover_heur::lns_exact(data, &best, steps, deadline);
        if v < ub - 1e-9 {
            ub = v;
            best = c;
        }
    }
    // Regions solved exactly at the LP duals' cost shares: a bound above the LP's (cover_split;
    // 636.16 against the LP's 634.77 on the city component, in about 3.5 s). After the searches
    // for the incumbent, so that under a time limit it takes time from the final
    // branch-and-bound only, never from the sites.
    let split = match &u_lp {
        Some(u) if !bound_now(ub) && !timed_out() => {
            cover_split::split_bound(data, u, SPLIT_REGION_ROWS, SPLIT_REGION_NODES, deadline)
        }
        _ => f64::NEG_INFINITY,
    };
    let lp_bound = lp_bound.max(split);
    let opts = LagOptions {
        root_iterations: 800,
        node_iterations: 120,
        max_patience: 30,
        root_more_iterations: 0,
        root_more_patience: 0,
        max_nodes,
        deadline,
        rel_gap: 0.0,
        max_offset: None,
        repair_every: 20,
        repair_below_root: true,
    };
    let mut relax = CoverRelax { data, start: u_lp };
    let out = Driver::new(&mut relax, opts, ub, best).run();
    let bound = ceil_bound(lp_bound.max(dual.bound), data.integral)
        .max(out.lb)
        .min(out.ub);
    ComponentResult {
        sites: out.best,
        value: out.ub,
        bound,
        root_lp,
        nodes: out.nodes,
        lp_iterations: (out.iterations + dual.iterations) as u64
            + lp.map_or(0, |r| r.iterations as u64),
    }
}

/// Solves one set-cover component to optimality unless `max_nodes` or the deadline stops it.
pub(crate) fn solve_component(
    data: &CoverData,
    incumbent: Vec<u32>,
    max_nodes: usize,
    deadline: Option<Instant>,
) -> Result<ComponentResult, String> {
    let n = data.n_cand;
    let ub = data.value(&incumbent);
    let mut problem = Problem::new(OptimizationDirection::Minimize);
    let vars: Vec<Variable> = (0..n)
        .map(|j| problem.add_var(data.cost[j], (0.0, 1.0)))
        .collect();
    for r in 0..data.n_rows() {
        let expr: LinearExpr = data.r_cand[data.r_off[r]..data.r_off[r + 1]]
            .iter()
            .map(|&j| (vars[j as usize], 1.0))
            .collect();
        problem.add_constraint(expr, ComparisonOp::Ge, 1.0);
    }
    if let Some(d) = deadline {
        problem.set_time_limit(d.saturating_duration_since(Instant::now()));
    }
    let root = problem
        .solve()
        .map_err(|e| format!("LP relaxation: {e}"))?
        .into_solution()
        .map_err(|_| "LP relaxation interrupted by the time limit".to_string())?;
    let root_lp = root.objective();
    let mut s = Search {
        data,
        vars,
        best: incumbent,
        ub,
        nodes: 1,
        lp_iterations: root.stats().lp_iterations,
    };
    let x = s.values(&root);
    s.round(&x);
    // Open nodes: (solution, its LP value).
    let mut stack: Vec<(Solution, f64)> = vec![(root, root_lp)];
    let mut stopped_bound = f64::INFINITY;
    'search: while let Some((sol, lp)) = stack.pop() {
        if s.prunes(lp) {
            continue;
        }
        if s.nodes >= max_nodes || deadline.is_some_and(|d| Instant::now() >= d) {
            stopped_bound = stopped_bound.min(lp);
            for (_, l) in &stack {
                stopped_bound = stopped_bound.min(*l);
            }
            break;
        }
        let x = s.values(&sol);
        // Branch on the fractional variable nearest 1 (ties: lower index).
        let mut pick: Option<(usize, f64)> = None;
        for (j, &v) in x.iter().enumerate() {
            if v > EPS && v < 1.0 - EPS && pick.is_none_or(|(_, pv)| v > pv) {
                pick = Some((j, v));
            }
        }
        let Some((j, _)) = pick else {
            // Integral LP point: a cover.
            s.round(&x);
            continue;
        };
        let var = s.vars[j];
        let mut children = Vec::with_capacity(2);
        for val in [0.0, 1.0] {
            s.nodes += 1;
            match sol.clone().fix_var(var, val) {
                Ok(out) => {
                    let Ok(child) = out.into_solution() else {
                        // The time limit cut the re-solve: this node stays open.
                        stopped_bound = stack.iter().map(|e| e.1).fold(lp, f64::min);
                        break 'search;
                    };
                    s.lp_iterations = s.lp_iterations.max(child.stats().lp_iterations);
                    let cl = child.objective();
                    if !s.prunes(cl) {
                        let cx = s.values(&child);
                        s.round(&cx);
                        children.push((child, cl));
                    }
                }
                Err(microlp::Error::Infeasible) => {}
                Err(e) => return Err(format!("LP re-solve: {e}")),
            }
        }
        // Depth first: the up branch (pushed last) is explored first.
        stack.extend(children);
    }
    let bound = ceil_bound(stopped_bound.min(s.ub), data.integral).min(s.ub);
    let root_bound = ceil_bound(root_lp, data.integral);
    Ok(ComponentResult {
        sites: s.best,
        value: s.ub,
        bound: bound.max(root_bound.min(s.ub)),
        root_lp,
        nodes: s.nodes,
        lp_iterations: s.lp_iterations,
    })
}

/// The exact search on a whole LSCP instance.
#[derive(Debug, Clone)]
pub(crate) struct CoverSearch {
    /// Chosen candidates (indices among all candidates), ascending.
    pub sites: Vec<u32>,
    pub value: f64,
    pub bound: f64,
    pub nodes: usize,
    pub lp_iterations: usize,
    pub certificate: Certificate,
}

/// Reductions, components, then [`solve_component`] on each, or [`large_component`] on one with
/// more than `large_component_rows` rows (in parallel; each component's result depends only on
/// its own data and node budget, so the thread count changes nothing).
pub(crate) fn search(
    n_cand: usize,
    cost: &[f64],
    rows: &[Vec<u32>],
    max_nodes: usize,
    large_component_rows: usize,
    deadline: Option<Instant>,
) -> Result<CoverSearch, String> {
    use rayon::prelude::*;
    let red = reduce(n_cand, cost, rows, deadline);
    let comps = components(red.cols.len(), &red.rows);
    type Solved = Result<(ComponentResult, Vec<u32>, usize), String>;
    let results: Vec<Solved> = comps
        .par_iter()
        .map(|(cols, row_ids)| {
            let mut local = std::collections::HashMap::with_capacity(cols.len());
            for (l, &c) in cols.iter().enumerate() {
                local.insert(c, l as u32);
            }
            let sub_rows: Vec<Vec<u32>> = row_ids
                .iter()
                .map(|&r| red.rows[r].iter().map(|c| local[c]).collect())
                .collect();
            let sub_cost: Vec<f64> = cols.iter().map(|&c| red.cost[c as usize]).collect();
            let data = CoverData::new(cols.len(), sub_cost, sub_rows);
            let greedy = data.complete(&[]);
            let res = if data.n_rows() <= large_component_rows {
                match solve_component(&data, greedy.clone(), max_nodes, deadline) {
                    Ok(r) => r,
                    // The LP was cut short by the time limit: the Lagrangian search instead.
                    Err(e) if e.contains("interrupted") => {
                        large_component(&data, greedy, max_nodes, deadline)
                    }
                    Err(e) => return Err(e),
                }
            } else {
                large_component(&data, greedy, max_nodes, deadline)
            };
            let global: Vec<u32> = res
                .sites
                .iter()
                .map(|&l| red.cols[cols[l as usize] as usize])
                .collect();
            Ok((res, global, row_ids.len()))
        })
        .collect();
    let forced_cost: f64 = red.forced.iter().map(|&j| cost[j as usize]).sum();
    let mut sites: Vec<u32> = red.forced.clone();
    let mut value = forced_cost;
    let mut bound = forced_cost;
    let mut nodes = 0;
    let mut lp_iterations = 0u64;
    let mut summaries = Vec::with_capacity(comps.len());
    for (r, (cols, _)) in results.into_iter().zip(&comps) {
        let (res, global, n_rows) = r?;
        sites.extend(global);
        value += res.value;
        bound += res.bound;
        nodes += res.nodes;
        lp_iterations += res.lp_iterations;
        summaries.push(ComponentSummary {
            rows: n_rows,
            candidates: cols.len(),
            root_lp: res.root_lp,
            bound: res.bound,
            value: res.value,
            nodes: res.nodes,
        });
    }
    sites.sort_unstable();
    Ok(CoverSearch {
        sites,
        value,
        bound: bound.min(value),
        nodes,
        lp_iterations: lp_iterations as usize,
        certificate: Certificate {
            reductions: Some(red.stats),
            forced: red.forced.iter().map(|&j| j as usize).collect(),
            components: summaries,
            nodes,
            lp_iterations: lp_iterations as usize,
            dual: None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::siting::cover::testing::{is_cover, random_cover};

    /// The large-component path (interior-point LP, Lagrangian greedy, neighbourhood search,
    /// Lagrangian branch-and-bound) proves the same optimum as microlp's LP branch-and-bound.
    #[test]
    fn large_component_path_matches_the_lp_branch_and_bound() {
        let mut branched = 0;
        for seed in 0..24u64 {
            let data = random_cover(seed, 40 + (seed as usize % 3) * 10, 30, seed % 2 == 0);
            let greedy = data.complete(&[]);
            let lp = solve_component(&data, greedy.clone(), 100_000, None).expect("lp b&b");
            assert_eq!(lp.bound, lp.value, "seed {seed}: microlp search closes");
            let large = large_component(&data, greedy, 100_000, None);
            assert!(is_cover(&data, &large.sites), "seed {seed}");
            assert_eq!(data.value(&large.sites), large.value, "seed {seed}");
            assert_eq!(large.value, lp.value, "seed {seed}");
            assert_eq!(large.bound, large.value, "seed {seed}: proven");
            assert!(
                (large.root_lp - lp.root_lp).abs() < 1e-5,
                "seed {seed}: same LP"
            );
            if large.nodes > 1 {
                branched += 1;
            }
        }
        assert!(branched >= 3, "only {branched} instances branched");
    }

    #[test]
    fn interior_point_lp_of_an_odd_cycle() {
        // Rows {0,1}, {1,2}, {2,0}: LP optimum 1.5 (every x = 1/2), integer optimum 2.
        let data = CoverData::new(3, vec![1.0; 3], vec![vec![0, 1], vec![1, 2], vec![0, 2]]);
        let lp = cover_lp::solve(&data, None).expect("lp");
        assert!((lp.primal - 1.5).abs() < 1e-6, "{}", lp.primal);
        let mut gamma = vec![0.0; 3];
        let bound = cover_heur::lagrangian(&data, &lp.u, &mut gamma);
        assert!(bound <= 1.5 + 1e-9 && bound > 1.5 - 1e-5, "{bound}");
        let r = large_component(&data, vec![0, 1], 100, None);
        assert_eq!((r.value, r.bound), (2.0, 2.0));
    }
}
