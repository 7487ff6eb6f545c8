//! Vietnam's clock: Asia/Ho_Chi_Minh is UTC+7 all year (no daylight saving).

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, TimeZone as _, Utc};

/// Years a typed date may have: beyond them arithmetic on times could
/// overflow, and no dossier is that old or that far ahead.
pub const SANE_YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

pub fn vietnam() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset")
}

/// A stored UTC timestamp seen in Vietnam.
pub fn to_local(utc: NaiveDateTime) -> DateTime<FixedOffset> {
    vietnam().from_utc_datetime(&utc)
}

/// `dd/mm/yyyy`.
pub fn format_date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// `dd/mm/yyyy HH:MM` in Vietnam's time: the date first, as lists read.
pub fn format_datetime(utc: NaiveDateTime) -> String {
    to_local(utc).format("%d/%m/%Y %H:%M").to_string()
}

/// RFC 3339 with the +07:00 offset, as the API answers.
pub fn rfc3339(utc: NaiveDateTime) -> String {
    to_local(utc).to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

pub fn now_utc() -> NaiveDateTime {
    Utc::now().naive_utc()
}

/// Today in Vietnam.
pub fn today() -> NaiveDate {
    Utc::now().with_timezone(&vietnam()).date_naive()
}

/// Parses an API time: RFC 3339 with an offset, or a local time without one.
pub fn parse_time(raw: &str) -> Option<NaiveDateTime> {
    parse_any_time(raw).filter(|t| SANE_YEARS.contains(&t.year()))
}

fn parse_any_time(raw: &str) -> Option<NaiveDateTime> {
    let s = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&vietnam()).naive_local());
    }
    // A `+` sent unencoded in a query string arrives as a space.
    if let Some((head, tail)) = s.rsplit_once(' ') {
        if let Ok(t) = DateTime::parse_from_rfc3339(&format!("{head}+{tail}")) {
            return Some(t.with_timezone(&vietnam()).naive_local());
        }
    }
    [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
}

/// A local time (Asia/Ho_Chi_Minh, UTC+7 all year) as UTC.
pub fn local_to_utc(t: NaiveDateTime) -> NaiveDateTime {
    t - chrono::Duration::hours(7)
}

/// "Nha Trang, ngày 05 tháng 01 năm 2026": days below 10 and the months
/// January and February take a leading zero (Decree 30/2020, appendix I).
pub fn place_date(place: &str, date: NaiveDate) -> String {
    let month = if date.month() <= 2 {
        format!("{:02}", date.month())
    } else {
        date.month().to_string()
    };
    format!(
        "{place}, ngày {:02} tháng {month} năm {}",
        date.day(),
        date.year()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_in_vietnam_time() {
        let utc = NaiveDate::from_ymd_opt(2026, 2, 10)
            .and_then(|d| d.and_hms_opt(2, 30, 0))
            .expect("valid");
        assert_eq!(format_datetime(utc), "10/02/2026 09:30");
        assert_eq!(rfc3339(utc), "2026-02-10T09:30:00+07:00");
        let late = NaiveDate::from_ymd_opt(2026, 2, 10)
            .and_then(|d| d.and_hms_opt(18, 0, 0))
            .expect("valid");
        assert_eq!(format_datetime(late), "11/02/2026 01:00");
    }
}
