//! Capacity-aware accessibility (the 2SFCA family of `crate::access`) in the shared outputs:
//! per-community columns for coverage.csv and communities.geojson, the report's section (the
//! communities "covered but over-subscribed" listed per kind) and the workbook's sheet.
//! `access` computes; this writes.

use serde_json::{json, Value};

use crate::access::{AccessReport, KindAccess};
use crate::coverage::Audit;
use crate::i18n::{kind_name, Msg};
use crate::report::document::{Block, ReportContext, TOP};
use crate::report::round_to;
use crate::report::table::{Cell, ColumnKind as K, Table};

const HEADING: Msg = Msg {
    key: "ACCESS_HEADING",
    zh: "养老服务可达性（供需比，{method}）",
    en: "Capacity-aware accessibility ({method})",
};
const INTRO: Msg = Msg {
    key: "ACCESS_INTRO",
    zh: "两步移动搜索法：每处设施的供给（床位，或建筑面积）由其 {catchment} 分钟服务范围内的全部老年人分摊，每个社区累计其可达设施的份额，以每千名老年人计。“覆盖但供给不足”：在时限内有设施覆盖，但可达性低于标准。",
    en: "Two-step floating catchment: each facility's supply (places, or floor area) is shared by every elderly person within its {catchment}-minute catchment, and each community sums the shares it reaches, per 1000 elderly people. \"Covered but over-subscribed\": within the time limit of a facility, but below the norm.",
};
const SUMMARY_TITLE: Msg = Msg {
    key: "ACCESS_SUMMARY",
    zh: "各类设施可达性",
    en: "Accessibility per kind",
};
const KIND: Msg = Msg {
    key: "ACCESS_KIND",
    zh: "设施类型",
    en: "Kind",
};
const UNIT: Msg = Msg {
    key: "ACCESS_UNIT",
    zh: "供给单位",
    en: "Supply unit",
};
const NORM: Msg = Msg {
    key: "ACCESS_NORM",
    zh: "标准（每千名老年人）",
    en: "Norm (per 1000 elderly)",
};
const LOWEST: Msg = Msg {
    key: "ACCESS_LOWEST",
    zh: "最低（每千名老年人）",
    en: "Lowest (per 1000 elderly)",
};
const HIGHEST: Msg = Msg {
    key: "ACCESS_HIGHEST",
    zh: "最高（每千名老年人）",
    en: "Highest (per 1000 elderly)",
};
const OVER_COUNT: Msg = Msg {
    key: "ACCESS_OVER_COUNT",
    zh: "覆盖但供给不足的社区",
    en: "Covered but over-subscribed communities",
};
const OVER_ELDERLY: Msg = Msg {
    key: "ACCESS_OVER_ELDERLY",
    zh: "其中老年人",
    en: "Elderly people in them",
};
const OVER_HEADING: Msg = Msg {
    key: "ACCESS_OVER_HEADING",
    zh: "{kind}：覆盖但供给不足的社区（{n} 个，列出前 {top} 个）",
    en: "{kind}: covered but over-subscribed communities ({n}, the first {top} listed)",
};
const NONE_OVER: Msg = Msg {
    key: "ACCESS_NONE_OVER",
    zh: "{kind}：没有覆盖但供给不足的社区。",
    en: "{kind}: no community is covered but over-subscribed.",
};
const SKIPPED: Msg = Msg {
    key: "ACCESS_SKIPPED",
    zh: "{kind}：未计算（{why}）",
    en: "{kind}: not computed ({why})",
};
const CODE: Msg = Msg {
    key: "ACCESS_CODE",
    zh: "编码",
    en: "Code",
};
const COMMUNITY: Msg = Msg {
    key: "ACCESS_COMMUNITY",
    zh: "社区",
    en: "Community",
};
const STREET: Msg = Msg {
    key: "ACCESS_STREET",
    zh: "街道",
    en: "Street",
};
const ELDERLY: Msg = Msg {
    key: "ACCESS_ELDERLY",
    zh: "老年人",
    en: "Elderly",
};
const PER_1000: Msg = Msg {
    key: "ACCESS_PER_1000",
    zh: "可达性（每千名老年人）",
    en: "Accessibility (per 1000 elderly)",
};
const COVERED: Msg = Msg {
    key: "ACCESS_COVERED",
    zh: "时限内覆盖",
    en: "Covered",
};
const OVER: Msg = Msg {
    key: "ACCESS_OVER",
    zh: "覆盖但供给不足",
    en: "Covered but over-subscribed",
};
const YES: Msg = Msg {
    key: "ACCESS_YES",
    zh: "是",
    en: "yes",
};
const NO: Msg = Msg {
    key: "ACCESS_NO",
    zh: "否",
    en: "no",
};
/// The workbook's sheet name.
pub const SHEET: Msg = Msg {
    key: "ACCESS_SHEET",
    zh: "可达性",
    en: "Accessibility",
};

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
    let mut t = Table::new("access", SUMMARY_TITLE.get(lang))
        .column("kind", KIND.get(lang), K::Text)
        .column("supply_unit", UNIT.get(lang), K::Text)
        .column("norm_per_1000_elderly", NORM.get(lang), K::Number(2))
        .column("lowest_per_1000_elderly", LOWEST.get(lang), K::Number(2))
        .column("highest_per_1000_elderly", HIGHEST.get(lang), K::Number(2))
        .column("over_subscribed", OVER_COUNT.get(lang), K::Count)
        .column("over_subscribed_elderly", OVER_ELDERLY.get(lang), K::Count);
    for k in &access.kinds {
        let (lo, hi) = range(k);
        let elderly: f64 = k
            .over_subscribed
            .iter()
            .map(|&c| ctx.audit.elderly[c])
            .sum();
        t.push(vec![
            Cell::text(kind_name(lang, k.kind)),
            Cell::text(k.unit.words()),
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
    let mut t = Table::new("access_over_subscribed", OVER_COUNT.get(lang))
        .column("community_id", CODE.get(lang), K::Code)
        .column("name", COMMUNITY.get(lang), K::Text)
        .column("street", STREET.get(lang), K::Text)
        .column("elderly", ELDERLY.get(lang), K::Count)
        .column("access_per_1000_elderly", PER_1000.get(lang), K::Number(2))
        .column("norm_per_1000_elderly", NORM.get(lang), K::Number(2));
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
    let mut t = Table::new("access_communities", SHEET.get(lang))
        .column("kind", KIND.get(lang), K::Text)
        .column("community_id", CODE.get(lang), K::Code)
        .column("name", COMMUNITY.get(lang), K::Text)
        .column("street", STREET.get(lang), K::Text)
        .column("elderly", ELDERLY.get(lang), K::Count)
        .column("access_per_1000_elderly", PER_1000.get(lang), K::Number(4))
        .column("covered", COVERED.get(lang), K::Flag)
        .column("over_subscribed", OVER.get(lang), K::Flag);
    let flag = |b: bool| Cell::Flag(b, if b { YES.get(lang) } else { NO.get(lang) }.into());
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
        HEADING.fill(lang, &[("method", access.method.clone())]),
    )];
    let catchment = access
        .kinds
        .first()
        .map(|k| format!("{}", k.catchment_min))
        .unwrap_or_else(|| format!("{}", ctx.study.scenario.travel.limit_min));
    b.push(Block::Paragraph(
        INTRO.fill(lang, &[("catchment", catchment)]),
    ));
    if !access.kinds.is_empty() {
        b.push(Block::Table(summary_table(ctx, access)));
    }
    for k in &access.kinds {
        let kind = kind_name(lang, k.kind);
        if k.over_subscribed.is_empty() {
            b.push(Block::Paragraph(NONE_OVER.fill(lang, &[("kind", kind)])));
            continue;
        }
        b.push(Block::Heading(
            3,
            format!("access-{}", k.kind.as_str()),
            OVER_HEADING.fill(
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
                    SKIPPED.fill(
                        lang,
                        &[("kind", kind_name(lang, *kind)), ("why", why.clone())],
                    )
                })
                .collect(),
        ));
    }
    b
}
