//! OR-Library uncapacitated p-median instances (Beasley 1990, `pmed1`–`pmed40`).
//!
//! Format: a line `n m p`, then `m` lines `i j cost` (1-based, undirected). Distances are
//! shortest paths; when an edge appears twice the last line counts (that is how the published
//! optima were computed). Every vertex is a demand of weight 1 and a candidate site.

use std::path::Path;

use crate::error::{InputError, Problem};
use crate::reach_table::ReachTable;

use super::SitingProblem;

/// One instance with its all-pairs distance matrix (row-major, `n × n`).
#[derive(Debug, Clone)]
pub struct PmedInstance {
    pub n: usize,
    pub p: usize,
    pub dist: Vec<u32>,
}

/// Reads an instance file.
pub fn read_pmed(path: impl AsRef<Path>) -> Result<PmedInstance, InputError> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path)
        .map_err(|e| InputError::file(path, Problem::Unreadable(e.to_string())))?;
    let fail = |line: usize, msg: &str| {
        InputError::file(path, Problem::Other(format!("line {line}: {msg}")))
    };
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let (l0, head) = lines.next().ok_or_else(|| fail(1, "empty file"))?;
    let nums = |l: usize, s: &str| -> Result<Vec<usize>, InputError> {
        s.split_whitespace()
            .map(|t| {
                t.parse::<usize>()
                    .map_err(|_| fail(l + 1, "expected integers"))
            })
            .collect()
    };
    let h = nums(l0, head)?;
    if h.len() < 3 {
        return Err(fail(l0 + 1, "expected `n m p`"));
    }
    let (n, m, p) = (h[0], h[1], h[2]);
    if n == 0 || n > 20_000 {
        return Err(fail(l0 + 1, "n must be between 1 and 20000"));
    }
    const INF: u32 = u32::MAX / 4;
    let mut dist = vec![INF; n * n];
    for i in 0..n {
        dist[i * n + i] = 0;
    }
    let mut read = 0;
    for (l, line) in lines {
        if read == m {
            break;
        }
        let e = nums(l, line)?;
        if e.len() < 3 || e[0] == 0 || e[1] == 0 || e[0] > n || e[1] > n {
            return Err(fail(l + 1, "expected `i j cost` with 1 <= i, j <= n"));
        }
        let (i, j, c) = (e[0] - 1, e[1] - 1, e[2].min(INF as usize / 2) as u32);
        if i != j {
            // The last occurrence of an edge wins.
            dist[i * n + j] = c;
            dist[j * n + i] = c;
        }
        read += 1;
    }
    if read < m {
        return Err(fail(
            text.lines().count(),
            "fewer edge lines than the header says",
        ));
    }
    // Floyd–Warshall.
    for k in 0..n {
        let rowk: Vec<u32> = dist[k * n..(k + 1) * n].to_vec();
        for i in 0..n {
            let dik = dist[i * n + k];
            if dik >= INF {
                continue;
            }
            let row = &mut dist[i * n..(i + 1) * n];
            for (x, &y) in row.iter_mut().zip(&rowk) {
                let via = dik + y;
                if via < *x {
                    *x = via;
                }
            }
        }
    }
    Ok(PmedInstance { n, p, dist })
}

impl PmedInstance {
    /// The instance as a siting problem: weight 1 per vertex, every vertex a candidate, the
    /// complete matrix as the reach table (no limit).
    pub fn problem(&self) -> SitingProblem {
        let n = self.n;
        let mut triplets = Vec::with_capacity(n * n);
        for i in 0..n {
            for j in 0..n {
                let d = self.dist[i * n + j];
                if d < u32::MAX / 4 {
                    triplets.push((i as u32, j as u32, d as f64));
                }
            }
        }
        SitingProblem {
            weights: vec![1.0; n],
            reach: ReachTable::from_triplets(n, n, f64::INFINITY, triplets),
            n_existing: 0,
            costs: None,
            capacities: None,
            full: None,
        }
    }

    /// Σ over vertices of the distance to the nearest of `medians`.
    pub fn cost(&self, medians: &[usize]) -> u64 {
        (0..self.n)
            .map(|i| {
                medians
                    .iter()
                    .map(|&j| self.dist[i * self.n + j] as u64)
                    .min()
                    .unwrap_or(0)
            })
            .sum()
    }
}
