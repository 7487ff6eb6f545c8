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

/// The period report in the layout offices file (Biểu số II.06a/VPCP/KSTT):
/// the header block, two levels of column headers, the numbered columns,
/// fields (I, II, …) with their procedures, and the totals row.
pub fn period_report_xlsx(
    report: &crate::services::reports::PeriodReport,
    office: &str,
    receiver: Option<&str>,
    place: &str,
    today: chrono::NaiveDate,
) -> Result<Vec<u8>, AppError> {
    use crate::domain::report::PeriodCounts;
    use crate::domain::time::format_date;

    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Bieu II.06a").map_err(xlsx_error)?;
    sheet.set_landscape();
    sheet.set_paper_size(9);
    sheet.set_print_fit_to_pages(1, 0);
    let bold = Format::new().set_bold();
    let center_bold = Format::new()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    let center_italic = Format::new().set_italic().set_align(FormatAlign::Center);
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin)
        .set_background_color("#E7EEF7");
    let numbered = Format::new()
        .set_italic()
        .set_align(FormatAlign::Center)
        .set_border(FormatBorder::Thin);
    let cell = Format::new().set_border(FormatBorder::Thin).set_text_wrap();
    let group = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_text_wrap();
    let rate = Format::new()
        .set_border(FormatBorder::Thin)
        .set_num_format("0.0%");
    let group_rate = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_num_format("0.0%");
    const LAST: u16 = 18;
    let e = xlsx_error;
    sheet
        .write_string_with_format(0, 0, "Biểu số II.06a/VPCP/KSTT", &bold)
        .map_err(e)?;
    sheet
        .write_string(1, 0, "Ban hành theo Thông tư số 01/2018/TT-VPCP")
        .map_err(e)?;
    sheet
        .write_string(2, 0, format!("Ngày lập báo cáo: {}", format_date(today)))
        .map_err(e)?;
    sheet
        .merge_range(0, 4, 0, 14, "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI CƠ QUAN, ĐƠN VỊ TRỰC TIẾP GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH", &center_bold)
        .map_err(e)?;
    sheet.set_row_height(0, 32).map_err(e)?;
    sheet
        .merge_range(
            1,
            4,
            1,
            14,
            &format!(
                "Kỳ báo cáo: từ ngày {} đến ngày {}",
                format_date(report.period.from),
                format_date(report.period.to)
            ),
            &center_italic,
        )
        .map_err(e)?;
    sheet
        .merge_range(
            0,
            15,
            0,
            LAST,
            &format!("Đơn vị báo cáo: {office}"),
            &Format::new().set_text_wrap(),
        )
        .map_err(e)?;
    sheet
        .merge_range(
            1,
            15,
            1,
            LAST,
            &format!("Đơn vị nhận báo cáo: {}", receiver.unwrap_or("…")),
            &Format::new().set_text_wrap(),
        )
        .map_err(e)?;
    sheet
        .merge_range(2, 15, 2, LAST, "Đơn vị tính: số hồ sơ TTHC", &Format::new())
        .map_err(e)?;
    // Two rows of headers, then the column numbers.
    let (h1, h2, nums) = (4u32, 5u32, 6u32);
    let single = [
        (0u16, "STT"),
        (1, "Lĩnh vực, công việc giải quyết theo cấp"),
        (12, "Rút hồ sơ"),
        (16, "Tỷ lệ giải quyết đúng hạn"),
        (17, "Không tiếp nhận tại quầy"),
        (18, "Tỷ lệ hài lòng"),
    ];
    for (c, name) in single {
        sheet.merge_range(h1, c, h2, c, name, &head).map_err(e)?;
    }
    sheet
        .merge_range(h1, 2, h1, 6, "Số hồ sơ nhận giải quyết", &head)
        .map_err(e)?;
    sheet
        .merge_range(
            h1,
            7,
            h1,
            11,
            "Kết quả giải quyết: số hồ sơ đã giải quyết",
            &head,
        )
        .map_err(e)?;
    sheet
        .merge_range(h1, 13, h1, 15, "Số hồ sơ đang giải quyết", &head)
        .map_err(e)?;
    let second = [
        (2u16, "Tổng số"),
        (3, "Số kỳ trước chuyển qua"),
        (4, "Mới tiếp nhận trực tuyến"),
        (5, "Mới tiếp nhận trực tiếp"),
        (6, "Mới tiếp nhận qua dịch vụ bưu chính"),
        (7, "Tổng số"),
        (8, "Trước hạn"),
        (9, "Đúng hạn"),
        (10, "Quá hạn"),
        (11, "Trong đó: từ chối"),
        (13, "Tổng số"),
        (14, "Chưa đến hạn"),
        (15, "Quá hạn"),
    ];
    for (c, name) in second {
        sheet
            .write_string_with_format(h2, c, name, &head)
            .map_err(e)?;
    }
    sheet.set_row_height(h2, 45).map_err(e)?;
    for c in 0..=LAST {
        sheet
            .write_string_with_format(nums, c, format!("({})", c + 1), &numbered)
            .map_err(e)?;
        sheet
            .set_column_width(
                c,
                if c == 1 {
                    44.0
                } else if c == 0 {
                    6.0
                } else {
                    10.5
                },
            )
            .map_err(e)?;
    }
    let write_line = |sheet: &mut rust_xlsxwriter::Worksheet,
                      row: u32,
                      number: &str,
                      label: &str,
                      c: &PeriodCounts,
                      satisfaction: Option<f64>,
                      strong: bool|
     -> Result<(), rust_xlsxwriter::XlsxError> {
        let (f, r) = if strong {
            (&group, &group_rate)
        } else {
            (&cell, &rate)
        };
        sheet.write_string_with_format(row, 0, number, f)?;
        sheet.write_string_with_format(row, 1, label, f)?;
        let values = [
            c.received_total(),
            c.carried_over,
            c.online,
            c.counter,
            c.postal,
            c.resolved_total(),
            c.early,
            c.on_time,
            c.late,
            c.refused,
            c.withdrawn,
            c.in_progress_total(),
            c.open_on_time,
            c.open_overdue,
        ];
        for (i, v) in values.iter().enumerate() {
            sheet.write_number_with_format(row, 2 + i as u16, *v as f64, f)?;
        }
        match c.on_time_rate() {
            Some(x) => sheet.write_number_with_format(row, 16, x, r)?,
            None => sheet.write_string_with_format(row, 16, "", f)?,
        };
        sheet.write_number_with_format(row, 17, c.not_accepted as f64, f)?;
        match satisfaction {
            Some(x) => sheet.write_number_with_format(row, 18, x, r)?,
            None => sheet.write_string_with_format(row, 18, "", f)?,
        };
        Ok(())
    };
    let mut row = nums + 1;
    const ROMAN: [&str; 12] = [
        "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
    ];
    for (i, g) in report.by_field.iter().enumerate() {
        let number = ROMAN
            .get(i)
            .map(|s| s.to_string())
            .unwrap_or_else(|| (i + 1).to_string());
        write_line(
            sheet,
            row,
            &number,
            &g.field,
            &g.subtotal.counts,
            g.subtotal.satisfaction.rate(),
            true,
        )
        .map_err(e)?;
        row += 1;
        for (j, l) in g.lines.iter().enumerate() {
            write_line(
                sheet,
                row,
                &(j + 1).to_string(),
                &l.label,
                &l.counts,
                l.satisfaction.rate(),
                false,
            )
            .map_err(e)?;
            row += 1;
        }
    }
    write_line(
        sheet,
        row,
        "",
        "Tổng cộng",
        &report.total.counts,
        report.total.satisfaction.rate(),
        true,
    )
    .map_err(e)?;
    row += 2;
    sheet
        .merge_range(
            row,
            13,
            row,
            LAST,
            &crate::domain::time::place_date(place, today),
            &center_italic,
        )
        .map_err(e)?;
    row += 1;
    sheet
        .merge_range(row, 1, row, 4, "NGƯỜI LẬP BIỂU", &center_bold)
        .map_err(e)?;
    sheet
        .merge_range(row, 13, row, LAST, "THỦ TRƯỞNG ĐƠN VỊ", &center_bold)
        .map_err(e)?;
    row += 1;
    sheet
        .merge_range(row, 1, row, 4, "(Ký, ghi rõ họ tên)", &center_italic)
        .map_err(e)?;
    sheet
        .merge_range(
            row,
            13,
            row,
            LAST,
            "(Ký, ghi rõ họ tên, đóng dấu)",
            &center_italic,
        )
        .map_err(e)?;
    sheet.set_freeze_panes(nums + 1, 2).map_err(e)?;
    book.save_to_buffer().map_err(e)
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
