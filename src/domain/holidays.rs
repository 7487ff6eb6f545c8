//! Public holidays by rule (Labour Code 2019 art. 112, compensatory days of
//! art. 111), for the years that have no official schedule on record.
//!
//! Each rule carries the years it applies to, since holidays change by law
//! (National Day gained its adjacent day in 2021).

use chrono::{Datelike, Duration, NaiveDate, Weekday};

use super::calendar::{DayEntry, DayKind};
use super::lunar;

pub const NEW_YEAR: &str = "Tết Dương lịch";
pub const TET: &str = "Tết Nguyên đán";
pub const HUNG_KINGS: &str = "Giỗ Tổ Hùng Vương";
pub const VICTORY_DAY: &str = "Ngày Chiến thắng";
pub const LABOUR_DAY: &str = "Ngày Quốc tế Lao động";
pub const NATIONAL_DAY: &str = "Quốc khánh";
pub const NATIONAL_DAY_ADJACENT: &str = "Quốc khánh (ngày liền kề)";

/// How a holiday's dates are found in a given year.
#[derive(Debug, Clone, Copy)]
enum When {
    /// A fixed solar day and month.
    Solar(u32, u32),
    /// A fixed lunar day and month.
    Lunar(u32, u32),
    /// Tết: the last day of the lunar year and the first `n - 1` days of the new one.
    TetDays(u32),
    /// National Day's adjacent day (1 or 3 September), the one that joins the longer run of days off.
    NationalDayAdjacent,
}

struct Rule {
    name: &'static str,
    when: When,
    /// First and last year the rule applies to (inclusive).
    from: i32,
    until: i32,
}

/// The statutory holidays and the laws that brought them.
const RULES: &[Rule] = &[
    Rule {
        name: NEW_YEAR,
        when: When::Solar(1, 1),
        from: 1900,
        until: 9999,
    },
    // Labour Code 1994 art. 73: Tết 4 days; Labour Code 2012 art. 115: 5 days from 2013.
    Rule {
        name: TET,
        when: When::TetDays(4),
        from: 1995,
        until: 2012,
    },
    Rule {
        name: TET,
        when: When::TetDays(5),
        from: 2013,
        until: 9999,
    },
    // Giỗ Tổ Hùng Vương: a paid holiday since 2007 (Law 84/2007/QH11 amending art. 73).
    Rule {
        name: HUNG_KINGS,
        when: When::Lunar(10, 3),
        from: 2007,
        until: 9999,
    },
    Rule {
        name: VICTORY_DAY,
        when: When::Solar(30, 4),
        from: 1900,
        until: 9999,
    },
    Rule {
        name: LABOUR_DAY,
        when: When::Solar(1, 5),
        from: 1900,
        until: 9999,
    },
    Rule {
        name: NATIONAL_DAY,
        when: When::Solar(2, 9),
        from: 1900,
        until: 9999,
    },
    // Labour Code 2019 art. 112: 2 September plus one adjacent day, from 2021.
    Rule {
        name: NATIONAL_DAY,
        when: When::NationalDayAdjacent,
        from: 2021,
        until: 9999,
    },
];

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Length of the run of consecutive days off (weekends and `off`) through `day`.
fn run_length(day: NaiveDate, off: &[NaiveDate]) -> i64 {
    let is_off = |d: NaiveDate| is_weekend(d) || off.contains(&d);
    let mut start = day;
    while is_off(start - Duration::days(1)) {
        start -= Duration::days(1);
    }
    let mut end = day;
    while is_off(end + Duration::days(1)) {
        end += Duration::days(1);
    }
    (end - start).num_days() + 1
}

/// The statutory holidays of `year` by rule, before compensation, in date order.
pub fn statutory(year: i32) -> Vec<(NaiveDate, &'static str)> {
    let mut days: Vec<(NaiveDate, &'static str)> = Vec::new();
    for rule in RULES.iter().filter(|r| (r.from..=r.until).contains(&year)) {
        match rule.when {
            When::Solar(d, m) => {
                days.extend(NaiveDate::from_ymd_opt(year, m, d).map(|x| (x, rule.name)))
            }
            When::Lunar(d, m) => {
                days.extend(lunar::lunar_to_solar(d, m, year).map(|x| (x, rule.name)))
            }
            When::TetDays(n) => {
                if let Some(first) = lunar::tet(year) {
                    let eve = first - Duration::days(1);
                    days.push((eve, rule.name));
                    for i in 0..i64::from(n) - 1 {
                        days.push((first + Duration::days(i), rule.name));
                    }
                }
            }
            When::NationalDayAdjacent => {}
        }
    }
    if RULES
        .iter()
        .any(|r| matches!(r.when, When::NationalDayAdjacent) && (r.from..=r.until).contains(&year))
    {
        if let (Some(sep1), Some(sep2), Some(sep3)) = (
            NaiveDate::from_ymd_opt(year, 9, 1),
            NaiveDate::from_ymd_opt(year, 9, 2),
            NaiveDate::from_ymd_opt(year, 9, 3),
        ) {
            let fixed: Vec<NaiveDate> = days.iter().map(|(d, _)| *d).collect();
            let with = |extra: NaiveDate| {
                let mut off = fixed.clone();
                off.push(extra);
                run_length(sep2, &off)
            };
            // The longer run wins; 1 September on a tie.
            let adjacent = if with(sep3) > with(sep1) { sep3 } else { sep1 };
            days.push((adjacent, NATIONAL_DAY_ADJACENT));
        }
    }
    days.sort_by_key(|(d, _)| *d);
    days.dedup_by_key(|(d, _)| *d);
    days
}

/// The days off of `year` by rule: the statutory holidays (listed even on a
/// weekend) and, for each that falls on a weekend, the next working day off.
pub fn rule_schedule(year: i32) -> Vec<DayEntry> {
    let statutory = statutory(year);
    let mut taken: Vec<NaiveDate> = statutory.iter().map(|(d, _)| *d).collect();
    let mut out: Vec<DayEntry> = statutory
        .iter()
        .map(|(d, name)| DayEntry {
            date: *d,
            kind: DayKind::Holiday,
            name: (*name).to_string(),
        })
        .collect();
    for (d, name) in &statutory {
        if !is_weekend(*d) {
            continue;
        }
        let mut next = *d + Duration::days(1);
        while is_weekend(next) || taken.contains(&next) {
            next += Duration::days(1);
        }
        taken.push(next);
        out.push(DayEntry {
            date: next,
            kind: DayKind::Holiday,
            name: format!("{name} (nghỉ bù)"),
        });
    }
    out.sort_by_key(|e| e.date);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn dates(year: i32) -> Vec<String> {
        rule_schedule(year)
            .iter()
            .map(|e| e.date.format("%Y-%m-%d").to_string())
            .collect()
    }

    #[test]
    fn rule_reproduces_years_the_government_did_not_change() {
        // 2021: Công văn 9895/VPCP-KGVX (2/9 + 3/9; Tết 10-16/02, where the
        // official break started one day earlier than the rule's 11-17/02).
        let y2021 = dates(2021);
        for day in [
            "2021-01-01",
            "2021-02-11",
            "2021-02-12",
            "2021-02-13",
            "2021-02-14",
            "2021-02-15",
            "2021-02-16",
            "2021-04-21",
            "2021-04-30",
            "2021-05-01",
            "2021-05-03",
            "2021-09-02",
            "2021-09-03",
        ] {
            assert!(y2021.contains(&day.to_string()), "{day} in {y2021:?}");
        }
        // 2016: Thông báo 4659/TB-LĐTBXH, Tết 07-12/02 with 12/02 in compensation.
        let y2016 = dates(2016);
        for day in [
            "2016-02-07",
            "2016-02-08",
            "2016-02-11",
            "2016-02-12",
            "2016-04-18",
            "2016-05-02",
            "2016-05-03",
        ] {
            assert!(y2016.contains(&day.to_string()), "{day} in {y2016:?}");
        }
    }

    #[test]
    fn national_day_adjacent_day_joins_the_longer_run() {
        // Official choices: 2021 (Thu) 3/9, 2022 (Fri) 1/9, 2023 (Sat) 1/9,
        // 2024 (Mon) 3/9, 2025 (Tue) 1/9, 2026 (Wed, tie) 1/9.
        for (year, adjacent) in [
            (2021, "2021-09-03"),
            (2022, "2022-09-01"),
            (2023, "2023-09-01"),
            (2024, "2024-09-03"),
            (2025, "2025-09-01"),
            (2026, "2026-09-01"),
            (2027, "2027-09-03"),
        ] {
            let days: Vec<NaiveDate> = statutory(year).iter().map(|(d, _)| *d).collect();
            assert!(days.contains(&d(adjacent)), "{year}: {days:?}");
        }
        // Before the 2019 Labour Code: one day only.
        assert_eq!(
            statutory(2020)
                .iter()
                .filter(|(_, n)| *n == NATIONAL_DAY)
                .count(),
            1
        );
    }

    #[test]
    fn weekend_holidays_move_to_the_next_working_days() {
        // 2023: Giỗ Tổ on Saturday 29/4 and 30/4 on Sunday give 2/5 and 3/5 (1/5 is itself a holiday).
        let y = rule_schedule(2023);
        let names: Vec<(String, String)> = y
            .iter()
            .map(|e| (e.date.format("%Y-%m-%d").to_string(), e.name.clone()))
            .collect();
        assert!(names.contains(&("2023-05-02".into(), "Giỗ Tổ Hùng Vương (nghỉ bù)".into())));
        assert!(names.contains(&("2023-05-03".into(), "Ngày Chiến thắng (nghỉ bù)".into())));
        assert!(names.contains(&("2023-01-02".into(), "Tết Dương lịch (nghỉ bù)".into())));
        // Every compensatory day is a weekday.
        for year in 2000..2100 {
            for e in rule_schedule(year)
                .iter()
                .filter(|e| e.name.ends_with("(nghỉ bù)"))
            {
                assert!(!is_weekend(e.date), "{year}: {e:?}");
            }
        }
    }

    #[test]
    fn tet_has_five_days_from_2013() {
        assert_eq!(statutory(2027).iter().filter(|(_, n)| *n == TET).count(), 5);
        assert_eq!(statutory(2010).iter().filter(|(_, n)| *n == TET).count(), 4);
        // 2027: Tết on Saturday 06/02: eve Friday 05/02, then 06-09/02.
        let tet: Vec<NaiveDate> = statutory(2027)
            .iter()
            .filter(|(_, n)| *n == TET)
            .map(|(d, _)| *d)
            .collect();
        assert_eq!(
            tet,
            vec![
                d("2027-02-05"),
                d("2027-02-06"),
                d("2027-02-07"),
                d("2027-02-08"),
                d("2027-02-09")
            ]
        );
    }
}
