//! Solves the OR-Library p-median instances (pmed1–pmed40, from `../shared/data/orlib-pmed`)
//! with the default solver and prints one line per instance: the published optimum, the answer,
//! its bound and gap, the branch-and-bound nodes and the solve time (the matrix is built first,
//! outside the timing). `cargo run --release --example orlib_table [-- FIRST LAST]`.

use std::path::PathBuf;
use std::time::Instant;

use carecircle::siting::orlib::read_pmed;
use carecircle::siting::{solve, Model, SitingOptions};

fn main() {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/orlib-pmed"
    ));
    let Ok(text) = std::fs::read_to_string(dir.join("pmedopt.txt")) else {
        eprintln!("SKIPPED: OR-Library data not found at {}", dir.display());
        std::process::exit(1);
    };
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let (first, last) = (
        args.first().copied().unwrap_or(1),
        args.get(1).copied().unwrap_or(40),
    );
    let mut optima: Vec<(usize, f64)> = text
        .lines()
        .filter_map(|l| {
            let mut it = l.split_whitespace();
            let k = it.next()?.strip_prefix("pmed")?.parse().ok()?;
            Some((k, it.next()?.parse().ok()?))
        })
        .collect();
    optima.sort_by_key(|x| x.0);
    let mut total = 0.0;
    let mut slowest = (0, 0.0);
    println!("| instance | n | p | optimum | objective | bound | gap | nodes | seconds |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for (k, best) in optima
        .into_iter()
        .filter(|(k, _)| (first..=last).contains(k))
    {
        let inst = read_pmed(dir.join(format!("pmed{k}.txt"))).expect("instance");
        let problem = inst.problem();
        let t = Instant::now();
        let sol = solve(
            &problem,
            &Model::PMedian { p: inst.p },
            &SitingOptions::default(),
        )
        .expect("solve");
        let secs = t.elapsed().as_secs_f64();
        total += secs;
        if secs > slowest.1 {
            slowest = (k, secs);
        }
        println!(
            "| pmed{k} | {} | {} | {best} | {} | {} | {:.3} % | {} | {secs:.2} |",
            inst.n,
            inst.p,
            sol.objective,
            sol.bound,
            100.0 * sol.gap,
            sol.nodes
        );
    }
    println!(
        "total {total:.1} s; slowest pmed{} {:.2} s",
        slowest.0, slowest.1
    );
}
