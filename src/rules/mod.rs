//! Planning-rule checks: rule sets written as TOML, evaluated per community, street, district
//! or facility, with a pass / fail / not-checked result and a reason in plain words for each.
//!
//! A rule file is a list of `[[rule]]` tables; `rules/cn-eldercare.toml` (the built-in set,
//! embedded in the binary) documents every key. Rules name data fields by a carecircle name
//! (`new_residential`, `service_floor_area_m2`, `nursing_beds`, `land_area_m2`, ...) that the
//! scenario maps to the layer's property in `[layers.communities] fields` or
//! `[layers.facilities] fields`; an unmapped name is looked up as a property of that name, so a
//! rule may also give the property directly. The model's own fields (`population`, `elderly`,
//! `households`, `capacity`, `floor_area`) come from the loaded values.
//!
//! A rule whose input is missing (or not a number, or not yes/no) for a subject is reported as
//! "not checked: field X missing", never as a pass.
//!
//! A rule with scope `parcel` (area_per_households, ratio) is checked for every residential
//! parcel of `[layers.parcels]`: its fields (`households`, the room-area field, a `where` flag)
//! are read from the parcel instead of a community. The parcels layer holds new residential
//! land, so a `where` flag the parcel does not carry counts as yes.
//!
//! The scenario may choose the rule set and leave rules out:
//! ```toml
//! [rules]
//! ruleset = "cn-eldercare"      # a built-in name, or a file relative to the scenario
//! skip = ["public_bed_cap"]     # rule ids not to check
//! ```
//! `carecircle rules --ruleset` overrides `ruleset`. With `--fail-on-violation`, the command
//! exits with status 3 ([`VIOLATION_EXIT_CODE`]) when any rule fails; the outputs are written
//! first.

mod eval;
mod output;
mod parse;

use std::fmt;
use std::path::Path;

pub use eval::evaluate;
pub use output::{outputs, rules_csv, rules_summary};

use crate::error::{InputError, Problem};
use crate::i18n::{self, Lang, LocalText};
use crate::io::scenario::Scenario;
use crate::model::FacilityKind;

/// The exit status of `carecircle rules --fail-on-violation` when a rule fails.
pub const VIOLATION_EXIT_CODE: u8 = 3;

/// The built-in rule sets: (name, TOML text).
const BUILTIN: [(&str, &str); 1] = [(
    "cn-eldercare",
    include_str!("../../rules/cn-eldercare.toml"),
)];

/// The names of the built-in rule sets.
pub fn builtin_names() -> Vec<&'static str> {
    BUILTIN.iter().map(|(n, _)| *n).collect()
}

/// The TOML text of a built-in rule set (for users who want to copy and edit it).
pub fn builtin_text(name: &str) -> Option<&'static str> {
    BUILTIN.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// The kinds of rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    /// A community floor area per N households (e.g. ≥ 20 m² per 100 households).
    AreaPerHouseholds,
    /// An area per person (e.g. elderly-facility land ≥ 0.2 m² per resident).
    AreaPerPerson,
    /// A facility's value (floor area, beds) within a range.
    FacilitySize,
    /// A share of communities within a walk of a facility kind.
    Coverage,
    /// At least N facilities of a kind in each unit.
    Presence,
    /// A ratio of two sums (beds per 1000 elderly, nursing-bed share, ...).
    Ratio,
}

impl RuleKind {
    pub const ALL: [RuleKind; 6] = [
        RuleKind::AreaPerHouseholds,
        RuleKind::AreaPerPerson,
        RuleKind::FacilitySize,
        RuleKind::Coverage,
        RuleKind::Presence,
        RuleKind::Ratio,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::AreaPerHouseholds => "area_per_households",
            RuleKind::AreaPerPerson => "area_per_person",
            RuleKind::FacilitySize => "facility_size",
            RuleKind::Coverage => "coverage",
            RuleKind::Presence => "presence",
            RuleKind::Ratio => "ratio",
        }
    }

    pub fn parse(s: &str) -> Option<RuleKind> {
        RuleKind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    /// "area_per_households, area_per_person, ..." for error messages.
    pub fn accepted_list() -> String {
        RuleKind::ALL.map(RuleKind::as_str).join(", ")
    }
}

impl fmt::Display for RuleKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a rule is evaluated for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// Each community (filtered by the rule's `communities` and `where`).
    Community,
    /// Each street (`Community.street`), over its communities.
    Street,
    /// The whole district.
    District,
    /// Each facility of the rule's kinds.
    Facility,
    /// Each residential parcel (`[layers.parcels]`): the rule's community-layer fields are read
    /// from the parcel, which is reported with the community and street it lies in.
    Parcel,
}

impl Scope {
    /// The scope's name in the report's words.
    pub fn word(self) -> i18n::Msg {
        match self {
            Scope::Community => i18n::SCOPE_COMMUNITY,
            Scope::Street => i18n::SCOPE_STREET,
            Scope::District => i18n::SCOPE_DISTRICT,
            Scope::Facility => i18n::SCOPE_FACILITY,
            Scope::Parcel => i18n::SCOPE_PARCEL,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Community => "community",
            Scope::Street => "street",
            Scope::District => "district",
            Scope::Facility => "facility",
            Scope::Parcel => "parcel",
        }
    }
}

/// Which communities a rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommunityFilter {
    All,
    /// Urban communities (社区): every community that is not a village.
    Urban,
    /// Administrative villages (村): a name ending in 村委会 / 村民委员会, or a mapped `kind`
    /// field saying 村 / village / rural.
    Village,
}

impl CommunityFilter {
    pub fn as_str(self) -> &'static str {
        match self {
            CommunityFilter::All => "all",
            CommunityFilter::Urban => "urban",
            CommunityFilter::Village => "village",
        }
    }
}

/// Which layer a quantity is summed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    Communities,
    Facilities,
}

impl Layer {
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Communities => "communities",
            Layer::Facilities => "facilities",
        }
    }
}

/// A sum of a field over the communities or facilities of a unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    pub layer: Layer,
    /// carecircle field name (or a property name); `count` counts facilities.
    pub field: String,
    /// Facility kinds summed (facilities only); empty means every kind.
    pub kinds: Vec<FacilityKind>,
}

/// What a rule measures.
#[derive(Debug, Clone, PartialEq)]
pub enum Measure {
    /// sum(numerator) / sum(denominator) × per.
    Ratio {
        numerator: Quantity,
        denominator: Quantity,
        per: f64,
    },
    /// A facility's own field.
    FacilityValue { field: String },
    /// Minutes to the nearest facility of the rule's kinds (community scope), or the share of
    /// communities within `limit_min` in percent (street and district scope).
    Coverage { limit_min: Option<f64> },
    /// Number of facilities of the rule's kinds located in the unit.
    Presence,
}

/// One rule, checked and ready to evaluate.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub id: String,
    /// What the rule asks, in words (both languages when the rule file gives both).
    pub title: LocalText,
    pub kind: RuleKind,
    pub scopes: Vec<Scope>,
    /// The document the rule comes from.
    pub source: LocalText,
    /// The clause in that document.
    pub clause: LocalText,
    /// Shown to the user with every result (e.g. "verify: secondary source").
    pub note: Option<LocalText>,
    pub communities: CommunityFilter,
    /// A yes/no field that must be yes for the subject (community, or facility for facility
    /// scope) to be checked, e.g. `new_residential`.
    pub where_field: Option<String>,
    /// Facility kinds the rule is about (coverage, presence, facility scope).
    pub facility_kinds: Vec<FacilityKind>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// Unit of the value for display (e.g. "m² per 100 households").
    pub unit: LocalText,
    pub measure: Measure,
}

impl Rule {
    /// The document and clause, as one text.
    pub fn source_text(&self, lang: Lang) -> String {
        let (source, clause) = (self.source.get(lang), self.clause.get(lang));
        match (source.is_empty(), clause.is_empty()) {
            (false, false) => i18n::SOURCE_CLAUSE.fill(
                lang,
                &[
                    ("source", source.to_string()),
                    ("clause", clause.to_string()),
                ],
            ),
            (false, true) => source.to_string(),
            (true, false) => clause.to_string(),
            (true, true) => i18n::NO_SOURCE.get(lang).to_string(),
        }
    }

    /// The requirement for a scope in words, e.g. "≥ 20 m² per 100 households".
    pub fn required_text(&self, scope: Scope, lang: Lang) -> String {
        let (min, max, unit) = self.bounds_for(scope);
        if let (Measure::Coverage { limit_min: None }, Scope::Community) = (&self.measure, scope) {
            return i18n::WITHIN_SCENARIO_LIMIT.get(lang).to_string();
        }
        bounds_text(min, max, unit.get(lang))
    }

    /// What a subject of a scope is called: "village" for a community scope of villages.
    pub fn subject_word(&self, scope: Scope) -> i18n::Msg {
        match (scope, self.communities) {
            (Scope::Community, CommunityFilter::Village) => i18n::SCOPE_VILLAGE,
            (Scope::Community, CommunityFilter::Urban) => i18n::SCOPE_URBAN_COMMUNITY,
            _ => scope.word(),
        }
    }

    /// The requirements of all its scopes, each named once: "street, district ≥ 100 %".
    pub fn required_summary(&self, lang: Lang) -> String {
        let mut groups: Vec<(String, Vec<&str>)> = Vec::new();
        for s in &self.scopes {
            let text = self.required_text(*s, lang);
            let name = self.subject_word(*s).get(lang);
            match groups.iter_mut().find(|(t, _)| *t == text) {
                Some((_, names)) => names.push(name),
                None => groups.push((text, vec![name])),
            }
        }
        groups
            .iter()
            .map(|(t, names)| {
                i18n::REQUIRED_FOR.fill(
                    lang,
                    &[
                        ("scopes", names.join(i18n::LIST_SEP.get(lang))),
                        ("required", t.clone()),
                    ],
                )
            })
            .collect::<Vec<_>>()
            .join(i18n::REQUIRED_SEP.get(lang))
    }

    /// (min, max, unit) that apply to a scope: a coverage rule compares minutes per community
    /// and a share in percent for streets and the district.
    pub fn bounds_for(&self, scope: Scope) -> (Option<f64>, Option<f64>, LocalText) {
        match (&self.measure, scope) {
            (Measure::Coverage { limit_min }, Scope::Community) => {
                (None, *limit_min, LocalText::of(i18n::UNIT_MIN_WALK, &[]))
            }
            (Measure::Coverage { .. }, _) => {
                (Some(self.min.unwrap_or(100.0)), None, LocalText::same("%"))
            }
            _ => (self.min, self.max, self.unit.clone()),
        }
    }
}

/// Facility kinds as a reader lists them, in both languages: "day_care or canteen" /
/// "日间照料中心或老年食堂"; "facility" when none is named.
pub(crate) fn kinds_text(kinds: &[FacilityKind]) -> LocalText {
    if kinds.is_empty() {
        return LocalText::of(i18n::ANY_FACILITY, &[]);
    }
    let zh: Vec<String> = kinds.iter().map(|k| k.chinese().to_string()).collect();
    let en: Vec<String> = kinds.iter().map(|k| k.as_str().to_string()).collect();
    LocalText::new(i18n::or_list(Lang::Zh, &zh), i18n::or_list(Lang::En, &en))
}

/// "≥ 20 m²", "≤ 300 beds", "350–750 m²".
pub(crate) fn bounds_text(min: Option<f64>, max: Option<f64>, unit: &str) -> String {
    let u = if unit.is_empty() {
        String::new()
    } else {
        format!(" {unit}")
    };
    match (min, max) {
        (Some(a), Some(b)) => format!("{}–{}{u}", num(a), num(b)),
        (Some(a), None) => format!("≥ {}{u}", num(a)),
        (None, Some(b)) => format!("≤ {}{u}", num(b)),
        (None, None) => "–".into(),
    }
}

/// A number for people: at most 2 decimals, no trailing zeros.
pub(crate) fn num(x: f64) -> String {
    num_dp(x, 2)
}

pub(crate) fn num_dp(x: f64, dp: usize) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    let s = format!("{x:.dp$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

/// A value shown next to a bound it must not seem equal to: more decimals until they differ.
pub(crate) fn num_near(x: f64, bound: f64) -> String {
    for dp in 2..=6 {
        let s = num_dp(x, dp);
        if s != num_dp(bound, dp) || (x - bound).abs() < 1e-12 {
            return s;
        }
    }
    num_dp(x, 6)
}

/// A rule set: a name, where it came from and its rules in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSet {
    pub name: String,
    pub title: LocalText,
    /// `builtin:cn-eldercare` or the file's path.
    pub origin: String,
    pub rules: Vec<Rule>,
}

impl RuleSet {
    /// A built-in rule set by name.
    pub fn builtin(name: &str) -> Result<RuleSet, InputError> {
        match builtin_text(name) {
            Some(text) => RuleSet::from_toml(text, Path::new(&format!("builtin:{name}"))),
            None => Err(InputError::file(
                Path::new(name),
                Problem::Other(format!(
                    "no such rule file, and not a built-in rule set; built-in sets are {}",
                    builtin_names().join(", ")
                )),
            )),
        }
    }

    /// Parses rule-set text; `path` names the file in errors (with line and column).
    pub fn from_toml(text: &str, path: &Path) -> Result<RuleSet, InputError> {
        parse::parse(text, path)
    }

    /// Reads a rule file.
    pub fn load(path: &Path) -> Result<RuleSet, InputError> {
        let text = crate::io::read_input_text(path, crate::io::input_limits())?;
        RuleSet::from_toml(&text, path)
    }

    /// A built-in name, or a rule file (relative paths against `base`, else as given).
    pub fn resolve(spec: &str, base: &Path) -> Result<RuleSet, InputError> {
        let spec = spec.trim();
        let looks_like_file = spec.ends_with(".toml") || spec.contains(['/', '\\']);
        if !looks_like_file && builtin_text(spec).is_some() {
            return RuleSet::builtin(spec);
        }
        let here = base.as_os_str().is_empty() || base == Path::new(".");
        let joined = if here {
            Path::new(spec).to_path_buf()
        } else {
            base.join(spec)
        };
        let candidates = [joined, Path::new(spec).to_path_buf()];
        match candidates.iter().find(|p| p.is_file()) {
            Some(p) => RuleSet::load(p),
            None if looks_like_file => RuleSet::load(&candidates[0]),
            None => RuleSet::builtin(spec),
        }
    }

    /// The rule set a scenario asks for: `spec` when given (the command line), else the set
    /// read with the scenario (`[rules] ruleset`, else `cn-eldercare`); without the scenario's
    /// `skip` rules.
    pub fn for_scenario(scenario: &Scenario, spec: Option<&str>) -> Result<RuleSet, InputError> {
        match spec {
            None => Ok(scenario.rule_set.clone()),
            // A path on the command line is relative to the working directory.
            Some(s) => crate::io::scenario::without_skipped(
                RuleSet::resolve(s, Path::new("."))?,
                &scenario.rules.skip,
            )
            .map_err(|e| InputError::file(&scenario.path, Problem::Scenario(e))),
        }
    }

    /// The rules in words, for `carecircle rules --list` (its frame words are English, as
    /// the command line's are; the rules' own texts in `lang`).
    pub fn listing(&self, lang: Lang) -> String {
        let mut lines = vec![format!(
            "{} — {} ({})",
            self.name,
            self.title.get(lang),
            self.origin
        )];
        for r in &self.rules {
            lines.push(String::new());
            lines.push(format!("{}  [{}]  {}", r.id, r.kind, r.title.get(lang)));
            lines.push(format!("    required: {}", r.required_summary(lang)));
            let mut applies = Vec::new();
            if r.communities != CommunityFilter::All {
                applies.push(
                    match r.communities {
                        CommunityFilter::Village => "villages",
                        _ => "urban communities",
                    }
                    .to_string(),
                );
            }
            if let Some(w) = &r.where_field {
                applies.push(format!("where {w} = yes"));
            }
            if !r.facility_kinds.is_empty() {
                applies.push(format!(
                    "facility kinds {}",
                    r.facility_kinds
                        .iter()
                        .map(|k| k.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            if !applies.is_empty() {
                lines.push(format!("    applies to: {}", applies.join("; ")));
            }
            lines.push(format!("    source: {}", r.source_text(lang)));
            if let Some(n) = &r.note {
                lines.push(format!("    note: {}", n.get(lang)));
            }
        }
        lines.join("\n")
    }
}

/// The outcome of one rule for one subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Pass,
    Fail,
    /// An input was missing or unreadable: never counted as a pass.
    NotChecked,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::NotChecked => "not checked",
        }
    }
}

/// One rule checked for one subject (a community, street, the district or a facility).
#[derive(Debug, Clone, PartialEq)]
pub struct RuleResult {
    /// Index into `RuleSet::rules`.
    pub rule: usize,
    pub rule_id: String,
    pub scope: Scope,
    pub subject_id: String,
    pub subject_name: String,
    /// The street of a community or facility subject (the street itself for a street).
    pub street: String,
    pub value: Option<f64>,
    pub unit: String,
    pub required: String,
    pub status: Status,
    /// Plain words: the numbers, the comparison, and what is short.
    pub reason: String,
}

/// Totals of a run of rules, for the terminal and the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    pub pass: usize,
    pub fail: usize,
    pub not_checked: usize,
}

impl Tally {
    pub fn of(results: &[RuleResult]) -> Tally {
        let mut t = Tally::default();
        for r in results {
            match r.status {
                Status::Pass => t.pass += 1,
                Status::Fail => t.fail += 1,
                Status::NotChecked => t.not_checked += 1,
            }
        }
        t
    }
}
