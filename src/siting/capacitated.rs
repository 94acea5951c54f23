//! Capacitated maximal covering: demand may be served only by an open site within the limit and
//! no site serves more than its capacity. Assignment is *fractional* (a community's elderly may
//! be split between several centres), so for a fixed open set the best assignment is a maximum
//! flow source → demand (weight) → site (within the limit) → sink (capacity), solved with Dinic.
//!
//! Internally minimises the weight left unserved. The Lagrangian relaxes "each demand is served
//! at most once": every site then solves a fractional knapsack over the demands it reaches.

use std::collections::VecDeque;

use super::lagrange::Relaxation;

const EPS: f64 = 1e-9;

/// Max-flow evaluations the swap search may spend (the first search; repairs get a tenth).
pub(crate) const SWAP_EVALS: usize = 4000;

#[derive(Debug, Clone)]
struct Edge {
    to: usize,
    cap: f64,
}

/// Bipartite flow network with switchable site capacities.
#[derive(Debug, Clone)]
pub(crate) struct FlowNet {
    n_nodes: usize,
    edges: Vec<Edge>,
    adj: Vec<Vec<usize>>,
    /// Edge index of source → demand, per demand.
    src_edge: Vec<usize>,
    /// Edge index of site → sink, per site.
    sink_edge: Vec<usize>,
    /// (demand, site, edge index) for every arc demand → site.
    arcs: Vec<(u32, u32, usize)>,
    base_cap: Vec<f64>,
    /// Nodes the search skips: closed sites (no way on to the sink).
    dead: Vec<bool>,
    n_dem: usize,
}

impl FlowNet {
    /// `rows[i]`: sites demand `i` reaches.
    pub fn new(weights: &[f64], n_sites: usize, rows: &[Vec<u32>]) -> FlowNet {
        let n_dem = weights.len();
        let n_nodes = n_dem + n_sites + 2;
        let mut net = FlowNet {
            n_nodes,
            edges: Vec::new(),
            adj: vec![Vec::new(); n_nodes],
            src_edge: Vec::with_capacity(n_dem),
            sink_edge: Vec::with_capacity(n_sites),
            arcs: Vec::new(),
            base_cap: Vec::new(),
            dead: vec![false; n_nodes],
            n_dem,
        };
        let (s, t) = (n_nodes - 2, n_nodes - 1);
        for (i, &w) in weights.iter().enumerate() {
            let e = net.add(s, i, w);
            net.src_edge.push(e);
        }
        for (i, row) in rows.iter().enumerate() {
            for &j in row {
                let e = net.add(i, n_dem + j as usize, weights[i]);
                net.arcs.push((i as u32, j, e));
            }
        }
        for j in 0..n_sites {
            let e = net.add(n_dem + j, t, 0.0);
            net.sink_edge.push(e);
        }
        net.base_cap = net.edges.iter().map(|e| e.cap).collect();
        net
    }

    fn add(&mut self, from: usize, to: usize, cap: f64) -> usize {
        let e = self.edges.len();
        self.edges.push(Edge { to, cap });
        self.edges.push(Edge { to: from, cap: 0.0 });
        self.adj[from].push(e);
        self.adj[to].push(e + 1);
        e
    }

    /// Maximum flow with site `j` capped at `caps[j]` (0 = closed).
    pub fn max_flow(&mut self, caps: &[f64]) -> f64 {
        for (e, c) in self.edges.iter_mut().zip(&self.base_cap) {
            e.cap = *c;
        }
        for (j, &c) in caps.iter().enumerate() {
            let e = self.sink_edge[j];
            self.edges[e].cap = c;
            self.dead[self.n_dem + j] = c <= EPS;
        }
        let (s, t) = (self.n_nodes - 2, self.n_nodes - 1);
        let mut flow = 0.0;
        let mut level = vec![-1i64; self.n_nodes];
        let mut it = vec![0usize; self.n_nodes];
        loop {
            level.iter_mut().for_each(|l| *l = -1);
            level[s] = 0;
            let mut q = VecDeque::from([s]);
            while let Some(v) = q.pop_front() {
                for &e in &self.adj[v] {
                    let to = self.edges[e].to;
                    if self.edges[e].cap > EPS && level[to] < 0 && !self.dead[to] {
                        level[to] = level[v] + 1;
                        q.push_back(to);
                    }
                }
            }
            if level[t] < 0 {
                break;
            }
            it.iter_mut().for_each(|x| *x = 0);
            loop {
                let f = self.dfs(s, t, f64::INFINITY, &level, &mut it);
                if f <= EPS {
                    break;
                }
                flow += f;
            }
        }
        flow
    }

    fn dfs(&mut self, v: usize, t: usize, pushed: f64, level: &[i64], it: &mut [usize]) -> f64 {
        if v == t {
            return pushed;
        }
        while it[v] < self.adj[v].len() {
            let e = self.adj[v][it[v]];
            let to = self.edges[e].to;
            if self.edges[e].cap > EPS && level[to] == level[v] + 1 {
                let f = self.dfs(to, t, pushed.min(self.edges[e].cap), level, it);
                if f > EPS {
                    self.edges[e].cap -= f;
                    self.edges[e ^ 1].cap += f;
                    return f;
                }
            }
            it[v] += 1;
        }
        0.0
    }

    /// Flow on each demand → site arc after the last `max_flow`: (demand, site, amount).
    pub fn assignment(&self) -> Vec<(usize, usize, f64)> {
        self.arcs
            .iter()
            .filter_map(|&(i, j, e)| {
                let f = self.base_cap[e] - self.edges[e].cap;
                (f > EPS).then_some((i as usize, j as usize, f))
            })
            .collect()
    }
}

/// The capacitated covering model over demands with positive weight that some site reaches.
#[derive(Debug, Clone)]
pub(crate) struct CapData {
    pub weights: Vec<f64>,
    pub n_existing: usize,
    pub n_cand: usize,
    pub k: usize,
    pub capacity: Vec<f64>,
    /// Per site (existing first): (demand, weight) pairs it reaches, sorted by demand.
    pub site_rows: Vec<Vec<u32>>,
    pub net: FlowNet,
    pub integral: bool,
}

impl CapData {
    pub fn new(
        weights: Vec<f64>,
        n_existing: usize,
        capacity: Vec<f64>,
        rows: &[Vec<u32>],
        k: usize,
    ) -> CapData {
        let n_sites = capacity.len();
        let mut site_rows = vec![Vec::new(); n_sites];
        for (i, row) in rows.iter().enumerate() {
            for &j in row {
                site_rows[j as usize].push(i as u32);
            }
        }
        let net = FlowNet::new(&weights, n_sites, rows);
        let integral = weights
            .iter()
            .chain(capacity.iter().filter(|c| c.is_finite()))
            .all(|x| x.fract() == 0.0 && x.abs() < 1e15);
        let n_cand = n_sites - n_existing;
        CapData {
            weights,
            n_existing,
            n_cand,
            k: k.min(n_cand),
            capacity,
            site_rows,
            net,
            integral,
        }
    }

    pub fn total(&self) -> f64 {
        self.weights.iter().sum()
    }

    fn caps(&self, open: &[bool]) -> Vec<f64> {
        let mut caps = self.capacity.clone();
        for (j, c) in caps.iter_mut().enumerate().skip(self.n_existing) {
            if !open[j - self.n_existing] {
                *c = 0.0;
            }
        }
        caps
    }

    /// Served weight with candidates `open` (plus every existing site).
    pub fn served(&mut self, open: &[bool]) -> f64 {
        let caps = self.caps(open);
        self.net.max_flow(&caps)
    }

    pub fn served_set(&mut self, sites: &[u32]) -> f64 {
        let mut open = vec![false; self.n_cand];
        for &j in sites {
            open[j as usize] = true;
        }
        self.served(&open)
    }

    /// Lazy greedy from `start` up to `k` sites, then first-improvement swaps of an open site
    /// for a candidate sharing one of its demands, within `max_evals` max-flow evaluations.
    pub fn heuristic(
        &mut self,
        start: &[u32],
        deadline: Option<std::time::Instant>,
        max_evals: usize,
    ) -> (f64, Vec<u32>) {
        let mut open = vec![false; self.n_cand];
        for &j in start.iter().take(self.k) {
            open[j as usize] = true;
        }
        let mut n_open = open.iter().filter(|&&o| o).count();
        let mut cur = self.served(&open);
        let eps = 1e-9 * self.total().max(1.0);
        // Upper bounds on each gain: its capacity and the weight it reaches.
        let mut ub: Vec<(f64, u32)> = (0..self.n_cand)
            .filter(|&a| !open[a])
            .map(|a| {
                let reach: f64 = self.site_rows[self.n_existing + a]
                    .iter()
                    .map(|&i| self.weights[i as usize])
                    .sum();
                (reach.min(self.capacity[self.n_existing + a]), a as u32)
            })
            .collect();
        while n_open < self.k {
            // Lazy evaluation in order of the current gain estimates.
            ub.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
            let mut best: Option<(f64, usize)> = None;
            for idx in 0..ub.len() {
                if best.is_some_and(|(g, _)| ub[idx].0 <= g + eps) {
                    break;
                }
                let a = ub[idx].1 as usize;
                open[a] = true;
                let g = self.served(&open) - cur;
                open[a] = false;
                ub[idx].0 = g;
                if best.is_none_or(|(bg, _)| g > bg + eps) {
                    best = Some((g, idx));
                }
            }
            match best {
                Some((g, idx)) if g > eps => {
                    let a = ub.swap_remove(idx).1 as usize;
                    open[a] = true;
                    n_open += 1;
                    cur += g;
                }
                _ => break,
            }
        }
        // First-improvement swaps with neighbouring candidates.
        let mut site_of: Vec<Vec<u32>> = vec![Vec::new(); self.weights.len()];
        for a in 0..self.n_cand {
            for &i in &self.site_rows[self.n_existing + a] {
                site_of[i as usize].push(a as u32);
            }
        }
        let mut evals = 0usize;
        let mut improved = true;
        while improved && evals < max_evals {
            improved = false;
            let ins: Vec<usize> = (0..self.n_cand).filter(|&j| open[j]).collect();
            'outer: for &b in &ins {
                let mut near: Vec<u32> = self.site_rows[self.n_existing + b]
                    .iter()
                    .flat_map(|&i| site_of[i as usize].iter().copied())
                    .filter(|&a| !open[a as usize])
                    .collect();
                near.sort_unstable();
                near.dedup();
                for a in near {
                    let a = a as usize;
                    if evals >= max_evals
                        || deadline.is_some_and(|d| std::time::Instant::now() >= d)
                    {
                        break 'outer;
                    }
                    evals += 1;
                    open[b] = false;
                    open[a] = true;
                    let v = self.served(&open);
                    if v > cur + eps {
                        cur = v;
                        improved = true;
                        break 'outer;
                    }
                    open[a] = false;
                    open[b] = true;
                }
            }
        }
        let sites: Vec<u32> = (0..self.n_cand as u32)
            .filter(|&j| open[j as usize])
            .collect();
        let served = self.served(&open);
        (served, sites)
    }

    /// Fractional knapsack of site `s` (all sites, existing first) under multipliers `λ`:
    /// returns the value and calls `take(i, x)` for every demand it takes a fraction `x` of.
    fn knapsack(&self, s: usize, lambda: &[f64], mut take: impl FnMut(usize, f64)) -> f64 {
        let row = &self.site_rows[s];
        let cap = self.capacity[s];
        let total: f64 = row.iter().map(|&i| self.weights[i as usize]).sum();
        let mut value = 0.0;
        if total <= cap {
            for &i in row {
                if lambda[i as usize] > 0.0 {
                    value += lambda[i as usize];
                    take(i as usize, 1.0);
                }
            }
            return value;
        }
        let mut items: Vec<u32> = row
            .iter()
            .copied()
            .filter(|&i| lambda[i as usize] > 0.0)
            .collect();
        let ratio = |i: u32| lambda[i as usize] / self.weights[i as usize];
        items.sort_by(|&a, &b| ratio(b).total_cmp(&ratio(a)).then(a.cmp(&b)));
        let mut left = cap;
        for i in items {
            let w = self.weights[i as usize];
            if left <= 0.0 {
                break;
            }
            let x = if w <= left { 1.0 } else { left / w };
            left -= w * x;
            value += lambda[i as usize] * x;
            take(i as usize, x);
        }
        value
    }
}

pub(crate) struct CapRelax<'a> {
    pub data: &'a mut CapData,
    pub deadline: Option<std::time::Instant>,
}

impl Relaxation for CapRelax<'_> {
    fn n_cand(&self) -> usize {
        self.data.n_cand
    }
    fn n_mult(&self) -> usize {
        self.data.weights.len()
    }
    fn card(&self) -> Option<usize> {
        Some(self.data.k)
    }
    fn init_multipliers(&self, _incumbent: &[u32]) -> Vec<f64> {
        self.data.weights.iter().map(|w| 0.5 * w).collect()
    }
    fn rho(&self, lambda: &[f64], rho: &mut [f64]) -> f64 {
        let d = &*self.data;
        let mut c: f64 = lambda
            .iter()
            .zip(&d.weights)
            .map(|(l, w)| l + (w - l).min(0.0))
            .sum();
        for s in 0..d.n_existing {
            c -= d.knapsack(s, lambda, |_, _| {});
        }
        for (j, r) in rho.iter_mut().enumerate() {
            *r = -d.knapsack(d.n_existing + j, lambda, |_, _| {});
        }
        c
    }
    fn subgradient(&self, lambda: &[f64], selected: &[bool], g: &mut [f64]) {
        let d = &*self.data;
        for (i, gi) in g.iter_mut().enumerate() {
            *gi = if d.weights[i] < lambda[i] { 0.0 } else { 1.0 };
        }
        for s in 0..d.n_existing + d.n_cand {
            if s >= d.n_existing && !selected[s - d.n_existing] {
                continue;
            }
            d.knapsack(s, lambda, |i, x| g[i] -= x);
        }
    }
    fn repair(&mut self, sites: &[u32]) -> Option<(f64, Vec<u32>)> {
        let (served, s) = self.data.heuristic(sites, self.deadline, SWAP_EVALS / 10);
        Some((self.data.total() - served, s))
    }
    fn integral(&self) -> bool {
        self.data.integral
    }
    fn floor(&self) -> f64 {
        0.0
    }
    fn upper(&self, i: usize) -> f64 {
        self.data.weights[i]
    }
}
