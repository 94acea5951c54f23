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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Audit { scenario, out } => carecircle::commands::run_audit(&scenario, &out),
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
