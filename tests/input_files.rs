//! Bounded inputs: a layer path that is a FIFO or `/dev/zero` is a clear error (exit 2), never
//! a hang or an unbounded read; files above `--max-input-mb` are refused, and the flag raises
//! the limit.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// Runs `audit` with a deadline: a hang is killed and fails the test instead of blocking it.
fn audit(scenario: &Path, out: &Path, extra: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_carecircle"))
        .arg("audit")
        .args(extra)
        .arg("--scenario")
        .arg(scenario)
        .arg("--out")
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run carecircle");
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut stderr = String::new();
            use std::io::Read;
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut stderr)
                .unwrap();
            return (status.code(), stderr);
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("carecircle did not finish within 60 s (hang on a special file?)");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn with_facilities_path(path: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let scenario = SCENARIO.replace(
        "path = \"facilities.geojson\"",
        &format!("path = \"{path}\""),
    );
    write_district(&communities(), &facilities(), &roads(), &scenario)
}

#[cfg(unix)]
#[test]
fn dev_zero_as_a_layer_is_refused_not_read() {
    let (dir, scenario) = with_facilities_path("/dev/zero");
    let out = dir.path().join("out");
    let (code, e) = audit(&scenario, &out, &[]);
    assert_eq!(code, Some(2), "{e}");
    assert!(
        e.contains("/dev/zero") && e.contains("not a regular file"),
        "{e}"
    );
    assert!(!out.exists());
}

#[cfg(unix)]
#[test]
fn fifo_as_a_layer_is_refused_not_waited_on() {
    let (dir, scenario) = with_facilities_path("pipe.geojson");
    let fifo = dir.path().join("pipe.geojson");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("SKIPPED: mkfifo is not available; the FIFO case is not tested here");
        return;
    }
    let out = dir.path().join("out");
    let (code, e) = audit(&scenario, &out, &[]);
    assert_eq!(code, Some(2), "{e}");
    assert!(
        e.contains("pipe.geojson") && e.contains("not a regular file"),
        "{e}"
    );
}

#[test]
fn files_above_the_limit_are_refused_and_the_flag_raises_it() {
    let (dir, scenario) = hand_district();
    let size = std::fs::metadata(dir.path().join("communities.geojson"))
        .unwrap()
        .len();
    assert!(size > 1024, "the fixture is {size} bytes");
    let out = dir.path().join("out");
    // 0.001 MiB is 1048 bytes: smaller than the communities layer.
    let (code, e) = audit(&scenario, &out, &["--max-input-mb", "0.001"]);
    assert_eq!(code, Some(2), "{e}");
    assert!(
        e.contains("more than the limit") && e.contains("--max-input-mb"),
        "{e}"
    );
    assert!(!out.exists());
    let (code, e) = audit(&scenario, &out, &["--max-input-mb", "NaN"]);
    assert_eq!(code, Some(2), "{e}");
    assert!(e.contains("--max-input-mb NaN"), "{e}");
    let (code, e) = audit(&scenario, &out, &["--max-input-mb", "1"]);
    assert_eq!(code, Some(0), "{e}");
}
