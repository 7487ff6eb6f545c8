//! Rules on text anyone types.

/// A control character that no text typed by a person contains (tab and line
/// breaks are allowed): NUL and the other C0 codes, DEL, and the C1 codes.
pub fn is_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Whether `s` carries such a character.
pub fn has_control(s: &str) -> bool {
    s.chars().any(is_control)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_but_not_line_breaks() {
        for c in [
            '\0', '\u{7}', '\u{b}', '\u{1b}', '\u{7f}', '\u{85}', '\u{9f}',
        ] {
            assert!(is_control(c), "{c:?}");
        }
        for c in ['\t', '\n', '\r', ' ', 'ạ', '\u{a0}', '😀'] {
            assert!(!is_control(c), "{c:?}");
        }
        assert!(has_control("Nguyễn\0"));
        assert!(!has_control("Dòng 1\r\nDòng 2"));
    }
}
