//! Plain data types shared by every stage. Geometry is WGS-84 lon/lat (degrees) after loading;
//! the `project` stage turns it into metres when computation needs it.

use std::collections::BTreeMap;
use std::fmt;

use geo::{Geometry, Point};
use serde::{Deserialize, Serialize};

/// The kinds of elderly-care facility the standards talk about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FacilityKind {
    /// 日间照料中心
    DayCare,
    /// 老年食堂
    Canteen,
    /// 助餐点
    MealPoint,
    /// 街道综合养老服务中心
    ServiceCenter,
    /// 养老院
    CareHome,
    /// 农村互助养老点
    MutualAid,
}

impl FacilityKind {
    pub const ALL: [FacilityKind; 6] = [
        FacilityKind::DayCare,
        FacilityKind::Canteen,
        FacilityKind::MealPoint,
        FacilityKind::ServiceCenter,
        FacilityKind::CareHome,
        FacilityKind::MutualAid,
    ];

    /// The machine name used in scenario files and outputs (`day_care`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            FacilityKind::DayCare => "day_care",
            FacilityKind::Canteen => "canteen",
            FacilityKind::MealPoint => "meal_point",
            FacilityKind::ServiceCenter => "service_center",
            FacilityKind::CareHome => "care_home",
            FacilityKind::MutualAid => "mutual_aid",
        }
    }

    /// The Chinese name planners use.
    pub fn chinese(self) -> &'static str {
        match self {
            FacilityKind::DayCare => "日间照料中心",
            FacilityKind::Canteen => "老年食堂",
            FacilityKind::MealPoint => "助餐点",
            FacilityKind::ServiceCenter => "街道综合养老服务中心",
            FacilityKind::CareHome => "养老院",
            FacilityKind::MutualAid => "农村互助养老点",
        }
    }

    /// Parses a machine name or the Chinese name.
    pub fn parse(s: &str) -> Option<FacilityKind> {
        let s = s.trim();
        FacilityKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s || k.chinese() == s)
    }

    /// "day_care, canteen, ..." for error messages.
    pub fn accepted_list() -> String {
        FacilityKind::ALL
            .iter()
            .map(|k| format!("{} ({})", k.as_str(), k.chinese()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for FacilityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A community (社区) or village (村): the unit coverage is counted for.
#[derive(Debug, Clone)]
pub struct Community {
    pub id: String,
    pub name: String,
    pub street: String,
    /// Polygon, MultiPolygon or Point, WGS-84.
    pub geometry: Geometry<f64>,
    /// A point inside the community used as its demand point when no population layer is given.
    pub representative: Point<f64>,
    pub population: f64,
    pub elderly: f64,
    pub households: Option<f64>,
    /// Every other property of the feature, kept for rule checks (floor areas, flags, ...).
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// An existing facility.
#[derive(Debug, Clone)]
pub struct Facility {
    pub id: String,
    pub name: String,
    pub kind: FacilityKind,
    pub location: Point<f64>,
    pub capacity: Option<f64>,
    pub floor_area_m2: Option<f64>,
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// A population grid cell or building (optional layer). Polygons are taken at their centroid.
#[derive(Debug, Clone)]
pub struct PopulationCell {
    pub location: Point<f64>,
    pub population: f64,
    pub elderly: f64,
}

/// A candidate site for a new facility: a point, or a parcel (vacant land, a public building)
/// taken at its interior point.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: String,
    pub location: Point<f64>,
    pub cost: Option<f64>,
    pub capacity: Option<f64>,
    /// The floor area the site offers, m²: the mapped `area` field, else a parcel's own area.
    pub area_m2: Option<f64>,
}

/// A parcel of residential land from the regulatory plan (控制性详细规划地块): the unit the
/// allocation rules (elderly-service rooms per 100 households, ...) are checked for.
#[derive(Debug, Clone)]
pub struct Parcel {
    pub id: String,
    pub name: String,
    /// Polygon or MultiPolygon, WGS-84.
    pub geometry: Geometry<f64>,
    /// A point inside the parcel: it decides the community (and street) the parcel lies in.
    pub representative: Point<f64>,
    /// Planned households.
    pub households: Option<f64>,
    /// Planned floor area, m².
    pub floor_area_m2: Option<f64>,
    /// Every other mapped property (the elderly-service room area, flags, ...) for the rules.
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// Which directions of a road line may be travelled (honoured only when driving).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OneWay {
    No,
    /// Only in the direction the line is drawn.
    Forward,
    /// Only against the direction the line is drawn (OSM `oneway=-1`).
    Backward,
}

/// One road line as loaded, before any graph is built.
#[derive(Debug, Clone)]
pub struct RoadLine {
    /// Vertices, WGS-84 lon/lat.
    pub coords: Vec<geo::Coord<f64>>,
    /// Road class (the OSM `highway` value or a mapped field), used for bike/drive speeds
    /// and by the maps.
    pub class: String,
    pub oneway: OneWay,
    /// True when walking is not allowed on this line (motorway, foot=no, ...).
    pub no_walk: bool,
    /// The street's name when the data gives one (OSM `name`, or the road layer's mapped `name`
    /// field): proposed sites are named by it.
    pub name: Option<String>,
}

/// All layers of a scenario after loading and projection to WGS-84.
#[derive(Debug, Clone, Default)]
pub struct Layers {
    pub communities: Vec<Community>,
    pub facilities: Vec<Facility>,
    pub population: Vec<PopulationCell>,
    pub candidates: Vec<Candidate>,
    pub roads: Vec<RoadLine>,
    /// Residential parcels (`[layers.parcels]`, optional).
    pub parcels: Vec<Parcel>,
}
