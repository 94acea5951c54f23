//! GeoPackage writer: every output layer in one file, in the requested CRS. Written with a
//! fixed `last_change` so the same run gives the same bytes.

use geo::{BoundingRect, Geometry};
use rusqlite::{params, Connection};

use super::{prj_of, ColumnType, OutputLayer};
use crate::crs::Crs;
use crate::io::features::FieldValue;

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn geometry_type(layer: &OutputLayer) -> &'static str {
    match layer.features.first().map(|(g, _)| g) {
        Some(Geometry::Point(_)) => "POINT",
        Some(Geometry::MultiPoint(_)) => "MULTIPOINT",
        Some(Geometry::LineString(_)) => "LINESTRING",
        Some(Geometry::MultiLineString(_)) => "MULTILINESTRING",
        Some(Geometry::Polygon(_) | Geometry::MultiPolygon(_)) => {
            let mixed = layer
                .features
                .iter()
                .any(|(g, _)| matches!(g, Geometry::MultiPolygon(_)));
            if mixed {
                "MULTIPOLYGON"
            } else {
                "POLYGON"
            }
        }
        _ => "GEOMETRY",
    }
}

/// Writes the layers (coordinates already in `crs`) into one GeoPackage and returns its bytes.
pub fn write(layers: &[OutputLayer], crs: Crs) -> Result<Vec<u8>, String> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static SEQ: AtomicUsize = AtomicUsize::new(0);
    let path = std::env::temp_dir().join(format!(
        "carecircle-{}-{}.gpkg",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_file(&path);
    let result = write_to(&path, layers, crs).map_err(|e| e.to_string());
    let bytes = result.and_then(|_| std::fs::read(&path).map_err(|e| e.to_string()));
    let _ = std::fs::remove_file(&path);
    bytes
}

/// Writes the layers into a new GeoPackage file.
pub fn write_to(
    path: &std::path::Path,
    layers: &[OutputLayer],
    crs: Crs,
) -> Result<(), rusqlite::Error> {
    let mut conn = Connection::open(path)?;
    let (wkt, epsg) = prj_of(crs).map_err(|e| {
        rusqlite::Error::InvalidParameterName(format!("the output crs has no definition: {e}"))
    })?;
    let srs_id: i32 = epsg.map(|c| c as i32).unwrap_or(99_999);
    let tx = conn.transaction()?;
    tx.execute_batch(
        "PRAGMA application_id = 1196444487;
         PRAGMA user_version = 10400;
         CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY,
           organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL,
           definition TEXT NOT NULL, description TEXT);
         CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY,
           data_type TEXT NOT NULL, identifier TEXT UNIQUE, description TEXT DEFAULT '',
           last_change DATETIME NOT NULL, min_x DOUBLE, min_y DOUBLE, max_x DOUBLE,
           max_y DOUBLE, srs_id INTEGER REFERENCES gpkg_spatial_ref_sys(srs_id));
         CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
           geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL,
           m TINYINT NOT NULL, PRIMARY KEY (table_name, column_name));
         INSERT INTO gpkg_spatial_ref_sys VALUES
           ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', NULL),
           ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', NULL);",
    )?;
    let org = if epsg.is_some() { "EPSG" } else { "NONE" };
    tx.execute(
        "INSERT INTO gpkg_spatial_ref_sys VALUES (?1, ?2, ?3, ?4, ?5, NULL)",
        params![crs.describe(), srs_id, org, srs_id, wkt],
    )?;
    for layer in layers {
        let table = quote(&layer.name);
        let mut cols = vec![
            "fid INTEGER PRIMARY KEY".to_string(),
            "geom GEOMETRY".into(),
        ];
        for c in &layer.columns {
            let t = match c.kind {
                ColumnType::Text => "TEXT",
                ColumnType::Integer => "INTEGER",
                ColumnType::Real => "REAL",
                ColumnType::Bool => "BOOLEAN",
            };
            cols.push(format!("{} {t}", quote(&c.name)));
        }
        tx.execute_batch(&format!("CREATE TABLE {table} ({});", cols.join(", ")))?;
        let mut extent = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        {
            let marks: Vec<String> = (0..layer.columns.len() + 1)
                .map(|i| format!("?{}", i + 1))
                .collect();
            let names: Vec<String> = layer.columns.iter().map(|c| quote(&c.name)).collect();
            let sql = format!(
                "INSERT INTO {table} (geom{}{}) VALUES ({})",
                if names.is_empty() { "" } else { ", " },
                names.join(", "),
                marks.join(", ")
            );
            let mut stmt = tx.prepare(&sql)?;
            for (g, values) in &layer.features {
                if let Some(r) = g.bounding_rect() {
                    extent[0] = extent[0].min(r.min().x);
                    extent[1] = extent[1].min(r.min().y);
                    extent[2] = extent[2].max(r.max().x);
                    extent[3] = extent[3].max(r.max().y);
                }
                let mut row: Vec<rusqlite::types::Value> =
                    vec![crate::io::wkb::encode_gpkg(g, srs_id).into()];
                for v in values {
                    row.push(match v {
                        FieldValue::Text(s) | FieldValue::Other(s) => s.clone().into(),
                        FieldValue::Number(n) if n.fract() == 0.0 && n.abs() < 9e15 => {
                            (*n as i64).into()
                        }
                        FieldValue::Number(n) => (*n).into(),
                        FieldValue::Bool(b) => (*b as i64).into(),
                        FieldValue::Null | FieldValue::Absent => rusqlite::types::Value::Null,
                    });
                }
                stmt.execute(rusqlite::params_from_iter(row))?;
            }
        }
        let extent: Vec<Option<f64>> = extent.iter().map(|v| v.is_finite().then_some(*v)).collect();
        tx.execute(
            "INSERT INTO gpkg_contents VALUES (?1, 'features', ?1, '', '2000-01-01T00:00:00.000Z',
             ?2, ?3, ?4, ?5, ?6)",
            params![layer.name, extent[0], extent[1], extent[2], extent[3], srs_id],
        )?;
        tx.execute(
            "INSERT INTO gpkg_geometry_columns VALUES (?1, 'geom', ?2, ?3, 0, 0)",
            params![layer.name, geometry_type(layer), srs_id],
        )?;
    }
    tx.commit()?;
    conn.close().map_err(|(_, e)| e)?;
    Ok(())
}
