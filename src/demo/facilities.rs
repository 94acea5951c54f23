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
    /// Land area of the site (用地面积), for the land-per-resident rule.
    pub land_area_m2: u64,
    /// Publicly run (公办), for care homes: the public single-project bed cap applies.
    pub public: Option<bool>,
}

/// Land per facility kind (m²): typical plots, so that some streets reach 0.2 m² of
/// elderly-care land per resident and most do not.
fn land_area(kind: FacilityKind) -> u64 {
    match kind {
        FacilityKind::DayCare => 600,
        FacilityKind::Canteen => 300,
        FacilityKind::MealPoint => 60,
        FacilityKind::ServiceCenter => 2500,
        FacilityKind::CareHome => 9000,
        FacilityKind::MutualAid => 400,
    }
}

/// The community that gets an extra day-care centre so that one street (湓浦街道) reaches full
/// day-care coverage: the demo then shows both a passing and a failing street.
const EXTRA_DAY_CARE_COMMUNITY: &str = "360403002006";

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
                    land_area_m2: land_area(kind),
                    public: None,
                });
            }
        }
    }
    // Added after the others so that their positions (and the random draws) stay as they were.
    if let Some(c) = communities
        .iter()
        .find(|c| c.admin.code == EXTRA_DAY_CARE_COMMUNITY)
    {
        out.push(GenFacility {
            id: String::new(),
            name: format!("{}{}日间照料中心", c.street_name, c.admin.short_name()),
            kind: FacilityKind::DayCare,
            street: c.street_name.clone(),
            community_code: c.admin.code.clone(),
            location: site_near(layout, c.seed, rng),
            beds: Some(20),
            floor_area_m2: 520,
            nursing_beds: None,
            land_area_m2: land_area(FacilityKind::DayCare),
            public: None,
        });
    }
    // Care homes: the first two are public, one over the 300-bed cap and one under it; the
    // third meets the 70 % nursing-bed share; the rest are private.
    let care_homes = out.iter_mut().filter(|f| f.kind == FacilityKind::CareHome);
    for (homes, f) in care_homes.enumerate() {
        match homes {
            0 => {
                f.public = Some(true);
                f.beds = Some(320);
            }
            1 => {
                f.public = Some(true);
                f.beds = f.beds.map(|b| b.min(280));
            }
            _ => f.public = Some(false),
        }
        if homes == 2 {
            f.nursing_beds = f.beds.map(|b| (b as f64 * 0.75).ceil() as u64);
        }
        f.nursing_beds = match (f.nursing_beds, f.beds) {
            (Some(n), Some(b)) => Some(n.min(b)),
            (n, _) => n,
        };
    }
    for (n, f) in out.iter_mut().enumerate() {
        f.id = format!("F{:03}", n + 1);
    }
    out
}
