//! The commands behind the command line: each loads a study, runs its stages and writes the
//! outputs atomically. `main.rs` only parses arguments and calls these.

use std::path::{Path, PathBuf};

use crate::coverage::{audit, Audit};
use crate::error::Result;
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
    let areas = service_areas(&study, &options, &|| bar.inc(1));
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
