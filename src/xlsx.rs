//! report.xlsx: the report's tables as a workbook, one sheet per table. Codes are stored as
//! text (a 12-digit community code must not turn into 3.60403E+11), counts as numbers, shares
//! as percentages; header rows are frozen and filtered, widths follow the content.

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, XlsxError};

use crate::error::{Error, Result};
use crate::report::table::{display, Cell, ColumnKind, Table};

/// The workbook bytes. `date` (year, month, day) is stored as the creation date, so the same
/// inputs give the same bytes.
pub fn workbook(sheets: &[(String, Table)], date: (u16, u8, u8)) -> Result<Vec<u8>> {
    build(sheets, date).map_err(|e| Error::Other(format!("writing report.xlsx: {e}")))
}

fn build(sheets: &[(String, Table)], date: (u16, u8, u8)) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(date.0, date.1, date.2)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title("carecircle report")
            .set_creation_datetime(&created),
    );
    let header = Format::new()
        .set_bold()
        .set_background_color(0xF2F2EE)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    let count = Format::new().set_num_format("#,##0");
    let share = Format::new().set_num_format("0.0%");
    let text = Format::new().set_num_format("@");
    let decimals: Vec<Format> = (0..=6)
        .map(|d| {
            let f = if d == 0 {
                "0".to_string()
            } else {
                format!("0.{}", "0".repeat(d))
            };
            Format::new().set_num_format(f)
        })
        .collect();
    for (name, table) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(name.as_str())?;
        let mut widths: Vec<usize> = table.columns.iter().map(|c| width_of(&c.title)).collect();
        for (j, c) in table.columns.iter().enumerate() {
            ws.write_string_with_format(0, j as u16, &c.title, &header)?;
        }
        for (i, row) in table.rows.iter().enumerate() {
            let r = (i + 1) as u32;
            for (j, (cell, col)) in row.iter().zip(&table.columns).enumerate() {
                let c = j as u16;
                widths[j] = widths[j].max(width_of(&display(cell, col.kind)));
                match (cell, col.kind) {
                    (Cell::Number(x), ColumnKind::Share) => {
                        ws.write_number_with_format(r, c, *x, &share)?;
                    }
                    (Cell::Number(x), ColumnKind::Number(d)) => {
                        ws.write_number_with_format(r, c, *x, &decimals[(d as usize).min(6)])?;
                    }
                    (Cell::Number(x), ColumnKind::Count) if x.fract() == 0.0 => {
                        ws.write_number_with_format(r, c, *x, &count)?;
                    }
                    (Cell::Number(x), _) => {
                        ws.write_number(r, c, *x)?;
                    }
                    (Cell::Text(s), ColumnKind::Code) => {
                        ws.write_string_with_format(r, c, s, &text)?;
                    }
                    (Cell::Text(s), _) | (Cell::Flag(_, s), _) => {
                        ws.write_string(r, c, s)?;
                    }
                    (Cell::Empty, _) => {}
                }
            }
        }
        for (j, w) in widths.iter().enumerate() {
            ws.set_column_width(j as u16, (*w as f64 + 2.0).clamp(6.0, 60.0))?;
        }
        ws.set_freeze_panes(1, 0)?;
        if !table.columns.is_empty() {
            ws.autofilter(
                0,
                0,
                table.rows.len() as u32,
                (table.columns.len() - 1) as u16,
            )?;
        }
    }
    wb.save_to_buffer()
}

/// Column width in Excel's character units: CJK characters count double.
fn width_of(s: &str) -> usize {
    s.chars()
        .map(|c| if (c as u32) >= 0x2E80 { 2 } else { 1 })
        .sum()
}
