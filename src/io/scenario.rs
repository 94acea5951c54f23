//! The scenario file (TOML): which layers, how their fields map, how people travel, what the
//! targets are.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::crs::Crs;
use crate::error::{InputError, Problem};
use crate::model::FacilityKind;
use crate::network::{TravelMode, TravelSpeeds};

/// One input layer: where it is, its coordinate system and how its fields map.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerSpec {
    pub path: PathBuf,
    pub crs: Crs,
    /// carecircle's name → the layer's property name (e.g. `population` → `常住人口`).
    pub fields: BTreeMap<String, String>,
    /// The layer's kind values → facility kinds (facilities layer only).
    pub kinds: BTreeMap<String, FacilityKind>,
}

impl LayerSpec {
    /// The property name mapped to `key`, or `key` itself.
    pub fn field<'a>(&'a self, key: &'a str) -> &'a str {
        self.fields.get(key).map(String::as_str).unwrap_or(key)
    }

    /// The property name mapped to `key`, only when the scenario maps it.
    pub fn mapped(&self, key: &str) -> Option<&str> {
        self.fields.get(key).map(String::as_str)
    }
}

/// How people travel and how far.
#[derive(Debug, Clone, PartialEq)]
pub struct Travel {
    pub mode: TravelMode,
    pub speed_m_per_min: f64,
    pub limit_min: f64,
    /// Per road class speeds in m/min (bike and drive), over the built-in defaults.
    pub class_speeds: BTreeMap<String, f64>,
}

impl Travel {
    pub fn speeds(&self) -> TravelSpeeds {
        let mut speeds = match self.mode {
            TravelMode::Walk => TravelSpeeds::walk(self.speed_m_per_min),
            TravelMode::Bike => TravelSpeeds::bike(self.speed_m_per_min),
            TravelMode::Drive => TravelSpeeds::drive(self.speed_m_per_min),
        };
        for (class, speed) in &self.class_speeds {
            speeds.by_class.insert(class.clone(), *speed);
        }
        speeds
    }
}

/// A coverage target for a facility kind.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    pub limit_min: f64,
    /// Required share of communities covered, 0–1.
    pub coverage: f64,
}

/// Network options.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NetworkOptions {
    /// Communities farther than this from any road get a warning (metres).
    pub max_access_m: f64,
}

/// A loaded scenario with paths resolved against the scenario file's folder.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub path: PathBuf,
    pub crs: Crs,
    pub travel: Travel,
    pub communities: LayerSpec,
    pub facilities: LayerSpec,
    pub population: Option<LayerSpec>,
    pub candidates: Option<LayerSpec>,
    pub roads: LayerSpec,
    pub targets: BTreeMap<FacilityKind, Target>,
    pub network: NetworkOptions,
    /// Sections read by later stages (service areas, siting, rules), kept as written.
    pub areas: Option<toml::Table>,
    pub siting: Option<toml::Table>,
    /// `[report]`: language, issuing unit, date, data vintage (read by `report::ReportOptions`).
    pub report: Option<toml::Table>,
    pub rules: Option<toml::Table>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    name: Option<String>,
    crs: Option<String>,
    travel: Option<TravelFile>,
    layers: LayersFile,
    #[serde(default)]
    targets: BTreeMap<String, TargetFile>,
    network: Option<NetworkFile>,
    areas: Option<toml::Table>,
    siting: Option<toml::Table>,
    report: Option<toml::Table>,
    rules: Option<toml::Table>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TravelFile {
    mode: Option<String>,
    speed_m_per_min: Option<f64>,
    limit_min: Option<f64>,
    #[serde(default)]
    class_speeds_m_per_min: BTreeMap<String, f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LayersFile {
    communities: LayerFile,
    facilities: LayerFile,
    population: Option<LayerFile>,
    candidates: Option<LayerFile>,
    roads: LayerFile,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LayerFile {
    path: String,
    crs: Option<String>,
    #[serde(default)]
    fields: BTreeMap<String, String>,
    #[serde(default)]
    kinds: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetFile {
    limit_min: Option<f64>,
    coverage: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NetworkFile {
    max_access_m: Option<f64>,
}

impl Scenario {
    /// Reads and checks a scenario file.
    pub fn load(path: &Path) -> Result<Scenario, InputError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| InputError::file(path, Problem::Unreadable(e.to_string())))?;
        Scenario::parse(&text, path)
    }

    /// Parses scenario text; `path` names the file in errors and anchors relative paths.
    pub fn parse(text: &str, path: &Path) -> Result<Scenario, InputError> {
        let bad = |msg: String| InputError::file(path, Problem::Scenario(msg));
        let file: ScenarioFile =
            toml::from_str(text).map_err(|e| bad(format!("not a valid scenario file: {e}")))?;
        let base = path.parent().unwrap_or(Path::new("."));
        let crs = parse_crs(file.crs.as_deref(), "crs").map_err(bad)?;

        let travel_file = file.travel.unwrap_or(TravelFile {
            mode: None,
            speed_m_per_min: None,
            limit_min: None,
            class_speeds_m_per_min: BTreeMap::new(),
        });
        let mode = match travel_file.mode.as_deref().map(str::trim) {
            None | Some("walk") => TravelMode::Walk,
            Some("bike") => TravelMode::Bike,
            Some("drive") => TravelMode::Drive,
            Some(other) => {
                return Err(bad(format!(
                    "[travel] mode = \"{other}\" is not known; use walk, bike or drive"
                )))
            }
        };
        let default_speed = match mode {
            TravelMode::Walk => 60.0,
            TravelMode::Bike => 250.0,
            TravelMode::Drive => 500.0,
        };
        let speed = travel_file.speed_m_per_min.unwrap_or(default_speed);
        let limit = travel_file.limit_min.unwrap_or(15.0);
        positive(speed, "[travel] speed_m_per_min").map_err(bad)?;
        positive(limit, "[travel] limit_min").map_err(bad)?;
        for (class, s) in &travel_file.class_speeds_m_per_min {
            if !(s.is_finite() && *s >= 0.0) {
                return Err(bad(format!(
                    "[travel] class_speeds_m_per_min.{class} = {s} must be 0 (closed) or more"
                )));
            }
        }
        let travel = Travel {
            mode,
            speed_m_per_min: speed,
            limit_min: limit,
            class_speeds: travel_file.class_speeds_m_per_min,
        };

        let layer = |f: LayerFile, name: &str| -> Result<LayerSpec, InputError> {
            let layer_crs = match f.crs.as_deref() {
                Some(c) => parse_crs(Some(c), &format!("[layers.{name}] crs")).map_err(bad)?,
                None => crs,
            };
            let mut kinds = BTreeMap::new();
            for (value, kind) in f.kinds {
                let k = FacilityKind::parse(&kind).ok_or_else(|| {
                    bad(format!(
                        "[layers.{name}] kinds maps \"{value}\" to \"{kind}\", which is not a \
                         facility kind; accepted kinds are {}",
                        FacilityKind::accepted_list()
                    ))
                })?;
                kinds.insert(value, k);
            }
            if f.path.trim().is_empty() {
                return Err(bad(format!("[layers.{name}] path is empty")));
            }
            Ok(LayerSpec {
                path: base.join(&f.path),
                crs: layer_crs,
                fields: f.fields,
                kinds,
            })
        };

        let mut targets = BTreeMap::new();
        for (kind, t) in file.targets {
            let k = FacilityKind::parse(&kind).ok_or_else(|| {
                bad(format!(
                    "[targets] \"{kind}\" is not a facility kind; accepted kinds are {}",
                    FacilityKind::accepted_list()
                ))
            })?;
            let limit_min = t.limit_min.unwrap_or(limit);
            positive(limit_min, &format!("[targets] {kind}.limit_min")).map_err(bad)?;
            let coverage = t.coverage.unwrap_or(1.0);
            if !(0.0..=1.0).contains(&coverage) {
                return Err(bad(format!(
                    "[targets] {kind}.coverage = {coverage} must be a share between 0 and 1"
                )));
            }
            targets.insert(
                k,
                Target {
                    limit_min,
                    coverage,
                },
            );
        }
        let max_access_m = file.network.and_then(|n| n.max_access_m).unwrap_or(500.0);
        positive(max_access_m, "[network] max_access_m").map_err(bad)?;

        Ok(Scenario {
            name: file.name.unwrap_or_else(|| {
                path.file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default()
            }),
            path: path.to_path_buf(),
            crs,
            travel,
            communities: layer(file.layers.communities, "communities")?,
            facilities: layer(file.layers.facilities, "facilities")?,
            population: file
                .layers
                .population
                .map(|l| layer(l, "population"))
                .transpose()?,
            candidates: file
                .layers
                .candidates
                .map(|l| layer(l, "candidates"))
                .transpose()?,
            roads: layer(file.layers.roads, "roads")?,
            targets,
            network: NetworkOptions { max_access_m },
            areas: file.areas,
            siting: file.siting,
            report: file.report,
            rules: file.rules,
        })
    }

    /// The time limit for a kind: its target's, else the travel limit.
    pub fn limit_for(&self, kind: FacilityKind) -> f64 {
        self.targets
            .get(&kind)
            .map(|t| t.limit_min)
            .unwrap_or(self.travel.limit_min)
    }
}

fn parse_crs(value: Option<&str>, what: &str) -> Result<Crs, String> {
    match value {
        None => Ok(Crs::Wgs84),
        Some(v) => Crs::parse(v)
            .ok_or_else(|| format!("{what} = \"{v}\" is not known; use wgs84, cgcs2000 or gcj02")),
    }
}

fn positive(v: f64, what: &str) -> Result<(), String> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(format!("{what} = {v} must be a positive number"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
name = "测试区"
crs = "gcj02"
[travel]
limit_min = 10
[layers.communities]
path = "c.geojson"
fields = { id = "编码", name = "名称" }
[layers.facilities]
path = "f.geojson"
kinds = { "日间照料中心" = "day_care", "食堂" = "canteen" }
[layers.roads]
path = "sub/roads.geojson"
crs = "wgs84"
[targets]
day_care = { coverage = 0.9 }
"#;

    #[test]
    fn minimal_scenario_resolves_paths_fields_and_defaults() {
        let s = Scenario::parse(MINIMAL, Path::new("/data/plan/scenario.toml")).unwrap();
        assert_eq!(s.name, "测试区");
        assert_eq!(s.crs, Crs::Gcj02);
        assert_eq!(s.roads.crs, Crs::Wgs84);
        assert_eq!(s.communities.crs, Crs::Gcj02);
        assert_eq!(s.roads.path, Path::new("/data/plan/sub/roads.geojson"));
        assert_eq!(s.communities.field("id"), "编码");
        assert_eq!(s.communities.field("street"), "street");
        assert_eq!(s.facilities.kinds["食堂"], FacilityKind::Canteen);
        assert_eq!(s.travel.speed_m_per_min, 60.0);
        assert_eq!(s.limit_for(FacilityKind::DayCare), 10.0);
        assert_eq!(s.targets[&FacilityKind::DayCare].coverage, 0.9);
        assert_eq!(s.network.max_access_m, 500.0);
    }

    #[test]
    fn errors_name_the_problem_and_place() {
        let err = |text: &str| {
            Scenario::parse(text, Path::new("s.toml"))
                .unwrap_err()
                .to_string()
        };
        let e = err("name = \n");
        assert!(e.starts_with("s.toml: not a valid scenario file"), "{e}");
        assert!(e.contains("line 1"), "{e}");
        let e = err(&MINIMAL.replace("\"canteen\"", "\"restaurant\""));
        assert!(
            e.contains("restaurant") && e.contains("day_care (日间照料中心)"),
            "{e}"
        );
        let e = err(&MINIMAL.replace("crs = \"gcj02\"", "crs = \"bd09\""));
        assert!(e.contains("bd09") && e.contains("gcj02"), "{e}");
        let e = err(&MINIMAL.replace("limit_min = 10", "limt_min = 10"));
        assert!(e.contains("limt_min"), "{e}");
    }
}
