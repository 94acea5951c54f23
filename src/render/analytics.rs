//! The planning-analytics maps: per kind with a supply, `map_access_<kind>` (communities shaded
//! by capacity-aware accessibility against the norm, the covered-but-over-subscribed ones in
//! orange and red), and `map_parcels` (the residential parcels drawn green when they meet every
//! rule checked for them, red when one fails, grey when not checked).

use geo::Geometry;

use super::font::{LabelFont, Notices};
use super::maps::{Context, Shading};
use super::scene::Rgba;
use super::{MapSet, Overlays, RenderOptions};
use crate::access::AccessReport;
use crate::coverage::Audit;
use crate::error::Result;
use crate::report::OutputSet;
use crate::rules::{RuleResult, Scope, Status};
use crate::study::Study;

/// Accessibility classes against the norm: none, below half, below the norm (over-subscribed
/// when covered), up to 1.5 × the norm, above.
pub const ACCESS_CLASSES: [Rgba; 5] = [
    Rgba::rgb(0xD9, 0xD9, 0xD9),
    Rgba::rgb(0xD7, 0x30, 0x27),
    Rgba::rgb(0xFC, 0x8D, 0x59),
    Rgba::rgb(0x91, 0xCF, 0x60),
    Rgba::rgb(0x1A, 0x98, 0x50),
];
/// Parcels that meet every rule, fail one, or could not be checked.
pub const PARCEL_PASS: Rgba = Rgba::rgb(0x1A, 0x98, 0x50);
pub const PARCEL_FAIL: Rgba = Rgba::rgb(0xE3, 0x1A, 0x1C);
pub const PARCEL_NOT_CHECKED: Rgba = Rgba::rgb(0x99, 0x99, 0x99);
/// The communities under the parcels.
const PARCEL_GROUND: Rgba = Rgba::rgb(0xEF, 0xED, 0xE6);

/// The class of an accessibility value (supply per elderly person) against the norm.
pub fn access_class(value: f64, norm: f64) -> usize {
    if value <= 0.0 {
        0
    } else if value < 0.5 * norm {
        1
    } else if value < norm * (1.0 - 1e-9) {
        2
    } else if value < 1.5 * norm {
        3
    } else {
        4
    }
}

fn per_1000(x: f64) -> String {
    format!("{:.1}", 1000.0 * x)
}

/// `map_access_<kind>` for every kind the accessibility was computed for, into an output set,
/// each map as soon as it is drawn (a city's maps are tens of megabytes each); returns the
/// notices.
pub fn access_maps(
    study: &Study,
    audit: &Audit,
    access: &AccessReport,
    overlays: &Overlays,
    opts: &RenderOptions,
    out: &mut OutputSet,
) -> Result<Vec<String>> {
    let mut notices = Notices::default();
    let font = LabelFont::choose(opts.font.as_deref(), &mut notices);
    // The district boundary only: service areas and new sites would hide the shading.
    let overlays = Overlays {
        boundary: overlays.boundary.clone(),
        ..Overlays::default()
    };
    let ctx = Context::new(study, audit, &overlays, opts, font.as_ref());
    let bar = indicatif::ProgressBar::hidden();
    super::for_maps(study, &access.kinds, &bar, &mut |m| m.add_to(out), |k| {
        let fills = k
            .community_access
            .iter()
            .map(|&a| ACCESS_CLASSES[access_class(a, k.norm)])
            .collect();
        let norm = per_1000(k.norm);
        let legend = vec![
            (
                ACCESS_CLASSES[0],
                "无可达供给 none within reach".to_string(),
            ),
            (
                ACCESS_CLASSES[1],
                format!("< {} (半数标准 half the norm)", per_1000(0.5 * k.norm)),
            ),
            (
                ACCESS_CLASSES[2],
                format!("< {norm} 低于标准 below the norm"),
            ),
            (
                ACCESS_CLASSES[3],
                format!("{norm} – {}", per_1000(1.5 * k.norm)),
            ),
            (ACCESS_CLASSES[4], format!("≥ {}", per_1000(1.5 * k.norm))),
        ];
        let elderly_over: f64 = k.over_subscribed.iter().map(|&c| audit.elderly[c]).sum();
        ctx.shaded_map(&Shading {
            name: format!("map_access_{}", k.kind.as_str()),
            kind: k.kind,
            title: format!(
                "{} · {} {} · 可达性 accessibility ({})",
                study.scenario.name,
                k.kind.chinese(),
                super::style::kind_english(k.kind),
                access.method
            ),
            subtitle: format!(
                "覆盖但供给不足 covered but over-subscribed: {} 个社区 communities, {:.0} 老年人 elderly; 标准 norm {norm} {} / 1000",
                k.over_subscribed.len(),
                elderly_over,
                k.unit.words()
            ),
            fills,
            legend_title: format!("每千名老年人 per 1000 elderly ({})", k.unit.words()),
            legend,
            overlay: Vec::new(),
        })
    })?;
    Ok(notices.0)
}

/// Per parcel: fail when a rule checked for it fails, pass when every one passes, else not
/// checked; `None` for a parcel no rule was checked for.
pub fn parcel_status(study: &Study, results: &[RuleResult]) -> Vec<Option<Status>> {
    study
        .layers
        .parcels
        .iter()
        .map(|p| {
            let mine: Vec<Status> = results
                .iter()
                .filter(|r| r.scope == Scope::Parcel && r.subject_id == p.id)
                .map(|r| r.status)
                .collect();
            if mine.is_empty() {
                None
            } else if mine.contains(&Status::Fail) {
                Some(Status::Fail)
            } else if mine.contains(&Status::NotChecked) {
                Some(Status::NotChecked)
            } else {
                Some(Status::Pass)
            }
        })
        .collect()
}

/// `map_parcels`: the residential parcels over the communities, failing ones in red. Empty when
/// the study has no parcels.
pub fn parcels_map(
    study: &Study,
    audit: &Audit,
    results: &[RuleResult],
    overlays: &Overlays,
    opts: &RenderOptions,
) -> Result<MapSet> {
    if study.layers.parcels.is_empty() {
        return Ok(MapSet::default());
    }
    let mut notices = Notices::default();
    let font = LabelFont::choose(opts.font.as_deref(), &mut notices);
    // The district boundary only: service areas and new sites would hide the shading.
    let overlays = Overlays {
        boundary: overlays.boundary.clone(),
        ..Overlays::default()
    };
    let ctx = Context::new(study, audit, &overlays, opts, font.as_ref());
    let status = parcel_status(study, results);
    let count = |s: Status| status.iter().filter(|&&t| t == Some(s)).count();
    let mut overlay = Vec::new();
    for (p, s) in study.layers.parcels.iter().zip(&status) {
        let fill = match s {
            Some(Status::Pass) => PARCEL_PASS,
            Some(Status::Fail) => PARCEL_FAIL,
            _ => PARCEL_NOT_CHECKED,
        };
        let polys = match &p.geometry {
            Geometry::Polygon(poly) => vec![poly.clone()],
            Geometry::MultiPolygon(mp) => mp.0.clone(),
            _ => Vec::new(),
        };
        overlay.extend(polys.into_iter().map(|poly| (poly, fill)));
    }
    let map = ctx.shaded_map(&Shading {
        name: "map_parcels".into(),
        kind: crate::model::FacilityKind::DayCare,
        title: format!(
            "{} · 居住地块 residential parcels · 养老服务用房 elderly-service rooms",
            study.scenario.name
        ),
        subtitle: format!(
            "{} 个地块 parcels: {} 达标 pass, {} 不达标 fail, {} 未校核 not checked",
            study.layers.parcels.len(),
            count(Status::Pass),
            count(Status::Fail),
            count(Status::NotChecked)
        ),
        fills: vec![PARCEL_GROUND; study.layers.communities.len()],
        legend_title: "地块 Parcels".into(),
        legend: vec![
            (PARCEL_PASS, "达标 meets every rule".into()),
            (PARCEL_FAIL, "不达标 fails a rule".into()),
            (PARCEL_NOT_CHECKED, "未校核 not checked".into()),
        ],
        overlay,
    })?;
    Ok(MapSet {
        maps: vec![map],
        notices: notices.0,
    })
}

/// Gained, lost, covered in both, covered in neither, not compared.
pub const COMPARE_CLASSES: [Rgba; 5] = [
    Rgba::rgb(0x1A, 0x98, 0x50),
    Rgba::rgb(0xD7, 0x30, 0x27),
    Rgba::rgb(0xC7, 0xE9, 0xC0),
    Rgba::rgb(0xFC, 0xBB, 0xA1),
    Rgba::rgb(0xD9, 0xD9, 0xD9),
];

/// `map_compare_<kind>` for every kind both runs audited: the communities the plan gains in
/// dark green, those it loses in red, drawn on `study` (the plan's layers).
pub fn compare_maps(
    study: &Study,
    audit: &Audit,
    cmp: &crate::compare::Comparison,
    opts: &RenderOptions,
) -> Result<MapSet> {
    use crate::compare::Change;
    let mut notices = Notices::default();
    let font = LabelFont::choose(opts.font.as_deref(), &mut notices);
    let overlays = Overlays::default();
    let ctx = Context::new(study, audit, &overlays, opts, font.as_ref());
    let index: std::collections::BTreeMap<&str, usize> = study
        .layers
        .communities
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let mut maps = Vec::new();
    for (&kind, g) in &cmp.district {
        let mut fills = vec![COMPARE_CLASSES[4]; study.layers.communities.len()];
        let (mut gained, mut lost) = (0, 0);
        for c in cmp.communities.iter().filter(|c| c.kind == kind) {
            let Some(&i) = index.get(c.id.as_str()) else {
                continue;
            };
            fills[i] = match (c.change, c.plan.covered) {
                (Change::Gained, _) => {
                    gained += 1;
                    COMPARE_CLASSES[0]
                }
                (Change::Lost, _) => {
                    lost += 1;
                    COMPARE_CLASSES[1]
                }
                (Change::Same, true) => COMPARE_CLASSES[2],
                (Change::Same, false) => COMPARE_CLASSES[3],
            };
        }
        maps.push(ctx.shaded_map(&Shading {
            name: format!("map_compare_{}", kind.as_str()),
            kind,
            title: format!(
                "{} · {} {} · 方案比较 plan comparison",
                study.scenario.name,
                kind.chinese(),
                super::style::kind_english(kind)
            ),
            subtitle: format!(
                "新增覆盖 gained {gained}, 失去覆盖 lost {lost}; 覆盖社区 communities covered {} → {} / {}",
                g.covered_base, g.covered_plan, g.communities
            ),
            fills,
            legend_title: "社区 Communities".into(),
            legend: vec![
                (COMPARE_CLASSES[0], "新增覆盖 gained".into()),
                (COMPARE_CLASSES[1], "失去覆盖 lost".into()),
                (COMPARE_CLASSES[2], "两者均覆盖 covered in both".into()),
                (COMPARE_CLASSES[3], "两者均未覆盖 covered in neither".into()),
                (COMPARE_CLASSES[4], "未比较 not compared".into()),
            ],
            overlay: Vec::new(),
        })?);
    }
    Ok(MapSet {
        maps,
        notices: notices.0,
    })
}
