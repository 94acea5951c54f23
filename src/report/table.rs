//! One table model for every report format: a title, typed columns (with their units in the
//! title) and rows. The Markdown and HTML writers here, the CSV writer, and the XLSX writer in
//! `crate::xlsx` all read it, so a new format is one more writer.

use std::fmt::Write as _;

use crate::html::escape_html;

/// What a column holds; decides how a value is printed and stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Text,
    /// An identifier kept as text everywhere (12-digit community codes must not become numbers).
    Code,
    /// A head count: whole numbers without decimals, fractional ones with one.
    Count,
    /// A number with this many decimals.
    Number(u8),
    /// A share in 0..1, shown as a percentage.
    Share,
    /// Pass/fail, met/not met: text with a state.
    Flag,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The stable machine name (CSV header, summary keys).
    pub key: String,
    /// The heading people read, in the report's language, with the unit.
    pub title: String,
    pub kind: ColumnKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    Flag(bool, String),
    Empty,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// A machine name for the table (the workbook's sheet order and the tests use it).
    pub key: &'static str,
    pub title: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn new(key: &'static str, title: impl Into<String>) -> Table {
        Table {
            key,
            title: title.into(),
            columns: Vec::new(),
            rows: Vec::new(),
        }
    }

    pub fn column(
        mut self,
        key: impl Into<String>,
        title: impl Into<String>,
        kind: ColumnKind,
    ) -> Table {
        self.columns.push(Column {
            key: key.into(),
            title: title.into(),
            kind,
        });
        self
    }

    pub fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.columns.len(), "row width of {}", self.key);
        self.rows.push(row);
    }

    /// The first `n` rows (the report shows the top entries; the workbook has them all).
    pub fn top(&self, n: usize) -> Table {
        Table {
            rows: self.rows.iter().take(n).cloned().collect(),
            ..self.clone()
        }
    }
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }
}

/// A cell as people read it.
pub fn display(cell: &Cell, kind: ColumnKind) -> String {
    match cell {
        Cell::Text(s) => s.clone(),
        Cell::Flag(_, s) => s.clone(),
        Cell::Empty => "–".into(),
        Cell::Number(x) => match kind {
            ColumnKind::Share => format!("{:.1} %", 100.0 * x),
            ColumnKind::Number(d) => format!("{:.*}", d as usize, x),
            _ => count_text(*x),
        },
    }
}

/// A head count: "1233", or "12.5" when fractional.
pub fn count_text(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if r.fract() == 0.0 && r.abs() < 9.0e15 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// A cell as a script reads it (CSV): numbers unformatted, shares as fractions.
pub fn machine(cell: &Cell) -> String {
    match cell {
        Cell::Text(s) | Cell::Flag(_, s) => s.clone(),
        Cell::Empty => String::new(),
        Cell::Number(x) => {
            let r = (x * 1e6).round() / 1e6;
            if r.fract() == 0.0 && r.abs() < 9.0e15 {
                format!("{}", r as i64)
            } else {
                format!("{r}")
            }
        }
    }
}

fn numeric(kind: ColumnKind) -> bool {
    matches!(
        kind,
        ColumnKind::Count | ColumnKind::Number(_) | ColumnKind::Share
    )
}

/// A Markdown table (the title is the caller's heading).
pub fn markdown(table: &Table) -> String {
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let mut md = String::from("|");
    for c in &table.columns {
        let _ = write!(md, " {} |", cell(&c.title));
    }
    md.push_str("\n|");
    for c in &table.columns {
        md.push_str(if numeric(c.kind) { "---:|" } else { "---|" });
    }
    md.push('\n');
    for row in &table.rows {
        md.push('|');
        for (v, c) in row.iter().zip(&table.columns) {
            let _ = write!(md, " {} |", cell(&display(v, c.kind)));
        }
        md.push('\n');
    }
    md
}

/// An HTML table; every string is escaped.
pub fn html(table: &Table) -> String {
    let mut h = String::from("<table>\n");
    // A key-value table (the title block) has no column titles: no empty header row.
    if table.columns.iter().any(|c| !c.title.is_empty()) {
        h.push_str("<thead><tr>");
        for c in &table.columns {
            let _ = write!(h, "<th>{}</th>", escape_html(&c.title));
        }
        h.push_str("</tr></thead>\n");
    }
    h.push_str("<tbody>\n");
    for row in &table.rows {
        h.push_str("<tr>");
        for (v, c) in row.iter().zip(&table.columns) {
            let text = escape_html(&display(v, c.kind));
            match v {
                Cell::Flag(ok, _) => {
                    let _ = write!(
                        h,
                        "<td class=\"{}\">{text}</td>",
                        if *ok { "ok" } else { "bad" }
                    );
                }
                _ if numeric(c.kind) => {
                    let _ = write!(h, "<td class=\"n\">{text}</td>");
                }
                _ => {
                    let _ = write!(h, "<td>{text}</td>");
                }
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
    h
}

/// CSV (UTF-8 with BOM) with the machine column names.
pub fn csv(table: &Table) -> crate::Result<Vec<u8>> {
    let err = |e: csv::Error| crate::Error::Other(format!("writing {}.csv: {e}", table.key));
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record(table.columns.iter().map(|c| c.key.as_str()))
            .map_err(err)?;
        for row in &table.rows {
            w.write_record(row.iter().map(machine)).map_err(err)?;
        }
        w.flush()
            .map_err(|e| crate::Error::Other(format!("writing {}.csv: {e}", table.key)))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        let mut t = Table::new("t", "T")
            .column("id", "编码 code", ColumnKind::Code)
            .column("elderly", "老年人", ColumnKind::Count)
            .column("share", "share", ColumnKind::Share)
            .column("ok", "ok", ColumnKind::Flag);
        t.push(vec![
            Cell::text("360403001001"),
            Cell::Number(1233.0),
            Cell::Number(0.25),
            Cell::Flag(false, "未达标 | no".into()),
        ]);
        t.push(vec![
            Cell::text("<b>"),
            Cell::Number(12.5),
            Cell::Empty,
            Cell::Flag(true, "ok".into()),
        ]);
        t
    }

    #[test]
    fn writers_agree_on_the_cells() {
        let t = sample();
        assert_eq!(
            markdown(&t),
            "| 编码 code | 老年人 | share | ok |\n|---|---:|---:|---|\n\
             | 360403001001 | 1233 | 25.0 % | 未达标 \\| no |\n| <b> | 12.5 | – | ok |\n"
        );
        let h = html(&t);
        assert!(h.contains("<tr><td>360403001001</td><td class=\"n\">1233</td><td class=\"n\">25.0 %</td><td class=\"bad\">未达标 | no</td></tr>"));
        assert!(h.contains("<td>&lt;b&gt;</td>"));
        let c = String::from_utf8(csv(&t).unwrap()).unwrap();
        assert_eq!(
            c,
            "\u{feff}id,elderly,share,ok\n360403001001,1233,0.25,未达标 | no\n<b>,12.5,,ok\n"
        );
        assert_eq!(t.top(1).rows.len(), 1);
    }
}
