//! The demo district exercises every built-in rule: each has at least one subject that passes
//! and one that fails, and none is left "not checked" for want of a mapped field.

use carecircle::coverage::audit;
use carecircle::io::scenario::Scenario;
use carecircle::rules::{evaluate, RuleResult, RuleSet, Status, Tally};
use carecircle::study::Study;

#[test]
fn demo_has_a_pass_and_a_fail_for_every_builtin_rule() {
    let dir = tempfile::tempdir().unwrap();
    let path = carecircle::demo::write_demo_data(dir.path()).unwrap();
    let scenario = Scenario::load(&path).unwrap();
    let set = RuleSet::for_scenario(&scenario, Some("cn-eldercare")).unwrap();
    let study = Study::from_scenario(scenario).unwrap();
    let results = evaluate(&study, &audit(&study), &set);

    let mut problems = Vec::new();
    for (i, rule) in set.rules.iter().enumerate() {
        let mine: Vec<RuleResult> = results.iter().filter(|r| r.rule == i).cloned().collect();
        let t = Tally::of(&mine);
        let first_not_checked = mine
            .iter()
            .find(|r| r.status == Status::NotChecked)
            .map(|r| format!("; e.g. {}: {}", r.subject_id, r.reason))
            .unwrap_or_default();
        if t.pass == 0 || t.fail == 0 || t.not_checked > 0 {
            problems.push(format!(
                "{}: {} pass, {} fail, {} not checked{first_not_checked}",
                rule.id, t.pass, t.fail, t.not_checked
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "every built-in rule needs a passing and a failing subject in the demo, and every \
         field it reads mapped:\n{}",
        problems.join("\n")
    );
}
