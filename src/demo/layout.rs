//! The invented physical layout of the demo district, laid over the real boundary: the urban
//! core, where each street lies, a river with its bridges, lakes and parks. Everything is in
//! metres on a local plane around the boundary.

use geo::{BoundingRect, Contains, Coord, MapCoords, MultiPolygon, Point};

use crate::crs::LocalPlane;

/// Columns and rows of the sketch grid the positions below are given in: the boundary's
/// bounding box cut into 80 × 45 cells (about 200 m × 410 m here), row 0 at the north.
const SKETCH_COLS: f64 = 80.0;
const SKETCH_ROWS: f64 = 45.0;

/// Half the width of the river, metres.
pub(crate) const RIVER_HALF_WIDTH_M: f64 = 45.0;

/// An elliptical lake: no roads, no people.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Lake {
    pub centre: Coord<f64>,
    pub a: f64,
    pub b: f64,
    /// Rotation of the `a` axis from east, radians.
    pub angle: f64,
}

impl Lake {
    pub fn contains(&self, p: Coord<f64>, margin_m: f64) -> bool {
        let (s, c) = self.angle.sin_cos();
        let dx = p.x - self.centre.x;
        let dy = p.y - self.centre.y;
        let u = dx * c + dy * s;
        let v = -dx * s + dy * c;
        (u / (self.a + margin_m)).powi(2) + (v / (self.b + margin_m)).powi(2) < 1.0
    }
}

/// A round park: footways only, few residents.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Park {
    pub centre: Coord<f64>,
    pub radius: f64,
}

impl Park {
    pub fn contains(&self, p: Coord<f64>) -> bool {
        dist(p, self.centre) < self.radius
    }
}

pub(crate) fn dist(a: Coord<f64>, b: Coord<f64>) -> f64 {
    (a.x - b.x).hypot(a.y - b.y)
}

/// The district in metres with its invented features.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub plane: LocalPlane,
    /// The real boundary in metres.
    pub boundary: MultiPolygon<f64>,
    pub min: Coord<f64>,
    pub max: Coord<f64>,
    lon_lat_min: Coord<f64>,
    lon_lat_max: Coord<f64>,
    /// The centre of the old town.
    pub core: Coord<f64>,
    pub lakes: Vec<Lake>,
    pub parks: Vec<Park>,
    /// River centre line x = river_x0 + meander(y).
    river_x0: f64,
}

impl Layout {
    pub fn new(boundary_lonlat: &MultiPolygon<f64>) -> Option<Layout> {
        let rect = boundary_lonlat.bounding_rect()?;
        let plane = LocalPlane::new(
            0.5 * (rect.min().x + rect.max().x),
            0.5 * (rect.min().y + rect.max().y),
        );
        let boundary = boundary_lonlat.map_coords(|c| plane.project(c));
        let mrect = boundary.bounding_rect()?;
        let mut layout = Layout {
            plane,
            boundary,
            min: mrect.min(),
            max: mrect.max(),
            lon_lat_min: rect.min(),
            lon_lat_max: rect.max(),
            core: Coord { x: 0.0, y: 0.0 },
            lakes: Vec::new(),
            parks: Vec::new(),
            river_x0: 0.0,
        };
        layout.core = layout.sketch(42.0, 9.0);
        layout.river_x0 = layout.sketch(50.0, 8.0).x;
        layout.lakes = vec![
            // 甘棠湖-like lake west of the core, with an island.
            layout.lake(40.0, 10.2, 480.0, 260.0, 0.35),
            // 南湖-like lake south of it.
            layout.lake(38.5, 12.4, 380.0, 170.0, -0.2),
            // 八里湖-like large lake in the south-west.
            layout.lake(24.5, 17.0, 850.0, 420.0, 0.9),
            // 白水湖-like lake east of the river.
            layout.lake(55.0, 7.2, 330.0, 200.0, 0.1),
        ];
        layout.parks = vec![
            Park {
                centre: layout.sketch(31.0, 12.5),
                radius: 420.0,
            },
            Park {
                centre: layout.sketch(64.0, 3.0),
                radius: 350.0,
            },
        ];
        Some(layout)
    }

    fn lake(&self, col: f64, row: f64, a: f64, b: f64, angle: f64) -> Lake {
        Lake {
            centre: self.sketch(col, row),
            a,
            b,
            angle,
        }
    }

    /// A point given on the sketch grid (column from the west, row from the north; fractions
    /// allowed), in metres.
    pub fn sketch(&self, col: f64, row: f64) -> Coord<f64> {
        let lon = self.lon_lat_min.x
            + (col + 0.5) / SKETCH_COLS * (self.lon_lat_max.x - self.lon_lat_min.x);
        let lat = self.lon_lat_max.y
            - (row + 0.5) / SKETCH_ROWS * (self.lon_lat_max.y - self.lon_lat_min.y);
        self.plane.project(Coord { x: lon, y: lat })
    }

    pub fn inside(&self, p: Coord<f64>) -> bool {
        self.boundary.contains(&Point(p))
    }

    /// The x of the river's centre line at a given y.
    pub fn river_x(&self, y: f64) -> f64 {
        self.river_x0 + 260.0 * (y / 730.0).sin() + 110.0 * (y / 270.0 + 1.0).sin()
    }

    /// Signed horizontal distance from the river's centre line (west negative).
    pub fn river_offset(&self, p: Coord<f64>) -> f64 {
        p.x - self.river_x(p.y)
    }

    /// Which bank a point is on.
    pub fn east_bank(&self, p: Coord<f64>) -> bool {
        self.river_offset(p) > 0.0
    }

    pub fn in_river(&self, p: Coord<f64>, margin_m: f64) -> bool {
        self.river_offset(p).abs() < RIVER_HALF_WIDTH_M + margin_m
    }

    pub fn in_lake(&self, p: Coord<f64>, margin_m: f64) -> bool {
        self.lakes.iter().any(|l| l.contains(p, margin_m))
    }

    pub fn in_water(&self, p: Coord<f64>) -> bool {
        self.in_river(p, 0.0) || self.in_lake(p, 0.0)
    }

    pub fn in_park(&self, p: Coord<f64>) -> bool {
        self.parks.iter().any(|k| k.contains(p))
    }

    /// Metres from the old town centre.
    pub fn core_distance(&self, p: Coord<f64>) -> f64 {
        dist(p, self.core)
    }

    /// Where each street's communities cluster, by street code (sketch positions chosen to
    /// spread the 9 units over the boundary: the old town north-east along the Yangtze, new
    /// towns and villages south-west and east).
    pub fn street_centre(&self, street_code: &str) -> Coord<f64> {
        let (col, row) = match street_code {
            "360403001" => (44.0, 9.0),  // 甘棠街道: old town
            "360403002" => (37.0, 7.8),  // 湓浦街道: old town, riverside
            "360403003" => (39.0, 11.5), // 人民路街道: south of the lakes
            "360403004" => (57.0, 5.5),  // 白水湖街道: east of the river
            "360403005" => (70.0, 3.5),  // 金鸡坡街道: far east, industry
            "360403006" => (21.0, 21.0), // 八里湖街道: new town in the south-west
            "360403091" => (22.0, 12.0), // 向阳街道: west
            "360403092" => (30.0, 9.5),  // 滨兴街道: riverside, west of the old town
            "360403400" => (16.0, 30.0), // 茅山头企业集团: the south-west
            _ => (42.0, 9.0),
        };
        self.sketch(col, row)
    }
}
