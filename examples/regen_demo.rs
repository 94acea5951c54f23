//! Rewrites the committed demo files in `data/demo/` (run after changing the generator):
//!
//! ```sh
//! cargo run --example regen_demo
//! ```
//!
//! An optional argument writes somewhere else instead.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/demo"));
    match carecircle::demo::write_demo_data(&dir) {
        Ok(scenario) => {
            println!("wrote the demo district; scenario: {}", scenario.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
