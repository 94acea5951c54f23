//! Capacity-aware accessibility (the 2SFCA family of `crate::access`) in the shared outputs:
//! per-community columns for coverage.csv and communities.geojson, the report's section (the
//! communities "covered but over-subscribed" listed per kind) and the workbook's sheet.
//! `access` computes; this writes.

use serde_json::{json, Value};

use crate::access::{AccessReport, KindAccess};
use crate::coverage::Audit;
use crate::i18n::{self as m, kind_name};
use crate::report::document::{Block, ReportContext, TOP};
use crate::report::round_to;
use crate::report::table::{Cell, ColumnKind as K, Table};

/// Per community, whether a kind covers it within its limit (the audit's answer).
fn covered(audit: &Audit, k: &KindAccess, c: usize) -> bool {
    audit
        .kinds
        .iter()
        .find(|a| a.kind == k.kind)
        .is_some_and(|a| a.covered[c])
}

/// Covered within the limit but below the norm (as access.csv and `KindAccess::over_subscribed`
/// count it).
pub fn over_subscribed(audit: &Audit, k: &KindAccess, c: usize) -> bool {
    covered(audit, k, c) && k.community_access[c] < k.norm * (1.0 - 1e-9)
}

/// The accessibility columns of a community row (coverage.csv, communities.geojson): per kind
/// with a supply, `<kind>_access_per_1000` (supply per 1000 elderly people within reach) and
/// `<kind>_over_subscribed` (covered but below the norm).
pub fn community_columns(access: &AccessReport, audit: &Audit, c: usize) -> Vec<(String, Value)> {
    access
        .kinds
        .iter()
        .flat_map(|k| {
            let kind = k.kind.as_str();
            [
                (
                    format!("{kind}_access_per_1000"),
                    json!(round_to(1000.0 * k.community_access[c], 4)),
                ),
                (
                    format!("{kind}_over_subscribed"),
                    json!(over_subscribed(audit, k, c)),
                ),
            ]
        })
        .collect()
}

/// Lowest and highest accessibility over the communities, per 1000 elderly people.
fn range(k: &KindAccess) -> (f64, f64) {
    let (lo, hi) = k
        .community_access
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &a| {
            (lo.min(a), hi.max(a))
        });
    if lo.is_finite() {
        (1000.0 * lo, 1000.0 * hi)
    } else {
        (0.0, 0.0)
    }
}

/// One row per kind: supply unit, norm, range, over-subscribed communities and their elderly.
pub fn summary_table(ctx: &ReportContext, access: &AccessReport) -> Table {
    let lang = ctx.options.lang;
    let mut t = Table::new("access", m::ACCESS_SUMMARY.get(lang))
        .column("kind", m::ACCESS_KIND.get(lang), K::Text)
        .column("supply_unit", m::ACCESS_UNIT.get(lang), K::Text)
        .column(
            "norm_per_1000_elderly",
            m::ACCESS_NORM.get(lang),
            K::Number(2),
        )
        .column(
            "lowest_per_1000_elderly",
            m::ACCESS_LOWEST.get(lang),
            K::Number(2),
        )
        .column(
            "highest_per_1000_elderly",
            m::ACCESS_HIGHEST.get(lang),
            K::Number(2),
        )
        .column("over_subscribed", m::ACCESS_OVER_COUNT.get(lang), K::Count)
        .column(
            "over_subscribed_elderly",
            m::ACCESS_OVER_ELDERLY.get(lang),
            K::Count,
        );
    for k in &access.kinds {
        let (lo, hi) = range(k);
        let elderly: f64 = k
            .over_subscribed
            .iter()
            .map(|&c| ctx.audit.elderly[c])
            .sum();
        t.push(vec![
            Cell::text(kind_name(lang, k.kind)),
            Cell::text(k.unit.name().get(lang)),
            Cell::Number(1000.0 * k.norm),
            Cell::Number(lo),
            Cell::Number(hi),
            Cell::Number(k.over_subscribed.len() as f64),
            Cell::Number(elderly),
        ]);
    }
    t
}

/// The communities of a kind that are covered but over-subscribed, most elderly first.
pub fn over_subscribed_table(ctx: &ReportContext, k: &KindAccess) -> Table {
    let lang = ctx.options.lang;
    let mut t = Table::new("access_over_subscribed", m::ACCESS_OVER_COUNT.get(lang))
        .column("community_id", m::CODE.get(lang), K::Code)
        .column("name", m::COMMUNITY.get(lang), K::Text)
        .column("street", m::STREET.get(lang), K::Text)
        .column("elderly", m::ELDERLY.get(lang), K::Count)
        .column(
            "access_per_1000_elderly",
            m::ACCESS_PER_1000.get(lang),
            K::Number(2),
        )
        .column(
            "norm_per_1000_elderly",
            m::ACCESS_NORM.get(lang),
            K::Number(2),
        );
    for &c in &k.over_subscribed {
        let com = &ctx.study.layers.communities[c];
        t.push(vec![
            Cell::text(com.id.clone()),
            Cell::text(com.name.clone()),
            Cell::text(com.street.clone()),
            Cell::Number(ctx.audit.elderly[c]),
            Cell::Number(1000.0 * k.community_access[c]),
            Cell::Number(1000.0 * k.norm),
        ]);
    }
    t
}

/// Every community and kind, for the workbook.
pub fn communities_table(ctx: &ReportContext, access: &AccessReport) -> Table {
    let lang = ctx.options.lang;
    let mut t = Table::new("access_communities", m::ACCESS_SHEET.get(lang))
        .column("kind", m::ACCESS_KIND.get(lang), K::Text)
        .column("community_id", m::CODE.get(lang), K::Code)
        .column("name", m::COMMUNITY.get(lang), K::Text)
        .column("street", m::STREET.get(lang), K::Text)
        .column("elderly", m::ELDERLY.get(lang), K::Count)
        .column(
            "access_per_1000_elderly",
            m::ACCESS_PER_1000.get(lang),
            K::Number(4),
        )
        .column("covered", m::ACCESS_COVERED.get(lang), K::Flag)
        .column("over_subscribed", m::ACCESS_OVER.get(lang), K::Flag);
    let flag = |b: bool| Cell::Flag(b, if b { m::YES.get(lang) } else { m::NO.get(lang) }.into());
    for k in &access.kinds {
        for (c, com) in ctx.study.layers.communities.iter().enumerate() {
            t.push(vec![
                Cell::text(kind_name(lang, k.kind)),
                Cell::text(com.id.clone()),
                Cell::text(com.name.clone()),
                Cell::text(com.street.clone()),
                Cell::Number(ctx.audit.elderly[c]),
                Cell::Number(1000.0 * k.community_access[c]),
                flag(covered(ctx.audit, k, c)),
                flag(over_subscribed(ctx.audit, k, c)),
            ]);
        }
    }
    t
}

/// The report's accessibility section.
pub fn blocks(ctx: &ReportContext, access: &AccessReport) -> Vec<Block> {
    let lang = ctx.options.lang;
    let mut b = vec![Block::Heading(
        2,
        "access".into(),
        m::ACCESS_HEADING.fill(lang, &[("method", access.method.clone())]),
    )];
    let catchment = access
        .kinds
        .first()
        .map(|k| format!("{}", k.catchment_min))
        .unwrap_or_else(|| format!("{}", ctx.study.scenario.travel.limit_min));
    b.push(Block::Paragraph(
        m::ACCESS_INTRO.fill(lang, &[("catchment", catchment)]),
    ));
    if !access.kinds.is_empty() {
        b.push(Block::Table(summary_table(ctx, access)));
    }
    for k in &access.kinds {
        let kind = kind_name(lang, k.kind);
        if k.over_subscribed.is_empty() {
            b.push(Block::Paragraph(
                m::ACCESS_NONE_OVER.fill(lang, &[("kind", kind)]),
            ));
            continue;
        }
        b.push(Block::Heading(
            3,
            format!("access-{}", k.kind.as_str()),
            m::ACCESS_OVER_HEADING.fill(
                lang,
                &[
                    ("kind", kind),
                    ("n", k.over_subscribed.len().to_string()),
                    ("top", k.over_subscribed.len().min(TOP).to_string()),
                ],
            ),
        ));
        b.push(Block::Table(over_subscribed_table(ctx, k).top(TOP)));
    }
    if !access.skipped.is_empty() {
        b.push(Block::List(
            access
                .skipped
                .iter()
                .map(|(kind, why)| {
                    m::ACCESS_SKIPPED.fill(
                        lang,
                        &[("kind", kind_name(lang, *kind)), ("why", why.words(lang))],
                    )
                })
                .collect(),
        ));
    }
    b
}
