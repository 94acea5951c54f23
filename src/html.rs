//! report.html: one standalone file a bureau can open, print or send on. Everything is inline
//! (CSS, the maps as base64 PNG); nothing is fetched from the network. Every string that comes
//! from the data (names, ids, streets, the scenario's name, the sections of later stages) is
//! escaped.

use std::fmt::Write as _;

use base64::Engine as _;

use crate::coverage::Audit;
use crate::error::Result;
use crate::render::{draw_maps, Map, MapSet, Overlays, RenderOptions};
use crate::report::OutputSet;
use crate::study::Study;

/// A table a later stage (siting, rules) adds to the report, as plain text: it is escaped
/// here.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HtmlSection {
    pub title: String,
    /// A paragraph under the title (may be empty).
    pub note: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters other than tab and newline have no place in a report.
            c if c.is_control() && c != '\t' && c != '\n' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = r#"
:root { --ink: #222; --muted: #666; --rule: #ccc; --ok: #31a354; --bad: #cb181d; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", sans-serif;
       color: var(--ink); margin: 0 auto; max-width: 1100px; padding: 24px; line-height: 1.5; }
h1 { font-size: 1.7em; margin: 0 0 .2em; }
h2 { font-size: 1.35em; border-bottom: 2px solid var(--ink); padding-bottom: .15em; margin-top: 1.8em; }
h3 { font-size: 1.1em; margin-top: 1.4em; }
p.sub { color: var(--muted); margin-top: 0; }
table { border-collapse: collapse; width: 100%; margin: .6em 0 1em; font-size: .92em; }
th, td { border: 1px solid var(--rule); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f2f2ee; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.ok { color: var(--ok); font-weight: bold; }
.bad { color: var(--bad); font-weight: bold; }
figure { margin: 1em 0; }
figure img { width: 100%; height: auto; border: 1px solid var(--rule); }
figcaption { color: var(--muted); font-size: .9em; }
nav ul { columns: 2; padding-left: 1.2em; }
footer { margin-top: 3em; color: var(--muted); font-size: .85em; border-top: 1px solid var(--rule); padding-top: .6em; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  nav { display: none; }
  h2 { break-before: page; }
  h2.first { break-before: avoid; }
  figure, tr { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"#;

fn pct(x: f64) -> String {
    crate::figures::percent(x)
}

fn count(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

fn table(out: &mut String, header: &[&str], rows: &[Vec<Cell>]) {
    out.push_str("<table>\n<thead><tr>");
    for h in header {
        let _ = write!(out, "<th>{}</th>", escape_html(h));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            match cell {
                Cell::Text(t) => {
                    let _ = write!(out, "<td>{}</td>", escape_html(t));
                }
                Cell::Num(t) => {
                    let _ = write!(out, "<td class=\"n\">{}</td>", escape_html(t));
                }
                Cell::Flag(ok, t) => {
                    let _ = write!(
                        out,
                        "<td class=\"{}\">{}</td>",
                        if *ok { "ok" } else { "bad" },
                        escape_html(t)
                    );
                }
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

enum Cell {
    Text(String),
    Num(String),
    Flag(bool, String),
}

fn figure(out: &mut String, map: &Map) {
    let b64 = base64::engine::general_purpose::STANDARD.encode(&map.png);
    let _ = writeln!(
        out,
        "<figure id=\"{}\"><img alt=\"{}\" width=\"{}\" height=\"{}\" src=\"data:image/png;base64,{}\">\
         <figcaption>{} (<code>{}.png</code>, <code>{}.svg</code>)</figcaption></figure>",
        escape_html(&map.name),
        escape_html(&map.title),
        map.width,
        map.height,
        b64,
        escape_html(&map.title),
        escape_html(&map.name),
        escape_html(&map.name),
    );
}

/// The whole report.html.
pub fn report_html(
    study: &Study,
    audit: &Audit,
    maps: &MapSet,
    overlays: &Overlays,
    attribution: &str,
    sections: &[HtmlSection],
) -> String {
    let s = &study.scenario;
    let mut h = String::new();
    let name = escape_html(&s.name);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>养老服务圈评估 · {name}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
    );
    let _ = write!(
        h,
        "<header>\n<h1>养老服务圈覆盖评估 · Elderly-care service circle report</h1>\n\
         <p class=\"sub\">{name}</p>\n"
    );
    let streets: std::collections::BTreeSet<&str> = study
        .layers
        .communities
        .iter()
        .map(|c| c.street.as_str())
        .collect();
    let _ = write!(
        h,
        "<p>出行方式 Travel: {} at {} m/min, limit {} min. Demand counted from {}. \
         {} communities in {} streets; {} facilities. Road network: {} nodes, {} edges, {:.1} km \
         (largest connected piece).</p>\n</header>\n",
        escape_html(s.travel.mode.as_str()),
        s.travel.speed_m_per_min,
        s.travel.limit_min,
        if study.demand_from_cells {
            "population cells"
        } else {
            "community points"
        },
        study.layers.communities.len(),
        streets.len(),
        study.layers.facilities.len(),
        study.graph.node_count(),
        study.graph.edge_count(),
        study.graph.total_length_m() / 1000.0
    );
    // Contents.
    h.push_str("<nav><h3>目录 Contents</h3><ul>\n<li><a href=\"#district\">全区覆盖 District coverage</a></li>\n");
    for k in &audit.kinds {
        let _ = writeln!(
            h,
            "<li><a href=\"#kind-{0}\">{1} {0}</a></li>",
            k.kind.as_str(),
            k.kind.chinese()
        );
    }
    let sites_maps: Vec<&Map> = maps
        .maps
        .iter()
        .filter(|m| m.name.starts_with("map_sites_"))
        .collect();
    if !overlays.new_sites.is_empty() {
        h.push_str("<li><a href=\"#sites\">新增选址 Proposed sites</a></li>\n");
    }
    for (i, sec) in sections.iter().enumerate() {
        let _ = writeln!(
            h,
            "<li><a href=\"#section-{i}\">{}</a></li>",
            escape_html(&sec.title)
        );
    }
    if !study.warnings.items.is_empty() {
        h.push_str("<li><a href=\"#warnings\">提示 Warnings</a></li>\n");
    }
    h.push_str("</ul></nav>\n");

    // District coverage.
    h.push_str("<h2 id=\"district\" class=\"first\">全区覆盖 District coverage</h2>\n");
    let rows: Vec<Vec<Cell>> = audit
        .kinds
        .iter()
        .map(|k| {
            let t = audit.totals(k, |_| true);
            let target = match k.target {
                Some(tg) => {
                    let met = t.community_share + 1e-12 >= tg.coverage;
                    Cell::Flag(
                        met,
                        format!(
                            "{} {}",
                            pct(tg.coverage),
                            if met {
                                "✔ 达标 met"
                            } else {
                                "✘ 未达标 not met"
                            }
                        ),
                    )
                }
                None => Cell::Text("–".into()),
            };
            vec![
                Cell::Text(format!("{} {}", k.kind.chinese(), k.kind.as_str())),
                Cell::Num(format!("{}", k.limit_min)),
                Cell::Num(k.facilities.to_string()),
                Cell::Num(format!("{} / {}", t.communities_covered, t.communities)),
                Cell::Num(pct(t.community_share)),
                Cell::Num(format!(
                    "{} / {}",
                    count(t.elderly_covered),
                    count(t.elderly)
                )),
                Cell::Num(pct(t.elderly_share)),
                target,
            ]
        })
        .collect();
    table(
        &mut h,
        &[
            "设施类型 kind",
            "时限 limit (min)",
            "设施 facilities",
            "覆盖社区 communities covered",
            "比例 share",
            "覆盖老年人 elderly covered",
            "比例 share",
            "目标 target",
        ],
        &rows,
    );

    // Per kind: map, streets, uncovered.
    for k in &audit.kinds {
        let _ = writeln!(
            h,
            "<h2 id=\"kind-{0}\">{1} {0}</h2>",
            k.kind.as_str(),
            k.kind.chinese()
        );
        if let Some(m) = maps
            .maps
            .iter()
            .find(|m| m.name == format!("map_coverage_{}", k.kind))
        {
            figure(&mut h, m);
        }
        h.push_str("<h3>按街道 By street</h3>\n");
        let rows: Vec<Vec<Cell>> = audit
            .by_street(study, k)
            .iter()
            .map(|(street, t)| {
                vec![
                    Cell::Text(street.clone()),
                    Cell::Num(format!("{} / {}", t.communities_covered, t.communities)),
                    Cell::Num(pct(t.community_share)),
                    Cell::Num(format!(
                        "{} / {}",
                        count(t.elderly_covered),
                        count(t.elderly)
                    )),
                    Cell::Num(pct(t.elderly_share)),
                ]
            })
            .collect();
        table(
            &mut h,
            &[
                "街道 street",
                "覆盖社区 communities covered",
                "比例 share",
                "覆盖老年人 elderly covered",
                "比例 share",
            ],
            &rows,
        );
        let uncovered = audit.uncovered(study, k);
        let _ = writeln!(
            h,
            "<h3>{} 分钟内未覆盖的社区 Not covered within {} min: {}</h3>",
            k.limit_min,
            k.limit_min,
            uncovered.len()
        );
        if uncovered.is_empty() {
            h.push_str("<p>所有社区均已覆盖 Every community is covered.</p>\n");
        } else {
            let rows: Vec<Vec<Cell>> = uncovered
                .iter()
                .map(|&c| {
                    let com = &study.layers.communities[c];
                    let (near, minutes) = match k.nearest[c] {
                        Some(n) => (
                            study.layers.facilities[n.facility].name.clone(),
                            format!("{:.1}", n.minutes),
                        ),
                        None => ("none reachable 无法到达".into(), "–".into()),
                    };
                    vec![
                        Cell::Text(com.id.clone()),
                        Cell::Text(com.name.clone()),
                        Cell::Text(com.street.clone()),
                        Cell::Num(count(audit.elderly[c])),
                        Cell::Text(near),
                        Cell::Num(minutes),
                    ]
                })
                .collect();
            table(
                &mut h,
                &[
                    "编码 id",
                    "社区 community",
                    "街道 street",
                    "老年人 elderly",
                    "最近设施 nearest",
                    "分钟 minutes",
                ],
                &rows,
            );
        }
    }

    // Proposed sites.
    if !overlays.new_sites.is_empty() {
        h.push_str("<h2 id=\"sites\">新增选址 Proposed sites</h2>\n");
        for m in &sites_maps {
            figure(&mut h, m);
        }
        let rows: Vec<Vec<Cell>> = overlays
            .new_sites
            .iter()
            .map(|(kind, id, p)| {
                vec![
                    Cell::Text(format!("{} {}", kind.chinese(), kind.as_str())),
                    Cell::Text(id.clone()),
                    Cell::Num(format!("{:.6}", p.x())),
                    Cell::Num(format!("{:.6}", p.y())),
                ]
            })
            .collect();
        table(
            &mut h,
            &[
                "设施类型 kind",
                "选址 site",
                "经度 lon (WGS-84)",
                "纬度 lat (WGS-84)",
            ],
            &rows,
        );
    }

    // Sections of later stages.
    for (i, sec) in sections.iter().enumerate() {
        let _ = writeln!(h, "<h2 id=\"section-{i}\">{}</h2>", escape_html(&sec.title));
        if !sec.note.is_empty() {
            let _ = writeln!(h, "<p>{}</p>", escape_html(&sec.note));
        }
        if !sec.header.is_empty() || !sec.rows.is_empty() {
            let header: Vec<&str> = sec.header.iter().map(String::as_str).collect();
            let rows: Vec<Vec<Cell>> = sec
                .rows
                .iter()
                .map(|r| r.iter().map(|c| Cell::Text(c.clone())).collect())
                .collect();
            table(&mut h, &header, &rows);
        }
    }

    if !study.warnings.items.is_empty() {
        let _ = writeln!(
            h,
            "<h2 id=\"warnings\">提示 Warnings ({})</h2>\n<ul>",
            study.warnings.items.len()
        );
        for w in &study.warnings.items {
            let _ = writeln!(h, "<li>{}</li>", escape_html(&w.message));
        }
        h.push_str("</ul>\n");
    }
    let _ = write!(
        h,
        "<footer>{}{}Made with carecircle {}. Coordinates WGS-84; distances over the road \
         network.</footer>\n</body>\n</html>\n",
        escape_html(attribution),
        if attribution.is_empty() { "" } else { ". " },
        env!("CARGO_PKG_VERSION")
    );
    h
}

/// Draws the maps and writes them and report.html into `out`; returns the maps (with the
/// notices to show the user).
pub fn maps_and_report(
    study: &Study,
    audit: &Audit,
    overlays: &Overlays,
    render: &RenderOptions,
    sections: &[HtmlSection],
    out: &mut OutputSet,
) -> Result<MapSet> {
    let mut render = render.clone();
    if render.attribution.is_empty() {
        render.attribution = crate::render::default_attribution(study);
    }
    let maps = draw_maps(study, audit, overlays, &render)?;
    maps.add_to(out);
    let html = report_html(study, audit, &maps, overlays, &render.attribution, sections);
    out.add("report.html", html.into_bytes());
    Ok(maps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape_html("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(
            escape_html("a & \"b\" 'c'"),
            "a &amp; &quot;b&quot; &#39;c&#39;"
        );
        assert_eq!(escape_html("浔阳区 湓浦街道"), "浔阳区 湓浦街道");
        assert_eq!(escape_html("a\u{0}b\nc"), "a\u{FFFD}b\nc");
        // Already-escaped text is escaped again, not passed through.
        assert_eq!(escape_html("&lt;"), "&amp;lt;");
    }
}
