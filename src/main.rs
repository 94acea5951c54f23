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
}

#[derive(Subcommand)]
enum Command {
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
    let result = match cli.command {
        Command::Audit { scenario, out } => carecircle::commands::run_audit(&scenario, &out),
        Command::Areas {
            scenario,
            out,
            bands,
        } => carecircle::commands::run_areas(&scenario, &out, bands.as_deref()),
    };
    match result {
        Ok(written) => {
            println!("{}", written.summary);
            for f in &written.files {
                println!("wrote {}", f.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            match e {
                carecircle::Error::Input(_) => ExitCode::from(2),
                _ => ExitCode::from(1),
            }
        }
    }
}
