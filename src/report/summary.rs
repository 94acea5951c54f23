//! summary.json's audit part as typed, documented structs: what a script may read from every
//! run. Later stages add their own entries next to these (`service_areas`, `siting`, `rules`,
//! `access`, `report`); see [`crate::report::Section`].

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::coverage::{Audit, Totals};
use crate::crs::Crs;
use crate::error::WarningKind;
use crate::figures::share_value;
use crate::report::round_to;
use crate::study::Study;

/// A head count rounded to 0.1: whole numbers are written without a decimal point ("1233",
/// not "1233.0", which reads better in Excel), fractional ones (weights, shares of cells) with
/// one decimal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Count(pub f64);

impl Serialize for Count {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = round_to(self.0, 1);
        if r.fract() == 0.0 && r.abs() < 9.0e15 {
            s.serialize_i64(r as i64)
        } else {
            s.serialize_f64(r)
        }
    }
}

/// A JSON object whose keys keep the order they are given in.
#[derive(Debug, Clone, PartialEq)]
pub struct Keyed<T>(pub Vec<(String, T)>);

impl<T: Serialize> Serialize for Keyed<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// summary.json without the later stages' entries.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// The scenario's `name`.
    pub scenario: String,
    /// The coordinate system the layers were read in.
    pub input_crs: Crs,
    /// Every output's coordinate system.
    pub output_crs: &'static str,
    pub travel: Travel,
    /// "population cells" when a population layer gives the demand, else "community points".
    pub demand: &'static str,
    pub counts: Counts,
    pub network: Network,
    /// Per facility kind (its machine name), in the audit's order.
    pub coverage: Keyed<KindSummary>,
    /// How many warnings of each kind (see the warnings section of report.md).
    pub warnings: Keyed<usize>,
    /// Every warning, with its feature and reason.
    pub warning_messages: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Travel {
    /// walk, bike or drive.
    pub mode: &'static str,
    pub speed_m_per_min: f64,
    /// The default time limit; a kind may have its own (`coverage.<kind>.limit_min`).
    pub limit_min: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Counts {
    pub communities: usize,
    pub streets: usize,
    pub facilities: usize,
    pub population_cells: usize,
    pub population: Count,
    pub elderly: Count,
}

/// The walk graph: its largest connected piece.
#[derive(Debug, Clone, Serialize)]
pub struct Network {
    pub nodes: usize,
    pub edges: usize,
    pub length_km: f64,
    /// Road pieces not connected to the largest piece, and their edges, left out.
    pub dropped_pieces: usize,
    pub dropped_edges: usize,
}

/// One facility kind's coverage.
#[derive(Debug, Clone, Serialize)]
pub struct KindSummary {
    /// The kind's Chinese name (日间照料中心, ...).
    pub name_zh: &'static str,
    pub limit_min: f64,
    pub facilities: usize,
    /// The scenario's target share of communities covered, when it sets one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_community_share: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meets_target: Option<bool>,
    pub district: GroupTotals,
    /// Per street, by name.
    pub streets: Vec<StreetTotals>,
}

/// Covered communities and people of a group (the district or a street). An elderly person
/// is covered when their own walk over the network to the nearest facility of the kind is
/// within the limit (the one definition the audit, the siting and the report use).
#[derive(Debug, Clone, Serialize)]
pub struct GroupTotals {
    pub communities: usize,
    pub communities_covered: usize,
    /// Rounded down to 4 decimals, so 4,999 of 5,000 is never shown as 100 %.
    pub community_share: f64,
    pub population: Count,
    pub population_covered: Count,
    pub elderly: Count,
    pub elderly_covered: Count,
    /// Rounded down to 4 decimals.
    pub elderly_share: f64,
}

impl From<&Totals> for GroupTotals {
    fn from(t: &Totals) -> Self {
        GroupTotals {
            communities: t.communities,
            communities_covered: t.communities_covered,
            community_share: share_value(t.community_share, 4),
            population: Count(t.population),
            population_covered: Count(t.population_covered),
            elderly: Count(t.elderly),
            elderly_covered: Count(t.elderly_covered),
            elderly_share: share_value(t.elderly_share, 4),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct StreetTotals {
    #[serde(flatten)]
    pub totals: GroupTotals,
    pub street: String,
}

/// The audit's part of summary.json.
pub fn summary(study: &Study, audit: &Audit) -> Summary {
    let coverage = audit
        .kinds
        .iter()
        .map(|k| {
            let total = audit.totals(k, |_| true);
            let streets = audit
                .by_street(study, k)
                .iter()
                .map(|(street, t)| StreetTotals {
                    totals: t.into(),
                    street: street.clone(),
                })
                .collect();
            let summary = KindSummary {
                name_zh: k.kind.chinese(),
                limit_min: k.limit_min,
                facilities: k.facilities,
                target_community_share: k.target.map(|t| t.coverage),
                meets_target: k
                    .target
                    .map(|t| total.community_share + 1e-12 >= t.coverage),
                district: (&total).into(),
                streets,
            };
            (k.kind.as_str().to_string(), summary)
        })
        .collect::<Vec<_>>();
    let warnings = [
        WarningKind::RepairedPolygon,
        WarningKind::FarFromRoad,
        WarningKind::DisconnectedRoads,
        WarningKind::CellOutsideCommunities,
        WarningKind::SkippedRoad,
        WarningKind::Other,
    ]
    .into_iter()
    .map(|kind| {
        let key = serde_json::to_value(kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        (key, study.warnings.count(kind))
    })
    .collect::<Vec<_>>();
    let g = &study.graph;
    let scenario = &study.scenario;
    Summary {
        scenario: scenario.name.clone(),
        input_crs: scenario.crs,
        output_crs: "WGS-84 (EPSG:4326)",
        travel: Travel {
            mode: scenario.travel.mode.as_str(),
            speed_m_per_min: scenario.travel.speed_m_per_min,
            limit_min: scenario.travel.limit_min,
        },
        demand: if study.demand_from_cells {
            "population cells"
        } else {
            "community points"
        },
        counts: Counts {
            communities: study.layers.communities.len(),
            streets: study
                .layers
                .communities
                .iter()
                .map(|c| c.street.as_str())
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            facilities: study.layers.facilities.len(),
            population_cells: study.layers.population.len(),
            population: Count(audit.population.iter().sum()),
            elderly: Count(audit.elderly.iter().sum()),
        },
        network: Network {
            nodes: g.node_count(),
            edges: g.edge_count(),
            length_km: round_to(g.total_length_m() / 1000.0, 3),
            dropped_pieces: g.dropped_pieces,
            dropped_edges: g.dropped_edges,
        },
        coverage: Keyed(coverage),
        warnings: Keyed(warnings),
        warning_messages: study
            .warnings
            .items
            .iter()
            .map(|w| w.message.clone())
            .collect(),
    }
}
