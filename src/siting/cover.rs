//! LSCP as weighted set cover: rows are the demands that some candidate reaches but no existing
//! facility does; columns are candidates with a cost (1 each when no costs are given).
//!
//! Greedy by cost per newly covered row (lazy heap), redundant sites dropped (most expensive
//! first), and the Lagrangian relaxation of the cover constraints (Beasley 1990) for the bound.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::lagrange::Relaxation;

#[derive(Debug, Clone)]
pub(crate) struct CoverData {
    pub n_cand: usize,
    pub cost: Vec<f64>,
    /// Row-major: candidates of each row.
    pub r_off: Vec<usize>,
    pub r_cand: Vec<u32>,
    /// Candidate-major: rows of each candidate.
    pub c_off: Vec<usize>,
    pub c_row: Vec<u32>,
    pub integral: bool,
}

impl CoverData {
    pub fn new(n_cand: usize, cost: Vec<f64>, rows: Vec<Vec<u32>>) -> CoverData {
        let mut r_off = vec![0usize];
        let mut r_cand = Vec::new();
        for mut row in rows {
            row.sort_unstable();
            row.dedup();
            r_cand.extend(row);
            r_off.push(r_cand.len());
        }
        let n_rows = r_off.len() - 1;
        let mut c_off = vec![0usize; n_cand + 1];
        for &j in &r_cand {
            c_off[j as usize + 1] += 1;
        }
        for j in 0..n_cand {
            c_off[j + 1] += c_off[j];
        }
        let mut fill = c_off.clone();
        let mut c_row = vec![0u32; r_cand.len()];
        for r in 0..n_rows {
            for &j in &r_cand[r_off[r]..r_off[r + 1]] {
                c_row[fill[j as usize]] = r as u32;
                fill[j as usize] += 1;
            }
        }
        let integral = cost.iter().all(|c| c.fract() == 0.0 && c.abs() < 1e15);
        CoverData {
            n_cand,
            cost,
            r_off,
            r_cand,
            c_off,
            c_row,
            integral,
        }
    }

    pub fn n_rows(&self) -> usize {
        self.r_off.len() - 1
    }

    pub fn rows_of(&self, j: usize) -> &[u32] {
        &self.c_row[self.c_off[j]..self.c_off[j + 1]]
    }

    pub fn cands_of(&self, r: usize) -> &[u32] {
        &self.r_cand[self.r_off[r]..self.r_off[r + 1]]
    }

    pub fn value(&self, sites: &[u32]) -> f64 {
        sites.iter().map(|&j| self.cost[j as usize]).sum()
    }

    /// Completes `start` to a cover greedily, then drops redundant sites.
    pub fn complete(&self, start: &[u32]) -> Vec<u32> {
        let mut open = vec![false; self.n_cand];
        let mut count = vec![0u32; self.n_rows()];
        for &j in start {
            if !open[j as usize] {
                open[j as usize] = true;
                for &r in self.rows_of(j as usize) {
                    count[r as usize] += 1;
                }
            }
        }
        let newly = |count: &[u32], j: usize| {
            self.rows_of(j)
                .iter()
                .filter(|&&r| count[r as usize] == 0)
                .count()
        };
        // Min-heap on (cost per new row, index); ratios only grow, so stale keys are lower bounds.
        let ratio = |j: usize, n: usize| {
            if n == 0 {
                f64::INFINITY
            } else {
                self.cost[j] / n as f64
            }
        };
        let mut heap: BinaryHeap<Reverse<(Key, u32)>> = (0..self.n_cand)
            .filter(|&j| !open[j])
            .map(|j| Reverse((Key(ratio(j, newly(&count, j))), j as u32)))
            .filter(|Reverse((k, _))| k.0.is_finite())
            .collect();
        while let Some(Reverse((Key(_), j))) = heap.pop() {
            let j = j as usize;
            let n = newly(&count, j);
            if n == 0 {
                continue;
            }
            let r = ratio(j, n);
            if let Some(Reverse((Key(next), nj))) = heap.peek() {
                if (r, j as u32) > (*next, *nj) {
                    heap.push(Reverse((Key(r), j as u32)));
                    continue;
                }
            }
            open[j] = true;
            for &row in self.rows_of(j) {
                count[row as usize] += 1;
            }
        }
        // Drop redundant sites, most expensive first (ties: higher index first).
        let mut chosen: Vec<u32> = (0..self.n_cand as u32)
            .filter(|&j| open[j as usize])
            .collect();
        chosen.sort_by(|&a, &b| {
            self.cost[b as usize]
                .total_cmp(&self.cost[a as usize])
                .then(b.cmp(&a))
        });
        for &j in &chosen {
            if self
                .rows_of(j as usize)
                .iter()
                .all(|&r| count[r as usize] >= 2)
            {
                open[j as usize] = false;
                for &r in self.rows_of(j as usize) {
                    count[r as usize] -= 1;
                }
            }
        }
        (0..self.n_cand as u32)
            .filter(|&j| open[j as usize])
            .collect()
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

pub(crate) struct CoverRelax<'a> {
    pub data: &'a CoverData,
    /// Starting multipliers (e.g. the LP duals); the cheapest cost per row otherwise.
    pub start: Option<Vec<f64>>,
}

impl Relaxation for CoverRelax<'_> {
    fn n_cand(&self) -> usize {
        self.data.n_cand
    }
    fn n_mult(&self) -> usize {
        self.data.n_rows()
    }
    fn card(&self) -> Option<usize> {
        None
    }
    fn init_multipliers(&self, _incumbent: &[u32]) -> Vec<f64> {
        if let Some(u) = &self.start {
            return u.clone();
        }
        (0..self.data.n_rows())
            .map(|r| {
                self.data
                    .cands_of(r)
                    .iter()
                    .map(|&j| {
                        self.data.cost[j as usize] / self.data.rows_of(j as usize).len() as f64
                    })
                    .fold(f64::INFINITY, f64::min)
            })
            .map(|x| if x.is_finite() { x } else { 0.0 })
            .collect()
    }
    fn rho(&self, lambda: &[f64], rho: &mut [f64]) -> f64 {
        for (j, r) in rho.iter_mut().enumerate() {
            *r = self.data.cost[j]
                - self
                    .data
                    .rows_of(j)
                    .iter()
                    .map(|&row| lambda[row as usize])
                    .sum::<f64>();
        }
        lambda.iter().sum()
    }
    fn subgradient(&self, _lambda: &[f64], selected: &[bool], g: &mut [f64]) {
        for (r, gr) in g.iter_mut().enumerate() {
            let n = self
                .data
                .cands_of(r)
                .iter()
                .filter(|&&j| selected[j as usize])
                .count();
            *gr = 1.0 - n as f64;
        }
    }
    fn repair(&mut self, sites: &[u32]) -> Option<(f64, Vec<u32>)> {
        let s = self.data.complete(sites);
        Some((self.data.value(&s), s))
    }
    fn floor(&self) -> f64 {
        0.0
    }
    fn infeasible(&self, fix: &[i8]) -> bool {
        (0..self.data.n_rows()).any(|r| self.data.cands_of(r).iter().all(|&j| fix[j as usize] < 0))
    }
    fn integral(&self) -> bool {
        self.data.integral
    }
}

/// Instances and checks shared by the set-cover tests.
#[cfg(test)]
pub(crate) mod testing {
    use super::CoverData;
    use crate::siting::cover_heur::Rng;

    /// A random set cover: `m` rows over `n` candidates, each row 2–6 candidates, costs 1–3
    /// (or all 1).
    pub(crate) fn random_cover(seed: u64, m: usize, n: usize, unit: bool) -> CoverData {
        let mut rng = Rng::new(seed);
        let rows: Vec<Vec<u32>> = (0..m)
            .map(|_| {
                let k = 2 + rng.below(5);
                (0..k).map(|_| rng.below(n) as u32).collect()
            })
            .collect();
        let cost = (0..n)
            .map(|_| if unit { 1.0 } else { 1.0 + rng.below(3) as f64 })
            .collect();
        CoverData::new(n, cost, rows)
    }

    /// Whether `sites` cover every row.
    pub(crate) fn is_cover(data: &CoverData, sites: &[u32]) -> bool {
        (0..data.n_rows()).all(|r| data.cands_of(r).iter().any(|j| sites.contains(j)))
    }
}
