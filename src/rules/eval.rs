//! Evaluating a rule set on a study and its coverage audit.

use std::collections::BTreeMap;

use geo::{BoundingRect, Contains};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};
use serde_json::Value;

use super::{
    bounds_text, kinds_text, num, num_near, CommunityFilter, Layer, Measure, Quantity, Rule,
    RuleResult, RuleSet, Scope, Status,
};
use crate::coverage::{Audit, WITHIN_EPS};
use crate::i18n::{self as m, short_list, Lang, Msg};
use crate::io::scenario::LayerSpec;
use crate::model::FacilityKind;
use crate::study::Study;

/// Evaluates every rule for every subject its scopes name, in rule order; subjects in data
/// order (communities as loaded, streets by name, facilities by id), the district last. The
/// reasons, units and requirements are written in the scenario's report language
/// (`[report] language`, default Chinese).
pub fn evaluate(study: &Study, audit: &Audit, set: &RuleSet) -> Vec<RuleResult> {
    let data = Data::new(study, audit);
    let lang = data.lang;
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
                unit: rule.bounds_for(scope).2.get(lang).to_string(),
                required: rule.required_text(scope, lang),
                status: Status::NotChecked,
                reason: m::NO_SUBJECT.fill(lang, &[("why", data.nobody(&rule, scope))]),
            });
        }
    }
    out
}

/// What keeps one input from being read: "field X missing", "field X is \"abc\", not a number"
/// (in the report's language).
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
    lang: Lang,
    village: Vec<bool>,
    /// Per facility: the community it lies in (a mapped `community` id field, else the
    /// polygon containing it, else the community with the nearest representative point).
    facility_community: Vec<Option<usize>>,
    /// Per residential parcel: the community it lies in (as for facilities, by its interior
    /// point).
    parcel_community: Vec<Option<usize>>,
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
            lang: study.scenario.report.lang.unwrap_or_default(),
            village,
            facility_community: locate_facilities(study),
            parcel_community: locate_parcels(study),
            streets,
        }
    }

    fn t(&self, msg: Msg, values: &[(&str, String)]) -> String {
        msg.fill(self.lang, values)
    }

    fn kinds(&self, kinds: &[FacilityKind]) -> String {
        kinds_text(kinds).get(self.lang).to_string()
    }

    /// A field's name as the report shows it (see [`label`]).
    fn label(&self, spec: &LayerSpec, field: &str) -> String {
        label(self.lang, spec, field)
    }

    fn missing(&self, spec: &LayerSpec, field: &str) -> Gap {
        self.t(m::GAP_MISSING, &[("field", self.label(spec, field))])
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
        let lang = self.lang;
        let unit = rule.bounds_for(scope).2.get(lang).to_string();
        let required = rule.required_text(scope, lang);
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
                        Applies::Unknown(gap) => Outcome::not_checked(lang, &[(gap, None)]),
                        Applies::Yes => {
                            let fs: Vec<usize> = (0..facs.len())
                                .filter(|&f| self.facility_community[f] == Some(c))
                                .collect();
                            self.measure(rule, scope, &[c], &fs)
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
                    if let Some(o) = self.unit_outcome(rule, scope, members, &fs) {
                        out.push(result(street, street, street, o));
                    }
                }
            }
            Scope::District => {
                let all: Vec<usize> = (0..coms.len()).collect();
                let fs: Vec<usize> = (0..facs.len()).collect();
                if let Some(o) = self.unit_outcome(rule, scope, &all, &fs) {
                    out.push(result("district", &study.scenario.name, "", o));
                }
            }
            Scope::Parcel => {
                for (p, parcel) in study.layers.parcels.iter().enumerate() {
                    let community = self.parcel_community[p].map(|c| &coms[c]);
                    let o = match self.parcel_applies(rule, p) {
                        Applies::No => continue,
                        Applies::Unknown(gap) => Outcome::not_checked(lang, &[(gap, None)]),
                        // The parcel's index stands in for a community's: `sum` reads the
                        // parcel's own fields for this scope.
                        Applies::Yes => self.measure(rule, scope, &[p], &[]),
                    };
                    let place = match community {
                        Some(c) => self.t(
                            m::IN_COMMUNITY,
                            &[
                                ("id", c.id.clone()),
                                ("name", c.name.clone()),
                                ("street", c.street.clone()),
                            ],
                        ),
                        None => self.t(m::IN_NO_COMMUNITY, &[]),
                    };
                    let o = Outcome {
                        reason: format!("{place}{}", o.reason),
                        ..o
                    };
                    let street = community.map_or("", |c| c.street.as_str());
                    out.push(result(&parcel.id, &parcel.name, street, o));
                }
            }
            Scope::Facility => {
                for (f, fac) in facs.iter().enumerate() {
                    if !rule.facility_kinds.contains(&fac.kind) {
                        continue;
                    }
                    let o = match self.facility_applies(rule, f) {
                        Applies::No => continue,
                        Applies::Unknown(gap) => Outcome::not_checked(lang, &[(gap, None)]),
                        Applies::Yes => self.measure(rule, scope, &[], &[f]),
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
            return Some(Outcome::not_checked(self.lang, &gaps));
        }
        if applies.is_empty() {
            return None;
        }
        Some(self.measure(rule, scope, &applies, facilities))
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
        flag_applies(self.lang, raw, &self.label(spec, w))
    }

    /// A parcel: the rule's community type is that of the community it lies in; its `where`
    /// flag is read from the parcel, and counts as yes when the parcel does not carry it (the
    /// parcels layer is new residential land).
    fn parcel_applies(&self, rule: &Rule, p: usize) -> Applies {
        if let Some(c) = self.parcel_community[p] {
            match rule.communities {
                CommunityFilter::Urban if self.village[c] => return Applies::No,
                CommunityFilter::Village if !self.village[c] => return Applies::No,
                _ => {}
            }
        }
        let Some(w) = &rule.where_field else {
            return Applies::Yes;
        };
        let Some(spec) = &self.study.scenario.parcels else {
            return Applies::Yes;
        };
        match self.study.layers.parcels[p].extra.get(spec.field(w)) {
            None => Applies::Yes,
            raw => flag_applies(self.lang, raw, &self.label(spec, w)),
        }
    }

    fn parcel_number(&self, p: usize, field: &str) -> Result<f64, Gap> {
        let parcel = &self.study.layers.parcels[p];
        let Some(spec) = &self.study.scenario.parcels else {
            return Err(self.t(m::GAP_MISSING, &[("field", field.to_string())]));
        };
        let model = [
            ("households", parcel.households),
            ("floor_area", parcel.floor_area_m2),
        ];
        self.read_number(spec, field, &model, &parcel.extra)
    }

    /// A number of a feature: a model field the loader read (`model`: name and value; `None`
    /// when the data lacks it), else the (mapped) property in `extra`.
    fn read_number(
        &self,
        spec: &LayerSpec,
        field: &str,
        model: &[(&str, Option<f64>)],
        extra: &BTreeMap<String, Value>,
    ) -> Result<f64, Gap> {
        let name = model_field(field);
        match model.iter().find(|(n, _)| *n == name) {
            Some((n, value)) => value.ok_or_else(|| self.missing(spec, n)),
            None => number(
                self.lang,
                extra.get(spec.field(field)),
                &self.label(spec, field),
            ),
        }
    }

    fn facility_applies(&self, rule: &Rule, f: usize) -> Applies {
        let Some(w) = &rule.where_field else {
            return Applies::Yes;
        };
        let spec = &self.study.scenario.facilities;
        let raw = self.study.layers.facilities[f].extra.get(spec.field(w));
        flag_applies(self.lang, raw, &self.label(spec, w))
    }

    fn measure(
        &self,
        rule: &Rule,
        scope: Scope,
        communities: &[usize],
        facilities: &[usize],
    ) -> Outcome {
        let lang = self.lang;
        let (min, max, unit) = rule.bounds_for(scope);
        let unit = unit.get(lang).to_string();
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
                        return Outcome::not_checked(lang, &gaps);
                    }
                };
                let nl = self.quantity_label(numerator, scope);
                let dl = self.quantity_label(denominator, scope);
                if d <= 0.0 {
                    return Outcome {
                        value: None,
                        status: Status::NotChecked,
                        reason: self.t(
                            m::RATIO_UNDEFINED,
                            &[("denominator", dl), ("value", num(d))],
                        ),
                    };
                }
                let value = n / d * per;
                let calc = self.t(
                    m::RATIO_GIVES,
                    &[
                        ("numerator", nl.clone()),
                        ("n", num(n)),
                        ("denominator", dl),
                        ("d", num(d)),
                        ("value", shown(value, min, max)),
                        ("unit", unit.clone()),
                    ],
                );
                let (status, verdict) = verdict(lang, value, min, max, &unit);
                let fix = match status {
                    Status::Fail => match (min, max) {
                        (Some(b), _) if value < b => self.t(
                            m::FIX_MORE,
                            &[("amount", num(b * d / per - n)), ("what", nl)],
                        ),
                        (_, Some(b)) => self.t(
                            m::FIX_LESS,
                            &[("amount", num(n - b * d / per)), ("what", nl)],
                        ),
                        _ => String::new(),
                    },
                    _ => String::new(),
                };
                Outcome {
                    value: Some(value),
                    status,
                    reason: self.then(calc, verdict, fix),
                }
            }
            Measure::FacilityValue { field } => {
                let Some(&f) = facilities.first() else {
                    return Outcome::not_checked(lang, &[]);
                };
                let spec = &self.study.scenario.facilities;
                match self.facility_number(f, field) {
                    Err(gap) => Outcome::not_checked(lang, &[(gap, None)]),
                    Ok(v) => {
                        let (status, verdict) = verdict(lang, v, min, max, &unit);
                        let fix = match status {
                            Status::Fail => match (min, max) {
                                (Some(b), _) if v < b => {
                                    self.t(m::FIX_SHORT, &[("amount", num(b - v))])
                                }
                                (_, Some(b)) => self.t(m::FIX_OVER, &[("amount", num(v - b))]),
                                _ => String::new(),
                            },
                            _ => String::new(),
                        };
                        let fact = self.t(
                            m::VALUE_IS,
                            &[
                                ("field", self.label(spec, model_field(field))),
                                ("value", shown(v, min, max)),
                                ("unit", unit.clone()),
                            ],
                        );
                        Outcome {
                            value: Some(v),
                            status,
                            reason: self.then(fact, verdict, fix),
                        }
                    }
                }
            }
            Measure::Coverage { limit_min } => {
                let limit = limit_min.unwrap_or(self.study.scenario.travel.limit_min);
                let kinds = self.kinds(&rule.facility_kinds);
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
                            let msg = if any {
                                m::NONE_CAN_BE_REACHED
                            } else {
                                m::NONE_IN_DATA
                            };
                            Outcome {
                                value: None,
                                status: Status::Fail,
                                reason: self.t(msg, &[("kinds", kinds), ("limit", num(limit))]),
                            }
                        }
                        Some((f, minutes)) => {
                            let ok = minutes <= limit + WITHIN_EPS;
                            let fac = &self.study.layers.facilities[f];
                            Outcome {
                                value: Some(minutes),
                                status: if ok { Status::Pass } else { Status::Fail },
                                reason: self.t(
                                    if ok {
                                        m::NEAREST_WITHIN
                                    } else {
                                        m::NEAREST_BEYOND
                                    },
                                    &[
                                        ("kind", self.kinds(&[fac.kind])),
                                        ("name", fac.name.clone()),
                                        ("id", fac.id.clone()),
                                        ("minutes", shown(minutes, None, Some(limit))),
                                        ("limit", num(limit)),
                                    ],
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
                    let (status, verdict) = verdict(lang, value, min, max, "%");
                    let fact = self.t(
                        m::SHARE_WITHIN,
                        &[
                            ("covered", covered.to_string()),
                            ("total", total.to_string()),
                            (
                                "communities",
                                communities_word(rule.communities).get(lang).to_string(),
                            ),
                            ("limit", num(limit)),
                            ("kinds", kinds),
                            ("share", shown(value, min, max)),
                        ],
                    );
                    let missing = if uncovered.is_empty() {
                        String::new()
                    } else {
                        let names: Vec<String> = uncovered
                            .iter()
                            .map(|&c| {
                                let com = &self.study.layers.communities[c];
                                format!("{} {}", com.id, com.name)
                            })
                            .collect();
                        self.t(
                            m::NOT_COVERED_LIST,
                            &[("list", short_list(lang, &names, 5))],
                        )
                    };
                    let reason = self.then(fact, verdict, missing);
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
                let (status, verdict) = verdict(lang, count, min, max, &unit);
                let kinds = self.kinds(&rule.facility_kinds);
                let place = match (scope, rule.communities) {
                    (Scope::Community, CommunityFilter::Village) => m::SCOPE_VILLAGE,
                    _ => scope.word(),
                }
                .get(lang)
                .to_string();
                let fact = if found.is_empty() {
                    self.t(m::PRESENCE_NONE, &[("kinds", kinds), ("place", place)])
                } else {
                    let names: Vec<String> = found
                        .iter()
                        .map(|&f| {
                            let fac = &self.study.layers.facilities[f];
                            format!("{} {}", fac.id, fac.name)
                        })
                        .collect();
                    self.t(
                        m::PRESENCE_SOME,
                        &[
                            ("n", found.len().to_string()),
                            ("kinds", kinds),
                            ("place", place),
                            ("list", short_list(lang, &names, 5)),
                        ],
                    )
                };
                let reason = self.then(fact, verdict, String::new());
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
            Layer::Communities => matches!(scope, Scope::Community | Scope::Parcel),
            Layer::Facilities => scope == Scope::Facility,
        };
        let mut total = 0.0;
        let mut gaps = Vec::new();
        match q.layer {
            // A parcel's rule reads the parcel's own fields (`communities` holds its index).
            Layer::Communities if scope == Scope::Parcel => {
                for &p in communities {
                    match self.parcel_number(p, &q.field) {
                        Ok(v) => total += v,
                        Err(g) => gaps.push((g, None)),
                    }
                }
            }
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
        let model = [
            ("population", Some(com.population)),
            ("elderly", Some(com.elderly)),
            ("households", com.households),
        ];
        self.read_number(&self.study.scenario.communities, field, &model, &com.extra)
    }

    fn facility_number(&self, f: usize, field: &str) -> Result<f64, Gap> {
        let fac = &self.study.layers.facilities[f];
        let model = [
            ("count", Some(1.0)),
            ("capacity", fac.capacity),
            ("floor_area", fac.floor_area_m2),
        ];
        self.read_number(&self.study.scenario.facilities, field, &model, &fac.extra)
    }

    fn quantity_label(&self, q: &Quantity, scope: Scope) -> String {
        let spec = match (q.layer, &self.study.scenario.parcels) {
            (Layer::Communities, Some(parcels)) if scope == Scope::Parcel => parcels,
            (Layer::Communities, _) => &self.study.scenario.communities,
            (Layer::Facilities, _) => &self.study.scenario.facilities,
        };
        let base = if q.field == "count" {
            self.t(m::FIELD_FACILITY_COUNT, &[])
        } else {
            self.label(spec, model_field(&q.field))
        };
        if q.kinds.is_empty() {
            base
        } else {
            self.t(
                m::QUANTITY_OF_KINDS,
                &[("quantity", base), ("kinds", self.kinds(&q.kinds))],
            )
        }
    }

    /// Why a rule has no subject at all, in words.
    fn nobody(&self, rule: &Rule, scope: Scope) -> String {
        if scope == Scope::Parcel {
            return if self.study.scenario.parcels.is_none() {
                self.t(m::NO_PARCELS_LAYER, &[])
            } else {
                self.t(m::NO_PARCEL, &[])
            };
        }
        let flag = |spec: &LayerSpec| match &rule.where_field {
            Some(w) => self.t(m::WITH_FLAG_YES, &[("field", self.label(spec, w))]),
            None => String::new(),
        };
        if scope == Scope::Facility {
            return self.t(
                m::NO_KIND_IN_DATA,
                &[
                    ("kinds", self.kinds(&rule.facility_kinds)),
                    ("flag", flag(&self.study.scenario.facilities)),
                ],
            );
        }
        self.t(
            m::NO_COMMUNITIES_OF,
            &[
                (
                    "communities",
                    communities_word(rule.communities)
                        .get(self.lang)
                        .to_string(),
                ),
                ("flag", flag(&self.study.scenario.communities)),
            ],
        )
    }

    /// "fact, verdict" and what would fix it.
    fn then(&self, fact: String, verdict: String, fix: String) -> String {
        let mut s = self.t(m::REASON_THEN, &[("fact", fact), ("verdict", verdict)]);
        s.push_str(&fix);
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
    fn not_checked(lang: Lang, gaps: &[(Gap, Option<String>)]) -> Outcome {
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
                    m::GAP_FOR.fill(
                        lang,
                        &[("gap", gap.to_string()), ("ids", short_list(lang, ids, 5))],
                    )
                }
            })
            .collect();
        Outcome {
            value: None,
            status: Status::NotChecked,
            reason: m::NOT_CHECKED_BECAUSE
                .fill(lang, &[("gaps", parts.join(m::REQUIRED_SEP.get(lang)))]),
        }
    }
}

/// Pass when within the bounds (a relative 1e-9 tolerance, so a value at the bound passes).
fn verdict(
    lang: Lang,
    value: f64,
    min: Option<f64>,
    max: Option<f64>,
    unit: &str,
) -> (Status, String) {
    let tol = |b: f64| 1e-9 * b.abs().max(1.0);
    let bound = |b: f64| {
        if unit.is_empty() {
            num(b)
        } else {
            format!("{} {unit}", num(b))
        }
    };
    if let Some(b) = min {
        if value < b - tol(b) {
            return (
                Status::Fail,
                m::VERDICT_BELOW.fill(lang, &[("bound", bound(b))]),
            );
        }
    }
    if let Some(b) = max {
        if value > b + tol(b) {
            return (
                Status::Fail,
                m::VERDICT_ABOVE.fill(lang, &[("bound", bound(b))]),
            );
        }
    }
    (
        Status::Pass,
        m::VERDICT_MEETS.fill(lang, &[("bounds", bounds_text(min, max, unit))]),
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

fn communities_word(f: CommunityFilter) -> Msg {
    match f {
        CommunityFilter::All => m::COMMUNITIES_ALL,
        CommunityFilter::Urban => m::COMMUNITIES_URBAN,
        CommunityFilter::Village => m::COMMUNITIES_VILLAGE,
    }
}

/// A field as the report names it. English: the carecircle name, with the data's property
/// when mapped to another one ("new_residential (新建住宅)"). Chinese: the data's property
/// when mapped (usually the bureau's own Chinese name), the Chinese name of an unmapped model
/// field with its key ("建筑面积（floor_area）"), else the name as given.
fn label(lang: Lang, spec: &LayerSpec, field: &str) -> String {
    let prop = spec.field(field);
    match lang {
        Lang::En if prop == field => field.to_string(),
        Lang::En => format!("{field} ({prop})"),
        Lang::Zh if prop != field => prop.to_string(),
        // A model field the data does not map: its Chinese name, and the key to map it by.
        Lang::Zh => {
            let name = match field {
                "households" => m::FIELD_HOUSEHOLDS,
                "floor_area" => m::FIELD_FLOOR_AREA,
                "capacity" => m::FIELD_CAPACITY,
                "population" => m::FIELD_POPULATION,
                "elderly" => m::FIELD_ELDERLY,
                _ => return field.to_string(),
            };
            format!("{}（{field}）", name.zh)
        }
    }
}

/// The model's name of a field: `floor_area_m2` is the `floor_area` mapping.
fn model_field(field: &str) -> &str {
    match field {
        "floor_area_m2" => "floor_area",
        _ => field,
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
fn number(lang: Lang, v: Option<&Value>, label: &str) -> Result<f64, Gap> {
    let field = || ("field", label.to_string());
    let missing = || m::GAP_MISSING.fill(lang, &[field()]);
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
        Some(x) if x.is_finite() => {
            Err(m::GAP_NEGATIVE.fill(lang, &[field(), ("value", x.to_string())]))
        }
        _ => Err(m::GAP_NOT_NUMBER.fill(lang, &[field(), ("value", v.to_string())])),
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

fn flag_applies(lang: Lang, raw: Option<&Value>, label: &str) -> Applies {
    let field = || ("field", label.to_string());
    match raw {
        None | Some(Value::Null) => Applies::Unknown(m::GAP_MISSING.fill(lang, &[field()])),
        Some(Value::String(s)) if s.trim().is_empty() => {
            Applies::Unknown(m::GAP_MISSING.fill(lang, &[field()]))
        }
        Some(v) => match flag(v) {
            Some(true) => Applies::Yes,
            Some(false) => Applies::No,
            None => Applies::Unknown(m::GAP_NOT_FLAG.fill(
                lang,
                &[
                    field(),
                    ("value", v.to_string()),
                    ("accepted", "是/否, yes/no, true/false, 1/0".to_string()),
                ],
            )),
        },
    }
}

/// The community each facility lies in: a mapped `community` field naming a community id,
/// else the first community (in data order) whose polygon contains it, else the community
/// with the nearest representative point (ties by data order).
fn locate_facilities(study: &Study) -> Vec<Option<usize>> {
    let community_field = study.scenario.facilities.mapped("community");
    let points: Vec<(geo::Point<f64>, Option<String>)> = study
        .layers
        .facilities
        .iter()
        .map(|f| {
            let named = community_field
                .and_then(|field| f.extra.get(field))
                .and_then(text);
            (f.location, named)
        })
        .collect();
    locate(study, &points)
}

/// The community each parcel lies in: the one containing its interior point, else the nearest.
fn locate_parcels(study: &Study) -> Vec<Option<usize>> {
    let points: Vec<(geo::Point<f64>, Option<String>)> = study
        .layers
        .parcels
        .iter()
        .map(|p| (p.representative, None))
        .collect();
    locate(study, &points)
}

/// The community of each point: the one whose id is given with it, else the first community
/// (in data order) whose polygon contains it, else the nearest representative point.
fn locate(study: &Study, points: &[(geo::Point<f64>, Option<String>)]) -> Vec<Option<usize>> {
    let coms = &study.layers.communities;
    if coms.is_empty() {
        return vec![None; points.len()];
    }
    let by_id: BTreeMap<&str, usize> = coms
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
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
    points
        .iter()
        .map(|(p, named)| {
            if let Some(c) = named
                .as_ref()
                .and_then(|id| by_id.get(id.as_str()).copied())
            {
                return Some(c);
            }
            let p = *p;
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
        let en = Lang::En;
        assert_eq!(number(en, Some(&json!(20)), "a"), Ok(20.0));
        assert_eq!(number(en, Some(&json!(" 19.5 ")), "a"), Ok(19.5));
        assert_eq!(number(en, None, "a"), Err("field a missing".into()));
        assert_eq!(
            number(en, Some(&json!("")), "a"),
            Err("field a missing".into())
        );
        assert_eq!(
            number(en, Some(&json!("abc")), "a"),
            Err("field a is \"abc\", not a number".into())
        );
        assert_eq!(
            number(en, Some(&json!(-1)), "a"),
            Err("field a is -1, which is negative".into())
        );
        assert_eq!(
            number(Lang::Zh, Some(&json!(-1)), "户数"),
            Err("字段 户数 的值 -1 为负数".into())
        );
        assert_eq!(number(Lang::Zh, None, "户数"), Err("缺少字段 户数".into()));
    }

    #[test]
    fn verdict_at_the_bounds() {
        let en = Lang::En;
        assert_eq!(verdict(en, 20.0, Some(20.0), None, "m²").0, Status::Pass);
        assert_eq!(verdict(en, 19.99, Some(20.0), None, "m²").0, Status::Fail);
        assert_eq!(verdict(en, 300.0, None, Some(300.0), "").0, Status::Pass);
        assert_eq!(verdict(en, 300.01, None, Some(300.0), "").0, Status::Fail);
        assert_eq!(
            verdict(en, 19.99, Some(20.0), None, "m²").1,
            "below the required 20 m²"
        );
        assert_eq!(
            verdict(en, 800.0, Some(350.0), Some(750.0), "m²").1,
            "above the allowed 750 m²"
        );
        assert_eq!(
            verdict(en, 500.0, Some(350.0), Some(750.0), "m²").1,
            "meets 350–750 m²"
        );
        assert_eq!(
            verdict(Lang::Zh, 19.99, Some(20.0), None, "平方米").1,
            "低于要求的 20 平方米"
        );
        assert_eq!(
            verdict(Lang::Zh, 500.0, Some(350.0), Some(750.0), "平方米").1,
            "符合 350–750 平方米"
        );
    }

    #[test]
    fn shown_values_do_not_look_like_the_bound() {
        assert_eq!(shown(19.999, Some(20.0), None), "19.999");
        assert_eq!(shown(20.0, Some(20.0), None), "20");
        assert_eq!(shown(21.2345, Some(20.0), None), "21.23");
    }
}
