//! The invented existing facilities: mostly in the old town, so that communities across the
//! river and in the outskirts are visibly not within a 15-minute walk.

use geo::Coord;

use super::admin::Settlement;
use super::district::GenCommunity;
use super::layout::Layout;
use crate::model::FacilityKind;
use crate::rng::SplitMix64;

#[derive(Debug, Clone)]
pub(crate) struct GenFacility {
    pub id: String,
    pub name: String,
    pub kind: FacilityKind,
    pub street: String,
    pub community_code: String,
    pub location: Coord<f64>,
    pub beds: Option<u64>,
    pub floor_area_m2: u64,
    pub nursing_beds: Option<u64>,
}

/// How many facilities of a kind each street gets (street code → count).
fn plan(kind: FacilityKind) -> &'static [(&'static str, usize)] {
    match kind {
        FacilityKind::DayCare => &[
            ("360403001", 3),
            ("360403002", 2),
            ("360403003", 3),
            ("360403004", 2),
            ("360403006", 2),
            ("360403091", 2),
            ("360403092", 2),
        ],
        FacilityKind::Canteen => &[
            ("360403001", 2),
            ("360403002", 1),
            ("360403003", 1),
            ("360403004", 1),
            ("360403091", 1),
            ("360403092", 1),
        ],
        FacilityKind::MealPoint => &[
            ("360403001", 1),
            ("360403003", 1),
            ("360403004", 1),
            ("360403005", 1),
            ("360403006", 1),
        ],
        // Every street but 向阳 and the 茅山头 company unit has a service centre.
        FacilityKind::ServiceCenter => &[
            ("360403001", 1),
            ("360403002", 1),
            ("360403003", 1),
            ("360403004", 1),
            ("360403005", 1),
            ("360403006", 1),
            ("360403092", 1),
        ],
        FacilityKind::CareHome => &[
            ("360403003", 1),
            ("360403005", 1),
            ("360403006", 1),
            ("360403091", 1),
        ],
        FacilityKind::MutualAid => &[("360403004", 1), ("360403005", 1), ("360403006", 2)],
    }
}

fn pick(rng: &mut SplitMix64, pool: &mut Vec<usize>) -> Option<usize> {
    if pool.is_empty() {
        None
    } else {
        Some(pool.remove(rng.below(pool.len())))
    }
}

/// A point near the community's seed, inside the district and out of the water.
fn site_near(layout: &Layout, seed: Coord<f64>, rng: &mut SplitMix64) -> Coord<f64> {
    for _ in 0..20 {
        let p = Coord {
            x: seed.x + rng.range(-40.0, 40.0),
            y: seed.y + rng.range(-40.0, 40.0),
        };
        if layout.inside(p) && !layout.in_water(p) {
            return p;
        }
    }
    seed
}

pub(crate) fn place_facilities(
    layout: &Layout,
    communities: &[GenCommunity],
    rng: &mut SplitMix64,
) -> Vec<GenFacility> {
    let mut out: Vec<GenFacility> = Vec::new();
    let mut day_care_count = 0usize;
    for kind in FacilityKind::ALL {
        for &(street_code, count) in plan(kind) {
            let in_street: Vec<usize> = (0..communities.len())
                .filter(|&k| communities[k].admin.street_code == street_code)
                .collect();
            let wanted = match kind {
                FacilityKind::MutualAid => Settlement::Village,
                _ => Settlement::Urban,
            };
            let mut pool: Vec<usize> = in_street
                .iter()
                .copied()
                .filter(|&k| communities[k].settlement == wanted)
                .collect();
            if kind == FacilityKind::ServiceCenter {
                // The community nearest the street's centre.
                let centre = layout.street_centre(street_code);
                pool.sort_by(|&a, &b| {
                    let da = super::layout::dist(communities[a].seed, centre);
                    let db = super::layout::dist(communities[b].seed, centre);
                    da.total_cmp(&db).then(a.cmp(&b))
                });
                pool.truncate(1);
            } else if kind == FacilityKind::DayCare || kind == FacilityKind::Canteen {
                // Prefer the old-town half of the street.
                pool.sort_by(|&a, &b| {
                    let da = layout.core_distance(communities[a].seed);
                    let db = layout.core_distance(communities[b].seed);
                    da.total_cmp(&db).then(a.cmp(&b))
                });
                let keep = (pool.len() / 2).max(count);
                pool.truncate(keep);
            }
            for _ in 0..count {
                let Some(k) = pick(rng, &mut pool) else { break };
                let c = &communities[k];
                let street = c.street_name.clone();
                let short = c.admin.short_name();
                let name = match kind {
                    FacilityKind::DayCare => format!("{street}{short}日间照料中心"),
                    FacilityKind::Canteen => format!("{street}{short}老年食堂"),
                    FacilityKind::MealPoint => format!("{short}助餐点"),
                    FacilityKind::ServiceCenter => format!("{street}综合养老服务中心"),
                    FacilityKind::CareHome => format!("浔阳区{}养老院", c.admin.place_name()),
                    FacilityKind::MutualAid => format!("{short}农村互助养老点"),
                };
                let (beds, floor_area, nursing) = match kind {
                    FacilityKind::DayCare => {
                        // The standard asks 350–750 m²; a few are smaller or larger.
                        let area = match day_care_count % 6 {
                            1 => rng.range(300.0, 345.0),
                            4 if day_care_count < 6 => rng.range(760.0, 800.0),
                            _ => rng.range(380.0, 720.0),
                        };
                        day_care_count += 1;
                        (Some(10 + rng.below(21) as u64), area, None)
                    }
                    FacilityKind::Canteen => (None, rng.range(150.0, 400.0), None),
                    FacilityKind::MealPoint => (None, rng.range(40.0, 120.0), None),
                    FacilityKind::ServiceCenter => (None, rng.range(900.0, 2200.0), None),
                    FacilityKind::CareHome => {
                        let beds = 60 + rng.below(241) as u64;
                        let nursing = (beds as f64 * rng.range(0.3, 0.7)).round() as u64;
                        (Some(beds), rng.range(2500.0, 9000.0), Some(nursing))
                    }
                    FacilityKind::MutualAid => (None, rng.range(100.0, 300.0), None),
                };
                out.push(GenFacility {
                    id: String::new(),
                    name,
                    kind,
                    street,
                    community_code: c.admin.code.clone(),
                    location: site_near(layout, c.seed, rng),
                    beds,
                    floor_area_m2: floor_area.round() as u64,
                    nursing_beds: nursing,
                });
            }
        }
    }
    for (n, f) in out.iter_mut().enumerate() {
        f.id = format!("F{:03}", n + 1);
    }
    out
}
