//! The period report (DOMAIN.md, "The period report"; Biểu II.06a): what one
//! office and procedure received, resolved, saw withdrawn and still has in
//! progress in a period, and how the counts add up.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};

use crate::domain::time::local_to_utc;

/// The longest period a report covers (five years).
pub const MAX_PERIOD_DAYS: i64 = 5 * 366;

/// A period of whole days, `from` to `to` inclusive, in Asia/Ho_Chi_Minh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// A period, or the Vietnamese reason it is not one.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Period, &'static str> {
        if to < from {
            return Err("Ngày cuối kỳ phải từ ngày đầu kỳ trở đi.");
        }
        if (to - from).num_days() >= MAX_PERIOD_DAYS {
            return Err("Một kỳ báo cáo dài tối đa 5 năm.");
        }
        Ok(Period { from, to })
    }

    /// The days from the earlier of `a` and `b` to the later, however long
    /// (the API's period; the report page keeps to `new`'s five years).
    pub fn spanning(a: NaiveDate, b: NaiveDate) -> Period {
        Period {
            from: a.min(b),
            to: a.max(b),
        }
    }

    /// The month holding `day`.
    pub fn month_of(day: NaiveDate) -> Period {
        let from = day.with_day(1).unwrap_or(day);
        let next = if from.month() == 12 {
            NaiveDate::from_ymd_opt(from.year() + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(from.year(), from.month() + 1, 1)
        };
        let to = next.and_then(|n| n.pred_opt()).unwrap_or(from);
        Period { from, to }
    }

    /// The calendar year holding `day`.
    pub fn year_of(day: NaiveDate) -> Period {
        let y = day.year();
        Period {
            from: NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or(day),
            to: NaiveDate::from_ymd_opt(y, 12, 31).unwrap_or(day),
        }
    }

    /// The period that follows this one and lasts as long.
    pub fn next(self) -> Period {
        let len = self.to - self.from;
        let from = self.to + Duration::days(1);
        Period {
            from,
            to: from + len,
        }
    }

    /// The first instant of the period, in UTC.
    pub fn start_utc(self) -> NaiveDateTime {
        local_to_utc(self.from.and_hms_opt(0, 0, 0).unwrap_or_default())
    }

    /// The first instant after the period, in UTC.
    pub fn end_utc(self) -> NaiveDateTime {
        local_to_utc(
            (self.to + Duration::days(1))
                .and_hms_opt(0, 0, 0)
                .unwrap_or_default(),
        )
    }
}

/// The counts of one line of the report (an office and a procedure, or a sum).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PeriodCounts {
    /// Received before the period, still open at its start.
    pub carried_over: i64,
    pub online: i64,
    pub counter: i64,
    pub postal: i64,
    /// Resolved (result decided) in the period, by timeliness.
    pub early: i64,
    pub on_time: i64,
    pub late: i64,
    /// Of the resolved, those refused.
    pub refused: i64,
    pub withdrawn: i64,
    /// Still open at the end, not overdue as of the last day.
    pub open_on_time: i64,
    /// Still open at the end, overdue as of the last day.
    pub open_overdue: i64,
    /// Supplement requests and refusals at the counter (beside the balance).
    pub not_accepted: i64,
}

impl PeriodCounts {
    pub fn received_total(&self) -> i64 {
        self.carried_over + self.online + self.counter + self.postal
    }

    pub fn new_total(&self) -> i64 {
        self.online + self.counter + self.postal
    }

    pub fn resolved_total(&self) -> i64 {
        self.early + self.on_time + self.late
    }

    pub fn in_progress_total(&self) -> i64 {
        self.open_on_time + self.open_overdue
    }

    /// received = resolved + withdrawn + in progress (DOMAIN.md).
    pub fn balances(&self) -> bool {
        self.received_total() == self.resolved_total() + self.withdrawn + self.in_progress_total()
    }

    /// (early + on time) / resolved, `None` when nothing was resolved.
    pub fn on_time_rate(&self) -> Option<f64> {
        let resolved = self.resolved_total();
        (resolved > 0).then(|| (self.early + self.on_time) as f64 / resolved as f64)
    }

    pub fn add(&mut self, o: &PeriodCounts) {
        self.carried_over += o.carried_over;
        self.online += o.online;
        self.counter += o.counter;
        self.postal += o.postal;
        self.early += o.early;
        self.on_time += o.on_time;
        self.late += o.late;
        self.refused += o.refused;
        self.withdrawn += o.withdrawn;
        self.open_on_time += o.open_on_time;
        self.open_overdue += o.open_overdue;
        self.not_accepted += o.not_accepted;
    }
}

/// A rate as people read it: "87,5%" (one decimal, Vietnamese comma), or "—".
pub fn format_rate(rate: Option<f64>) -> String {
    match rate {
        Some(r) => format!("{:.1}%", r * 100.0).replace('.', ","),
        None => "—".into(),
    }
}

/// Satisfaction ratings given in a period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Satisfaction {
    pub very_satisfied: i64,
    pub satisfied: i64,
    pub dissatisfied: i64,
}

impl Satisfaction {
    pub fn total(&self) -> i64 {
        self.very_satisfied + self.satisfied + self.dissatisfied
    }

    /// (very satisfied + satisfied) / rated, `None` with no rating.
    pub fn rate(&self) -> Option<f64> {
        let t = self.total();
        (t > 0).then(|| (self.very_satisfied + self.satisfied) as f64 / t as f64)
    }

    pub fn add_level(&mut self, level: &str, n: i64) {
        match level {
            "very_satisfied" => self.very_satisfied += n,
            "satisfied" => self.satisfied += n,
            "dissatisfied" => self.dissatisfied += n,
            _ => {}
        }
    }

    pub fn add(&mut self, o: &Satisfaction) {
        self.very_satisfied += o.very_satisfied;
        self.satisfied += o.satisfied;
        self.dissatisfied += o.dissatisfied;
    }
}

/// The median of `values` (the lower middle for an even count), `None` when empty.
pub fn median(values: &mut [i64]) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    Some(values[(values.len() - 1) / 2])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn periods_are_checked_and_chain() {
        assert!(Period::new(d("2026-02-01"), d("2026-01-31")).is_err());
        assert!(Period::new(d("2020-01-01"), d("2026-01-01")).is_err());
        let jan = Period::new(d("2026-01-01"), d("2026-01-31")).expect("period");
        assert_eq!(jan.next().from, d("2026-02-01"));
        assert_eq!(Period::month_of(d("2026-02-14")).to, d("2026-02-28"));
        assert_eq!(Period::month_of(d("2026-12-04")).to, d("2026-12-31"));
        assert_eq!(Period::year_of(d("2026-12-04")).from, d("2026-01-01"));
        // Local midnight is 17:00 UTC the day before.
        assert_eq!(jan.start_utc().to_string(), "2025-12-31 17:00:00");
        assert_eq!(jan.end_utc().to_string(), "2026-01-31 17:00:00");
    }

    #[test]
    fn counts_add_up_and_give_the_rate() {
        let c = PeriodCounts {
            carried_over: 3,
            online: 1,
            counter: 5,
            postal: 1,
            early: 2,
            on_time: 3,
            late: 1,
            refused: 1,
            withdrawn: 1,
            open_on_time: 2,
            open_overdue: 1,
            not_accepted: 4,
        };
        assert_eq!(c.received_total(), 10);
        assert_eq!(c.resolved_total(), 6);
        assert!(c.balances());
        assert_eq!(format_rate(c.on_time_rate()), "83,3%");
        assert_eq!(PeriodCounts::default().on_time_rate(), None);
        assert_eq!(format_rate(None), "—");
        let mut sum = PeriodCounts::default();
        sum.add(&c);
        sum.add(&c);
        assert_eq!(sum.received_total(), 20);
        assert!(sum.balances());
        let broken = PeriodCounts { withdrawn: 2, ..c };
        assert!(!broken.balances());
    }

    #[test]
    fn satisfaction_and_median() {
        let mut s = Satisfaction::default();
        s.add_level("very_satisfied", 2);
        s.add_level("dissatisfied", 2);
        s.add_level("unknown", 9);
        assert_eq!(s.total(), 4);
        assert_eq!(s.rate(), Some(0.5));
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [5, 1, 3]), Some(3));
        assert_eq!(median(&mut [4, 1, 3, 2]), Some(2));
    }
}
