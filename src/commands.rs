//! The commands behind the command line: each loads a study, runs its stages and writes the
//! outputs atomically. `main.rs` only parses arguments and calls these.

use std::path::{Path, PathBuf};

use crate::coverage::{audit, Audit};
use crate::error::{Error, Result};
use crate::figures::percent;
use crate::io::scenario::{check_p, check_time_limit, ModelName, Scenario, SitingConfig};
use crate::model::FacilityKind;
use crate::output::{check_out_dir, Committed, RunInfo};
use crate::render::{Overlays, RenderOptions};
use crate::report::document::{ReportContext, ReportOptions};
use crate::report::{audit_outputs, OutputSet};
use crate::study::{Study, StudyInputs};

/// What a command wrote, for the message printed at the end.
#[derive(Debug)]
pub struct Written {
    pub files: Vec<PathBuf>,
    /// Files of an earlier run in the output folder that this run does not write, removed.
    pub removed: Vec<PathBuf>,
    pub summary: String,
}

/// The input files of a scenario: the scenario file, every layer and a rule file.
pub fn scenario_inputs(scenario: &Scenario) -> Vec<PathBuf> {
    let mut inputs = vec![
        scenario.path.clone(),
        scenario.communities.path.clone(),
        scenario.facilities.path.clone(),
    ];
    inputs.extend(scenario.population.iter().map(|l| l.path.clone()));
    inputs.extend(scenario.candidates.iter().map(|l| l.path.clone()));
    inputs.extend(scenario.parcels.iter().map(|l| l.path.clone()));
    inputs.extend(scenario.roads.iter().map(|l| l.path.clone()));
    if !scenario.rule_set.origin.starts_with("builtin:") {
        inputs.push(PathBuf::from(&scenario.rule_set.origin));
    }
    inputs
}

/// Checks `--out` against the inputs (it must not hold any) before any work, and returns what
/// the manifest records of the run.
fn prepare(
    command: &str,
    scenario: &Scenario,
    out_dir: &Path,
    extra: &[PathBuf],
) -> Result<RunInfo> {
    let mut inputs = scenario_inputs(scenario);
    inputs.extend(extra.iter().cloned());
    check_out_dir(out_dir, &inputs)?;
    Ok(RunInfo {
        command: command.to_string(),
        scenario: Some(scenario.path.clone()),
        inputs,
    })
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
            "  {:<15} {:>4}/{:<4} communities within {} min ({}), elderly {}",
            k.kind.as_str(),
            t.communities_covered,
            t.communities,
            k.limit_min,
            percent(t.community_share),
            percent(t.elderly_share)
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

/// The study of a scenario and its report options. The input files' SHA-256 (for the report's
/// title block) are computed on a second thread while the network is built and the points are
/// snapped: reading the layers keeps both cores busy, the network build's merge loop and the
/// snapping grid's fill leave one free (a city's roads are tens of MB to hash).
fn study_and_report_options(
    scenario: Scenario,
    read: impl FnOnce(Scenario) -> Result<StudyInputs>,
) -> Result<(Study, ReportOptions)> {
    let copy = scenario.clone();
    let inputs = read(scenario)?;
    std::thread::scope(|s| {
        let options = s.spawn(move || ReportOptions::from_scenario(&copy));
        let study = inputs.prepare();
        let options = options
            .join()
            .map_err(|_| Error::Other("hashing the input files failed".into()))?;
        Ok((study?, options?))
    })
}

/// The Shapefile / GeoPackage copies of the GeoJSON outputs that `[output]` asks for.
fn add_bureau_outputs(study: &Study, out: &mut OutputSet) -> Result<()> {
    let lang = study.scenario.report.lang.unwrap_or_default();
    crate::export::add_bureau_outputs(&study.scenario.output, lang, out)?;
    Ok(())
}

/// The audit's data outputs with the stage's `sections` and the report entry in summary.json,
/// and report.md from the report document (the commands without maps: audit, rules, areas).
fn add_audit_report(
    ctx: &ReportContext,
    sections: Vec<crate::report::Section>,
    out: &mut OutputSet,
) -> Result<()> {
    let mut sections = sections;
    sections.push(ctx.options.section());
    // The report document is built beside the data files.
    let (outputs, doc) = rayon::join(
        || audit_outputs(ctx.study, ctx.audit, &sections, out),
        || crate::report::document::build(ctx),
    );
    outputs?;
    out.add(
        "report.md",
        crate::report::document::markdown(&doc).into_bytes(),
    );
    Ok(())
}

/// `carecircle audit`: the coverage audit of a scenario.
pub fn run_audit(scenario: &Path, out_dir: &Path) -> Result<Written> {
    // The whole scenario (siting, areas and rules included) and --out are checked first.
    let scenario = Scenario::load(scenario)?;
    let run = prepare("audit", &scenario, out_dir, &[])?;
    let (study, report_options) = study_and_report_options(scenario, StudyInputs::read)?;
    print_warnings(&study);
    let result = audit(&study);
    let mut out = OutputSet::for_dir(out_dir);
    add_audit_report(
        &ReportContext::of(&study, &result, &report_options),
        Vec::new(),
        &mut out,
    )?;
    add_bureau_outputs(&study, &mut out)?;
    let summary = audit_headline(&study, &result);
    // The outputs are bytes now: the layers and the graph are freed on another thread while
    // they are written (freeing a city's hundreds of thousands of roads is not free). The
    // thread is not waited for: freeing takes longer than the commit (about 0.06 s of a 0.7 s
    // city audit), and a command-line run that exits first hands the memory back to the
    // system at once; a library caller's memory is freed all the same, moments later.
    std::thread::spawn(move || drop(study));
    let Committed { files, removed } = out.commit_run(out_dir, &run)?;
    Ok(Written {
        files,
        removed,
        summary,
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
    run_stages(scenario, out_dir, render, overlays, RunStages::default())
}

/// Which optional stages `carecircle run` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunStages {
    /// Siting for every target kind (`run --no-siting` leaves it out, with sites.csv,
    /// sites.geojson and the report's siting section).
    pub siting: bool,
}

impl Default for RunStages {
    fn default() -> RunStages {
        RunStages { siting: true }
    }
}

/// `carecircle run` with the stages chosen.
pub fn run_stages(
    scenario: &Path,
    out_dir: &Path,
    render: &RenderOptions,
    overlays: &Overlays,
    stages: RunStages,
) -> Result<Written> {
    // The whole scenario, its rule set included, is checked before the layers are read.
    let scenario = crate::io::scenario::Scenario::load(scenario)?;
    let run = prepare("run", &scenario, out_dir, &[])?;
    let rule_set = scenario.rule_set.clone();
    let (study, report_options) = study_and_report_options(scenario, StudyInputs::read)?;
    print_warnings(&study);
    let result = audit(&study);
    let mut sections = Vec::new();
    let mut out = OutputSet::for_dir(out_dir);

    // Capacity-aware accessibility (2SFCA family) per kind: access.csv, access_facilities.csv.
    let access = crate::access::accessibility(&study, &result, &study.scenario.access);
    sections.push(crate::access::outputs(&study, &result, &access, &mut out)?);

    // Service areas of every facility, per band; the maps show each mapped kind's dissolved
    // area at its time limit.
    let area_options = crate::areas::AreaOptions::from_scenario(&study.scenario)?;
    let bar = crate::progress::bar(study.layers.facilities.len() as u64, "service areas");
    let areas = crate::areas::service_areas(&study, &area_options, &|| bar.inc(1))?;
    bar.finish_and_clear();
    sections.push(crate::report::service_areas::outputs(
        &study, &areas, &mut out,
    )?);
    let mut overlays = overlays.clone();
    for k in &areas.kinds {
        if (k.minutes - study.scenario.limit_for(k.kind)).abs() < 1e-9 {
            overlays
                .service_areas
                .push((k.kind, k.minutes, k.wgs84.clone()));
        }
    }

    // Siting: the model of the scenario's [siting] section (default LSCP) for every target kind.
    let mut plans = Vec::new();
    if stages.siting {
        let model = crate::site_plan::scenario_model(&study)?;
        // `[siting] joint = [...]`: those target kinds share sites (LSCP); the others alone.
        let joint: Vec<_> = study
            .scenario
            .siting
            .joint
            .iter()
            .copied()
            .filter(|k| study.scenario.targets.contains_key(k))
            .collect();
        for &kind in study.scenario.targets.keys() {
            if joint.len() > 1 && joint.contains(&kind) {
                continue;
            }
            let request = crate::site_plan::SitingRequest::new(&study, kind, model)?;
            plans.push(crate::site_plan::plan_sites(&study, &result, &request)?);
        }
        if joint.len() > 1 {
            let request = crate::site_plan::SitingRequest::new(&study, joint[0], model)?;
            let (joint_plans, _) = crate::site_plan::plan_joint(
                &study,
                &result,
                &joint,
                &request,
                study.scenario.siting.cost_per_kind,
            )?;
            plans.extend(joint_plans);
        }
        sections.push(crate::report::sites::outputs(&study, &plans, &mut out)?);
    }
    for plan in &plans {
        overlays.new_sites.extend(plan.new_sites());
    }

    let rule_results = crate::rules::evaluate(&study, &result, &rule_set);
    let tally = crate::rules::Tally::of(&rule_results);
    sections.push(crate::rules::outputs(
        &rule_set,
        &rule_results,
        report_options.lang,
        &mut out,
    )?);
    sections.push(report_options.section());
    crate::report::audit_outputs_with_access(&study, &result, Some(&access), &sections, &mut out)?;
    let ctx = ReportContext {
        areas: Some(&areas),
        plans: &plans,
        rules: Some((&rule_set, &rule_results)),
        access: Some(&access),
        ..ReportContext::of(&study, &result, &report_options)
    };
    let notices = crate::html::maps_and_report(&ctx, &overlays, render, &mut out)?;
    for n in &notices {
        eprintln!("note: {n}");
    }
    // The analytics maps: accessibility per kind, and the residential parcels.
    let mut analytics_render = render.clone();
    if analytics_render.attribution.is_empty() {
        analytics_render.attribution = crate::render::default_attribution(&study);
    }
    // Their notices (the font's) are those the maps above printed already.
    crate::render::analytics::access_maps(
        &study,
        &result,
        &access,
        &overlays,
        &analytics_render,
        &mut out,
    )?;
    crate::render::analytics::parcels_map(
        &study,
        &result,
        &rule_results,
        &overlays,
        &analytics_render,
    )?
    .add_to(&mut out);
    add_bureau_outputs(&study, &mut out)?;
    let Committed { files, removed } = out.commit_run(out_dir, &run)?;
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
    Ok(Written {
        files,
        removed,
        summary,
    })
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
    let scenario = crate::io::scenario::Scenario::load_with_ruleset(scenario, ruleset)?;
    let run = prepare("rules", &scenario, out_dir, &[])?;
    let set = scenario.rule_set.clone();
    let (study, report_options) = study_and_report_options(scenario, StudyInputs::read)?;
    print_warnings(&study);
    let result = audit(&study);
    let results = crate::rules::evaluate(&study, &result, &set);
    let tally = crate::rules::Tally::of(&results);
    let mut out = OutputSet::for_dir(out_dir);
    let section = crate::rules::outputs(&set, &results, report_options.lang, &mut out)?;
    add_audit_report(
        &ReportContext {
            rules: Some((&set, &results)),
            ..ReportContext::of(&study, &result, &report_options)
        },
        vec![section],
        &mut out,
    )?;
    add_bureau_outputs(&study, &mut out)?;
    let Committed { files, removed } = out.commit_run(out_dir, &run)?;
    let summary = format!(
        "{}\n  rules ({}): {} pass, {} fail, {} not checked (see rules.csv)",
        audit_headline(&study, &result),
        set.name,
        tally.pass,
        tally.fail,
        tally.not_checked
    );
    Ok(RulesRun {
        written: Written {
            files,
            removed,
            summary,
        },
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
        removed: Vec::new(),
        summary: set.listing(crate::i18n::Lang::En),
    })
}

/// The `site` command's flags as given on the command line; [`SiteFlags::check`] turns them,
/// with the scenario's `[siting]` settings, into a [`SiteJob`] before any work.
#[derive(Debug, Clone, Default)]
pub struct SiteFlags {
    /// Facility kind (day_care, ... or the Chinese name).
    pub kind: String,
    /// lscp | mclp | pmedian; default the scenario's `[siting] model`, else lscp.
    pub model: Option<String>,
    /// Number of new sites (mclp, pmedian); default the scenario's `[siting] p`.
    pub p: Option<usize>,
    pub capacity: bool,
    pub exact: bool,
    /// Seconds; overrides `[siting] time_limit_s`.
    pub time_limit: Option<f64>,
    pub matrix: Option<PathBuf>,
    /// Metres; overrides `[siting] candidate_spacing_m`.
    pub candidate_spacing: Option<f64>,
    /// Also write certificate.json and certificate_reach.csv (the proof summary and the table
    /// it refers to).
    pub certificate: bool,
}

/// A checked siting job: the kind, the model and the `[siting]` settings with the flags
/// applied.
#[derive(Debug, Clone)]
pub struct SiteJob {
    pub kind: FacilityKind,
    /// Kinds sited together (`--kind a,b`); empty for one kind.
    pub joint: Vec<FacilityKind>,
    pub model: crate::siting::Model,
    pub siting: SitingConfig,
    pub capacitated: bool,
    pub method: crate::siting::Method,
    pub matrix: Option<PathBuf>,
}

impl SiteFlags {
    /// Checks the flags against the scenario; every problem is a [`Error::Usage`] (exit 2).
    pub fn check(&self, scenario: &Scenario) -> Result<SiteJob> {
        let usage = |m: String| Error::Usage(m);
        // `--kind day_care,canteen` sites several kinds together.
        let mut kinds = Vec::new();
        for name in self.kind.split(',').map(str::trim) {
            let kind = FacilityKind::parse(name).ok_or_else(|| {
                let names: Vec<&str> = FacilityKind::ALL.iter().map(|k| k.as_str()).collect();
                let close = crate::io::scenario::closest_key(name, &names)
                    .map(|c| format!(" (did you mean {c}?)"))
                    .unwrap_or_default();
                usage(format!(
                    "--kind {name} is not a facility kind{close}; accepted kinds are {}",
                    FacilityKind::accepted_list()
                ))
            })?;
            if kinds.contains(&kind) {
                return Err(usage(format!("--kind names {name} twice")));
            }
            kinds.push(kind);
        }
        let kind = kinds[0];
        let mut siting = scenario.siting.clone();
        if let Some(m) = &self.model {
            siting.model = ModelName::parse(m).map_err(|e| usage(format!("--model: {e}")))?;
        }
        if let Some(p) = self.p {
            siting.p = Some(
                check_p(i64::try_from(p).unwrap_or(i64::MAX))
                    .map_err(|e| usage(format!("--p {e}")))?,
            );
        }
        if let Some(t) = self.time_limit {
            siting.time_limit_s =
                check_time_limit(t).map_err(|e| usage(format!("--time-limit {e}")))?;
        }
        if let Some(s) = self.candidate_spacing {
            if !(s.is_finite() && s > 0.0) {
                return Err(usage(format!(
                    "--candidate-spacing {s} must be a positive number of metres"
                )));
            }
            siting.candidate_spacing_m = s;
        }
        let model = match (siting.model.needs_p(), siting.p) {
            (false, _) => crate::siting::Model::Lscp,
            (true, Some(p)) => crate::site_plan::model_of(siting.model, p),
            (true, None) => {
                return Err(usage(format!(
                    "--model {} needs the number of new sites: give --p N (or [siting] p in the scenario)",
                    siting.model.as_str()
                )))
            }
        };
        if let Some(m) = &self.matrix {
            // A regular file within the size limit, checked before any work.
            crate::io::open_input(m, crate::io::input_limits())?;
        }
        if self.capacity && siting.model == ModelName::PCenter {
            return Err(usage(
                "--capacity works with --model lscp, mclp or pmedian, not pcenter".to_string(),
            ));
        }
        let method = if !self.exact {
            crate::siting::Method::Heuristic
        } else if cfg!(feature = "highs") {
            crate::siting::Method::ExactHighs
        } else {
            crate::siting::Method::Exact
        };
        if kinds.len() > 1 && (model != crate::siting::Model::Lscp || self.capacity) {
            return Err(usage(
                "several kinds (--kind a,b) are sited together with the uncapacitated lscp \
                 model only"
                    .to_string(),
            ));
        }
        Ok(SiteJob {
            joint: if kinds.len() > 1 { kinds } else { Vec::new() },
            kind,
            model,
            siting,
            capacitated: self.capacity,
            method,
            matrix: self.matrix.clone(),
        })
    }
}

impl SiteJob {
    /// The siting request of this job.
    pub fn request(&self) -> crate::site_plan::SitingRequest {
        let mut request =
            crate::site_plan::SitingRequest::from_config(self.kind, self.model, &self.siting);
        request.capacitated = self.capacitated;
        request.method = self.method;
        request.matrix = self.matrix.clone();
        request
    }

    /// A capacitated job needs a capacity for every candidate: from the candidates layer's
    /// `capacity` field or `[siting] default_capacity`. Checked once the layers are read,
    /// before any search.
    pub fn check_capacities(&self, study: &Study) -> Result<()> {
        if !self.capacitated || self.siting.default_capacity.is_some() {
            return Ok(());
        }
        let lacking = if study.layers.candidates.is_empty() {
            None
        } else {
            study
                .layers
                .candidates
                .iter()
                .find(|c| {
                    c.capacity.is_none()
                        && crate::site_plan::candidate_places(
                            c,
                            study.scenario.access.area_per_place_m2,
                        )
                        .is_none()
                })
                .map(|c| c.id.clone())
        };
        let from_layer = !study.layers.candidates.is_empty();
        if from_layer && lacking.is_none() {
            return Ok(());
        }
        let what = match lacking {
            Some(id) => format!(
                "candidate {id} of {} has no capacity",
                study
                    .scenario
                    .candidates
                    .as_ref()
                    .map(|c| c.path.display().to_string())
                    .unwrap_or_default()
            ),
            None => "the candidates drawn from the road network have no capacity".to_string(),
        };
        Err(Error::Input(crate::InputError::file(
            &study.scenario.path,
            crate::Problem::Scenario(format!(
                "site --capacity: {what}; give one with [siting] default_capacity = N in the                  scenario, or map a capacity field in [layers.candidates] fields = {{ capacity                  = \"...\" }}"
            )),
        )))
    }
}

/// `carecircle site`: the best new sites for one kind, with the audit outputs, sites.csv,
/// sites.geojson, the before/after map and report.html. The flags are checked with the
/// scenario before any layer is read.
pub fn run_site(
    scenario: &Path,
    flags: &SiteFlags,
    out_dir: &Path,
    render: &RenderOptions,
) -> Result<Written> {
    let scenario = Scenario::load(scenario)?;
    let job = flags.check(&scenario)?;
    let run = prepare("site", &scenario, out_dir, job.matrix.as_slice())?;
    let (study, report_options) = study_and_report_options(scenario, |scenario| {
        match &job.matrix {
            // A travel matrix may stand in for the roads (a matrix-only scenario).
            Some(_) => StudyInputs::read_without_roads(scenario),
            None => StudyInputs::read(scenario),
        }
    })?;
    job.check_capacities(&study)?;
    print_warnings(&study);
    let result = match &job.matrix {
        Some(path) if study.scenario.roads.is_none() => {
            if study.layers.candidates.is_empty() {
                return Err(crate::InputError::file(
                    &study.scenario.path,
                    crate::Problem::Scenario(
                        "without [layers.roads], candidate sites come from \
                         [layers.candidates] (the road nodes are not known)"
                            .into(),
                    ),
                )
                .into());
            }
            let candidates = &study.layers.candidates;
            let table = crate::site_plan::read_matrix(&study, path, candidates, f64::INFINITY)?;
            crate::coverage::audit_from_matrix(&study, &table)
        }
        _ => audit(&study),
    };
    let request = job.request();
    let plans = if job.joint.is_empty() {
        vec![crate::site_plan::plan_sites(&study, &result, &request)?]
    } else {
        let (plans, joint) = crate::site_plan::plan_joint(
            &study,
            &result,
            &job.joint,
            &request,
            job.siting.cost_per_kind,
        )?;
        eprintln!(
            "joint siting: {} distinct sites (cost {:.2}, bound {:.2}); each kind alone: {} \
             sites (cost {:.2})",
            joint.sites.len(),
            joint.cost,
            joint.bound,
            joint.separate_sites.len(),
            joint.separate_cost
        );
        plans
    };
    let mut out = OutputSet::for_dir(out_dir);
    let section = crate::report::sites::outputs(&study, &plans, &mut out)?;
    audit_outputs(
        &study,
        &result,
        &[section, report_options.section()],
        &mut out,
    )?;
    let overlays = Overlays {
        new_sites: plans.iter().flat_map(|p| p.new_sites()).collect(),
        ..Overlays::default()
    };
    let ctx = ReportContext {
        plans: &plans,
        ..ReportContext::of(&study, &result, &report_options)
    };
    let notices = crate::html::maps_and_report(&ctx, &overlays, render, &mut out)?;
    for n in &notices {
        eprintln!("note: {n}");
    }
    add_bureau_outputs(&study, &mut out)?;
    if flags.certificate {
        // One pair of files per kind; a kind sited alone gets the plain names.
        for plan in &plans {
            let suffix = if plans.len() > 1 {
                format!("_{}", plan.kind.as_str())
            } else {
                String::new()
            };
            let reach_name = format!("certificate_reach{suffix}.csv");
            let cert = crate::report::sites::certificate_json(&study, plan, &reach_name);
            out.add(&format!("certificate{suffix}.json"), cert);
            out.add(&reach_name, crate::report::sites::reach_csv(&study, plan)?);
        }
    }
    let Committed { files, removed } = out.commit_run(out_dir, &run)?;
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
        plan.elderly_covered_before,
        plan.elderly_covered_after
    );
    Ok(Written {
        files,
        removed,
        summary,
    })
}

/// `carecircle areas`: service-area polygons of every facility (service_areas.geojson) and the
/// audit outputs with the service-area section. `bands` (minutes) overrides the scenario's.
pub fn run_areas(scenario: &Path, out_dir: &Path, bands: Option<&[f64]>) -> Result<Written> {
    use crate::areas::{check_bands, service_areas, AreaOptions};
    let scenario = Scenario::load(scenario)?;
    let mut options = AreaOptions::from_scenario(&scenario)?;
    if let Some(b) = bands {
        options.bands = check_bands(b).map_err(|e| Error::Usage(format!("--{e}")))?;
    }
    let run = prepare("areas", &scenario, out_dir, &[])?;
    let (study, report_options) = study_and_report_options(scenario, StudyInputs::read)?;
    print_warnings(&study);
    let result = audit(&study);
    let bar = crate::progress::bar(study.layers.facilities.len() as u64, "service areas");
    let areas = service_areas(&study, &options, &|| bar.inc(1))?;
    bar.finish_and_clear();
    let mut out = OutputSet::for_dir(out_dir);
    let section = crate::report::service_areas::outputs(&study, &areas, &mut out)?;
    add_audit_report(
        &ReportContext {
            areas: Some(&areas),
            ..ReportContext::of(&study, &result, &report_options)
        },
        vec![section],
        &mut out,
    )?;
    add_bureau_outputs(&study, &mut out)?;
    let Committed { files, removed } = out.commit_run(out_dir, &run)?;
    let mut summary = audit_headline(&study, &result);
    for k in &areas.kinds {
        summary.push_str(&format!(
            "\n  {:<15} {:>4} min area: {} of the district, {} of elderly people",
            k.kind.as_str(),
            k.minutes,
            percent(k.district_area_share),
            percent(k.elderly_share)
        ));
    }
    Ok(Written {
        files,
        removed,
        summary,
    })
}

/// `carecircle compare`: two runs compared per community, street and district: either two
/// earlier output folders (`runs` = base, plan) or two scenarios run now (`scenarios`).
pub fn run_compare(runs: &[PathBuf], scenarios: &[PathBuf], out_dir: &Path) -> Result<Written> {
    use crate::compare::{compare, outputs, Snapshot};
    let usage = |msg: &str| -> crate::Error {
        crate::InputError::file(Path::new("compare"), crate::Problem::Other(msg.to_string())).into()
    };
    let load = |path: &Path| -> Result<(Study, crate::coverage::Audit)> {
        let scenario = crate::io::scenario::Scenario::load(path)?;
        let study = Study::from_scenario(scenario)?;
        print_warnings(&study);
        let result = audit(&study);
        Ok((study, result))
    };
    // The plan's study, when known, draws the map of gains and losses.
    let (base, plan, plan_study) = match (runs, scenarios) {
        ([base, plan_dir], []) => {
            let (base, plan) = (Snapshot::read_dir(base)?, Snapshot::read_dir(plan_dir)?);
            // The plan run's manifest names its scenario; without it (or its layers) there is
            // no geometry to map, and the comparison is still written.
            let study = plan_scenario(plan_dir).and_then(|s| match load(&s) {
                Ok(loaded) => Some(loaded),
                Err(e) => {
                    eprintln!(
                        "note: no comparison map: the plan's scenario {}: {e}",
                        s.display()
                    );
                    None
                }
            });
            (base, plan, study)
        }
        ([], [a, b]) => {
            let snapshot = |(study, result): &(Study, crate::coverage::Audit)| {
                let access = crate::access::accessibility(study, result, &study.scenario.access);
                Snapshot::from_run(study, result, Some(&access))
            };
            let base = load(a)?;
            let plan = load(b)?;
            (snapshot(&base), snapshot(&plan), Some(plan))
        }
        _ => {
            return Err(usage(
                "give two output folders (compare BASE_DIR PLAN_DIR) or two scenarios \
                 (compare --scenario A.toml --scenario B.toml)",
            ))
        }
    };
    let cmp = compare(&base, &plan);
    let mut out = OutputSet::for_dir(out_dir);
    // compare.md in the plan scenario's report language (Chinese when it is not known).
    let lang = plan_study
        .as_ref()
        .and_then(|(study, _)| study.scenario.report.lang)
        .unwrap_or_default();
    outputs(&cmp, lang, &mut out)?;
    if let Some((study, result)) = &plan_study {
        let render = crate::render::RenderOptions {
            attribution: crate::render::default_attribution(study),
            ..crate::render::RenderOptions::default()
        };
        let mut maps = crate::render::analytics::compare_maps(study, result, &cmp, &render)?;
        for n in &maps.notices {
            eprintln!("note: {n}");
        }
        maps.add_to(&mut out);
    }
    let files = out.commit(out_dir)?;
    let mut summary = format!("compare {} -> {}", cmp.base_source, cmp.plan_source);
    for (kind, g) in &cmp.district {
        summary.push_str(&format!(
            "\n  {:<15} communities covered {} -> {} of {}, elderly {:.0} -> {:.0}",
            kind.as_str(),
            g.covered_base,
            g.covered_plan,
            g.communities,
            g.elderly_covered_base,
            g.elderly_covered_plan
        ));
    }
    Ok(Written {
        files,
        removed: Vec::new(),
        summary,
    })
}

/// The scenario a run's output folder was made from (its outputs.json manifest), if it still
/// exists.
fn plan_scenario(dir: &Path) -> Option<PathBuf> {
    let bytes = std::fs::read(dir.join("outputs.json")).ok()?;
    let manifest: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let path = PathBuf::from(manifest["scenario"].as_str()?);
    path.is_file().then_some(path)
}
