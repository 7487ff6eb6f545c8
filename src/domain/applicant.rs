//! Validated applicant fields and the dossier code (DOMAIN.md, "The dossier code").

use std::fmt;

use chrono::{Datelike, NaiveDate};

use super::office::OfficeCode;

/// A citizen identity card number (CCCD): exactly 12 digits, the first three a
/// province code (001-096).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CitizenId(String);

impl CitizenId {
    /// What `parse` takes, as the API's contract states it (spaces aside).
    pub const PATTERN: &'static str = "^(00[1-9]|0[1-8][0-9]|09[0-6])[0-9]{9}$";

    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let s: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        if s.is_empty() {
            return Err("Nhập số định danh cá nhân (CCCD) 12 chữ số.");
        }
        if s.len() != 12 || !s.chars().all(|c| c.is_ascii_digit()) {
            return Err("Số định danh cá nhân (CCCD) gồm đúng 12 chữ số.");
        }
        let province: u32 = s[..3].parse().unwrap_or(0);
        if !(1..=96).contains(&province) {
            return Err("Ba chữ số đầu của số CCCD là mã tỉnh, từ 001 đến 096.");
        }
        Ok(CitizenId(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The last four digits (the status page's verifier).
    pub fn last4(&self) -> &str {
        &self.0[8..]
    }
}

/// A Vietnamese phone number, kept as 10 or 11 digits starting with 0
/// (`+84` and `84` prefixes, spaces, dots and dashes accepted on input).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    /// What `parse` takes, as the API's contract states it (separators aside).
    pub const PATTERN: &'static str = "^(0[0-9]{9,10}|\\+84[0-9]{9,10}|84[0-9]{9})$";

    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let compact: String = raw
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')'))
            .collect();
        if compact.is_empty() {
            return Err("Nhập số điện thoại.");
        }
        let national = if let Some(rest) = compact.strip_prefix("+84") {
            format!("0{rest}")
        } else if compact.starts_with("84") && compact.len() == 11 {
            format!("0{}", &compact[2..])
        } else {
            compact
        };
        if !national.chars().all(|c| c.is_ascii_digit()) {
            return Err("Số điện thoại chỉ gồm chữ số, ví dụ 0912 345 678.");
        }
        if !national.starts_with('0') || !(10..=11).contains(&national.len()) {
            return Err("Số điện thoại gồm 10 chữ số bắt đầu bằng 0 (máy bàn có thể 11 chữ số).");
        }
        Ok(Phone(national))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn last4(&self) -> &str {
        &self.0[self.0.len() - 4..]
    }
}

/// What `parse_email` takes, as the API's contract states it.
pub const EMAIL_PATTERN: &str = "^[^@\\s\\u0000-\\u001F\\u007F-\\u009F]+@[^@\\s.\\u0000-\\u001F\\u007F-\\u009F][^@\\s\\u0000-\\u001F\\u007F-\\u009F]*\\.[^@\\s\\u0000-\\u001F\\u007F-\\u009F]*[^@\\s.\\u0000-\\u001F\\u007F-\\u009F]$";

/// An e-mail address, checked loosely (one `@`, a dot in the domain, no spaces).
pub fn parse_email(raw: &str) -> Result<Option<String>, &'static str> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let valid = s.chars().count() <= 254
        && !s.contains(char::is_whitespace)
        && s.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if valid {
        Ok(Some(s.to_string()))
    } else {
        Err("Địa chỉ thư điện tử không đúng, ví dụ ten@example.vn.")
    }
}

/// `<office identifier>-<YYMMDD>-<NNNN>`: the receiving office, the date of
/// reception, and the sequence number within that office and day from 0001,
/// at least four digits (10000 follows 9999). The code prints two digits of
/// the year: reception times start on 01/01/2000 (`EARLIEST_RECEPTION_YEAR`),
/// so a code's day is read in 2000-2099.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierCode {
    pub office: OfficeCode,
    pub date: NaiveDate,
    pub sequence: u32,
}

impl DossierCode {
    pub fn new(office: OfficeCode, date: NaiveDate, sequence: u32) -> Result<Self, &'static str> {
        if sequence == 0 {
            return Err("Số thứ tự hồ sơ trong ngày bắt đầu từ 0001.");
        }
        if !(EARLIEST_RECEPTION_YEAR..EARLIEST_RECEPTION_YEAR + 100).contains(&date.year()) {
            return Err("Ngày tiếp nhận phải từ 01/01/2000.");
        }
        Ok(DossierCode {
            office,
            date,
            sequence,
        })
    }

    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        const BAD: &str =
            "Mã hồ sơ có dạng <mã đơn vị>-<YYMMDD>-<NNNN>, ví dụ 000.00.12.H34-261125-0001.";
        let s = raw.trim();
        let mut parts = s.rsplitn(3, '-');
        let (Some(seq), Some(day), Some(office)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(BAD);
        };
        if !(4..=9).contains(&seq.len())
            || (seq.len() > 4 && seq.starts_with('0'))
            || day.len() != 6
            || !seq.chars().chain(day.chars()).all(|c| c.is_ascii_digit())
        {
            return Err(BAD);
        }
        let office = OfficeCode::parse(office).map_err(|_| BAD)?;
        let date = NaiveDate::parse_from_str(&format!("20{day}"), "%Y%m%d").map_err(|_| BAD)?;
        let sequence: u32 = seq.parse().map_err(|_| BAD)?;
        DossierCode::new(office, date, sequence).map_err(|_| BAD)
    }
}

/// The first year a dossier can be received in: codes print the year in two digits.
pub const EARLIEST_RECEPTION_YEAR: i32 = 2000;

/// The key of the counter that numbers an office's dossiers of one day: the
/// day as the code prints it, so that two dates printing alike share numbers.
pub fn code_counter_key(office_id: i64, date: NaiveDate) -> String {
    format!("code:{office_id}:{}", date.format("%y%m%d"))
}

impl fmt::Display for DossierCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{}-{:04}",
            self.office,
            self.date.format("%y%m%d"),
            self.sequence
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citizen_ids_have_twelve_digits_and_a_province() {
        let id = CitizenId::parse(" 056 090 001 234 ").expect("valid");
        assert_eq!(id.as_str(), "056090001234");
        assert_eq!(id.last4(), "1234");
        assert!(CitizenId::parse("").is_err());
        assert!(CitizenId::parse("12345678901").is_err());
        assert!(CitizenId::parse("05609000123a").is_err());
        assert!(CitizenId::parse("000090001234").is_err());
        assert!(CitizenId::parse("097090001234").is_err());
    }

    #[test]
    fn phones_are_normalised() {
        assert_eq!(
            Phone::parse("0912 345 678").map(|p| p.as_str().to_string()),
            Ok("0912345678".into())
        );
        assert_eq!(
            Phone::parse("+84 912.345.678").map(|p| p.as_str().to_string()),
            Ok("0912345678".into())
        );
        assert_eq!(
            Phone::parse("84912345678").map(|p| p.as_str().to_string()),
            Ok("0912345678".into())
        );
        assert_eq!(
            Phone::parse("0258 3822 123").map(|p| p.last4().to_string()),
            Ok("2123".into())
        );
        assert!(Phone::parse("912345678").is_err());
        assert!(Phone::parse("09123abc78").is_err());
        assert!(Phone::parse("").is_err());
    }

    #[test]
    fn emails_are_optional_but_checked() {
        assert_eq!(parse_email(""), Ok(None));
        assert_eq!(
            parse_email(" an@thads.gov.vn "),
            Ok(Some("an@thads.gov.vn".into()))
        );
        assert!(parse_email("an@").is_err());
        assert!(parse_email("an thads@gov.vn").is_err());
        assert!(parse_email("an@localhost").is_err());
    }

    #[test]
    fn dossier_codes_round_trip() {
        let office = OfficeCode::parse("000.00.12.H34").expect("office");
        let date = NaiveDate::from_ymd_opt(2026, 11, 25).expect("date");
        let code = DossierCode::new(office.clone(), date, 1).expect("code");
        assert_eq!(code.to_string(), "000.00.12.H34-261125-0001");
        assert_eq!(DossierCode::parse("000.00.12.H34-261125-0001"), Ok(code));
        assert!(DossierCode::new(OfficeCode::parse("X1").expect("o"), date, 0).is_err());
        for bad in [
            "",
            "000.00.12.H34-261125-1",
            "000.00.12.H34-261345-0001",
            "-261125-0001",
            "A-B-C",
            "000.00.12.H34-261125-01234",
        ] {
            assert!(DossierCode::parse(bad).is_err(), "{bad}");
        }
        // 10000 follows 9999 (DOMAIN.md): five digits, read back.
        let big = DossierCode::new(office.clone(), date, 10_000).expect("code");
        assert_eq!(big.to_string(), "000.00.12.H34-261125-10000");
        assert_eq!(DossierCode::parse("000.00.12.H34-261125-10000"), Ok(big));
        // The code prints two digits of the year: 1926 would read as 2026.
        let slip = NaiveDate::from_ymd_opt(1926, 12, 1).expect("date");
        assert!(DossierCode::new(office, slip, 1).is_err());
        assert_eq!(
            code_counter_key(7, slip),
            code_counter_key(7, NaiveDate::from_ymd_opt(2026, 12, 1).expect("date"))
        );
    }
}
