//! Validated user fields: usernames, full names and passwords.

/// A login name: 3 to 50 characters, lower-case ASCII letters, digits, `.`, `_`, `-`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let s = raw.trim().to_lowercase();
        if s.is_empty() {
            return Err("Nhập tên đăng nhập.");
        }
        if s.len() < 3 || s.len() > 50 {
            return Err("Tên đăng nhập dài từ 3 đến 50 ký tự.");
        }
        if !s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        {
            return Err("Tên đăng nhập chỉ gồm chữ cái không dấu, chữ số và các dấu . _ -");
        }
        Ok(Username(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A person's full name: 1 to 200 characters after trimming, inner spaces folded.
pub fn parse_full_name(raw: &str) -> Result<String, &'static str> {
    let s = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.is_empty() {
        return Err("Nhập họ và tên.");
    }
    if s.chars().count() > 200 {
        return Err("Họ và tên không quá 200 ký tự.");
    }
    Ok(s)
}

/// A new password: at least 10 characters, at most 200, not all of one kind.
pub struct NewPassword(String);

impl NewPassword {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let n = raw.chars().count();
        if n == 0 {
            return Err("Nhập mật khẩu.");
        }
        if n < 10 {
            return Err("Mật khẩu phải có ít nhất 10 ký tự.");
        }
        if n > 200 {
            return Err("Mật khẩu không quá 200 ký tự.");
        }
        let has_letter = raw.chars().any(|c| c.is_alphabetic());
        let has_other = raw.chars().any(|c| !c.is_alphabetic());
        if !(has_letter && has_other) {
            return Err("Mật khẩu phải có cả chữ cái và chữ số hoặc ký hiệu.");
        }
        Ok(NewPassword(raw.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_normalised_and_checked() {
        assert_eq!(
            Username::parse(" Tiepnhan01 ").map(|u| u.into_inner()),
            Ok("tiepnhan01".to_string())
        );
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse("nguyễn").is_err());
        assert!(Username::parse("a b c").is_err());
    }

    #[test]
    fn full_names_fold_spaces() {
        assert_eq!(
            parse_full_name("  Nguyễn   Văn  An "),
            Ok("Nguyễn Văn An".to_string())
        );
        assert!(parse_full_name("   ").is_err());
    }

    #[test]
    fn passwords_need_length_and_variety() {
        assert!(NewPassword::parse("short1").is_err());
        assert!(NewPassword::parse("abcdefghijkl").is_err());
        assert!(NewPassword::parse("1234567890").is_err());
        assert!(NewPassword::parse("mật-khẩu-2026").is_ok());
    }
}
