//! The scenario file (TOML): which layers, how their fields map, how people travel, what the
//! targets are.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::crs::Crs;
use crate::error::{InputError, Problem};
use crate::model::FacilityKind;
use crate::network::{TravelMode, TravelSpeeds};
use crate::rules::{Layer as RuleLayer, Measure, RuleSet};

/// One input layer: where it is, its coordinate system and how its fields map.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerSpec {
    pub path: PathBuf,
    pub crs: Crs,
    /// carecircle's name → the layer's property name (e.g. `population` → `常住人口`).
    pub fields: BTreeMap<String, String>,
    /// The layer's kind values → facility kinds (facilities layer only).
    pub kinds: BTreeMap<String, FacilityKind>,
    /// True when the scenario names a crs (for the layer or the whole scenario); a layer's own
    /// CRS (`.prj`, GeoPackage) that disagrees with it is then an error.
    pub crs_given: bool,
    /// The layer inside a GeoPackage (`layer = "communities"`).
    pub layer: Option<String>,
    /// The sheet of an XLSX workbook, by name or 1-based number.
    pub sheet: Option<String>,
    /// The attribute encoding of a Shapefile or CSV when the file does not say (`gbk`, ...).
    pub encoding: Option<String>,
    /// What to do with facility types no kind maps to.
    pub other_kinds: OtherKinds,
}

/// What to do with facility types no kind maps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OtherKinds {
    /// An error naming the type (the default).
    #[default]
    Error,
    /// Skip those facilities with one counted warning.
    Ignore,
}

impl LayerSpec {
    /// A layer at `path` in `crs` (given by the caller), with no field mapping.
    pub fn at(path: impl Into<PathBuf>, crs: Crs) -> LayerSpec {
        LayerSpec {
            path: path.into(),
            crs,
            fields: BTreeMap::new(),
            kinds: BTreeMap::new(),
            crs_given: true,
            layer: None,
            sheet: None,
            encoding: None,
            other_kinds: OtherKinds::Error,
        }
    }

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
    /// The communities the target applies to (`communities = "urban" | "village" | "all"`).
    pub communities: crate::community_type::CommunityScope,
}

/// Network options.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NetworkOptions {
    /// Communities farther than this from any road get a warning (metres).
    pub max_access_m: f64,
}

/// The carecircle field names each layer's loader reads (the keys a layer's `fields = {…}` may
/// map). Rules may read more fields of the communities and facilities (see
/// [`rule_fields`]); a key that is neither is a typo and refused with the closest valid key.
pub const COMMUNITY_FIELDS: &[&str] = &[
    "id",
    "name",
    "street",
    "population",
    "elderly",
    "households",
    // The community type: urban community or village (社区 / 村, or an NBS urban-rural code),
    // read by targets by community type and by the rules.
    "kind",
    // Coordinate columns of a point table (CSV, XLSX).
    "x",
    "y",
    // The NBS three-digit urban-rural classification code (111–123 urban, 210/220 rural).
    "urban_rural_code",
];
pub const FACILITY_FIELDS: &[&str] = &[
    "id",
    "name",
    "kind",
    "capacity",
    "floor_area",
    // The id of the community a facility belongs to, read by the rules.
    "community",
    "x",
    "y",
];
pub const POPULATION_FIELDS: &[&str] = &["id", "population", "elderly", "x", "y"];
pub const CANDIDATE_FIELDS: &[&str] = &["id", "cost", "capacity", "x", "y"];
pub const ROAD_FIELDS: &[&str] = &["class", "oneway"];

/// The default `[siting] time_limit_s`.
pub const DEFAULT_TIME_LIMIT_S: f64 = 60.0;
/// The largest time limit accepted (`[siting] time_limit_s`, `site --time-limit`): 30 days.
/// Larger values are refused (naming this maximum) rather than overflowing a clock.
pub const MAX_TIME_LIMIT_S: f64 = 30.0 * 24.0 * 3600.0;
/// The default `[siting] p` for `run` (mclp, pmedian).
pub const DEFAULT_P: usize = 3;

/// A siting model by name, before its number of sites is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelName {
    Lscp,
    Mclp,
    PMedian,
    PCenter,
}

impl ModelName {
    pub const ACCEPTED: [&'static str; 4] = ["lscp", "mclp", "pmedian", "pcenter"];

    /// Parses `lscp`, `mclp`, `pmedian` (also `p-median`, `p_median`), any case.
    pub fn parse(name: &str) -> Result<ModelName, String> {
        match name.trim().to_ascii_lowercase().as_str() {
            "lscp" => Ok(ModelName::Lscp),
            "mclp" => Ok(ModelName::Mclp),
            "pmedian" | "p-median" | "p_median" => Ok(ModelName::PMedian),
            "pcenter" | "p-center" | "p_center" => Ok(ModelName::PCenter),
            other => Err(format!(
                "model \"{other}\" is not known{}; use lscp, mclp, pmedian or pcenter",
                hint(other, &Self::ACCEPTED)
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ModelName::Lscp => "lscp",
            ModelName::Mclp => "mclp",
            ModelName::PMedian => "pmedian",
            ModelName::PCenter => "pcenter",
        }
    }

    /// True for the models that open a given number of sites.
    pub fn needs_p(self) -> bool {
        self != ModelName::Lscp
    }
}

/// `[siting]`: the model `run` uses for every target kind, and the solver settings of every
/// siting (`site` flags override them).
#[derive(Debug, Clone, PartialEq)]
pub struct SitingConfig {
    pub model: ModelName,
    /// Number of new sites (mclp, pmedian), at least 1; `None` when not given.
    pub p: Option<usize>,
    /// Seconds, in (0, [`MAX_TIME_LIMIT_S`]].
    pub time_limit_s: f64,
    /// Stop once the proven relative gap is at most this, in [0, 1).
    pub gap_target: f64,
    /// Spacing of candidates drawn from the road graph, metres.
    pub candidate_spacing_m: f64,
    /// Capacity of a candidate that has none (capacitated model).
    pub default_capacity: Option<f64>,
    /// `limit = "none"`: the p-median assigns every community to its nearest open site however
    /// far (the classic model), instead of counting 2 × the limit for the unreached.
    pub no_limit: bool,
    /// `weight = "elderly" | "population" | <field>`: what a community's demand weighs.
    pub weight: DemandWeight,
}

/// The demand weight of a community in the siting models (`[siting] weight`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum DemandWeight {
    /// Elderly people, as the audit counts them (default).
    #[default]
    Elderly,
    /// All residents.
    Population,
    /// A numeric property of the communities layer, by its name in the layer (a carecircle
    /// field key is resolved through `[layers.communities] fields`).
    Field(String),
}

impl Default for SitingConfig {
    fn default() -> SitingConfig {
        SitingConfig {
            model: ModelName::Lscp,
            p: None,
            time_limit_s: DEFAULT_TIME_LIMIT_S,
            gap_target: 0.0,
            candidate_spacing_m: 250.0,
            default_capacity: None,
            no_limit: false,
            weight: DemandWeight::Elderly,
        }
    }
}

impl SitingConfig {
    /// The time limit as a duration (always representable: see [`MAX_TIME_LIMIT_S`]).
    pub fn time_limit(&self) -> std::time::Duration {
        std::time::Duration::from_secs_f64(self.time_limit_s.clamp(0.0, MAX_TIME_LIMIT_S))
    }
}

/// Checks a time limit in seconds: positive, finite, at most [`MAX_TIME_LIMIT_S`].
pub fn check_time_limit(seconds: f64) -> Result<f64, String> {
    let shown = short_number(seconds);
    if !(seconds.is_finite() && seconds > 0.0) {
        return Err(format!("{shown} must be a positive number of seconds"));
    }
    if seconds > MAX_TIME_LIMIT_S {
        return Err(format!(
            "{shown} is more than the maximum of {MAX_TIME_LIMIT_S} seconds (30 days)"
        ));
    }
    Ok(seconds)
}

/// A number as a user wrote it, in scientific notation when very large or small (`1e300`).
pub fn short_number(x: f64) -> String {
    if x.is_finite() && x != 0.0 && !(1e-4..1e9).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        x.to_string()
    }
}

/// Checks a number of new sites: at least 1.
pub fn check_p(p: i64) -> Result<usize, String> {
    usize::try_from(p)
        .ok()
        .filter(|p| *p >= 1)
        .ok_or_else(|| format!("{p} must be a whole number of new sites, at least 1"))
}

/// `[areas]`: time bands and the lateral allowance of the service areas.
#[derive(Debug, Clone, PartialEq)]
pub struct AreasConfig {
    /// Minutes, ascending, no duplicates.
    pub bands: Vec<f64>,
    /// Metres from the road to a door.
    pub lateral_m: f64,
}

impl Default for AreasConfig {
    fn default() -> AreasConfig {
        AreasConfig {
            bands: crate::areas::DEFAULT_BANDS.to_vec(),
            lateral_m: crate::areas::DEFAULT_LATERAL_M,
        }
    }
}

/// `[rules]`: which rule set, and rules left out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RulesConfig {
    /// A built-in name or a rule file (relative to the scenario's folder).
    pub ruleset: Option<String>,
    /// Rule ids not to check.
    pub skip: Vec<String>,
}

/// A loaded scenario with paths resolved against the scenario file's folder. Everything is
/// checked when it is loaded: the later stages read typed values and cannot fail on the
/// scenario any more.
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
    pub areas: AreasConfig,
    pub siting: SitingConfig,
    pub rules: RulesConfig,
    /// `[report]`: language, issuing unit, date, data vintage (checked by
    /// `report::document::ReportOptions`).
    pub report: Option<toml::Table>,
    /// The rule set the scenario asks for (or the command line's `--ruleset`), read and
    /// checked with the scenario, without the `[rules] skip` rules.
    pub rule_set: RuleSet,
    /// `[output]`: the bureau formats and CRS of the outputs.
    pub output: crate::export::OutputOptions,
    /// `[access]`: the 2SFCA family's settings.
    pub access: crate::access::AccessOptions,
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
    #[serde(default)]
    areas: AreasFile,
    #[serde(default)]
    siting: SitingFile,
    #[serde(default)]
    rules: RulesFile,
    output: Option<OutputFile>,
    access: Option<toml::Table>,
    report: Option<toml::Table>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OutputFile {
    crs: Option<String>,
    formats: Option<Vec<String>>,
    encoding: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
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
    layer: Option<String>,
    sheet: Option<toml::Value>,
    encoding: Option<String>,
    other_kinds: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetFile {
    limit_min: Option<f64>,
    coverage: Option<f64>,
    communities: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NetworkFile {
    max_access_m: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AreasFile {
    bands: Option<Vec<f64>>,
    lateral_m: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SitingFile {
    model: Option<String>,
    p: Option<i64>,
    time_limit_s: Option<f64>,
    gap_target: Option<f64>,
    candidate_spacing_m: Option<f64>,
    default_capacity: Option<f64>,
    limit: Option<String>,
    weight: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    ruleset: Option<String>,
    #[serde(default)]
    skip: Vec<String>,
}

impl Scenario {
    /// Reads and checks a scenario file (and the rule set it names).
    pub fn load(path: &Path) -> Result<Scenario, InputError> {
        Scenario::load_with_ruleset(path, None)
    }

    /// Reads and checks a scenario file with the command line's `--ruleset` (a built-in name,
    /// or a rule file relative to the working directory) in place of `[rules] ruleset`.
    pub fn load_with_ruleset(path: &Path, ruleset: Option<&str>) -> Result<Scenario, InputError> {
        let text = super::read_input_text(path, super::input_limits())?;
        Scenario::parse_with_ruleset(&text, path, ruleset)
    }

    /// Parses scenario text; `path` names the file in errors and anchors relative paths.
    pub fn parse(text: &str, path: &Path) -> Result<Scenario, InputError> {
        Scenario::parse_with_ruleset(text, path, None)
    }

    /// [`Scenario::parse`] with the command line's `--ruleset`.
    pub fn parse_with_ruleset(
        text: &str,
        path: &Path,
        ruleset: Option<&str>,
    ) -> Result<Scenario, InputError> {
        let bad = |msg: String| InputError::file(path, Problem::Scenario(msg));
        let file: ScenarioFile =
            toml::from_str(text).map_err(|e| bad(describe_toml_error(text, &e)))?;
        let base = path.parent().unwrap_or(Path::new("."));
        let crs = parse_crs(file.crs.as_deref(), "crs").map_err(bad)?;
        let crs_given = file.crs.is_some();

        let travel_file = file.travel.unwrap_or_default();
        let mode = match travel_file.mode.as_deref().map(str::trim) {
            None | Some("walk") => TravelMode::Walk,
            Some("bike") => TravelMode::Bike,
            Some("drive") => TravelMode::Drive,
            Some(other) => {
                return Err(bad(format!(
                    "[travel] mode = \"{other}\" is not known{}; use walk, bike or drive",
                    hint(other, &["walk", "bike", "drive"])
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
                let k = parse_kind(&kind).map_err(|e| {
                    bad(format!(
                        "[layers.{name}] kinds maps \"{value}\" to \"{kind}\", which is not a \
                         facility kind{e}"
                    ))
                })?;
                kinds.insert(value, k);
            }
            if f.path.trim().is_empty() {
                return Err(bad(format!("[layers.{name}] path is empty")));
            }
            let other_kinds = match f.other_kinds.as_deref() {
                None | Some("error") => OtherKinds::Error,
                Some("ignore") => OtherKinds::Ignore,
                Some(o) => {
                    return Err(bad(format!(
                        "[layers.{name}] other_kinds = \"{o}\" is not known; use \"error\" or \"ignore\""
                    )))
                }
            };
            let sheet = match f.sheet {
                None => None,
                Some(toml::Value::String(s)) => Some(s),
                Some(toml::Value::Integer(i)) if i >= 1 => Some(i.to_string()),
                Some(v) => {
                    return Err(bad(format!(
                        "[layers.{name}] sheet = {v} must be a sheet name or a number from 1"
                    )))
                }
            };
            Ok(LayerSpec {
                path: base.join(&f.path),
                crs: layer_crs,
                fields: f.fields,
                kinds,
                crs_given: f.crs.is_some() || crs_given,
                layer: f.layer,
                sheet,
                encoding: f.encoding,
                other_kinds,
            })
        };

        let mut targets = BTreeMap::new();
        for (kind, t) in file.targets {
            let k = parse_kind(&kind)
                .map_err(|e| bad(format!("[targets] \"{kind}\" is not a facility kind{e}")))?;
            let limit_min = t.limit_min.unwrap_or(limit);
            positive(limit_min, &format!("[targets] {kind}.limit_min")).map_err(bad)?;
            let coverage = t.coverage.unwrap_or(1.0);
            if !(0.0..=1.0).contains(&coverage) {
                return Err(bad(format!(
                    "[targets] {kind}.coverage = {coverage} must be a share between 0 and 1"
                )));
            }
            let communities = match t.communities.as_deref() {
                None => crate::community_type::CommunityScope::All,
                Some(v) => crate::community_type::CommunityScope::parse(v).ok_or_else(|| {
                    bad(format!(
                        "[targets] {kind}.communities = \"{v}\" is not known; use \"urban\" \
                         (社区居委会), \"village\" (村委会) or \"all\""
                    ))
                })?,
            };
            targets.insert(
                k,
                Target {
                    limit_min,
                    coverage,
                    communities,
                },
            );
        }
        let max_access_m = file.network.and_then(|n| n.max_access_m).unwrap_or(500.0);
        positive(max_access_m, "[network] max_access_m").map_err(bad)?;

        let output = match file.output {
            None => crate::export::OutputOptions::default(),
            Some(o) => {
                let mut options = crate::export::OutputOptions::default();
                if let Some(c) = o.crs.as_deref() {
                    options.crs = parse_crs(Some(c), "[output] crs").map_err(bad)?;
                }
                for f in o.formats.unwrap_or_default() {
                    match f.trim().to_ascii_lowercase().as_str() {
                        "geojson" => {}
                        "shp" | "shapefile" => options.shapefile = true,
                        "gpkg" | "geopackage" => options.geopackage = true,
                        other => {
                            return Err(bad(format!(
                                "[output] formats has \"{other}\"; use geojson, shp or gpkg"
                            )))
                        }
                    }
                }
                if let Some(e) = o.encoding.as_deref() {
                    options.encoding = crate::io::shapefile::encoding_for(e)
                        .filter(|e| {
                            [encoding_rs::UTF_8, encoding_rs::GBK, encoding_rs::GB18030].contains(e)
                        })
                        .ok_or_else(|| {
                            bad(format!(
                                "[output] encoding = \"{e}\" is not known; use utf-8 or gbk"
                            ))
                        })?;
                }
                options
            }
        };
        let areas = areas_config(file.areas).map_err(bad)?;
        let communities = layer(file.layers.communities, "communities")?;
        let siting = siting_config(file.siting, &communities).map_err(bad)?;
        let access =
            crate::access::AccessOptions::parse(file.access.as_ref(), limit).map_err(bad)?;
        let rules = RulesConfig {
            ruleset: match file.rules.ruleset {
                Some(s) if s.trim().is_empty() => {
                    return Err(bad(
                        "[rules] ruleset must be a built-in name or a rule file path".into(),
                    ))
                }
                other => other.map(|s| s.trim().to_string()),
            },
            skip: file.rules.skip,
        };
        // The rule set is read with the scenario, so a missing or bad rule file fails every
        // command the same way, before any work.
        let builtin = RuleSet::builtin("cn-eldercare")?;
        let own = rules.ruleset.as_deref().map(|s| RuleSet::resolve(s, base));
        let full_set = match (ruleset, own.clone()) {
            // A path on the command line is relative to the working directory.
            (Some(s), _) => RuleSet::resolve(s, Path::new("."))?,
            (None, Some(own)) => own?,
            (None, None) => builtin.clone(),
        };
        let rule_set = without_skipped(full_set.clone(), &rules.skip).map_err(bad)?;
        // Fields may be mapped for the rule set in use, the scenario's own one (when the
        // command line chose another) and the built-in one, so switching sets needs no edits.
        let mut rule_sets = vec![full_set, builtin];
        if let Some(Ok(own)) = own.filter(|_| ruleset.is_some()) {
            rule_sets.push(own);
        }

        let scenario = Scenario {
            output,
            name: file.name.unwrap_or_else(|| {
                path.file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default()
            }),
            path: path.to_path_buf(),
            crs,
            travel,
            communities,
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
            areas,
            siting,
            rules,
            report: file.report,
            rule_set,
            access,
        };
        scenario.check_field_keys(&rule_sets).map_err(bad)?;
        Ok(scenario)
    }

    /// The time limit for a kind: its target's, else the travel limit.
    pub fn limit_for(&self, kind: FacilityKind) -> f64 {
        self.targets
            .get(&kind)
            .map(|t| t.limit_min)
            .unwrap_or(self.travel.limit_min)
    }

    /// Every key of every layer's `fields = {…}` must be a field that carecircle or the rule
    /// set reads; anything else is a typo that would silently leave a field unmapped.
    fn check_field_keys(&self, rule_sets: &[RuleSet]) -> Result<(), String> {
        let layers: [LayerFields; 5] = [
            (
                "communities",
                Some(&self.communities),
                COMMUNITY_FIELDS,
                Some(RuleLayer::Communities),
            ),
            (
                "facilities",
                Some(&self.facilities),
                FACILITY_FIELDS,
                Some(RuleLayer::Facilities),
            ),
            (
                "population",
                self.population.as_ref(),
                POPULATION_FIELDS,
                None,
            ),
            (
                "candidates",
                self.candidates.as_ref(),
                CANDIDATE_FIELDS,
                None,
            ),
            ("roads", Some(&self.roads), ROAD_FIELDS, None),
        ];
        for (name, spec, loader, rule_layer) in layers {
            let Some(spec) = spec else { continue };
            let from_rules: BTreeSet<String> = rule_layer
                .map(|l| rule_sets.iter().flat_map(|r| rule_fields(r, l)).collect())
                .unwrap_or_default();
            let mut valid: Vec<&str> = loader.to_vec();
            valid.extend(
                from_rules
                    .iter()
                    .map(String::as_str)
                    .filter(|f| !loader.contains(f)),
            );
            for key in spec.fields.keys() {
                if valid.contains(&key.as_str()) {
                    continue;
                }
                let rules_part = if from_rules.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; the rule sets read {}",
                        from_rules.iter().cloned().collect::<Vec<_>>().join(", ")
                    )
                };
                return Err(match closest_key(key, &valid) {
                    Some(close) => format!(
                        "[layers.{name}] fields: {key}: did you mean {close}? \
                         (this layer maps {}{rules_part})",
                        loader.join(", ")
                    ),
                    None => format!(
                        "[layers.{name}] fields: {key} is not a field carecircle reads from \
                         this layer; it maps {}{rules_part}",
                        loader.join(", ")
                    ),
                });
            }
        }
        Ok(())
    }
}

/// A layer's name, spec, the fields its loader reads and the rule layer it feeds.
type LayerFields<'a> = (
    &'a str,
    Option<&'a LayerSpec>,
    &'static [&'static str],
    Option<RuleLayer>,
);

/// The fields a rule set reads from a layer (besides the loaders' own).
pub fn rule_fields(set: &RuleSet, layer: RuleLayer) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for rule in &set.rules {
        let on_facilities = rule.scopes.contains(&crate::rules::Scope::Facility);
        if let Some(w) = &rule.where_field {
            if on_facilities == (layer == RuleLayer::Facilities) {
                out.insert(w.clone());
            }
        }
        match &rule.measure {
            Measure::Ratio {
                numerator,
                denominator,
                ..
            } => {
                for q in [numerator, denominator] {
                    if q.layer == layer && q.field != "count" {
                        out.insert(q.field.clone());
                    }
                }
            }
            Measure::FacilityValue { field } if layer == RuleLayer::Facilities => {
                out.insert(field.clone());
            }
            _ => {}
        }
    }
    out
}

/// The rule set without the `skip` rules; a skip id that is not a rule of the set is an error.
pub(crate) fn without_skipped(mut set: RuleSet, skip: &[String]) -> Result<RuleSet, String> {
    for id in skip {
        if !set.rules.iter().any(|r| &r.id == id) {
            let ids: Vec<&str> = set.rules.iter().map(|r| r.id.as_str()).collect();
            return Err(format!(
                "[rules] skip names \"{id}\", which is not a rule of {}{}; its rules are {}",
                set.name,
                hint(id, &ids),
                ids.join(", ")
            ));
        }
    }
    set.rules.retain(|r| !skip.contains(&r.id));
    Ok(set)
}

fn areas_config(f: AreasFile) -> Result<AreasConfig, String> {
    let mut out = AreasConfig::default();
    if let Some(lateral) = f.lateral_m {
        if !(lateral.is_finite() && lateral > 0.0) {
            return Err(format!(
                "[areas] lateral_m = {lateral} must be more than 0 metres"
            ));
        }
        out.lateral_m = lateral;
    }
    if let Some(bands) = f.bands {
        out.bands = crate::areas::check_bands(&bands).map_err(|e| format!("[areas] {e}"))?;
    }
    Ok(out)
}

fn siting_config(f: SitingFile, communities: &LayerSpec) -> Result<SitingConfig, String> {
    let mut out = SitingConfig::default();
    if let Some(m) = f.model {
        out.model = ModelName::parse(&m).map_err(|e| format!("[siting] {e}"))?;
    }
    if let Some(p) = f.p {
        out.p = Some(check_p(p).map_err(|e| format!("[siting] p = {e}"))?);
    }
    if let Some(t) = f.time_limit_s {
        out.time_limit_s =
            check_time_limit(t).map_err(|e| format!("[siting] time_limit_s = {e}"))?;
    }
    if let Some(g) = f.gap_target {
        if !(0.0..1.0).contains(&g) {
            return Err(format!(
                "[siting] gap_target = {g} must be a share from 0 up to (not including) 1"
            ));
        }
        out.gap_target = g;
    }
    if let Some(s) = f.candidate_spacing_m {
        positive(s, "[siting] candidate_spacing_m")?;
        out.candidate_spacing_m = s;
    }
    if let Some(c) = f.default_capacity {
        positive(c, "[siting] default_capacity")?;
        out.default_capacity = Some(c);
    }
    if let Some(l) = f.limit {
        if l.trim() != "none" {
            return Err(format!(
                "[siting] limit = \"{l}\": the only setting is \"none\" (p-median without a \
                 time limit); the limit itself is [travel] limit_min"
            ));
        }
        out.no_limit = true;
    }
    if let Some(w) = f.weight {
        out.weight = match w.trim() {
            "elderly" => DemandWeight::Elderly,
            "population" => DemandWeight::Population,
            "" => {
                return Err(
                    "[siting] weight must be \"elderly\", \"population\" or the name of a \
                     numeric field of the communities"
                        .into(),
                )
            }
            field => DemandWeight::Field(communities.field(field).to_string()),
        };
    }
    Ok(out)
}

/// A facility kind by name, or the accepted kinds with the closest one.
fn parse_kind(name: &str) -> Result<FacilityKind, String> {
    FacilityKind::parse(name).ok_or_else(|| {
        let names: Vec<&str> = FacilityKind::ALL.iter().map(|k| k.as_str()).collect();
        format!(
            "{}; accepted kinds are {}",
            hint(name, &names),
            FacilityKind::accepted_list()
        )
    })
}

/// ` (did you mean X?)` when a valid word is close to `word`, else nothing.
fn hint(word: &str, valid: &[&str]) -> String {
    closest_key(word, valid)
        .map(|c| format!(" (did you mean {c}?)"))
        .unwrap_or_default()
}

/// Rewrites a TOML/serde error into words that name the key: an unknown key gets the closest
/// valid key ("modle: did you mean model?"), a wrong type the key and its line.
fn describe_toml_error(text: &str, e: &toml::de::Error) -> String {
    // serde names Rust types; say what a user writes.
    let message = e
        .message()
        .trim()
        .replace("expected i64", "expected a whole number")
        .replace("expected u64", "expected a whole number")
        .replace("expected usize", "expected a whole number")
        .replace("expected f64", "expected a number");
    let message = message.as_str();
    let place = e.span().map(|span| locate(text, span.start));
    let at = place
        .as_ref()
        .map(|p| format!("line {}", p.line))
        .unwrap_or_default();
    let section = place
        .as_ref()
        .and_then(|p| p.section.clone())
        .map(|s| format!("[{s}] "))
        .unwrap_or_default();
    if let Some((key, expected)) = unknown_field(message) {
        let accepted = if expected.is_empty() {
            "this table takes no keys".to_string()
        } else {
            format!("accepted keys: {}", expected.join(", "))
        };
        let exp: Vec<&str> = expected.iter().map(String::as_str).collect();
        return match closest_key(&key, &exp) {
            Some(close) => format!("{section}{key}: did you mean {close}? ({at}; {accepted})"),
            None => format!("{section}{key} is not a known key ({at}); {accepted}"),
        };
    }
    match place {
        Some(p) => format!(
            "{section}{}: {message} (line {}, column {})",
            p.line_text.trim(),
            p.line,
            p.column
        ),
        None => format!("not a valid scenario file: {message}"),
    }
}

struct Place {
    line: usize,
    column: usize,
    line_text: String,
    /// The `[table]` header the line is under.
    section: Option<String>,
}

fn locate(text: &str, offset: usize) -> Place {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = text
        .get(line_start..offset)
        .map(|s| s.chars().count())
        .unwrap_or(0)
        + 1;
    let line_text = text[line_start..]
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    let section = before.lines().rev().find_map(|l| {
        let l = l.trim();
        (l.starts_with('[') && !l.contains('='))
            .then(|| l.trim_matches(|c| c == '[' || c == ']').trim().to_string())
    });
    Place {
        line,
        column,
        line_text,
        section,
    }
}

/// serde's "unknown field `x`, expected one of `a`, `b`" (or "expected `a` or `b`", or
/// "there are no fields") as the key and the accepted keys.
fn unknown_field(message: &str) -> Option<(String, Vec<String>)> {
    let rest = message.strip_prefix("unknown field `")?;
    let end = rest.find('`')?;
    let key = rest[..end].to_string();
    let tail = &rest[end + 1..];
    let expected = tail
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    Some((key, expected))
}

/// The valid key closest to `word` by edit distance (a swap of two neighbours counts as one
/// edit), when it is close enough to be a typo of it.
pub fn closest_key<'a>(word: &str, valid: &[&'a str]) -> Option<&'a str> {
    let len = word.chars().count();
    valid
        .iter()
        .map(|v| (edit_distance(word, v), *v))
        .filter(|(d, v)| *d <= (len.max(v.chars().count()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, v)| v)
}

/// Optimal string alignment distance (Levenshtein plus transposition of neighbours).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

fn parse_crs(value: Option<&str>, what: &str) -> Result<Crs, String> {
    match value {
        None => Ok(Crs::Wgs84),
        Some(v) => Crs::parse(v).map_err(|e| format!("{what} = \"{v}\": {e}")),
    }
}

fn positive(v: f64, what: &str) -> Result<(), String> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(format!(
            "{what} = {} must be a positive number",
            short_number(v)
        ))
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
        assert!(e.starts_with("s.toml: name =: "), "{e}");
        assert!(e.contains("line 1"), "{e}");
        let e = err(&MINIMAL.replace("\"canteen\"", "\"restaurant\""));
        assert!(
            e.contains("restaurant") && e.contains("day_care (日间照料中心)"),
            "{e}"
        );
        let e = err(&MINIMAL.replace("crs = \"gcj02\"", "crs = \"bd10\""));
        assert!(e.contains("bd10") && e.contains("gcj02"), "{e}");
        let e = err(&MINIMAL.replace("crs = \"gcj02\"", "crs = \"EPSG:2383\""));
        assert!(e.contains("Xi'an 1980") && e.contains("+towgs84"), "{e}");
        let e = err(&MINIMAL.replace("limit_min = 10", "limt_min = 10"));
        assert!(e.contains("limt_min: did you mean limit_min?"), "{e}");
        assert!(e.contains("[travel]") && e.contains("line 5"), "{e}");
    }

    #[test]
    fn closest_key_finds_typos_and_not_unrelated_words() {
        let keys = ["model", "p", "time_limit_s", "gap_target", "households"];
        assert_eq!(closest_key("modle", &keys), Some("model"));
        assert_eq!(closest_key("househods", &keys), Some("households"));
        assert_eq!(closest_key("time_limit", &keys), Some("time_limit_s"));
        assert_eq!(closest_key("colour", &keys), None);
        assert_eq!(edit_distance("modle", "model"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("养老院", "养老"), 1);
    }

    #[test]
    fn typed_sections_with_defaults_and_integers_for_numbers() {
        let s = Scenario::parse(MINIMAL, Path::new("s.toml")).unwrap();
        assert_eq!(s.siting, SitingConfig::default());
        assert_eq!(s.areas.bands, vec![5.0, 10.0, 15.0]);
        assert_eq!(s.rule_set.name, "cn-eldercare");
        let text = format!(
            "{MINIMAL}\n[siting]\nmodel = \"P-Median\"\np = 2\ngap_target = 0\ntime_limit_s = 30\n\
             [rules]\nskip = [\"public_bed_cap\"]\n"
        );
        let s = Scenario::parse(&text, Path::new("s.toml")).unwrap();
        assert_eq!(s.siting.model, ModelName::PMedian);
        assert_eq!(s.siting.p, Some(2));
        assert_eq!(s.siting.time_limit(), std::time::Duration::from_secs(30));
        assert!(!s.rule_set.rules.iter().any(|r| r.id == "public_bed_cap"));
        assert!(s.rules.skip.contains(&"public_bed_cap".to_string()));
    }

    #[test]
    fn rule_fields_are_valid_field_keys_and_typos_of_them_are_not() {
        // new_residential is read by a cn-eldercare rule, not by the loader.
        let ok = MINIMAL.replace(
            "name = \"名称\" }",
            "name = \"名称\", new_residential = \"新建\" }",
        );
        assert!(Scenario::parse(&ok, Path::new("s.toml")).is_ok());
        let typo = MINIMAL.replace(
            "name = \"名称\" }",
            "name = \"名称\", new_residental = \"新建\" }",
        );
        let e = Scenario::parse(&typo, Path::new("s.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("new_residental: did you mean new_residential?"),
            "{e}"
        );
        let e = Scenario::parse(
            &MINIMAL.replace("\"canteen\"", "\"cantene\""),
            Path::new("s.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("did you mean canteen?"), "{e}");
    }

    #[test]
    fn time_limits_above_the_maximum_are_refused_not_overflowed() {
        assert!(check_time_limit(1e300).unwrap_err().contains("1e300"));
        assert!(check_time_limit(1e19).unwrap_err().contains("maximum"));
        assert!(check_time_limit(f64::NAN).is_err());
        assert_eq!(check_time_limit(MAX_TIME_LIMIT_S), Ok(MAX_TIME_LIMIT_S));
        // The largest accepted limit fits the clock.
        let limit = SitingConfig {
            time_limit_s: MAX_TIME_LIMIT_S,
            ..SitingConfig::default()
        }
        .time_limit();
        assert!(std::time::Instant::now().checked_add(limit).is_some());
    }
}
