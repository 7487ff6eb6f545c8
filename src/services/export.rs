//! Tables exported for offices: Excel (.xlsx, the format reports are filed
//! in) and CSV (UTF-8 with a byte-order mark, so that Excel shows the
//! diacritics).

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};

use crate::error::AppError;

pub enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        if s.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(s)
        }
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::from(s.to_string())
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Cell {
        Cell::Number(n as f64)
    }
}

/// A titled table with its column headers and widths (in characters).
pub struct Table {
    pub title: String,
    pub subtitle: String,
    pub sheet: String,
    pub columns: Vec<(&'static str, f64)>,
    pub rows: Vec<Vec<Cell>>,
}

fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> AppError {
    AppError::Internal(format!("xlsx: {e}"))
}

impl Table {
    pub fn to_xlsx(&self) -> Result<Vec<u8>, AppError> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name(&self.sheet).map_err(xlsx_error)?;
        sheet.set_landscape();
        sheet.set_paper_size(9); // A4
        let last = (self.columns.len().max(1) - 1) as u16;
        let title = Format::new()
            .set_bold()
            .set_font_size(14)
            .set_align(FormatAlign::Center);
        let subtitle = Format::new().set_italic().set_align(FormatAlign::Center);
        let header = Format::new()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter)
            .set_border(FormatBorder::Thin)
            .set_background_color("#E7EEF7");
        let cell = Format::new()
            .set_text_wrap()
            .set_align(FormatAlign::Top)
            .set_border(FormatBorder::Thin);
        sheet
            .merge_range(0, 0, 0, last, &self.title, &title)
            .map_err(xlsx_error)?;
        sheet
            .merge_range(1, 0, 1, last, &self.subtitle, &subtitle)
            .map_err(xlsx_error)?;
        for (c, (name, width)) in self.columns.iter().enumerate() {
            sheet
                .write_string_with_format(3, c as u16, *name, &header)
                .map_err(xlsx_error)?;
            sheet
                .set_column_width(c as u16, *width)
                .map_err(xlsx_error)?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            let r = 4 + r as u32;
            for (c, value) in row.iter().enumerate() {
                let c = c as u16;
                match value {
                    Cell::Text(s) => sheet.write_string_with_format(r, c, s, &cell),
                    Cell::Number(n) => sheet.write_number_with_format(r, c, *n, &cell),
                    Cell::Empty => sheet.write_string_with_format(r, c, "", &cell),
                }
                .map_err(xlsx_error)?;
            }
        }
        sheet.set_freeze_panes(4, 0).map_err(xlsx_error)?;
        if !self.rows.is_empty() {
            sheet
                .autofilter(3, 0, 3 + self.rows.len() as u32, last)
                .map_err(xlsx_error)?;
        }
        book.save_to_buffer().map_err(xlsx_error)
    }

    pub fn to_csv(&self) -> Result<Vec<u8>, AppError> {
        let mut out = "\u{feff}".as_bytes().to_vec();
        {
            let mut w = csv::Writer::from_writer(&mut out);
            let err = |e: csv::Error| AppError::Internal(format!("csv: {e}"));
            w.write_record(self.columns.iter().map(|(n, _)| *n))
                .map_err(err)?;
            for row in &self.rows {
                w.write_record(row.iter().map(|c| match c {
                    // A cell Excel would read as a formula is kept as text.
                    Cell::Text(s) if s.starts_with(['=', '+', '-', '@', '\t', '\r']) => {
                        format!("'{s}")
                    }
                    Cell::Text(s) => s.clone(),
                    Cell::Number(n) => format!("{n}"),
                    Cell::Empty => String::new(),
                }))
                .map_err(err)?;
            }
            w.flush()
                .map_err(|e| AppError::Internal(format!("csv: {e}")))?;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        Table {
            title: "SỔ THEO DÕI HỒ SƠ".into(),
            subtitle: "Từ 01/01/2026 đến 25/11/2026".into(),
            sheet: "So theo doi".into(),
            columns: vec![("Số TT", 6.0), ("Người nộp", 24.0)],
            rows: vec![vec![Cell::from(1), Cell::from("Nguyễn Văn An, \"Bình\"")]],
        }
    }

    #[test]
    fn csv_keeps_diacritics_and_quotes() {
        let csv = String::from_utf8(table().to_csv().expect("csv")).expect("utf-8");
        assert!(csv.starts_with('\u{feff}'));
        assert!(csv.contains("Số TT,Người nộp"));
        assert!(csv.contains("1,\"Nguyễn Văn An, \"\"Bình\"\"\""));
    }

    #[test]
    fn csv_cells_never_become_formulas() {
        let mut t = table();
        t.rows = vec![vec![Cell::from(1), Cell::from("=HYPERLINK(\"http://x\")")]];
        let csv = String::from_utf8(t.to_csv().expect("csv")).expect("utf-8");
        assert!(csv.contains("'=HYPERLINK"), "{csv}");
    }

    #[test]
    fn xlsx_is_a_zip_file() {
        let bytes = table().to_xlsx().expect("xlsx");
        assert_eq!(&bytes[..2], b"PK");
    }
}
