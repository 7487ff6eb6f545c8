//! Public holidays by rule (Labour Code 2019 art. 112, compensatory days of
//! art. 111), for the years that have no official schedule on record.
//!
//! Each rule carries the years it applies to, since holidays change by law
//! (National Day gained its adjacent day in 2021).

use chrono::{Datelike, Duration, NaiveDate, Weekday};

use super::day::{DayEntry, DayKind};
use super::lunar;

pub const NEW_YEAR: &str = "Tết Dương lịch";
pub const TET: &str = "Tết Nguyên đán";
pub const HUNG_KINGS: &str = "Giỗ Tổ Hùng Vương";
pub const VICTORY_DAY: &str = "Ngày Chiến thắng";
pub const LABOUR_DAY: &str = "Ngày Quốc tế Lao động";
pub const NATIONAL_DAY: &str = "Quốc khánh";
pub const NATIONAL_DAY_ADJACENT: &str = "Quốc khánh (ngày liền kề)";
pub const CULTURE_DAY: &str = "Ngày Văn hóa Việt Nam";

/// Named on a compensatory day of 24 November: the law gives the day but not
/// yet what happens when it falls on a weekend.
pub const CULTURE_DAY_WEEKEND_NOTE: &str = "Ngày Văn hóa Việt Nam (nghỉ bù theo Điều 111 Bộ luật Lao động; \
     Nghị quyết 28/2026/QH16 chưa quy định ngày nghỉ bù, quản trị viên sửa theo thông báo của Chính phủ)";

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
    /// The law that gives the holiday in those years.
    source: &'static str,
}

/// The statutory holidays and the laws that brought them.
const RULES: &[Rule] = &[
    Rule {
        name: NEW_YEAR,
        when: When::Solar(1, 1),
        from: 1900,
        until: 9999,
        source: "Bộ luật Lao động (1994 Điều 73, 2012 Điều 115, 2019 Điều 112)",
    },
    // Labour Code 1994 art. 73: Tết 4 days; Labour Code 2012 art. 115: 5 days from 2013.
    Rule {
        name: TET,
        when: When::TetDays(4),
        from: 1995,
        until: 2012,
        source: "Bộ luật Lao động 1994, Điều 73",
    },
    Rule {
        name: TET,
        when: When::TetDays(5),
        from: 2013,
        until: 9999,
        source: "Bộ luật Lao động 2012 Điều 115; Bộ luật Lao động 2019 Điều 112",
    },
    // Giỗ Tổ Hùng Vương: a paid holiday since 2007 (Law 84/2007/QH11 amending art. 73).
    Rule {
        name: HUNG_KINGS,
        when: When::Lunar(10, 3),
        from: 2007,
        until: 9999,
        source: "Luật 84/2007/QH11 sửa đổi Điều 73 Bộ luật Lao động; Bộ luật Lao động 2019 Điều 112",
    },
    Rule {
        name: VICTORY_DAY,
        when: When::Solar(30, 4),
        from: 1900,
        until: 9999,
        source: "Bộ luật Lao động 2019, Điều 112",
    },
    Rule {
        name: LABOUR_DAY,
        when: When::Solar(1, 5),
        from: 1900,
        until: 9999,
        source: "Bộ luật Lao động 2019, Điều 112",
    },
    Rule {
        name: NATIONAL_DAY,
        when: When::Solar(2, 9),
        from: 1900,
        until: 9999,
        source: "Bộ luật Lao động 2019, Điều 112",
    },
    // Labour Code 2019 art. 112: 2 September plus one adjacent day, from 2021.
    Rule {
        name: NATIONAL_DAY,
        when: When::NationalDayAdjacent,
        from: 2021,
        until: 9999,
        source: "Bộ luật Lao động 2019, Điều 112 (từ 2021)",
    },
    // Ngày Văn hóa Việt Nam, a paid day off from 2026 (Politburo Resolution 80-NQ/TW).
    Rule {
        name: CULTURE_DAY,
        when: When::Solar(24, 11),
        from: 2026,
        until: 9999,
        source: "Nghị quyết 28/2026/QH16, Điều 2 (hiệu lực 01/07/2026), theo Nghị quyết 80-NQ/TW; \
                 khi trùng ngày nghỉ hằng tuần: nghỉ bù theo Điều 111 Bộ luật Lao động (chưa có quy định riêng)",
    },
];

/// The laws behind the rule's holidays of `year`, one line each, for a year
/// that has no official schedule on record.
pub fn rule_sources(year: i32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for rule in RULES.iter().filter(|r| (r.from..=r.until).contains(&year)) {
        let line = format!("{}: {}", rule.name, rule.source);
        if !lines.contains(&line) {
            lines.push(line);
        }
    }
    lines.push(
        "Ngày lễ trùng ngày nghỉ hằng tuần: nghỉ bù ngày làm việc kế tiếp (Điều 111); \
         ngày Tết trùng thứ Bảy nghỉ bù ngày làm việc liền trước kỳ nghỉ, trùng Chủ nhật nghỉ bù ngày liền sau"
            .to_string(),
    );
    lines
}

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
/// weekend) and their compensatory days. A Tết day on a Saturday is given on
/// the working day before the break, one on a Sunday on the working day after
/// it (as every official schedule since 2016 did); any other holiday on a
/// weekend moves to the next working day (Labour Code art. 111).
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
    let compensate = |date: NaiveDate, name: &str, out: &mut Vec<DayEntry>| {
        let name = if name == CULTURE_DAY {
            CULTURE_DAY_WEEKEND_NOTE.to_string()
        } else {
            format!("{name} (nghỉ bù)")
        };
        out.push(DayEntry {
            date,
            kind: DayKind::Holiday,
            name,
        });
    };
    // Tết first: its compensatory days join the break at either end.
    let tet: Vec<NaiveDate> = statutory
        .iter()
        .filter(|(_, n)| *n == TET)
        .map(|(d, _)| *d)
        .collect();
    if let (Some(&first), Some(&last)) = (tet.first(), tet.last()) {
        let (mut start, mut end) = (first, last);
        for day in &tet {
            match day.weekday() {
                Weekday::Sat => {
                    start = step_to_working_day(start, -1, &taken);
                    taken.push(start);
                    compensate(start, TET, &mut out);
                }
                Weekday::Sun => {
                    end = step_to_working_day(end, 1, &taken);
                    taken.push(end);
                    compensate(end, TET, &mut out);
                }
                _ => {}
            }
        }
    }
    for (d, name) in statutory.iter().filter(|(_, n)| *n != TET) {
        if !is_weekend(*d) {
            continue;
        }
        let next = step_to_working_day(*d, 1, &taken);
        taken.push(next);
        compensate(next, name, &mut out);
    }
    out.sort_by_key(|e| e.date);
    out
}

/// The first weekday strictly before (`step` -1) or after (+1) `from` that is not `taken`.
fn step_to_working_day(from: NaiveDate, step: i64, taken: &[NaiveDate]) -> NaiveDate {
    let mut d = from + Duration::days(step);
    while is_weekend(d) || taken.contains(&d) {
        d += Duration::days(step);
    }
    d
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

    /// The weekdays off for Tết that the rule gives in `year`.
    fn tet_weekdays(year: i32) -> Vec<NaiveDate> {
        rule_schedule(year)
            .into_iter()
            .filter(|e| e.name.starts_with(TET) && !is_weekend(e.date))
            .map(|e| e.date)
            .collect()
    }

    fn days(list: &[&str]) -> Vec<NaiveDate> {
        list.iter().map(|s| d(s)).collect()
    }

    #[test]
    fn tet_rule_gives_the_official_five_days_of_every_scheduled_year() {
        // The five weekdays off for Tết in each official schedule (bridge days
        // swapped for a worked Saturday excluded), with the decision that fixed them.
        let official: [(i32, &str, [&str; 5]); 12] = [
            (
                2015,
                "Tờ trình 89/TTr-LĐTBXH (16/02 hoán đổi)",
                [
                    "2015-02-17",
                    "2015-02-18",
                    "2015-02-19",
                    "2015-02-20",
                    "2015-02-23",
                ],
            ),
            (
                2016,
                "Thông báo 4659/TB-LĐTBXH",
                [
                    "2016-02-08",
                    "2016-02-09",
                    "2016-02-10",
                    "2016-02-11",
                    "2016-02-12",
                ],
            ),
            (
                2017,
                "Công văn 9794/VPCP-KGVX",
                [
                    "2017-01-26",
                    "2017-01-27",
                    "2017-01-30",
                    "2017-01-31",
                    "2017-02-01",
                ],
            ),
            (
                2018,
                "Thông báo 573/TB-VPCP",
                [
                    "2018-02-14",
                    "2018-02-15",
                    "2018-02-16",
                    "2018-02-19",
                    "2018-02-20",
                ],
            ),
            (
                2019,
                "Công văn 6519/VPCP-KGVX",
                [
                    "2019-02-04",
                    "2019-02-05",
                    "2019-02-06",
                    "2019-02-07",
                    "2019-02-08",
                ],
            ),
            (
                2020,
                "Thông báo 4544/TB-LĐTBXH",
                [
                    "2020-01-23",
                    "2020-01-24",
                    "2020-01-27",
                    "2020-01-28",
                    "2020-01-29",
                ],
            ),
            (
                2021,
                "Công văn 9895/VPCP-KGVX",
                [
                    "2021-02-10",
                    "2021-02-11",
                    "2021-02-12",
                    "2021-02-15",
                    "2021-02-16",
                ],
            ),
            (
                2022,
                "Công văn 245/VPCP-KGVX",
                [
                    "2022-01-31",
                    "2022-02-01",
                    "2022-02-02",
                    "2022-02-03",
                    "2022-02-04",
                ],
            ),
            (
                2023,
                "Công văn 8056/VPCP-KGVX",
                [
                    "2023-01-20",
                    "2023-01-23",
                    "2023-01-24",
                    "2023-01-25",
                    "2023-01-26",
                ],
            ),
            (
                2024,
                "Thông báo 5015/TB-LĐTBXH",
                [
                    "2024-02-08",
                    "2024-02-09",
                    "2024-02-12",
                    "2024-02-13",
                    "2024-02-14",
                ],
            ),
            (
                2025,
                "Công văn 8726/VPCP-KGVX",
                [
                    "2025-01-27",
                    "2025-01-28",
                    "2025-01-29",
                    "2025-01-30",
                    "2025-01-31",
                ],
            ),
            (
                2026,
                "Thông báo 9441/TB-BNV",
                [
                    "2026-02-16",
                    "2026-02-17",
                    "2026-02-18",
                    "2026-02-19",
                    "2026-02-20",
                ],
            ),
        ];
        for (year, decision, five) in official {
            assert_eq!(tet_weekdays(year), days(&five), "{year}, {decision}");
        }
    }

    #[test]
    fn tet_by_rule_for_the_years_to_come() {
        // 2027 (lunar new year on Saturday 06/02): Thursday 04/02 to Wednesday 10/02,
        // as the official 2027 schedule (approved 02/10/2026).
        assert_eq!(
            tet_weekdays(2027),
            days(&[
                "2027-02-04",
                "2027-02-05",
                "2027-02-08",
                "2027-02-09",
                "2027-02-10"
            ])
        );
        // 2028 (new year Wednesday 26/01): Saturday's eve day given on Monday 24/01.
        assert_eq!(
            tet_weekdays(2028),
            days(&[
                "2028-01-24",
                "2028-01-25",
                "2028-01-26",
                "2028-01-27",
                "2028-01-28"
            ])
        );
        // 2029 (new year Tuesday 13/02): Monday to Friday.
        assert_eq!(
            tet_weekdays(2029),
            days(&[
                "2029-02-12",
                "2029-02-13",
                "2029-02-14",
                "2029-02-15",
                "2029-02-16"
            ])
        );
        // 2030 (new year Saturday 02/02 in UTC+7, a day before China's): eve Friday 01/02,
        // Saturday given Thursday 31/01, Sunday given Wednesday 06/02.
        assert_eq!(
            tet_weekdays(2030),
            days(&[
                "2030-01-31",
                "2030-02-01",
                "2030-02-04",
                "2030-02-05",
                "2030-02-06"
            ])
        );
        // 2031 (new year Thursday 23/01): Saturday given Tuesday 21/01, Sunday given Monday 27/01.
        assert_eq!(
            tet_weekdays(2031),
            days(&[
                "2031-01-21",
                "2031-01-22",
                "2031-01-23",
                "2031-01-24",
                "2031-01-27"
            ])
        );
        // Every rule year: five weekdays, one unbroken break.
        for year in 2013..=2100 {
            let five = tet_weekdays(year);
            assert_eq!(five.len(), 5, "{year}: {five:?}");
            let span = (five[4] - five[0]).num_days();
            assert!(span <= 8, "{year}: {five:?}");
        }
    }

    #[test]
    fn culture_day_from_2026_with_its_source() {
        let has = |year: i32, date: &str| {
            rule_schedule(year)
                .iter()
                .any(|e| e.date == d(date) && e.name.starts_with(CULTURE_DAY))
        };
        assert!(!has(2025, "2025-11-24"), "not a holiday before 2026");
        assert!(has(2026, "2026-11-24"));
        assert!(has(2027, "2027-11-24"));
        // 24/11/2029 is a Saturday: the next working day, named with the open question.
        assert!(has(2029, "2029-11-24"));
        let moved = rule_schedule(2029)
            .into_iter()
            .find(|e| e.date == d("2029-11-26"))
            .expect("Monday 26/11/2029 off");
        assert!(moved.name.contains("chưa quy định"), "{}", moved.name);
        assert!(rule_sources(2026)
            .iter()
            .any(|s| s.contains("28/2026/QH16")));
        assert!(!rule_sources(2025)
            .iter()
            .any(|s| s.contains("28/2026/QH16")));
    }
}
