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

use std::time::Instant;

use microlp::{ComparisonOp, LinearExpr, OptimizationDirection, Problem, Solution, Variable};

use super::certificate::{Certificate, ComponentSummary};
use super::cover::{CoverData, CoverRelax};
use super::lagrange::{Driver, LagOptions};
use super::reduce::{components, reduce};

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

fn ceil_bound(x: f64, integral: bool) -> f64 {
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

/// Components with more rows than this get the Lagrangian search: microlp's simplex needs
/// minutes on the city instance's one large component (4,366 rows × 7,396 candidates after the
/// reductions), the subgradient method a fraction of a second per pass.
const LP_MAX_ROWS: usize = 1500;

/// A component too large for the LP: the Lagrangian relaxation (Beasley 1990) by deflected
/// subgradient with reduced-cost fixing and depth-first branch-and-bound, greedy repair of
/// every Lagrangian cover for the incumbent.
fn lagrangian_component(
    data: &CoverData,
    greedy: Vec<u32>,
    max_nodes: usize,
    deadline: Option<Instant>,
) -> ComponentResult {
    let ub = data.value(&greedy);
    let opts = LagOptions {
        root_iterations: 800,
        node_iterations: 120,
        max_nodes,
        deadline,
        rel_gap: 0.0,
        max_offset: None,
        repair_every: 20,
    };
    let mut relax = CoverRelax { data };
    let out = Driver::new(&mut relax, opts, ub, greedy).run();
    ComponentResult {
        sites: out.best,
        value: out.ub,
        bound: out.lb,
        root_lp: f64::NAN,
        nodes: out.nodes,
        lp_iterations: out.iterations as u64,
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

/// Reductions, components, then [`solve_component`] on each (in parallel; each component's
/// result depends only on its own data and node budget, so the thread count changes nothing).
pub(crate) fn search(
    n_cand: usize,
    cost: &[f64],
    rows: &[Vec<u32>],
    max_nodes: usize,
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
            let res = if data.n_rows() <= LP_MAX_ROWS {
                match solve_component(&data, greedy.clone(), max_nodes, deadline) {
                    Ok(r) => r,
                    // The LP was cut short by the time limit: the Lagrangian search instead.
                    Err(e) if e.contains("interrupted") => {
                        lagrangian_component(&data, greedy, max_nodes, deadline)
                    }
                    Err(e) => return Err(e),
                }
            } else {
                lagrangian_component(&data, greedy, max_nodes, deadline)
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
        },
    })
}
