//! Plan comparison: two runs (the current state and the state with a plan's facilities added,
//! this year and last) compared per community, street and district, per kind: the change in
//! minutes to the nearest facility, in coverage and in accessibility (2SFCA).
//!
//! A run is read either from an earlier output folder (coverage.csv, and access.csv when it is
//! there) or computed from a scenario. Communities are matched by id; a community in only one
//! run is listed as added or removed, never silently dropped.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{json, Map, Value};

use crate::access::AccessReport;
use crate::coverage::Audit;
use crate::error::{Error, InputError, Problem, Result};
use crate::i18n::{self as m, kind_name, Lang};
use crate::model::FacilityKind;
use crate::report::{md_cell, round_to, OutputSet, Section};
use crate::study::Study;

/// One kind at one community in one run.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct KindState {
    /// Minutes to the nearest facility; `None` when none is reachable.
    pub minutes: Option<f64>,
    pub covered: bool,
    /// Accessibility, supply per 1000 elderly people (when the run computed it).
    pub access_per_1000: Option<f64>,
}

/// One community in one run.
#[derive(Debug, Clone, PartialEq)]
pub struct CommunityState {
    pub id: String,
    pub name: String,
    pub street: String,
    pub elderly: f64,
    pub kinds: BTreeMap<FacilityKind, KindState>,
}

/// A run's state, by community id.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Snapshot {
    /// Where it came from (a folder or a scenario), for the report.
    pub source: String,
    pub communities: BTreeMap<String, CommunityState>,
}

impl Snapshot {
    /// From a study's audit (and accessibility when computed).
    pub fn from_run(study: &Study, audit: &Audit, access: Option<&AccessReport>) -> Snapshot {
        let mut communities = BTreeMap::new();
        for (c, com) in study.layers.communities.iter().enumerate() {
            let mut kinds = BTreeMap::new();
            for k in &audit.kinds {
                let access_per_1000 = access
                    .and_then(|a| a.kinds.iter().find(|x| x.kind == k.kind))
                    .map(|a| 1000.0 * a.community_access[c]);
                kinds.insert(
                    k.kind,
                    KindState {
                        minutes: k.nearest[c].map(|n| n.minutes),
                        covered: k.covered[c],
                        access_per_1000,
                    },
                );
            }
            communities.insert(
                com.id.clone(),
                CommunityState {
                    id: com.id.clone(),
                    name: com.name.clone(),
                    street: com.street.clone(),
                    elderly: audit.elderly[c],
                    kinds,
                },
            );
        }
        Snapshot {
            source: study.scenario.path.display().to_string(),
            communities,
        }
    }

    /// From an output folder: coverage.csv (id, name, street, elderly, `<kind>_minutes`,
    /// `<kind>_covered`) and, when present, access.csv.
    pub fn read_dir(dir: &Path) -> Result<Snapshot> {
        let path = dir.join("coverage.csv");
        let bad = |msg: String| -> Error { InputError::file(&path, Problem::Other(msg)).into() };
        let bytes = std::fs::read(&path).map_err(|e| {
            Error::from(InputError::file(&path, Problem::Unreadable(e.to_string())))
        })?;
        let text = String::from_utf8_lossy(&bytes);
        let text = text.trim_start_matches('\u{feff}');
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| bad(format!("not a CSV file: {e}")))?
            .iter()
            .map(str::to_string)
            .collect();
        let col = |name: &str| header.iter().position(|h| h == name);
        let (Some(id), Some(name), Some(street), Some(elderly)) =
            (col("id"), col("name"), col("street"), col("elderly"))
        else {
            return Err(bad(
                "no id, name, street and elderly columns: is this a carecircle coverage.csv?"
                    .into(),
            ));
        };
        let kinds: Vec<(FacilityKind, usize, usize)> = header
            .iter()
            .enumerate()
            .filter_map(|(i, h)| {
                let kind = FacilityKind::parse(h.strip_suffix("_covered")?)?;
                Some((kind, col(&format!("{}_minutes", kind.as_str()))?, i))
            })
            .collect();
        let mut communities = BTreeMap::new();
        for (n, record) in reader.records().enumerate() {
            let line = n + 2;
            let r = record.map_err(|e| bad(format!("line {line}: {e}")))?;
            let cell = |i: usize| r.get(i).unwrap_or("").trim().to_string();
            let mut ks = BTreeMap::new();
            for &(kind, minutes, covered) in &kinds {
                let m = cell(minutes);
                let minutes = if m.is_empty() {
                    None
                } else {
                    Some(m.parse::<f64>().map_err(|_| {
                        bad(format!(
                            "line {line} (community {}): {}_minutes = \"{m}\" is not a number",
                            cell(id),
                            kind.as_str()
                        ))
                    })?)
                };
                let covered = match cell(covered).as_str() {
                    "yes" | "true" => true,
                    "no" | "false" => false,
                    other => {
                        return Err(bad(format!(
                            "line {line} (community {}): {}_covered = \"{other}\" is not yes/no",
                            cell(id),
                            kind.as_str()
                        )))
                    }
                };
                ks.insert(
                    kind,
                    KindState {
                        minutes,
                        covered,
                        access_per_1000: None,
                    },
                );
            }
            let e = cell(elderly);
            let community = CommunityState {
                id: cell(id),
                name: cell(name),
                street: cell(street),
                elderly: e.parse().map_err(|_| {
                    bad(format!(
                        "line {line} (community {}): elderly = \"{e}\" is not a number",
                        cell(id)
                    ))
                })?,
                kinds: ks,
            };
            if communities
                .insert(community.id.clone(), community)
                .is_some()
            {
                return Err(bad(format!("line {line}: community id {} twice", cell(id))));
            }
        }
        let access_path = dir.join("access.csv");
        if access_path.exists() {
            read_access(&access_path, &mut communities)?;
        }
        Ok(Snapshot {
            source: dir.display().to_string(),
            communities,
        })
    }
}

fn read_access(path: &Path, communities: &mut BTreeMap<String, CommunityState>) -> Result<()> {
    let bad = |msg: String| -> Error { InputError::file(path, Problem::Other(msg)).into() };
    let bytes = std::fs::read(path)
        .map_err(|e| Error::from(InputError::file(path, Problem::Unreadable(e.to_string()))))?;
    let text = String::from_utf8_lossy(&bytes);
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| bad(format!("not a CSV file: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name);
    let (Some(id), Some(kind), Some(value)) = (
        col("community_id"),
        col("kind"),
        col("access_per_1000_elderly"),
    ) else {
        return Err(bad(
            "no community_id, kind and access_per_1000_elderly columns".into(),
        ));
    };
    for (n, record) in reader.records().enumerate() {
        let r = record.map_err(|e| bad(format!("line {}: {e}", n + 2)))?;
        let (Some(c), Some(k), Some(v)) = (r.get(id), r.get(kind), r.get(value)) else {
            continue;
        };
        let Some(k) = FacilityKind::parse(k) else {
            return Err(bad(format!("line {}: kind \"{k}\" is not known", n + 2)));
        };
        let v: f64 = v
            .parse()
            .map_err(|_| bad(format!("line {}: \"{v}\" is not a number", n + 2)))?;
        if let Some(state) = communities.get_mut(c).and_then(|com| com.kinds.get_mut(&k)) {
            state.access_per_1000 = Some(v);
        }
    }
    Ok(())
}

/// How a community's coverage of a kind changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    Gained,
    Lost,
    Same,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Gained => "gained",
            Change::Lost => "lost",
            Change::Same => "same",
        }
    }
}

/// One community and kind in both runs.
#[derive(Debug, Clone, PartialEq)]
pub struct CommunityChange {
    pub id: String,
    pub name: String,
    pub street: String,
    pub elderly: f64,
    pub kind: FacilityKind,
    pub base: KindState,
    pub plan: KindState,
    pub change: Change,
}

impl CommunityChange {
    /// Minutes saved (positive when the plan is nearer); `None` when either has no facility.
    pub fn minutes_change(&self) -> Option<f64> {
        Some(self.plan.minutes? - self.base.minutes?)
    }
}

/// Totals of a group (street or district) for one kind in both runs.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct GroupChange {
    pub communities: usize,
    pub covered_base: usize,
    pub covered_plan: usize,
    pub elderly: f64,
    pub elderly_covered_base: f64,
    pub elderly_covered_plan: f64,
}

/// The comparison of two runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub base_source: String,
    pub plan_source: String,
    /// Per community and kind present in both runs, by id then kind.
    pub communities: Vec<CommunityChange>,
    /// Per kind, per street.
    pub streets: BTreeMap<(FacilityKind, String), GroupChange>,
    /// Per kind, the district.
    pub district: BTreeMap<FacilityKind, GroupChange>,
    /// Community ids only in the base run, only in the plan run.
    pub removed: Vec<String>,
    pub added: Vec<String>,
}

/// Compares two runs, community by community (matched by id), for the kinds both audited.
pub fn compare(base: &Snapshot, plan: &Snapshot) -> Comparison {
    let mut communities = Vec::new();
    let mut streets: BTreeMap<(FacilityKind, String), GroupChange> = BTreeMap::new();
    let mut district: BTreeMap<FacilityKind, GroupChange> = BTreeMap::new();
    for (id, b) in &base.communities {
        let Some(p) = plan.communities.get(id) else {
            continue;
        };
        for (&kind, bs) in &b.kinds {
            let Some(ps) = p.kinds.get(&kind) else {
                continue;
            };
            let change = match (bs.covered, ps.covered) {
                (false, true) => Change::Gained,
                (true, false) => Change::Lost,
                _ => Change::Same,
            };
            for g in [
                streets.entry((kind, b.street.clone())).or_default(),
                district.entry(kind).or_default(),
            ] {
                g.communities += 1;
                g.covered_base += bs.covered as usize;
                g.covered_plan += ps.covered as usize;
                g.elderly += b.elderly;
                if bs.covered {
                    g.elderly_covered_base += b.elderly;
                }
                if ps.covered {
                    g.elderly_covered_plan += p.elderly;
                }
            }
            communities.push(CommunityChange {
                id: id.clone(),
                name: b.name.clone(),
                street: b.street.clone(),
                elderly: b.elderly,
                kind,
                base: *bs,
                plan: *ps,
                change,
            });
        }
    }
    let ids = |s: &Snapshot| s.communities.keys().cloned().collect::<BTreeSet<String>>();
    let (b, p) = (ids(base), ids(plan));
    Comparison {
        base_source: base.source.clone(),
        plan_source: plan.source.clone(),
        communities,
        streets,
        district,
        removed: b.difference(&p).cloned().collect(),
        added: p.difference(&b).cloned().collect(),
    }
}

fn opt(x: Option<f64>, decimals: i32) -> String {
    x.map_or(String::new(), |x| round_to(x, decimals).to_string())
}

/// compare.csv (UTF-8 with BOM): rows of level `community`, `street` and `district`.
pub fn compare_csv(cmp: &Comparison) -> Result<Vec<u8>> {
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let err = |e: csv::Error| Error::Other(format!("writing compare.csv: {e}"));
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record([
            "level",
            "id",
            "name",
            "street",
            "kind",
            "elderly",
            "minutes_base",
            "minutes_plan",
            "minutes_change",
            "covered_base",
            "covered_plan",
            "change",
            "access_per_1000_base",
            "access_per_1000_plan",
            "access_per_1000_change",
            "communities",
            "communities_covered_base",
            "communities_covered_plan",
            "elderly_covered_base",
            "elderly_covered_plan",
        ])
        .map_err(err)?;
        for c in &cmp.communities {
            let access_change = match (c.base.access_per_1000, c.plan.access_per_1000) {
                (Some(a), Some(b)) => Some(b - a),
                _ => None,
            };
            w.write_record([
                "community".to_string(),
                crate::output::csv_text(&c.id).into_owned(),
                crate::output::csv_text(&c.name).into_owned(),
                crate::output::csv_text(&c.street).into_owned(),
                c.kind.as_str().to_string(),
                round_to(c.elderly, 3).to_string(),
                opt(c.base.minutes, 3),
                opt(c.plan.minutes, 3),
                opt(c.minutes_change(), 3),
                c.base.covered.to_string(),
                c.plan.covered.to_string(),
                c.change.as_str().to_string(),
                opt(c.base.access_per_1000, 4),
                opt(c.plan.access_per_1000, 4),
                opt(access_change, 4),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ])
            .map_err(err)?;
        }
        let group = |level: &str, name: &str, kind: FacilityKind, g: &GroupChange| {
            vec![
                level.to_string(),
                String::new(),
                name.to_string(),
                if level == "street" {
                    name.to_string()
                } else {
                    String::new()
                },
                kind.as_str().to_string(),
                round_to(g.elderly, 3).to_string(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                g.communities.to_string(),
                g.covered_base.to_string(),
                g.covered_plan.to_string(),
                round_to(g.elderly_covered_base, 3).to_string(),
                round_to(g.elderly_covered_plan, 3).to_string(),
            ]
        };
        for ((kind, street), g) in &cmp.streets {
            w.write_record(group("street", street, *kind, g))
                .map_err(err)?;
        }
        for (kind, g) in &cmp.district {
            w.write_record(group("district", "", *kind, g))
                .map_err(err)?;
        }
        w.flush()
            .map_err(|e| Error::Other(format!("writing compare.csv: {e}")))?;
    }
    Ok(out)
}

/// compare.md, in the report's language, and compare.json's value.
pub fn section(cmp: &Comparison, lang: Lang) -> (String, Value) {
    use crate::report::document::{markdown, Block, Document};
    use crate::report::table::{Cell, ColumnKind as K, Table};
    let mut blocks = vec![
        Block::Paragraph(m::CMP_BASE.fill(lang, &[("source", cmp.base_source.clone())])),
        Block::Paragraph(m::CMP_PLAN.fill(lang, &[("source", cmp.plan_source.clone())])),
    ];
    let mut summary = Map::new();
    let count = |x: f64| crate::report::table::count_text(x);
    for (kind, g) in &cmp.district {
        let gained: Vec<&CommunityChange> = cmp
            .communities
            .iter()
            .filter(|c| c.kind == *kind && c.change == Change::Gained)
            .collect();
        let lost = cmp
            .communities
            .iter()
            .filter(|c| c.kind == *kind && c.change == Change::Lost)
            .count();
        blocks.push(Block::Heading(
            2,
            format!("compare_{}", kind.as_str()),
            kind_name(lang, *kind),
        ));
        blocks.push(Block::Paragraph(m::CMP_KIND_SUMMARY.fill(
            lang,
            &[
                ("base", g.covered_base.to_string()),
                ("plan", g.covered_plan.to_string()),
                ("n", g.communities.to_string()),
                ("gained", gained.len().to_string()),
                ("lost", lost.to_string()),
                ("eb", count(g.elderly_covered_base)),
                ("ep", count(g.elderly_covered_plan)),
                ("total", count(g.elderly)),
            ],
        )));
        if !gained.is_empty() {
            let mut t = Table::new("compare_gained", m::CMP_GAINED.get(lang))
                .column("community_id", m::CODE.get(lang), K::Code)
                .column("name", m::COMMUNITY.get(lang), K::Text)
                .column("street", m::STREET.get(lang), K::Text)
                .column("minutes_base", m::CMP_MINUTES_BASE.get(lang), K::Number(1))
                .column("minutes_plan", m::CMP_MINUTES_PLAN.get(lang), K::Number(1));
            for c in &gained {
                t.push(vec![
                    Cell::text(c.id.clone()),
                    Cell::text(c.name.clone()),
                    Cell::text(c.street.clone()),
                    c.base.minutes.map_or(Cell::Empty, Cell::Number),
                    c.plan.minutes.map_or(Cell::Empty, Cell::Number),
                ]);
            }
            blocks.push(Block::Table(t));
        }
        summary.insert(
            kind.as_str().into(),
            json!({
                "communities": g.communities,
                "covered_base": g.covered_base,
                "covered_plan": g.covered_plan,
                "gained": gained.iter().map(|c| c.id.clone()).collect::<Vec<_>>(),
                "lost": lost,
                "elderly_covered_base": round_to(g.elderly_covered_base, 3),
                "elderly_covered_plan": round_to(g.elderly_covered_plan, 3),
            }),
        );
    }
    if !cmp.added.is_empty() || !cmp.removed.is_empty() {
        let none = || m::CMP_NONE.get(lang).to_string();
        let list = |ids: &[String]| {
            if ids.is_empty() {
                none()
            } else {
                ids.join(m::LIST_SEP.get(lang))
            }
        };
        blocks.push(Block::Paragraph(m::CMP_ONLY.fill(
            lang,
            &[("added", list(&cmp.added)), ("removed", list(&cmp.removed))],
        )));
    }
    let doc = Document {
        lang,
        title: m::CMP_TITLE.get(lang).to_string(),
        subtitle: md_cell(&cmp.plan_source),
        blocks,
        footer: m::CMP_FOOTER.fill(lang, &[("version", env!("CARGO_PKG_VERSION").into())]),
    };
    (markdown(&doc), Value::Object(summary))
}

/// compare.csv, compare.md and compare.json into an output set.
pub fn outputs(cmp: &Comparison, lang: Lang, out: &mut OutputSet) -> Result<Section> {
    out.add("compare.csv", compare_csv(cmp)?);
    let (md, summary) = section(cmp, lang);
    out.add("compare.md", md.into_bytes());
    let json = serde_json::to_vec_pretty(&summary)
        .map_err(|e| Error::Other(format!("writing compare.json: {e}")))?;
    out.add("compare.json", json);
    Ok(Section {
        key: "compare".into(),
        summary,
    })
}
