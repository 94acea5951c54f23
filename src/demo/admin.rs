//! The real administrative data of 浔阳区 (district code 360403), compiled into the binary:
//! boundary, street-level units and communities with their official names and codes.

use geo::{Geometry, MultiPolygon};

use crate::{Error, Result};

const BOUNDARY_GEOJSON: &str = include_str!("../../data/cn-admin/xunyang_boundary.geojson");
const STREETS_CSV: &str = include_str!("../../data/cn-admin/xunyang_streets.csv");
const COMMUNITIES_CSV: &str = include_str!("../../data/cn-admin/xunyang_communities.csv");

/// A street-level unit (街道, or a special unit such as 茅山头企业集团).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Street {
    pub code: String,
    pub name: String,
}

/// Whether a community is an urban residents' committee, a village or something else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Settlement {
    Urban,
    Village,
    /// 茅山头企业集团虚拟社区: a company's virtual community.
    Virtual,
}

/// A community (社区) or village (村) as published.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AdminCommunity {
    pub code: String,
    pub name: String,
    pub street_code: String,
}

impl AdminCommunity {
    /// The name's suffix is the only urban/rural marker in the source.
    pub fn settlement(&self) -> Settlement {
        if self.name.ends_with("村委会") || self.name.ends_with("村民委员会") {
            Settlement::Village
        } else if self.name.ends_with("虚拟社区") {
            Settlement::Virtual
        } else {
            Settlement::Urban
        }
    }

    /// The name without the committee suffix, as it is used in facility names:
    /// 湖滨社区居委会 → 湖滨社区, 梅山村委会 → 梅山村.
    pub fn short_name(&self) -> String {
        for (suffix, replacement) in [
            ("社区居委会", "社区"),
            ("社区委员会", "社区"),
            ("村民委员会", "村"),
            ("村委会", "村"),
            ("居委会", "社区"),
        ] {
            if let Some(stem) = self.name.strip_suffix(suffix) {
                return format!("{stem}{replacement}");
            }
        }
        self.name.clone()
    }

    /// The place name alone: 湖滨社区居委会 → 湖滨, 梅山村委会 → 梅山.
    pub fn place_name(&self) -> String {
        let short = self.short_name();
        for suffix in ["社区", "村"] {
            if let Some(stem) = short.strip_suffix(suffix) {
                if !stem.is_empty() {
                    return stem.to_string();
                }
            }
        }
        short
    }
}

fn csv_rows(text: &str, columns: usize, what: &str) -> Result<Vec<Vec<String>>> {
    let mut rows = Vec::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<String> = line.split(',').map(|f| f.trim().to_string()).collect();
        if fields.len() != columns {
            return Err(Error::Other(format!(
                "embedded {what}: line {} has {} fields, expected {columns}",
                n + 1,
                fields.len()
            )));
        }
        rows.push(fields);
    }
    Ok(rows)
}

/// The 9 street-level units, in code order.
pub(crate) fn streets() -> Result<Vec<Street>> {
    let mut streets: Vec<Street> = csv_rows(STREETS_CSV, 3, "xunyang_streets.csv")?
        .into_iter()
        .map(|f| Street {
            code: f[0].clone(),
            name: f[1].clone(),
        })
        .collect();
    streets.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(streets)
}

/// The 123 communities, in code order.
pub(crate) fn communities() -> Result<Vec<AdminCommunity>> {
    let mut communities: Vec<AdminCommunity> =
        csv_rows(COMMUNITIES_CSV, 4, "xunyang_communities.csv")?
            .into_iter()
            .map(|f| AdminCommunity {
                code: f[0].clone(),
                name: f[1].clone(),
                street_code: f[2].clone(),
            })
            .collect();
    communities.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(communities)
}

/// The district boundary as published (GCJ-02 lon/lat).
pub(crate) fn boundary_lonlat() -> Result<MultiPolygon<f64>> {
    let bad = |e: String| Error::Other(format!("embedded xunyang_boundary.geojson: {e}"));
    let gj: geojson::GeoJson = BOUNDARY_GEOJSON.parse().map_err(|e| bad(format!("{e}")))?;
    let geojson::GeoJson::FeatureCollection(fc) = gj else {
        return Err(bad("not a FeatureCollection".into()));
    };
    let geometry = fc
        .features
        .into_iter()
        .find_map(|f| f.geometry)
        .ok_or_else(|| bad("no feature with a geometry".into()))?;
    let geometry: Geometry<f64> = geometry.try_into().map_err(|e| bad(format!("{e}")))?;
    match geometry {
        Geometry::Polygon(p) => Ok(MultiPolygon(vec![p])),
        Geometry::MultiPolygon(mp) => Ok(mp),
        other => Err(bad(format!("geometry is not a polygon: {other:?}"))),
    }
}
