//! The deadline engine: from a reception time and a legal time in working
//! days to a due date, with every counted and skipped day explained
//! (DOMAIN.md, "Counting a deadline"; Civil Code art. 147).

use chrono::{NaiveDate, NaiveDateTime};

use super::calendar::Calendar;

/// The longest legal time the engine accepts, in working days.
pub const MAX_WORKING_DAYS: u32 = 365;

/// A day passed over, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedDay {
    pub date: NaiveDate,
    pub reason: String,
}

/// A due date and how it was reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    /// Local (Asia/Ho_Chi_Minh) time of reception.
    pub received_at: NaiveDateTime,
    pub working_days: u32,
    /// The day counting starts from (itself not counted).
    pub effective_receiving_day: NaiveDate,
    /// The result is due by the end of office hours of this day.
    pub due_date: NaiveDate,
    /// Exactly `working_days` days, in order.
    pub counted: Vec<NaiveDate>,
    /// Days off and after-hours days between the reception and the due date.
    pub skipped: Vec<SkippedDay>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeadlineError {
    #[error("Thời hạn giải quyết không quá {MAX_WORKING_DAYS} ngày làm việc.")]
    TooLong,
    #[error("Lịch không có ngày làm việc nào trong thời gian cần tính.")]
    NoWorkingDays,
}

/// No run of days off is longer than this; past it the calendar is broken.
const MAX_GAP_DAYS: i64 = 60;

fn next_working_day(
    cal: &Calendar,
    after: NaiveDate,
    skipped: &mut Vec<SkippedDay>,
) -> Result<NaiveDate, DeadlineError> {
    let mut d = after;
    for _ in 0..MAX_GAP_DAYS {
        d = d.succ_opt().ok_or(DeadlineError::NoWorkingDays)?;
        match cal.day_off_reason(d) {
            None => return Ok(d),
            Some(reason) => skipped.push(SkippedDay { date: d, reason }),
        }
    }
    Err(DeadlineError::NoWorkingDays)
}

/// The due date of a dossier received at `received_at` (local time) with a
/// legal time of `working_days` working days.
pub fn compute(
    cal: &Calendar,
    received_at: NaiveDateTime,
    working_days: u32,
) -> Result<Deadline, DeadlineError> {
    if working_days > MAX_WORKING_DAYS {
        return Err(DeadlineError::TooLong);
    }
    let mut skipped = Vec::new();
    let day = received_at.date();
    let closes = cal.settings().closes;
    let effective = match cal.day_off_reason(day) {
        None if received_at.time() < closes => day,
        None => {
            skipped.push(SkippedDay {
                date: day,
                reason: format!(
                    "Tiếp nhận sau {} (hết giờ làm việc): tính từ ngày làm việc tiếp theo",
                    closes.format("%H:%M")
                ),
            });
            next_working_day(cal, day, &mut skipped)?
        }
        Some(reason) => {
            skipped.push(SkippedDay {
                date: day,
                reason: format!(
                    "{reason}: tiếp nhận vào ngày nghỉ, tính từ ngày làm việc tiếp theo"
                ),
            });
            next_working_day(cal, day, &mut skipped)?
        }
    };
    let mut counted = Vec::with_capacity(working_days as usize);
    let mut cursor = effective;
    while counted.len() < working_days as usize {
        cursor = next_working_day(cal, cursor, &mut skipped)?;
        counted.push(cursor);
    }
    Ok(Deadline {
        received_at,
        working_days,
        effective_receiving_day: effective,
        due_date: counted.last().copied().unwrap_or(effective),
        counted,
        skipped,
    })
}

/// What happened to a dossier's clock, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClockEvent {
    /// Received (local time): the clock starts.
    Received(NaiveDateTime),
    /// A supplement was requested: the clock stops, there is no due date.
    SupplementRequested(NaiveDateTime),
    /// The complete supplement arrived: the legal time starts again from zero
    /// (Decree 61/2018 art. 19).
    SupplementReceived(NaiveDateTime),
    /// The leader set a new appointment date (Mẫu 04).
    Extended(NaiveDate),
}

/// Where a dossier's clock stands after its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockState {
    /// The computation from the last (re)start, `None` before reception.
    pub deadline: Option<Deadline>,
    /// The due date in force: `None` while waiting for a supplement.
    pub due_date: Option<NaiveDate>,
    pub paused: bool,
    pub extended: bool,
    /// Supplement requests made during processing.
    pub supplement_requests: u32,
}

impl ClockState {
    /// Late whatever the date: extended, or a second supplement request (DOMAIN.md).
    pub fn late_regardless(&self) -> bool {
        self.extended || self.supplement_requests >= 2
    }
}

/// Replays a dossier's clock events.
pub fn replay(
    cal: &Calendar,
    working_days: u32,
    events: &[ClockEvent],
) -> Result<ClockState, DeadlineError> {
    let mut state = ClockState {
        deadline: None,
        due_date: None,
        paused: false,
        extended: false,
        supplement_requests: 0,
    };
    let mut extended_to: Option<NaiveDate> = None;
    for event in events {
        match event {
            ClockEvent::Received(at) | ClockEvent::SupplementReceived(at) => {
                let d = compute(cal, *at, working_days)?;
                // An extended dossier keeps its new appointment date, unless the
                // restarted clock gives a later one.
                state.due_date = Some(extended_to.map_or(d.due_date, |e| e.max(d.due_date)));
                state.deadline = Some(d);
                state.paused = false;
            }
            ClockEvent::SupplementRequested(_) => {
                state.due_date = None;
                state.paused = true;
                state.supplement_requests += 1;
            }
            ClockEvent::Extended(date) => {
                extended_to = Some(*date);
                if !state.paused {
                    state.due_date = Some(*date);
                }
                state.extended = true;
            }
        }
    }
    Ok(state)
}

/// An open dossier's clock, as the calendar recomputation sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenClock {
    /// When the clock last started: reception, or the complete supplement (local).
    pub started_at: NaiveDateTime,
    pub working_days: u32,
    pub current_due: NaiveDate,
    /// The date printed on the citizen's receipt (or supplement receipt).
    pub printed_due: NaiveDate,
    pub extended: bool,
}

/// The due date an open dossier should have after a calendar correction, when
/// it changes: only a later date is applied (the citizen was told the current
/// one, never earlier than the printed one), and extended dossiers keep theirs.
pub fn recompute(cal: &Calendar, clock: &OpenClock) -> Result<Option<NaiveDate>, DeadlineError> {
    if clock.extended {
        return Ok(None);
    }
    let fresh = compute(cal, clock.started_at, clock.working_days)?.due_date;
    let target = fresh.max(clock.printed_due).max(clock.current_due);
    Ok((target > clock.current_due).then_some(target))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::domain::calendar::{CalendarSettings, DayEntry, DayKind};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("time")
    }

    /// The official 2026 schedule (Thông báo 9441/TB-BNV, Công văn 12729/VPCP-KGVX).
    fn cal_2026() -> Calendar {
        let h = |s: &str, n: &str| DayEntry {
            date: d(s),
            kind: DayKind::Holiday,
            name: n.into(),
        };
        let recorded = vec![
            h("2026-01-01", "Tết Dương lịch"),
            h("2026-01-02", "Tết Dương lịch (nghỉ hoán đổi)"),
            DayEntry {
                date: d("2026-01-10"),
                kind: DayKind::Workday,
                name: "Làm bù".into(),
            },
            h("2026-02-16", "Tết Nguyên đán"),
            h("2026-02-17", "Tết Nguyên đán"),
            h("2026-02-18", "Tết Nguyên đán"),
            h("2026-02-19", "Tết Nguyên đán"),
            h("2026-02-20", "Tết Nguyên đán"),
            h("2026-04-26", "Giỗ Tổ Hùng Vương"),
            h("2026-04-27", "Giỗ Tổ Hùng Vương (nghỉ bù)"),
            h("2026-04-30", "Ngày Chiến thắng"),
            h("2026-05-01", "Ngày Quốc tế Lao động"),
        ];
        Calendar::new(
            CalendarSettings::default(),
            recorded,
            BTreeSet::from([2026]),
        )
    }

    #[test]
    fn a_plain_week() {
        // Tuesday 10/02/2026 09:30, 5 working days: Wed..Fri, then Tết... no: Tết starts 16/02.
        let dl = compute(&cal_2026(), at("2026-02-10 09:30"), 5).expect("due");
        assert_eq!(dl.effective_receiving_day, d("2026-02-10"));
        assert_eq!(
            dl.counted,
            vec![
                d("2026-02-11"),
                d("2026-02-12"),
                d("2026-02-13"),
                d("2026-02-23"),
                d("2026-02-24")
            ]
        );
        assert_eq!(dl.due_date, d("2026-02-24"));
        let skipped: Vec<NaiveDate> = dl.skipped.iter().map(|s| s.date).collect();
        assert_eq!(
            skipped.len(),
            9,
            "weekend, five Tết days, weekend: {skipped:?}"
        );
        assert_eq!(dl.skipped[2].reason, "Tết Nguyên đán");
        assert_eq!(dl.skipped[0].reason, "Nghỉ cuối tuần (Thứ Bảy)");
    }

    #[test]
    fn after_hours_and_days_off_start_the_next_working_day() {
        let cal = cal_2026();
        let late = compute(&cal, at("2026-04-29 17:00"), 1).expect("due");
        assert_eq!(late.effective_receiving_day, d("2026-05-04"));
        assert_eq!(late.due_date, d("2026-05-05"));
        assert!(late.skipped[0].reason.starts_with("Tiếp nhận sau 17:00"));
        let before = compute(&cal, at("2026-04-29 16:59"), 1).expect("due");
        assert_eq!(before.effective_receiving_day, d("2026-04-29"));
        assert_eq!(before.due_date, d("2026-05-04"));
        // Within the day (n = 0).
        let same = compute(&cal, at("2026-04-29 10:00"), 0).expect("due");
        assert_eq!(same.due_date, d("2026-04-29"));
        assert!(same.counted.is_empty());
        let sunday = compute(&cal, at("2026-01-11 10:00"), 0).expect("due");
        assert_eq!(sunday.due_date, d("2026-01-12"));
        // The worked Saturday counts.
        let swap = compute(&cal, at("2026-01-09 08:00"), 1).expect("due");
        assert_eq!(swap.due_date, d("2026-01-10"));
    }

    #[test]
    fn too_long_is_refused() {
        assert_eq!(
            compute(&cal_2026(), at("2026-01-05 08:00"), 366),
            Err(DeadlineError::TooLong)
        );
        assert!(compute(&cal_2026(), at("2026-01-05 08:00"), 365).is_ok());
    }

    #[test]
    fn supplement_pauses_and_restarts_from_zero() {
        let cal = cal_2026();
        let events = [
            ClockEvent::Received(at("2026-03-02 08:00")),
            ClockEvent::SupplementRequested(at("2026-03-03 10:00")),
        ];
        let paused = replay(&cal, 5, &events).expect("ok");
        assert!(paused.paused);
        assert_eq!(paused.due_date, None);
        let mut events = events.to_vec();
        events.push(ClockEvent::SupplementReceived(at("2026-03-10 15:00")));
        let restarted = replay(&cal, 5, &events).expect("ok");
        assert_eq!(
            restarted.due_date,
            Some(d("2026-03-17")),
            "5 full working days after 10/03"
        );
        events.push(ClockEvent::Extended(d("2026-03-20")));
        let extended = replay(&cal, 5, &events).expect("ok");
        assert_eq!(extended.due_date, Some(d("2026-03-20")));
        assert!(extended.extended);
        assert!(extended.late_regardless());
        assert!(
            !restarted.late_regardless(),
            "one supplement request is not late by itself"
        );
        events.push(ClockEvent::SupplementRequested(at("2026-03-18 09:00")));
        events.push(ClockEvent::SupplementReceived(at("2026-03-19 09:00")));
        let second = replay(&cal, 5, &events).expect("ok");
        assert_eq!(second.supplement_requests, 2);
        assert!(second.late_regardless());
        assert!(second.extended, "the extension survives the supplement");
        assert_eq!(second.due_date, Some(d("2026-03-26")));
    }

    #[test]
    fn recomputation_never_moves_before_the_printed_date() {
        let with_holiday = cal_2026();
        let clock = OpenClock {
            started_at: at("2026-04-28 09:00"),
            working_days: 2,
            current_due: d("2026-05-04"),
            printed_due: d("2026-05-04"),
            extended: false,
        };
        assert_eq!(recompute(&with_holiday, &clock), Ok(None));
        // A new holiday on 04/05 pushes it later.
        let mut days = with_holiday.entries_in_year(2026);
        days.push(DayEntry {
            date: d("2026-05-04"),
            kind: DayKind::Holiday,
            name: "Nghỉ thêm".into(),
        });
        let later = Calendar::new(CalendarSettings::default(), days, BTreeSet::from([2026]));
        assert_eq!(recompute(&later, &clock), Ok(Some(d("2026-05-05"))));
        // Removing 30/4 would make it earlier: the printed date holds.
        let fewer: Vec<DayEntry> = with_holiday
            .entries_in_year(2026)
            .into_iter()
            .filter(|e| e.date != d("2026-04-30"))
            .collect();
        let earlier = Calendar::new(CalendarSettings::default(), fewer, BTreeSet::from([2026]));
        assert_eq!(
            compute(&earlier, clock.started_at, 2).map(|x| x.due_date),
            Ok(d("2026-04-30"))
        );
        assert_eq!(recompute(&earlier, &clock), Ok(None));
        // An extended dossier keeps its new date.
        assert_eq!(
            recompute(
                &later,
                &OpenClock {
                    extended: true,
                    ..clock
                }
            ),
            Ok(None)
        );
    }
}

#[cfg(test)]
mod properties {
    use std::collections::BTreeSet;

    use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
    use proptest::prelude::*;

    use super::compute;
    use crate::domain::calendar::{Calendar, CalendarSettings, DayEntry, DayKind};

    fn base() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default()
    }

    /// A calendar for 2026-2027 with the given day offsets off and the given
    /// Saturdays worked (offsets from 01/01/2026).
    fn calendar(holidays: &[u16], workdays: &[u16]) -> Calendar {
        let mut days: Vec<DayEntry> = holidays
            .iter()
            .map(|o| DayEntry {
                date: base() + chrono::Duration::days(i64::from(*o)),
                kind: DayKind::Holiday,
                name: "Ngày nghỉ thử".into(),
            })
            .collect();
        days.extend(workdays.iter().map(|o| DayEntry {
            date: base() + chrono::Duration::days(i64::from(*o)),
            kind: DayKind::Workday,
            name: "Làm bù thử".into(),
        }));
        Calendar::new(
            CalendarSettings::default(),
            days,
            BTreeSet::from([2026, 2027]),
        )
    }

    fn moment(day: u16, minutes: u32) -> NaiveDateTime {
        (base() + chrono::Duration::days(i64::from(day))).and_time(
            NaiveTime::from_num_seconds_from_midnight_opt(minutes * 60, 0).unwrap_or_default(),
        )
    }

    prop_compose! {
        fn arb_calendar()(holidays in prop::collection::vec(0u16..730, 0..40),
                          workdays in prop::collection::vec(0u16..730, 0..6)) -> (Vec<u16>, Vec<u16>) {
            (holidays, workdays)
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn due_date_is_a_working_day_after_exactly_n_counted_days(
            (holidays, workdays) in arb_calendar(), day in 0u16..360, minutes in 0u32..1440, n in 0u32..60,
        ) {
            let cal = calendar(&holidays, &workdays);
            let dl = compute(&cal, moment(day, minutes), n).expect("computes");
            prop_assert!(cal.is_working_day(dl.due_date));
            prop_assert!(cal.is_working_day(dl.effective_receiving_day));
            prop_assert_eq!(dl.counted.len(), n as usize);
            prop_assert!(dl.counted.iter().all(|d| cal.is_working_day(*d)));
            prop_assert!(dl.counted.windows(2).all(|w| w[0] < w[1]));
            prop_assert!(dl.counted.iter().all(|d| *d > dl.effective_receiving_day));
            prop_assert!(dl.skipped.iter().all(|s| !cal.is_working_day(s.date) || s.date == moment(day, minutes).date()));
            // Every day between the reception and the due date is either counted, skipped, or the effective day.
            let mut d = moment(day, minutes).date();
            while d <= dl.due_date {
                prop_assert!(dl.counted.contains(&d) || dl.skipped.iter().any(|s| s.date == d) || d == dl.effective_receiving_day);
                d = d.succ_opt().expect("next day");
            }
        }

        #[test]
        fn adding_a_holiday_never_makes_a_due_date_earlier(
            (holidays, workdays) in arb_calendar(), extra in 0u16..730, day in 0u16..360, minutes in 0u32..1440, n in 0u32..60,
        ) {
            let before = compute(&calendar(&holidays, &workdays), moment(day, minutes), n).expect("computes");
            let mut more = holidays.clone();
            more.push(extra);
            let workdays: Vec<u16> = workdays.into_iter().filter(|w| *w != extra).collect();
            let after = compute(&calendar(&more, &workdays), moment(day, minutes), n).expect("computes");
            prop_assert!(after.due_date >= before.due_date);
        }

        #[test]
        fn counting_is_monotonic_in_n_and_in_the_reception_time(
            (holidays, workdays) in arb_calendar(), day in 0u16..360, minutes in 0u32..1440,
            later_by in 0u32..(3 * 1440), n in 0u32..60,
        ) {
            let cal = calendar(&holidays, &workdays);
            let t = moment(day, minutes);
            let a = compute(&cal, t, n).expect("computes");
            let b = compute(&cal, t, n + 1).expect("computes");
            prop_assert!(b.due_date > a.due_date);
            let later = t + chrono::Duration::minutes(i64::from(later_by));
            let c = compute(&cal, later, n).expect("computes");
            prop_assert!(c.due_date >= a.due_date);
        }
    }
}
