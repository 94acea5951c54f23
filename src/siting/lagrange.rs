//! Lagrangian relaxation with subgradient optimisation, reduced-cost fixing and a small
//! depth-first branch-and-bound, shared by every siting model.
//!
//! Every model is solved internally as a *minimisation* over binary site variables `y_j`
//! (candidates only; existing facilities are folded into the model). Relaxing the demand
//! constraints with multipliers `λ ≥ 0` leaves a problem that separates by site:
//!
//! `L(λ) = c(λ) + Σ_{j open} ρ_j(λ)`, with the open set chosen freely (`card() == None`, LSCP) or
//! as exactly `k` sites (`card() == Some(k)`, MCLP / p-median), so the bound is
//! `c(λ) + Σ_{fixed open} ρ_j + (the k' smallest ρ_j among free sites, or all negative ones)`.
//!
//! Each model supplies `c`, `ρ`, a subgradient and a repair step that turns a Lagrangian site
//! set into a feasible solution (and improves it by local search), so the driver maintains both
//! a valid lower bound and the best feasible upper bound.

use std::time::Instant;

/// A model's Lagrangian relaxation, in minimisation form.
pub(crate) trait Relaxation {
    fn n_cand(&self) -> usize;
    fn n_mult(&self) -> usize;
    /// `Some(k)`: exactly `k` candidate sites are open; `None`: any number.
    fn card(&self) -> Option<usize>;
    /// Starting multipliers, from the incumbent's site set.
    fn init_multipliers(&self, incumbent: &[u32]) -> Vec<f64>;
    /// Writes `ρ_j(λ)` for every candidate and returns the constant term `c(λ)`.
    fn rho(&self, lambda: &[f64], rho: &mut [f64]) -> f64;
    /// Subgradient of `L` at `λ` given the relaxation's open set (`selected[j]`).
    fn subgradient(&self, lambda: &[f64], selected: &[bool], g: &mut [f64]);
    /// Turns a site set into a feasible, locally improved solution: `(value, sites)`.
    fn repair(&mut self, sites: &[u32]) -> Option<(f64, Vec<u32>)>;
    /// Tries harder to improve the incumbent (e.g. iterated local search) until its value is at
    /// most `target`; returns a better solution if it finds one.
    fn improve(&mut self, _incumbent: &[u32], _target: f64) -> Option<(f64, Vec<u32>)> {
        None
    }
    /// A bound that needs no multipliers (e.g. every demand at its cheapest option).
    fn floor(&self) -> f64 {
        f64::NEG_INFINITY
    }
    /// Largest useful value of multiplier `i` (the bound only drops beyond it).
    fn upper(&self, _i: usize) -> f64 {
        f64::INFINITY
    }
    /// True when no feasible solution respects the fixings (`fix[j]`: -1 closed, 1 open).
    fn infeasible(&self, _fix: &[i8]) -> bool {
        false
    }
    /// True when every feasible objective value is an integer.
    fn integral(&self) -> bool;
    /// Enters a subtree where the sites with `fix[j] < 0` are closed: the relaxation may drop
    /// them from its data (a speed-up only: `ρ` of the other sites, the subgradient and every
    /// bound stay the same). Returns false when it keeps its data as is.
    fn push_restriction(&mut self, _fix: &[i8]) -> bool {
        false
    }
    /// Leaves the subtree of the last successful `push_restriction`.
    fn pop_restriction(&mut self) {}
}

/// A subtree gets its own restricted data once this fraction of the sites still in the current
/// data has been fixed closed (root reduced-cost fixing closes 60 % of OR-Library pmed36's).
const RESTRICT_FRACTION: f64 = 0.2;

/// Knobs for the driver.
#[derive(Debug, Clone)]
pub(crate) struct LagOptions {
    pub root_iterations: usize,
    pub node_iterations: usize,
    /// The step size halves after this many steps in a row without a better bound, at most
    /// (the count is a twentieth of the node's steps, at least 5).
    pub max_patience: usize,
    /// After the root's steps and its incumbent search, while the gap is still open: this many
    /// more steps from the best multipliers, at step size `ROOT_MORE_THETA`, halving only after
    /// `root_more_patience` steps without progress (0: none). The dense p-median root
    /// converges only with that long wait: at patience 30 its bound stalls about 21,000
    /// (0.06 %) short of where patience 100 takes it.
    pub root_more_iterations: usize,
    pub root_more_patience: usize,
    pub max_nodes: usize,
    pub deadline: Option<Instant>,
    /// Absolute pruning tolerance as a function of the incumbent value: a node whose bound is
    /// `>= ub - tol(ub)` cannot hold a solution worth finding.
    pub rel_gap: f64,
    /// When set, the reported objective is `offset − internal value` (maximisation), and the
    /// relative gap is measured against it.
    pub max_offset: Option<f64>,
    /// Call `repair` on the Lagrangian site set every this many iterations (0: never).
    pub repair_every: usize,
    /// Repair below the root too (during the subgradient steps and once per node). Off, the
    /// nodes only bound and fix: on OR-Library pmed36 the repairs were 45 % of the time and
    /// found nothing the root's iterated local search had not.
    pub repair_below_root: bool,
}

/// What the driver found.
#[derive(Debug, Clone)]
pub(crate) struct LagOutcome {
    pub ub: f64,
    pub best: Vec<u32>,
    pub lb: f64,
    pub nodes: usize,
    pub iterations: usize,
    /// The root's best multipliers and the Lagrangian bound they give (before the floor and
    /// the tree): a dual certificate anyone can re-check from the table alone.
    pub root: Option<RootDual>,
}

/// Multipliers `λ` (one per row of the relaxation's data) and `L(λ)`.
#[derive(Debug, Clone)]
pub(crate) struct RootDual {
    pub lambda: Vec<f64>,
    pub bound: f64,
}

/// Step size at which the root's further steps (`LagOptions::root_more_iterations`) start (on
/// the dense p-median table, 3,000 further steps with patience 200 reached 34,990,058 from
/// 1.0 with patience 100, 34,991,489 from 2.0, 34,994,026 from 1.0 with patience 200).
const ROOT_MORE_THETA: f64 = 1.0;

/// Weight of the previous direction in the deflected subgradient step.
const DEFLECT: f64 = 0.5;

struct Node {
    fix: Vec<i8>,
    lambda: Vec<f64>,
    parent_bound: f64,
    depth: usize,
    /// How many restrictions (`Relaxation::push_restriction`) hold in this node's subtree.
    level: usize,
}

/// The result of optimising the multipliers at one node.
struct NodeResult {
    bound: f64,
    lambda: Vec<f64>,
    rho: Vec<f64>,
    /// Free sites in the best relaxation's open set, and the first free site just outside it.
    selected: Vec<u32>,
}

pub(crate) struct Driver<'a, R: Relaxation> {
    pub relax: &'a mut R,
    pub opts: LagOptions,
    pub ub: f64,
    pub best: Vec<u32>,
    pub iterations: usize,
    tried: std::collections::HashSet<u64>,
    repair_gap: usize,
    next_repair: usize,
    below_root: bool,
}

impl<'a, R: Relaxation> Driver<'a, R> {
    pub fn new(relax: &'a mut R, opts: LagOptions, ub: f64, best: Vec<u32>) -> Self {
        Driver {
            relax,
            repair_gap: opts.repair_every,
            opts,
            ub,
            best,
            iterations: 0,
            tried: std::collections::HashSet::new(),
            next_repair: 0,
            below_root: false,
        }
    }

    fn tol(&self) -> f64 {
        let scale = match self.opts.max_offset {
            Some(w) => (w - self.ub).abs(),
            None => self.ub.abs(),
        };
        let rel = (self.opts.rel_gap * scale).max(1e-9 * self.ub.abs().max(1.0));
        if self.relax.integral() {
            rel.max(1.0 - 1e-6)
        } else {
            rel
        }
    }

    fn timed_out(&self) -> bool {
        self.opts.deadline.is_some_and(|d| Instant::now() >= d)
    }

    /// `L` for given `ρ` under fixings: returns the bound and marks the open set.
    fn select(&self, constant: f64, rho: &[f64], fix: &[i8], selected: &mut [bool]) -> (f64, bool) {
        let mut value = constant;
        let mut n_open = 0usize;
        let mut free: Vec<u32> = Vec::new();
        for (j, &f) in fix.iter().enumerate() {
            selected[j] = f > 0;
            if f > 0 {
                value += rho[j];
                n_open += 1;
            } else if f == 0 {
                free.push(j as u32);
            }
        }
        match self.relax.card() {
            None => {
                for &j in &free {
                    if rho[j as usize] < 0.0 {
                        value += rho[j as usize];
                        selected[j as usize] = true;
                    }
                }
                (value, true)
            }
            Some(k) => {
                if n_open > k || n_open + free.len() < k {
                    return (f64::INFINITY, false);
                }
                let want = k - n_open;
                if want > 0 && want < free.len() {
                    free.select_nth_unstable_by(want - 1, |&a, &b| {
                        rho[a as usize].total_cmp(&rho[b as usize]).then(a.cmp(&b))
                    });
                }
                for &j in free.iter().take(want) {
                    value += rho[j as usize];
                    selected[j as usize] = true;
                }
                (value, true)
            }
        }
    }

    /// Repairs a site set into a solution; true when it beat the incumbent.
    fn try_repair(&mut self, sites: Vec<u32>) -> bool {
        let mut key = sites;
        key.sort_unstable();
        let h = hash(&key);
        if !self.tried.insert(h) {
            return false;
        }
        if let Some((v, s)) = self.relax.repair(&key) {
            if v < self.ub - 1e-9 * self.ub.abs().max(1.0) {
                self.ub = v;
                self.best = s;
                return true;
            }
        }
        false
    }

    /// Subgradient optimisation at one node.
    fn optimise(
        &mut self,
        fix: &[i8],
        mut lambda: Vec<f64>,
        iterations: usize,
        floor: f64,
        (mut theta, max_patience): (f64, usize),
    ) -> Option<NodeResult> {
        let n = self.relax.n_cand();
        let m = self.relax.n_mult();
        let mut rho = vec![0.0; n];
        let mut selected = vec![false; n];
        let mut g = vec![0.0; m];
        let mut dir: Vec<f64> = Vec::new();
        let mut best: Option<NodeResult> = None;
        let mut since = 0usize;
        let patience = (iterations / 20).clamp(5, max_patience.max(5));
        for _ in 0..iterations {
            self.iterations += 1;
            let constant = self.relax.rho(&lambda, &mut rho);
            let (value, ok) = self.select(constant, &rho, fix, &mut selected);
            if !ok {
                return None;
            }
            let improved = best
                .as_ref()
                .is_none_or(|b| value > b.bound + 1e-12 * value.abs());
            if improved {
                since = 0;
                best = Some(NodeResult {
                    bound: value,
                    lambda: lambda.clone(),
                    rho: rho.clone(),
                    selected: selected
                        .iter()
                        .enumerate()
                        .filter(|&(j, &s)| s && fix[j] == 0)
                        .map(|(j, _)| j as u32)
                        .collect(),
                });
            } else {
                since += 1;
            }
            // Repairs back off while they find nothing better.
            if self.opts.repair_every > 0
                && self.iterations >= self.next_repair
                && (!self.below_root || self.opts.repair_below_root)
            {
                let sites: Vec<u32> = (0..n as u32).filter(|&j| selected[j as usize]).collect();
                let base = self.opts.repair_every;
                self.repair_gap = if self.try_repair(sites) {
                    base
                } else {
                    (self.repair_gap * 2).clamp(base, 16 * base)
                };
                self.next_repair = self.iterations + self.repair_gap;
            }
            let bound = best.as_ref().map_or(f64::NEG_INFINITY, |b| b.bound);
            if bound.max(floor).max(self.relax.floor()) >= self.ub - self.tol() || self.timed_out()
            {
                break;
            }
            if since >= patience {
                theta *= 0.5;
                since = 0;
                if theta < 1e-4 {
                    break;
                }
            }
            self.relax.subgradient(&lambda, &selected, &mut g);
            // Deflection (Camerini–Fratta–Maffioli): mix in the previous direction.
            if !dir.is_empty() {
                for (gi, di) in g.iter_mut().zip(&dir) {
                    *gi += DEFLECT * di;
                }
            }
            dir.clone_from(&g);
            let norm: f64 = g.iter().map(|x| x * x).sum();
            if norm <= 1e-18 {
                break;
            }
            let bl = best.as_ref().map_or(value, |b| b.bound);
            let target = self.ub.max(bl).max(value + 1e-6 * value.abs().max(1.0));
            let step = theta * (target - value) / norm;
            for (i, (l, gi)) in lambda.iter_mut().zip(&g).enumerate() {
                *l = (*l + step * gi).max(0.0).min(self.relax.upper(i));
            }
        }
        best
    }

    /// Root bound, reduced-cost fixing and depth-first branch-and-bound.
    pub fn run(mut self) -> LagOutcome {
        let n = self.relax.n_cand();
        let lambda0 = self.relax.init_multipliers(&self.best);
        let mut stack = vec![Node {
            fix: vec![0i8; n],
            lambda: lambda0,
            parent_bound: f64::NEG_INFINITY,
            depth: 0,
            level: 0,
        }];
        // Closed sites of each restriction in force, innermost last.
        let mut restricted: Vec<usize> = Vec::new();
        // The smallest bound among pruned parts of the tree.
        let mut pruned = f64::INFINITY;
        let mut nodes = 0usize;
        let mut root: Option<RootDual> = None;
        while let Some(node) = stack.pop() {
            if nodes >= self.opts.max_nodes || self.timed_out() {
                stack.push(node);
                break;
            }
            nodes += 1;
            while restricted.len() > node.level {
                restricted.pop();
                self.relax.pop_restriction();
            }
            if node.parent_bound >= self.ub - self.tol() {
                pruned = pruned.min(node.parent_bound);
                continue;
            }
            if self.relax.infeasible(&node.fix) {
                continue;
            }
            self.below_root = node.depth > 0;
            let iters = if node.depth == 0 {
                self.opts.root_iterations
            } else {
                self.opts.node_iterations
            };
            let steps = (2.0, self.opts.max_patience);
            let Some(mut res) =
                self.optimise(&node.fix, node.lambda, iters, node.parent_bound, steps)
            else {
                continue;
            };
            // A node's bound is at least its parent's.
            let mut bound = res.bound.max(node.parent_bound).max(self.relax.floor());
            if nodes == 1 || (self.opts.repair_every > 0 && self.opts.repair_below_root) {
                let mut sites: Vec<u32> = res.selected.clone();
                sites.extend(
                    node.fix
                        .iter()
                        .enumerate()
                        .filter(|&(_, &f)| f > 0)
                        .map(|(j, _)| j as u32),
                );
                self.try_repair(sites);
            }
            if node.depth == 0 && bound < self.ub - self.tol() && !self.timed_out() {
                let target = bound + self.tol();
                if let Some((v, s)) = self.relax.improve(&self.best, target) {
                    if v < self.ub {
                        self.ub = v;
                        self.best = s;
                    }
                }
            }
            if node.depth == 0
                && self.opts.root_more_iterations > 0
                && bound < self.ub - self.tol()
                && !self.timed_out()
            {
                let steps = (ROOT_MORE_THETA, self.opts.root_more_patience);
                let more = self.optimise(
                    &node.fix,
                    res.lambda.clone(),
                    self.opts.root_more_iterations,
                    bound,
                    steps,
                );
                if let Some(more) = more.filter(|m| m.bound > res.bound) {
                    bound = bound.max(more.bound);
                    res = more;
                }
            }
            // The root's best multipliers, after its further steps.
            if node.depth == 0 && node.level == 0 {
                root = Some(RootDual {
                    lambda: res.lambda.clone(),
                    bound: res.bound,
                });
            }
            let tol = self.tol();
            if bound >= self.ub - tol {
                pruned = pruned.min(bound);
                continue;
            }
            if self.timed_out() || nodes >= self.opts.max_nodes {
                stack.push(Node {
                    fix: node.fix,
                    lambda: res.lambda,
                    parent_bound: bound,
                    depth: node.depth,
                    level: node.level,
                });
                break;
            }
            // Reduced-cost fixing: a site whose forced inclusion (exclusion) lifts the bound
            // past the incumbent is closed (opened) in this subtree.
            let mut fix = node.fix;
            let rho = &res.rho;
            let sel: std::collections::HashSet<u32> = res.selected.iter().copied().collect();
            let free_out: Vec<u32> = (0..n as u32)
                .filter(|&j| fix[j as usize] == 0 && !sel.contains(&j))
                .collect();
            let (worst_in, best_out) = match self.relax.card() {
                None => (0.0, 0.0),
                Some(_) => (
                    res.selected
                        .iter()
                        .map(|&j| rho[j as usize])
                        .fold(f64::NEG_INFINITY, f64::max),
                    free_out
                        .iter()
                        .map(|&j| rho[j as usize])
                        .fold(f64::INFINITY, f64::min),
                ),
            };
            let mut lifted = f64::INFINITY;
            for &j in &free_out {
                let v = res.bound + rho[j as usize] - worst_in.min(rho[j as usize]);
                let v = if self.relax.card().is_some() && res.selected.is_empty() {
                    f64::INFINITY
                } else {
                    v
                };
                if v >= self.ub - tol {
                    fix[j as usize] = -1;
                    lifted = lifted.min(v);
                }
            }
            for &j in &res.selected {
                let v = res.bound - rho[j as usize] + best_out.max(rho[j as usize]);
                if v >= self.ub - tol {
                    fix[j as usize] = 1;
                    lifted = lifted.min(v);
                }
            }
            pruned = pruned.min(lifted);
            // Branch on the free site whose ρ is nearest the selection threshold.
            let threshold = match self.relax.card() {
                None => 0.0,
                Some(_) => 0.5 * (worst_in + best_out),
            };
            let branch = (0..n).filter(|&j| fix[j] == 0).min_by(|&a, &b| {
                (rho[a] - threshold)
                    .abs()
                    .total_cmp(&(rho[b] - threshold).abs())
                    .then(a.cmp(&b))
            });
            let Some(j) = branch else {
                // Everything is fixed: the node is a single solution.
                let sites: Vec<u32> = (0..n as u32).filter(|&j| fix[j as usize] > 0).collect();
                self.try_repair(sites);
                continue;
            };
            // Drop the sites closed in this subtree from the relaxation's data once enough of
            // them are (each restriction costs one pass over the data).
            let closed = fix.iter().filter(|&&f| f < 0).count();
            let was = restricted.last().copied().unwrap_or(0);
            let mut level = node.level;
            if closed > was
                && (closed - was) as f64 >= RESTRICT_FRACTION * (n - was) as f64
                && self.relax.push_restriction(&fix)
            {
                restricted.push(closed);
                level += 1;
            }
            let mut fix_open = fix.clone();
            fix_open[j] = 1;
            let mut fix_closed = fix;
            fix_closed[j] = -1;
            let first_open = sel.contains(&(j as u32)) || rho[j] < threshold;
            let (first, second) = if first_open {
                (fix_open, fix_closed)
            } else {
                (fix_closed, fix_open)
            };
            stack.push(Node {
                fix: second,
                lambda: res.lambda.clone(),
                parent_bound: bound,
                depth: node.depth + 1,
                level,
            });
            stack.push(Node {
                fix: first,
                lambda: res.lambda,
                parent_bound: bound,
                depth: node.depth + 1,
                level,
            });
        }
        let open_min = stack
            .iter()
            .map(|s| s.parent_bound)
            .fold(f64::INFINITY, f64::min);
        let mut lb = pruned.min(open_min).max(self.relax.floor()).min(self.ub);
        if self.relax.integral() && lb.is_finite() {
            lb = (lb - 1e-6).ceil().min(self.ub);
        }
        LagOutcome {
            ub: self.ub,
            best: self.best,
            lb,
            nodes,
            iterations: self.iterations,
            root,
        }
    }
}

fn hash(v: &[u32]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    v.hash(&mut h);
    h.finish()
}
