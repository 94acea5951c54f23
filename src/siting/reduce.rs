//! Set-covering reductions (Toregas & ReVelle 1973; Garfinkel & Nemhauser 1972; Beasley 1987),
//! applied before any search, then a split into independent components.
//!
//! * **Forced columns**: a row with a single candidate forces it open; a candidate of cost 0 is
//!   opened for free. Rows a forced candidate covers are removed.
//! * **Row domination**: if row `a`'s candidates are a subset of row `b`'s, any cover of `a`
//!   covers `b`: `b` is removed.
//! * **Column domination**: if candidate `j` covers a subset of the rows `k` covers and `k` costs
//!   no more, `j` is removed (ties: the candidate covering fewer rows, then the higher index
//!   goes). The order (cost, −rows, index) is strict, so every removed candidate keeps a
//!   surviving dominator and an optimum of the reduced instance is an optimum of the original.
//! * Candidates that cover no remaining row are removed.
//!
//! The rules repeat until nothing changes. On a road network, candidates a few hundred metres
//! apart reach nearly the same communities, so column domination removes most of them; the
//! remaining instance then falls apart into many small components (pockets of the city the
//! existing facilities leave uncovered), each solved on its own.

use std::time::Instant;

use rayon::prelude::*;

/// What the reductions removed, for the certificate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReductionStats {
    pub rows_in: usize,
    pub candidates_in: usize,
    pub forced: usize,
    pub rows_covered_by_forced: usize,
    pub rows_dominated: usize,
    pub candidates_dominated: usize,
    pub candidates_empty: usize,
    pub rounds: usize,
    pub rows_left: usize,
    pub candidates_left: usize,
}

/// A set-cover instance after the reductions.
#[derive(Debug, Clone)]
pub(crate) struct Reduced {
    /// Candidates (original indices) every optimum may take: forced open.
    pub forced: Vec<u32>,
    /// Remaining candidates (original indices), ascending.
    pub cols: Vec<u32>,
    /// Cost of each remaining candidate.
    pub cost: Vec<f64>,
    /// Remaining rows: local candidate indices (into `cols`), ascending.
    pub rows: Vec<Vec<u32>>,
    pub stats: ReductionStats,
}

/// A 64-bit summary of a set: `a ⊆ b` implies `sig(a) & !sig(b) == 0`, a cheap first test.
fn signature(set: &[u32]) -> u64 {
    set.iter().fold(0u64, |s, &x| {
        s | 1u64 << ((x as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58)
    })
}

/// `a ⊆ b` for ascending slices.
fn subset(a: &[u32], b: &[u32]) -> bool {
    if a.len() > b.len() {
        return false;
    }
    let mut k = 0;
    for &x in a {
        while k < b.len() && b[k] < x {
            k += 1;
        }
        if k == b.len() || b[k] != x {
            return false;
        }
        k += 1;
    }
    true
}

/// Reduces `min Σ cost_j y_j, every row covered` (rows: candidate lists, non-empty).
pub(crate) fn reduce(
    n_cand: usize,
    cost: &[f64],
    rows_in: &[Vec<u32>],
    deadline: Option<Instant>,
) -> Reduced {
    let mut stats = ReductionStats {
        rows_in: rows_in.len(),
        candidates_in: n_cand,
        ..ReductionStats::default()
    };
    let mut rows: Vec<Vec<u32>> = rows_in
        .iter()
        .map(|r| {
            let mut r = r.clone();
            r.sort_unstable();
            r.dedup();
            r
        })
        .collect();
    let mut row_alive = vec![true; rows.len()];
    let mut col_alive = vec![true; n_cand];
    let mut forced_flag = vec![false; n_cand];
    let mut forced = Vec::new();
    // Columns that appear in no row at all.
    let mut used = vec![false; n_cand];
    for r in &rows {
        for &j in r {
            used[j as usize] = true;
        }
    }
    for j in 0..n_cand {
        if !used[j] {
            col_alive[j] = false;
        }
    }
    loop {
        stats.rounds += 1;
        let mut changed = false;
        // Column lists of the alive rows.
        let build_cols = |rows: &[Vec<u32>], row_alive: &[bool]| {
            let mut cols: Vec<Vec<u32>> = vec![Vec::new(); n_cand];
            for (r, row) in rows.iter().enumerate() {
                if row_alive[r] {
                    for &j in row {
                        cols[j as usize].push(r as u32);
                    }
                }
            }
            cols
        };
        // Forced columns: singleton rows and free candidates.
        let cols = build_cols(&rows, &row_alive);
        let mut to_force: Vec<u32> = Vec::new();
        for (r, row) in rows.iter().enumerate() {
            if row_alive[r] && row.len() == 1 {
                to_force.push(row[0]);
            }
        }
        for j in 0..n_cand {
            if col_alive[j] && cost[j] <= 0.0 && !cols[j].is_empty() {
                to_force.push(j as u32);
            }
        }
        to_force.sort_unstable();
        to_force.dedup();
        for &j in &to_force {
            let j = j as usize;
            if forced_flag[j] {
                continue;
            }
            forced_flag[j] = true;
            col_alive[j] = false;
            forced.push(j as u32);
            stats.forced += 1;
            changed = true;
            for &r in &cols[j] {
                if row_alive[r as usize] {
                    row_alive[r as usize] = false;
                    stats.rows_covered_by_forced += 1;
                }
            }
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            // Any prefix of the reductions is valid: stop here.
            for (r, row) in rows.iter_mut().enumerate() {
                if row_alive[r] {
                    row.retain(|&j| col_alive[j as usize]);
                }
            }
            break;
        }
        // Row domination: `b` goes when some other row `a ⊆ b` comes first in (length, index), a
        // strict order, so the flags can be computed independently (in parallel) per row.
        let cols = build_cols(&rows, &row_alive);
        let row_sig: Vec<u64> = rows.iter().map(|r| signature(r)).collect();
        let kill_rows: Vec<bool> = (0..rows.len())
            .into_par_iter()
            .map(|b| {
                if !row_alive[b] {
                    return false;
                }
                let rb = &rows[b];
                rb.iter().any(|&c| {
                    cols[c as usize].iter().any(|&a| {
                        let a = a as usize;
                        let ra = &rows[a];
                        a != b
                            && ra[0] == c
                            && (ra.len(), a) < (rb.len(), b)
                            && row_sig[a] & !row_sig[b] == 0
                            && subset(ra, rb)
                    })
                })
            })
            .collect();
        for (b, k) in kill_rows.into_iter().enumerate() {
            if k {
                row_alive[b] = false;
                stats.rows_dominated += 1;
                changed = true;
            }
        }
        // Column domination, on the surviving rows (per column, independently: the order
        // (cost, −rows, index) is strict).
        let cols = build_cols(&rows, &row_alive);
        let col_sig: Vec<u64> = cols.iter().map(|c| signature(c)).collect();
        let mut row_len = vec![0usize; rows.len()];
        for (r, row) in rows.iter().enumerate() {
            if row_alive[r] {
                row_len[r] = row.len();
            }
        }
        // (cost, −rows, index): smaller is better.
        let better = |k: usize, j: usize| {
            cost[k]
                .total_cmp(&cost[j])
                .then(cols[j].len().cmp(&cols[k].len()))
                .then(k.cmp(&j))
                .is_lt()
        };
        let verdict: Vec<u8> = (0..n_cand)
            .into_par_iter()
            .map(|j| {
                if !col_alive[j] {
                    return 0;
                }
                if cols[j].is_empty() {
                    return 2;
                }
                let pivot = *cols[j]
                    .iter()
                    .min_by_key(|&&r| (row_len[r as usize], r))
                    .expect("non-empty");
                let dominated = rows[pivot as usize].iter().any(|&k| {
                    let k = k as usize;
                    k != j
                        && cost[k] <= cost[j]
                        && cols[k].len() >= cols[j].len()
                        && col_sig[j] & !col_sig[k] == 0
                        && better(k, j)
                        && subset(&cols[j], &cols[k])
                });
                u8::from(dominated)
            })
            .collect();
        for (j, v) in verdict.into_iter().enumerate() {
            match v {
                1 => {
                    col_alive[j] = false;
                    stats.candidates_dominated += 1;
                    changed = true;
                }
                2 => {
                    col_alive[j] = false;
                    stats.candidates_empty += 1;
                    changed = true;
                }
                _ => {}
            }
        }
        // Drop dead candidates from the rows.
        for (r, row) in rows.iter_mut().enumerate() {
            if row_alive[r] {
                row.retain(|&j| col_alive[j as usize]);
                debug_assert!(!row.is_empty());
            }
        }
        if !changed {
            break;
        }
    }
    forced.sort_unstable();
    let mut local = vec![u32::MAX; n_cand];
    let kept: Vec<u32> = (0..n_cand as u32)
        .filter(|&j| col_alive[j as usize])
        .collect();
    for (l, &j) in kept.iter().enumerate() {
        local[j as usize] = l as u32;
    }
    let out_rows: Vec<Vec<u32>> = rows
        .into_iter()
        .enumerate()
        .filter(|&(r, _)| row_alive[r])
        .map(|(_, row)| row.into_iter().map(|j| local[j as usize]).collect())
        .collect();
    stats.rows_left = out_rows.len();
    stats.candidates_left = kept.len();
    Reduced {
        forced,
        cost: kept.iter().map(|&j| cost[j as usize]).collect(),
        cols: kept,
        rows: out_rows,
        stats,
    }
}

/// Splits a reduced instance into independent components: groups of rows that share no
/// candidate. Returns, per component, its candidates (local indices, ascending) and rows
/// (indices into `rows`), ordered by smallest candidate.
pub(crate) fn components(n_cols: usize, rows: &[Vec<u32>]) -> Vec<(Vec<u32>, Vec<usize>)> {
    let mut parent: Vec<u32> = (0..n_cols as u32).collect();
    fn find(p: &mut [u32], mut x: u32) -> u32 {
        while p[x as usize] != x {
            p[x as usize] = p[p[x as usize] as usize];
            x = p[x as usize];
        }
        x
    }
    for row in rows {
        for &j in &row[1..] {
            let a = find(&mut parent, row[0]);
            let b = find(&mut parent, j);
            if a != b {
                let (lo, hi) = if a < b { (a, b) } else { (b, a) };
                parent[hi as usize] = lo;
            }
        }
    }
    collect(n_cols, rows, &mut parent, find)
}

fn collect(
    n_cols: usize,
    rows: &[Vec<u32>],
    parent: &mut [u32],
    find: fn(&mut [u32], u32) -> u32,
) -> Vec<(Vec<u32>, Vec<usize>)> {
    let mut slot = vec![usize::MAX; n_cols];
    let mut out: Vec<(Vec<u32>, Vec<usize>)> = Vec::new();
    let mut used = vec![false; n_cols];
    for row in rows {
        for &j in row {
            used[j as usize] = true;
        }
    }
    for j in 0..n_cols as u32 {
        if !used[j as usize] {
            continue;
        }
        let root = find(parent, j) as usize;
        if slot[root] == usize::MAX {
            slot[root] = out.len();
            out.push((Vec::new(), Vec::new()));
        }
        out[slot[root]].0.push(j);
    }
    for (r, row) in rows.iter().enumerate() {
        let root = find(parent, row[0]) as usize;
        out[slot[root]].1.push(r);
    }
    out
}

/// Column domination for the assignment models (MCLP, p-median): candidate `j` is dominated
/// by `k` when every demand `j` reaches, `k` reaches at no greater cost (`rows[i]`: `(candidate,
/// cost)` pairs, ascending by candidate). Replacing `j` by `k` in any solution (or dropping `j`
/// when `k` is already open) changes no demand's cost for the worse, so some optimum avoids
/// every dominated candidate. Ties go by (more demands, lower index), a strict order, so every
/// dominated candidate keeps a surviving dominator. Returns each candidate's dominator (the
/// first found along the rows), `None` for a candidate nothing dominates.
pub(crate) fn dominated_assign_columns(
    n_cand: usize,
    rows: &[Vec<(u32, f64)>],
) -> Vec<Option<u32>> {
    let mut cols: Vec<Vec<(u32, f64)>> = vec![Vec::new(); n_cand];
    for (i, row) in rows.iter().enumerate() {
        for &(j, c) in row {
            cols[j as usize].push((i as u32, c));
        }
    }
    // Cost of candidate `k` in row `i` (binary search; rows are sorted by candidate).
    let cost_in = |i: u32, k: u32| -> Option<f64> {
        let row = &rows[i as usize];
        row.binary_search_by_key(&k, |e| e.0).ok().map(|p| row[p].1)
    };
    let sig: Vec<u64> = cols
        .iter()
        .map(|c| signature(&c.iter().map(|e| e.0).collect::<Vec<u32>>()))
        .collect();
    (0..n_cand)
        .into_par_iter()
        .map(|j| {
            let cj = &cols[j];
            if cj.is_empty() {
                return None;
            }
            let &(pivot, pc) = cj
                .iter()
                .min_by_key(|&&(i, _)| (rows[i as usize].len(), i))
                .expect("non-empty");
            let found = rows[pivot as usize].iter().find(|&&(k, ck)| {
                let ku = k as usize;
                ku != j
                    && ck <= pc
                    && cols[ku].len() >= cj.len()
                    && sig[j] & !sig[ku] == 0
                    && (cols[ku].len(), std::cmp::Reverse(ku)) > (cj.len(), std::cmp::Reverse(j))
                    && cj
                        .iter()
                        .all(|&(i, c)| cost_in(i, k).is_some_and(|x| x <= c))
            });
            found.map(|&(k, _)| k)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn singleton_row_forces_and_domination_removes() {
        // Rows: {0}, {0,1}, {1,2}, {1,2,3}; unit costs.
        // Row {0} forces 0 (covers rows 0, 1). Row {1,2,3} ⊇ {1,2}: removed. Then 1 and 2 cover
        // the same rows: 2 (higher index) goes, so row {1,2} becomes {1} and forces 1.
        let rows = vec![vec![0], vec![0, 1], vec![1, 2], vec![1, 2, 3]];
        let r = reduce(5, &[1.0; 5], &rows, None);
        assert_eq!(r.forced, vec![0, 1]);
        assert!(r.rows.is_empty());
        assert!(r.cols.is_empty());
        assert_eq!(r.stats.rows_covered_by_forced, 3);
        assert_eq!(r.stats.rows_dominated, 1);
    }

    #[test]
    fn cheaper_column_survives_and_components_split() {
        // Two independent triangles; in the first, candidate 1 is cheaper than 0 with the same
        // rows, so 0 goes.
        let rows = vec![
            vec![0, 1, 2],
            vec![0, 1, 3],
            vec![2, 3],
            vec![4, 5],
            vec![5, 6],
            vec![4, 6],
        ];
        let cost = [2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0];
        let r = reduce(7, &cost, &rows, None);
        assert!(r.forced.is_empty());
        assert_eq!(r.cols, vec![1, 2, 3, 4, 5, 6]);
        let comps = components(r.cols.len(), &r.rows);
        assert_eq!(comps.len(), 2);
        assert_eq!(comps[0].0, vec![0, 1, 2]);
        assert_eq!(comps[1].0, vec![3, 4, 5]);
        assert_eq!(comps[1].1, vec![3, 4, 5]);
    }
}
