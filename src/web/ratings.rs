//! This month's citizen ratings, summarised for the leader's page.

use crate::domain::time::{format_date, today};
use crate::services::reception::local_day;
use crate::services::returns;

/// This month's ratings of the leader's offices (for the leader's page).
pub struct RatingSummary {
    pub month: String,
    pub counts: Vec<(&'static str, usize)>,
    pub comments: Vec<(String, &'static str, String)>,
}

pub fn summarise(ratings: &[crate::db::ratings::Rating]) -> RatingSummary {
    let t = today();
    RatingSummary {
        month: format!(
            "{:02}/{}",
            chrono::Datelike::month(&t),
            chrono::Datelike::year(&t)
        ),
        counts: returns::LEVELS
            .iter()
            .map(|(v, l)| (*l, ratings.iter().filter(|r| r.level == *v).count()))
            .collect(),
        comments: ratings
            .iter()
            .filter(|r| !r.comment.is_empty())
            .take(20)
            .map(|r| {
                (
                    format_date(local_day(r.at)),
                    returns::level_label(&r.level),
                    r.comment.clone(),
                )
            })
            .collect(),
    }
}
