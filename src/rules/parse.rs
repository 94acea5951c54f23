//! Reading rule files: TOML into checked [`Rule`]s, with errors that give the line and column.

use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::{CommunityFilter, Layer, Measure, Quantity, Rule, RuleKind, RuleSet, Scope};
use crate::error::{InputError, Problem};
use crate::i18n::{self, LocalText};
use crate::model::FacilityKind;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    name: Option<String>,
    title: Option<RawText>,
    #[allow(dead_code)]
    description: Option<String>,
    #[serde(default)]
    rule: Vec<Spanned<RawRule>>,
}

/// A text in one language for both, or `{ zh = "...", en = "..." }`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawText {
    One(String),
    Both(BothLanguages),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BothLanguages {
    zh: String,
    en: String,
}

impl RawText {
    /// The text, trimmed; `None` when empty in both languages.
    fn local(self) -> Option<LocalText> {
        let t = match self {
            RawText::One(s) => LocalText::same(s.trim()),
            RawText::Both(b) => {
                let (zh, en) = (b.zh.trim(), b.en.trim());
                // One language left empty reads as the other.
                match (zh.is_empty(), en.is_empty()) {
                    (true, false) => LocalText::same(en),
                    (false, true) => LocalText::same(zh),
                    _ => LocalText::new(zh, en),
                }
            }
        };
        (!t.is_empty()).then_some(t)
    }
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn items(&self) -> Vec<&str> {
        match self {
            OneOrMany::One(s) => vec![s.as_str()],
            OneOrMany::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Spanned<String>,
    title: Option<RawText>,
    kind: Spanned<String>,
    scope: Option<Spanned<OneOrMany>>,
    source: Option<RawText>,
    clause: Option<RawText>,
    note: Option<RawText>,
    communities: Option<Spanned<String>>,
    #[serde(rename = "where")]
    where_field: Option<Spanned<String>>,
    facility_kinds: Option<Spanned<OneOrMany>>,
    field: Option<Spanned<String>>,
    layer: Option<Spanned<String>>,
    people: Option<Spanned<String>>,
    per: Option<Spanned<f64>>,
    min: Option<Spanned<f64>>,
    max: Option<Spanned<f64>>,
    limit_min: Option<Spanned<f64>>,
    numerator: Option<Spanned<RawQuantity>>,
    denominator: Option<Spanned<RawQuantity>>,
    unit: Option<RawText>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuantity {
    layer: Option<Spanned<String>>,
    field: Spanned<String>,
    facility_kinds: Option<Spanned<OneOrMany>>,
}

/// "line L, column C" of a byte offset (columns count characters, from 1).
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|s| s.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

struct Ctx<'a> {
    text: &'a str,
    path: &'a Path,
}

impl Ctx<'_> {
    fn err(&self, span: Range<usize>, msg: impl AsRef<str>) -> InputError {
        let (line, col) = line_col(self.text, span.start);
        InputError::file(
            self.path,
            Problem::Other(format!("line {line}, column {col}: {}", msg.as_ref())),
        )
    }
}

pub(crate) fn parse(text: &str, path: &Path) -> Result<RuleSet, InputError> {
    let ctx = Ctx { text, path };
    let file: RuleFile = toml::from_str(text).map_err(|e| match e.span() {
        Some(span) => ctx.err(
            span,
            format!("not a valid rule file: {}", e.message().trim()),
        ),
        None => InputError::file(
            path,
            Problem::Other(format!("not a valid rule file: {}", e.message().trim())),
        ),
    })?;
    let mut rules: Vec<Rule> = Vec::new();
    for raw in file.rule {
        let span = raw.span();
        let rule = rule(&ctx, raw.into_inner(), span)?;
        if rules.iter().any(|r| r.id == rule.id) {
            return Err(ctx.err(
                0..0,
                format!("rule id \"{}\" is used twice; ids must be unique", rule.id),
            ));
        }
        rules.push(rule);
    }
    let name = file.name.unwrap_or_else(|| {
        path.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    Ok(RuleSet {
        title: file
            .title
            .and_then(RawText::local)
            .unwrap_or_else(|| LocalText::same(name.clone())),
        name,
        origin: path.display().to_string(),
        rules,
    })
}

fn facility_kinds(ctx: &Ctx, v: &Spanned<OneOrMany>) -> Result<Vec<FacilityKind>, InputError> {
    let mut out = Vec::new();
    for s in v.get_ref().items() {
        let k = FacilityKind::parse(s).ok_or_else(|| {
            ctx.err(
                v.span(),
                format!(
                    "\"{s}\" is not a facility kind; accepted kinds are {}",
                    FacilityKind::accepted_list()
                ),
            )
        })?;
        if !out.contains(&k) {
            out.push(k);
        }
    }
    Ok(out)
}

fn finite(ctx: &Ctx, v: &Option<Spanned<f64>>, key: &str) -> Result<Option<f64>, InputError> {
    match v {
        None => Ok(None),
        Some(s) if s.get_ref().is_finite() => Ok(Some(*s.get_ref())),
        Some(s) => Err(ctx.err(s.span(), format!("{key} must be a finite number"))),
    }
}

fn rule(ctx: &Ctx, r: RawRule, span: Range<usize>) -> Result<Rule, InputError> {
    let id = r.id.get_ref().trim().to_string();
    if id.is_empty() {
        return Err(ctx.err(r.id.span(), "rule id is empty"));
    }
    let at = |s: Range<usize>, msg: String| ctx.err(s, format!("rule \"{id}\": {msg}"));
    let kind = RuleKind::parse(r.kind.get_ref()).ok_or_else(|| {
        at(
            r.kind.span(),
            format!(
                "unknown rule kind \"{}\"; accepted kinds are {}",
                r.kind.get_ref(),
                RuleKind::accepted_list()
            ),
        )
    })?;

    // Keys that mean nothing for this kind are mistakes worth telling.
    let allowed: &[&str] = match kind {
        RuleKind::AreaPerHouseholds => &["field", "per", "min", "max"],
        RuleKind::AreaPerPerson => &[
            "field",
            "layer",
            "people",
            "per",
            "min",
            "max",
            "facility_kinds",
        ],
        RuleKind::FacilitySize => &["field", "min", "max", "facility_kinds"],
        RuleKind::Coverage => &["facility_kinds", "limit_min", "min"],
        RuleKind::Presence => &["facility_kinds", "min", "max"],
        RuleKind::Ratio => &[
            "numerator",
            "denominator",
            "per",
            "min",
            "max",
            "facility_kinds",
        ],
    };
    let given: [(&str, Option<Range<usize>>); 10] = [
        ("field", r.field.as_ref().map(|v| v.span())),
        ("layer", r.layer.as_ref().map(|v| v.span())),
        ("people", r.people.as_ref().map(|v| v.span())),
        ("per", r.per.as_ref().map(|v| v.span())),
        ("min", r.min.as_ref().map(|v| v.span())),
        ("max", r.max.as_ref().map(|v| v.span())),
        ("limit_min", r.limit_min.as_ref().map(|v| v.span())),
        ("numerator", r.numerator.as_ref().map(|v| v.span())),
        ("denominator", r.denominator.as_ref().map(|v| v.span())),
        (
            "facility_kinds",
            r.facility_kinds.as_ref().map(|v| v.span()),
        ),
    ];
    for (key, s) in given {
        if let Some(s) = s {
            if !allowed.contains(&key) {
                return Err(at(
                    s,
                    format!(
                        "`{key}` does not apply to a {kind} rule; its keys are {}",
                        allowed.join(", ")
                    ),
                ));
            }
        }
    }

    // Scopes, with the shorthands `urban_community` and `village`.
    let (allowed_scopes, default_scope): (&[Scope], Scope) = match kind {
        RuleKind::FacilitySize => (&[Scope::Facility], Scope::Facility),
        RuleKind::Presence => (
            &[Scope::Community, Scope::Street, Scope::District],
            Scope::Street,
        ),
        RuleKind::AreaPerPerson => (
            &[Scope::Community, Scope::Street, Scope::District],
            Scope::District,
        ),
        RuleKind::AreaPerHouseholds => (
            &[
                Scope::Community,
                Scope::Street,
                Scope::District,
                Scope::Parcel,
            ],
            Scope::Community,
        ),
        RuleKind::Coverage => (
            &[Scope::Community, Scope::Street, Scope::District],
            Scope::Community,
        ),
        RuleKind::Ratio => (
            &[
                Scope::Community,
                Scope::Street,
                Scope::District,
                Scope::Facility,
                Scope::Parcel,
            ],
            Scope::District,
        ),
    };
    let mut scopes = Vec::new();
    let mut filter_from_scope: Option<CommunityFilter> = None;
    if let Some(s) = &r.scope {
        for name in s.get_ref().items() {
            let (scope, filter) = match name.trim() {
                "community" => (Scope::Community, None),
                "urban_community" => (Scope::Community, Some(CommunityFilter::Urban)),
                "village" => (Scope::Community, Some(CommunityFilter::Village)),
                "street" => (Scope::Street, None),
                "district" => (Scope::District, None),
                "facility" => (Scope::Facility, None),
                "parcel" => (Scope::Parcel, None),
                other => {
                    return Err(at(
                        s.span(),
                        format!(
                            "unknown scope \"{other}\"; accepted scopes are community, \
                             urban_community, village, street, district, facility, parcel"
                        ),
                    ))
                }
            };
            if !allowed_scopes.contains(&scope) {
                return Err(at(
                    s.span(),
                    format!(
                        "a {kind} rule cannot have scope \"{name}\"; it can be {}",
                        allowed_scopes
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
            if let Some(f) = filter {
                if filter_from_scope.is_some_and(|g| g != f) {
                    return Err(at(
                        s.span(),
                        "scopes urban_community and village conflict; write two rules".into(),
                    ));
                }
                filter_from_scope = Some(f);
            }
            if !scopes.contains(&scope) {
                scopes.push(scope);
            }
        }
        if scopes.is_empty() {
            return Err(at(s.span(), "scope is an empty list".into()));
        }
    } else {
        scopes.push(default_scope);
    }

    let mut communities = filter_from_scope.unwrap_or(CommunityFilter::All);
    if let Some(c) = &r.communities {
        let f = match c.get_ref().trim() {
            "all" => CommunityFilter::All,
            "urban" => CommunityFilter::Urban,
            "village" => CommunityFilter::Village,
            other => {
                return Err(at(
                    c.span(),
                    format!("communities = \"{other}\" is not known; use all, urban or village"),
                ))
            }
        };
        if filter_from_scope.is_some_and(|g| g != f) {
            return Err(at(
                c.span(),
                "communities conflicts with the scope's urban_community / village".into(),
            ));
        }
        if scopes == [Scope::Facility] {
            return Err(at(
                c.span(),
                "communities does not apply to a rule checked per facility".into(),
            ));
        }
        communities = f;
    }

    let kinds = match &r.facility_kinds {
        Some(v) => facility_kinds(ctx, v)?,
        None => Vec::new(),
    };
    let needs_kinds = matches!(
        kind,
        RuleKind::FacilitySize | RuleKind::Coverage | RuleKind::Presence
    ) || scopes.contains(&Scope::Facility);
    if needs_kinds && kinds.is_empty() {
        return Err(at(
            span.clone(),
            format!(
                "facility_kinds is required (one or more of {})",
                FacilityKind::accepted_list()
            ),
        ));
    }

    let min = finite(ctx, &r.min, "min")?;
    let max = finite(ctx, &r.max, "max")?;
    let per = finite(ctx, &r.per, "per")?;
    let limit_min = finite(ctx, &r.limit_min, "limit_min")?;
    if let (Some(a), Some(b)) = (min, max) {
        if a > b {
            return Err(at(
                r.min.as_ref().map(|v| v.span()).unwrap_or(span.clone()),
                format!("min {a} is greater than max {b}"),
            ));
        }
    }
    if let (Some(p), Some(s)) = (per, &r.per) {
        if p <= 0.0 {
            return Err(at(s.span(), format!("per = {p} must be more than 0")));
        }
    }
    if let (Some(l), Some(s)) = (limit_min, &r.limit_min) {
        if l <= 0.0 {
            return Err(at(s.span(), format!("limit_min = {l} must be more than 0")));
        }
    }
    let needs_bound = !matches!(kind, RuleKind::Coverage | RuleKind::Presence);
    if needs_bound && min.is_none() && max.is_none() {
        return Err(at(
            span.clone(),
            "give min, max or both: the value the rule requires".into(),
        ));
    }
    if kind == RuleKind::Coverage {
        if let (Some(m), Some(s)) = (min, &r.min) {
            if !(0.0..=100.0).contains(&m) {
                return Err(at(
                    s.span(),
                    format!("min = {m} is the share of communities covered in percent: 0 to 100"),
                ));
            }
        }
    }
    let field = |what: &str| -> Result<String, InputError> {
        match &r.field {
            Some(f) if !f.get_ref().trim().is_empty() => Ok(f.get_ref().trim().to_string()),
            Some(f) => Err(at(f.span(), "field is empty".into())),
            None => Err(at(span.clone(), format!("field is required ({what})"))),
        }
    };
    let facility_only = scopes == [Scope::Facility];
    let quantity = |q: &Spanned<RawQuantity>, key: &str| -> Result<Quantity, InputError> {
        let raw = q.get_ref();
        let kinds = match &raw.facility_kinds {
            Some(v) => facility_kinds(ctx, v)?,
            None => Vec::new(),
        };
        let layer = match raw.layer.as_ref().map(|l| (l.get_ref().trim(), l.span())) {
            Some(("communities", _)) => Layer::Communities,
            Some(("facilities", _)) => Layer::Facilities,
            Some((other, s)) => {
                return Err(at(
                    s,
                    format!(
                        "{key}.layer = \"{other}\" is not known; use communities or facilities"
                    ),
                ))
            }
            None if facility_only || !kinds.is_empty() => Layer::Facilities,
            None => Layer::Communities,
        };
        if layer == Layer::Communities && !kinds.is_empty() {
            return Err(at(
                q.span(),
                format!("{key}.facility_kinds needs layer = \"facilities\""),
            ));
        }
        if facility_only && layer != Layer::Facilities {
            return Err(at(
                q.span(),
                format!("{key}: a rule checked per facility sums facility fields only"),
            ));
        }
        let field = raw.field.get_ref().trim().to_string();
        if field.is_empty() {
            return Err(at(raw.field.span(), format!("{key}.field is empty")));
        }
        Ok(Quantity {
            layer,
            field,
            kinds,
        })
    };

    let (measure, default_unit) = match kind {
        RuleKind::AreaPerHouseholds => {
            let per = per.unwrap_or(100.0);
            (
                Measure::Ratio {
                    numerator: Quantity {
                        layer: Layer::Communities,
                        field: field("the floor-area field of the communities")?,
                        kinds: Vec::new(),
                    },
                    denominator: Quantity {
                        layer: Layer::Communities,
                        field: "households".into(),
                        kinds: Vec::new(),
                    },
                    per,
                },
                LocalText::of(i18n::UNIT_M2_PER_HOUSEHOLDS, &[("per", super::num(per))]),
            )
        }
        RuleKind::AreaPerPerson => {
            let per = per.unwrap_or(1.0);
            let layer = match r.layer.as_ref().map(|l| (l.get_ref().trim(), l.span())) {
                None | Some(("facilities", _)) => Layer::Facilities,
                Some(("communities", _)) => Layer::Communities,
                Some((other, s)) => {
                    return Err(at(
                        s,
                        format!("layer = \"{other}\" is not known; use facilities or communities"),
                    ))
                }
            };
            if layer == Layer::Communities && !kinds.is_empty() {
                return Err(at(
                    span.clone(),
                    "facility_kinds needs layer = \"facilities\"".into(),
                ));
            }
            let people = match r.people.as_ref().map(|p| (p.get_ref().trim(), p.span())) {
                None | Some(("population", _)) => "population",
                Some(("elderly", _)) => "elderly",
                Some((other, s)) => {
                    return Err(at(
                        s,
                        format!("people = \"{other}\" is not known; use population or elderly"),
                    ))
                }
            };
            let unit = match (per == 1.0, people == "elderly") {
                (true, true) => LocalText::of(i18n::UNIT_M2_PER_ELDERLY, &[]),
                (true, false) => LocalText::of(i18n::UNIT_M2_PER_RESIDENT, &[]),
                (false, true) => LocalText::of(
                    i18n::UNIT_M2_PER_ELDERLY_PEOPLE,
                    &[("per", super::num(per))],
                ),
                (false, false) => {
                    LocalText::of(i18n::UNIT_M2_PER_RESIDENTS, &[("per", super::num(per))])
                }
            };
            (
                Measure::Ratio {
                    numerator: Quantity {
                        layer,
                        field: field("the area field")?,
                        kinds: kinds.clone(),
                    },
                    denominator: Quantity {
                        layer: Layer::Communities,
                        field: people.into(),
                        kinds: Vec::new(),
                    },
                    per,
                },
                unit,
            )
        }
        RuleKind::FacilitySize => {
            let f = r
                .field
                .as_ref()
                .map(|f| f.get_ref().trim().to_string())
                .unwrap_or_else(|| "floor_area".into());
            let unit = match f.as_str() {
                "floor_area" | "floor_area_m2" => LocalText::of(i18n::UNIT_M2, &[]),
                "capacity" => LocalText::of(i18n::UNIT_BEDS, &[]),
                _ => LocalText::default(),
            };
            (Measure::FacilityValue { field: f }, unit)
        }
        RuleKind::Coverage => (Measure::Coverage { limit_min }, LocalText::same("%")),
        RuleKind::Presence => (Measure::Presence, super::kinds_text(&kinds)),
        RuleKind::Ratio => {
            let n = r.numerator.as_ref().ok_or_else(|| {
                at(
                    span.clone(),
                    "numerator = { layer, field } is required".into(),
                )
            })?;
            let d = r.denominator.as_ref().ok_or_else(|| {
                at(
                    span.clone(),
                    "denominator = { layer, field } is required".into(),
                )
            })?;
            let per = per.unwrap_or(1.0);
            let unit = if per == 1.0 {
                LocalText::default()
            } else {
                LocalText::of(i18n::UNIT_PER, &[("per", super::num(per))])
            };
            (
                Measure::Ratio {
                    numerator: quantity(n, "numerator")?,
                    denominator: quantity(d, "denominator")?,
                    per,
                },
                unit,
            )
        }
    };
    // A parcel is measured by its own fields; it holds no facilities to sum.
    if let Measure::Ratio {
        numerator,
        denominator,
        ..
    } = &measure
    {
        if scopes.contains(&Scope::Parcel)
            && [numerator, denominator]
                .iter()
                .any(|q| q.layer == Layer::Facilities)
        {
            return Err(at(
                span.clone(),
                "a rule checked per parcel reads the parcel's own fields; its numerator and \
                 denominator must be community-layer fields (layer = \"communities\")"
                    .into(),
            ));
        }
    }
    let (min, max) = match kind {
        RuleKind::Presence if min.is_none() => (Some(1.0), max),
        _ => (min, max),
    };
    let local = |t: Option<RawText>| t.and_then(RawText::local);
    Ok(Rule {
        title: local(r.title).unwrap_or_else(|| LocalText::same(id.clone())),
        id,
        kind,
        scopes,
        source: local(r.source).unwrap_or_default(),
        clause: local(r.clause).unwrap_or_default(),
        note: local(r.note),
        communities,
        where_field: r
            .where_field
            .map(|w| w.into_inner().trim().to_string())
            .filter(|w| !w.is_empty()),
        facility_kinds: kinds,
        min,
        max,
        unit: local(r.unit).unwrap_or(default_unit),
        measure,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let text = "a = 1\n名称 = x\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 6), (2, 1));
        // "名称 = " is 2 characters (6 bytes) and 3 more.
        assert_eq!(line_col(text, 6 + 6 + 3), (2, 6));
    }
}
