//! What every printed form shares: the header of Decree 30/2020/NĐ-CP, the
//! place and date line, and the QR code.

use chrono::NaiveDate;
use qrcode::render::svg;
use qrcode::QrCode;

use crate::db::offices::Office;

/// The top of a form as Decree 30/2020/NĐ-CP lays it out: on the left the
/// parent body above the office and the document's number under it; on the
/// right the national motto and the place and date under it.
pub struct PrintHeader {
    pub parent: Option<String>,
    pub office: String,
    /// "Số: …", when the form is numbered.
    pub number: Option<String>,
    pub place_date: String,
}

impl PrintHeader {
    /// The place is the office's own, else its parent's, else `place` (the
    /// installation's `MOTCUA_PLACE`).
    pub fn new(office: &Office, parent: Option<&Office>, place: &str, date: NaiveDate) -> Self {
        let place = [Some(office), parent]
            .into_iter()
            .flatten()
            .map(|o| o.place.trim())
            .find(|p| !p.is_empty())
            .unwrap_or(place);
        PrintHeader {
            parent: parent.map(|p| p.name.clone()),
            office: office.name.clone(),
            number: None,
            place_date: place_date(place, date),
        }
    }

    /// The same header with the document's number under the office.
    pub fn numbered(self, number: impl Into<String>) -> Self {
        PrintHeader {
            number: Some(number.into()),
            ..self
        }
    }
}

pub use crate::domain::time::place_date;

/// `text` as an inline SVG QR code (no XML declaration), sharp at any size.
pub fn qr_svg(text: &str) -> String {
    let Ok(code) = QrCode::new(text.as_bytes()) else {
        return String::new();
    };
    let image = code
        .render::<svg::Color<'_>>()
        .min_dimensions(120, 120)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build();
    match image.find("<svg") {
        Some(at) => image[at..].to_string(),
        None => image,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_follow_decree_30() {
        let d = NaiveDate::from_ymd_opt(2026, 1, 5).expect("date");
        assert_eq!(
            place_date("Nha Trang", d),
            "Nha Trang, ngày 05 tháng 01 năm 2026"
        );
        let d = NaiveDate::from_ymd_opt(2026, 11, 25).expect("date");
        assert_eq!(
            place_date("Nha Trang", d),
            "Nha Trang, ngày 25 tháng 11 năm 2026"
        );
    }

    #[test]
    fn qr_codes_are_inline_svg() {
        let svg = qr_svg("http://127.0.0.1:8080/tra-cuu/abc");
        assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
        assert!(svg.contains("<path") || svg.contains("<rect"));
    }
}
