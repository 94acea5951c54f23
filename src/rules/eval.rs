//! Evaluating a rule set on a study and its coverage audit.

use std::collections::BTreeMap;

use geo::{BoundingRect, Contains};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};
use serde_json::Value;

use super::{
    bounds_text, num, num_near, CommunityFilter, Layer, Measure, Quantity, Rule, RuleResult,
    RuleSet, Scope, Status,
};
use crate::coverage::{Audit, WITHIN_EPS};
use crate::io::scenario::LayerSpec;
use crate::model::FacilityKind;
use crate::study::Study;

/// Evaluates every rule for every subject its scopes name, in rule order; subjects in data
/// order (communities as loaded, streets by name, facilities by id), the district last.
pub fn evaluate(study: &Study, audit: &Audit, set: &RuleSet) -> Vec<RuleResult> {
    let data = Data::new(study, audit);
    let mut out = Vec::new();
    for (i, rule) in set.rules.iter().enumerate() {
        let mut rule = rule.clone();
        if let Measure::Coverage { limit_min } = &mut rule.measure {
            if limit_min.is_none() {
                *limit_min = Some(match rule.facility_kinds.as_slice() {
                    [k] => study.scenario.limit_for(*k),
                    _ => study.scenario.travel.limit_min,
                });
            }
        }
        let before = out.len();
        for &scope in &rule.scopes {
            data.evaluate_scope(i, &rule, scope, &mut out);
        }
        if out.len() == before {
            let scope = rule.scopes.first().copied().unwrap_or(Scope::District);
            out.push(RuleResult {
                rule: i,
                rule_id: rule.id.clone(),
                scope,
                subject_id: "–".into(),
                subject_name: "–".into(),
                street: String::new(),
                value: None,
                unit: rule.bounds_for(scope).2,
                required: rule.required_text(scope),
                status: Status::NotChecked,
                reason: format!("no subject to check: {}", data.nobody(&rule, scope)),
            });
        }
    }
    out
}

/// What keeps one input from being read: "field X missing", "field X is \"abc\", not a number".
type Gap = String;

/// Does a rule apply to a subject?
enum Applies {
    Yes,
    No,
    Unknown(Gap),
}

struct Data<'a> {
    study: &'a Study,
    audit: &'a Audit,
    village: Vec<bool>,
    /// Per facility: the community it lies in (a mapped `community` id field, else the
    /// polygon containing it, else the community with the nearest representative point).
    facility_community: Vec<Option<usize>>,
    /// Street name → its communities, in data order.
    streets: BTreeMap<String, Vec<usize>>,
}

impl<'a> Data<'a> {
    fn new(study: &'a Study, audit: &'a Audit) -> Data<'a> {
        let coms = &study.layers.communities;
        // Villages as the targets see them (`community_type`): a mapped `kind` field, the NBS
        // urban-rural code, else the committee's name.
        let village = study
            .community_types
            .iter()
            .map(|&t| t == crate::community_type::CommunityType::Village)
            .collect();
        let mut streets: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, c) in coms.iter().enumerate() {
            streets.entry(c.street.clone()).or_default().push(i);
        }
        Data {
            study,
            audit,
            village,
            facility_community: locate_facilities(study),
            streets,
        }
    }

    fn facility_street(&self, f: usize) -> &str {
        self.facility_community[f]
            .map(|c| self.study.layers.communities[c].street.as_str())
            .unwrap_or("")
    }

    fn evaluate_scope(&self, i: usize, rule: &Rule, scope: Scope, out: &mut Vec<RuleResult>) {
        let study = self.study;
        let coms = &study.layers.communities;
        let facs = &study.layers.facilities;
        let (_, _, unit) = rule.bounds_for(scope);
        let required = rule.required_text(scope);
        let result = |subject_id: &str, name: &str, street: &str, o: Outcome| RuleResult {
            rule: i,
            rule_id: rule.id.clone(),
            scope,
            subject_id: subject_id.to_string(),
            subject_name: name.to_string(),
            street: street.to_string(),
            value: o.value,
            unit: unit.clone(),
            required: required.clone(),
            status: o.status,
            reason: o.reason,
        };
        match scope {
            Scope::Community => {
                for (c, com) in coms.iter().enumerate() {
                    let o = match self.community_applies(rule, c) {
                        Applies::No => continue,
                        Applies::Unknown(gap) => Outcome::not_checked(&[(gap, None)]),
                        Applies::Yes => {
                            let fs: Vec<usize> = (0..facs.len())
                                .filter(|&f| self.facility_community[f] == Some(c))
                                .collect();
                            self.measure(rule, scope, &[c], &fs, "community")
                        }
                    };
                    out.push(result(&com.id, &com.name, &com.street, o));
                }
            }
            Scope::Street => {
                for (street, members) in &self.streets {
                    let fs: Vec<usize> = (0..facs.len())
                        .filter(|&f| self.facility_street(f) == street)
                        .collect();
                    if let Some(o) = self.unit_outcome(rule, scope, members, &fs, "street") {
                        out.push(result(street, street, street, o));
                    }
                }
            }
            Scope::District => {
                let all: Vec<usize> = (0..coms.len()).collect();
                let fs: Vec<usize> = (0..facs.len()).collect();
                if let Some(o) = self.unit_outcome(rule, scope, &all, &fs, "district") {
                    out.push(result("district", &study.scenario.name, "", o));
                }
            }
            Scope::Facility => {
                for (f, fac) in facs.iter().enumerate() {
                    if !rule.facility_kinds.contains(&fac.kind) {
                        continue;
                    }
                    let o = match self.facility_applies(rule, f) {
                        Applies::No => continue,
                        Applies::Unknown(gap) => Outcome::not_checked(&[(gap, None)]),
                        Applies::Yes => self.measure(rule, scope, &[], &[f], "facility"),
                    };
                    out.push(result(&fac.id, &fac.name, self.facility_street(f), o));
                }
            }
        }
    }

    /// A street or the district: the communities the rule applies to; not checked when that
    /// cannot be told for some; `None` when it applies to none.
    fn unit_outcome(
        &self,
        rule: &Rule,
        scope: Scope,
        members: &[usize],
        facilities: &[usize],
        word: &str,
    ) -> Option<Outcome> {
        let mut applies = Vec::new();
        let mut gaps = Vec::new();
        for &c in members {
            match self.community_applies(rule, c) {
                Applies::Yes => applies.push(c),
                Applies::No => {}
                Applies::Unknown(gap) => {
                    gaps.push((gap, Some(self.study.layers.communities[c].id.clone())))
                }
            }
        }
        if !gaps.is_empty() {
            return Some(Outcome::not_checked(&gaps));
        }
        if applies.is_empty() {
            return None;
        }
        Some(self.measure(rule, scope, &applies, facilities, word))
    }

    fn community_applies(&self, rule: &Rule, c: usize) -> Applies {
        match rule.communities {
            CommunityFilter::Urban if self.village[c] => return Applies::No,
            CommunityFilter::Village if !self.village[c] => return Applies::No,
            _ => {}
        }
        let Some(w) = &rule.where_field else {
            return Applies::Yes;
        };
        let spec = &self.study.scenario.communities;
        let raw = self.study.layers.communities[c].extra.get(spec.field(w));
        flag_applies(raw, &label(spec, w))
    }

    fn facility_applies(&self, rule: &Rule, f: usize) -> Applies {
        let Some(w) = &rule.where_field else {
            return Applies::Yes;
        };
        let spec = &self.study.scenario.facilities;
        let raw = self.study.layers.facilities[f].extra.get(spec.field(w));
        flag_applies(raw, &label(spec, w))
    }

    fn measure(
        &self,
        rule: &Rule,
        scope: Scope,
        communities: &[usize],
        facilities: &[usize],
        word: &str,
    ) -> Outcome {
        let (min, max, unit) = rule.bounds_for(scope);
        match &rule.measure {
            Measure::Ratio {
                numerator,
                denominator,
                per,
            } => {
                let n = self.sum(numerator, communities, facilities, scope);
                let d = self.sum(denominator, communities, facilities, scope);
                let (n, d) = match (n, d) {
                    (Ok(n), Ok(d)) => (n, d),
                    (n, d) => {
                        let mut gaps = n.err().unwrap_or_default();
                        gaps.extend(d.err().unwrap_or_default());
                        return Outcome::not_checked(&gaps);
                    }
                };
                let nl = self.quantity_label(numerator);
                let dl = self.quantity_label(denominator);
                if d <= 0.0 {
                    return Outcome {
                        value: None,
                        status: Status::NotChecked,
                        reason: format!(
                            "not checked: {dl} is {}, so the ratio is undefined",
                            num(d)
                        ),
                    };
                }
                let value = n / d * per;
                let calc = format!(
                    "{nl} {} over {dl} {} gives {} {unit}",
                    num(n),
                    num(d),
                    shown(value, min, max)
                );
                let (status, verdict) = verdict(value, min, max, &unit);
                let fix = match status {
                    Status::Fail => match (min, max) {
                        (Some(m), _) if value < m => {
                            format!("; {} more {nl} would meet it", num(m * d / per - n))
                        }
                        (_, Some(m)) => {
                            format!("; {} less {nl} would meet it", num(n - m * d / per))
                        }
                        _ => String::new(),
                    },
                    _ => String::new(),
                };
                Outcome {
                    value: Some(value),
                    status,
                    reason: format!("{calc}, {verdict}{fix}"),
                }
            }
            Measure::FacilityValue { field } => {
                let Some(&f) = facilities.first() else {
                    return Outcome::not_checked(&[]);
                };
                let spec = &self.study.scenario.facilities;
                match self.facility_number(f, field) {
                    Err(gap) => Outcome::not_checked(&[(gap, None)]),
                    Ok(v) => {
                        let (status, verdict) = verdict(v, min, max, &unit);
                        let fix = match status {
                            Status::Fail => match (min, max) {
                                (Some(m), _) if v < m => format!("; {} short", num(m - v)),
                                (_, Some(m)) => format!("; {} over", num(v - m)),
                                _ => String::new(),
                            },
                            _ => String::new(),
                        };
                        Outcome {
                            value: Some(v),
                            status,
                            reason: format!(
                                "{} is {} {unit}, {verdict}{fix}",
                                label_model(spec, field),
                                shown(v, min, max)
                            ),
                        }
                    }
                }
            }
            Measure::Coverage { limit_min } => {
                let limit = limit_min.unwrap_or(self.study.scenario.travel.limit_min);
                let kinds = kinds_text(&rule.facility_kinds);
                if scope == Scope::Community {
                    let c = communities[0];
                    match self.nearest(&rule.facility_kinds, c) {
                        None => {
                            let any = self
                                .study
                                .layers
                                .facilities
                                .iter()
                                .any(|f| rule.facility_kinds.contains(&f.kind));
                            let why = if any {
                                "can be reached over the road network"
                            } else {
                                "is in the data"
                            };
                            Outcome {
                                value: None,
                                status: Status::Fail,
                                reason: format!(
                                    "no {kinds} {why}; required within {} min",
                                    num(limit)
                                ),
                            }
                        }
                        Some((f, minutes)) => {
                            let ok = minutes <= limit + WITHIN_EPS;
                            let fac = &self.study.layers.facilities[f];
                            Outcome {
                                value: Some(minutes),
                                status: if ok { Status::Pass } else { Status::Fail },
                                reason: format!(
                                    "nearest {} {} ({}) is {} min away, {} {} min",
                                    fac.kind.as_str(),
                                    fac.name,
                                    fac.id,
                                    shown(minutes, None, Some(limit)),
                                    if ok { "within" } else { "beyond" },
                                    num(limit)
                                ),
                            }
                        }
                    }
                } else {
                    let uncovered: Vec<usize> = communities
                        .iter()
                        .copied()
                        .filter(|&c| {
                            self.nearest(&rule.facility_kinds, c)
                                .is_none_or(|(_, m)| m > limit + WITHIN_EPS)
                        })
                        .collect();
                    let total = communities.len();
                    let covered = total - uncovered.len();
                    let value = 100.0 * covered as f64 / total as f64;
                    let (status, verdict) = verdict(value, min, max, "%");
                    let mut reason = format!(
                        "{covered} of {total} {} within {} min of a {kinds} ({} %), {verdict}",
                        communities_word(rule.communities),
                        num(limit),
                        shown(value, min, max)
                    );
                    if !uncovered.is_empty() {
                        let names: Vec<String> = uncovered
                            .iter()
                            .map(|&c| {
                                let com = &self.study.layers.communities[c];
                                format!("{} {}", com.id, com.name)
                            })
                            .collect();
                        reason.push_str(&format!("; not covered: {}", list(&names, 5)));
                    }
                    Outcome {
                        value: Some(value),
                        status,
                        reason,
                    }
                }
            }
            Measure::Presence => {
                let found: Vec<usize> = facilities
                    .iter()
                    .copied()
                    .filter(|&f| {
                        rule.facility_kinds
                            .contains(&self.study.layers.facilities[f].kind)
                    })
                    .collect();
                let count = found.len() as f64;
                let (status, verdict) = verdict(count, min, max, &unit);
                let kinds = kinds_text(&rule.facility_kinds);
                let place = match (scope, rule.communities) {
                    (Scope::Community, CommunityFilter::Village) => "village",
                    _ => word,
                };
                let reason = if found.is_empty() {
                    format!("no {kinds} located in the {place}, {verdict}")
                } else {
                    let names: Vec<String> = found
                        .iter()
                        .map(|&f| {
                            let fac = &self.study.layers.facilities[f];
                            format!("{} {}", fac.id, fac.name)
                        })
                        .collect();
                    format!(
                        "{} {kinds} located in the {place} ({}), {verdict}",
                        found.len(),
                        list(&names, 5)
                    )
                };
                Outcome {
                    value: Some(count),
                    status,
                    reason,
                }
            }
        }
    }

    /// The nearest facility of any of `kinds` from community `c`: (facility, minutes); ties
    /// by facility id.
    fn nearest(&self, kinds: &[FacilityKind], c: usize) -> Option<(usize, f64)> {
        self.audit
            .kinds
            .iter()
            .filter(|k| kinds.contains(&k.kind))
            .filter_map(|k| k.nearest.get(c).copied().flatten())
            .map(|n| (n.facility, n.minutes))
            .min_by(|a, b| {
                a.1.total_cmp(&b.1).then_with(|| {
                    let fa = &self.study.layers.facilities[a.0].id;
                    let fb = &self.study.layers.facilities[b.0].id;
                    fa.cmp(fb)
                })
            })
    }

    /// The sum of a quantity over a unit; the gaps (with the feature's id unless it is the
    /// subject itself) when some input cannot be read.
    fn sum(
        &self,
        q: &Quantity,
        communities: &[usize],
        facilities: &[usize],
        scope: Scope,
    ) -> Result<f64, Vec<(Gap, Option<String>)>> {
        let single = match q.layer {
            Layer::Communities => scope == Scope::Community,
            Layer::Facilities => scope == Scope::Facility,
        };
        let mut total = 0.0;
        let mut gaps = Vec::new();
        match q.layer {
            Layer::Communities => {
                for &c in communities {
                    match self.community_number(c, &q.field) {
                        Ok(v) => total += v,
                        Err(g) => gaps.push((
                            g,
                            (!single).then(|| self.study.layers.communities[c].id.clone()),
                        )),
                    }
                }
            }
            Layer::Facilities => {
                for &f in facilities {
                    let fac = &self.study.layers.facilities[f];
                    // A facility subject is measured itself; units sum the kinds asked for.
                    if scope != Scope::Facility
                        && !q.kinds.is_empty()
                        && !q.kinds.contains(&fac.kind)
                    {
                        continue;
                    }
                    match self.facility_number(f, &q.field) {
                        Ok(v) => total += v,
                        Err(g) => gaps.push((g, (!single).then(|| fac.id.clone()))),
                    }
                }
            }
        }
        if gaps.is_empty() {
            Ok(total)
        } else {
            Err(gaps)
        }
    }

    fn community_number(&self, c: usize, field: &str) -> Result<f64, Gap> {
        let com = &self.study.layers.communities[c];
        let spec = &self.study.scenario.communities;
        match field {
            "population" => Ok(com.population),
            "elderly" => Ok(com.elderly),
            "households" => com
                .households
                .ok_or_else(|| format!("field {} missing", label(spec, "households"))),
            _ => number(com.extra.get(spec.field(field)), &label(spec, field)),
        }
    }

    fn facility_number(&self, f: usize, field: &str) -> Result<f64, Gap> {
        let fac = &self.study.layers.facilities[f];
        let spec = &self.study.scenario.facilities;
        match field {
            "count" => Ok(1.0),
            "capacity" => fac
                .capacity
                .ok_or_else(|| format!("field {} missing", label(spec, "capacity"))),
            "floor_area" | "floor_area_m2" => fac
                .floor_area_m2
                .ok_or_else(|| format!("field {} missing", label(spec, "floor_area"))),
            _ => number(fac.extra.get(spec.field(field)), &label(spec, field)),
        }
    }

    fn quantity_label(&self, q: &Quantity) -> String {
        let spec = match q.layer {
            Layer::Communities => &self.study.scenario.communities,
            Layer::Facilities => &self.study.scenario.facilities,
        };
        let base = if q.field == "count" {
            "facilities".to_string()
        } else {
            label_model(spec, &q.field)
        };
        if q.kinds.is_empty() {
            base
        } else {
            format!("{base} of {}", kinds_text(&q.kinds))
        }
    }

    /// Why a rule has no subject at all, in words.
    fn nobody(&self, rule: &Rule, scope: Scope) -> String {
        if scope == Scope::Facility {
            let mut s = format!("no {} in the data", kinds_text(&rule.facility_kinds));
            if let Some(w) = &rule.where_field {
                s.push_str(&format!(
                    " with {} = yes",
                    label(&self.study.scenario.facilities, w)
                ));
            }
            return s;
        }
        let mut s = format!("no {}", communities_word(rule.communities));
        if let Some(w) = &rule.where_field {
            s.push_str(&format!(
                " with {} = yes",
                label(&self.study.scenario.communities, w)
            ));
        }
        s
    }
}

struct Outcome {
    value: Option<f64>,
    status: Status,
    reason: String,
}

impl Outcome {
    /// "not checked: field X missing for c2, c5; field Y ...", grouped by problem.
    fn not_checked(gaps: &[(Gap, Option<String>)]) -> Outcome {
        let mut groups: Vec<(&str, Vec<String>)> = Vec::new();
        for (gap, id) in gaps {
            match groups.iter_mut().find(|(g, _)| g == gap) {
                Some((_, ids)) => ids.extend(id.clone()),
                None => groups.push((gap, id.iter().cloned().collect())),
            }
        }
        let parts: Vec<String> = groups
            .iter()
            .map(|(gap, ids)| {
                if ids.is_empty() {
                    gap.to_string()
                } else {
                    format!("{gap} for {}", list(ids, 5))
                }
            })
            .collect();
        Outcome {
            value: None,
            status: Status::NotChecked,
            reason: format!("not checked: {}", parts.join("; ")),
        }
    }
}

/// Pass when within the bounds (a relative 1e-9 tolerance, so a value at the bound passes).
fn verdict(value: f64, min: Option<f64>, max: Option<f64>, unit: &str) -> (Status, String) {
    let tol = |b: f64| 1e-9 * b.abs().max(1.0);
    let u = if unit.is_empty() {
        String::new()
    } else {
        format!(" {unit}")
    };
    if let Some(m) = min {
        if value < m - tol(m) {
            return (Status::Fail, format!("below the required {}{u}", num(m)));
        }
    }
    if let Some(m) = max {
        if value > m + tol(m) {
            return (Status::Fail, format!("above the allowed {}{u}", num(m)));
        }
    }
    (
        Status::Pass,
        format!("meets {}", bounds_text(min, max, unit)),
    )
}

/// A value with enough decimals not to look equal to a bound it differs from.
fn shown(value: f64, min: Option<f64>, max: Option<f64>) -> String {
    let near = [min, max]
        .into_iter()
        .flatten()
        .min_by(|a, b| (value - a).abs().total_cmp(&(value - b).abs()));
    match near {
        Some(b) => num_near(value, b),
        None => num(value),
    }
}

fn list(items: &[String], most: usize) -> String {
    if items.len() <= most {
        items.join(", ")
    } else {
        format!(
            "{} and {} more",
            items[..most].join(", "),
            items.len() - most
        )
    }
}

fn kinds_text(kinds: &[FacilityKind]) -> String {
    let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
    match names.as_slice() {
        [] => "facility".into(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

fn communities_word(f: CommunityFilter) -> &'static str {
    match f {
        CommunityFilter::All => "communities",
        CommunityFilter::Urban => "urban communities",
        CommunityFilter::Village => "villages",
    }
}

/// "new_residential (新建住宅)" when mapped to another property, else the name.
fn label(spec: &LayerSpec, field: &str) -> String {
    let prop = spec.field(field);
    if prop == field {
        field.to_string()
    } else {
        format!("{field} ({prop})")
    }
}

/// Like [`label`], with `floor_area_m2` naming the model's `floor_area` mapping.
fn label_model(spec: &LayerSpec, field: &str) -> String {
    match field {
        "floor_area_m2" => label(spec, "floor_area"),
        _ => label(spec, field),
    }
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A non-negative number from a JSON number or a numeric string.
fn number(v: Option<&Value>, label: &str) -> Result<f64, Gap> {
    let missing = || format!("field {label} missing");
    let v = match v {
        None | Some(Value::Null) => return Err(missing()),
        Some(Value::String(s)) if s.trim().is_empty() => return Err(missing()),
        Some(v) => v,
    };
    let n = match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    match n {
        Some(x) if x.is_finite() && x >= 0.0 => Ok(x),
        Some(x) if x.is_finite() => Err(format!("field {label} is {x}, which is negative")),
        _ => Err(format!("field {label} is {v}, not a number")),
    }
}

/// Yes/no from 是/否, yes/no, y/n, true/false, 1/0 (any case), or a JSON boolean or number.
pub(crate) fn flag(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_f64() {
            Some(1.0) => Some(true),
            Some(0.0) => Some(false),
            _ => None,
        },
        Value::String(s) => match s.trim().to_lowercase().as_str() {
            "是" | "yes" | "y" | "true" | "1" => Some(true),
            "否" | "no" | "n" | "false" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn flag_applies(raw: Option<&Value>, label: &str) -> Applies {
    match raw {
        None | Some(Value::Null) => Applies::Unknown(format!("field {label} missing")),
        Some(Value::String(s)) if s.trim().is_empty() => {
            Applies::Unknown(format!("field {label} missing"))
        }
        Some(v) => match flag(v) {
            Some(true) => Applies::Yes,
            Some(false) => Applies::No,
            None => Applies::Unknown(format!(
                "field {label} is {v}, not yes/no (是/否, yes/no, true/false, 1/0)"
            )),
        },
    }
}

/// The community each facility lies in: a mapped `community` field naming a community id,
/// else the first community (in data order) whose polygon contains it, else the community
/// with the nearest representative point (ties by data order).
fn locate_facilities(study: &Study) -> Vec<Option<usize>> {
    let coms = &study.layers.communities;
    if coms.is_empty() {
        return vec![None; study.layers.facilities.len()];
    }
    let by_id: BTreeMap<&str, usize> = coms
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let community_field = study.scenario.facilities.mapped("community");
    let boxes: Vec<GeomWithData<Rectangle<[f64; 2]>, usize>> = coms
        .iter()
        .enumerate()
        .filter(|(_, c)| !matches!(c.geometry, geo::Geometry::Point(_)))
        .filter_map(|(i, c)| {
            let r = c.geometry.bounding_rect()?;
            Some(GeomWithData::new(
                Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                i,
            ))
        })
        .collect();
    let tree = RTree::bulk_load(boxes);
    let plane = crate::crs::LocalPlane::around(coms.iter().map(|c| &c.representative.0));
    let reps: Vec<geo::Coord<f64>> = coms
        .iter()
        .map(|c| plane.project(c.representative.0))
        .collect();
    study
        .layers
        .facilities
        .iter()
        .map(|f| {
            if let Some(c) = community_field
                .and_then(|field| f.extra.get(field))
                .and_then(text)
                .and_then(|id| by_id.get(id.as_str()).copied())
            {
                return Some(c);
            }
            let p = f.location;
            let inside = tree
                .locate_in_envelope_intersecting(&AABB::from_point([p.x(), p.y()]))
                .map(|b| b.data)
                .filter(|&i| coms[i].geometry.contains(&p))
                .min();
            inside.or_else(|| {
                let q = plane.project(p.0);
                (0..reps.len()).min_by(|&a, &b| {
                    let da = (reps[a].x - q.x).hypot(reps[a].y - q.y);
                    let db = (reps[b].x - q.x).hypot(reps[b].y - q.y);
                    da.total_cmp(&db).then(a.cmp(&b))
                })
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn flags_in_chinese_and_english() {
        for v in [
            json!("是"),
            json!("YES"),
            json!(" true "),
            json!(1),
            json!("1"),
            json!(true),
        ] {
            assert_eq!(flag(&v), Some(true), "{v}");
        }
        for v in [
            json!("否"),
            json!("no"),
            json!("False"),
            json!(0),
            json!("0"),
            json!(false),
        ] {
            assert_eq!(flag(&v), Some(false), "{v}");
        }
        for v in [json!("maybe"), json!(2), json!(null), json!([1])] {
            assert_eq!(flag(&v), None, "{v}");
        }
    }

    #[test]
    fn numbers_missing_bad_negative() {
        assert_eq!(number(Some(&json!(20)), "a"), Ok(20.0));
        assert_eq!(number(Some(&json!(" 19.5 ")), "a"), Ok(19.5));
        assert_eq!(number(None, "a"), Err("field a missing".into()));
        assert_eq!(number(Some(&json!("")), "a"), Err("field a missing".into()));
        assert_eq!(
            number(Some(&json!("abc")), "a"),
            Err("field a is \"abc\", not a number".into())
        );
        assert_eq!(
            number(Some(&json!(-1)), "a"),
            Err("field a is -1, which is negative".into())
        );
    }

    #[test]
    fn verdict_at_the_bounds() {
        assert_eq!(verdict(20.0, Some(20.0), None, "m²").0, Status::Pass);
        assert_eq!(verdict(19.99, Some(20.0), None, "m²").0, Status::Fail);
        assert_eq!(verdict(300.0, None, Some(300.0), "").0, Status::Pass);
        assert_eq!(verdict(300.01, None, Some(300.0), "").0, Status::Fail);
        assert_eq!(
            verdict(19.99, Some(20.0), None, "m²").1,
            "below the required 20 m²"
        );
        assert_eq!(
            verdict(800.0, Some(350.0), Some(750.0), "m²").1,
            "above the allowed 750 m²"
        );
        assert_eq!(
            verdict(500.0, Some(350.0), Some(750.0), "m²").1,
            "meets 350–750 m²"
        );
    }

    #[test]
    fn shown_values_do_not_look_like_the_bound() {
        assert_eq!(shown(19.999, Some(20.0), None), "19.999");
        assert_eq!(shown(20.0, Some(20.0), None), "20");
        assert_eq!(shown(21.2345, Some(20.0), None), "21.23");
    }
}
