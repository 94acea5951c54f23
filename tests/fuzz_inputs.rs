//! Our own fuzz suite (issue 14): a proptest-driven mutation fuzzer over the scenario parser,
//! the GeoJSON reader, the OSM PBF reader and the whole `audit` (load, audit, service areas,
//! every output in memory) on small inputs, plus a replay of the corpus in
//! `tests/fuzz_corpus/` (the inputs that broke carecircle in issue 14's campaign).
//!
//! The property: every input either loads or gives an error; nothing panics, and an `Ok`
//! result has finite totals. Each target runs for `CARECIRCLE_FUZZ_SECONDS` seconds (default
//! 3, so `cargo test` stays quick; `.ci/run` gives it more, and the README says how to run a
//! long pass) and prints how many executions it reached.

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use carecircle::areas::{service_areas, AreaOptions};
use carecircle::coverage::audit;
use carecircle::io::features::{FeatureSink, LayerInfo, RawFeature, ReadRequest};
use carecircle::io::osm::read_osm_pbf;
use carecircle::io::scenario::Scenario;
use carecircle::report::{audit_outputs, OutputSet};
use carecircle::study::Study;
use carecircle::Warnings;
use common::*;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

fn budget() -> Duration {
    let s = std::env::var("CARECIRCLE_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .unwrap_or(3.0);
    Duration::from_secs_f64(s)
}

/// Replacement tokens: the values that broke things, and JSON/TOML structure.
const TOKENS: &[&str] = &[
    "1e308",
    "-1e308",
    "1e300",
    "1e19",
    "NaN",
    "inf",
    "-4",
    "0",
    "-0",
    "\"x\"",
    "\"2\"",
    "7",
    "null",
    "[]",
    "{}",
    "[[",
    "]]",
    "\"point\"",
    "\"Polygon\"",
    "\"MultiPolygon\"",
    "1e9",
    "\u{0}",
    "\u{1b}",
    "=cmd",
    "\"\"",
    ",",
    ":",
    "\"type\"",
    "180.0000001",
    "-90.5",
    "99999999999999999999",
    "0.0000000001",
    "true",
];

/// One mutation of `seed`: byte flips, token splices, cuts and duplications, as a fuzzer does.
fn mutation() -> impl Strategy<Value = Vec<(u8, usize, usize, u8)>> {
    prop::collection::vec((0u8..6, any::<usize>(), any::<usize>(), any::<u8>()), 1..6)
}

fn mutate(seed: &[u8], steps: &[(u8, usize, usize, u8)]) -> Vec<u8> {
    let mut v = seed.to_vec();
    for &(op, a, b, byte) in steps {
        let n = v.len().max(1);
        let (i, j) = (a % n, b % n);
        match op {
            0 if !v.is_empty() => v[i] = byte,
            1 if !v.is_empty() => v[i] ^= 1 << (byte % 8),
            2 => {
                let t = TOKENS[b % TOKENS.len()].as_bytes();
                let end = (i + (byte as usize % 24)).min(v.len());
                v.splice(i.min(v.len())..end, t.iter().copied());
            }
            3 => v.truncate(i),
            4 if !v.is_empty() => {
                let (lo, hi) = (i.min(j), i.max(j).min(lo_cap(i.min(j), v.len())));
                let chunk: Vec<u8> = v[lo..hi].to_vec();
                v.splice(j.min(v.len())..j.min(v.len()), chunk);
            }
            _ => {
                let (lo, hi) = (i.min(j), i.max(j));
                if hi <= v.len() {
                    v.drain(lo..hi);
                }
            }
        }
    }
    v
}

/// Duplicated chunks are at most 4 KiB, so inputs stay small.
fn lo_cap(lo: usize, len: usize) -> usize {
    (lo + 4096).min(len)
}

/// Runs `target` on mutations of `seeds` until the time budget is spent; returns executions.
/// A panic inside the target fails the test with the input that caused it.
/// `target` gets the number of the seed mutated and the input.
fn fuzz(name: &str, seeds: &[Vec<u8>], target: impl Fn(usize, &[u8])) -> u64 {
    let budget = budget();
    let start = Instant::now();
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases: u32::MAX,
            failure_persistence: None,
            ..Config::default()
        },
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let mut runs = 0u64;
    let strategy = (0..seeds.len(), mutation());
    loop {
        if start.elapsed() >= budget && runs > 0 {
            break;
        }
        let (s, steps) = strategy.new_tree(&mut runner).unwrap().current();
        let input = mutate(&seeds[s], &steps);
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| target(s, &input))) {
            let dir = std::env::temp_dir().join(format!("carecircle-fuzz-{name}"));
            let _ = std::fs::create_dir_all(&dir);
            let file = dir.join(format!("crash-{runs}"));
            let _ = std::fs::write(&file, &input);
            panic!(
                "{name}: panic on input saved to {}: {:?}",
                file.display(),
                panic.downcast_ref::<String>()
            );
        }
        runs += 1;
    }
    eprintln!(
        "fuzz {name}: {runs} executions in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    runs
}

fn corpus(dir: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_corpus")
        .join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

// ---- targets ----

fn scenario_target(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    if let Ok(s) = Scenario::parse(&text, Path::new("fuzz/scenario.toml")) {
        let _ = AreaOptions::from_scenario(&s);
    }
}

/// Takes every feature the streaming reader hands over and drops it.
struct Discard;

impl FeatureSink for Discard {
    fn begin(&mut self, _: &LayerInfo) {}
    fn feature(&mut self, _: RawFeature) {}
}

fn geojson_target(bytes: &[u8]) {
    let request = ReadRequest {
        fields: Vec::new(),
        keep_rest: true,
    };
    let _ = carecircle::io::geojson::read_bytes(
        bytes,
        Path::new("fuzz.geojson"),
        &request,
        &mut Discard,
    );
}

fn osm_target(bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fuzz.osm.pbf");
    std::fs::write(&path, bytes).unwrap();
    let _ = read_osm_pbf(&path, &mut Warnings::default());
}

/// The whole audit on the hand district with one layer (or the scenario) replaced.
fn audit_target(layer: &str, bytes: &[u8]) {
    let (dir, scenario) = hand_district();
    std::fs::write(dir.path().join(layer), bytes).unwrap();
    let Ok(study) = Study::load(&scenario) else {
        return;
    };
    let result = audit(&study);
    for k in &result.kinds {
        let t = result.totals(k, |_| true);
        assert!(t.elderly_share.is_finite() && t.community_share.is_finite());
    }
    let options = AreaOptions {
        bands: vec![5.0, 15.0],
        lateral_m: 50.0,
    };
    let sections = match service_areas(&study, &options, &|| {}) {
        Ok(areas) => vec![carecircle::report::service_areas::section(&study, &areas)],
        Err(_) => Vec::new(),
    };
    let mut out = OutputSet::new();
    let _ = audit_outputs(&study, &result, &sections, &mut out);
}

fn seeds_of(texts: &[String]) -> Vec<Vec<u8>> {
    texts.iter().map(|t| t.as_bytes().to_vec()).collect()
}

#[test]
fn corpus_of_issue_14_never_panics() {
    let mut n = 0;
    for (p, bytes) in corpus("scenario") {
        scenario_target(&bytes);
        let (dir, scenario) = hand_district();
        std::fs::write(&scenario, &bytes).unwrap();
        // The whole audit with this scenario: an error or a result, never a panic.
        if let Ok(study) = Study::load(&scenario) {
            let _ = audit(&study);
            if let Ok(options) = AreaOptions::from_scenario(&study.scenario) {
                let _ = service_areas(&study, &options, &|| {});
            }
        }
        drop(dir);
        n += 1;
        eprintln!("replayed {}", p.display());
    }
    for (p, bytes) in corpus("communities") {
        geojson_target(&bytes);
        audit_target("communities.geojson", &bytes);
        n += 1;
        eprintln!("replayed {}", p.display());
    }
    for (p, bytes) in corpus("facilities") {
        geojson_target(&bytes);
        audit_target("facilities.geojson", &bytes);
        n += 1;
        eprintln!("replayed {}", p.display());
    }
    assert!(n >= 20, "the corpus has {n} files");
}

#[test]
fn fuzz_scenario_parser() {
    let mut seeds: Vec<Vec<u8>> = corpus("scenario").into_iter().map(|(_, b)| b).collect();
    seeds.push(SCENARIO.as_bytes().to_vec());
    assert!(fuzz("scenario", &seeds, |_, b| scenario_target(b)) > 0);
}

#[test]
fn fuzz_geojson_reader() {
    let seeds = seeds_of(&[fc(communities()), fc(facilities()), fc(roads())]);
    assert!(fuzz("geojson", &seeds, |_, b| geojson_target(b)) > 0);
}

#[test]
fn fuzz_whole_audit_on_small_inputs() {
    let layers = [
        ("communities.geojson", fc(communities())),
        ("facilities.geojson", fc(facilities())),
        ("roads.geojson", fc(roads())),
        ("scenario.toml", SCENARIO.to_string()),
    ];
    let seeds = seeds_of(&layers.iter().map(|(_, t)| t.clone()).collect::<Vec<_>>());
    // A mutation of seed i replaces layer i.
    assert!(fuzz("audit", &seeds, |i, bytes| audit_target(layers[i].0, bytes)) > 0);
}

const HELSINKI: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/data/osm/Helsinki.osm.pbf"
);

/// The header blob and the first data blob of a PBF file: a small, valid PBF.
fn first_blobs(pbf: &[u8], count: usize) -> Vec<u8> {
    let mut at = 0;
    for _ in 0..count {
        if at + 4 > pbf.len() {
            break;
        }
        let header_len = u32::from_be_bytes(pbf[at..at + 4].try_into().unwrap()) as usize;
        // BlobHeader: field 3 (datasize) is the last varint; find it by decoding the header.
        let header = &pbf[at + 4..at + 4 + header_len];
        let mut i = 0;
        let mut datasize = 0usize;
        while i < header.len() {
            let key = header[i];
            i += 1;
            match key & 7 {
                0 => {
                    let mut v = 0usize;
                    let mut shift = 0;
                    loop {
                        let b = header[i];
                        i += 1;
                        v |= ((b & 0x7f) as usize) << shift;
                        shift += 7;
                        if b & 0x80 == 0 {
                            break;
                        }
                    }
                    if key >> 3 == 3 {
                        datasize = v;
                    }
                }
                2 => {
                    let len = header[i] as usize;
                    i += 1 + len;
                }
                _ => break,
            }
        }
        at += 4 + header_len + datasize;
    }
    pbf[..at.min(pbf.len())].to_vec()
}

#[test]
fn fuzz_osm_pbf_reader() {
    let Ok(pbf) = std::fs::read(HELSINKI) else {
        eprintln!("SKIPPED: ../shared/data/osm/Helsinki.osm.pbf not found; the OSM PBF reader is not fuzzed");
        return;
    };
    let small = first_blobs(&pbf, 2);
    assert!(small.len() < pbf.len() && small.len() > 100);
    // The small file is well framed: read, it gives roads or a clear error (its first data
    // blob may hold nodes only), never a panic.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.osm.pbf");
    std::fs::write(&path, &small).unwrap();
    match read_osm_pbf(&path, &mut Warnings::default()) {
        Ok(lines) => eprintln!("small PBF seed: {} road lines", lines.len()),
        Err(e) => eprintln!("small PBF seed: {e}"),
    }
    let header_only = first_blobs(&pbf, 1);
    assert!(fuzz("osm_pbf", &[small, header_only, pbf], |_, b| osm_target(b)) > 0);
}
