//! Large set-cover components: the Lagrangian dual by subgradient (Caprara, Fischetti & Toth
//! 1999 step control), the Lagrangian greedy for covers, and local search.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Instant;

use super::cover::CoverData;

/// Deterministic xorshift generator (seeded; no clock, no thread dependence).
pub(crate) struct Rng(u64);
impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Key(f64);
impl Eq for Key {}
impl PartialOrd for Key {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Key {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&o.0)
    }
}

/// Lagrangian value and reduced costs at `u`.
pub(crate) fn lagrangian(data: &CoverData, u: &[f64], gamma: &mut [f64]) -> f64 {
    let mut value: f64 = u.iter().sum();
    for (j, g) in gamma.iter_mut().enumerate() {
        let s: f64 = data.rows_of(j).iter().map(|&i| u[i as usize]).sum();
        *g = data.cost[j] - s;
        if *g < 0.0 {
            value += *g;
        }
    }
    value
}

pub(crate) fn init_multipliers(data: &CoverData) -> Vec<f64> {
    (0..data.n_rows())
        .map(|r| {
            data.cands_of(r)
                .iter()
                .map(|&j| data.cost[j as usize] / data.rows_of(j as usize).len() as f64)
                .fold(f64::INFINITY, f64::min)
        })
        .collect()
}

/// The best multipliers found and their bound.
pub(crate) struct DualResult {
    pub u: Vec<f64>,
    pub bound: f64,
    pub iterations: usize,
}

/// Subgradient optimisation from `u`, targeting `ub`. Step size control after Caprara,
/// Fischetti & Toth: every 20 iterations the spread of the last bounds halves or grows it.
/// Stops after `max_iter` or when the bound has gained less than 0.1 % over 300 iterations.
pub(crate) fn subgradient(
    data: &CoverData,
    mut u: Vec<f64>,
    ub: f64,
    max_iter: usize,
    deadline: Option<Instant>,
) -> DualResult {
    let n = data.n_cand;
    let m = data.n_rows();
    let mut gamma = vec![0.0; n];
    let mut s = vec![0.0; m];
    let mut best_u = u.clone();
    let mut best = f64::NEG_INFINITY;
    let mut step = 0.1;
    let mut window_lo = f64::INFINITY;
    let mut window_hi = f64::NEG_INFINITY;
    let mut last_check = f64::NEG_INFINITY;
    let mut it = 0;
    while it < max_iter {
        it += 1;
        let l = lagrangian(data, &u, &mut gamma);
        if l > best {
            best = l;
            best_u.clone_from(&u);
        }
        window_lo = window_lo.min(l);
        window_hi = window_hi.max(l);
        if it % 20 == 0 {
            let spread = (window_hi - window_lo) / window_hi.abs().max(1e-9);
            if spread > 0.01 {
                step *= 0.5;
            } else if spread < 0.001 {
                step *= 1.5;
            }
            window_lo = f64::INFINITY;
            window_hi = f64::NEG_INFINITY;
        }
        if it % 300 == 0 {
            if best - last_check < 1e-3 * best.abs().max(1.0) {
                break;
            }
            last_check = best;
        }
        if best >= ub - 1e-9 || (it % 64 == 0 && deadline.is_some_and(|d| Instant::now() >= d)) {
            break;
        }
        // s_i = 1 − Σ x_j over the row's candidates (x_j = 1 where γ_j < 0).
        s.iter_mut().for_each(|v| *v = 1.0);
        for (j, &g) in gamma.iter().enumerate() {
            if g < 0.0 {
                for &i in data.rows_of(j) {
                    s[i as usize] -= 1.0;
                }
            }
        }
        let mut norm = 0.0;
        for (si, &ui) in s.iter_mut().zip(&u) {
            if ui <= 0.0 && *si < 0.0 {
                *si = 0.0;
            }
            norm += *si * *si;
        }
        if norm < 1e-12 {
            break;
        }
        let t = step * (ub - l).max(1e-3 * ub.abs().max(1.0)) / norm;
        for (ui, &si) in u.iter_mut().zip(&s) {
            *ui = (*ui + t * si).max(0.0);
        }
    }
    DualResult {
        u: best_u,
        bound: best,
        iterations: it,
    }
}

/// The Lagrangian greedy (Caprara, Fischetti & Toth 1999): completes `start` to a cover,
/// choosing by score γ'/μ (γ' > 0) or γ'·μ (γ' ≤ 0), where μ counts the uncovered rows a
/// candidate covers and γ' its cost less their multipliers. Scores only grow as rows get
/// covered, so a lazy heap is exact. Redundant sites are dropped afterwards.
pub(crate) fn lag_greedy(data: &CoverData, u: &[f64], start: &[u32], banned: &[bool]) -> Vec<u32> {
    let n = data.n_cand;
    let m = data.n_rows();
    let mut open = vec![false; n];
    let mut count = vec![0u32; m];
    for &j in start {
        if !open[j as usize] {
            open[j as usize] = true;
            for &r in data.rows_of(j as usize) {
                count[r as usize] += 1;
            }
        }
    }
    let score = |count: &[u32], j: usize| -> f64 {
        let mut mu = 0usize;
        let mut g = data.cost[j];
        for &r in data.rows_of(j) {
            if count[r as usize] == 0 {
                mu += 1;
                g -= u[r as usize];
            }
        }
        if mu == 0 {
            f64::INFINITY
        } else if g > 0.0 {
            g / mu as f64
        } else {
            g * mu as f64
        }
    };
    let mut uncovered = count.iter().filter(|&&c| c == 0).count();
    let mut heap: BinaryHeap<Reverse<(Key, u32)>> = BinaryHeap::new();
    if uncovered > 0 {
        for j in 0..n {
            if !open[j] && !banned[j] {
                let s = score(&count, j);
                if s.is_finite() {
                    heap.push(Reverse((Key(s), j as u32)));
                }
            }
        }
    }
    while uncovered > 0 {
        let Some(Reverse((Key(_), j))) = heap.pop() else {
            break;
        };
        let j = j as usize;
        let s = score(&count, j);
        if !s.is_finite() {
            continue;
        }
        if let Some(Reverse((Key(next), nj))) = heap.peek() {
            if (s, j as u32) > (*next, *nj) {
                heap.push(Reverse((Key(s), j as u32)));
                continue;
            }
        }
        open[j] = true;
        for &r in data.rows_of(j) {
            if count[r as usize] == 0 {
                uncovered -= 1;
            }
            count[r as usize] += 1;
        }
    }
    let mut chosen: Vec<u32> = (0..n as u32).filter(|&j| open[j as usize]).collect();
    drop_redundant(data, &mut chosen, &mut count, u);
    chosen
}

/// Drops sites whose rows are all covered twice, most expensive first, then largest reduced
/// cost (ties: higher index).
fn drop_redundant(data: &CoverData, chosen: &mut Vec<u32>, count: &mut [u32], u: &[f64]) {
    let gamma = |j: usize| -> f64 {
        data.cost[j] - data.rows_of(j).iter().map(|&i| u[i as usize]).sum::<f64>()
    };
    let mut order: Vec<(f64, f64, u32)> = chosen
        .iter()
        .map(|&j| (data.cost[j as usize], gamma(j as usize), j))
        .collect();
    order.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then(b.1.total_cmp(&a.1))
            .then(b.2.cmp(&a.2))
    });
    let mut keep = vec![true; order.len()];
    for (k, &(_, _, j)) in order.iter().enumerate() {
        if data
            .rows_of(j as usize)
            .iter()
            .all(|&r| count[r as usize] >= 2)
        {
            keep[k] = false;
            for &r in data.rows_of(j as usize) {
                count[r as usize] -= 1;
            }
        }
    }
    let mut out: Vec<u32> = order
        .iter()
        .zip(&keep)
        .filter(|(_, &k)| k)
        .map(|(o, _)| o.2)
        .collect();
    out.sort_unstable();
    *chosen = out;
}

/// A cover being improved: open flags and how often each row is covered.
pub(crate) struct Cover<'a> {
    data: &'a CoverData,
    pub open: Vec<bool>,
    pub count: Vec<u32>,
    pub value: f64,
    pos: Vec<u32>,
}

fn slot(pos: &[u32], r: u32) -> Option<usize> {
    let p = pos[r as usize];
    (p != u32::MAX).then_some(p as usize)
}

impl<'a> Cover<'a> {
    pub fn new(data: &'a CoverData, sites: &[u32]) -> Cover<'a> {
        let mut c = Cover {
            data,
            open: vec![false; data.n_cand],
            count: vec![0; data.n_rows()],
            value: 0.0,
            pos: vec![u32::MAX; data.n_rows()],
        };
        for &j in sites {
            c.add(j as usize);
        }
        c
    }
    fn add(&mut self, j: usize) {
        debug_assert!(!self.open[j]);
        self.open[j] = true;
        self.value += self.data.cost[j];
        for &r in self.data.rows_of(j) {
            self.count[r as usize] += 1;
        }
    }
    fn remove(&mut self, j: usize) {
        debug_assert!(self.open[j]);
        self.open[j] = false;
        self.value -= self.data.cost[j];
        for &r in self.data.rows_of(j) {
            self.count[r as usize] -= 1;
        }
    }
    pub fn sites(&self) -> Vec<u32> {
        (0..self.data.n_cand as u32)
            .filter(|&j| self.open[j as usize])
            .collect()
    }

    /// Up to `max_close` open sites near row `seed`, breadth first over rows: from each row
    /// reached, its open candidates are taken, and the search moves on to the rows of every
    /// candidate (reaching across gaps between open sites).
    fn open_sites_near(
        &self,
        seed: usize,
        max_close: usize,
        mark: &mut [u32],
        stamp: &mut u32,
    ) -> Vec<u32> {
        let data = self.data;
        *stamp += 1;
        let st = *stamp;
        let mut close: Vec<u32> = Vec::new();
        let mut frontier: Vec<u32> = vec![seed as u32];
        mark[seed] = st;
        let mut qi = 0;
        while qi < frontier.len() {
            let r = frontier[qi] as usize;
            qi += 1;
            for &j in data.cands_of(r) {
                let newly_closed = self.open[j as usize] && !close.contains(&j);
                if newly_closed {
                    close.push(j);
                    if close.len() >= max_close {
                        return close;
                    }
                }
                for &r2 in data.rows_of(j as usize) {
                    if mark[r2 as usize] != st {
                        mark[r2 as usize] = st;
                        frontier.push(r2);
                    }
                }
            }
        }
        close
    }

    /// Exact large-neighbourhood step: closes the `EXACT_CLOSE` open sites nearest `seed` (breadth
    /// first over rows that share a candidate), reduces the sub-instance of the rows left
    /// uncovered and solves it by the LP branch-and-bound (at most `EXACT_NODES` nodes). The
    /// new sites replace the closed ones when they cost no more. Returns the change in value.
    fn lns_exact(&mut self, seed: usize, mark: &mut [u32], stamp: &mut u32) -> f64 {
        let data = self.data;
        let close = self.open_sites_near(seed, EXACT_CLOSE, mark, stamp);
        let closed_value: f64 = close.iter().map(|&j| data.cost[j as usize]).sum();
        for &j in &close {
            self.remove(j as usize);
        }
        let mut unc: Vec<u32> = Vec::new();
        for &j in &close {
            for &r in data.rows_of(j as usize) {
                if self.count[r as usize] == 0 && self.pos[r as usize] == u32::MAX {
                    self.pos[r as usize] = unc.len() as u32;
                    unc.push(r);
                }
            }
        }
        let mut cands: Vec<u32> = Vec::new();
        for &r in &unc {
            cands.extend_from_slice(data.cands_of(r as usize));
        }
        cands.sort_unstable();
        cands.dedup();
        let mut rows = vec![Vec::new(); unc.len()];
        for (l, &j) in cands.iter().enumerate() {
            for &r in data.rows_of(j as usize) {
                if let Some(p) = slot(&self.pos, r) {
                    rows[p].push(l as u32);
                }
            }
        }
        for &r in &unc {
            self.pos[r as usize] = u32::MAX;
        }
        let cost: Vec<f64> = cands.iter().map(|&j| data.cost[j as usize]).collect();
        let red = super::reduce::reduce(cands.len(), &cost, &rows, None);
        let forced_value: f64 = red.forced.iter().map(|&l| cost[l as usize]).sum();
        let sub = CoverData::new(red.cols.len(), red.cost.clone(), red.rows.clone());
        let start = sub.complete(&[]);
        let solved = if sub.n_rows() == 0 {
            Some((0.0, Vec::new()))
        } else {
            super::cover_bnb::solve_component(&sub, start, EXACT_NODES, None)
                .ok()
                .map(|r| (r.value, r.sites))
        };
        match solved {
            Some((v, sites)) if forced_value + v <= closed_value + 1e-9 => {
                for &l in &red.forced {
                    self.add(cands[l as usize] as usize);
                }
                for &l in &sites {
                    self.add(cands[red.cols[l as usize] as usize] as usize);
                }
                forced_value + v - closed_value
            }
            _ => {
                for &j in &close {
                    self.add(j as usize);
                }
                0.0
            }
        }
    }

    /// Removes redundant open sites (most expensive first, then higher index).
    pub fn drop_redundant(&mut self) {
        let mut order = self.sites();
        order.sort_by(|&a, &b| {
            self.data.cost[b as usize]
                .total_cmp(&self.data.cost[a as usize])
                .then(b.cmp(&a))
        });
        for j in order {
            if self
                .data
                .rows_of(j as usize)
                .iter()
                .all(|&r| self.count[r as usize] >= 2)
            {
                self.remove(j as usize);
            }
        }
    }
}

/// Open sites closed per exact step, and the node limit of its sub-search.
const EXACT_CLOSE: usize = 20;
const EXACT_NODES: usize = 60;

/// `steps` exact large-neighbourhood steps from `start` (seeds from a fixed generator).
pub(crate) fn lns_exact(
    data: &CoverData,
    start: &[u32],
    steps: usize,
    deadline: Option<Instant>,
) -> (f64, Vec<u32>) {
    let mut c = Cover::new(data, start);
    c.drop_redundant();
    let mut rng = Rng::new(0xE4AC7);
    let mut mark = vec![0u32; data.n_rows()];
    let mut stamp = 0;
    let mut best = (c.value, c.sites());
    if data.n_rows() == 0 {
        return best;
    }
    for _ in 0..steps {
        if deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        let seed = rng.below(data.n_rows());
        c.lns_exact(seed, &mut mark, &mut stamp);
        if c.value < best.0 - 1e-9 {
            c.drop_redundant();
            best = (c.value, c.sites());
        }
    }
    best
}
