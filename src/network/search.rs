//! Bounded multi-source Dijkstra over the compressed adjacency, the nearest source for every
//! demand point, and the sparse reach table.

use std::cmp::Ordering;
use std::collections::HashMap;

use rayon::prelude::*;

use super::build::RoadGraph;
use super::snap::Snap;
use crate::reach_table::ReachTable;

/// "Within the limit" allows this much floating-point slack.
pub const EPS_MIN: f64 = 1e-9;

/// Which way travel times are measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Time from each node (or demand point) to the source: an elderly person walking to the
    /// facility. The same as `FromSource` unless one-way streets are honoured.
    ToSource,
    /// Time from the source to each node: the service area a facility reaches.
    FromSource,
}

impl Direction {
    fn reverse(self) -> Direction {
        match self {
            Direction::ToSource => Direction::FromSource,
            Direction::FromSource => Direction::ToSource,
        }
    }
}

/// A search start: a node, the minutes already spent reaching it, and the source it belongs to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Seed {
    pub node: u32,
    pub minutes: f64,
    pub source: u32,
}

/// Minutes to travel along `edge` from fraction `from` to fraction `to` (0 = its u end).
/// Infinite when that direction is closed.
fn along(graph: &RoadGraph, edge: u32, from: f64, to: f64) -> f64 {
    let e = &graph.edges[edge as usize];
    let (frac, minutes) = if to >= from {
        (to - from, e.minutes_uv)
    } else {
        (from - to, e.minutes_vu)
    };
    if frac == 0.0 {
        0.0
    } else if minutes.is_finite() {
        frac * minutes
    } else {
        f64::INFINITY
    }
}

/// Minutes of a snap's straight access leg.
pub fn access_minutes(graph: &RoadGraph, snap: &Snap) -> f64 {
    snap.access_m / graph.edges[snap.edge as usize].m_per_min
}

/// The two ends of a snapped point's edge with the minutes between point and node, in the
/// direction of travel: for `ToSource`, node → point; for `FromSource`, point → node.
/// Closed directions are left out.
pub fn snap_ends(graph: &RoadGraph, snap: &Snap, dir: Direction) -> [(u32, f64); 2] {
    let e = &graph.edges[snap.edge as usize];
    let access = access_minutes(graph, snap);
    let (to_u, to_v) = match dir {
        Direction::ToSource => (
            along(graph, snap.edge, 0.0, snap.t),
            along(graph, snap.edge, 1.0, snap.t),
        ),
        Direction::FromSource => (
            along(graph, snap.edge, snap.t, 0.0),
            along(graph, snap.edge, snap.t, 1.0),
        ),
    };
    [(e.u, to_u + access), (e.v, to_v + access)]
}

/// Minutes between two points snapped onto the same edge, straight along it (`None` when they
/// are on different edges), in the direction of travel.
fn same_edge_minutes(
    graph: &RoadGraph,
    source: &Snap,
    demand: &Snap,
    dir: Direction,
) -> Option<f64> {
    if source.edge != demand.edge {
        return None;
    }
    let along_m = match dir {
        Direction::ToSource => along(graph, source.edge, demand.t, source.t),
        Direction::FromSource => along(graph, source.edge, source.t, demand.t),
    };
    Some(along_m + access_minutes(graph, source) + access_minutes(graph, demand))
}

/// A queue entry: the order (minutes, then source, then node) packed into one integer, so that
/// comparing two entries is one comparison. Minutes go in as their bits mapped to an unsigned
/// key that orders as `f64::total_cmp` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct HeapItem(u128);

const SIGN: u64 = 1 << 63;

impl HeapItem {
    fn new(minutes: f64, source: u32, node: u32) -> HeapItem {
        let bits = minutes.to_bits();
        let key = if bits & SIGN != 0 { !bits } else { bits | SIGN };
        HeapItem(((key as u128) << 64) | ((source as u128) << 32) | node as u128)
    }

    fn minutes(self) -> f64 {
        let key = (self.0 >> 64) as u64;
        f64::from_bits(if key & SIGN != 0 { key & !SIGN } else { !key })
    }

    fn source(self) -> u32 {
        (self.0 >> 32) as u32
    }

    fn node(self) -> u32 {
        self.0 as u32
    }
}

/// A 4-ary min-heap of entries: shallower than a binary heap, and its four children share a
/// cache line. Entries are distinct and totally ordered, so it pops exactly the sequence any
/// other priority queue would.
#[derive(Debug, Clone, Default)]
struct MinHeap {
    items: Vec<HeapItem>,
}

impl MinHeap {
    fn clear(&mut self) {
        self.items.clear();
    }

    fn push(&mut self, item: HeapItem) {
        let mut at = self.items.len();
        self.items.push(item);
        while at > 0 {
            let parent = (at - 1) / 4;
            if self.items[parent] <= item {
                break;
            }
            self.items[at] = self.items[parent];
            at = parent;
        }
        self.items[at] = item;
    }

    fn pop(&mut self) -> Option<HeapItem> {
        let last = self.items.pop()?;
        let n = self.items.len();
        if n == 0 {
            return Some(last);
        }
        let top = self.items[0];
        let mut at = 0;
        loop {
            let first = 4 * at + 1;
            if first >= n {
                break;
            }
            let end = (first + 4).min(n);
            let mut child = first;
            for c in first + 1..end {
                if self.items[c] < self.items[child] {
                    child = c;
                }
            }
            if self.items[child] >= last {
                break;
            }
            self.items[at] = self.items[child];
            at = child;
        }
        self.items[at] = last;
        Some(top)
    }
}

/// A radix heap of entries: a priority queue for keys that never fall below the last one
/// popped (Dijkstra's: minutes plus a length never drop below the minutes), in 65 buckets by
/// the highest bit in which a key differs from the last popped key. A push is one bucket
/// append and a pop mostly one bucket pop; when the lowest bucket is empty the next non-empty
/// one is spread over the lower ones by its smallest key. Among entries of equal minutes it
/// pops in no particular order.
#[derive(Debug, Clone)]
struct RadixHeap {
    /// The key (minutes) of the last entry popped.
    last: u64,
    buckets: Vec<Vec<HeapItem>>,
    len: usize,
}

impl Default for RadixHeap {
    fn default() -> RadixHeap {
        RadixHeap {
            last: 0,
            buckets: vec![Vec::new(); 65],
            len: 0,
        }
    }
}

impl RadixHeap {
    fn key(item: HeapItem) -> u64 {
        (item.0 >> 64) as u64
    }

    fn bucket(last: u64, key: u64) -> usize {
        64 - (key ^ last).leading_zeros() as usize
    }

    fn clear(&mut self) {
        for b in &mut self.buckets {
            b.clear();
        }
        self.last = 0;
        self.len = 0;
    }

    fn push(&mut self, item: HeapItem) {
        let b = RadixHeap::bucket(self.last, RadixHeap::key(item));
        self.buckets[b].push(item);
        self.len += 1;
    }

    fn pop(&mut self) -> Option<HeapItem> {
        if self.len == 0 {
            return None;
        }
        if self.buckets[0].is_empty() {
            let i = (1..self.buckets.len()).find(|&i| !self.buckets[i].is_empty())?;
            let mut spread = std::mem::take(&mut self.buckets[i]);
            self.last = spread.iter().map(|&e| RadixHeap::key(e)).min()?;
            for &e in &spread {
                self.buckets[RadixHeap::bucket(self.last, RadixHeap::key(e))].push(e);
            }
            // The emptied bucket keeps its room for later entries.
            spread.clear();
            if self.buckets[i].is_empty() {
                self.buckets[i] = spread;
            }
        }
        self.len -= 1;
        self.buckets[0].pop()
    }
}

/// The queue a search runs on.
trait Queue {
    fn push(&mut self, item: HeapItem);
    fn pop(&mut self) -> Option<HeapItem>;
    fn clear(&mut self);
}

impl Queue for MinHeap {
    fn push(&mut self, item: HeapItem) {
        MinHeap::push(self, item)
    }
    fn pop(&mut self) -> Option<HeapItem> {
        MinHeap::pop(self)
    }
    fn clear(&mut self) {
        MinHeap::clear(self)
    }
}

impl Queue for RadixHeap {
    fn push(&mut self, item: HeapItem) {
        RadixHeap::push(self, item)
    }
    fn pop(&mut self) -> Option<HeapItem> {
        RadixHeap::pop(self)
    }
    fn clear(&mut self) {
        RadixHeap::clear(self)
    }
}

/// Reusable scratch space for searches: allocated once per graph (per thread), reset in time
/// proportional to what the last search touched, not to the graph.
#[derive(Debug, Clone)]
pub struct SearchSpace {
    /// Per node, its minutes and nearest source side by side: the search reads both of a
    /// node at once, and a city's nodes do not fit in the cache, so one line per node.
    labels: Vec<Label>,
    touched: Vec<u32>,
    heap: MinHeap,
    /// The queue of [`SearchSpace::run_for_labels`].
    radix: RadixHeap,
}

/// A node's minutes and nearest source (`u32::MAX`: none yet).
#[derive(Debug, Clone, Copy)]
struct Label {
    minutes: f64,
    source: u32,
}

const UNREACHED: Label = Label {
    minutes: f64::INFINITY,
    source: u32::MAX,
};

impl SearchSpace {
    pub fn new(graph: &RoadGraph) -> SearchSpace {
        SearchSpace {
            labels: vec![UNREACHED; graph.node_count()],
            touched: Vec::new(),
            heap: MinHeap::default(),
            radix: RadixHeap::default(),
        }
    }

    fn reset(&mut self) {
        for &n in &self.touched {
            self.labels[n as usize] = UNREACHED;
        }
        self.touched.clear();
    }

    fn offer(&mut self, queue: &mut impl Queue, node: u32, minutes: f64, source: u32) {
        let label = &mut self.labels[node as usize];
        let better = match minutes.total_cmp(&label.minutes) {
            Ordering::Less => true,
            Ordering::Equal => source < label.source,
            Ordering::Greater => false,
        };
        if better {
            if label.minutes.is_infinite() && label.source == u32::MAX {
                self.touched.push(node);
            }
            *label = Label { minutes, source };
            queue.push(HeapItem::new(minutes, source, node));
        }
    }

    /// Runs a bounded multi-source Dijkstra: afterwards every node within `limit_min` has its
    /// minutes and nearest source (ties go to the lower source number). Pass
    /// `f64::INFINITY` for an unbounded search.
    pub fn run(
        &mut self,
        graph: &RoadGraph,
        seeds: impl IntoIterator<Item = Seed>,
        limit_min: f64,
        dir: Direction,
    ) {
        let mut heap = std::mem::take(&mut self.heap);
        self.search(&mut heap, graph, seeds, limit_min, dir);
        self.heap = heap;
    }

    /// [`SearchSpace::run`] for callers that read only the minutes and sources afterwards, not
    /// [`SearchSpace::reached`]: on a radix heap, which pops entries of equal minutes in no
    /// particular order. The labels are the same: whatever the order, a node whose label
    /// improves after it was expanded is queued and expanded again, so the search ends at the
    /// one fixed point of "a node's label is the least (minutes, source) its seed or a
    /// neighbour's label gives it", the labels the binary order gives (only the order nodes
    /// were first reached differs).
    pub fn run_for_labels(
        &mut self,
        graph: &RoadGraph,
        seeds: impl IntoIterator<Item = Seed>,
        limit_min: f64,
        dir: Direction,
    ) {
        let mut radix = std::mem::take(&mut self.radix);
        self.search(&mut radix, graph, seeds, limit_min, dir);
        self.radix = radix;
    }

    fn search(
        &mut self,
        queue: &mut impl Queue,
        graph: &RoadGraph,
        seeds: impl IntoIterator<Item = Seed>,
        limit_min: f64,
        dir: Direction,
    ) {
        self.reset();
        queue.clear();
        let bound = limit_min + EPS_MIN;
        for s in seeds {
            if s.minutes <= bound && (s.node as usize) < self.labels.len() {
                self.offer(queue, s.node, s.minutes, s.source);
            }
        }
        while let Some(item) = queue.pop() {
            let (node, minutes, source) = (item.node(), item.minutes(), item.source());
            let n = node as usize;
            let label = self.labels[n];
            if minutes != label.minutes || source != label.source {
                continue; // stale entry
            }
            let arcs = match dir {
                Direction::ToSource => graph.in_arcs(node),
                Direction::FromSource => graph.out_arcs(node),
            };
            for &(next, w, _) in arcs {
                let m = minutes + w;
                if m <= bound {
                    self.offer(queue, next, m, source);
                }
            }
        }
    }

    /// Minutes of a node after [`SearchSpace::run`] (infinite when not reached).
    pub fn minutes(&self, node: u32) -> f64 {
        self.labels[node as usize].minutes
    }

    /// The nearest source of a node after a run (`None` when not reached).
    pub fn source(&self, node: u32) -> Option<u32> {
        let s = self.labels[node as usize].source;
        (s != u32::MAX).then_some(s)
    }

    /// The nodes the last run reached, in the order first touched.
    pub fn reached(&self) -> &[u32] {
        &self.touched
    }
}

/// Sources (facilities or candidate sites) snapped onto the graph; `None` for a source that
/// could not be snapped. The index in this list is the source number used for tie-breaking,
/// so callers order sources by id.
#[derive(Debug, Clone)]
pub struct SourceSet {
    pub snaps: Vec<Option<Snap>>,
    /// Sources by the edge they sit on, for the same-edge shortcut.
    by_edge: HashMap<u32, Vec<u32>>,
}

impl SourceSet {
    pub fn new(snaps: Vec<Option<Snap>>) -> SourceSet {
        let mut by_edge: HashMap<u32, Vec<u32>> = HashMap::new();
        for (i, s) in snaps.iter().enumerate() {
            if let Some(s) = s {
                by_edge.entry(s.edge).or_default().push(i as u32);
            }
        }
        SourceSet { snaps, by_edge }
    }

    pub fn len(&self) -> usize {
        self.snaps.len()
    }

    pub fn is_empty(&self) -> bool {
        self.snaps.is_empty()
    }

    /// The search seeds of one source.
    pub fn seeds(&self, graph: &RoadGraph, source: u32, dir: Direction) -> Vec<Seed> {
        match &self.snaps[source as usize] {
            Some(snap) => snap_ends(graph, snap, dir)
                .into_iter()
                .filter(|(_, m)| m.is_finite())
                .map(|(node, minutes)| Seed {
                    node,
                    minutes,
                    source,
                })
                .collect(),
            None => Vec::new(),
        }
    }
}

/// The nearest source of a demand point and the minutes to it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NearestSource {
    pub source: u32,
    pub minutes: f64,
}

/// For every demand point, its nearest source within `limit_min` (one multi-source Dijkstra).
/// Exact for points between nodes: a demand point joins at either end of its edge or straight
/// along the edge to a source on the same edge.
pub fn nearest_sources(
    graph: &RoadGraph,
    space: &mut SearchSpace,
    sources: &SourceSet,
    demands: &[Option<Snap>],
    limit_min: f64,
    dir: Direction,
) -> Vec<Option<NearestSource>> {
    let seeds: Vec<Seed> = (0..sources.len() as u32)
        .flat_map(|s| sources.seeds(graph, s, dir))
        .collect();
    // Only the labels are read below.
    space.run_for_labels(graph, seeds, limit_min, dir);
    demands
        .iter()
        .map(|d| {
            let d = d.as_ref()?;
            let mut best: Option<(f64, u32)> = None;
            let mut offer = |m: f64, s: u32| {
                if m <= limit_min + EPS_MIN
                    && best.is_none_or(|(bm, bs)| m.total_cmp(&bm).then(s.cmp(&bs)).is_lt())
                {
                    best = Some((m, s));
                }
            };
            for (node, join) in snap_ends(graph, d, dir.reverse()) {
                if let Some(s) = space.source(node) {
                    offer(space.minutes(node) + join, s);
                }
            }
            if let Some(on_edge) = sources.by_edge.get(&d.edge) {
                for &s in on_edge {
                    if let Some(src) = &sources.snaps[s as usize] {
                        if let Some(m) = same_edge_minutes(graph, src, d, dir) {
                            offer(m, s);
                        }
                    }
                }
            }
            best.map(|(minutes, source)| NearestSource { source, minutes })
        })
        .collect()
}

/// Every (demand, source) pair within `limit_min`, with minutes: one bounded Dijkstra per
/// source, in parallel. `progress` is called once per finished source.
pub fn reach_table(
    graph: &RoadGraph,
    sources: &SourceSet,
    demands: &[Option<Snap>],
    limit_min: f64,
    dir: Direction,
    progress: &(dyn Fn() + Sync),
) -> ReachTable {
    // Demand points by the node they join the network at, with the join minutes.
    let mut join_count = vec![0u32; graph.node_count() + 1];
    let mut joins: Vec<(u32, u32, f64)> = Vec::new();
    let mut demands_by_edge: HashMap<u32, Vec<u32>> = HashMap::new();
    for (i, d) in demands.iter().enumerate() {
        if let Some(d) = d {
            for (node, join) in snap_ends(graph, d, dir.reverse()) {
                if join.is_finite() {
                    joins.push((node, i as u32, join));
                    join_count[node as usize + 1] += 1;
                }
            }
            demands_by_edge.entry(d.edge).or_default().push(i as u32);
        }
    }
    for i in 0..graph.node_count() {
        join_count[i + 1] += join_count[i];
    }
    joins.sort_by_key(|j| j.0);
    let join_offsets = join_count;

    let triplets: Vec<(u32, u32, f64)> = (0..sources.len() as u32)
        .into_par_iter()
        .map_init(
            || {
                (
                    SearchSpace::new(graph),
                    vec![f64::INFINITY; demands.len()],
                    Vec::new(),
                )
            },
            |(space, best, hit), s| {
                let seeds = sources.seeds(graph, s, dir);
                space.run(graph, seeds, limit_min, dir);
                for &node in space.reached() {
                    let base = space.minutes(node);
                    let n = node as usize;
                    for &(_, d, join) in
                        &joins[join_offsets[n] as usize..join_offsets[n + 1] as usize]
                    {
                        let m = base + join;
                        if m < best[d as usize] {
                            if best[d as usize].is_infinite() {
                                hit.push(d);
                            }
                            best[d as usize] = m;
                        }
                    }
                }
                if let Some(src) = &sources.snaps[s as usize] {
                    if let Some(on_edge) = demands_by_edge.get(&src.edge) {
                        for &d in on_edge {
                            if let Some(dsnap) = &demands[d as usize] {
                                if let Some(m) = same_edge_minutes(graph, src, dsnap, dir) {
                                    if m < best[d as usize] {
                                        if best[d as usize].is_infinite() {
                                            hit.push(d);
                                        }
                                        best[d as usize] = m;
                                    }
                                }
                            }
                        }
                    }
                }
                let mut out = Vec::with_capacity(hit.len());
                for &d in hit.iter() {
                    let m = best[d as usize];
                    if m <= limit_min + EPS_MIN {
                        out.push((d, s, m));
                    }
                    best[d as usize] = f64::INFINITY;
                }
                hit.clear();
                progress();
                out
            },
        )
        .flatten_iter()
        .collect();
    ReachTable::from_triplets(demands.len(), sources.len(), limit_min, triplets)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The heap pops entries in (minutes by `total_cmp`, source, node) order, with pushes
    /// between pops, and gives every packed field back unchanged.
    #[test]
    fn the_heap_pops_in_minutes_source_node_order() {
        let mut rng = crate::rng::SplitMix64::new(3);
        let mut heap = MinHeap::default();
        let mut reference: Vec<(f64, u32, u32)> = Vec::new();
        let minutes = [0.0, -0.0, 1e-300, 0.5, 0.5, 3.25, 1e9, f64::INFINITY];
        let mut popped = 0;
        for round in 0..4000 {
            if rng.below(3) > 0 || reference.is_empty() {
                let m = if rng.below(2) == 0 {
                    minutes[rng.below(minutes.len())]
                } else {
                    rng.range(0.0, 20.0)
                };
                let item = (m, rng.below(5) as u32, round as u32);
                heap.push(HeapItem::new(item.0, item.1, item.2));
                reference.push(item);
            } else {
                let best = (0..reference.len())
                    .min_by(|&a, &b| {
                        let (x, y) = (reference[a], reference[b]);
                        x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2))
                    })
                    .unwrap();
                let want = reference.swap_remove(best);
                let got = heap.pop().unwrap();
                assert_eq!(
                    (got.minutes().to_bits(), got.source(), got.node()),
                    (want.0.to_bits(), want.1, want.2)
                );
                popped += 1;
            }
        }
        assert!(popped > 1000);
        assert_eq!(heap.items.len(), reference.len());
    }
}
