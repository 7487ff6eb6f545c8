//! Field-by-field validation messages, shown beside each field and in the
//! error summary (pages) or in `fields` (API).

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FieldErrors(Vec<(String, String)>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        if self.get(field).is_none() {
            self.0.push((field.to_string(), message.into()));
        }
    }

    /// The message for `field`, if it has one.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(f, m)| (f.as_str(), m.as_str()))
    }

    /// Records `result`'s error under `field` and gives back its value.
    pub fn check<T, E: Into<String>>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(field, e);
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_first_message_per_field() {
        let mut e = FieldErrors::new();
        assert!(e.is_empty());
        e.add("a", "một");
        e.add("a", "hai");
        e.add("b", "ba");
        assert_eq!(e.get("a"), Some("một"));
        assert_eq!(e.get("c"), None);
        assert_eq!(e.iter().count(), 2);
        let v: Option<i32> = e.check("c", Err::<i32, _>("bốn"));
        assert_eq!(v, None);
        assert_eq!(e.get("c"), Some("bốn"));
    }
}
