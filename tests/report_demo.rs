//! The demo's report: its headline numbers pinned in one table, one definition of "elderly
//! covered" across the audit, the siting and the summary, report.xlsx read back, and the zh
//! and en reports free of the other language's catalogue text.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use carecircle::i18n::{self, has_cjk};
use serde_json::Value;

/// The demo's headline numbers: a change to the demo or to a stage shows here. Update this
/// table (and the README figures) when a merge changes them on purpose.
/// (kind, communities the target counts, covered, elderly the target counts, covered): day
/// care counts the 103 urban communities and mutual aid the 19 villages (targets by community
/// type), the other kinds all 123.
const COVERAGE: &[(&str, u64, u64, u64, u64)] = &[
    ("day_care", 103, 42, 78_602, 41_108),
    ("canteen", 123, 27, 84_295, 25_169),
    ("meal_point", 123, 16, 84_295, 7_397),
    ("service_center", 123, 28, 84_295, 22_165),
    ("care_home", 123, 9, 84_295, 4_187),
    ("mutual_aid", 19, 1, 5_684, 471),
];
const COMMUNITIES: u64 = 123;
/// (kind, new sites, communities covered after, elderly covered after)
const SITING: &[(&str, usize, u64, u64)] = &[
    ("day_care", 25, 103, 67_271),
    ("canteen", 42, 123, 66_480),
    ("mutual_aid", 15, 19, 1_894),
];
/// Rules: subjects that pass, fail, not checked. The 16 residential parcels of the demo add 10
/// passing and 6 failing rows (tests/parcels_demo.rs checks them one by one).
const RULES: (u64, u64, u64) = (146, 197, 0);
/// Elderly inside the dissolved 15-minute service area of day care (a second measure).
const DAY_CARE_INSIDE_15: f64 = 35_546.0;

struct Demo {
    _dir: tempfile::TempDir,
    zh: PathBuf,
    en: PathBuf,
}

/// The demo run once in Chinese (the default) and once with `[report] language = "en"`.
fn demo() -> &'static Demo {
    static DEMO: OnceLock<Demo> = OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let zh = dir.path().join("zh");
        carecircle::commands::run_demo(&zh).unwrap();
        let scenario = zh.join("data").join("scenario.toml");
        let mut text = std::fs::read_to_string(&scenario).unwrap();
        text.push_str(
            "\n[report]\nlanguage = \"en\"\nunit = \"Demo bureau\"\ndate = \"2026-12-01\"\n",
        );
        let en_scenario = zh.join("data").join("scenario_en.toml");
        std::fs::write(&en_scenario, text).unwrap();
        let en = dir.path().join("en");
        carecircle::commands::run_all_with(
            &en_scenario,
            &en,
            &carecircle::render::demo_render_options(),
            &carecircle::render::demo_overlays(),
        )
        .unwrap();
        Demo { _dir: dir, zh, en }
    })
}

fn summary(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap()
}

#[test]
fn headline_numbers_and_one_elderly_covered() {
    let s = summary(&demo().zh);
    assert_eq!(s["counts"]["communities"], COMMUNITIES);
    for &(kind, counted, communities, elderly_counted, elderly) in COVERAGE {
        let d = &s["coverage"][kind]["district"];
        assert_eq!(d["communities_covered"], communities, "{kind}");
        assert_eq!(d["communities"], counted, "{kind}");
        assert_eq!(d["elderly_covered"], elderly, "{kind}");
        assert_eq!(d["elderly"], elderly_counted, "{kind}");
    }
    for &(kind, sites, after, elderly_after) in SITING {
        let p = &s["siting"][kind];
        let audit = COVERAGE.iter().find(|c| c.0 == kind).unwrap();
        // The siting "before" is the audit's figure, communities and elderly alike.
        assert_eq!(p["communities_covered_before"], audit.2, "{kind}");
        assert_eq!(p["elderly_covered_before"], audit.4, "{kind}");
        assert_eq!(p["new_sites"].as_array().unwrap().len(), sites, "{kind}");
        assert_eq!(p["communities_covered_after"], after, "{kind}");
        assert_eq!(p["elderly_covered_after"], elderly_after, "{kind}");
        // The demo's siting ends by proof, not by its time limit (issue 13): a run cut by the
        // limit could differ between a fast and a slow machine.
        assert_eq!(p["proven_optimal"], true, "{kind}");
        assert_eq!(p["gap"], 0.0, "{kind}");
        assert_eq!(p["objective"], p["bound"], "{kind}");
    }
    let r = &s["rules"];
    assert_eq!(
        (
            r["pass"].clone(),
            r["fail"].clone(),
            r["not_checked"].clone()
        ),
        (RULES.0.into(), RULES.1.into(), RULES.2.into())
    );
    // The service-area measure has its own name, and the report says how it differs.
    let inside = s["service_areas"]["kinds"]["day_care"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["minutes"] == 15.0)
        .unwrap()["elderly_inside"]
        .as_f64()
        .unwrap();
    assert_eq!(inside, DAY_CARE_INSIDE_15);
    let md = std::fs::read_to_string(demo().zh.join("report.md")).unwrap();
    assert!(md.contains(i18n::AREAS_DIFFER.zh));
    assert!(md.contains(
        "| 日间照料中心 | 15 | 17 | 42 | 103 | 40.8 % | 41108 | 78602 | 52.3 % | 100.0 % 未达标 |"
    ));
    assert!(md.contains("覆盖老年人由 41108 人增至 67271 人"));
    // The analytics: accessibility per kind in the report and on maps, the parcels map.
    let over = s["access"]["day_care"]["over_subscribed"]
        .as_array()
        .unwrap();
    assert_eq!(over.len(), 3, "covered but over-subscribed by day care");
    assert!(md.contains("养老服务可达性"));
    for map in [
        "map_access_day_care.png",
        "map_access_canteen.png",
        "map_parcels.png",
    ] {
        assert!(demo().zh.join(map).is_file(), "{map}");
    }
    // The report's title block and summary.json's report entry.
    assert_eq!(s["report"]["tool_version"], env!("CARGO_PKG_VERSION"));
    // The scenario, communities, facilities, population, parcels and roads.
    assert_eq!(s["report"]["inputs"].as_array().unwrap().len(), 6);
    let sha = s["report"]["inputs"][0]["sha256"].as_str().unwrap();
    assert_eq!(sha.len(), 64);
    assert!(md.contains(sha));
}

fn sheet(wb: &mut Xlsx<Cursor<Vec<u8>>>, name: &str) -> calamine::Range<Data> {
    wb.worksheet_range(name).unwrap()
}

#[test]
fn workbook_reads_back_with_sheets_rows_and_types() {
    let bytes = std::fs::read(demo().zh.join("report.xlsx")).unwrap();
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    assert_eq!(
        wb.sheet_names(),
        [
            "摘要",
            "街道",
            "社区",
            "未覆盖社区",
            "新选址",
            "规划指标",
            "服务范围",
            "可达性",
        ]
    );
    // Summary: a header and one row per audited kind, shares as numbers (fractions).
    let s = sheet(&mut wb, "摘要");
    assert_eq!(s.height(), 1 + COVERAGE.len());
    assert_eq!(s.get((0, 0)), Some(&Data::String("设施类型".into())));
    assert_eq!(s.get((1, 0)), Some(&Data::String("日间照料中心".into())));
    assert_eq!(s.get((1, 3)), Some(&Data::Float(42.0)));
    match s.get((1, 5)) {
        Some(Data::Float(x)) => assert!((x - 42.0 / 103.0).abs() < 1e-12, "{x}"),
        other => panic!("community share: {other:?}"),
    }
    // Streets: 9 streets × 6 kinds.
    assert_eq!(sheet(&mut wb, "街道").height(), 1 + 9 * 6);
    // Every community, codes as text (12 digits, not 3.60403E+11).
    let c = sheet(&mut wb, "社区");
    assert_eq!(c.height(), 1 + COMMUNITIES as usize);
    for r in 1..c.height() {
        match c.get((r, 0)) {
            Some(Data::String(code)) => assert!(
                code.len() == 12 && code.bytes().all(|b| b.is_ascii_digit()),
                "{code}"
            ),
            other => panic!("row {r}: code stored as {other:?}"),
        }
    }
    // The uncovered: one row per community and kind not covered.
    let uncovered: u64 = COVERAGE.iter().map(|c| c.1 - c.2).sum();
    assert_eq!(sheet(&mut wb, "未覆盖社区").height() as u64, 1 + uncovered);
    let sites: usize = SITING.iter().map(|s| s.1).sum();
    assert_eq!(sheet(&mut wb, "新选址").height(), 1 + sites);
    assert_eq!(
        sheet(&mut wb, "规划指标").height() as u64,
        1 + RULES.0 + RULES.1 + RULES.2
    );
    // Service areas: 6 kinds × 3 bands.
    assert_eq!(sheet(&mut wb, "服务范围").height(), 1 + 6 * 3);
    // English sheet names and headers in the en report.
    let bytes = std::fs::read(demo().en.join("report.xlsx")).unwrap();
    let mut en: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    assert_eq!(en.sheet_names()[0], "Summary");
    assert_eq!(
        sheet(&mut en, "Communities").get((0, 0)),
        Some(&Data::String("Code".into()))
    );
}

/// The fixed parts of a message (the text between its `{placeholders}`).
fn fragments(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find('{') {
        out.push(rest[..i].to_string());
        rest = rest[i..].split_once('}').map_or("", |(_, r)| r);
    }
    out.push(rest.to_string());
    out.into_iter().map(|s| s.trim().to_string()).collect()
}

/// Text of report.html without its tags, scripts and styles (what a reader sees).
fn visible_text(html: &str) -> String {
    let mut s = html.to_string();
    for tag in ["script", "style"] {
        while let Some(i) = s.find(&format!("<{tag}")) {
            let end = s[i..]
                .find(&format!("</{tag}>"))
                .map_or(s.len(), |j| i + j + tag.len() + 3);
            s.replace_range(i..end, " ");
        }
    }
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// `text` without the part from `from` to the next `to` (both included).
fn cut(text: &str, from: &str, to: &str) -> String {
    let Some(i) = text.find(from) else {
        return text.to_string();
    };
    let rest = &text[i + from.len()..];
    let end = rest
        .find(to)
        .map_or(text.len(), |j| i + from.len() + j + to.len());
    format!("{}{}", &text[..i], &text[end..])
}

/// The text without its "(...)" groups.
fn without_brackets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' if depth > 0 => depth -= 1,
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// `text` holds `f` as words: not inside a longer identifier, such as a configuration key
/// ("facility" in `facility_kinds`) or an input file's name ("population" in
/// `population.geojson`), which the report names as they are.
fn contains_words(text: &str, f: &str) -> bool {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    text.match_indices(f).any(|(i, _)| {
        let (head, tail) = (&text[..i], &text[i + f.len()..]);
        let mut back = head.chars().rev();
        let mut ahead = tail.chars();
        let (b1, b2) = (back.next(), back.next());
        let (a1, a2) = (ahead.next(), ahead.next());
        // A '.' or '/' between letters joins a path.
        let joined = |c: Option<char>, next: Option<char>| {
            word(c) || (matches!(c, Some('.' | '/')) && word(next))
        };
        let first = f.chars().next();
        let last = f.chars().next_back();
        let inside_before = word(first) && joined(b1, b2);
        let inside_after = word(last) && joined(a1, a2);
        !(inside_before || inside_after)
    })
}

#[test]
fn zh_report_has_no_english_catalogue_text_and_en_no_chinese() {
    let zh_all: Vec<&str> = i18n::ALL.iter().map(|m| m.zh).collect();
    let en_all: Vec<&str> = i18n::ALL.iter().map(|m| m.en).collect();
    for (dir, lang) in [(&demo().zh, "zh"), (&demo().en, "en")] {
        let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
        let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
        // Text that is data, not the report's words: the data's attribution line. (The rules
        // table, with the rule set's titles and sources in the report's language, and the
        // warnings, counted by kind in the catalogue's words, are checked too.)
        let html_words = cut(&html, "<footer>", "</footer>");
        let footer = fragments(if lang == "zh" {
            i18n::FOOTER.zh
        } else {
            i18n::FOOTER.en
        })[0]
            .clone();
        let md_words = cut(&md, &footer, "\u{0}");
        assert!(html_words.len() < html.len() && md_words.len() < md.len());
        // rules.csv's texts (titles, sources, requirements, reasons, notes) are the report's
        // words too; its header and its rule, kind, scope and result values are the stable
        // machine names.
        let mut rules_text = String::new();
        let mut rows = csv::Reader::from_path(dir.join("rules.csv")).unwrap();
        for row in rows.records() {
            let row = row.unwrap();
            // title, source, unit, required, reason, note
            for i in [1, 3, 9, 10, 12, 13] {
                rules_text.push_str(&row[i]);
                rules_text.push('\n');
            }
        }
        if lang == "en" {
            // An English reason names a mapped field with the data's own property in
            // brackets, "floor_area (建筑面积)": data, not words.
            rules_text = without_brackets(&rules_text);
        }
        for (name, text) in [
            ("report.html", visible_text(&html_words)),
            ("report.md", md_words),
            ("rules.csv", rules_text),
        ] {
            let mut checked = 0;
            for m in i18n::ALL {
                let (other, own) = if lang == "zh" {
                    (m.en, &zh_all)
                } else {
                    (m.zh, &en_all)
                };
                for f in fragments(other) {
                    // Short words ("#", "min") and fragments the own language shares (codes like
                    // SHA-256) prove nothing; sentences and headings do.
                    let long = if lang == "zh" {
                        f.len() >= 8 && f.chars().any(|c| c.is_ascii_alphabetic())
                    } else {
                        has_cjk(&f) && f.chars().count() >= 4
                    };
                    if !long || own.iter().any(|o| o.contains(f.as_str())) {
                        continue;
                    }
                    checked += 1;
                    assert!(
                        !contains_words(&text, &f),
                        "{lang} {name} has the other language's {}: {f:?}",
                        m.key
                    );
                }
            }
            assert!(checked > 50, "{lang}: only {checked} fragments checked");
        }
        // The page's own words are in its language.
        let own = if lang == "zh" {
            i18n::SUMMARY.zh
        } else {
            i18n::SUMMARY.en
        };
        assert!(html.contains(&format!(">{own}</h2>")), "{lang}");
    }
}
