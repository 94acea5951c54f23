//! The report as a document: the title block, the executive summary, the coverage per kind,
//! the service areas, the proposed sites, the rules and the method words, built from the
//! stages' results in the report's language. report.html and report.md render it; the
//! workbook gets the full tables from [`workbook_tables`].

use std::collections::BTreeSet;
use std::path::Path;

use crate::areas::{FacilityArea, ServiceAreas};
use crate::coverage::Audit;
use crate::error::Result;
use crate::i18n::{self as m, kind_name, Lang, Msg};
use crate::io::scenario::Scenario;
use crate::report::table::{count_text, Cell, ColumnKind as K, Table};
use crate::rules::{RuleResult, RuleSet, Status};
use crate::site_plan::SitePlan;
use crate::study::Study;

/// The report shows this many of a long list; the workbook has all of them.
pub const TOP: usize = 10;

/// `[report]` settings, checked once, with the date and the input files' checksums.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportOptions {
    pub lang: Lang,
    /// The issuing unit (编制单位).
    pub unit: Option<String>,
    /// The report date, year-month-day.
    pub date: (u16, u8, u8),
    /// When the data was collected, in the user's words.
    pub vintage: Option<String>,
    /// Tiles under report.html's map (`[report] basemap`); none by default.
    pub basemap: Option<crate::report::settings::Basemap>,
    /// Input files (name shown, SHA-256 hex or `None` when unreadable).
    pub inputs: Vec<(String, Option<String>)>,
}

impl ReportOptions {
    /// Reads `[report]` of the scenario: `language` ("zh" or "en", default "zh"), `unit`,
    /// `date` ("YYYY-MM-DD", default today in UTC, or `SOURCE_DATE_EPOCH` when set) and
    /// `vintage`; hashes the scenario file and its layers.
    pub fn from_scenario(scenario: &Scenario) -> Result<ReportOptions> {
        let settings = &scenario.report;
        let mut options = ReportOptions {
            lang: settings.lang.unwrap_or(Lang::Zh),
            unit: settings.unit.clone(),
            date: settings.date.unwrap_or_else(today),
            vintage: settings.vintage.clone(),
            basemap: settings.basemap.clone(),
            inputs: Vec::new(),
        };
        let mut files: Vec<&Path> = vec![
            &scenario.path,
            &scenario.communities.path,
            &scenario.facilities.path,
        ];
        if let Some(p) = &scenario.population {
            files.push(&p.path);
        }
        if let Some(c) = &scenario.candidates {
            files.push(&c.path);
        }
        if let Some(p) = &scenario.parcels {
            files.push(&p.path);
        }
        if let Some(r) = &scenario.roads {
            files.push(&r.path);
        }
        options.inputs = files
            .into_iter()
            .map(|p| (shown_name(p), sha256_of(p)))
            .collect();
        Ok(options)
    }

    /// The `report` entry of summary.json: tool version, date, language, unit, vintage and
    /// the input files with their SHA-256.
    pub fn section(&self) -> crate::report::Section {
        let info = ReportInfo {
            tool: "carecircle",
            tool_version: env!("CARGO_PKG_VERSION"),
            date: self.date_text(),
            language: self.lang.html_code(),
            unit: self.unit.clone(),
            vintage: self.vintage.clone(),
            inputs: self
                .inputs
                .iter()
                .map(|(file, sha256)| InputFile {
                    file: file.clone(),
                    sha256: sha256.clone(),
                })
                .collect(),
        };
        crate::report::Section {
            key: "report".into(),
            summary: serde_json::to_value(info).unwrap_or(serde_json::Value::Null),
        }
    }

    pub fn date_text(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.date.0, self.date.1, self.date.2)
    }
}

/// summary.json's `report` entry: what made the outputs, when, for whom, and from which files.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReportInfo {
    pub tool: &'static str,
    pub tool_version: &'static str,
    /// The report's date, YYYY-MM-DD (`[report] date`, else today in UTC).
    pub date: String,
    /// zh-CN or en.
    pub language: &'static str,
    /// The issuing unit (`[report] unit`).
    pub unit: Option<String>,
    /// When the data was collected (`[report] vintage`).
    pub vintage: Option<String>,
    pub inputs: Vec<InputFile>,
}

/// An input file by name, with its SHA-256 (`None` when it could not be read).
#[derive(Debug, Clone, serde::Serialize)]
pub struct InputFile {
    pub file: String,
    pub sha256: Option<String>,
}

fn shown_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

/// The SHA-256 of a regular input file, streamed (no copy of the file in memory); `None` for
/// anything the layer readers refuse too (a pipe, a device, a file over the size limit).
fn sha256_of(p: &Path) -> Option<String> {
    // Within the input limits, hashed once per process (outputs.json hashes the inputs again).
    crate::io::open_input(p, crate::io::input_limits()).ok()?;
    crate::output::sha256_file(p).ok().map(|(_, sha256)| sha256)
}

/// Today in UTC (or the day of `SOURCE_DATE_EPOCH`, for reproducible builds).
fn today() -> (u16, u8, u8) {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64)
        });
    civil_from_days(secs.div_euclid(86_400))
}

/// Days since 1970-01-01 to a calendar date (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (u16, u8, u8) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + (m <= 2) as i64;
    (y as u16, m as u8, d as u8)
}

/// Everything the report is made from.
pub struct ReportContext<'a> {
    pub study: &'a Study,
    pub audit: &'a Audit,
    pub areas: Option<&'a ServiceAreas>,
    pub plans: &'a [SitePlan],
    pub rules: Option<(&'a RuleSet, &'a [RuleResult])>,
    pub options: &'a ReportOptions,
    /// Built on first use: names for proposed sites (nearest community and street).
    pub places: std::sync::OnceLock<crate::places::Places>,
    /// Capacity-aware accessibility (2SFCA family), when computed (`run`).
    pub access: Option<&'a crate::access::AccessReport>,
}

impl<'a> ReportContext<'a> {
    /// The audit alone; a command that computes more sets those parts
    /// (`ReportContext { areas: Some(&areas), ..ReportContext::of(..) }`).
    pub fn of(study: &'a Study, audit: &'a Audit, options: &'a ReportOptions) -> Self {
        ReportContext {
            study,
            audit,
            areas: None,
            plans: &[],
            rules: None,
            options,
            places: Default::default(),
            access: None,
        }
    }
}

/// A block of the document.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A section heading (level 2) or sub-heading (3), with an anchor id.
    Heading(u8, String, String),
    Paragraph(String),
    List(Vec<String>),
    Table(Table),
    /// Where the interactive map goes (report.html only).
    Map,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub lang: Lang,
    pub title: String,
    pub subtitle: String,
    pub blocks: Vec<Block>,
    pub footer: String,
}

fn pct(x: f64) -> String {
    format!("{:.1} %", 100.0 * x)
}

impl ReportContext<'_> {
    fn t(&self, msg: Msg) -> String {
        msg.get(self.options.lang).to_string()
    }

    fn f(&self, msg: Msg, values: &[(&str, String)]) -> String {
        msg.fill(self.options.lang, values)
    }

    fn kind(&self, kind: crate::model::FacilityKind) -> String {
        kind_name(self.options.lang, kind)
    }
}

/// The name of a proposed site: the nearest community, and the nearest street within
/// [`crate::places::STREET_WITHIN_M`] when the road layer names its streets.
pub fn site_label(ctx: &ReportContext, plan: &SitePlan, candidate: usize) -> String {
    let places = ctx
        .places
        .get_or_init(|| crate::places::Places::new(&ctx.study.layers));
    let place = places.at(plan.candidates[candidate].location);
    let communities = &ctx.study.layers.communities;
    match (place.community, place.street) {
        (Some(c), Some(road)) => ctx.f(
            m::SITE_NEAR_ROAD,
            &[("community", communities[c].name.clone()), ("road", road)],
        ),
        (Some(c), None) => ctx.f(m::SITE_NEAR, &[("community", communities[c].name.clone())]),
        (None, Some(road)) => road,
        (None, None) => plan.candidates[candidate].id.clone(),
    }
}

fn model_words(ctx: &ReportContext, model: &str) -> String {
    ctx.t(match model {
        "lscp" => m::MODEL_LSCP,
        "mclp" => m::MODEL_MCLP,
        "mclp-capacitated" => m::MODEL_MCLP_CAP,
        _ => m::MODEL_PMEDIAN,
    })
}

/// The coverage figures of a group (district or street), as columns and as cells.
fn totals_columns(t: Table, ctx: &ReportContext) -> Table {
    t.column(
        "communities_covered",
        ctx.t(m::COMMUNITIES_COVERED),
        K::Count,
    )
    .column("communities", ctx.t(m::COMMUNITY), K::Count)
    .column("community_share", ctx.t(m::COMMUNITY_SHARE), K::Share)
    .column("elderly_covered", ctx.t(m::ELDERLY_COVERED), K::Count)
    .column("elderly", ctx.t(m::ELDERLY), K::Count)
    .column("elderly_share", ctx.t(m::ELDERLY_SHARE), K::Share)
}

fn totals_cells(tot: &crate::coverage::Totals) -> [Cell; 6] {
    [
        Cell::Number(tot.communities_covered as f64),
        Cell::Number(tot.communities as f64),
        Cell::Number(tot.community_share),
        Cell::Number(tot.elderly_covered),
        Cell::Number(tot.elderly),
        Cell::Number(tot.elderly_share),
    ]
}

fn coverage_table(ctx: &ReportContext) -> Table {
    let t = Table::new("summary", ctx.t(m::SUMMARY))
        .column("kind", ctx.t(m::KIND), K::Text)
        .column("limit_min", ctx.t(m::LIMIT_MIN), K::Number(0))
        .column("facilities", ctx.t(m::FACILITIES), K::Count);
    let mut t = totals_columns(t, ctx).column("target", ctx.t(m::TARGET), K::Flag);
    for k in &ctx.audit.kinds {
        let tot = ctx.audit.totals(k, |_| true);
        let target = match k.target {
            Some(tg) => {
                let met = tot.community_share + 1e-12 >= tg.coverage;
                Cell::Flag(
                    met,
                    format!(
                        "{} {}",
                        pct(tg.coverage),
                        ctx.t(if met { m::MET } else { m::NOT_MET })
                    ),
                )
            }
            None => Cell::text(ctx.t(m::NO_TARGET)),
        };
        let mut row = vec![
            Cell::text(ctx.kind(k.kind)),
            Cell::Number(k.limit_min),
            Cell::Number(k.facilities as f64),
        ];
        row.extend(totals_cells(&tot));
        row.push(target);
        t.push(row);
    }
    t
}

fn streets_table(
    ctx: &ReportContext,
    kind: &crate::coverage::KindCoverage,
    with_kind: bool,
) -> Table {
    let mut t = Table::new("streets", ctx.t(m::BY_STREET));
    if with_kind {
        t = t.column("kind", ctx.t(m::KIND), K::Text);
    }
    t = totals_columns(t.column("street", ctx.t(m::STREET), K::Text), ctx);
    for (street, tot) in ctx.audit.by_street(ctx.study, kind) {
        let mut row = Vec::new();
        if with_kind {
            row.push(Cell::text(ctx.kind(kind.kind)));
        }
        row.push(Cell::Text(street));
        row.extend(totals_cells(&tot));
        t.push(row);
    }
    t
}

fn uncovered_table(
    ctx: &ReportContext,
    kind: &crate::coverage::KindCoverage,
    with_kind: bool,
) -> Table {
    let mut t = Table::new("uncovered", ctx.t(m::NOT_COVERED));
    if with_kind {
        t = t.column("kind", ctx.t(m::KIND), K::Text);
    }
    t = t
        .column("community_id", ctx.t(m::CODE), K::Code)
        .column("name", ctx.t(m::COMMUNITY), K::Text)
        .column("street", ctx.t(m::STREET), K::Text)
        .column("elderly", ctx.t(m::ELDERLY), K::Count)
        .column("nearest", ctx.t(m::NEAREST), K::Text)
        .column("minutes", ctx.t(m::MINUTES), K::Number(1));
    for c in ctx.audit.uncovered(ctx.study, kind) {
        let com = &ctx.study.layers.communities[c];
        let (near, minutes) = match kind.nearest[c] {
            Some(n) => (
                Cell::text(ctx.study.layers.facilities[n.facility].name.clone()),
                Cell::Number(n.minutes),
            ),
            None => (Cell::text(ctx.t(m::NONE_REACHABLE)), Cell::Empty),
        };
        let mut row = Vec::new();
        if with_kind {
            row.push(Cell::text(ctx.kind(kind.kind)));
        }
        row.extend([
            Cell::text(com.id.clone()),
            Cell::text(com.name.clone()),
            Cell::text(com.street.clone()),
            Cell::Number(ctx.audit.elderly[c]),
            near,
            minutes,
        ]);
        t.push(row);
    }
    t
}

fn areas_table(ctx: &ReportContext, areas: &ServiceAreas) -> Table {
    let mut t = Table::new("service_areas", ctx.t(m::AREAS))
        .column("kind", ctx.t(m::KIND), K::Text)
        .column("minutes", ctx.t(m::BAND), K::Number(0))
        .column("facilities", ctx.t(m::FACILITIES), K::Count)
        .column("area_km2", ctx.t(m::AREA_KM2), K::Number(2))
        .column("district_area_share", ctx.t(m::AREA_SHARE), K::Share)
        .column("elderly_inside", ctx.t(m::ELDERLY_INSIDE), K::Count)
        .column(
            "elderly_inside_share",
            ctx.t(m::ELDERLY_INSIDE_SHARE),
            K::Share,
        )
        .column("mean_ratio_to_circle", ctx.t(m::RATIO), K::Share);
    for k in &areas.kinds {
        let ratios: Vec<f64> = areas
            .facilities
            .iter()
            .filter(|a| {
                a.minutes == k.minutes && ctx.study.layers.facilities[a.facility].kind == k.kind
            })
            .map(FacilityArea::ratio)
            .collect();
        let mean = if ratios.is_empty() {
            Cell::Empty
        } else {
            Cell::Number(ratios.iter().sum::<f64>() / ratios.len() as f64)
        };
        t.push(vec![
            Cell::text(ctx.kind(k.kind)),
            Cell::Number(k.minutes),
            Cell::Number(k.facilities as f64),
            Cell::Number(k.area_km2),
            Cell::Number(k.district_area_share),
            Cell::Number(k.elderly),
            Cell::Number(k.elderly_share),
            mean,
        ]);
    }
    t
}

fn sites_table(ctx: &ReportContext, plans: &[&SitePlan], with_kind: bool) -> Table {
    let mut t = Table::new("sites", ctx.t(m::SITES));
    if with_kind {
        t = t.column("kind", ctx.t(m::KIND), K::Text);
    }
    t = t
        .column("rank", ctx.t(m::RANK), K::Count)
        .column("site_name", ctx.t(m::SITE), K::Text)
        .column("site_id", ctx.t(m::CODE), K::Code)
        .column("lonlat", ctx.t(m::LONLAT), K::Text)
        .column("newly_covered_names", ctx.t(m::NEWLY_COMMUNITIES), K::Text)
        .column("newly_covered_elderly", ctx.t(m::NEWLY_ELDERLY), K::Count)
        .column("served_elderly", ctx.t(m::SERVED_ELDERLY), K::Count);
    for plan in plans {
        for (rank, site) in plan.solution.sites.iter().enumerate() {
            let cand = &plan.candidates[site.candidate];
            let names: Vec<&str> = site
                .newly_covered
                .iter()
                .map(|&d| ctx.study.layers.communities[d].name.as_str())
                .collect();
            let mut row = Vec::new();
            if with_kind {
                row.push(Cell::text(ctx.kind(plan.kind)));
            }
            row.extend([
                Cell::Number((rank + 1) as f64),
                Cell::text(site_label(ctx, plan, site.candidate)),
                Cell::text(cand.id.clone()),
                Cell::text(format!(
                    "{:.5}, {:.5}",
                    cand.location.x(),
                    cand.location.y()
                )),
                Cell::text(names.join(ctx.t(m::LIST_SEP).as_str())),
                Cell::Number(site.newly_covered_weight),
                Cell::Number(site.served_weight),
            ]);
            t.push(row);
        }
    }
    t
}

fn rules_table(ctx: &ReportContext, set: &RuleSet, results: &[RuleResult]) -> Table {
    let mut t = Table::new("rules", ctx.t(m::RULES))
        .column("rule", ctx.t(m::RULE), K::Code)
        .column("title", ctx.t(m::REQUIREMENT), K::Text)
        .column("source", ctx.t(m::SOURCE), K::Text)
        .column("pass", ctx.t(m::PASS), K::Count)
        .column("fail", ctx.t(m::FAIL), K::Count)
        .column("not_checked", ctx.t(m::NOT_CHECKED), K::Count)
        .column("failing", ctx.t(m::FAILING), K::Text);
    for (i, rule) in set.rules.iter().enumerate() {
        let mine: Vec<&RuleResult> = results.iter().filter(|r| r.rule == i).collect();
        let count = |s: Status| mine.iter().filter(|r| r.status == s).count();
        let failing: Vec<&str> = mine
            .iter()
            .filter(|r| r.status == Status::Fail)
            .take(5)
            .map(|r| {
                if r.subject_name.is_empty() {
                    r.subject_id.as_str()
                } else {
                    r.subject_name.as_str()
                }
            })
            .collect();
        let more = count(Status::Fail).saturating_sub(failing.len());
        let mut failing = failing.join(ctx.t(m::LIST_SEP).as_str());
        if more > 0 {
            failing.push_str(&format!(" … (+{more})"));
        }
        t.push(vec![
            Cell::text(rule.id.clone()),
            Cell::text(rule.title.get(ctx.options.lang).to_string()),
            Cell::text(rule.source_text(ctx.options.lang)),
            Cell::Number(count(Status::Pass) as f64),
            Cell::Number(count(Status::Fail) as f64),
            Cell::Number(count(Status::NotChecked) as f64),
            Cell::text(failing),
        ]);
    }
    t
}

fn rule_results_table(ctx: &ReportContext, results: &[RuleResult]) -> Table {
    let mut t = Table::new("rule_results", ctx.t(m::RULES))
        .column("rule", ctx.t(m::RULE), K::Code)
        .column("subject_id", ctx.t(m::CODE), K::Code)
        .column("subject_name", ctx.t(m::SUBJECT), K::Text)
        .column("street", ctx.t(m::STREET), K::Text)
        .column("value", ctx.t(m::VALUE), K::Number(2))
        .column("required", ctx.t(m::REQUIREMENT), K::Text)
        .column("status", ctx.t(m::STATUS), K::Flag)
        .column("reason", ctx.t(m::REASON), K::Text);
    for r in results {
        let status = match r.status {
            Status::Pass => Cell::Flag(true, ctx.t(m::PASS)),
            Status::Fail => Cell::Flag(false, ctx.t(m::FAIL)),
            Status::NotChecked => Cell::Flag(false, ctx.t(m::NOT_CHECKED)),
        };
        t.push(vec![
            Cell::text(r.rule_id.clone()),
            Cell::text(r.subject_id.clone()),
            Cell::text(r.subject_name.clone()),
            Cell::text(r.street.clone()),
            r.value.map_or(Cell::Empty, Cell::Number),
            Cell::text(r.required.clone()),
            status,
            Cell::text(r.reason.clone()),
        ]);
    }
    t
}

fn communities_table(ctx: &ReportContext) -> Table {
    let mut t = Table::new("communities", ctx.t(m::COMMUNITY))
        .column("community_id", ctx.t(m::CODE), K::Code)
        .column("name", ctx.t(m::COMMUNITY), K::Text)
        .column("street", ctx.t(m::STREET), K::Text)
        .column("population", ctx.t(m::POPULATION), K::Count)
        .column("elderly", ctx.t(m::ELDERLY), K::Count);
    // Per kind: minutes to the nearest and covered; the column keys follow coverage.csv.
    let kinds = &ctx.audit.kinds;
    for k in kinds {
        let name = ctx.kind(k.kind);
        let key = k.kind.as_str();
        t = t
            .column(
                format!("{key}_minutes"),
                format!("{name} {}", ctx.t(m::MINUTES)),
                K::Number(1),
            )
            .column(
                format!("{key}_covered"),
                format!("{name} {}", ctx.t(m::COVERED_FLAG)),
                K::Flag,
            )
            .column(
                format!("{key}_elderly_covered"),
                format!("{name} {}", ctx.t(m::ELDERLY_COVERED)),
                K::Count,
            );
    }
    for (c, com) in ctx.study.layers.communities.iter().enumerate() {
        let mut row = vec![
            Cell::text(com.id.clone()),
            Cell::text(com.name.clone()),
            Cell::text(com.street.clone()),
            Cell::Number(ctx.audit.population[c]),
            Cell::Number(ctx.audit.elderly[c]),
        ];
        for k in kinds {
            row.push(k.nearest[c].map_or(Cell::Empty, |n| Cell::Number(n.minutes)));
            let cov = k.covered[c];
            row.push(Cell::Flag(cov, ctx.t(if cov { m::YES } else { m::NO })));
            row.push(Cell::Number(k.elderly_covered[c]));
        }
        t.push(row);
    }
    t
}

/// The workbook: every table in full, one sheet each, with sheet names in the report's
/// language.
pub fn workbook_tables(ctx: &ReportContext) -> Vec<(String, Table)> {
    let mut sheets = vec![(ctx.t(m::SHEET_SUMMARY), coverage_table(ctx))];
    let mut streets: Option<Table> = None;
    let mut uncovered: Option<Table> = None;
    for k in &ctx.audit.kinds {
        let s = streets_table(ctx, k, true);
        let u = uncovered_table(ctx, k, true);
        match (&mut streets, &mut uncovered) {
            (Some(a), Some(b)) => {
                a.rows.extend(s.rows);
                b.rows.extend(u.rows);
            }
            _ => {
                streets = Some(s);
                uncovered = Some(u);
            }
        }
    }
    if let Some(s) = streets {
        sheets.push((ctx.t(m::SHEET_STREETS), s));
    }
    sheets.push((ctx.t(m::SHEET_COMMUNITIES), communities_table(ctx)));
    if let Some(u) = uncovered {
        sheets.push((ctx.t(m::SHEET_UNCOVERED), u));
    }
    let plans: Vec<&SitePlan> = ctx.plans.iter().collect();
    sheets.push((ctx.t(m::SHEET_SITES), sites_table(ctx, &plans, true)));
    if let Some((_, results)) = ctx.rules {
        sheets.push((ctx.t(m::SHEET_RULES), rule_results_table(ctx, results)));
    }
    if let Some(areas) = ctx.areas {
        sheets.push((ctx.t(m::SHEET_AREAS), areas_table(ctx, areas)));
    }
    if let Some(access) = ctx.access {
        sheets.push((
            crate::i18n::ACCESS_SHEET.get(ctx.options.lang).to_string(),
            crate::report::access::communities_table(ctx, access),
        ));
    }
    sheets
}

/// The report document.
pub fn build(ctx: &ReportContext) -> Document {
    let study = ctx.study;
    let audit = ctx.audit;
    let o = ctx.options;
    let mut b = Vec::new();
    let streets: BTreeSet<&str> = study
        .layers
        .communities
        .iter()
        .map(|c| c.street.as_str())
        .collect();

    // Title block.
    b.push(Block::Heading(2, "about".into(), ctx.t(m::TITLE_BLOCK)));
    let mut about = Table::new("about", ctx.t(m::TITLE_BLOCK))
        .column("field", ctx.t(m::TITLE_BLOCK), K::Text)
        .column("value", "", K::Text);
    let not_stated = ctx.t(m::NOT_STATED);
    let travel = ctx.f(
        m::TRAVEL_VALUE,
        &[
            (
                "mode",
                ctx.t(match study.scenario.travel.mode {
                    crate::network::TravelMode::Walk => m::MODE_WALK,
                    crate::network::TravelMode::Bike => m::MODE_BIKE,
                    crate::network::TravelMode::Drive => m::MODE_DRIVE,
                }),
            ),
            (
                "speed",
                format!("{}", study.scenario.travel.speed_m_per_min),
            ),
            ("limit", format!("{}", study.scenario.travel.limit_min)),
        ],
    );
    for (k, v) in [
        (m::DISTRICT, study.scenario.name.clone()),
        (
            m::UNIT,
            o.unit.clone().unwrap_or_else(|| not_stated.clone()),
        ),
        (m::DATE, o.date_text()),
        (
            m::VINTAGE,
            o.vintage.clone().unwrap_or_else(|| not_stated.clone()),
        ),
        (m::TOOL, format!("carecircle {}", env!("CARGO_PKG_VERSION"))),
        (m::TRAVEL, travel),
        (
            m::DEMAND,
            ctx.t(if study.demand_from_cells {
                m::DEMAND_CELLS
            } else {
                m::DEMAND_POINTS
            }),
        ),
    ] {
        about.push(vec![Cell::text(ctx.t(k)), Cell::text(v)]);
    }
    about.columns[0].title = String::new();
    b.push(Block::Table(about));
    let mut inputs = Table::new("inputs", ctx.t(m::INPUTS))
        .column("file", ctx.t(m::FILE), K::Text)
        .column("sha256", ctx.t(m::SHA256), K::Code);
    for (name, hash) in &o.inputs {
        inputs.push(vec![
            Cell::text(name.clone()),
            Cell::text(hash.clone().unwrap_or_else(|| ctx.t(m::UNREADABLE))),
        ]);
    }
    b.push(Block::Heading(3, "inputs".into(), ctx.t(m::INPUTS)));
    b.push(Block::Table(inputs));

    // Executive summary.
    b.push(Block::Heading(2, "summary".into(), ctx.t(m::SUMMARY)));
    let total_elderly: f64 = audit.elderly.iter().sum();
    b.push(Block::Paragraph(ctx.f(
        m::KEY_FIGURES,
        &[
            ("communities", study.layers.communities.len().to_string()),
            ("streets", streets.len().to_string()),
            ("elderly", count_text(total_elderly)),
            ("facilities", study.layers.facilities.len().to_string()),
            (
                "km",
                format!("{:.1}", study.graph.total_length_m() / 1000.0),
            ),
        ],
    )));
    let mut met = 0;
    let mut not_met = 0;
    for k in &audit.kinds {
        if let Some(tg) = k.target {
            if audit.totals(k, |_| true).community_share + 1e-12 >= tg.coverage {
                met += 1;
            } else {
                not_met += 1;
            }
        }
    }
    let mut points = vec![ctx.f(
        m::TARGETS_MET,
        &[("met", met.to_string()), ("not_met", not_met.to_string())],
    )];
    for plan in ctx.plans {
        let (before, after) = plan.communities_covered();
        points.push(ctx.f(
            m::SITES_SUMMARY,
            &[
                ("kind", ctx.kind(plan.kind)),
                ("n", plan.solution.chosen.len().to_string()),
                ("before", before.to_string()),
                ("after", after.to_string()),
                ("eb", count_text(plan.elderly_covered_before)),
                ("ea", count_text(plan.elderly_covered_after)),
            ],
        ));
    }
    if let Some((_, results)) = ctx.rules {
        let tally = crate::rules::Tally::of(results);
        points.push(ctx.f(
            m::RULES_SUMMARY,
            &[
                ("pass", tally.pass.to_string()),
                ("fail", tally.fail.to_string()),
                ("nc", tally.not_checked.to_string()),
            ],
        ));
    }
    b.push(Block::List(points));
    b.push(Block::Table(coverage_table(ctx)));
    // The weakest streets of the first kind with a target (else the first kind).
    if let Some(k) = audit
        .kinds
        .iter()
        .find(|k| k.target.is_some())
        .or(audit.kinds.first())
    {
        let mut s = streets_table(ctx, k, false);
        let share_col = s
            .columns
            .iter()
            .position(|c| c.key == "elderly_share")
            .unwrap_or(0);
        let key = |r: &Vec<Cell>| match r[share_col] {
            Cell::Number(x) => x,
            _ => 0.0,
        };
        s.rows.sort_by(|a, b| key(a).total_cmp(&key(b)));
        b.push(Block::Heading(
            3,
            "worst-streets".into(),
            ctx.f(m::WORST_STREETS, &[("kind", ctx.kind(k.kind))]),
        ));
        b.push(Block::Table(s.top(5)));
    }

    // The map.
    b.push(Block::Heading(2, "map-section".into(), ctx.t(m::MAP)));
    b.push(Block::Paragraph(ctx.t(m::MAP_HELP)));
    b.push(Block::Map);

    // Coverage per kind.
    for k in &audit.kinds {
        let title = ctx.f(m::COVERAGE_OF, &[("kind", ctx.kind(k.kind))]);
        b.push(Block::Heading(
            2,
            format!("kind-{}", k.kind.as_str()),
            title,
        ));
        b.push(Block::Heading(
            3,
            format!("streets-{}", k.kind.as_str()),
            ctx.t(m::BY_STREET),
        ));
        b.push(Block::Table(streets_table(ctx, k, false)));
        let u = uncovered_table(ctx, k, false);
        if u.rows.is_empty() {
            b.push(Block::Paragraph(ctx.t(m::ALL_COVERED)));
        } else {
            b.push(Block::Paragraph(ctx.f(
                m::UNCOVERED_TOP,
                &[
                    ("limit", format!("{}", k.limit_min)),
                    ("n", u.rows.len().to_string()),
                    ("top", u.rows.len().min(TOP).to_string()),
                ],
            )));
            b.push(Block::Table(u.top(TOP)));
        }
    }

    // Accessibility: room, not only reach.
    if let Some(access) = ctx.access {
        b.extend(crate::report::access::blocks(ctx, access));
    }

    // Service areas.
    if let Some(areas) = ctx.areas {
        b.push(Block::Heading(2, "areas".into(), ctx.t(m::AREAS)));
        let bands: Vec<String> = areas.options.bands.iter().map(|x| format!("{x}")).collect();
        b.push(Block::Paragraph(ctx.f(
            m::AREAS_INTRO,
            &[
                ("speed", format!("{}", areas.speed_m_per_min)),
                ("bands", bands.join(" / ")),
                ("lateral", format!("{}", areas.options.lateral_m)),
                ("area", format!("{:.2}", areas.district_area_km2)),
            ],
        )));
        b.push(Block::Paragraph(ctx.t(m::AREAS_DIFFER)));
        b.push(Block::Table(areas_table(ctx, areas)));
    }

    // Proposed sites.
    if !ctx.plans.is_empty() {
        b.push(Block::Heading(2, "sites".into(), ctx.t(m::SITES)));
        for plan in ctx.plans {
            let s = &plan.solution;
            let (before, after) = plan.communities_covered();
            b.push(Block::Heading(
                3,
                format!("sites-{}", plan.kind.as_str()),
                ctx.kind(plan.kind),
            ));
            let source = if study.layers.candidates.is_empty() {
                let spacing = plan
                    .candidate_source
                    .split("one per ")
                    .nth(1)
                    .and_then(|r| r.split(' ').next())
                    .unwrap_or("")
                    .to_string();
                ctx.f(m::SITES_SOURCE_GRID, &[("spacing", spacing)])
            } else {
                ctx.t(m::SITES_SOURCE_LAYER)
            };
            let mut text = ctx.f(
                m::SITES_INTRO,
                &[
                    ("kind", ctx.kind(plan.kind)),
                    ("model", model_words(ctx, &s.model)),
                    (
                        "method",
                        ctx.t(if s.method.contains("heuristic") {
                            m::METHOD_HEURISTIC
                        } else {
                            m::METHOD_EXACT
                        }),
                    ),
                    ("candidates", plan.candidates.len().to_string()),
                    ("source", source),
                    ("existing", plan.existing.len().to_string()),
                ],
            );
            text.push(' ');
            text.push_str(&ctx.f(
                m::SITES_BEFORE_AFTER,
                &[
                    ("before", before.to_string()),
                    ("after", after.to_string()),
                    // The communities the kind's target applies to, as before/after count them.
                    (
                        "n",
                        plan.in_scope.iter().filter(|&&i| i).count().to_string(),
                    ),
                    ("eb", count_text(plan.elderly_covered_before)),
                    ("ea", count_text(plan.elderly_covered_after)),
                    ("total", count_text(s.total_weight)),
                ],
            ));
            text.push(' ');
            text.push_str(&ctx.f(
                m::SITES_QUALITY,
                &[
                    ("objective", format!("{:.2}", s.objective)),
                    ("bound", format!("{:.2}", s.bound)),
                    ("gap", format!("{:.2} %", 100.0 * s.gap)),
                ],
            ));
            if s.proven_optimal {
                text.push(' ');
                text.push_str(&ctx.t(m::SITES_OPTIMAL));
            }
            if !s.uncoverable.is_empty() {
                text.push(' ');
                text.push_str(&ctx.f(
                    m::SITES_UNCOVERABLE,
                    &[
                        ("n", s.uncoverable.len().to_string()),
                        ("limit", format!("{}", plan.limit_min)),
                    ],
                ));
            }
            b.push(Block::Paragraph(text));
            let t = sites_table(ctx, &[plan], false);
            if !t.rows.is_empty() {
                b.push(Block::Table(t.top(TOP)));
            }
        }
    }

    // Rules.
    if let Some((set, results)) = ctx.rules {
        b.push(Block::Heading(
            2,
            "rules".into(),
            ctx.f(m::RULES_OF, &[("set", set.name.clone())]),
        ));
        b.push(Block::Paragraph(ctx.t(m::RULES_NOTE)));
        b.push(Block::Table(rules_table(ctx, set, results)));
    }

    // Method words.
    b.push(Block::Heading(2, "glossary".into(), ctx.t(m::GLOSSARY)));
    b.push(Block::List(
        [
            m::TERM_COVERED,
            m::TERM_AREA,
            m::TERM_LSCP,
            m::TERM_MCLP,
            m::TERM_PMEDIAN,
            m::TERM_BRANCH,
            m::TERM_BOUND,
            m::TERM_GAP,
        ]
        .iter()
        .map(|msg| ctx.t(*msg))
        .collect(),
    ));

    // Warnings, counted by kind in the report's words; each one, with its feature, is in
    // summary.json and on the console.
    if !study.warnings.items.is_empty() {
        use crate::error::WarningKind as W;
        b.push(Block::Heading(
            2,
            "warnings".into(),
            format!("{} ({})", ctx.t(m::WARNINGS), study.warnings.items.len()),
        ));
        let mut counts: std::collections::BTreeMap<W, usize> = Default::default();
        for w in &study.warnings.items {
            *counts.entry(w.kind).or_default() += 1;
        }
        b.push(Block::List(
            counts
                .into_iter()
                .map(|(kind, n)| {
                    let msg = match kind {
                        W::RepairedPolygon => m::WARN_REPAIRED_POLYGON,
                        W::FarFromRoad => m::WARN_FAR_FROM_ROAD,
                        W::DisconnectedRoads => m::WARN_DISCONNECTED_ROADS,
                        W::CellOutsideCommunities => m::WARN_CELL_OUTSIDE,
                        W::SkippedRoad => m::WARN_SKIPPED_ROAD,
                        W::Other => m::WARN_OTHER,
                    };
                    ctx.f(msg, &[("n", n.to_string())])
                })
                .collect(),
        ));
        b.push(Block::Paragraph(ctx.t(m::WARNINGS_DETAIL)));
    }

    Document {
        lang: o.lang,
        title: ctx.t(m::TITLE),
        subtitle: study.scenario.name.clone(),
        blocks: b,
        footer: ctx.f(
            m::FOOTER,
            &[("version", env!("CARGO_PKG_VERSION").to_string())],
        ),
    }
}

/// report.md from the document (the map is left out).
pub fn markdown(doc: &Document) -> String {
    let mut md = format!("# {} · {}\n", doc.title, doc.subtitle);
    for block in &doc.blocks {
        match block {
            Block::Heading(level, _, text) => {
                md.push('\n');
                md.push_str(&"#".repeat(*level as usize));
                md.push(' ');
                md.push_str(text);
                md.push_str("\n\n");
            }
            Block::Paragraph(p) => {
                md.push_str(p);
                md.push_str("\n\n");
            }
            Block::List(items) => {
                for i in items {
                    md.push_str("- ");
                    md.push_str(i);
                    md.push('\n');
                }
                md.push('\n');
            }
            Block::Table(t) => {
                md.push_str(&crate::report::table::markdown(t));
                md.push('\n');
            }
            Block::Map => {}
        }
    }
    md.push_str(&doc.footer);
    md.push('\n');
    md
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_423), (2025, 12, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        use crate::report::settings::parse_date;
        assert_eq!(parse_date("2026-12-01"), Some((2026, 12, 1)));
        assert_eq!(parse_date("2026-13-01"), None);
        assert_eq!(parse_date("1 Dec"), None);
    }

    #[test]
    fn shown_names_are_file_names() {
        assert_eq!(
            shown_name(&PathBuf::from("/a/b/roads.geojson")),
            "roads.geojson"
        );
    }
}
