//! Personal data (Decree 13/2023/NĐ-CP): what counts as a use of an
//! applicant's details that must be logged, and the retention rule.

use chrono::{Months, NaiveDateTime};

/// How someone used an applicant's details.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// Opened a page showing them.
    View,
    /// Printed a form carrying them.
    Print,
    /// Exported them to a file.
    Export,
    /// Read them through the API.
    Api,
}

impl Use {
    pub fn as_str(self) -> &'static str {
        match self {
            Use::View => "view",
            Use::Print => "print",
            Use::Export => "export",
            Use::Api => "api",
        }
    }

    pub fn label_of(code: &str) -> &'static str {
        match code {
            "view" => "Xem",
            "print" => "In",
            "export" => "Xuất tệp",
            "api" => "Đọc qua API",
            _ => "Khác",
        }
    }
}

/// The settings key: years a closed dossier keeps its applicant's details
/// (absent or empty: kept).
pub const RETENTION_SETTING: &str = "personal_data_retention_years";
/// The longest retention one may set.
pub const MAX_RETENTION_YEARS: u32 = 100;
/// What stands for the applicant's name once purged.
pub const PURGED_NAME: &str = "(đã xóa theo thời hạn lưu trữ)";

/// Reads the retention typed by an administrator: empty keeps details
/// forever; otherwise whole years from 1 to 100.
pub fn parse_retention(input: &str) -> Result<Option<u32>, &'static str> {
    let t = input.trim();
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<u32>() {
        Ok(y) if (1..=MAX_RETENTION_YEARS).contains(&y) => Ok(Some(y)),
        _ => Err("Nhập số năm từ 1 đến 100, hoặc để trống để không xóa."),
    }
}

/// Dossiers closed before this moment lose their applicant's details.
pub fn cutoff(now: NaiveDateTime, years: u32) -> NaiveDateTime {
    now.checked_sub_months(Months::new(years * 12))
        .unwrap_or(NaiveDateTime::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_is_whole_years_or_nothing() {
        assert_eq!(parse_retention(""), Ok(None));
        assert_eq!(parse_retention(" 5 "), Ok(Some(5)));
        assert!(parse_retention("0").is_err());
        assert!(parse_retention("101").is_err());
        assert!(parse_retention("2,5").is_err());
        assert!(parse_retention("-1").is_err());
    }

    #[test]
    fn the_cutoff_counts_calendar_years() {
        let now = chrono::NaiveDate::from_ymd_opt(2026, 12, 5)
            .unwrap()
            .and_hms_opt(3, 0, 0)
            .unwrap();
        assert_eq!(
            cutoff(now, 5),
            chrono::NaiveDate::from_ymd_opt(2021, 12, 5)
                .unwrap()
                .and_hms_opt(3, 0, 0)
                .unwrap()
        );
        let leap = chrono::NaiveDate::from_ymd_opt(2028, 2, 29)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        assert_eq!(cutoff(leap, 1).date().to_string(), "2027-02-28");
    }
}
