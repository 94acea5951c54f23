//! One checked configuration: the whole scenario (and every command-line flag) is checked into
//! typed values before any work; every mistake exits 2 with the key named, nothing written, and
//! the same way in every command.

mod common;

use std::path::PathBuf;

use common::*;

/// The hand district with `extra` appended to its scenario.
fn district_with(extra: &str) -> (tempfile::TempDir, PathBuf) {
    write_district(
        &communities(),
        &facilities(),
        &roads(),
        &format!("{SCENARIO}\n{extra}\n"),
    )
}

/// Runs a command on the hand district with `extra` in the scenario and checks it is refused
/// with exit 2, before writing anything; returns stderr.
fn refused(args: &[&str], extra: &str) -> String {
    let (dir, scenario) = district_with(extra);
    let out = dir.path().join("out");
    let run = carecircle(args, &scenario, &out);
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    assert_eq!(
        run.status.code(),
        Some(2),
        "{args:?} with {extra:?}: {stderr}"
    );
    assert!(!out.exists(), "nothing may be written: {args:?} {extra:?}");
    // No service-area or search progress: the error comes before any work.
    assert!(
        !stderr.contains("service areas") && !stderr.contains("reach of"),
        "{stderr}"
    );
    stderr
}

#[test]
fn misspelt_siting_key_gets_did_you_mean_and_exit_2() {
    let e = refused(&["run"], "[siting]\nmodle = \"mclp\"");
    assert!(e.contains("modle: did you mean model?"), "{e}");
    assert!(e.contains("[siting]"), "{e}");
}

#[test]
fn misspelt_field_key_gets_did_you_mean() {
    let (dir, scenario) = hand_district();
    let text = std::fs::read_to_string(&scenario).unwrap().replace(
        "elderly = \"老年人口\" }",
        "elderly = \"老年人口\", househods = \"户数\" }",
    );
    std::fs::write(&scenario, text).unwrap();
    let out = dir.path().join("out");
    let run = carecircle(&["audit"], &scenario, &out);
    let e = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{e}");
    assert!(e.contains("househods: did you mean households?"), "{e}");
    assert!(e.contains("[layers.communities] fields"), "{e}");
}

#[test]
fn wrong_types_name_the_key_and_exit_2() {
    for (extra, key) in [
        ("[siting]\np = \"2\"", "p = \"2\""),
        ("[siting]\nmodel = 7", "model = 7"),
        ("[siting]\ntime_limit_s = \"x\"", "time_limit_s"),
        ("[areas]\nbands = [5, \"x\"]", "bands"),
    ] {
        let e = refused(&["audit"], extra);
        assert!(e.contains(key), "{extra}: {e}");
    }
}

#[test]
fn out_of_range_siting_values_exit_2_before_the_service_areas() {
    for (extra, needle) in [
        ("[siting]\np = -4", "p = -4"),
        ("[siting]\np = 0", "p = 0"),
        ("[siting]\ndefault_capacity = inf", "default_capacity = inf"),
        ("[siting]\ngap_target = 1", "gap_target = 1"),
        ("[siting]\nmodel = \"mlcp\"", "did you mean mclp?"),
        ("[siting]\ntime_limit_s = 1e300", "maximum"),
        ("[siting]\ntime_limit_s = 1e19", "maximum"),
        ("[siting]\ntime_limit_s = -1", "time_limit_s = -1"),
    ] {
        let e = refused(&["run"], extra);
        assert!(e.contains(needle), "{extra}: {e}");
    }
}

#[test]
fn integers_are_accepted_where_numbers_are_meant() {
    let (dir, scenario) = district_with(
        "[siting]\ngap_target = 0\ntime_limit_s = 5\ncandidate_spacing_m = 100\n\
         default_capacity = 30\n[areas]\nlateral_m = 20\nbands = [5, 10]",
    );
    let s = carecircle::io::scenario::Scenario::load(&scenario).unwrap();
    assert_eq!(s.siting.gap_target, 0.0);
    assert_eq!(s.siting.time_limit_s, 5.0);
    assert_eq!(s.siting.candidate_spacing_m, 100.0);
    assert_eq!(s.siting.default_capacity, Some(30.0));
    assert_eq!(s.areas.lateral_m, 20.0);
    assert_eq!(s.areas.bands, vec![5.0, 10.0]);
    let out = dir.path().join("out");
    let run = carecircle(&["audit"], &scenario, &out);
    assert_eq!(run.status.code(), Some(0), "{:?}", run);
}

#[test]
fn every_command_checks_areas_and_rules_the_same_way() {
    for args in [&["audit"][..], &["run"], &["rules"], &["areas"]] {
        let e = refused(args, "[areas]\nband = [5]");
        assert!(e.contains("band: did you mean bands?"), "{args:?}: {e}");
        let e = refused(args, "[rules]\nruleset = \"missing-rules.toml\"");
        assert!(e.contains("missing-rules.toml"), "{args:?}: {e}");
    }
    let e = refused(
        &["site", "--kind", "day_care"],
        "[rules]\nruleset = \"missing-rules.toml\"",
    );
    assert!(e.contains("missing-rules.toml"), "{e}");
}

#[test]
fn bad_site_flags_exit_2_before_any_work() {
    for (flags, needle) in [
        (&["--time-limit", "NaN"][..], "--time-limit NaN"),
        (&["--time-limit", "1e300"], "maximum"),
        (&["--time-limit", "0"], "--time-limit 0"),
        (&["--p", "0", "--model", "mclp"], "--p 0"),
        (&["--model", "mlcp", "--p", "2"], "did you mean mclp?"),
        (&["--model", "pmedian"], "--p N"),
        (&["--candidate-spacing", "inf"], "--candidate-spacing inf"),
        // Capacities work with lscp, mclp and pmedian (issue 12), not with p-center.
        (
            &["--capacity", "--model", "pcenter", "--p", "2"],
            "not pcenter",
        ),
        (&["--matrix", "no-such-matrix.csv"], "no-such-matrix.csv"),
        #[cfg(unix)]
        (&["--matrix", "/dev/zero"], "not a regular file"),
    ] {
        let mut args = vec!["site", "--kind", "day_care"];
        args.extend_from_slice(flags);
        let e = refused(&args, "");
        assert!(e.contains(needle), "{flags:?}: {e}");
    }
    // Several kinds are sited together with the uncapacitated LSCP only.
    let e = refused(
        &[
            "site",
            "--kind",
            "day_care,canteen",
            "--model",
            "mclp",
            "--p",
            "2",
        ],
        "",
    );
    assert!(e.contains("lscp model only"), "{e}");
    let e = refused(&["site", "--kind", "day_care,canteen,day_care"], "");
    assert!(e.contains("twice"), "{e}");
    let e = refused(&["site", "--kind", "day_cre"], "");
    assert!(e.contains("did you mean day_care?"), "{e}");
    let e = refused(&["areas", "--bands", "5,NaN"], "");
    assert!(e.contains("--bands"), "{e}");
}

#[test]
fn capacitated_siting_without_candidate_capacities_says_where_to_give_one() {
    let e = refused(
        &[
            "site",
            "--kind",
            "day_care",
            "--model",
            "mclp",
            "--p",
            "1",
            "--capacity",
        ],
        "",
    );
    assert!(e.contains("default_capacity"), "{e}");
    // With a default capacity the same command runs.
    let (dir, scenario) = district_with("[siting]\ndefault_capacity = 100");
    let out = dir.path().join("out");
    let run = carecircle(
        &[
            "site",
            "--kind",
            "day_care",
            "--model",
            "mclp",
            "--p",
            "1",
            "--capacity",
        ],
        &scenario,
        &out,
    );
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

#[test]
fn scenario_siting_settings_reach_the_site_command() {
    // `[siting] model/p` are the defaults of `site`: mclp with p = 1 opens one site.
    let (dir, scenario) = district_with("[siting]\nmodel = \"mclp\"\np = 1\ntime_limit_s = 1e6");
    let out = dir.path().join("out");
    let run = carecircle(&["site", "--kind", "canteen"], &scenario, &out);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(stdout.contains("1 new by mclp"), "{stdout}");
}

#[test]
fn a_time_limit_beyond_the_clock_is_no_deadline_not_a_panic() {
    use carecircle::reach_table::ReachTable;
    use carecircle::siting::{solve, Method, Model, SitingOptions, SitingProblem};
    let problem = SitingProblem {
        weights: vec![10.0, 20.0, 5.0],
        reach: ReachTable::from_triplets(
            3,
            2,
            15.0,
            vec![(0, 0, 3.0), (1, 0, 5.0), (1, 1, 4.0), (2, 1, 2.0)],
        ),
        ..SitingProblem::default()
    };
    for method in [Method::Heuristic, Method::Exact] {
        for model in [Model::Lscp, Model::Mclp { p: 1 }, Model::PMedian { p: 1 }] {
            let unlimited = SitingOptions {
                method,
                time_limit: None,
                ..SitingOptions::default()
            };
            let huge = SitingOptions {
                time_limit: Some(std::time::Duration::MAX),
                ..unlimited.clone()
            };
            let a = solve(&problem, &model, &unlimited).unwrap();
            let b = solve(&problem, &model, &huge).unwrap();
            assert_eq!(a.chosen, b.chosen, "{model:?} {method:?}");
            assert_eq!(a.objective, b.objective, "{model:?} {method:?}");
        }
    }
}
