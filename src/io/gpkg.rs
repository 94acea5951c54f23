//! GeoPackage reader (`path = "district.gpkg"`, `layer = "communities"`): SQLite through
//! `rusqlite` (bundled, no system library), the CRS from `gpkg_spatial_ref_sys`, geometry
//! blobs through `wkb`. Only the requested columns are selected.

use std::path::Path;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

use super::features::{
    missing_columns, DeclaredCrs, FeatureSink, FieldValue, LayerInfo, RawFeature, ReadRequest,
};
use crate::error::{InputError, Problem};

/// Opens a GeoPackage read-only.
pub fn open(path: &Path) -> Result<Connection, InputError> {
    super::read_input_guard(path)?;
    Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| InputError::file(path, Problem::Unreadable(e.to_string())))
}

fn sql_err(path: &Path) -> impl Fn(rusqlite::Error) -> InputError + '_ {
    move |e| {
        InputError::file(
            path,
            Problem::Unreadable(format!("not a readable GeoPackage: {e}")),
        )
    }
}

/// The feature layers of a GeoPackage, by name.
pub fn layers(conn: &Connection, path: &Path) -> Result<Vec<String>, InputError> {
    let mut stmt = conn
        .prepare(
            "SELECT table_name FROM gpkg_contents WHERE data_type = 'features' \
             ORDER BY table_name",
        )
        .map_err(sql_err(path))?;
    let names = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .map_err(sql_err(path))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(sql_err(path))?;
    Ok(names)
}

/// One feature layer's table facts.
pub struct Table {
    pub name: String,
    pub geometry_column: String,
    pub geometry_type: String,
    pub declared_crs: Option<DeclaredCrs>,
    /// Attribute columns (not the primary key, not the geometry), in table order.
    pub columns: Vec<String>,
    /// Per column: declared BOOLEAN (stored as 0/1 integers by the GeoPackage standard).
    pub boolean: Vec<bool>,
    pub primary_key: Option<String>,
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Finds a layer (the only one when `layer` is not given) and its columns and CRS.
pub fn table(conn: &Connection, path: &Path, layer: Option<&str>) -> Result<Table, InputError> {
    let available = layers(conn, path)?;
    let name = match layer {
        Some(l) if available.iter().any(|a| a == l) => l.to_string(),
        None if available.len() == 1 => available[0].clone(),
        other => {
            return Err(InputError::file(
                path,
                Problem::NoSuchLayer {
                    layer: other
                        .unwrap_or("(none given: name one with layer = ...)")
                        .into(),
                    available,
                },
            ))
        }
    };
    let (geometry_column, geometry_type, srs_id): (String, String, i64) = conn
        .query_row(
            "SELECT column_name, geometry_type_name, srs_id FROM gpkg_geometry_columns \
             WHERE table_name = ?1",
            [&name],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .map_err(sql_err(path))?;
    let declared_crs = conn
        .query_row(
            "SELECT organization, organization_coordsys_id, definition \
             FROM gpkg_spatial_ref_sys WHERE srs_id = ?1",
            [srs_id],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                ))
            },
        )
        .ok()
        .map(|(organization, code, definition)| DeclaredCrs::Gpkg {
            organization,
            code,
            definition,
        });
    let mut stmt = conn
        .prepare(&format!("PRAGMA table_info({})", quote(&name)))
        .map_err(sql_err(path))?;
    let mut columns = Vec::new();
    let mut boolean = Vec::new();
    let mut primary_key = None;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(5)?,
            ))
        })
        .map_err(sql_err(path))?;
    for row in rows {
        let (col, declared, pk) = row.map_err(sql_err(path))?;
        if pk > 0 {
            primary_key = Some(col);
        } else if col != geometry_column {
            columns.push(col);
            boolean.push(declared.eq_ignore_ascii_case("BOOLEAN"));
        }
    }
    Ok(Table {
        name,
        geometry_column,
        geometry_type,
        declared_crs,
        columns,
        boolean,
        primary_key,
    })
}

fn typed_value(v: ValueRef, boolean: bool) -> FieldValue {
    match (v, boolean) {
        (ValueRef::Integer(i), true) => FieldValue::Bool(i != 0),
        (v, _) => value(v),
    }
}

fn value(v: ValueRef) -> FieldValue {
    match v {
        ValueRef::Null => FieldValue::Null,
        ValueRef::Integer(i) => FieldValue::Number(i as f64),
        ValueRef::Real(f) => FieldValue::Number(f),
        ValueRef::Text(t) => FieldValue::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(_) => FieldValue::Other("a binary value".into()),
    }
}

/// Reads a GeoPackage layer, handing each feature to `sink`.
pub fn read(
    path: &Path,
    layer: Option<&str>,
    request: &ReadRequest,
    sink: &mut dyn FeatureSink,
) -> Result<LayerInfo, InputError> {
    let conn = open(path)?;
    let t = table(&conn, path, layer)?;
    let info = LayerInfo {
        declared_crs: t.declared_crs.clone(),
        field_names: t.columns.clone(),
    };
    sink.begin(&info);
    missing_columns(path, request, &t.columns)?;
    let wanted: Vec<Option<&String>> = request
        .fields
        .iter()
        .map(|f| t.columns.iter().find(|c| **c == f.name))
        .collect();
    let is_bool = |name: &str| {
        t.columns
            .iter()
            .position(|c| c == name)
            .is_some_and(|i| t.boolean[i])
    };
    let rest: Vec<&String> = if request.keep_rest {
        t.columns
            .iter()
            .filter(|c| !wanted.contains(&Some(*c)))
            .collect()
    } else {
        Vec::new()
    };
    let pk = t
        .primary_key
        .as_deref()
        .map(quote)
        .unwrap_or_else(|| "rowid".into());
    let mut select = vec![pk.clone(), quote(&t.geometry_column)];
    select.extend(wanted.iter().flatten().map(|c| quote(c)));
    select.extend(rest.iter().map(|c| quote(c)));
    let sql = format!(
        "SELECT {} FROM {} ORDER BY {pk}",
        select.join(", "),
        quote(&t.name)
    );
    let mut stmt = conn.prepare(&sql).map_err(sql_err(path))?;
    let mut rows = stmt.query([]).map_err(sql_err(path))?;
    let mut index = 0;
    while let Some(row) = rows.next().map_err(sql_err(path))? {
        let fid = row.get_ref(0).map(value).ok().and_then(|v| v.text());
        let geometry = match row.get_ref(1) {
            Ok(ValueRef::Blob(b)) => super::wkb::decode_gpkg(b),
            Ok(ValueRef::Null) => Ok(None),
            _ => Err("the geometry column does not hold a geometry blob".into()),
        };
        let mut col = 2;
        let fields = wanted
            .iter()
            .map(|w| match w {
                Some(name) => {
                    let v = row
                        .get_ref(col)
                        .map(|v| typed_value(v, is_bool(name)))
                        .unwrap_or(FieldValue::Null);
                    col += 1;
                    v
                }
                None => FieldValue::Absent,
            })
            .collect();
        let rest = rest
            .iter()
            .map(|name| {
                let v = row
                    .get_ref(col)
                    .map(|v| typed_value(v, is_bool(name)))
                    .unwrap_or(FieldValue::Null);
                col += 1;
                ((*name).clone(), v)
            })
            .collect();
        sink.feature(RawFeature {
            index,
            geometry,
            fields,
            feature_id: fid,
            rest,
        });
        index += 1;
    }
    Ok(info)
}
