//! report.html in a real browser (headless Chromium): on the demo and on the Helsinki OSM
//! extract the map draws every community and facility of the data, a click on a community
//! shows its numbers, the search box finds one, the page makes no request at all; the demo
//! prints to A4 in under 15 pages. Skipped with a loud message when Chromium is absent
//! (`.ci/run` installs it). Set CARECIRCLE_SAVE_SCREENSHOT=1 to refresh docs/report_map.png.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{helsinki_pbf, write_helsinki};
use serde_json::{json, Value};

fn chromium() -> Option<PathBuf> {
    let candidates = [
        std::env::var("CHROMIUM").unwrap_or_default(),
        "/usr/bin/chromium".into(),
        "/usr/bin/chromium-browser".into(),
        "/usr/bin/google-chrome".into(),
    ];
    let found = candidates
        .iter()
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .find(|p| p.exists());
    if found.is_none() {
        eprintln!(
            "\n********************************************************************\n\
             SKIPPED browser test: no Chromium (looked for $CHROMIUM, /usr/bin/chromium,\n\
             /usr/bin/chromium-browser, /usr/bin/google-chrome). Install it with\n\
             `apt-get install chromium`; .ci/run does.\n\
             ********************************************************************\n"
        );
    }
    found
}

/// Runs headless Chromium on `url` with `args`; returns its stdout. Gives up after 3 minutes.
fn run(bin: &Path, args: &[String], url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--virtual-time-budget=15000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).unwrap();
        s
    });
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(180) {
            let _ = child.kill();
            panic!("chromium did not finish in 3 minutes on {url}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    reader.join().unwrap()
}

fn url(html: &Path, hash: &str) -> String {
    format!("file://{}{hash}", html.display())
}

/// The page's self-test (report_map.js with #selftest) from the DOM Chromium dumps.
fn selftest(bin: &Path, html: &Path) -> Value {
    let dom = run(bin, &["--dump-dom".into()], &url(html, "#selftest"));
    let open = "<pre id=\"selftest\" hidden=\"\">";
    let start = dom.find(open).expect("the self-test element") + open.len();
    let end = start + dom[start..].find("</pre>").unwrap();
    let text = dom[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    assert!(
        !text.is_empty(),
        "the map script did not finish (no self-test result)"
    );
    serde_json::from_str(&text).unwrap()
}

/// Checks what the browser drew against the data in `out` (summary.json).
fn check_page(bin: &Path, out: &Path, minutes_word: &str) -> Value {
    let html = out.join("report.html");
    let summary: Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let r = selftest(bin, &html);
    println!("{}: {r}", out.display());
    assert_eq!(r["communities_drawn"], summary["counts"]["communities"]);
    assert_eq!(r["communities_data"], summary["counts"]["communities"]);
    assert_eq!(r["facilities_drawn"], summary["counts"]["facilities"]);
    assert_eq!(r["facilities_data"], summary["counts"]["facilities"]);
    assert_eq!(r["sites_drawn"], r["sites_data"]);
    assert_eq!(
        r["areas_drawn"], 1,
        "the chosen kind's service area at its limit"
    );
    assert_eq!(r["tiles"], 0);
    // A click on a community opens its numbers: name, elderly, minutes to the nearest.
    let clicked = r["clicked"].as_str().unwrap();
    let popup = r["popup"].as_str().expect("a popup after the click");
    assert!(popup.starts_with(clicked), "{popup}");
    assert!(popup.contains(minutes_word), "{popup}");
    let searched = r["searched"].as_str().unwrap();
    assert!(r["search_popup"].as_str().unwrap().starts_with(searched));
    // Nothing requested: no resource loaded, none blocked by the page's policy.
    assert_eq!(r["requests"], json!([]));
    assert_eq!(r["csp_violations"], json!([]));
    r
}

fn pdf_pages(pdf: &[u8]) -> (usize, Vec<String>) {
    let text = String::from_utf8_lossy(pdf);
    let pages = text
        .match_indices("/Type /Page")
        .filter(|(i, _)| !text[i + 11..].starts_with('s'))
        .count();
    let boxes = text
        .match_indices("/MediaBox [")
        .map(|(i, _)| text[i + 11..].split(']').next().unwrap_or("").to_string())
        .collect();
    (pages, boxes)
}

#[test]
fn demo_report_in_chromium() {
    let Some(bin) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    carecircle::commands::run_demo(dir.path()).unwrap();
    check_page(&bin, dir.path(), "分钟");
    let html = dir.path().join("report.html");

    // A4 print: under 15 pages, every page A4 (595 × 842 pt).
    let pdf = dir.path().join("report.pdf");
    run(
        &bin,
        &[
            "--no-pdf-header-footer".into(),
            format!("--print-to-pdf={}", pdf.display()),
        ],
        &url(&html, ""),
    );
    let (pages, boxes) = pdf_pages(&std::fs::read(&pdf).unwrap());
    println!("report.pdf: {pages} pages");
    assert!((5..15).contains(&pages), "{pages} pages");
    assert_eq!(boxes.len(), pages);
    for b in &boxes {
        let v: Vec<f64> = b.split_whitespace().map(|x| x.parse().unwrap()).collect();
        assert!(
            (v[2] - 595.0).abs() < 1.0 && (v[3] - 842.0).abs() < 1.0,
            "{b}"
        );
    }

    // The screenshot of the map the README shows.
    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report_map.png");
    run(
        &bin,
        &[
            "--window-size=1280,860".into(),
            format!("--screenshot={}", shot.display()),
        ],
        &url(&html, "#screenshot"),
    );
    let png = std::fs::read(&shot).unwrap();
    let (w, h, pixels) = carecircle::render::scene::decode_png(&png).unwrap();
    assert_eq!((w, h), (1280, 860));
    let colours: std::collections::BTreeSet<&[u8]> = pixels.chunks(4).collect();
    assert!(
        colours.len() > 50,
        "the map looks empty ({} colours)",
        colours.len()
    );
    if std::env::var_os("CARECIRCLE_SAVE_SCREENSHOT").is_some() {
        std::fs::copy(
            &shot,
            concat!(env!("CARGO_MANIFEST_DIR"), "/docs/report_map.png"),
        )
        .unwrap();
    }
}

#[test]
fn helsinki_report_in_chromium() {
    let Some(pbf) = helsinki_pbf() else { return };
    let Some(bin) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    // The Helsinki grid of osm_audit, its report in English.
    write_helsinki(
        dir.path(),
        &pbf,
        "Block ",
        "[report]\nlanguage = \"en\"\ndate = \"2026-12-01\"\n",
    );
    let out = dir.path().join("out");
    carecircle::commands::run_all(&dir.path().join("scenario.toml"), &out).unwrap();
    let r = check_page(&bin, &out, "min");
    assert_eq!(r["communities_drawn"], 100);
    assert_eq!(r["facilities_drawn"], 3);
}
