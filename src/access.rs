//! Capacity-aware accessibility: the two-step floating catchment area family over network
//! minutes.
//!
//! * **2SFCA** (Luo & Wang 2003). Step 1, per facility `j` with supply `S_j` (places, or floor
//!   area): the supply ratio `R_j = S_j / Σ_{i: t_ij ≤ t0} P_i`, where `P_i` are the elderly
//!   people of demand point `i` and `t0` the catchment in minutes. Step 2, per demand point:
//!   `A_i = Σ_{j: t_ij ≤ t0} R_j`, the places per elderly person within reach, with every
//!   competing elderly person counted.
//! * **E2SFCA** (Luo & Qi 2009): both sums weighted by a step weight `W_r` per travel-time band
//!   (`R_j = S_j / Σ P_i W(t_ij)`, `A_i = Σ R_j W(t_ij)`). Luo & Qi's weights for three bands
//!   are 1.00, 0.68 and 0.22 (a Gaussian with β = 100 at the band midpoints); we use them for
//!   the bands 0–5, 5–10 and 10–15 minutes by default.
//! * **Gaussian** (Dai 2010): a continuous weight
//!   `W(t) = (exp(−½ (t/t0)²) − exp(−½)) / (1 − exp(−½))` inside the catchment.
//!
//! Whatever the weights, `Σ_i P_i A_i = Σ_j S_j` for every facility some elderly person
//! reaches: the supply is shared out, never created.
//!
//! The demand side: **crowdedness** (the inverted 2SFCA, Wang 2018), per facility the elderly
//! people it can expect per place, `C_j = Σ_i P_i W(t_ij) / Σ_k S_k W(t_ik)` — every demand
//! point's elderly are divided among the facilities it reaches in proportion to their weighted
//! supply, so competing facilities share the demand as competing demand shares the supply in
//! step 1. `Σ_j S_j C_j` equals the elderly people who reach some facility.
//!
//! A community is **covered but over-subscribed** when a facility of the kind is within the
//! limit but its accessibility is below the norm (places per 1000 elderly people, `[access]
//! norm_per_1000`; by default the kind's district-wide ratio of supply to elderly people, so
//! "below the district's average share").

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::coverage::{Audit, WITHIN_EPS};
use crate::error::{Error, Result};
use crate::model::FacilityKind;
use crate::network::{reach_table, Direction};
use crate::reach_table::ReachTable;
use crate::report::{round_to, OutputSet, Section};
use crate::study::Study;

/// Luo & Qi (2009)'s weights for three travel-time bands.
pub const LUO_QI_WEIGHTS: [f64; 3] = [1.0, 0.68, 0.22];

/// One travel-time band of the E2SFCA: minutes up to `upper_min` (inclusive) weigh `weight`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    pub upper_min: f64,
    pub weight: f64,
}

/// How the weight of a facility falls with the minutes to it.
#[derive(Debug, Clone, PartialEq)]
pub enum Decay {
    /// Classic 2SFCA: weight 1 anywhere inside the catchment.
    Uniform,
    /// E2SFCA: a step weight per band (ascending upper bounds; the last is the catchment).
    Bands(Vec<Band>),
    /// Gaussian weight over the catchment (1 at 0 minutes, 0 at the catchment's edge).
    Gaussian,
}

impl Decay {
    /// Luo & Qi's three bands spread evenly over a catchment of `catchment_min` minutes.
    pub fn luo_qi(catchment_min: f64) -> Decay {
        Decay::Bands(
            LUO_QI_WEIGHTS
                .iter()
                .enumerate()
                .map(|(r, &weight)| Band {
                    upper_min: catchment_min * (r + 1) as f64 / 3.0,
                    weight,
                })
                .collect(),
        )
    }

    /// The weight of a facility `minutes` away in a catchment of `catchment_min`; 0 outside.
    pub fn weight(&self, minutes: f64, catchment_min: f64) -> f64 {
        if minutes > catchment_min + WITHIN_EPS {
            return 0.0;
        }
        match self {
            Decay::Uniform => 1.0,
            Decay::Bands(bands) => bands
                .iter()
                .find(|b| minutes <= b.upper_min + WITHIN_EPS)
                .map_or(0.0, |b| b.weight),
            Decay::Gaussian => {
                let edge = (-0.5f64).exp();
                let x = minutes / catchment_min;
                (((-0.5 * x * x).exp() - edge) / (1.0 - edge)).max(0.0)
            }
        }
    }

    /// The catchment a decay implies: the last band's bound, else the given limit.
    pub fn catchment(&self, limit_min: f64) -> f64 {
        match self {
            Decay::Bands(b) => b.last().map_or(limit_min, |b| b.upper_min),
            _ => limit_min,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Decay::Uniform => "2SFCA",
            Decay::Bands(_) => "E2SFCA",
            Decay::Gaussian => "Gaussian 2SFCA",
        }
    }
}

/// The 2SFCA measures of one set of facilities over one set of demand points.
#[derive(Debug, Clone, PartialEq)]
pub struct Accessibility {
    /// Per facility: the decay-weighted elderly people within its catchment (`Σ P_i W_ij`).
    pub weighted_demand: Vec<f64>,
    /// Per facility: supply per weighted elderly person (`R_j`); `None` when nobody is within
    /// its catchment.
    pub ratio: Vec<Option<f64>>,
    /// Per facility: elderly people it can expect per unit of supply (`C_j`, inverted 2SFCA);
    /// `None` when nobody is within its catchment or its supply is 0.
    pub crowdedness: Vec<Option<f64>>,
    /// Per demand point: the summed accessibility `A_i` (supply per elderly person).
    pub access: Vec<f64>,
}

/// Computes 2SFCA / E2SFCA / Gaussian accessibility. `reach` is demand × facility within the
/// catchment (any larger table works too: pairs beyond `catchment_min` weigh 0); `demand` is
/// the elderly people per demand point and `supply` the supply per facility (both `>= 0`).
pub fn two_step(
    demand: &[f64],
    supply: &[f64],
    reach: &ReachTable,
    decay: &Decay,
    catchment_min: f64,
) -> Accessibility {
    debug_assert_eq!(demand.len(), reach.n_demand);
    debug_assert_eq!(supply.len(), reach.n_sites);
    let w = |m: f64| decay.weight(m, catchment_min);
    // Step 1: supply over the weighted demand in each catchment.
    let mut weighted_demand = vec![0.0; reach.n_sites];
    // Inverted step 1: the weighted supply each demand point sees.
    let mut weighted_supply = vec![0.0; reach.n_demand];
    for i in 0..reach.n_demand {
        for (j, m) in reach.row(i) {
            let wij = w(m);
            weighted_demand[j as usize] += demand[i] * wij;
            weighted_supply[i] += supply[j as usize] * wij;
        }
    }
    let ratio: Vec<Option<f64>> = weighted_demand
        .iter()
        .zip(supply)
        .map(|(&d, &s)| (d > 0.0).then(|| s / d))
        .collect();
    // Step 2: sum the ratios a demand point reaches; inverted step 2: share each demand
    // point's elderly among its facilities by weighted supply.
    let mut access = vec![0.0; reach.n_demand];
    let mut expected = vec![0.0; reach.n_sites];
    for i in 0..reach.n_demand {
        for (j, m) in reach.row(i) {
            let wij = w(m);
            if let Some(r) = ratio[j as usize] {
                access[i] += r * wij;
            }
            if weighted_supply[i] > 0.0 {
                expected[j as usize] += demand[i] * wij / weighted_supply[i];
            }
        }
    }
    let crowdedness = weighted_demand
        .iter()
        .zip(&expected)
        .zip(supply)
        .map(|((&d, &e), &s)| (d > 0.0 && s > 0.0).then_some(e))
        .collect();
    Accessibility {
        weighted_demand,
        ratio,
        crowdedness,
        access,
    }
}

/// What a facility's supply is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SupplyUnit {
    /// The capacity field (beds / places).
    Places,
    /// Floor area in m² (no capacity given).
    FloorArea,
}

impl SupplyUnit {
    /// The stable name in access.csv and summary.json.
    pub fn words(self) -> &'static str {
        match self {
            SupplyUnit::Places => "places",
            SupplyUnit::FloorArea => "m² floor area",
        }
    }

    /// The unit in the report's language.
    pub fn name(self) -> crate::i18n::Msg {
        match self {
            SupplyUnit::Places => crate::i18n::ACCESS_SUPPLY_PLACES,
            SupplyUnit::FloorArea => crate::i18n::ACCESS_SUPPLY_FLOOR_AREA,
        }
    }
}

/// The scenario's `[access]` settings.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessOptions {
    pub decay: Decay,
    /// Places (or m²) per 1000 elderly people below which a covered community is called
    /// over-subscribed, per kind; kinds not listed use the district-wide ratio.
    pub norm_per_1000: BTreeMap<FacilityKind, f64>,
    /// Floor area per place, m²: when set, facilities without a capacity count
    /// `floor_area / area_per_place_m2` places.
    pub area_per_place_m2: Option<f64>,
}

impl Default for AccessOptions {
    fn default() -> AccessOptions {
        AccessOptions {
            decay: Decay::Uniform,
            norm_per_1000: BTreeMap::new(),
            area_per_place_m2: None,
        }
    }
}

fn toml_number(v: &toml::Value) -> Option<f64> {
    match v {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(f) => Some(*f),
        _ => None,
    }
}

impl AccessOptions {
    /// Reads `[access]`: `method = "2sfca" | "e2sfca" | "gaussian"`, `bands = [[5, 1.0], [10,
    /// 0.68], [15, 0.22]]` (E2SFCA; default Luo & Qi's weights over `limit_min`),
    /// `norm_per_1000 = { day_care = 25 }`, `area_per_place_m2 = 10`.
    pub fn parse(
        table: Option<&toml::Table>,
        limit_min: f64,
    ) -> std::result::Result<AccessOptions, String> {
        let bad = |msg: String| msg;
        let mut options = AccessOptions::default();
        let Some(table) = table else {
            return Ok(options);
        };
        let mut method = "2sfca".to_string();
        let mut bands: Option<Vec<Band>> = None;
        for (key, value) in table {
            match key.as_str() {
                "method" => {
                    method = value
                        .as_str()
                        .ok_or_else(|| bad(format!("[access] method = {value} must be a string")))?
                        .trim()
                        .to_ascii_lowercase();
                }
                "bands" => {
                    let list = value
                        .as_array()
                        .and_then(|a| {
                            a.iter()
                                .map(|b| {
                                    let pair = b.as_array()?;
                                    match pair.as_slice() {
                                        [m, w] => Some(Band {
                                            upper_min: toml_number(m)?,
                                            weight: toml_number(w)?,
                                        }),
                                        _ => None,
                                    }
                                })
                                .collect::<Option<Vec<Band>>>()
                        })
                        .ok_or_else(|| {
                            bad(format!(
                                "[access] bands = {value} must be a list of [minutes, weight] \
                                 pairs, e.g. [[5, 1.0], [10, 0.68], [15, 0.22]]"
                            ))
                        })?;
                    check_bands(&list).map_err(|e| bad(format!("[access] bands: {e}")))?;
                    bands = Some(list);
                }
                "norm_per_1000" => {
                    let t = value.as_table().ok_or_else(|| {
                        bad(format!(
                            "[access] norm_per_1000 = {value} must be a table of kind = number, \
                             e.g. {{ day_care = 25 }}"
                        ))
                    })?;
                    for (kind, v) in t {
                        let k = FacilityKind::parse(kind).ok_or_else(|| {
                            bad(format!(
                                "[access] norm_per_1000: \"{kind}\" is not a facility kind; \
                                 accepted kinds are {}",
                                FacilityKind::accepted_list()
                            ))
                        })?;
                        let n = toml_number(v).filter(|n| n.is_finite() && *n > 0.0);
                        let n = n.ok_or_else(|| {
                            bad(format!(
                                "[access] norm_per_1000.{kind} = {v} must be a positive number"
                            ))
                        })?;
                        options.norm_per_1000.insert(k, n);
                    }
                }
                "area_per_place_m2" => {
                    let n = toml_number(value).filter(|n| n.is_finite() && *n > 0.0);
                    options.area_per_place_m2 = Some(n.ok_or_else(|| {
                        bad(format!(
                            "[access] area_per_place_m2 = {value} must be a positive number"
                        ))
                    })?);
                }
                other => {
                    return Err(bad(format!(
                        "[access] has no setting \"{other}\"; accepted settings are method, \
                         bands, norm_per_1000 and area_per_place_m2"
                    )))
                }
            }
        }
        options.decay = match method.as_str() {
            "2sfca" => {
                if bands.is_some() {
                    return Err(bad(
                        "[access] bands are for method = \"e2sfca\"; 2SFCA weighs every \
                         minute of the catchment alike"
                            .into(),
                    ));
                }
                Decay::Uniform
            }
            "e2sfca" => match bands {
                Some(b) => Decay::Bands(b),
                None => Decay::luo_qi(limit_min),
            },
            "gaussian" => Decay::Gaussian,
            other => {
                return Err(bad(format!(
                    "[access] method = \"{other}\" is not known; use 2sfca, e2sfca or gaussian"
                )))
            }
        };
        Ok(options)
    }
}

/// Bands must be ascending, positive minutes, weights in (0, 1].
pub fn check_bands(bands: &[Band]) -> std::result::Result<(), String> {
    if bands.is_empty() {
        return Err("give at least one band".into());
    }
    let mut last = 0.0;
    for b in bands {
        if !(b.upper_min.is_finite() && b.upper_min > last) {
            return Err(format!(
                "band bounds must be ascending minutes above 0; {} follows {last}",
                b.upper_min
            ));
        }
        if !(b.weight > 0.0 && b.weight <= 1.0) {
            return Err(format!(
                "the weight {} of the band up to {} min must be in (0, 1]",
                b.weight, b.upper_min
            ));
        }
        last = b.upper_min;
    }
    Ok(())
}

/// Accessibility of one facility kind on a study.
#[derive(Debug, Clone)]
pub struct KindAccess {
    pub kind: FacilityKind,
    pub unit: SupplyUnit,
    pub catchment_min: f64,
    /// Indexes into `study.layers.facilities`, in the order of the per-facility vectors.
    pub facilities: Vec<usize>,
    pub supply: Vec<f64>,
    pub measures: Accessibility,
    /// Per community: supply per elderly person (elderly-weighted mean over its demand points
    /// when demand comes from population cells).
    pub community_access: Vec<f64>,
    /// The norm in supply per elderly person (not per 1000).
    pub norm: f64,
    /// Whether the norm came from the scenario (else the district-wide ratio).
    pub norm_from_scenario: bool,
    /// Communities covered (audit) but with accessibility below the norm, most elderly first.
    pub over_subscribed: Vec<usize>,
}

/// Accessibility for every audited kind whose facilities all have a supply.
#[derive(Debug, Clone)]
pub struct AccessReport {
    pub method: String,
    pub kinds: Vec<KindAccess>,
    /// Kinds left out, with the reason.
    pub skipped: Vec<(FacilityKind, Skipped)>,
}

/// Why a kind's accessibility is not computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skipped {
    NoFacilities,
    /// The first facility (by data order) with neither a capacity nor a floor area.
    NoSupply {
        facility: String,
    },
}

impl Skipped {
    /// The reason in the report's language.
    pub fn words(&self, lang: crate::i18n::Lang) -> String {
        match self {
            Skipped::NoFacilities => crate::i18n::ACCESS_NO_FACILITIES.get(lang).to_string(),
            Skipped::NoSupply { facility } => {
                crate::i18n::ACCESS_NO_SUPPLY.fill(lang, &[("facility", facility.clone())])
            }
        }
    }
}

/// The supply of each facility of a kind, or why it cannot be counted.
fn supplies(
    study: &Study,
    index: &[usize],
    options: &AccessOptions,
) -> std::result::Result<(SupplyUnit, Vec<f64>), Skipped> {
    let fs: Vec<_> = index.iter().map(|&i| &study.layers.facilities[i]).collect();
    let place = |f: &crate::model::Facility| {
        f.capacity.or_else(|| {
            options
                .area_per_place_m2
                .and_then(|a| f.floor_area_m2.map(|m| m / a))
        })
    };
    if let Some(all) = fs.iter().map(|f| place(f)).collect::<Option<Vec<f64>>>() {
        return Ok((SupplyUnit::Places, all));
    }
    if let Some(all) = fs
        .iter()
        .map(|f| f.floor_area_m2)
        .collect::<Option<Vec<f64>>>()
    {
        return Ok((SupplyUnit::FloorArea, all));
    }
    let facility = fs
        .iter()
        .find(|f| place(f).is_none())
        .map(|f| f.id.clone())
        .unwrap_or_default();
    Err(Skipped::NoSupply { facility })
}

/// Computes accessibility for every audited kind with facilities.
pub fn accessibility(study: &Study, audit: &Audit, options: &AccessOptions) -> AccessReport {
    let n = study.layers.communities.len();
    let demand: Vec<f64> = study.demand.iter().map(|d| d.elderly).collect();
    let mut kinds = Vec::new();
    let mut skipped = Vec::new();
    for cov in &audit.kinds {
        let kind = cov.kind;
        let (index, sources) = study.facilities_of(kind);
        if index.is_empty() {
            skipped.push((kind, Skipped::NoFacilities));
            continue;
        }
        let (unit, supply) = match supplies(study, &index, options) {
            Ok(s) => s,
            Err(e) => {
                skipped.push((kind, e));
                continue;
            }
        };
        let catchment = options.decay.catchment(cov.limit_min);
        let reach = reach_table(
            &study.graph,
            &sources,
            &study.demand_snaps,
            catchment,
            Direction::ToSource,
            &|| {},
        );
        let measures = two_step(&demand, &supply, &reach, &options.decay, catchment);
        let mut sum = vec![0.0; n];
        let mut weight = vec![0.0; n];
        for (d, a) in study.demand.iter().zip(&measures.access) {
            sum[d.community as usize] += d.elderly * a;
            weight[d.community as usize] += d.elderly;
        }
        let community_access: Vec<f64> = if study.demand_from_cells {
            sum.iter()
                .zip(&weight)
                .map(|(&s, &w)| if w > 0.0 { s / w } else { 0.0 })
                .collect()
        } else {
            measures.access.clone()
        };
        let (norm, norm_from_scenario) = match options.norm_per_1000.get(&kind) {
            Some(per_1000) => (per_1000 / 1000.0, true),
            None => {
                let elderly: f64 = audit.elderly.iter().sum();
                let total: f64 = supply.iter().sum();
                (if elderly > 0.0 { total / elderly } else { 0.0 }, false)
            }
        };
        let mut over_subscribed: Vec<usize> = (0..n)
            .filter(|&c| cov.covered[c] && community_access[c] < norm * (1.0 - 1e-9))
            .collect();
        over_subscribed.sort_by(|&a, &b| {
            audit.elderly[b].total_cmp(&audit.elderly[a]).then_with(|| {
                study.layers.communities[a]
                    .id
                    .cmp(&study.layers.communities[b].id)
            })
        });
        kinds.push(KindAccess {
            kind,
            unit,
            catchment_min: catchment,
            facilities: index,
            supply,
            measures,
            community_access,
            norm,
            norm_from_scenario,
            over_subscribed,
        });
    }
    AccessReport {
        method: options.decay.name().to_string(),
        kinds,
        skipped,
    }
}

fn csv_err(file: &'static str) -> impl Fn(csv::Error) -> Error {
    move |e| Error::Other(format!("writing {file}: {e}"))
}

/// access.csv: one row per community and kind (UTF-8 with BOM): accessibility per 1000
/// elderly people, covered, over-subscribed.
pub fn access_csv(study: &Study, audit: &Audit, report: &AccessReport) -> Result<Vec<u8>> {
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let err = csv_err("access.csv");
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record([
            "community_id",
            "name",
            "street",
            "elderly",
            "kind",
            "method",
            "supply_unit",
            "access_per_1000_elderly",
            "norm_per_1000_elderly",
            "covered",
            "over_subscribed",
        ])
        .map_err(&err)?;
        for k in &report.kinds {
            let cov = audit.kinds.iter().find(|c| c.kind == k.kind);
            for (c, com) in study.layers.communities.iter().enumerate() {
                let covered = cov.is_some_and(|cov| cov.covered[c]);
                let over = covered && k.community_access[c] < k.norm * (1.0 - 1e-9);
                w.write_record([
                    crate::output::csv_text(&com.id).into_owned(),
                    crate::output::csv_text(&com.name).into_owned(),
                    crate::output::csv_text(&com.street).into_owned(),
                    format!("{}", round_to(audit.elderly[c], 3)),
                    k.kind.as_str().to_string(),
                    report.method.clone(),
                    k.unit.words().to_string(),
                    format!("{}", round_to(1000.0 * k.community_access[c], 4)),
                    format!("{}", round_to(1000.0 * k.norm, 4)),
                    covered.to_string(),
                    over.to_string(),
                ])
                .map_err(&err)?;
            }
        }
        w.flush()
            .map_err(|e| Error::Other(format!("writing access.csv: {e}")))?;
    }
    Ok(out)
}

/// access_facilities.csv: one row per facility: supply, weighted elderly within its catchment,
/// supply ratio and crowdedness.
pub fn access_facilities_csv(study: &Study, report: &AccessReport) -> Result<Vec<u8>> {
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let err = csv_err("access_facilities.csv");
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record([
            "facility_id",
            "name",
            "kind",
            "supply",
            "supply_unit",
            "weighted_elderly_in_catchment",
            "supply_per_1000_elderly",
            "expected_elderly_per_unit",
        ])
        .map_err(&err)?;
        let opt = |x: Option<f64>, scale: f64| {
            x.map_or(String::new(), |x| round_to(scale * x, 4).to_string())
        };
        for k in &report.kinds {
            for (j, &f) in k.facilities.iter().enumerate() {
                let fac = &study.layers.facilities[f];
                w.write_record([
                    crate::output::csv_text(&fac.id).into_owned(),
                    crate::output::csv_text(&fac.name).into_owned(),
                    k.kind.as_str().to_string(),
                    round_to(k.supply[j], 3).to_string(),
                    k.unit.words().to_string(),
                    round_to(k.measures.weighted_demand[j], 3).to_string(),
                    opt(k.measures.ratio[j], 1000.0),
                    opt(k.measures.crowdedness[j], 1.0),
                ])
                .map_err(&err)?;
            }
        }
        w.flush()
            .map_err(|e| Error::Other(format!("writing access_facilities.csv: {e}")))?;
    }
    Ok(out)
}

/// The accessibility entry of summary.json (report.md's section is built by
/// `report::access`).
pub fn section(study: &Study, report: &AccessReport) -> Section {
    let mut summary = Map::new();
    for k in &report.kinds {
        summary.insert(
            k.kind.as_str().into(),
            json!({
                "method": report.method,
                "supply_unit": k.unit.words(),
                "catchment_min": k.catchment_min,
                "norm_per_1000_elderly": round_to(1000.0 * k.norm, 4),
                "over_subscribed": k.over_subscribed.iter().map(|&c| study.layers.communities[c].id.clone()).collect::<Vec<_>>(),
            }),
        );
    }
    Section {
        key: "access".into(),
        summary: Value::Object(summary),
    }
}

/// Adds access.csv and access_facilities.csv to an output set and returns the report section.
pub fn outputs(
    study: &Study,
    audit: &Audit,
    report: &AccessReport,
    out: &mut OutputSet,
) -> Result<Section> {
    out.add("access.csv", access_csv(study, audit, report)?);
    out.add(
        "access_facilities.csv",
        access_facilities_csv(study, report)?,
    );
    Ok(section(study, report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaussian_weight_is_one_at_zero_and_zero_at_the_edge() {
        let g = Decay::Gaussian;
        assert!((g.weight(0.0, 15.0) - 1.0).abs() < 1e-12);
        assert!(g.weight(15.0, 15.0).abs() < 1e-12);
        assert_eq!(g.weight(15.1, 15.0), 0.0);
        // Half-way: (e^{-1/8} - e^{-1/2}) / (1 - e^{-1/2}).
        let e = (-0.125f64).exp();
        let edge = (-0.5f64).exp();
        assert!((g.weight(7.5, 15.0) - (e - edge) / (1.0 - edge)).abs() < 1e-12);
    }

    #[test]
    fn luo_qi_bands_split_the_catchment_in_thirds() {
        let d = Decay::luo_qi(15.0);
        assert_eq!(d.weight(5.0, 15.0), 1.0);
        assert_eq!(d.weight(5.1, 15.0), 0.68);
        assert_eq!(d.weight(15.0, 15.0), 0.22);
        assert_eq!(d.weight(15.01, 15.0), 0.0);
        assert_eq!(d.catchment(99.0), 15.0);
    }

    #[test]
    fn bands_are_checked() {
        let b = |m: f64, w: f64| Band {
            upper_min: m,
            weight: w,
        };
        assert!(check_bands(&[b(5.0, 1.0), b(10.0, 0.5)]).is_ok());
        assert!(check_bands(&[b(10.0, 1.0), b(5.0, 0.5)]).is_err());
        assert!(check_bands(&[b(5.0, 1.5)]).is_err());
        assert!(check_bands(&[]).is_err());
    }
}
