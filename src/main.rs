//! The `carecircle` command line: parses arguments and calls the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "carecircle",
    version,
    about = "Plan elderly-care facilities: 15-minute service circles over the road network"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// A TrueType/OpenType font for map labels (default: the built-in WenQuanYi Micro Hei
    /// subset, which covers GB 2312).
    #[arg(long, global = true, value_name = "FILE")]
    font: Option<PathBuf>,
    /// Largest input file accepted, in MiB (default 2048): layers, scenario, rule files,
    /// matrices and fonts larger than this are refused before they are read.
    #[arg(long, global = true, value_name = "MB")]
    max_input_mb: Option<f64>,
}

#[derive(Subcommand)]
enum Command {
    /// Write the demo district (浔阳区, with generated roads, populations and facilities) and
    /// run every stage on it.
    Demo {
        /// Folder for the demo data (in DIR/data) and the outputs.
        #[arg(long, short, default_value = "out")]
        out: PathBuf,
    },
    /// Every stage on a scenario: audit, service areas, siting for each target kind, rules,
    /// maps and report.html.
    Run {
        /// The scenario file (TOML).
        #[arg(long, short)]
        scenario: PathBuf,
        /// Folder for the outputs.
        #[arg(long, short, default_value = "out")]
        out: PathBuf,
        /// Leave siting out (no sites.csv / sites.geojson): the audit, service areas, rules,
        /// maps and report only.
        #[arg(long)]
        no_siting: bool,
    },
    /// Best new sites for a facility kind (existing facilities stay): lscp = fewest sites for
    /// full coverage, mclp = most elderly covered with p sites, pmedian = least total
    /// elderly-weighted minutes with p sites.
    Site {
        /// The scenario file (TOML).
        #[arg(long, short)]
        scenario: PathBuf,
        /// Facility kind to site (day_care, canteen, ... or the Chinese name).
        #[arg(long, short)]
        kind: String,
        /// lscp | mclp | pmedian (default: the scenario's [siting] model, else lscp)
        #[arg(long, short)]
        model: Option<String>,
        /// Number of new sites (mclp, pmedian; default: the scenario's [siting] p).
        #[arg(long)]
        p: Option<usize>,
        /// Respect capacities (existing facilities' capacity field, candidates' capacity or
        /// the scenario's [siting] default_capacity); lscp, mclp and pmedian.
        #[arg(long)]
        capacity: bool,
        /// Solve the integer program exactly (good_lp + microlp; HiGHS when built with the
        /// `highs` feature) instead of the heuristic with its Lagrangian bound.
        #[arg(long)]
        exact: bool,
        /// Stop any method after this many seconds with its best answer (at most 30 days;
        /// default: the scenario's [siting] time_limit_s, else 60).
        #[arg(long)]
        time_limit: Option<f64>,
        /// A travel matrix CSV (community id, site id, minutes or metres) instead of the roads.
        #[arg(long)]
        matrix: Option<PathBuf>,
        /// Spacing of candidates drawn from the road graph when there is no candidates layer.
        #[arg(long)]
        candidate_spacing: Option<f64>,
        /// Also write certificate.json (objective, bound, gap and the evidence behind the
        /// bound: the LSCP reductions and components, or the MCLP / p-median multipliers that
        /// anyone can re-check) and certificate_reach.csv (the table it refers to).
        #[arg(long)]
        certificate: bool,
        /// Folder for the outputs.
        #[arg(long, short, default_value = "out")]
        out: PathBuf,
    },
    /// Coverage audit: which communities and how many elderly people each facility kind
    /// reaches within the limit, per street and for the district.
    Audit {
        /// The scenario file (TOML).
        #[arg(long, short)]
        scenario: PathBuf,
        /// Folder for the outputs.
        #[arg(long, short, default_value = "out")]
        out: PathBuf,
    },
    /// Planning-rule checks (rules.csv and a report section): elderly-service rooms of new
    /// residential communities, a service center in every street, day-care coverage, ...
    /// Exit status 3 with --fail-on-violation when a rule fails.
    Rules {
        /// The scenario file (TOML).
        #[arg(long, short, required_unless_present = "list")]
        scenario: Option<PathBuf>,
        /// A built-in rule set (cn-eldercare) or a rule file; default: the scenario's
        /// [rules] ruleset, else cn-eldercare.
        #[arg(long)]
        ruleset: Option<String>,
        /// Folder for the outputs.
        #[arg(long, short, default_value = "out")]
        out: PathBuf,
        /// Exit with status 3 when any rule fails (the outputs are still written), so the
        /// check can gate an approval pipeline.
        #[arg(long)]
        fail_on_violation: bool,
        /// Print the rules of the rule set (default cn-eldercare) and exit.
        #[arg(long)]
        list: bool,
    },
    /// Compare two runs per community, street and district: the change in minutes, coverage
    /// and accessibility per kind (compare.csv, compare.md, compare.json). Give two earlier
    /// output folders (BASE_DIR PLAN_DIR) or two scenarios (--scenario A --scenario B).
    Compare {
        /// Two output folders of earlier runs: the base, then the plan.
        runs: Vec<PathBuf>,
        /// Two scenarios to run now: the base, then the plan.
        #[arg(long = "scenario")]
        scenarios: Vec<PathBuf>,
        /// Folder for the outputs.
        #[arg(long, short, default_value = "out")]
        out: PathBuf,
    },
    /// What a bureau's files hold (geometry, count, CRS, extent, fields with samples), and a
    /// proposed scenario with --write: `inspect --write scenario.toml FILES...`, then `run`.
    Inspect {
        /// Layer files: .shp, .gpkg (every layer), .geojson, .csv, .xlsx.
        paths: Vec<PathBuf>,
        /// Write a proposed scenario mapping the fields by their Chinese or English names.
        #[arg(long, value_name = "SCENARIO")]
        write: Option<PathBuf>,
    },
    /// Service areas: the area each facility reaches on foot within each time band, as
    /// polygons (service_areas.geojson), with the audit outputs.
    Areas {
        /// The scenario file (TOML).
        #[arg(long, short)]
        scenario: PathBuf,
        /// Folder for the outputs.
        #[arg(long, short, default_value = "out")]
        out: PathBuf,
        /// Time bands in minutes, e.g. 5,10,15 (default: the scenario's [areas] bands).
        #[arg(long, value_delimiter = ',')]
        bands: Option<Vec<f64>>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(mb) = cli.max_input_mb {
        match carecircle::io::InputLimits::from_mb(mb) {
            Ok(limits) => carecircle::io::set_input_limits(limits),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(carecircle::error::INPUT_EXIT_CODE);
            }
        }
    }
    let mut success = ExitCode::SUCCESS;
    use carecircle::render::{demo_render_options, Overlays, RenderOptions};
    let result = match cli.command {
        Command::Demo { out } => {
            let render = RenderOptions {
                font: cli.font,
                ..demo_render_options()
            };
            carecircle::commands::run_demo_with(&out, &render)
        }
        Command::Run {
            scenario,
            out,
            no_siting,
        } => {
            let render = RenderOptions {
                font: cli.font,
                progress: true,
                ..RenderOptions::default()
            };
            let stages = carecircle::commands::RunStages { siting: !no_siting };
            carecircle::commands::run_stages(&scenario, &out, &render, &Overlays::default(), stages)
        }
        Command::Audit { scenario, out } => carecircle::commands::run_audit(&scenario, &out),
        Command::Site {
            scenario,
            kind,
            model,
            p,
            capacity,
            exact,
            time_limit,
            matrix,
            candidate_spacing,
            certificate,
            out,
        } => {
            let render = RenderOptions {
                font: cli.font,
                progress: true,
                ..RenderOptions::default()
            };
            let flags = carecircle::commands::SiteFlags {
                kind,
                model,
                p,
                capacity,
                exact,
                time_limit,
                matrix,
                candidate_spacing,
                certificate,
            };
            carecircle::commands::run_site(&scenario, &flags, &out, &render)
        }
        Command::Rules {
            scenario,
            ruleset,
            out,
            fail_on_violation,
            list,
        } => match (list, scenario) {
            (false, Some(scenario)) => carecircle::commands::run_rules(
                &scenario,
                ruleset.as_deref(),
                &out,
                fail_on_violation,
            )
            .map(|run| {
                if run.violation {
                    success = ExitCode::from(carecircle::rules::VIOLATION_EXIT_CODE);
                }
                run.written
            }),
            _ => carecircle::commands::list_rules(ruleset.as_deref()),
        },
        Command::Compare {
            runs,
            scenarios,
            out,
        } => carecircle::commands::run_compare(&runs, &scenarios, &out),
        Command::Areas {
            scenario,
            out,
            bands,
        } => carecircle::commands::run_areas(&scenario, &out, bands.as_deref()),
        Command::Inspect { paths, write } => carecircle::inspect::run(&paths, write.as_deref()),
    };
    match result {
        Ok(written) => {
            // A closed pipe (`carecircle ... | head`) is not an error worth a panic.
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            let _ = writeln!(stdout, "{}", written.summary);
            for f in &written.files {
                let _ = writeln!(stdout, "wrote {}", f.display());
            }
            for f in &written.removed {
                let _ = writeln!(stdout, "removed {} (an earlier run's output)", f.display());
            }
            success
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
