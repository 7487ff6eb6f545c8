//! The working-day calendar: the working week, office hours, and the days
//! off and worked weekend days of each year (official schedules on record,
//! the Labour Code's rule for the other years).

use std::collections::{BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};

pub use super::day::{DayEntry, DayKind};
use super::holidays::rule_schedule;

/// Installation-wide settings: which weekdays are worked and office hours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarSettings {
    /// Monday first.
    pub work_week: [bool; 7],
    pub opens: NaiveTime,
    pub closes: NaiveTime,
}

impl Default for CalendarSettings {
    fn default() -> Self {
        CalendarSettings {
            work_week: [true, true, true, true, true, false, false],
            opens: NaiveTime::from_hms_opt(7, 30, 0).unwrap_or_default(),
            closes: NaiveTime::from_hms_opt(17, 0, 0).unwrap_or_default(),
        }
    }
}

impl CalendarSettings {
    /// Parses the stored form: `"1,2,3,4,5"` (ISO weekday numbers) and `HH:MM` times.
    pub fn parse(work_week: &str, opens: &str, closes: &str) -> Result<Self, &'static str> {
        let mut week = [false; 7];
        for part in work_week
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let n: usize = part
                .parse()
                .map_err(|_| "Ngày làm việc trong tuần không hợp lệ.")?;
            if !(1..=7).contains(&n) {
                return Err("Ngày làm việc trong tuần là số từ 1 (thứ Hai) đến 7 (Chủ nhật).");
            }
            week[n - 1] = true;
        }
        if !week.iter().any(|w| *w) {
            return Err("Chọn ít nhất một ngày làm việc trong tuần.");
        }
        let opens = NaiveTime::parse_from_str(opens.trim(), "%H:%M")
            .map_err(|_| "Giờ bắt đầu làm việc phải có dạng giờ:phút, ví dụ 07:30.")?;
        let closes = NaiveTime::parse_from_str(closes.trim(), "%H:%M")
            .map_err(|_| "Giờ kết thúc làm việc phải có dạng giờ:phút, ví dụ 07:30.")?;
        if opens >= closes {
            return Err("Giờ kết thúc làm việc phải sau giờ bắt đầu.");
        }
        Ok(CalendarSettings {
            work_week: week,
            opens,
            closes,
        })
    }

    pub fn work_week_string(&self) -> String {
        (1..=7)
            .filter(|n| self.work_week[n - 1])
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(",")
    }

    fn works_on(&self, wd: Weekday) -> bool {
        self.work_week[wd.num_days_from_monday() as usize]
    }
}

/// Vietnamese name of a weekday.
pub fn weekday_name(wd: Weekday) -> &'static str {
    match wd {
        Weekday::Mon => "Thứ Hai",
        Weekday::Tue => "Thứ Ba",
        Weekday::Wed => "Thứ Tư",
        Weekday::Thu => "Thứ Năm",
        Weekday::Fri => "Thứ Sáu",
        Weekday::Sat => "Thứ Bảy",
        Weekday::Sun => "Chủ nhật",
    }
}

/// Years computed by rule when no schedule is on record.
pub const RULE_YEARS: std::ops::RangeInclusive<i32> = 1995..=2100;

/// The calendar the deadline engine counts on.
#[derive(Debug, Clone)]
pub struct Calendar {
    settings: CalendarSettings,
    entries: HashMap<NaiveDate, DayEntry>,
    /// Years whose days come from a schedule on record, not from the rule.
    scheduled_years: BTreeSet<i32>,
}

impl Calendar {
    /// `recorded` are the days on record (official schedules and corrections);
    /// `scheduled_years` the years whose days all come from the record.
    /// Other years follow the rule, with recorded days overriding it.
    pub fn new(
        settings: CalendarSettings,
        recorded: Vec<DayEntry>,
        scheduled_years: BTreeSet<i32>,
    ) -> Calendar {
        let mut entries = HashMap::new();
        for year in RULE_YEARS.filter(|y| !scheduled_years.contains(y)) {
            for e in rule_schedule(year) {
                entries.insert(e.date, e);
            }
        }
        for e in recorded {
            entries.insert(e.date, e);
        }
        Calendar {
            settings,
            entries,
            scheduled_years,
        }
    }

    /// The rule alone, with default settings (tests, benchmarks).
    pub fn by_rule() -> Calendar {
        Calendar::new(CalendarSettings::default(), Vec::new(), BTreeSet::new())
    }

    pub fn settings(&self) -> &CalendarSettings {
        &self.settings
    }

    pub fn is_scheduled_year(&self, year: i32) -> bool {
        self.scheduled_years.contains(&year)
    }

    /// Why `date` is not a working day, or `None` when it is one.
    pub fn day_off_reason(&self, date: NaiveDate) -> Option<String> {
        match self.entries.get(&date) {
            Some(e) if e.kind == DayKind::Workday => None,
            Some(e) => Some(e.name.clone()),
            None if self.settings.works_on(date.weekday()) => None,
            None => Some(format!("Nghỉ cuối tuần ({})", weekday_name(date.weekday()))),
        }
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.day_off_reason(date).is_none()
    }

    /// The entries dated in `year`, in date order.
    pub fn entries_in_year(&self, year: i32) -> Vec<DayEntry> {
        let mut v: Vec<DayEntry> = self
            .entries
            .values()
            .filter(|e| e.date.year() == year)
            .cloned()
            .collect();
        v.sort_by_key(|e| e.date);
        v
    }

    /// The entry on `date`, if any.
    pub fn entry(&self, date: NaiveDate) -> Option<&DayEntry> {
        self.entries.get(&date)
    }

    /// The `n`-th working day after `from` (`from` itself for 0).
    pub fn nth_working_day_after(&self, from: NaiveDate, n: u32) -> NaiveDate {
        let mut d = from;
        let mut left = n;
        // A year of days off in a row is no calendar: stop there.
        let mut guard = 0;
        while left > 0 && guard < 366 * 5 {
            d = d.succ_opt().unwrap_or(d);
            guard += 1;
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// Working days from `from` to `to`: positive when `to` is later, negative
    /// when earlier, 0 on the same day.
    pub fn signed_working_days(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to >= from {
            self.working_days_between(from, to)
        } else {
            -self.working_days_between(to, from)
        }
    }

    /// Working days strictly after `from` up to and including `to`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        let mut n = 0;
        let mut d = from;
        while d < to {
            d = d.succ_opt().unwrap_or(d);
            if self.is_working_day(d) {
                n += 1;
            }
        }
        n
    }
}

/// How one date differs between two versions of a schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DayChange {
    Added(DayEntry),
    Removed(DayEntry),
    Changed { before: DayEntry, after: DayEntry },
}

impl DayChange {
    pub fn date(&self) -> NaiveDate {
        match self {
            DayChange::Added(e) | DayChange::Removed(e) => e.date,
            DayChange::Changed { after, .. } => after.date,
        }
    }

    /// One line in Vietnamese, e.g. "Thêm 24/11/2026 (Thứ Ba): Ngày nghỉ – Ngày Văn hóa Việt Nam".
    pub fn describe(&self) -> String {
        let day = |e: &DayEntry| {
            format!(
                "{} ({})",
                e.date.format("%d/%m/%Y"),
                weekday_name(e.date.weekday())
            )
        };
        match self {
            DayChange::Added(e) => format!("Thêm {}: {} – {}", day(e), e.kind.label(), e.name),
            DayChange::Removed(e) => format!("Bỏ {}: {} – {}", day(e), e.kind.label(), e.name),
            DayChange::Changed { before, after } => format!(
                "Sửa {}: {} – {} thành {} – {}",
                day(after),
                before.kind.label(),
                before.name,
                after.kind.label(),
                after.name
            ),
        }
    }
}

/// The differences from `before` to `after`, in date order.
pub fn diff_days(before: &[DayEntry], after: &[DayEntry]) -> Vec<DayChange> {
    let old: HashMap<NaiveDate, &DayEntry> = before.iter().map(|e| (e.date, e)).collect();
    let new: HashMap<NaiveDate, &DayEntry> = after.iter().map(|e| (e.date, e)).collect();
    let mut changes: Vec<DayChange> = Vec::new();
    for e in after {
        match old.get(&e.date) {
            None => changes.push(DayChange::Added(e.clone())),
            Some(b) if b.kind != e.kind || b.name != e.name => changes.push(DayChange::Changed {
                before: (*b).clone(),
                after: e.clone(),
            }),
            Some(_) => {}
        }
    }
    for e in before {
        if !new.contains_key(&e.date) {
            changes.push(DayChange::Removed(e.clone()));
        }
    }
    changes.sort_by_key(DayChange::date);
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn recorded_days_override_the_rule_and_weekends() {
        let recorded = vec![
            DayEntry {
                date: d("2026-01-02"),
                kind: DayKind::Holiday,
                name: "Tết Dương lịch (nghỉ hoán đổi)".into(),
            },
            DayEntry {
                date: d("2026-01-10"),
                kind: DayKind::Workday,
                name: "Làm bù".into(),
            },
        ];
        let cal = Calendar::new(
            CalendarSettings::default(),
            recorded,
            BTreeSet::from([2026]),
        );
        assert!(!cal.is_working_day(d("2026-01-02")));
        assert!(cal.is_working_day(d("2026-01-10")), "a Saturday worked");
        assert_eq!(
            cal.day_off_reason(d("2026-01-11")).as_deref(),
            Some("Nghỉ cuối tuần (Chủ nhật)")
        );
        // 2026 is on record: the rule's Tết does not apply there.
        assert!(cal.is_working_day(d("2026-02-17")));
        // 2027 is not: the rule applies.
        assert_eq!(
            cal.day_off_reason(d("2027-02-08")).as_deref(),
            Some("Tết Nguyên đán")
        );
    }

    #[test]
    fn settings_parse_and_refuse_nonsense() {
        let s = CalendarSettings::parse("1,2,3,4,5", "07:30", "17:00").expect("valid");
        assert_eq!(s, CalendarSettings::default());
        assert_eq!(s.work_week_string(), "1,2,3,4,5");
        assert!(CalendarSettings::parse("", "07:30", "17:00").is_err());
        assert!(CalendarSettings::parse("8", "07:30", "17:00").is_err());
        assert!(CalendarSettings::parse("1", "17:00", "07:30").is_err());
        assert!(CalendarSettings::parse("1", "7h", "17:00").is_err());
    }

    #[test]
    fn schedule_differences_are_listed_by_date() {
        let e = |date: &str, kind: DayKind, name: &str| DayEntry {
            date: d(date),
            kind,
            name: name.into(),
        };
        let before = vec![
            e("2026-01-01", DayKind::Holiday, "Tết Dương lịch"),
            e("2026-08-22", DayKind::Workday, "Làm bù"),
            e("2026-09-01", DayKind::Holiday, "Quốc khánh"),
        ];
        let after = vec![
            e("2026-01-01", DayKind::Holiday, "Tết Dương lịch"),
            e("2026-09-01", DayKind::Holiday, "Quốc khánh (ngày liền kề)"),
            e("2026-11-24", DayKind::Holiday, "Ngày Văn hóa Việt Nam"),
        ];
        let changes = diff_days(&before, &after);
        assert_eq!(changes.len(), 3);
        assert!(matches!(&changes[0], DayChange::Removed(x) if x.date == d("2026-08-22")));
        assert!(
            matches!(&changes[1], DayChange::Changed { after, .. } if after.date == d("2026-09-01"))
        );
        assert_eq!(
            changes[2].describe(),
            "Thêm 24/11/2026 (Thứ Ba): Ngày nghỉ – Ngày Văn hóa Việt Nam"
        );
        assert!(diff_days(&after, &after).is_empty());
    }
}
