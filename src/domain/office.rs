//! Validated office identifiers (mã định danh), e.g. `000.00.12.H34`.

use std::fmt;

/// An office's identifier code as used in dossier codes: letters, digits and
/// dots, 2 to 30 characters, no dash (the dash separates a dossier code's parts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeCode(String);

impl OfficeCode {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let s = raw.trim();
        if s.is_empty() {
            return Err("Nhập mã đơn vị.");
        }
        if s.chars().count() < 2 || s.chars().count() > 30 {
            return Err("Mã đơn vị dài từ 2 đến 30 ký tự.");
        }
        if !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '.') {
            return Err(
                "Mã đơn vị chỉ gồm chữ cái không dấu, chữ số và dấu chấm, ví dụ 000.00.12.H34.",
            );
        }
        Ok(OfficeCode(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OfficeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An office's name: 1 to 200 characters after trimming.
pub fn parse_office_name(raw: &str) -> Result<String, &'static str> {
    let s = raw.trim();
    if s.is_empty() {
        return Err("Nhập tên đơn vị.");
    }
    if s.chars().count() > 200 {
        return Err("Tên đơn vị không quá 200 ký tự.");
    }
    Ok(s.to_string())
}

/// An office's public contacts, shown to citizens on every public page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contacts {
    pub address: String,
    /// The hotline (đường dây nóng) and counter phone.
    pub phone: String,
    pub email: String,
    /// Opening hours, as the office writes them.
    pub hours: String,
    /// The place name on its printed forms.
    pub place: String,
}

impl Contacts {
    /// Checks the four fields; each error is keyed by its field.
    pub fn parse(
        address: &str,
        phone: &str,
        email: &str,
        hours: &str,
        place: &str,
    ) -> Result<Contacts, Vec<(&'static str, &'static str)>> {
        let mut errors = Vec::new();
        let address = address.trim();
        if address.chars().count() > 500 {
            errors.push(("address", "Địa chỉ không quá 500 ký tự."));
        }
        let phone = phone.trim();
        if phone.chars().count() > 100
            || !phone
                .chars()
                .all(|c| c.is_ascii_digit() || " .-+()/,;".contains(c) || c.is_alphabetic())
        {
            errors.push((
                "phone",
                "Số điện thoại, đường dây nóng: chữ số, khoảng trắng và dấu . - + ( ), không quá 100 ký tự.",
            ));
        }
        let email = email.trim();
        if !email.is_empty() && super::applicant::parse_email(email).is_err() {
            errors.push((
                "email",
                "Địa chỉ thư điện tử không đúng, ví dụ motcua@thads.gov.vn.",
            ));
        }
        let hours = hours.trim();
        if hours.chars().count() > 300 {
            errors.push(("hours", "Giờ làm việc không quá 300 ký tự."));
        }
        let place = place.trim();
        if place.chars().count() > 100 {
            errors.push(("place", "Địa danh không quá 100 ký tự."));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Contacts {
            place: place.to_string(),
            address: address.to_string(),
            phone: phone.to_string(),
            email: email.to_string(),
            hours: hours.to_string(),
        })
    }

    pub fn is_empty(&self) -> bool {
        self.address.is_empty()
            && self.phone.is_empty()
            && self.email.is_empty()
            && self.hours.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contacts_are_checked_field_by_field() {
        let c = Contacts::parse(
            " 1 Trần Phú ",
            "0258 3 822 123",
            "",
            "Sáng 7:30-11:30",
            " Nha Trang ",
        )
        .unwrap();
        assert_eq!(c.place, "Nha Trang");
        assert_eq!(c.address, "1 Trần Phú");
        assert!(!c.is_empty());
        let e = Contacts::parse(&"x".repeat(501), "<script>", "a@", "", "").unwrap_err();
        let fields: Vec<&str> = e.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["address", "phone", "email"]);
        assert!(Contacts::default().is_empty());
    }

    #[test]
    fn accepts_official_identifiers() {
        assert_eq!(
            OfficeCode::parse(" 000.00.12.H34 ").map(|c| c.to_string()),
            Ok("000.00.12.H34".to_string())
        );
    }

    #[test]
    fn refuses_dashes_spaces_and_empty() {
        assert!(OfficeCode::parse("").is_err());
        assert!(OfficeCode::parse("A-1").is_err());
        assert!(OfficeCode::parse("A 1").is_err());
        assert!(OfficeCode::parse("Đ1").is_err());
        assert!(OfficeCode::parse(&"1".repeat(31)).is_err());
    }

    #[test]
    fn office_names_are_bounded() {
        assert!(parse_office_name("  ").is_err());
        assert!(parse_office_name(&"a".repeat(201)).is_err());
        assert_eq!(
            parse_office_name(" Cục THADS "),
            Ok("Cục THADS".to_string())
        );
    }
}

/// The ids of `root` and all its descendants, given `(id, parent)` pairs.
/// A cycle (which the admin pages refuse to create) cannot loop forever.
pub fn subtree(pairs: &[(i64, Option<i64>)], root: i64) -> Vec<i64> {
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let current = out[i];
        for &(id, parent) in pairs {
            if parent == Some(current) && !out.contains(&id) {
                out.push(id);
            }
        }
        i += 1;
    }
    out
}

/// Whether making `parent` the parent of `office` would create a cycle.
pub fn would_cycle(pairs: &[(i64, Option<i64>)], office: i64, parent: i64) -> bool {
    subtree(pairs, office).contains(&parent)
}

#[cfg(test)]
mod tree_tests {
    use super::*;

    #[test]
    fn subtree_walks_the_whole_branch() {
        let pairs = [
            (1, None),
            (2, Some(1)),
            (3, Some(2)),
            (4, None),
            (5, Some(1)),
        ];
        let mut got = subtree(&pairs, 1);
        got.sort();
        assert_eq!(got, vec![1, 2, 3, 5]);
        assert_eq!(subtree(&pairs, 4), vec![4]);
        assert!(would_cycle(&pairs, 1, 3));
        assert!(would_cycle(&pairs, 2, 2));
        assert!(!would_cycle(&pairs, 4, 1));
    }
}
