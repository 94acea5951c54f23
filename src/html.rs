//! report.html: one standalone file a bureau can open, print (A4) or send on. Everything is
//! inline (CSS, the vendored Leaflet, the map's data); a Content-Security-Policy forbids any
//! fetch, so nothing comes from the network. Every string that comes
//! from the data (names, ids, streets, the scenario's name, the sections of later stages) is
//! escaped.

use std::fmt::Write as _;

use crate::error::Result;
use crate::render::{draw_maps_into, Overlays, RenderOptions};
use crate::report::document::{Block, Document, ReportContext};
use crate::report::{table, OutputSet};

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
h3 { font-size: 1.1em; margin-top: 1.2em; }
p.sub { color: var(--muted); margin-top: 0; font-size: 1.2em; }
table { border-collapse: collapse; width: 100%; margin: .5em 0 1em; font-size: .9em; }
th, td { border: 1px solid var(--rule); padding: 3px 7px; text-align: left; vertical-align: top; }
th { background: #f2f2ee; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.ok { color: var(--ok); font-weight: bold; }
.bad { color: var(--bad); font-weight: bold; }
#map { height: 620px; border: 1px solid var(--rule); background: #f7f7f4; }
.cc-tools { background: #fff; padding: 4px 6px; font-size: 13px; }
.cc-tools input { margin-left: 6px; width: 13em; }
table.pop { font-size: 12px; margin: 4px 0 0; }
body.shot { max-width: none; padding: 0; }
body.shot > *:not(#map-wrap) { display: none; }
body.shot #map-wrap > *:not(#map) { display: none; }
body.shot #map { height: 100vh; border: 0; }
footer { margin-top: 3em; color: var(--muted); font-size: .85em; border-top: 1px solid var(--rule); padding-top: .6em; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 9.5pt; }
  h2.brk { break-before: page; }
  h2, h3 { break-after: avoid; }
  tr, li { break-inside: avoid; }
  #map { height: 170mm; }
  .cc-tools, .leaflet-control-layers { display: none; }
  a { color: inherit; text-decoration: none; }
}
"#;

const LEAFLET_JS: &str = include_str!("../assets/leaflet/leaflet.js");
const LEAFLET_CSS: &str = include_str!("../assets/leaflet/leaflet.css");
const MAP_JS: &str = include_str!("../assets/report_map.js");

/// Nothing may be fetched: no network, no file, only the inline scripts, styles and data: images;
/// with `[report] basemap`, images from the tile server's origin too.
fn csp(tile_origin: Option<&str>) -> String {
    let tiles = tile_origin.map(|o| format!(" {o}")).unwrap_or_default();
    format!("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:{tiles}; font-src data:")
}

/// Sections after which printing starts a new page.
fn page_break_before(id: &str, first_kind: Option<&str>) -> bool {
    matches!(id, "map-section" | "areas" | "sites" | "rules") || Some(id) == first_kind
}

/// The whole report.html: the document, with the interactive map where the document has it.
/// `map_data` is the map's data, serialised as JSON into the page.
/// `tile_origin` is the origin of `[report] basemap`, when the scenario names one.
pub fn report_html(
    doc: &Document,
    map_data: &impl serde::Serialize,
    attribution: &str,
    tile_origin: Option<&str>,
) -> String {
    let csp = csp(tile_origin);
    let mut h = String::new();
    let title = escape_html(&doc.title);
    let sub = escape_html(&doc.subtitle);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} · {sub}</title>\n\
         <script>window.ccViolations=[];document.addEventListener('securitypolicyviolation',function(e){{window.ccViolations.push(e.blockedURI||e.violatedDirective);}});</script>\n\
         <style>{LEAFLET_CSS}</style>\n<style>{CSS}</style>\n</head>\n<body>\n\
         <header><h1>{title}</h1><p class=\"sub\">{sub}</p></header>\n",
        doc.lang.html_code()
    );
    let first_kind = doc.blocks.iter().find_map(|b| match b {
        Block::Heading(2, id, _) if id.starts_with("kind-") => Some(id.as_str()),
        _ => None,
    });
    for block in &doc.blocks {
        match block {
            Block::Heading(level, id, text) => {
                let class = if *level == 2 && page_break_before(id, first_kind) {
                    " class=\"brk\""
                } else {
                    ""
                };
                let _ = writeln!(
                    h,
                    "<h{level} id=\"{}\"{class}>{}</h{level}>",
                    escape_html(id),
                    escape_html(text)
                );
            }
            Block::Paragraph(p) => {
                let _ = writeln!(h, "<p>{}</p>", escape_html(p));
            }
            Block::List(items) => {
                h.push_str("<ul>\n");
                for i in items {
                    let _ = writeln!(h, "<li>{}</li>", escape_html(i));
                }
                h.push_str("</ul>\n");
            }
            Block::Table(t) => h.push_str(&table::html(t)),
            Block::Map => {
                // JSON inside a script element: no "<" at all, so no "</script>" or "<!--"
                // in the data can end it early ("\u003c" is the same character to JSON).
                h.push_str(
                    "<div id=\"map-wrap\"><div id=\"map\"></div>\
                     <script type=\"application/json\" id=\"map-data\">",
                );
                h = push_script_json(h, map_data);
                h.push_str("</script></div>\n");
            }
        }
    }
    let _ = write!(
        h,
        "<footer>{}{}{}</footer>\n<pre id=\"selftest\" hidden></pre>\n\
         <script>{LEAFLET_JS}</script>\n<script>{MAP_JS}</script>\n</body>\n</html>\n",
        escape_html(attribution),
        if attribution.is_empty() { "" } else { ". " },
        escape_html(&doc.footer)
    );
    h
}

/// Appends `value` as JSON to `page` with every "<" written as "\u003c", straight into the
/// page (a city's map data is tens of megabytes: no second copy of it).
fn push_script_json(page: String, value: &impl serde::Serialize) -> String {
    /// Passes bytes on, "<" escaped. "<" is ASCII, so it never sits inside a multi-byte
    /// UTF-8 character, and in JSON it only occurs inside strings, where "\u003c" means it.
    struct EscapeLt(Vec<u8>);
    impl std::io::Write for EscapeLt {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            for part in buf.split_inclusive(|&b| b == b'<') {
                match part.split_last() {
                    Some((b'<', head)) => {
                        self.0.extend_from_slice(head);
                        self.0.extend_from_slice(b"\\u003c");
                    }
                    _ => self.0.extend_from_slice(part),
                }
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut out = EscapeLt(page.into_bytes());
    let start = out.0.len();
    if serde_json::to_writer(&mut out, value).is_err() {
        // Serialising the map's own types cannot fail; should it, the map gets no data
        // rather than half of it.
        out.0.truncate(start);
        out.0.extend_from_slice(b"{}");
    }
    // The page was UTF-8 and serde_json writes UTF-8: nothing here is lossy.
    String::from_utf8(out.0).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Draws the maps (PNG and SVG files) and writes report.html, report.md and report.xlsx into
/// `out`; returns the notices to show the user (the maps themselves moved into `out`).
pub fn maps_and_report(
    ctx: &ReportContext,
    overlays: &Overlays,
    render: &RenderOptions,
    out: &mut OutputSet,
) -> Result<Vec<String>> {
    let mut render = render.clone();
    if render.attribution.is_empty() {
        render.attribution = crate::render::default_attribution(ctx.study);
    }
    let notices = draw_maps_into(ctx.study, ctx.audit, overlays, &render, out)?;
    let doc = crate::report::document::build(ctx);
    let data = crate::report::map_data::map_data(ctx, overlays.boundary.as_ref());
    out.add(
        "report.html",
        report_html(
            &doc,
            &data,
            &render.attribution,
            ctx.options.basemap.as_ref().map(|b| b.origin.as_str()),
        )
        .into_bytes(),
    );
    out.add(
        "report.md",
        crate::report::document::markdown(&doc).into_bytes(),
    );
    out.add(
        "report.xlsx",
        crate::xlsx::workbook(
            &crate::report::document::workbook_tables(ctx),
            ctx.options.date,
        )?,
    );
    Ok(notices)
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
