//! The commands behind the command line: each loads a study, runs its stages and writes the
//! outputs atomically. `main.rs` only parses arguments and calls these.

use std::path::{Path, PathBuf};

use crate::coverage::{audit, Audit};
use crate::error::Result;
use crate::render::{Overlays, RenderOptions};
use crate::report::{audit_outputs, OutputSet};
use crate::study::Study;

/// What a command wrote, for the message printed at the end.
#[derive(Debug)]
pub struct Written {
    pub files: Vec<PathBuf>,
    pub summary: String,
}

/// A short plain-text summary of an audit for the terminal.
pub fn audit_headline(study: &Study, audit: &Audit) -> String {
    let mut lines = vec![format!(
        "{}: {} communities, {} facilities, network {} nodes / {} edges",
        study.scenario.name,
        study.layers.communities.len(),
        study.layers.facilities.len(),
        study.graph.node_count(),
        study.graph.edge_count()
    )];
    for k in &audit.kinds {
        let t = audit.totals(k, |_| true);
        lines.push(format!(
            "  {:<15} {:>4}/{:<4} communities within {} min ({:.1} %), elderly {:.1} %",
            k.kind.as_str(),
            t.communities_covered,
            t.communities,
            k.limit_min,
            100.0 * t.community_share,
            100.0 * t.elderly_share
        ));
    }
    if !study.warnings.items.is_empty() {
        lines.push(format!(
            "  {} warnings (see report.md and summary.json)",
            study.warnings.items.len()
        ));
    }
    lines.join("\n")
}

/// `carecircle audit`: the coverage audit of a scenario.
pub fn run_audit(scenario: &Path, out_dir: &Path) -> Result<Written> {
    let study = Study::load(scenario)?;
    print_warnings(&study);
    let result = audit(&study);
    let mut out = OutputSet::new();
    audit_outputs(&study, &result, &[], &mut out)?;
    let files = out.commit(out_dir)?;
    Ok(Written {
        files,
        summary: audit_headline(&study, &result),
    })
}

/// Warnings go to stderr as they are found worth telling; they are also counted in
/// summary.json.
pub fn print_warnings(study: &Study) {
    for w in &study.warnings.items {
        eprintln!("warning: {}", w.message);
    }
}

/// `carecircle run`: every stage on a scenario, into one folder.
pub fn run_all(scenario: &Path, out_dir: &Path) -> Result<Written> {
    run_all_with(
        scenario,
        out_dir,
        &RenderOptions::default(),
        &Overlays::default(),
    )
}

/// `carecircle run` with map options (`--font`, attribution) and overlays known to the caller
/// (the demo's district boundary).
pub fn run_all_with(
    scenario: &Path,
    out_dir: &Path,
    render: &RenderOptions,
    overlays: &Overlays,
) -> Result<Written> {
    let scenario = crate::io::scenario::Scenario::load(scenario)?;
    // The rule set is read before the layers, so a bad rule file fails fast.
    let rule_set = crate::rules::RuleSet::for_scenario(&scenario, None)?;
    let study = Study::from_scenario(scenario)?;
    print_warnings(&study);
    let result = audit(&study);
    let mut sections = Vec::new();
    let mut out = OutputSet::new();

    // Service areas of every facility, per band; the maps show each mapped kind's dissolved
    // area at its time limit.
    let area_options = crate::areas::AreaOptions::from_scenario(&study.scenario)?;
    let bar = crate::progress::bar(study.layers.facilities.len() as u64, "service areas");
    let areas = crate::areas::service_areas(&study, &area_options, &|| bar.inc(1))?;
    bar.finish_and_clear();
    sections.push(crate::areas::outputs(&study, &areas, &mut out)?);
    let mut overlays = overlays.clone();
    for k in &areas.kinds {
        if (k.minutes - study.scenario.limit_for(k.kind)).abs() < 1e-9 {
            overlays.service_areas.push((
                k.kind,
                k.minutes,
                crate::areas::to_wgs84(&study.graph, &k.polygon),
            ));
        }
    }

    // Siting: the model of the scenario's [siting] section (default LSCP) for every target kind.
    let model = crate::site_plan::scenario_model(&study)?;
    let mut plans = Vec::new();
    for &kind in study.scenario.targets.keys() {
        let request = crate::site_plan::SitingRequest::new(&study, kind, model)?;
        plans.push(crate::site_plan::plan_sites(&study, &result, &request)?);
    }
    sections.push(crate::site_plan::outputs(&study, &plans, &mut out)?);
    for plan in &plans {
        overlays.new_sites.extend(plan.new_sites());
    }

    let rule_results = crate::rules::evaluate(&study, &result, &rule_set);
    let tally = crate::rules::Tally::of(&rule_results);
    sections.push(crate::rules::outputs(&rule_set, &rule_results, &mut out)?);
    audit_outputs(&study, &result, &sections, &mut out)?;
    let html_sections = [
        crate::site_plan::html_section(&study, &plans),
        crate::rules::html_section(&rule_set, &rule_results),
    ];
    let maps =
        crate::html::maps_and_report(&study, &result, &overlays, render, &html_sections, &mut out)?;
    for n in &maps.notices {
        eprintln!("note: {n}");
    }
    let files = out.commit(out_dir)?;
    let mut summary = audit_headline(&study, &result);
    for plan in &plans {
        let (before, after) = plan.communities_covered();
        summary.push_str(&format!(
            "\n  sites {:<9} {} new ({}, gap {:.2} %): communities covered {} -> {}",
            plan.kind.as_str(),
            plan.solution.chosen.len(),
            plan.solution.model,
            100.0 * plan.solution.gap,
            before,
            after
        ));
    }
    summary.push_str(&format!(
        "\n  rules ({}): {} pass, {} fail, {} not checked (see rules.csv)",
        rule_set.name, tally.pass, tally.fail, tally.not_checked
    ));
    Ok(Written { files, summary })
}

/// `carecircle demo`: writes the demo district (浔阳区, generated layers inside the real
/// boundary) into `out_dir/data` and runs every stage on it into `out_dir`.
pub fn run_demo(out_dir: &Path) -> Result<Written> {
    run_demo_with(out_dir, &crate::render::demo_render_options())
}

/// `carecircle demo` with map options (`--font`).
pub fn run_demo_with(out_dir: &Path, render: &RenderOptions) -> Result<Written> {
    let scenario = crate::demo::write_demo_data(&out_dir.join("data"))?;
    let mut written = run_all_with(&scenario, out_dir, render, &crate::render::demo_overlays())?;
    written.files.insert(0, scenario);
    Ok(written)
}

/// What `carecircle rules` wrote, with the number of failing subjects.
#[derive(Debug)]
pub struct RulesRun {
    pub written: Written,
    pub tally: crate::rules::Tally,
    /// True when `fail_on_violation` was asked and some rule failed: the command then exits
    /// with [`crate::rules::VIOLATION_EXIT_CODE`] (after writing the outputs).
    pub violation: bool,
}

/// `carecircle rules`: checks a scenario against a rule set (`ruleset`: a built-in name or a
/// file; default the scenario's `[rules] ruleset`, else cn-eldercare) and writes rules.csv
/// with the audit outputs. The rule set is read before the layers, so a bad rule file fails
/// fast and writes nothing.
pub fn run_rules(
    scenario: &Path,
    ruleset: Option<&str>,
    out_dir: &Path,
    fail_on_violation: bool,
) -> Result<RulesRun> {
    let scenario = crate::io::scenario::Scenario::load(scenario)?;
    let set = crate::rules::RuleSet::for_scenario(&scenario, ruleset)?;
    let study = Study::from_scenario(scenario)?;
    print_warnings(&study);
    let result = audit(&study);
    let results = crate::rules::evaluate(&study, &result, &set);
    let tally = crate::rules::Tally::of(&results);
    let mut out = OutputSet::new();
    let section = crate::rules::outputs(&set, &results, &mut out)?;
    audit_outputs(&study, &result, &[section], &mut out)?;
    let files = out.commit(out_dir)?;
    let summary = format!(
        "{}\n  rules ({}): {} pass, {} fail, {} not checked (see rules.csv)",
        audit_headline(&study, &result),
        set.name,
        tally.pass,
        tally.fail,
        tally.not_checked
    );
    Ok(RulesRun {
        written: Written { files, summary },
        tally,
        violation: fail_on_violation && tally.fail > 0,
    })
}

/// `carecircle rules --list`: the rules of a rule set in words.
pub fn list_rules(ruleset: Option<&str>) -> Result<Written> {
    let set = match ruleset {
        Some(s) => crate::rules::RuleSet::resolve(s, Path::new("."))?,
        None => crate::rules::RuleSet::builtin("cn-eldercare")?,
    };
    Ok(Written {
        files: Vec::new(),
        summary: set.listing(),
    })
}

/// `carecircle site`: the best new sites for one kind, with the audit outputs, sites.csv,
/// sites.geojson, the before/after map and report.html.
pub fn run_site(
    scenario: &Path,
    request: impl FnOnce(&Study) -> Result<crate::site_plan::SitingRequest>,
    out_dir: &Path,
    render: &RenderOptions,
) -> Result<Written> {
    let study = Study::load(scenario)?;
    print_warnings(&study);
    let result = audit(&study);
    let request = request(&study)?;
    let plan = crate::site_plan::plan_sites(&study, &result, &request)?;
    let plans = [plan];
    let mut out = OutputSet::new();
    let section = crate::site_plan::outputs(&study, &plans, &mut out)?;
    audit_outputs(&study, &result, &[section], &mut out)?;
    let overlays = Overlays {
        new_sites: plans[0].new_sites(),
        ..Overlays::default()
    };
    let html_sections = [crate::site_plan::html_section(&study, &plans)];
    let maps =
        crate::html::maps_and_report(&study, &result, &overlays, render, &html_sections, &mut out)?;
    for n in &maps.notices {
        eprintln!("note: {n}");
    }
    let files = out.commit(out_dir)?;
    let plan = &plans[0];
    let s = &plan.solution;
    let (before, after) = plan.communities_covered();
    let summary = format!(
        "{}\n  sites {}: {} new by {} ({}); objective {:.2}, bound {:.2}, gap {:.2} %; \
         communities covered {} -> {}, elderly {:.0} -> {:.0}",
        audit_headline(&study, &result),
        plan.kind.as_str(),
        s.chosen.len(),
        s.model,
        s.method,
        s.objective,
        s.bound,
        100.0 * s.gap,
        before,
        after,
        s.covered_before,
        s.covered_after
    );
    Ok(Written { files, summary })
}

/// `carecircle areas`: service-area polygons of every facility (service_areas.geojson) and the
/// audit outputs with the service-area section. `bands` (minutes) overrides the scenario's.
pub fn run_areas(scenario: &Path, out_dir: &Path, bands: Option<&[f64]>) -> Result<Written> {
    use crate::areas::{check_bands, service_areas, AreaOptions};
    let study = Study::load(scenario)?;
    let mut options = AreaOptions::from_scenario(&study.scenario)?;
    if let Some(b) = bands {
        options.bands = check_bands(b)
            .map_err(|e| crate::InputError::file(Path::new("--bands"), crate::Problem::Other(e)))?;
    }
    print_warnings(&study);
    let result = audit(&study);
    let bar = crate::progress::bar(study.layers.facilities.len() as u64, "service areas");
    let areas = service_areas(&study, &options, &|| bar.inc(1))?;
    bar.finish_and_clear();
    let mut out = OutputSet::new();
    let section = crate::areas::outputs(&study, &areas, &mut out)?;
    audit_outputs(&study, &result, &[section], &mut out)?;
    let files = out.commit(out_dir)?;
    let mut summary = audit_headline(&study, &result);
    for k in &areas.kinds {
        summary.push_str(&format!(
            "\n  {:<15} {:>4} min area: {:.1} % of the district, {:.1} % of elderly people",
            k.kind.as_str(),
            k.minutes,
            100.0 * k.district_area_share,
            100.0 * k.elderly_share
        ));
    }
    Ok(Written { files, summary })
}
