//! The sparse reach table: for every demand point, the sites (facilities or candidates) it can
//! reach within the time limit, with the minutes. This is the contract between the reach search
//! and the siting models; a precomputed travel matrix can fill it just as well.

/// Demand × site pairs within a time limit, stored by demand in compressed rows (CSR).
///
/// Row `d` holds `sites[offsets[d]..offsets[d + 1]]` with their `minutes`, sorted by site index
/// so results do not depend on search order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReachTable {
    pub n_demand: usize,
    pub n_sites: usize,
    /// The limit the table was built with, in minutes; every entry is `<= limit_min + 1e-9`.
    pub limit_min: f64,
    pub offsets: Vec<usize>,
    pub sites: Vec<u32>,
    pub minutes: Vec<f64>,
}

impl ReachTable {
    /// Builds a table from (demand, site, minutes) triplets. Entries over the limit are dropped;
    /// when a pair appears twice the smaller time is kept.
    pub fn from_triplets(
        n_demand: usize,
        n_sites: usize,
        limit_min: f64,
        mut triplets: Vec<(u32, u32, f64)>,
    ) -> ReachTable {
        triplets.retain(|t| t.2 <= limit_min + 1e-9 && (t.0 as usize) < n_demand);
        triplets.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)).then(a.2.total_cmp(&b.2)));
        triplets.dedup_by(|next, kept| next.0 == kept.0 && next.1 == kept.1);
        let mut offsets = vec![0usize; n_demand + 1];
        for t in &triplets {
            offsets[t.0 as usize + 1] += 1;
        }
        for d in 0..n_demand {
            offsets[d + 1] += offsets[d];
        }
        ReachTable {
            n_demand,
            n_sites,
            limit_min,
            offsets,
            sites: triplets.iter().map(|t| t.1).collect(),
            minutes: triplets.iter().map(|t| t.2).collect(),
        }
    }

    /// The sites demand `d` reaches within the limit, with minutes, by site index.
    pub fn row(&self, d: usize) -> impl Iterator<Item = (u32, f64)> + '_ {
        let range = self.offsets[d]..self.offsets[d + 1];
        self.sites[range.clone()]
            .iter()
            .copied()
            .zip(self.minutes[range].iter().copied())
    }

    /// Number of (demand, site) pairs.
    pub fn len(&self) -> usize {
        self.sites.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sites.is_empty()
    }

    /// The same pairs, stored by site: `(offsets, demands, minutes)` in CSR form, each row
    /// sorted by demand index.
    pub fn by_site(&self) -> (Vec<usize>, Vec<u32>, Vec<f64>) {
        let mut offsets = vec![0usize; self.n_sites + 1];
        for &s in &self.sites {
            offsets[s as usize + 1] += 1;
        }
        for s in 0..self.n_sites {
            offsets[s + 1] += offsets[s];
        }
        let mut fill = offsets.clone();
        let mut demands = vec![0u32; self.sites.len()];
        let mut minutes = vec![0f64; self.sites.len()];
        for d in 0..self.n_demand {
            for (s, m) in self.row(d) {
                let at = fill[s as usize];
                demands[at] = d as u32;
                minutes[at] = m;
                fill[s as usize] += 1;
            }
        }
        (offsets, demands, minutes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triplets_are_sorted_deduplicated_and_limited() {
        let t = ReachTable::from_triplets(
            3,
            2,
            15.0,
            vec![
                (2, 1, 3.0),
                (0, 1, 20.0),
                (0, 0, 4.0),
                (2, 1, 2.0),
                (2, 0, 15.0),
            ],
        );
        assert_eq!(t.offsets, vec![0, 1, 1, 3]);
        assert_eq!(t.row(0).collect::<Vec<_>>(), vec![(0, 4.0)]);
        assert_eq!(t.row(2).collect::<Vec<_>>(), vec![(0, 15.0), (1, 2.0)]);
        let (off, dem, min) = t.by_site();
        assert_eq!(off, vec![0, 2, 3]);
        assert_eq!(dem, vec![0, 2, 2]);
        assert_eq!(min, vec![4.0, 15.0, 2.0]);
    }
}
