//! Paging of lists: page numbers from the query string, links that keep the filters.

/// One page of a list.
pub struct Pager {
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
    /// The list's path with its filters, without `page`, e.g. `/admin/users?q=an`.
    base: String,
}

impl Pager {
    pub fn new(page: Option<i64>, per_page: i64, total: i64, base: String) -> Pager {
        let pages = ((total + per_page - 1) / per_page).max(1);
        Pager {
            page: page.unwrap_or(1).clamp(1, pages),
            per_page,
            total,
            base,
        }
    }

    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }

    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }

    fn link(&self, page: i64) -> String {
        let sep = if self.base.contains('?') { '&' } else { '?' };
        format!("{}{}page={}", self.base, sep, page)
    }

    pub fn prev(&self) -> Option<String> {
        (self.page > 1).then(|| self.link(self.page - 1))
    }

    /// The previous and next page numbers, for lists paged by posting a form.
    pub fn prev_page(&self) -> Option<i64> {
        (self.page > 1).then_some(self.page - 1)
    }

    pub fn next_page(&self) -> Option<i64> {
        (self.page < self.pages()).then_some(self.page + 1)
    }

    pub fn next(&self) -> Option<String> {
        (self.page < self.pages()).then(|| self.link(self.page + 1))
    }

    /// "Hiển thị 1–50 trên 120".
    pub fn summary(&self) -> String {
        if self.total == 0 {
            return "Không có kết quả".to_string();
        }
        let first = self.offset() + 1;
        let last = (self.offset() + self.per_page).min(self.total);
        format!("Hiển thị {first}–{last} trên tổng số {}", self.total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_clamp_and_link_with_filters() {
        let p = Pager::new(Some(9), 50, 120, "/admin/users?q=an".into());
        assert_eq!(p.page, 3);
        assert_eq!(p.offset(), 100);
        assert_eq!(p.prev().as_deref(), Some("/admin/users?q=an&page=2"));
        assert_eq!(p.next(), None);
        assert_eq!(p.summary(), "Hiển thị 101–120 trên tổng số 120");
        let empty = Pager::new(None, 50, 0, "/x".into());
        assert_eq!(empty.page, 1);
        assert_eq!(empty.summary(), "Không có kết quả");
        assert_eq!(
            Pager::new(Some(0), 50, 60, "/x".into()).next().as_deref(),
            Some("/x?page=2")
        );
    }
}
