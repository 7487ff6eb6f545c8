//! Administrative procedures (thủ tục hành chính): channels, document forms,
//! and the legal processing time in force on a given day.

use chrono::NaiveDate;

/// How a dossier comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    /// Trực tiếp tại Bộ phận một cửa.
    Counter,
    /// Qua dịch vụ bưu chính công ích.
    Postal,
    /// Trực tuyến.
    Online,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Counter, Channel::Postal, Channel::Online];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Counter => "counter",
            Channel::Postal => "postal",
            Channel::Online => "online",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Channel::Counter => "Trực tiếp tại Bộ phận một cửa",
            Channel::Postal => "Qua dịch vụ bưu chính công ích",
            Channel::Online => "Trực tuyến",
        }
    }
}

/// How the result goes back to the citizen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReturnMethod {
    Counter,
    Postal,
}

impl ReturnMethod {
    pub const ALL: [ReturnMethod; 2] = [ReturnMethod::Counter, ReturnMethod::Postal];

    pub fn as_str(self) -> &'static str {
        match self {
            ReturnMethod::Counter => "counter",
            ReturnMethod::Postal => "postal",
        }
    }

    pub fn parse(s: &str) -> Option<ReturnMethod> {
        ReturnMethod::ALL
            .into_iter()
            .find(|c| c.as_str() == s.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            ReturnMethod::Counter => "Nhận trực tiếp tại Bộ phận một cửa",
            ReturnMethod::Postal => "Nhận qua dịch vụ bưu chính công ích",
        }
    }
}

/// The form a document is handed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentForm {
    Original,
    CertifiedCopy,
    Copy,
}

impl DocumentForm {
    pub const ALL: [DocumentForm; 3] = [
        DocumentForm::Original,
        DocumentForm::CertifiedCopy,
        DocumentForm::Copy,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DocumentForm::Original => "original",
            DocumentForm::CertifiedCopy => "certified_copy",
            DocumentForm::Copy => "copy",
        }
    }

    pub fn parse(s: &str) -> Option<DocumentForm> {
        DocumentForm::ALL
            .into_iter()
            .find(|c| c.as_str() == s.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            DocumentForm::Original => "Bản chính",
            DocumentForm::CertifiedCopy => "Bản sao có chứng thực",
            DocumentForm::Copy => "Bản sao",
        }
    }
}

/// A comma-separated list of codes, as stored.
pub fn join_codes<'a>(codes: impl IntoIterator<Item = &'a str>) -> String {
    codes.into_iter().collect::<Vec<_>>().join(",")
}

pub fn split_codes(stored: &str) -> Vec<&str> {
    stored
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// A legal processing time and the days it is in force (both ends inclusive, open when `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessingTime {
    pub working_days: u32,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
}

impl ProcessingTime {
    pub fn in_force_on(&self, day: NaiveDate) -> bool {
        self.valid_from.is_none_or(|f| f <= day) && self.valid_until.is_none_or(|u| day <= u)
    }
}

/// The time in force on `day`.
pub fn time_in_force(times: &[ProcessingTime], day: NaiveDate) -> Option<u32> {
    times
        .iter()
        .find(|t| t.in_force_on(day))
        .map(|t| t.working_days)
}

/// "5 ngày làm việc", or "Trong ngày" for 0.
pub fn describe_time(working_days: u32) -> String {
    if working_days == 0 {
        "Trong ngày".to_string()
    } else {
        format!("{working_days} ngày làm việc")
    }
}

/// Lower-case, without diacritics (đ → d): for accent-insensitive search.
pub fn fold(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.nfd()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .map(|c| match c {
            'đ' | 'Đ' => 'd',
            other => other,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn the_time_in_force_follows_the_reception_day() {
        // THADS-XNKQ: 5 days until 30/06/2026, 3 from 01/07/2026 (Decree 152/2026/NĐ-CP).
        let times = vec![
            ProcessingTime {
                working_days: 5,
                valid_from: None,
                valid_until: Some(d("2026-06-30")),
            },
            ProcessingTime {
                working_days: 3,
                valid_from: Some(d("2026-07-01")),
                valid_until: None,
            },
        ];
        assert_eq!(time_in_force(&times, d("2026-06-30")), Some(5));
        assert_eq!(time_in_force(&times, d("2026-07-01")), Some(3));
        assert_eq!(time_in_force(&times, d("2020-01-01")), Some(5));
        assert_eq!(describe_time(0), "Trong ngày");
        assert_eq!(describe_time(3), "3 ngày làm việc");
    }

    #[test]
    fn codes_round_trip() {
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Some(c));
        }
        for f in DocumentForm::ALL {
            assert_eq!(DocumentForm::parse(f.as_str()), Some(f));
        }
        assert_eq!(split_codes(" counter, postal ,"), vec!["counter", "postal"]);
        assert_eq!(join_codes(["counter", "online"]), "counter,online");
    }

    #[test]
    fn folding_ignores_accents() {
        assert_eq!(
            fold("Thủ tục Yêu cầu THI HÀNH ÁN"),
            "thu tuc yeu cau thi hanh an"
        );
        assert_eq!(fold("Đơn đề nghị"), "don de nghi");
        assert_eq!(fold("Nguyễn Văn A"), "nguyen van a");
    }
}

/// The largest printable form an administrator may attach.
pub const FORM_MAX_BYTES: usize = 5 * 1024 * 1024;

/// What a printable form's file is, by its content (the name only tells a
/// Word file from an OpenDocument one, both being zip archives): its content
/// type and extension.
pub fn form_file_kind(
    bytes: &[u8],
    file_name: &str,
) -> Result<(&'static str, &'static str), &'static str> {
    if bytes.is_empty() {
        return Err("Chọn tệp mẫu đơn (PDF, Word hoặc OpenDocument).");
    }
    if bytes.len() > FORM_MAX_BYTES {
        return Err("Tệp mẫu đơn tối đa 5 MiB.");
    }
    let lower = file_name.to_lowercase();
    if bytes.starts_with(b"%PDF-") {
        return Ok(("application/pdf", "pdf"));
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Ok(("application/msword", "doc"));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        if lower.ends_with(".odt") {
            return Ok(("application/vnd.oasis.opendocument.text", "odt"));
        }
        if lower.ends_with(".docx") {
            return Ok((
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "docx",
            ));
        }
    }
    Err("Tệp mẫu đơn phải là PDF, Word (.doc, .docx) hoặc OpenDocument (.odt).")
}

#[cfg(test)]
mod form_file_tests {
    use super::*;

    #[test]
    fn forms_are_known_by_their_content() {
        assert_eq!(form_file_kind(b"%PDF-1.7 ...", "x.doc").unwrap().1, "pdf");
        assert_eq!(
            form_file_kind(b"PK\x03\x04....", "Mau 01.DOCX").unwrap().1,
            "docx"
        );
        assert_eq!(
            form_file_kind(b"PK\x03\x04....", "mau.odt").unwrap().1,
            "odt"
        );
        assert!(form_file_kind(b"PK\x03\x04....", "mau.zip").is_err());
        assert!(form_file_kind(b"<html>", "mau.pdf").is_err());
        assert!(form_file_kind(b"", "mau.pdf").is_err());
        assert!(form_file_kind(&vec![b'%'; FORM_MAX_BYTES + 1], "mau.pdf").is_err());
    }
}
