//! A precomputed travel matrix (CSV) as a [`ReachTable`], instead of the road network.
//!
//! Three columns: demand id, site id, and minutes (or metres, with a speed). An optional header
//! row names the third column: `minutes` / `min` / `time` / `duration` / `分钟` mean minutes,
//! `metres` / `meters` / `distance` / `m` / `米` mean metres. Without a header the third column is
//! minutes. Ids must be among the ones given (sites: existing facilities first, then candidates,
//! in the caller's order); pairs over the limit are dropped, a repeated pair keeps the shorter
//! time. Errors name the file and the line.

use std::collections::HashMap;
use std::path::Path;

use crate::error::{InputError, Problem};
use crate::reach_table::ReachTable;

/// Reads a matrix whose third column is minutes.
pub fn read_travel_matrix(
    path: impl AsRef<Path>,
    demand_ids: &[String],
    site_ids: &[String],
    limit_min: f64,
) -> Result<ReachTable, InputError> {
    read_travel_matrix_with_speed(path, demand_ids, site_ids, limit_min, None)
}

/// Reads a matrix in minutes, or in metres converted with `speed_m_per_min`.
pub fn read_travel_matrix_with_speed(
    path: impl AsRef<Path>,
    demand_ids: &[String],
    site_ids: &[String],
    limit_min: f64,
    speed_m_per_min: Option<f64>,
) -> Result<ReachTable, InputError> {
    let path = path.as_ref();
    let fail = |line: u64, msg: String| {
        InputError::file(path, Problem::Other(format!("line {line}: {msg}")))
    };
    if limit_min.is_nan() || limit_min < 0.0 {
        return Err(InputError::file(
            path,
            Problem::Other(format!("the time limit {limit_min} is not a number >= 0")),
        ));
    }
    if let Some(s) = speed_m_per_min {
        if !(s.is_finite() && s > 0.0) {
            return Err(InputError::file(
                path,
                Problem::Other(format!("the speed {s} m/min is not a positive number")),
            ));
        }
    }
    let index = |ids: &[String]| -> Result<HashMap<String, u32>, InputError> {
        let mut map = HashMap::with_capacity(ids.len());
        for (k, id) in ids.iter().enumerate() {
            if let Some(first) = map.insert(id.trim().to_string(), k as u32) {
                return Err(InputError::file(
                    path,
                    Problem::DuplicateId {
                        id: id.clone(),
                        first_index: first as usize,
                    },
                ));
            }
        }
        Ok(map)
    };
    let demands = index(demand_ids)?;
    let sites = index(site_ids)?;
    let bytes = crate::io::read_input(path, crate::io::input_limits())?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let mut metres = false;
    let mut triplets = Vec::new();
    let mut first = true;
    for rec in reader.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            fail(line, format!("not valid CSV: {e}"))
        })?;
        let line = rec.position().map_or(0, |p| p.line());
        if rec.iter().all(str::is_empty) {
            continue;
        }
        if rec.len() < 3 {
            return Err(fail(
                line,
                format!(
                    "{} columns, expected 3: demand id, site id, minutes (or metres)",
                    rec.len()
                ),
            ));
        }
        let value = &rec[2];
        if first {
            first = false;
            if value.parse::<f64>().is_err() {
                let name = value.to_lowercase();
                if ["min", "time", "duration", "分钟", "时间"]
                    .iter()
                    .any(|k| name.contains(k))
                {
                    metres = false;
                } else if name == "m"
                    || ["met", "dist", "米", "距离"]
                        .iter()
                        .any(|k| name.contains(k))
                {
                    metres = true;
                } else {
                    return Err(fail(
                        line,
                        format!(
                            "the third column is \"{value}\"; name it minutes or metres \
                             (or leave out the header: then it is minutes)"
                        ),
                    ));
                }
                if metres && speed_m_per_min.is_none() {
                    return Err(fail(
                        line,
                        "the third column is in metres: give a travel speed in m/min".into(),
                    ));
                }
                continue;
            }
        }
        let number: f64 = value.parse().map_err(|_| {
            fail(
                line,
                format!("\"{value}\" in the third column is not a number"),
            )
        })?;
        if !number.is_finite() || number < 0.0 {
            return Err(fail(
                line,
                format!("{number} in the third column is not a finite number >= 0"),
            ));
        }
        let minutes = match (metres, speed_m_per_min) {
            (true, Some(s)) => number / s,
            _ => number,
        };
        let d = *demands.get(&rec[0]).ok_or_else(|| {
            fail(
                line,
                format!("demand id \"{}\" is not among the demand points", &rec[0]),
            )
        })?;
        let s = *sites.get(&rec[1]).ok_or_else(|| {
            fail(
                line,
                format!(
                    "site id \"{}\" is not among the facilities or candidates",
                    &rec[1]
                ),
            )
        })?;
        triplets.push((d, s, minutes));
    }
    // An empty matrix would site as if nothing reached anything, silently.
    if triplets.is_empty() {
        return Err(InputError::file(
            path,
            Problem::Other(
                "the matrix has no rows (demand id, site id, minutes): the file is empty or \
                 holds only a header"
                    .into(),
            ),
        ));
    }
    Ok(ReachTable::from_triplets(
        demand_ids.len(),
        site_ids.len(),
        limit_min,
        triplets,
    ))
}
