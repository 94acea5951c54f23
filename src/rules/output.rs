//! rules.csv, the report.md section and the summary.json entry of a rule check.

use serde_json::{json, Value};

use super::{num_dp, RuleResult, RuleSet, Tally};
use crate::error::{Error, Result};
use crate::i18n::Lang;
use crate::report::{OutputSet, Section};

/// The columns of rules.csv (part of the interface).
pub const CSV_COLUMNS: [&str; 14] = [
    "rule",
    "title",
    "kind",
    "source",
    "scope",
    "subject_id",
    "subject_name",
    "street",
    "value",
    "unit",
    "required",
    "result",
    "reason",
    "note",
];

/// rules.csv: one row per rule and subject (UTF-8 with BOM so Excel shows Chinese).
pub fn rules_csv(set: &RuleSet, results: &[RuleResult], lang: Lang) -> Result<Vec<u8>> {
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let csv_err = |e: csv::Error| Error::Other(format!("writing rules.csv: {e}"));
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record(CSV_COLUMNS).map_err(csv_err)?;
        for r in results {
            let Some(rule) = set.rules.get(r.rule) else {
                continue;
            };
            w.write_record(
                [
                    rule.id.as_str(),
                    rule.title.get(lang),
                    rule.kind.as_str(),
                    &rule.source_text(lang),
                    r.scope.as_str(),
                    &r.subject_id,
                    &r.subject_name,
                    &r.street,
                    &r.value.map(|v| num_dp(v, 4)).unwrap_or_default(),
                    &r.unit,
                    &r.required,
                    r.status.as_str(),
                    &r.reason,
                    rule.note.as_ref().map_or("", |n| n.get(lang)),
                ]
                .map(|c| crate::output::csv_text(c).into_owned()),
            )
            .map_err(csv_err)?;
        }
        w.flush()
            .map_err(|e| Error::Other(format!("writing rules.csv: {e}")))?;
    }
    Ok(out)
}

fn tally_of_rule(results: &[RuleResult], rule: usize) -> Tally {
    let mine: Vec<RuleResult> = results.iter().filter(|r| r.rule == rule).cloned().collect();
    Tally::of(&mine)
}

/// The summary.json entry: per rule its counts, and the totals.
pub fn rules_summary(set: &RuleSet, results: &[RuleResult], lang: Lang) -> Value {
    let t = Tally::of(results);
    let rules: Vec<Value> = set
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let rt = tally_of_rule(results, i);
            json!({
                "id": r.id,
                "title": r.title.get(lang),
                "kind": r.kind.as_str(),
                "scope": r.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
                "required": r.scopes.iter().map(|s| r.required_text(*s, lang)).collect::<Vec<_>>(),
                "source": r.source.get(lang),
                "clause": r.clause.get(lang),
                "note": r.note.as_ref().map(|n| n.get(lang)),
                "pass": rt.pass,
                "fail": rt.fail,
                "not_checked": rt.not_checked,
            })
        })
        .collect();
    json!({
        "ruleset": set.name,
        "origin": set.origin,
        "pass": t.pass,
        "fail": t.fail,
        "not_checked": t.not_checked,
        "rules": rules,
    })
}

/// Adds rules.csv to the output set and returns the summary.json entry (pass it to
/// `report::audit_outputs`; report.md's section is built by `report::document`).
pub fn outputs(
    set: &RuleSet,
    results: &[RuleResult],
    lang: Lang,
    out: &mut OutputSet,
) -> Result<Section> {
    out.add("rules.csv", rules_csv(set, results, lang)?);
    Ok(Section {
        key: "rules".into(),
        summary: rules_summary(set, results, lang),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{Scope, Status};

    #[test]
    fn csv_has_every_subject_and_the_summary_the_counts() {
        let set = RuleSet::from_toml(
            "[[rule]]\nid = \"p\"\nkind = \"presence\"\nfacility_kinds = \"day_care\"\n\
             source = \"doc\"\nclause = \"§1\"\n",
            std::path::Path::new("t.toml"),
        )
        .unwrap();
        let results: Vec<RuleResult> = (0..25)
            .map(|i| RuleResult {
                rule: 0,
                rule_id: "p".into(),
                scope: Scope::Street,
                subject_id: format!("s{i:02}"),
                subject_name: format!("s{i:02}"),
                street: format!("s{i:02}"),
                value: Some(0.0),
                unit: "day_care".into(),
                required: "≥ 1 day_care".into(),
                status: if i < 23 { Status::Fail } else { Status::Pass },
                reason: "no day_care located in the street".into(),
            })
            .collect();
        let csv = rules_csv(&set, &results, Lang::En).unwrap();
        let text = String::from_utf8(csv).unwrap();
        assert_eq!(text.lines().count(), 26);
        assert!(text.starts_with("\u{feff}rule,title,kind,source,scope,"));
        assert!(text.contains(",street,s24,s24,s24,0,day_care,≥ 1 day_care,pass,"));
        let summary = rules_summary(&set, &results, Lang::En);
        assert_eq!(summary["fail"], 23);
        assert_eq!(summary["rules"][0]["pass"], 2);
    }
}
