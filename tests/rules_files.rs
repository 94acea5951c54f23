//! Rule files: the built-in set reads and says where each rule comes from; a malformed file
//! gives its line and column; an unknown kind lists the accepted ones.

mod common;

use std::path::Path;

use carecircle::i18n::{has_cjk, Lang};
use carecircle::io::scenario::Scenario;
use carecircle::rules::{builtin_names, builtin_text, RuleKind, RuleSet, Scope};
use carecircle::{InputError, Problem};

fn err(text: &str) -> String {
    match RuleSet::from_toml(text, Path::new("my-rules.toml")) {
        Ok(set) => panic!("expected an error, got {set:#?}"),
        Err(InputError { file, problem, .. }) => {
            assert_eq!(file, Path::new("my-rules.toml"));
            assert!(matches!(problem, Problem::Other(_)), "{problem:?}");
            InputError::file(&file, problem).to_string()
        }
    }
}

const GOOD: &str = r#"name = "mine"
[[rule]]
id = "rooms"
kind = "area_per_households"
where = "new_residential"
field = "service_floor_area_m2"
min = 30
source = "Anhui"
"#;

#[test]
fn builtin_set_reads_and_names_its_sources() {
    assert_eq!(builtin_names(), ["cn-eldercare"]);
    let set = RuleSet::builtin("cn-eldercare").unwrap();
    assert_eq!(set.name, "cn-eldercare");
    assert_eq!(set.origin, "builtin:cn-eldercare");
    let ids: Vec<&str> = set.rules.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "service_circle_15min",
            "day_care_coverage",
            "village_mutual_aid",
            "street_service_center",
            "community_service_station",
            "street_center_floor_area",
            "new_residential_service_rooms",
            "elderly_facility_land",
            "nursing_bed_share",
            "public_bed_cap",
            "care_beds_per_1000_elderly",
            "day_care_floor_area",
        ]
    );
    // Every text of the built-in set is given in both languages: Chinese in the zh report,
    // no Chinese in the en one.
    for r in &set.rules {
        assert!(!r.source.is_empty() && !r.clause.is_empty(), "{}", r.id);
        let mut texts = vec![&r.title, &r.source];
        texts.extend(r.note.as_ref());
        for t in texts {
            assert!(has_cjk(&t.zh), "{}: {:?}", r.id, t.zh);
            assert!(!has_cjk(&t.en), "{}: {:?}", r.id, t.en);
        }
        // A clause may be a bare number ("§12") in both.
        assert!(!has_cjk(&r.clause.en), "{}: {:?}", r.id, r.clause.en);
        for scope in &r.scopes {
            assert!(!has_cjk(&r.required_text(*scope, Lang::En)), "{}", r.id);
            let zh = r.required_text(*scope, Lang::Zh);
            assert!(
                !zh.contains(" m²") && !zh.contains("beds") && !zh.contains("min walk"),
                "{}: {zh}",
                r.id
            );
        }
    }
    // Every kind is used by the built-in set.
    for k in RuleKind::ALL {
        assert!(set.rules.iter().any(|r| r.kind == k), "{k}");
    }
    // Values marked "verify" in docs/standards.md carry a note that says so.
    for id in ["care_beds_per_1000_elderly", "day_care_floor_area"] {
        let r = set.rules.iter().find(|r| r.id == id).unwrap();
        let note = r.note.as_ref().unwrap();
        assert!(note.en.contains("verify"), "{id}");
        assert!(note.zh.contains("待核实"), "{id}");
    }
    let rooms = &set.rules[6];
    assert_eq!(
        rooms.required_text(Scope::Community, Lang::En),
        "≥ 20 m² per 100 households"
    );
    assert_eq!(
        rooms.required_text(Scope::Community, Lang::Zh),
        "≥ 20 平方米/100户"
    );
    assert_eq!(rooms.where_field.as_deref(), Some("new_residential"));
    assert_eq!(
        set.rules[11].required_text(Scope::Facility, Lang::En),
        "350–750 m²"
    );
    assert_eq!(
        set.rules[9].required_text(Scope::Facility, Lang::En),
        "≤ 300 beds"
    );
    assert_eq!(
        set.rules[9].required_text(Scope::Facility, Lang::Zh),
        "≤ 300 床"
    );
    assert_eq!(
        set.rules[1].required_text(Scope::Street, Lang::En),
        "≥ 100 %"
    );
    assert_eq!(
        set.rules[1].required_summary(Lang::Zh),
        "街道、全区：≥ 100 %"
    );
    assert_eq!(
        set.rules[1].required_summary(Lang::En),
        "street, district ≥ 100 %"
    );
    assert_eq!(
        set.rules[0].required_text(Scope::Community, Lang::En),
        "≤ 15 min walk"
    );
    assert_eq!(
        set.rules[0].required_text(Scope::Community, Lang::Zh),
        "≤ 15 分钟"
    );
    // The listing names every rule and its source.
    for lang in [Lang::Zh, Lang::En] {
        let listing = set.listing(lang);
        for r in &set.rules {
            assert!(listing.contains(&r.id));
            assert!(listing.contains(&r.source_text(lang)));
        }
    }
    assert!(builtin_text("cn-eldercare").unwrap().contains("[[rule]]"));
}

#[test]
fn a_user_file_reads() {
    let set = RuleSet::from_toml(GOOD, Path::new("mine.toml")).unwrap();
    assert_eq!(set.name, "mine");
    assert_eq!(set.rules.len(), 1);
    assert_eq!(set.rules[0].min, Some(30.0));
    assert_eq!(set.rules[0].scopes, [Scope::Community]);
    // One text serves both languages.
    assert_eq!(set.rules[0].source_text(Lang::Zh), "Anhui");
    assert_eq!(set.rules[0].source_text(Lang::En), "Anhui");
}

#[test]
fn texts_in_both_languages_and_default_units_per_language() {
    let text = r#"
name = "bilingual"
title = { zh = "双语规则", en = "Bilingual rules" }

[[rule]]
id = "rooms"
title = { zh = "每百户不少于 30 平方米", en = "≥ 30 m² per 100 households" }
kind = "area_per_households"
scope = "community"
field = "rooms_m2"
min = 30
source = { zh = "安徽省规定", en = "Anhui provincial rule" }
clause = { zh = "", en = "art. 4" }
note = "same text in both"
"#;
    let set = RuleSet::from_toml(text, Path::new("bi.toml")).unwrap();
    assert_eq!(set.title.get(Lang::Zh), "双语规则");
    assert_eq!(set.title.get(Lang::En), "Bilingual rules");
    let r = &set.rules[0];
    assert_eq!(r.title.get(Lang::Zh), "每百户不少于 30 平方米");
    assert_eq!(r.source_text(Lang::Zh), "安徽省规定，art. 4");
    assert_eq!(r.source_text(Lang::En), "Anhui provincial rule, art. 4");
    assert_eq!(r.note.as_ref().unwrap().get(Lang::Zh), "same text in both");
    // The default unit of the kind, in each language.
    assert_eq!(r.unit.get(Lang::Zh), "平方米/100户");
    assert_eq!(r.unit.get(Lang::En), "m² per 100 households");

    // A language table with a third language, or a missing one, is refused with its place.
    let bad = text.replace(r#"en = "Bilingual rules" }"#, r#"en = "x", fr = "y" }"#);
    let e = RuleSet::from_toml(&bad, Path::new("bi.toml"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("bi.toml"), "{e}");
}

#[test]
fn malformed_toml_gives_line_and_column() {
    // Line 5 lacks the closing quote.
    let text = GOOD.replace(
        "field = \"service_floor_area_m2\"",
        "field = \"service_floor_area_m2",
    );
    let e = err(&text);
    assert!(e.starts_with("my-rules.toml: line 6, column "), "{e}");
    assert!(e.contains("not a valid rule file"), "{e}");

    let e = err("[[rule]]\nid = \"a\"\nkind = \"presence\"\nmin = = 3\n");
    assert!(
        e.starts_with("my-rules.toml: line 4, column 7: not a valid rule file"),
        "{e}"
    );
}

#[test]
fn unknown_kind_lists_the_accepted_ones() {
    let text = GOOD.replace("area_per_households", "area_per_houshold");
    assert_eq!(
        err(&text),
        "my-rules.toml: line 4, column 8: rule \"rooms\": unknown rule kind \"area_per_houshold\"; \
         accepted kinds are area_per_households, area_per_person, facility_size, coverage, \
         presence, ratio"
    );
}

#[test]
fn mistakes_in_keys_and_values_name_their_place() {
    // A misspelt key.
    let e = err(&GOOD.replace("min = 30", "mim = 30"));
    assert!(e.starts_with("my-rules.toml: line 7, column 1: "), "{e}");
    assert!(e.contains("mim"), "{e}");
    // A number as text.
    let e = err(&GOOD.replace("min = 30", "min = \"30\""));
    assert!(e.starts_with("my-rules.toml: line 7, column 7: "), "{e}");
    // A key that does not apply to the kind.
    assert_eq!(
        err(&GOOD.replace("min = 30", "min = 30\nlimit_min = 15")),
        "my-rules.toml: line 8, column 13: rule \"rooms\": `limit_min` does not apply to a \
         area_per_households rule; its keys are field, per, min, max"
    );
    // An unknown facility kind.
    let e = err("[[rule]]\nid = \"p\"\nkind = \"presence\"\nfacility_kinds = [\"clinic\"]\n");
    assert!(
        e.starts_with("my-rules.toml: line 4, column 18: \"clinic\" is not a facility kind; accepted kinds are day_care (日间照料中心)"),
        "{e}"
    );
    // An unknown scope, and a scope the kind cannot have.
    let e = err(&GOOD.replace("min = 30", "min = 30\nscope = \"county\""));
    assert!(e.contains("line 8, column 9: rule \"rooms\": unknown scope \"county\"; accepted scopes are community, urban_community, village, street, district, facility"), "{e}");
    let e = err(&GOOD.replace("min = 30", "min = 30\nscope = \"facility\""));
    assert!(e.contains("a area_per_households rule cannot have scope \"facility\"; it can be community, street, district"), "{e}");
    // No requirement at all.
    let e = err(&GOOD.replace("min = 30\n", ""));
    assert!(
        e.contains("line 2, column 1: rule \"rooms\": give min, max or both"),
        "{e}"
    );
    // min above max.
    let e = err("[[rule]]\nid = \"s\"\nkind = \"facility_size\"\nfacility_kinds = \"day_care\"\nmin = 750\nmax = 350\n");
    assert!(
        e.contains("line 5, column 7: rule \"s\": min 750 is greater than max 350"),
        "{e}"
    );
    // Coverage share out of range.
    let e = err(
        "[[rule]]\nid = \"c\"\nkind = \"coverage\"\nfacility_kinds = \"day_care\"\nmin = 1.5e2\n",
    );
    assert!(e.contains("line 5, column 7: rule \"c\": min = 150 is the share of communities covered in percent: 0 to 100"), "{e}");
    // A ratio without its denominator.
    let e = err(
        "[[rule]]\nid = \"r\"\nkind = \"ratio\"\nnumerator = { field = \"capacity\" }\nmin = 1\n",
    );
    assert!(
        e.contains("rule \"r\": denominator = { layer, field } is required"),
        "{e}"
    );
    // Ids are unique.
    let e = err(&format!("{GOOD}{}", GOOD.replace("name = \"mine\"\n", "")));
    assert!(e.contains("rule id \"rooms\" is used twice"), "{e}");
}

#[test]
fn resolve_builtin_or_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("mine.toml"), GOOD).unwrap();
    assert_eq!(
        RuleSet::resolve("mine.toml", dir.path()).unwrap().name,
        "mine"
    );
    assert_eq!(
        RuleSet::resolve("cn-eldercare", dir.path()).unwrap().name,
        "cn-eldercare"
    );
    let e = RuleSet::resolve("cn-elder", dir.path())
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "cn-elder: no such rule file, and not a built-in rule set; built-in sets are cn-eldercare"
    );
    let e = RuleSet::resolve("missing.toml", dir.path()).unwrap_err();
    assert!(matches!(e.problem, Problem::Unreadable(_)));
}

#[test]
fn scenario_chooses_the_set_and_skips_rules() {
    let (dir, _) = common::hand_district();
    std::fs::write(dir.path().join("mine.toml"), GOOD).unwrap();
    let path = dir.path().join("scenario.toml");
    let with =
        |extra: &str| Scenario::parse(&format!("{}\n{extra}", common::SCENARIO), &path).unwrap();
    let s = with("");
    assert_eq!(RuleSet::for_scenario(&s, None).unwrap().rules.len(), 12);
    let s = with("[rules]\nruleset = \"mine.toml\"");
    assert_eq!(RuleSet::for_scenario(&s, None).unwrap().name, "mine");
    // The command line wins over the scenario.
    assert_eq!(
        RuleSet::for_scenario(&s, Some("cn-eldercare"))
            .unwrap()
            .name,
        "cn-eldercare"
    );
    let s = with("[rules]\nskip = [\"public_bed_cap\", \"elderly_facility_land\"]");
    let set = RuleSet::for_scenario(&s, None).unwrap();
    assert_eq!(set.rules.len(), 10);
    assert!(!set.rules.iter().any(|r| r.id == "public_bed_cap"));
    // The [rules] section is checked with the scenario, before any command runs.
    let parse_err = |extra: &str| {
        Scenario::parse(&format!("{}\n{extra}", common::SCENARIO), &path)
            .unwrap_err()
            .to_string()
    };
    let e = parse_err("[rules]\nskip = [\"no_such_rule\"]");
    assert!(
        e.contains("[rules] skip names \"no_such_rule\", which is not a rule of cn-eldercare"),
        "{e}"
    );
    let e = parse_err("[rules]\nrulset = \"x\"");
    assert!(
        e.contains("[rules] rulset: did you mean ruleset? (line") && e.contains("skip"),
        "{e}"
    );
}
