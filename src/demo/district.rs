//! Communities and population: a seed point per real community near its street's centre, a
//! 200 m grid over the real boundary, each cell given to the nearest seed on the same bank of
//! the river, communities as the union of their cells, people counted per cell.

use geo::orient::{Direction, Orient};
use geo::{
    unary_union, Area, BooleanOps, Contains, Coord, InteriorPoint, MultiPolygon, Point, Polygon,
    Rect,
};

use super::admin::{AdminCommunity, Settlement, Street};
use super::layout::{dist, Layout};
use crate::rng::SplitMix64;

/// Side of a grid cell, metres. Cell edges lie on whole metres, so the polygon overlay
/// (which works on a power-of-two fixed-point grid) keeps shared edges exact.
pub(crate) const CELL_M: f64 = 200.0;

/// Pieces of cells smaller than this (m²) get no population point.
const MIN_POPULATED_PIECE_M2: f64 = 400.0;

/// One grid cell clipped to the district.
#[derive(Debug, Clone)]
pub(crate) struct Cell {
    /// Centre of the full square (used for assignment and density).
    pub centre: Coord<f64>,
    /// The square clipped to the boundary.
    pub shape: MultiPolygon<f64>,
    /// Where the population point goes (inside `shape`).
    pub point: Coord<f64>,
    pub area_m2: f64,
    /// Index into the community list.
    pub community: usize,
    pub population: u64,
    pub elderly: u64,
}

/// A generated community.
#[derive(Debug, Clone)]
pub(crate) struct GenCommunity {
    pub admin: AdminCommunity,
    pub street_name: String,
    pub settlement: Settlement,
    /// The invented seed point (metres).
    pub seed: Coord<f64>,
    pub shape: MultiPolygon<f64>,
    pub population: u64,
    pub elderly: u64,
    pub households: u64,
    pub new_residential: bool,
    pub care_room_m2: u64,
}

/// Minimum distance between two community seeds when there is room, metres.
const SEED_SPACING_M: f64 = 320.0;

fn seed_ok(layout: &Layout, p: Coord<f64>, seeds: &[Coord<f64>], spacing: f64) -> bool {
    layout.inside(p)
        && !layout.in_lake(p, 60.0)
        && !layout.in_river(p, 160.0)
        && !layout.in_park(p)
        && seeds.iter().all(|s| dist(*s, p) >= spacing)
}

/// Seed points for all communities, in the order given.
pub(crate) fn place_seeds(
    layout: &Layout,
    communities: &[AdminCommunity],
    rng: &mut SplitMix64,
) -> Vec<Coord<f64>> {
    let mut seeds: Vec<Coord<f64>> = Vec::with_capacity(communities.len());
    for c in communities {
        let centre = layout.street_centre(&c.street_code);
        let n_urban = communities
            .iter()
            .filter(|o| o.street_code == c.street_code && o.settlement() == Settlement::Urban)
            .count() as f64;
        let sigma = (230.0 * n_urban.sqrt()).clamp(300.0, 1100.0);
        let away = {
            let d = Coord {
                x: centre.x - layout.core.x,
                y: centre.y - layout.core.y,
            };
            if d.x.hypot(d.y) < 1.0 {
                0.0
            } else {
                d.y.atan2(d.x)
            }
        };
        let mut chosen = None;
        for attempt in 0..3000 {
            // Relax spacing and widen the search as attempts fail.
            let relax = 1.0 + (attempt / 300) as f64 * 0.25;
            let spacing = SEED_SPACING_M / relax;
            let p = match c.settlement() {
                Settlement::Urban => Coord {
                    x: centre.x + rng.normal() * sigma * relax,
                    y: centre.y + rng.normal() * sigma * relax,
                },
                Settlement::Village => {
                    let angle = away + rng.range(-1.3, 1.3);
                    // 八里湖's villages spread down the long south-western tail.
                    let (r_min, r_max) = if c.street_code == "360403006" {
                        (2200.0, 7500.0)
                    } else {
                        (1500.0, 3600.0)
                    };
                    let r = rng.range(r_min, r_max) * relax.sqrt();
                    Coord {
                        x: centre.x + r * angle.cos(),
                        y: centre.y + r * angle.sin(),
                    }
                }
                Settlement::Virtual => Coord {
                    x: centre.x + rng.normal() * 150.0 * relax,
                    y: centre.y + rng.normal() * 150.0 * relax,
                },
            };
            if seed_ok(layout, p, &seeds, spacing) {
                chosen = Some(p);
                break;
            }
        }
        // Last resort (never needed with the real boundary): the street centre itself, or any
        // point of the boundary's interior.
        let p = chosen.unwrap_or_else(|| {
            if layout.inside(centre) {
                centre
            } else {
                layout
                    .boundary
                    .interior_point()
                    .map(|p| p.0)
                    .unwrap_or(centre)
            }
        });
        seeds.push(p);
    }
    seeds
}

/// Whether segment a–b meets the closed rectangle (Liang–Barsky clipping).
fn segment_meets_rect(a: Coord<f64>, b: Coord<f64>, min: Coord<f64>, max: Coord<f64>) -> bool {
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    let d = Coord {
        x: b.x - a.x,
        y: b.y - a.y,
    };
    for (p, q) in [
        (-d.x, a.x - min.x),
        (d.x, max.x - a.x),
        (-d.y, a.y - min.y),
        (d.y, max.y - a.y),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return false;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
            if t0 > t1 {
                return false;
            }
        }
    }
    true
}

/// The grid cells covering the district, clipped to it, in row-major order (south to north,
/// west to east).
pub(crate) fn grid_cells(layout: &Layout) -> Vec<Cell> {
    let x0 = (layout.min.x / CELL_M).floor() * CELL_M;
    let y0 = (layout.min.y / CELL_M).floor() * CELL_M;
    let nx = ((layout.max.x - x0) / CELL_M).ceil().max(0.0) as usize;
    let ny = ((layout.max.y - y0) / CELL_M).ceil().max(0.0) as usize;
    let cell_min = |i: usize, j: usize| Coord {
        x: x0 + i as f64 * CELL_M,
        y: y0 + j as f64 * CELL_M,
    };
    // Cells the boundary passes through need clipping; the others are wholly inside or
    // wholly outside, which their centre tells.
    let mut on_edge = vec![false; nx * ny];
    for polygon in &layout.boundary.0 {
        for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
            for line in ring.lines() {
                let (a, b) = (line.start, line.end);
                let index = |v: f64, v0: f64, n: usize| {
                    (((v - v0) / CELL_M).floor().max(0.0) as usize).min(n.saturating_sub(1))
                };
                let (i0, i1) = (index(a.x.min(b.x), x0, nx), index(a.x.max(b.x), x0, nx));
                let (j0, j1) = (index(a.y.min(b.y), y0, ny), index(a.y.max(b.y), y0, ny));
                for j in j0..=j1 {
                    for i in i0..=i1 {
                        let min = cell_min(i, j);
                        let max = Coord {
                            x: min.x + CELL_M,
                            y: min.y + CELL_M,
                        };
                        if segment_meets_rect(a, b, min, max) {
                            on_edge[j * nx + i] = true;
                        }
                    }
                }
            }
        }
    }
    let mut cells = Vec::new();
    for j in 0..ny {
        for i in 0..nx {
            let min = cell_min(i, j);
            let max = Coord {
                x: min.x + CELL_M,
                y: min.y + CELL_M,
            };
            let rect = Rect::new(min, max);
            let centre = rect.center();
            let square: Polygon<f64> = rect.to_polygon();
            // Counter-clockwise shells throughout: the union below picks its fill rule from the
            // first ring's orientation.
            let shape = if on_edge[j * nx + i] {
                square.intersection(&layout.boundary)
            } else if layout.inside(centre) {
                MultiPolygon(vec![square])
            } else {
                continue;
            }
            .orient(Direction::Default);
            let area = shape.unsigned_area();
            if area < 1.0 {
                continue;
            }
            let point = if shape.contains(&Point(centre)) {
                centre
            } else {
                shape.interior_point().map(|p| p.0).unwrap_or(centre)
            };
            cells.push(Cell {
                centre,
                shape,
                point,
                area_m2: area,
                community: usize::MAX,
                population: 0,
                elderly: 0,
            });
        }
    }
    cells
}

/// How far a community's cells reach compared with its neighbours': villages are large, the
/// company's virtual community small (a multiplicatively weighted Voronoi diagram).
fn reach_weight(settlement: Settlement) -> f64 {
    match settlement {
        Settlement::Urban => 1.0,
        Settlement::Village => 1.4,
        Settlement::Virtual => 0.35,
    }
}

/// Gives each cell to the nearest seed (distance divided by the seed's weight) on the same
/// bank (nearest of all when a bank has none), ties to the lower index; makes sure every
/// community has at least its seed's cell.
pub(crate) fn assign_cells(
    layout: &Layout,
    cells: &mut [Cell],
    seeds: &[Coord<f64>],
    admin: &[AdminCommunity],
) {
    let seed_bank: Vec<bool> = seeds.iter().map(|s| layout.east_bank(*s)).collect();
    let weights: Vec<f64> = admin.iter().map(|a| reach_weight(a.settlement())).collect();
    for cell in cells.iter_mut() {
        let bank = layout.east_bank(cell.centre);
        let nearest = |same_bank_only: bool| {
            let mut best: Option<(f64, usize)> = None;
            for (k, s) in seeds.iter().enumerate() {
                if same_bank_only && seed_bank[k] != bank {
                    continue;
                }
                let d = dist(*s, cell.centre) / weights.get(k).copied().unwrap_or(1.0);
                if best.is_none_or(|(bd, _)| d < bd) {
                    best = Some((d, k));
                }
            }
            best.map(|(_, k)| k)
        };
        cell.community = nearest(true).or_else(|| nearest(false)).unwrap_or(0);
    }
    // A community whose seed cell went to a neighbour takes that cell back.
    for (k, s) in seeds.iter().enumerate() {
        if cells.iter().any(|c| c.community == k) {
            continue;
        }
        let mut best: Option<(f64, usize)> = None;
        for (ci, c) in cells.iter().enumerate() {
            let d = dist(c.centre, *s);
            if best.is_none_or(|(bd, _)| d < bd) {
                best = Some((d, ci));
            }
        }
        if let Some((_, ci)) = best {
            cells[ci].community = k;
        }
    }
}

/// People per km² before noise.
fn density_per_km2(layout: &Layout, settlement: Settlement, p: Coord<f64>) -> f64 {
    match settlement {
        Settlement::Urban => {
            let d = layout.core_distance(p);
            2200.0 + 26000.0 * (-d / 2300.0).exp()
        }
        Settlement::Village => 650.0,
        Settlement::Virtual => 600.0,
    }
}

/// The elderly share a community tends to: the old town is older, new towns younger, villages
/// old (the young work in town).
fn base_elderly_share(layout: &Layout, settlement: Settlement, seed: Coord<f64>) -> f64 {
    match settlement {
        Settlement::Urban => 0.165 + 0.10 * (-layout.core_distance(seed) / 2500.0).exp(),
        Settlement::Village => 0.24,
        Settlement::Virtual => 0.20,
    }
}

/// Fills in cell populations and builds the communities.
pub(crate) fn populate(
    layout: &Layout,
    streets: &[Street],
    admin: &[AdminCommunity],
    seeds: &[Coord<f64>],
    cells: &mut [Cell],
    rng: &mut SplitMix64,
) -> Vec<GenCommunity> {
    let shares: Vec<f64> = admin
        .iter()
        .zip(seeds)
        .map(|(a, s)| {
            (base_elderly_share(layout, a.settlement(), *s) + 0.015 * rng.normal())
                .clamp(0.155, 0.295)
        })
        .collect();
    for cell in cells.iter_mut() {
        let settlement = admin[cell.community].settlement();
        let noise = rng.range(0.6, 1.4);
        let mut people = density_per_km2(layout, settlement, cell.centre) * cell.area_m2 / 1e6;
        people *= noise;
        if layout.in_park(cell.centre) {
            people *= 0.1;
        }
        if layout.in_water(cell.centre) || cell.area_m2 < MIN_POPULATED_PIECE_M2 {
            people = 0.0;
        }
        let population = people.round().max(0.0) as u64;
        let share = (shares[cell.community] + rng.range(-0.02, 0.02)).clamp(0.15, 0.30);
        cell.population = population;
        cell.elderly = (population as f64 * share).round() as u64;
    }

    let mut out: Vec<GenCommunity> = Vec::with_capacity(admin.len());
    for (k, a) in admin.iter().enumerate() {
        let mine: Vec<&Cell> = cells.iter().filter(|c| c.community == k).collect();
        let polygons: Vec<&Polygon<f64>> = mine.iter().flat_map(|c| c.shape.0.iter()).collect();
        let shape = unary_union(polygons);
        let population: u64 = mine.iter().map(|c| c.population).sum();
        let elderly: u64 = mine.iter().map(|c| c.elderly).sum();
        let persons_per_household = rng.range(2.45, 2.75);
        let households = (population as f64 / persons_per_household).round() as u64;
        let street_name = streets
            .iter()
            .find(|s| s.code == a.street_code)
            .map(|s| s.name.clone())
            .unwrap_or_default();
        out.push(GenCommunity {
            admin: a.clone(),
            street_name,
            settlement: a.settlement(),
            seed: seeds[k],
            shape,
            population,
            elderly,
            households,
            new_residential: false,
            care_room_m2: 0,
        });
    }
    mark_new_residential(layout, &mut out, rng);
    out
}

/// About 10 % of the urban communities are new residential estates (新建住宅), more often away
/// from the old town. The standard asks them for at least 20 m² of elderly-care rooms per 100
/// households; some fall short, some comply. Older communities get what they happen to have.
fn mark_new_residential(layout: &Layout, communities: &mut [GenCommunity], rng: &mut SplitMix64) {
    let mut scored: Vec<(f64, usize)> = communities
        .iter()
        .enumerate()
        .filter(|(_, c)| c.settlement == Settlement::Urban && c.households >= 200)
        .map(|(k, c)| {
            let far = if layout.core_distance(c.seed) > 2500.0 {
                2.0
            } else {
                1.0
            };
            (rng.next_f64() * far, k)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut new: Vec<usize> = scored.iter().take(12).map(|&(_, k)| k).collect();
    new.sort_unstable();
    for (n, &k) in new.iter().enumerate() {
        let per_100 = if n % 5 < 2 {
            rng.range(8.0, 18.0)
        } else {
            rng.range(21.0, 34.0)
        };
        let c = &mut communities[k];
        c.new_residential = true;
        c.care_room_m2 = (c.households as f64 / 100.0 * per_100).round() as u64;
    }
    for c in communities.iter_mut().filter(|c| !c.new_residential) {
        let r = rng.next_f64();
        c.care_room_m2 = if r < 0.2 {
            0
        } else {
            (c.households as f64 / 100.0 * rng.range(3.0, 25.0)).round() as u64
        };
    }
}
