//! `[report]` of the scenario, checked with the rest of the scenario before any work:
//! language, issuing unit, date, data vintage, and an optional online basemap for report.html.

use crate::i18n::Lang;

/// The keys `[report]` accepts.
pub const REPORT_KEYS: &[&str] = &[
    "language",
    "unit",
    "date",
    "vintage",
    "basemap",
    "basemap_crs",
    "basemap_attribution",
];

/// `[report]`, checked.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReportSettings {
    /// `language = "zh" | "en"`; `None` means the default (zh).
    pub lang: Option<Lang>,
    /// The issuing unit (编制单位).
    pub unit: Option<String>,
    /// `date = "YYYY-MM-DD"`; `None` means the day of the run.
    pub date: Option<(u16, u8, u8)>,
    /// When the data was collected, in the user's words.
    pub vintage: Option<String>,
    pub basemap: Option<Basemap>,
}

/// Tiles under report.html's map, for readers who are online. Without one the report fetches
/// nothing at all.
#[derive(Debug, Clone, PartialEq)]
pub struct Basemap {
    /// An XYZ tile URL template with `{z}`, `{x}`, `{y}` (and optionally `{s}` for subdomains
    /// a, b, c).
    pub url: String,
    /// The origin the report's Content-Security-Policy allows images from (`https://host`,
    /// `https://*.host` for `{s}`).
    pub origin: String,
    /// The tiles are drawn in GCJ-02 (AMap/高德, Tencent, Google's China tiles): the report
    /// shifts its own layers into GCJ-02 so that they line up with the streets of the tiles.
    pub gcj02: bool,
    /// Attribution shown on the map (the tile provider's terms usually require one).
    pub attribution: String,
}

impl ReportSettings {
    /// Checks `[report]`; the error is a sentence about the bad setting.
    pub fn parse(table: Option<&toml::Table>) -> Result<ReportSettings, String> {
        let mut s = ReportSettings::default();
        let Some(table) = table else { return Ok(s) };
        let text = |key: &str| -> Result<Option<String>, String> {
            match table.get(key) {
                None => Ok(None),
                Some(toml::Value::String(v)) => Ok(Some(v.clone())),
                Some(v) => Err(format!("[report] {key} = {v} must be text in quotes")),
            }
        };
        for key in table.keys() {
            if !REPORT_KEYS.contains(&key.as_str()) {
                let hint = crate::io::scenario::closest_key(key, REPORT_KEYS)
                    .map(|k| format!(" (did you mean {k}?)"))
                    .unwrap_or_default();
                return Err(format!(
                    "[report] has no setting \"{key}\"{hint}; accepted settings are {}",
                    REPORT_KEYS.join(", ")
                ));
            }
        }
        if let Some(v) = text("language")? {
            s.lang = Some(Lang::parse(&v).ok_or_else(|| {
                format!("[report] language = \"{v}\" is not known; use \"zh\" or \"en\"")
            })?);
        }
        s.unit = text("unit")?;
        s.vintage = text("vintage")?;
        if let Some(v) = text("date")? {
            s.date = Some(parse_date(&v).ok_or_else(|| {
                format!("[report] date = \"{v}\" must be a date like \"2026-12-01\"")
            })?);
        }
        let crs = text("basemap_crs")?;
        let attribution = text("basemap_attribution")?;
        match text("basemap")? {
            Some(url) => {
                let gcj02 = match crs.as_deref() {
                    None | Some("wgs84") => false,
                    Some("gcj02") => true,
                    Some(other) => {
                        return Err(format!(
                            "[report] basemap_crs = \"{other}\" is not known; use \"wgs84\" \
                             (OpenStreetMap and most tile sets) or \"gcj02\" (AMap/高德, Tencent)"
                        ))
                    }
                };
                let origin = tile_origin(&url)?;
                s.basemap = Some(Basemap {
                    url,
                    origin,
                    gcj02,
                    attribution: attribution.unwrap_or_default(),
                });
            }
            None => {
                if crs.is_some() || attribution.is_some() {
                    return Err(
                        "[report] basemap_crs and basemap_attribution need a basemap = \"https://…/{z}/{x}/{y}.png\""
                            .into(),
                    );
                }
            }
        }
        Ok(s)
    }
}

/// `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<(u16, u8, u8)> {
    let mut it = s.split('-');
    let y: u16 = it.next()?.parse().ok()?;
    let m: u8 = it.next()?.parse().ok()?;
    let d: u8 = it.next()?.parse().ok()?;
    if it.next().is_some()
        || !(1900..=9999).contains(&y)
        || !(1..=12).contains(&m)
        || !(1..=31).contains(&d)
    {
        return None;
    }
    Some((y, m, d))
}

/// Checks a tile URL template and returns the origin the page must allow images from. The URL
/// goes into a Content-Security-Policy and a script, so only URL characters are accepted.
fn tile_origin(url: &str) -> Result<String, String> {
    let bad = |why: &str| {
        format!("[report] basemap = \"{url}\" {why}; give an XYZ tile URL such as \"https://tile.openstreetmap.org/{{z}}/{{x}}/{{y}}.png\"")
    };
    let (scheme, rest) = if let Some(r) = url.strip_prefix("https://") {
        ("https", r)
    } else if let Some(r) = url.strip_prefix("http://") {
        ("http", r)
    } else {
        return Err(bad("must start with https:// or http://"));
    };
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&()*+,=%{}".contains(c);
    if let Some(c) = url.chars().find(|&c| !allowed(c)) {
        return Err(bad(&format!(
            "holds the character {c:?}, which a URL cannot"
        )));
    }
    for p in ["{z}", "{x}", "{y}"] {
        if !url.contains(p) {
            return Err(bad(&format!("has no {p}")));
        }
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || host.starts_with('{') && !host.starts_with("{s}.") {
        return Err(bad("has no host name"));
    }
    let host = match host.strip_prefix("{s}.") {
        Some(h) => format!("*.{h}"),
        None => host.to_string(),
    };
    if host.contains(['{', '}']) {
        return Err(bad(
            "has a placeholder in its host name other than a leading {s}",
        ));
    }
    Ok(format!("{scheme}://{host}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ReportSettings, String> {
        let table: toml::Table = toml::from_str(text).unwrap();
        ReportSettings::parse(Some(&table))
    }

    #[test]
    fn basemap_origins() {
        let s = parse("basemap = \"https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png\"").unwrap();
        let b = s.basemap.unwrap();
        assert_eq!(b.origin, "https://*.tile.openstreetmap.org");
        assert!(!b.gcj02);
        let s = parse(
            "basemap = \"https://webrd01.is.autonavi.com/appmaptile?style=8&x={x}&y={y}&z={z}\"\nbasemap_crs = \"gcj02\"",
        )
        .unwrap();
        let b = s.basemap.unwrap();
        assert_eq!(b.origin, "https://webrd01.is.autonavi.com");
        assert!(b.gcj02);
    }

    #[test]
    fn bad_report_settings_are_named() {
        let e = parse("basemap = \"tile.openstreetmap.org/{z}/{x}/{y}.png\"").unwrap_err();
        assert!(e.contains("must start with https://"), "{e}");
        let e = parse("basemap = \"https://a.org/{z}/{x}.png\"").unwrap_err();
        assert!(e.contains("has no {y}"), "{e}");
        let e = parse("basemap = \"https://a.org/{z}/{x}/{y}.png'; script-src *\"").unwrap_err();
        assert!(e.contains("a URL cannot"), "{e}");
        let e = parse("basemap = \"https://a.org/{z}/{x}/{y}.png\"\nbasemap_crs = \"bd09\"")
            .unwrap_err();
        assert!(e.contains("gcj02"), "{e}");
        let e = parse("basemap_crs = \"gcj02\"").unwrap_err();
        assert!(e.contains("need a basemap"), "{e}");
        let e = parse("langauge = \"en\"").unwrap_err();
        assert!(e.contains("did you mean language?"), "{e}");
        let e = parse("date = \"2026-13-01\"").unwrap_err();
        assert!(e.contains("must be a date"), "{e}");
        assert_eq!(parse("language = \"en\"").unwrap().lang, Some(Lang::En));
    }
}
