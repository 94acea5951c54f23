//! Geometry that is never silently wrong: ring checks, a near-linear polygon validity check,
//! repair only where needed, and plausibility checks across the layers.
//!
//! Polygon validity (the OGC rules geo's `Validation` checks) in O(n log n) for n vertices:
//! 1. every ring is closed in the file and has at least 4 positions (checked on the raw
//!    GeoJSON, because converting to geo types closes rings silently);
//! 2. no two segments of any rings meet except neighbours in one ring at their shared vertex:
//!    a sweep over x with the segments sorted by their left end, each tested against the
//!    active segments whose x-range it overlaps (on real boundaries a handful), with the robust
//!    orientation predicate;
//! 3. with the rings simple and disjoint, containment is decided by one vertex per ring: each
//!    hole inside its outer ring and in no other hole, and no part inside another part.
//!
//! Only rings that cross or overlap are repaired (re-noded by the overlay with the non-zero
//! rule, as before). Rings that merely touch at a vertex go to geo's exact (slow) check, since
//! OGC allows a hole to touch its outer ring. A hole that encloses its outer ring, or lies
//! outside it, is refused with an error: "repairing" it made the inverted ring, 24.5× the area,
//! and which ring was meant cannot be told. A MultiPolygon with identical parts keeps one of
//! them, with a warning.

use geo::{
    BooleanOps, BoundingRect, Coord, Geometry, Kernel, LineString, MultiPolygon, Orientation,
    Polygon, Rect,
};
use std::cmp::Ordering;
use std::collections::HashSet;

use crate::crs::segment_length_m;
use crate::error::{InputError, Problem, WarningKind, Warnings};
use crate::io::scenario::Scenario;
use crate::model::Layers;
use crate::model::RoadLine;

/// Repairs an invalid (Multi)Polygon by rebuilding it through the boolean-operations engine:
/// each part is re-noded (self-intersections and wrong ring orientation resolved with the
/// non-zero fill rule), then overlapping parts are unioned into one.
pub fn repair_polygons(mp: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    let empty = MultiPolygon::<f64>::new(vec![]);
    let parts: Vec<Polygon<f64>> =
        mp.0.iter()
            .flat_map(|p| MultiPolygon::new(vec![p.clone()]).union(&empty).0)
            .collect();
    if parts.len() <= 1 {
        return MultiPolygon::new(parts);
    }
    geo::unary_union(&parts)
}

/// Checks the rings of a raw GeoJSON (Multi)Polygon: each closed (last position equal to the
/// first) with at least 4 positions, as RFC 7946 requires. Other geometries pass.
pub fn check_rings(geometry: &Option<geojson::Geometry>) -> Result<(), Problem> {
    let Some(g) = geometry else {
        return Ok(());
    };
    let polygons: Vec<&Vec<Vec<Vec<f64>>>> = match &g.value {
        geojson::Value::Polygon(rings) => vec![rings],
        geojson::Value::MultiPolygon(parts) => parts.iter().collect(),
        _ => return Ok(()),
    };
    for (part, rings) in polygons.iter().enumerate() {
        if rings.is_empty() {
            return Err(Problem::WrongGeometry {
                expected: "a polygon with an outer ring".into(),
                found: format!("part {part} with no ring"),
            });
        }
        for (r, ring) in rings.iter().enumerate() {
            let which = ring_name(polygons.len() > 1, part, r);
            if ring.len() < 4 {
                return Err(Problem::WrongGeometry {
                    expected: "rings of at least 4 positions, the last equal to the first".into(),
                    found: format!("{which} with {} positions", ring.len()),
                });
            }
            let (first, last) = (&ring[0], &ring[ring.len() - 1]);
            if first.len() < 2 || last.len() < 2 || first[0] != last[0] || first[1] != last[1] {
                return Err(Problem::WrongGeometry {
                    expected: "closed rings (the last position equal to the first)".into(),
                    found: format!(
                        "{which} that is not closed: it starts at {first:?} and ends at {last:?}"
                    ),
                });
            }
        }
    }
    Ok(())
}

fn ring_name(multi: bool, part: usize, ring: usize) -> String {
    let r = if ring == 0 {
        "the outer ring".to_string()
    } else {
        format!("hole {ring}")
    };
    if multi {
        format!("{r} of part {part}")
    } else {
        r
    }
}

/// What the fast check found wrong with a polygon.
#[derive(Debug, Clone, PartialEq)]
pub enum Defect {
    /// Two segments cross or overlap (or a ring doubles back on itself): repairable.
    Crossing(String),
    /// Two rings, or a ring and itself, touch at a point: valid or not by the exact rules.
    Touching(String),
    /// A ring has no area.
    Degenerate(String),
    /// A hole encloses its outer ring: which ring was meant cannot be told.
    HoleEnclosesShell { part: usize, hole: usize },
    /// A hole lies outside its outer ring.
    HoleOutside { part: usize, hole: usize },
    /// A hole inside another hole of the same part.
    NestedHoles { part: usize, hole: usize },
    /// A part lies inside another part (overlap): repairable.
    PartsOverlap { inner: usize, outer: usize },
}

impl std::fmt::Display for Defect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Defect::Crossing(w) | Defect::Touching(w) | Defect::Degenerate(w) => f.write_str(w),
            Defect::HoleEnclosesShell { part, hole } => write!(
                f,
                "hole {hole} of part {part} encloses its outer ring (are the rings swapped?)"
            ),
            Defect::HoleOutside { part, hole } => {
                write!(f, "hole {hole} of part {part} lies outside its outer ring")
            }
            Defect::NestedHoles { part, hole } => {
                write!(f, "hole {hole} of part {part} lies inside another hole")
            }
            Defect::PartsOverlap { inner, outer } => {
                write!(f, "part {inner} lies inside part {outer}")
            }
        }
    }
}

/// One ring of a MultiPolygon, with consecutive repeated vertices dropped (repeated points are
/// allowed and meet nothing).
struct Ring {
    part: usize,
    /// 0 for the outer ring, 1.. for holes.
    index: usize,
    /// Closed: the last vertex equals the first.
    coords: Vec<Coord<f64>>,
}

fn rings_of(mp: &MultiPolygon<f64>) -> Vec<Ring> {
    let mut rings = Vec::new();
    for (part, p) in mp.0.iter().enumerate() {
        for (index, ls) in std::iter::once(p.exterior())
            .chain(p.interiors())
            .enumerate()
        {
            let mut coords: Vec<Coord<f64>> = Vec::with_capacity(ls.0.len());
            for &c in &ls.0 {
                if coords.last() != Some(&c) {
                    coords.push(c);
                }
            }
            rings.push(Ring {
                part,
                index,
                coords,
            });
        }
    }
    rings
}

/// The fast validity check (see the module documentation). `Ok` means valid by the OGC rules.
pub fn check_polygons(mp: &MultiPolygon<f64>) -> Result<(), Defect> {
    let rings = rings_of(mp);
    let degenerate = |r: &Ring| {
        Defect::Degenerate(format!(
            "{} has no area",
            ring_name(mp.0.len() > 1, r.part, r.index)
        ))
    };
    if let Some(r) = rings.iter().find(|r| r.coords.len() < 4) {
        return Err(degenerate(r));
    }
    // Crossings first: a bowtie's signed area is zero, but it is a crossing, repairable.
    segments_meet(&rings, mp.0.len() > 1)?;
    // A simple ring has an area (a ring folded onto itself was caught above).
    if let Some(r) = rings.iter().find(|r| {
        let a = ring_area(&r.coords);
        a == 0.0 || !a.is_finite()
    }) {
        return Err(degenerate(r));
    }
    containment(mp, &rings)
}

/// Twice the signed area of a closed ring (shoelace, about the first vertex for precision).
fn ring_area(c: &[Coord<f64>]) -> f64 {
    let o = c[0];
    c.windows(2)
        .map(|w| (w[0].x - o.x) * (w[1].y - o.y) - (w[1].x - o.x) * (w[0].y - o.y))
        .sum::<f64>()
}

/// A segment: ring number, position in the ring, its ends with `a.x <= b.x`.
#[derive(Clone, Copy)]
struct Seg {
    ring: u32,
    at: u32,
    a: Coord<f64>,
    b: Coord<f64>,
}

fn segments_meet(rings: &[Ring], multi: bool) -> Result<(), Defect> {
    let mut segs: Vec<Seg> = Vec::new();
    for (ri, r) in rings.iter().enumerate() {
        for (i, w) in r.coords.windows(2).enumerate() {
            let (a, b) = if (w[0].x, w[0].y) <= (w[1].x, w[1].y) {
                (w[0], w[1])
            } else {
                (w[1], w[0])
            };
            segs.push(Seg {
                ring: ri as u32,
                at: i as u32,
                a,
                b,
            });
        }
    }
    segs.sort_by(|s, t| s.a.x.total_cmp(&t.a.x));
    // Active segments: those whose right end is not left of the sweep position.
    let mut active: Vec<Seg> = Vec::new();
    for s in &segs {
        active.retain(|t| t.b.x >= s.a.x);
        let (slo, shi) = (s.a.y.min(s.b.y), s.a.y.max(s.b.y));
        for t in &active {
            let (tlo, thi) = (t.a.y.min(t.b.y), t.a.y.max(t.b.y));
            if thi < slo || tlo > shi {
                continue;
            }
            let n = rings[s.ring as usize].coords.len() as u32 - 1;
            let neighbours = s.ring == t.ring
                && (s.at.abs_diff(t.at) == 1 || (s.at.min(t.at) == 0 && s.at.max(t.at) == n - 1));
            if let Some(kind) = meet(s, t, neighbours) {
                let name = |g: &Seg| {
                    let r = &rings[g.ring as usize];
                    ring_name(multi, r.part, r.index)
                };
                let what = format!(
                    "{} and {} meet near ({:.7}, {:.7})",
                    name(s),
                    name(t),
                    s.a.x,
                    s.a.y
                );
                return Err(match kind {
                    Meet::Cross => Defect::Crossing(what.replace(" meet ", " cross ")),
                    Meet::Touch => Defect::Touching(what.replace(" meet ", " touch ")),
                });
            }
        }
        active.push(*s);
    }
    Ok(())
}

enum Meet {
    Cross,
    Touch,
}

/// How two segments meet, if they do. Neighbours in a ring share one vertex: they meet only if
/// they fold back onto each other.
fn meet(s: &Seg, t: &Seg, neighbours: bool) -> Option<Meet> {
    use geo::kernels::RobustKernel as K;
    let o1 = K::orient2d(s.a, s.b, t.a);
    let o2 = K::orient2d(s.a, s.b, t.b);
    let o3 = K::orient2d(t.a, t.b, s.a);
    let o4 = K::orient2d(t.a, t.b, s.b);
    let col = Orientation::Collinear;
    if o1 == col && o2 == col {
        // Collinear: they overlap if their extents share more than a point.
        let key = |c: Coord<f64>| (c.x, c.y);
        let lo = if key(s.a) > key(t.a) { s.a } else { t.a };
        let hi = if key(s.b) < key(t.b) { s.b } else { t.b };
        return match key(lo).partial_cmp(&key(hi)) {
            Some(Ordering::Less) => Some(Meet::Cross),
            Some(Ordering::Equal) if !neighbours => Some(Meet::Touch),
            _ => None,
        };
    }
    if neighbours {
        return None;
    }
    if o1 != o2 && o3 != o4 && o1 != col && o2 != col && o3 != col && o4 != col {
        return Some(Meet::Cross);
    }
    let on = |p: Coord<f64>, q: &Seg, o: Orientation| {
        o == col
            && p.x >= q.a.x
            && p.x <= q.b.x
            && p.y >= q.a.y.min(q.b.y)
            && p.y <= q.a.y.max(q.b.y)
    };
    (on(t.a, s, o1) || on(t.b, s, o2) || on(s.a, t, o3) || on(s.b, t, o4)).then_some(Meet::Touch)
}

/// Even-odd point in a closed ring; the point is on no ring (the rings are disjoint).
fn inside(p: Coord<f64>, ring: &[Coord<f64>]) -> bool {
    let mut odd = false;
    for w in ring.windows(2) {
        let (a, b) = (w[0], w[1]);
        if (a.y > p.y) != (b.y > p.y) {
            let x = a.x + (p.y - a.y) / (b.y - a.y) * (b.x - a.x);
            if p.x < x {
                odd = !odd;
            }
        }
    }
    odd
}

fn bbox(ring: &[Coord<f64>]) -> Rect<f64> {
    LineString::from(ring.to_vec())
        .bounding_rect()
        .unwrap_or(Rect::new(ring[0], ring[0]))
}

fn within(inner: &Rect<f64>, outer: &Rect<f64>) -> bool {
    inner.min().x >= outer.min().x
        && inner.min().y >= outer.min().y
        && inner.max().x <= outer.max().x
        && inner.max().y <= outer.max().y
}

fn containment(mp: &MultiPolygon<f64>, rings: &[Ring]) -> Result<(), Defect> {
    let boxes: Vec<Rect<f64>> = rings.iter().map(|r| bbox(&r.coords)).collect();
    let mut start = 0;
    let mut shells: Vec<usize> = Vec::new();
    for (part, p) in mp.0.iter().enumerate() {
        let shell = start;
        shells.push(shell);
        let holes = start + 1..start + 1 + p.interiors().len();
        for h in holes.clone() {
            let hole = rings[h].index;
            if !inside(rings[h].coords[0], &rings[shell].coords) {
                return Err(if inside(rings[shell].coords[0], &rings[h].coords) {
                    Defect::HoleEnclosesShell { part, hole }
                } else {
                    Defect::HoleOutside { part, hole }
                });
            }
            for g in holes.clone() {
                if g != h
                    && within(&boxes[h], &boxes[g])
                    && inside(rings[h].coords[0], &rings[g].coords)
                {
                    return Err(Defect::NestedHoles { part, hole });
                }
            }
        }
        start = holes.end;
    }
    // A part inside another part's shell and in none of its holes overlaps it.
    for (i, &si) in shells.iter().enumerate() {
        for (j, &sj) in shells.iter().enumerate() {
            if i == j || !within(&boxes[si], &boxes[sj]) {
                continue;
            }
            let v = rings[si].coords[0];
            if inside(v, &rings[sj].coords)
                && !(sj + 1..sj + 1 + mp.0[j].interiors().len())
                    .any(|h| inside(v, &rings[h].coords))
            {
                return Err(Defect::PartsOverlap { inner: i, outer: j });
            }
        }
    }
    Ok(())
}

/// Drops parts of a MultiPolygon that repeat an earlier part exactly (the same rings, in any
/// orientation and from any starting vertex). Returns how many were dropped.
fn drop_identical_parts(mp: &mut MultiPolygon<f64>) -> usize {
    fn canonical(ls: &LineString<f64>) -> Vec<(u64, u64)> {
        let mut c: Vec<(u64, u64)> = Vec::with_capacity(ls.0.len());
        for p in &ls.0 {
            let k = (p.x.to_bits(), p.y.to_bits());
            if c.last() != Some(&k) {
                c.push(k);
            }
        }
        if c.len() > 1 && c.first() == c.last() {
            c.pop();
        }
        let best = |v: &[(u64, u64)]| -> Vec<(u64, u64)> {
            let i = (0..v.len()).min_by_key(|&i| v[i]).unwrap_or(0);
            v[i..].iter().chain(&v[..i]).copied().collect()
        };
        let fwd = best(&c);
        c.reverse();
        let back = best(&c);
        fwd.min(back)
    }
    let key = |p: &Polygon<f64>| -> Vec<Vec<(u64, u64)>> {
        let mut holes: Vec<Vec<(u64, u64)>> = p.interiors().iter().map(canonical).collect();
        holes.sort();
        std::iter::once(canonical(p.exterior()))
            .chain(holes)
            .collect()
    };
    let mut seen: HashSet<Vec<Vec<(u64, u64)>>> = HashSet::new();
    let before = mp.0.len();
    mp.0.retain(|p| seen.insert(key(p)));
    before - mp.0.len()
}

/// Validates a community's (Multi)Polygon and repairs it where the rings cross, with a warning
/// naming `place` (file and feature). `single`: the input was a Polygon (and stays one when it
/// can). Refuses holes that enclose or lie outside their outer ring.
pub fn polygonal(
    mut mp: MultiPolygon<f64>,
    single: bool,
    place: &str,
    warnings: &mut Warnings,
) -> Result<Geometry<f64>, Problem> {
    let dropped = drop_identical_parts(&mut mp);
    if dropped > 0 {
        warnings.push(
            WarningKind::RepairedPolygon,
            format!("{place}: {dropped} part(s) repeated an earlier part exactly and were dropped"),
        );
    }
    let verdict = match check_polygons(&mp) {
        Ok(()) => Ok(()),
        // OGC allows some touches (a hole touching its outer ring at one point): ask the exact
        // check, which is slow but only runs here.
        Err(Defect::Touching(why)) => {
            use geo::Validation;
            if mp.is_valid() {
                Ok(())
            } else {
                Err(Defect::Touching(why))
            }
        }
        Err(d) => Err(d),
    };
    let reason = match verdict {
        Ok(()) => return Ok(shape(mp, single)),
        Err(
            d @ (Defect::HoleEnclosesShell { .. }
            | Defect::HoleOutside { .. }
            | Defect::NestedHoles { .. }),
        ) => {
            return Err(Problem::WrongGeometry {
                expected: "holes inside their polygon's outer ring".into(),
                found: format!("a polygon whose {d}; fix the rings in the file"),
            })
        }
        Err(d @ Defect::Degenerate(_)) => {
            return Err(Problem::WrongGeometry {
                expected: "polygon rings with an area".into(),
                found: format!("a polygon whose {d}"),
            })
        }
        Err(d) => d.to_string(),
    };
    let repaired = repair_polygons(&mp);
    if repaired.0.is_empty() {
        return Err(Problem::Other(format!(
            "the polygon is invalid ({reason}) and has no area left after repair"
        )));
    }
    warnings.push(
        WarningKind::RepairedPolygon,
        format!(
            "{place}: invalid polygon ({reason}); repaired by re-noding its rings (non-zero fill)"
        ),
    );
    Ok(shape(repaired, single))
}

fn shape(mp: MultiPolygon<f64>, single: bool) -> Geometry<f64> {
    if single && mp.0.len() == 1 {
        let mut parts = mp.0;
        Geometry::Polygon(parts.remove(0))
    } else {
        Geometry::MultiPolygon(mp)
    }
}

/// More people than live on Earth (8.1 billion) cannot be one community or cell.
pub const MAX_PEOPLE: f64 = 1e10;

/// How far (metres) a facility or community may lie outside the road network's extent before
/// it is reported: beyond this it is almost surely in the wrong place or coordinate system.
pub const FAR_OUTSIDE_M: f64 = 20_000.0;

/// Plausibility across the layers, after loading: errors for counts that cannot be (more
/// people than on Earth, totals that overflow), warnings for what is possible but probably
/// a mistake (elderly > population, points far outside the road network).
pub fn plausibility(
    scenario: &Scenario,
    layers: &Layers,
    warnings: &mut Warnings,
) -> Result<(), InputError> {
    let communities_path = scenario.communities.path.as_path();
    let facilities_path = scenario.facilities.path.as_path();
    let (communities, facilities, roads) = (&layers.communities, &layers.facilities, &layers.roads);
    let people_error = |index: usize, id: Option<&str>, what: String| {
        InputError::feature(communities_path, index, id, Problem::Other(what))
    };
    let (mut population, mut elderly) = (0.0f64, 0.0f64);
    let mut older_than_all = Vec::new();
    for (i, c) in communities.iter().enumerate() {
        for (field, v) in [("population", c.population), ("elderly", c.elderly)] {
            if v > MAX_PEOPLE {
                return Err(people_error(
                    i,
                    Some(&c.id),
                    format!("{field} {v} is more than the people on Earth"),
                ));
            }
        }
        population += c.population;
        elderly += c.elderly;
        if c.elderly > c.population {
            older_than_all.push(format!(
                "{} ({} elderly of {})",
                c.id, c.elderly, c.population
            ));
        }
    }
    if !(population.is_finite() && elderly.is_finite()) {
        return Err(people_error(
            0,
            None,
            "the population totals overflow (not a finite number)".into(),
        ));
    }
    if !older_than_all.is_empty() {
        warnings.push(
            WarningKind::Other,
            format!(
                "{}: {} communities count more elderly people than people: {}",
                communities_path.display(),
                older_than_all.len(),
                list(&older_than_all)
            ),
        );
    }
    if let Some(spec) = &scenario.population {
        let (mut population, mut elderly) = (0.0f64, 0.0f64);
        for (i, c) in layers.population.iter().enumerate() {
            population += c.population;
            elderly += c.elderly;
            if c.population > MAX_PEOPLE || c.elderly > MAX_PEOPLE || !population.is_finite() {
                return Err(InputError::feature(
                    &spec.path,
                    i,
                    None,
                    Problem::Other(format!(
                        "{} people / {} elderly is more than the people on Earth, or makes the \
                         totals overflow",
                        c.population, c.elderly
                    )),
                ));
            }
        }
        if !elderly.is_finite() {
            return Err(InputError::file(
                &spec.path,
                Problem::Other("the elderly total overflows (not a finite number)".into()),
            ));
        }
    }
    let Some(extent) = extent(roads) else {
        return Ok(());
    };
    let far = |p: Coord<f64>| -> f64 {
        let q = Coord {
            x: p.x.clamp(extent.min().x, extent.max().x),
            y: p.y.clamp(extent.min().y, extent.max().y),
        };
        if q == p {
            0.0
        } else {
            great_circle_m(p, q)
        }
    };
    let far_facilities: Vec<String> = facilities
        .iter()
        .filter_map(|f| {
            let d = far(f.location.0);
            (d > FAR_OUTSIDE_M).then(|| format!("{} ({:.0} km)", f.id, d / 1000.0))
        })
        .collect();
    let far_communities: Vec<String> = communities
        .iter()
        .filter_map(|c| {
            let d = far(c.representative.0);
            (d > FAR_OUTSIDE_M).then(|| format!("{} ({:.0} km)", c.id, d / 1000.0))
        })
        .collect();
    for (path, what, items) in [
        (facilities_path, "facilities", far_facilities),
        (communities_path, "communities", far_communities),
    ] {
        if !items.is_empty() {
            warnings.push(
                WarningKind::Other,
                format!(
                    "{}: {} {what} lie more than {} km outside the road network's extent \
                     (wrong coordinates or coordinate system?): {}",
                    path.display(),
                    items.len(),
                    FAR_OUTSIDE_M / 1000.0,
                    list(&items)
                ),
            );
        }
    }
    Ok(())
}

fn list(items: &[String]) -> String {
    const SHOWN: usize = 10;
    let mut s = items[..items.len().min(SHOWN)].join(", ");
    if items.len() > SHOWN {
        s.push_str(&format!(" and {} more", items.len() - SHOWN));
    }
    s
}

fn extent(roads: &[RoadLine]) -> Option<Rect<f64>> {
    let mut it = roads
        .iter()
        .flat_map(|l| l.coords.iter())
        .filter(|c| c.x.is_finite() && c.y.is_finite());
    let first = *it.next()?;
    let (mut lo, mut hi) = (first, first);
    for c in it {
        lo.x = lo.x.min(c.x);
        lo.y = lo.y.min(c.y);
        hi.x = hi.x.max(c.x);
        hi.y = hi.y.max(c.y);
    }
    Some(Rect::new(lo, hi))
}

/// Great-circle distance, metres (haversine; for "how far off", not for travel).
fn great_circle_m(a: Coord<f64>, b: Coord<f64>) -> f64 {
    if (a.x - b.x).abs() < 0.01 && (a.y - b.y).abs() < 0.01 {
        return segment_length_m(a, b);
    }
    const R: f64 = 6_371_008.8;
    let (p1, p2) = (a.y.to_radians(), b.y.to_radians());
    let h = ((p2 - p1) / 2.0).sin().powi(2)
        + p1.cos() * p2.cos() * ((b.x - a.x).to_radians() / 2.0).sin().powi(2);
    2.0 * R * h.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, Validation};

    #[test]
    fn a_bowtie_is_repaired_into_its_two_triangles() {
        let bowtie = polygon![(x: 0., y: 0.), (x: 2., y: 2.), (x: 2., y: 0.), (x: 0., y: 2.)];
        let mp = MultiPolygon::new(vec![bowtie]);
        assert!(!mp.is_valid());
        assert!(matches!(check_polygons(&mp), Err(Defect::Crossing(_))));
        let fixed = repair_polygons(&mp);
        assert!(fixed.is_valid());
        assert_eq!(fixed.0.len(), 2);
        use geo::Area;
        assert!((fixed.unsigned_area() - 2.0).abs() < 1e-9);
    }
}
