//! rules.csv, the report.md section and the summary.json entry of a rule check.

use std::fmt::Write as _;

use serde_json::{json, Value};

use super::{num_dp, RuleResult, RuleSet, Status, Tally};
use crate::error::{Error, Result};
use crate::i18n::Lang;
use crate::report::{md_cell, OutputSet, Section};

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

/// The report.md section: a table per rule, then every failure and every subject not checked.
pub fn rules_markdown(set: &RuleSet, results: &[RuleResult], lang: Lang) -> String {
    let mut md = String::new();
    let t = Tally::of(results);
    let _ = writeln!(
        md,
        "# 规划指标校核 · Planning-rule checks: {}\n",
        md_cell(&set.name)
    );
    let _ = writeln!(
        md,
        "{} ({}). {} rules; {} subjects checked: {} pass, {} fail, {} not checked.\n",
        md_cell(set.title.get(lang)),
        md_cell(&set.origin),
        set.rules.len(),
        results.len(),
        t.pass,
        t.fail,
        t.not_checked
    );
    md.push_str("| rule | required | pass | fail | not checked | source |\n");
    md.push_str("|---|---|---:|---:|---:|---|\n");
    for (i, rule) in set.rules.iter().enumerate() {
        let rt = tally_of_rule(results, i);
        let mark = if rt.fail > 0 {
            "✘"
        } else if rt.not_checked > 0 {
            "?"
        } else {
            "✔"
        };
        let _ = writeln!(
            md,
            "| {mark} {} `{}` | {} | {} | {} | {} | {} |",
            md_cell(rule.title.get(lang)),
            md_cell(&rule.id),
            md_cell(&rule.required_summary(lang)),
            rt.pass,
            rt.fail,
            rt.not_checked,
            md_cell(&rule.source_text(lang))
        );
    }
    let notes: Vec<String> = set
        .rules
        .iter()
        .filter_map(|r| {
            r.note
                .as_ref()
                .map(|n| format!("- `{}`: {}", md_cell(&r.id), md_cell(n.get(lang))))
        })
        .collect();
    if !notes.is_empty() {
        let _ = writeln!(md, "\nNotes:\n\n{}", notes.join("\n"));
    }
    for (status, heading) in [
        (Status::Fail, "Failures"),
        (Status::NotChecked, "Not checked"),
    ] {
        let rows: Vec<&RuleResult> = results.iter().filter(|r| r.status == status).collect();
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(md, "\n## {heading} ({})\n", rows.len());
        md.push_str("| rule | scope | subject | value | required | reason |\n");
        md.push_str("|---|---|---|---:|---|---|\n");
        for (i, rule) in set.rules.iter().enumerate() {
            let mine: Vec<&RuleResult> = rows.iter().copied().filter(|r| r.rule == i).collect();
            for r in mine.iter().take(MD_ROWS_PER_RULE) {
                let value = r
                    .value
                    .map(|v| format!("{} {}", num_dp(v, 2), r.unit))
                    .unwrap_or_else(|| "–".into());
                let subject = if r.subject_id == r.subject_name {
                    md_cell(&r.subject_id)
                } else {
                    format!("{} {}", md_cell(&r.subject_id), md_cell(&r.subject_name))
                };
                let _ = writeln!(
                    md,
                    "| `{}` | {} | {} | {} | {} | {} |",
                    md_cell(&r.rule_id),
                    r.scope.as_str(),
                    subject,
                    md_cell(value.trim()),
                    md_cell(&r.required),
                    md_cell(&r.reason)
                );
            }
            if mine.len() > MD_ROWS_PER_RULE {
                let _ = writeln!(
                    md,
                    "| `{}` | | … and {} more (see rules.csv) | | | |",
                    md_cell(&rule.id),
                    mine.len() - MD_ROWS_PER_RULE
                );
            }
        }
    }
    md
}

/// report.md lists at most this many failures (and as many subjects not checked) per rule;
/// rules.csv has them all.
pub const MD_ROWS_PER_RULE: usize = 20;

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

/// Adds rules.csv to the output set and returns the section for report.md and summary.json
/// (pass it to `report::audit_outputs`).
pub fn outputs(
    set: &RuleSet,
    results: &[RuleResult],
    lang: Lang,
    out: &mut OutputSet,
) -> Result<Section> {
    out.add("rules.csv", rules_csv(set, results, lang)?);
    Ok(Section {
        key: "rules".into(),
        markdown: rules_markdown(set, results, lang),
        summary: rules_summary(set, results, lang),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Scope;

    #[test]
    fn report_lists_at_most_20_failures_per_rule_and_csv_all() {
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
        let md = rules_markdown(&set, &results, Lang::En);
        assert!(md.contains("25 subjects checked: 2 pass, 23 fail, 0 not checked"));
        assert!(md.contains("| ✘ p `p` | street ≥ 1 day_care | 2 | 23 | 0 | doc, §1 |"));
        assert!(md.contains("## Failures (23)"));
        assert!(md.contains("| `p` | street | s19 | 0 day_care | ≥ 1 day_care |"));
        assert!(!md.contains("| s20 |"));
        assert!(md.contains("| `p` | | … and 3 more (see rules.csv) | | | |"));
        let csv = rules_csv(&set, &results, Lang::En).unwrap();
        let text = String::from_utf8(csv).unwrap();
        assert_eq!(text.lines().count(), 26);
        assert!(text.starts_with("\u{feff}rule,title,kind,source,scope,"));
        let summary = rules_summary(&set, &results, Lang::En);
        assert_eq!(summary["fail"], 23);
        assert_eq!(summary["rules"][0]["pass"], 2);
    }
}
