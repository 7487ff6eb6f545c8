//! Calendar use cases: seeding the official schedules, adopting a year,
//! correcting a day, changing the working week; each change audited and
//! marked so that every instance reloads the calendar.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde::Deserialize;

use crate::db::calendar::{self as store, NewYear};
use crate::db::{audit, write_tx, DbConnection};
use crate::domain::calendar::{
    diff_days, Calendar, CalendarSettings, DayChange, DayEntry, DayKind, RULE_YEARS,
};
use crate::domain::fields::FieldErrors;
use crate::domain::holidays::{rule_schedule, rule_sources};
use crate::error::ActionError;
use crate::error::AppError;
use crate::services::Actor;

const SEED: &str = include_str!("../../seed/holidays.json");

#[derive(Deserialize)]
struct SeedFile {
    years: Vec<SeedYear>,
}

#[derive(Deserialize)]
struct SeedYear {
    year: i32,
    /// Raised whenever the official schedule of that year is corrected or
    /// completed, so that installations already holding the year get it.
    #[serde(default = "first_revision")]
    revision: i32,
    source: String,
    days: Vec<SeedDay>,
}

fn first_revision() -> i32 {
    1
}

#[derive(Deserialize)]
struct SeedDay {
    date: NaiveDate,
    kind: String,
    name: String,
}

impl SeedYear {
    fn entries(&self) -> Result<Vec<DayEntry>, AppError> {
        self.days
            .iter()
            .map(|d| {
                Ok(DayEntry {
                    date: d.date,
                    kind: DayKind::parse(&d.kind).ok_or_else(|| {
                        AppError::Startup(format!("seed/holidays.json: kind {}", d.kind))
                    })?,
                    name: d.name.clone(),
                })
            })
            .collect()
    }
}

impl SeedFile {
    /// The official days dated in `y`'s year: its own, and those of other
    /// years' schedules dated in it (31/12 swapped for the next year's Saturday).
    fn days_in(&self, y: &SeedYear) -> Result<Vec<DayEntry>, AppError> {
        let mut days: Vec<DayEntry> = y
            .entries()?
            .into_iter()
            .filter(|e| e.date.year() == y.year)
            .collect();
        for other in self.years.iter().filter(|o| o.year != y.year) {
            for e in other.entries()? {
                if e.date.year() == y.year && !days.iter().any(|d| d.date == e.date) {
                    days.push(e);
                }
            }
        }
        days.sort_by_key(|e| e.date);
        Ok(days)
    }
}

fn seed_file() -> Result<SeedFile, AppError> {
    serde_json::from_str(SEED).map_err(|e| AppError::Startup(format!("seed/holidays.json: {e}")))
}

/// Who changes the calendar when the seed does (audit entries, history lines).
pub const SYSTEM: &str = crate::db::users::SYSTEM_USERNAME;

/// What seeding the official schedules did on this start.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SeedOutcome {
    /// Years put on record for the first time.
    pub added: Vec<i32>,
    /// Years replaced by a newer official revision.
    pub replaced: Vec<i32>,
    /// Years an administrator edited that have a newer official revision, offered on the calendar page.
    pub offered: Vec<i32>,
}

/// Records the official schedules of the seed: years not on record, and
/// newer revisions of years no administrator has edited (those edited are
/// only offered). Each year in its own transaction, audited, with the open
/// dossiers' due dates recomputed as for any calendar correction.
pub fn seed(conn: &mut DbConnection, now: NaiveDateTime) -> Result<SeedOutcome, AppError> {
    let mut outcome = SeedOutcome::default();
    let system = Actor::system(conn, SYSTEM)?;
    let file = seed_file()?;
    for y in &file.years {
        let entries = y.entries()?;
        match store::find_year(conn, y.year)? {
            None => {
                write_tx(conn, |conn| {
                    store::insert_year(
                        conn,
                        &NewYear {
                            year: y.year,
                            source: &y.source,
                            revision: y.revision,
                            edited: false,
                        },
                        &system.username,
                        now,
                    )?;
                    for e in &entries {
                        // A day recorded by an administrator is kept.
                        if store::find_day(conn, e.date)?.is_none() {
                            store::put_day(conn, e, &system.username, now)?;
                        }
                    }
                    store::bump_version(conn)?;
                    recompute_after_change(conn, &system, now)?;
                    audit::record(
                        conn,
                        now,
                        &system.username,
                        "calendar.official_add",
                        &y.year.to_string(),
                        &format!("Lịch chính thức bản {}: {}", y.revision, y.source),
                    )?;
                    Ok::<(), AppError>(())
                })?;
                outcome.added.push(y.year);
            }
            Some(stored) if stored.revision < y.revision && !stored.edited => {
                write_tx(conn, |conn| {
                    replace_with_official(conn, &system, &file, y, &entries, now)
                })?;
                tracing::info!(
                    year = y.year,
                    revision = y.revision,
                    "official schedule updated"
                );
                outcome.replaced.push(y.year);
            }
            Some(stored) if stored.revision < y.revision => {
                tracing::info!(
                    year = y.year,
                    revision = y.revision,
                    "a newer official schedule is offered for a year an administrator edited"
                );
                outcome.offered.push(y.year);
            }
            Some(_) => {}
        }
    }
    Ok(outcome)
}

/// Replaces the days of `y.year` with the official schedule `entries`
/// (inside the caller's transaction), audited with what changed.
fn replace_with_official(
    conn: &mut DbConnection,
    actor: &Actor,
    file: &SeedFile,
    y: &SeedYear,
    entries: &[DayEntry],
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let before = store::entries_of_year(conn, y.year)?;
    let in_year = file.days_in(y)?;
    let changes = diff_days(&before, &in_year);
    store::delete_days_of_year(conn, y.year)?;
    for e in &in_year {
        store::put_day(conn, e, &actor.username, now)?;
    }
    for e in entries.iter().filter(|e| e.date.year() != y.year) {
        // Days of the schedule dated in another year (a Saturday worked in
        // late December) do not overwrite that year's record.
        if store::find_day(conn, e.date)?.is_none() {
            store::put_day(conn, e, &actor.username, now)?;
        }
    }
    store::replace_year(
        conn,
        &NewYear {
            year: y.year,
            source: &y.source,
            revision: y.revision,
            edited: false,
        },
        &actor.username,
        now,
    )?;
    store::bump_version(conn)?;
    recompute_after_change(conn, actor, now)?;
    let detail = if changes.is_empty() {
        format!(
            "Lịch chính thức bản {}: không thay đổi ngày nào",
            y.revision
        )
    } else {
        format!(
            "Lịch chính thức bản {}: {}",
            y.revision,
            changes
                .iter()
                .map(DayChange::describe)
                .collect::<Vec<_>>()
                .join("; ")
        )
    };
    audit::record(
        conn,
        now,
        &actor.username,
        "calendar.official_update",
        &y.year.to_string(),
        &detail,
    )?;
    Ok(())
}

/// A newer official schedule for a year an administrator edited.
#[derive(Debug, Clone)]
pub struct OfficialUpdate {
    pub year: i32,
    pub revision: i32,
    pub source: String,
    /// From the year as recorded to the official schedule.
    pub changes: Vec<DayChange>,
}

/// The newer official schedule of `year`, when the seed has one the record lacks.
pub fn official_update(
    conn: &mut DbConnection,
    year: i32,
) -> Result<Option<OfficialUpdate>, AppError> {
    let Some(stored) = store::find_year(conn, year)? else {
        return Ok(None);
    };
    let file = seed_file()?;
    let Some(y) = file
        .years
        .iter()
        .find(|y| y.year == year && y.revision > stored.revision)
    else {
        return Ok(None);
    };
    let official = file.days_in(y)?;
    let changes = diff_days(&store::entries_of_year(conn, year)?, &official);
    Ok(Some(OfficialUpdate {
        year,
        revision: y.revision,
        source: y.source.clone(),
        changes,
    }))
}

/// Replaces an edited year with its newer official schedule, at an administrator's request.
pub fn adopt_official(
    conn: &mut DbConnection,
    actor: &Actor,
    year: i32,
    now: NaiveDateTime,
) -> Result<(), ActionError> {
    let file = seed_file()?;
    write_tx(conn, |conn| {
        let stored = store::find_year(conn, year)?;
        let Some(y) = file
            .years
            .iter()
            .find(|y| y.year == year && stored.as_ref().is_none_or(|s| y.revision > s.revision))
        else {
            return Err(ActionError::field(
                "year",
                format!("Không có lịch chính thức mới hơn cho năm {year}."),
            ));
        };
        let entries = y.entries()?;
        if stored.is_none() {
            store::insert_year(
                conn,
                &NewYear {
                    year,
                    source: &y.source,
                    revision: 0,
                    edited: false,
                },
                &actor.username,
                now,
            )?;
        }
        replace_with_official(conn, actor, &file, y, &entries, now)?;
        Ok(())
    })
}

/// Keeps an edited year as it is, with the newer official schedule marked as seen.
pub fn keep_edited(
    conn: &mut DbConnection,
    actor: &Actor,
    year: i32,
    now: NaiveDateTime,
) -> Result<(), ActionError> {
    let Some(update) = official_update(conn, year)? else {
        return Err(ActionError::field(
            "year",
            format!("Không có lịch chính thức mới hơn cho năm {year}."),
        ));
    };
    write_tx(conn, |conn| {
        store::set_revision(conn, year, update.revision)?;
        audit::record(
            conn,
            now,
            &actor.username,
            "calendar.keep_edited",
            &year.to_string(),
            &format!(
                "Giữ lịch đã sửa, không áp dụng lịch chính thức bản {}",
                update.revision
            ),
        )?;
        Ok(())
    })
}

/// Builds the calendar from what is on record.
pub fn build(conn: &mut DbConnection) -> Result<Calendar, AppError> {
    let (settings, entries, years) = store::load(conn)?;
    Ok(Calendar::new(settings, entries, years))
}

fn check_year(year: i32) -> Result<(), ActionError> {
    if RULE_YEARS.contains(&year) {
        Ok(())
    } else {
        Err(ActionError::field(
            "year",
            format!(
                "Năm phải từ {} đến {}.",
                RULE_YEARS.start(),
                RULE_YEARS.end()
            ),
        ))
    }
}

/// Puts `year` on record: its days as the rule gives them, ready to be corrected
/// to the official schedule when it is published.
pub fn adopt_year(
    conn: &mut DbConnection,
    actor: &Actor,
    year: i32,
    source: &str,
    now: NaiveDateTime,
) -> Result<(), ActionError> {
    check_year(year)?;
    let source = source.trim();
    if source.chars().count() > 2000 {
        return Err(ActionError::field(
            "source",
            "Căn cứ không quá 2.000 ký tự.",
        ));
    }
    write_tx(conn, |conn| {
        if store::find_year(conn, year)?.is_some() {
            return Err(ActionError::field(
                "year",
                format!("Lịch năm {year} đã được ghi nhận."),
            ));
        }
        let source = if source.is_empty() {
            format!(
                "Tính theo quy định, chưa có thông báo chính thức. {}",
                rule_sources(year).join("; ")
            )
        } else {
            source.to_string()
        };
        store::insert_year(
            conn,
            &NewYear {
                year,
                source: &source,
                revision: 0,
                // The rule's days: an official schedule may replace them.
                edited: false,
            },
            &actor.username,
            now,
        )?;
        for e in rule_schedule(year) {
            if store::find_day(conn, e.date)?.is_none() {
                store::put_day(conn, &e, &actor.username, now)?;
            }
        }
        store::bump_version(conn)?;
        recompute_after_change(conn, actor, now)?;
        audit::record(
            conn,
            now,
            &actor.username,
            "calendar.adopt_year",
            &year.to_string(),
            &source,
        )?;
        Ok(())
    })
}

/// Changes the source (the decision) cited for a year on record.
pub fn set_year_source(
    conn: &mut DbConnection,
    actor: &Actor,
    year: i32,
    source: &str,
    now: NaiveDateTime,
) -> Result<(), ActionError> {
    let source = source.trim();
    if source.is_empty() {
        return Err(ActionError::field(
            "source",
            "Nhập căn cứ (số, ngày của thông báo hoặc quyết định).",
        ));
    }
    if source.chars().count() > 2000 {
        return Err(ActionError::field(
            "source",
            "Căn cứ không quá 2.000 ký tự.",
        ));
    }
    write_tx(conn, |conn| {
        if store::find_year(conn, year)?.is_none() {
            return Err(ActionError::field(
                "year",
                format!("Lịch năm {year} chưa được ghi nhận."),
            ));
        }
        store::update_year_source(conn, year, source, &actor.username, now)?;
        store::mark_edited(conn, year)?;
        audit::record(
            conn,
            now,
            &actor.username,
            "calendar.year_source",
            &year.to_string(),
            source,
        )?;
        Ok(())
    })
}

/// A day correction as typed.
#[derive(Debug, Clone, Default)]
pub struct DayInput {
    pub date: String,
    pub kind: String,
    pub name: String,
}

/// Records a day off or a worked weekend day (replacing what that date held).
/// A year not on record is adopted first, so the rule's other days stay.
pub fn put_day(
    conn: &mut DbConnection,
    actor: &Actor,
    input: &DayInput,
    now: NaiveDateTime,
) -> Result<NaiveDate, ActionError> {
    let mut e = FieldErrors::new();
    let date = crate::services::catalog::parse_date(&input.date);
    if date.is_none() {
        e.add(
            "date",
            "Nhập ngày theo dạng ngày/tháng/năm, ví dụ 02/09/2027.",
        );
    }
    let kind = DayKind::parse(&input.kind);
    if kind.is_none() {
        e.add("kind", "Chọn ngày nghỉ hay ngày làm bù.");
    }
    let name = input.name.trim().to_string();
    if name.is_empty() {
        e.add("name", "Nhập tên ngày (ví dụ: Quốc khánh (ngày liền kề)).");
    } else if name.chars().count() > 200 {
        e.add("name", "Tên ngày không quá 200 ký tự.");
    }
    let (Some(date), Some(kind)) = (date, kind) else {
        return Err(ActionError::Invalid(e));
    };
    if !e.is_empty() {
        return Err(ActionError::Invalid(e));
    }
    check_year(date.year()).map_err(|_| {
        ActionError::field(
            "date",
            format!(
                "Ngày phải thuộc năm {} đến {}.",
                RULE_YEARS.start(),
                RULE_YEARS.end()
            ),
        )
    })?;
    write_tx(conn, |conn| {
        if store::find_year(conn, date.year())?.is_none() {
            adopt_year(conn, actor, date.year(), "", now)?;
        }
        let before = store::find_day(conn, date)?;
        store::mark_edited(conn, date.year())?;
        store::put_day(
            conn,
            &DayEntry {
                date,
                kind,
                name: name.clone(),
            },
            &actor.username,
            now,
        )?;
        store::bump_version(conn)?;
        recompute_after_change(conn, actor, now)?;
        let detail = match before {
            Some(b) => format!("{} ({}) → {} ({})", b.name, b.kind, name, kind.as_str()),
            None => format!("{name} ({})", kind.as_str()),
        };
        audit::record(
            conn,
            now,
            &actor.username,
            "calendar.put_day",
            &date.format("%d/%m/%Y").to_string(),
            &detail,
        )?;
        Ok(date)
    })
}

/// Removes a recorded day: it becomes an ordinary day of its weekday.
pub fn delete_day(
    conn: &mut DbConnection,
    actor: &Actor,
    date: NaiveDate,
    now: NaiveDateTime,
) -> Result<(), ActionError> {
    write_tx(conn, |conn| {
        if store::find_year(conn, date.year())?.is_none() {
            adopt_year(conn, actor, date.year(), "", now)?;
        }
        let Some(before) = store::find_day(conn, date)? else {
            return Err(ActionError::field("date", "Ngày này không có trong lịch."));
        };
        store::delete_day(conn, date)?;
        store::mark_edited(conn, date.year())?;
        store::bump_version(conn)?;
        recompute_after_change(conn, actor, now)?;
        audit::record(
            conn,
            now,
            &actor.username,
            "calendar.delete_day",
            &date.format("%d/%m/%Y").to_string(),
            &format!("Bỏ {} ({})", before.name, before.kind),
        )?;
        Ok(())
    })
}

/// Changes the working week and office hours.
pub fn set_settings(
    conn: &mut DbConnection,
    actor: &Actor,
    work_week: &[u32],
    opens: &str,
    closes: &str,
    now: NaiveDateTime,
) -> Result<CalendarSettings, ActionError> {
    let week = work_week
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let settings = CalendarSettings::parse(&week, opens, closes).map_err(|m| {
        let field = if m.contains("tuần") {
            "work_week"
        } else if m.contains("kết thúc") {
            "closes"
        } else {
            "opens"
        };
        ActionError::field(field, m)
    })?;
    write_tx(conn, |conn| {
        crate::db::settings::set(conn, store::WORK_WEEK, &settings.work_week_string())?;
        crate::db::settings::set(
            conn,
            store::OPENS,
            &settings.opens.format("%H:%M").to_string(),
        )?;
        crate::db::settings::set(
            conn,
            store::CLOSES,
            &settings.closes.format("%H:%M").to_string(),
        )?;
        store::bump_version(conn)?;
        recompute_after_change(conn, actor, now)?;
        audit::record(
            conn,
            now,
            &actor.username,
            "calendar.settings",
            "lịch làm việc",
            &format!(
                "Ngày làm việc {}; giờ {}–{}",
                settings.work_week_string(),
                settings.opens.format("%H:%M"),
                settings.closes.format("%H:%M")
            ),
        )?;
        Ok(settings)
    })
}

/// The years on record, as a set.
/// A corrected calendar moves the due dates of open dossiers (DOMAIN.md,
/// "Counting a deadline"), in the same transaction as the correction.
fn recompute_after_change(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let cal = build(conn)?;
    let moved = crate::services::processing::recompute_open(conn, &cal, actor.user_id, now)?;
    if moved > 0 {
        tracing::info!(moved, "due dates recomputed after a calendar correction");
    }
    Ok(())
}

pub fn scheduled_years(conn: &mut DbConnection) -> Result<BTreeSet<i32>, AppError> {
    Ok(store::years(conn)?.into_iter().map(|y| y.year).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The calendar as the seed alone makes it.
    fn seeded() -> Calendar {
        let file: SeedFile = serde_json::from_str(SEED).expect("seed parses");
        let years = file.years.iter().map(|y| y.year).collect();
        let entries = file
            .years
            .iter()
            .flat_map(|y| y.days.iter())
            .map(|d| DayEntry {
                date: d.date,
                kind: DayKind::parse(&d.kind).expect("kind"),
                name: d.name.clone(),
            })
            .collect();
        Calendar::new(CalendarSettings::default(), entries, years)
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn seed_covers_every_year_since_2015_with_a_source() {
        let file: SeedFile = serde_json::from_str(SEED).expect("seed parses");
        let years: Vec<i32> = file.years.iter().map(|y| y.year).collect();
        assert_eq!(years, (2015..=2027).collect::<Vec<_>>());
        assert!(file
            .years
            .iter()
            .all(|y| !y.source.is_empty() && !y.days.is_empty() && y.revision >= 1));
        // 2026 was completed with 24/11 (Nghị quyết 28/2026/QH16): a newer revision.
        let y2026 = file.years.iter().find(|y| y.year == 2026).expect("2026");
        assert!(y2026.revision >= 2);
        assert!(y2026.source.contains("28/2026/QH16"));
    }

    #[test]
    fn official_schedules_of_recent_years() {
        let cal = seeded();
        let off = |s: &str| !cal.is_working_day(d(s));
        // 2026, Thông báo 9441/TB-BNV (16/10/2025): Tết 16-20/02, 2/9 with 1/9, 31/08 swapped for Saturday 22/08.
        for day in [
            "2026-02-16",
            "2026-02-20",
            "2026-08-31",
            "2026-09-01",
            "2026-09-02",
        ] {
            assert!(off(day), "{day}");
        }
        assert!(!off("2026-08-22"), "Saturday 22/08/2026 is worked");
        // 2026, Công văn 12729/VPCP-KGVX: 02/01 off, Saturday 10/01 worked.
        assert!(off("2026-01-02"));
        assert!(!off("2026-01-10"));
        // 2025, Công văn 8726/VPCP-KGVX: Tết 27-31/01; 02/05 off for Saturday 26/04.
        for day in ["2025-01-27", "2025-01-31", "2025-05-02", "2025-09-01"] {
            assert!(off(day), "{day}");
        }
        assert!(!off("2025-04-26"));
        // 2024, Công văn 2450/VPCP-KGVX: 29/04 off for Saturday 04/05.
        assert!(off("2024-04-29"));
        assert!(!off("2024-05-04"));
        // 2023, Công văn 8056/VPCP-KGVX: Tết 20-26/01, Quốc khánh 01-04/09 (04/09 in compensation).
        for day in ["2023-01-20", "2023-01-26", "2023-09-01", "2023-09-04"] {
            assert!(off(day), "{day}");
        }
        assert!(!off("2023-01-27"));
        // 2019, Công văn 6519/VPCP-KGVX: 31/12/2018 off for Saturday 05/01/2019.
        assert!(off("2018-12-31"));
        assert!(!off("2019-01-05"));
    }

    #[test]
    fn culture_day_and_the_2027_schedule() {
        let cal = seeded();
        let off = |s: &str| !cal.is_working_day(d(s));
        assert!(off("2026-11-24"), "Ngày Văn hóa Việt Nam 2026");
        assert_eq!(
            cal.day_off_reason(d("2026-11-24")).as_deref(),
            Some("Ngày Văn hóa Việt Nam")
        );
        // 2027: Tết Thursday 04/02 to Wednesday 10/02, back on Thursday 11/02.
        for day in [
            "2027-02-04",
            "2027-02-05",
            "2027-02-08",
            "2027-02-09",
            "2027-02-10",
        ] {
            assert!(off(day), "{day}");
        }
        assert!(!off("2027-02-03"));
        assert!(!off("2027-02-11"));
        assert!(off("2027-09-02") && off("2027-09-03"));
        assert!(off("2027-11-24"));
    }

    #[test]
    fn the_rule_gives_the_tet_of_every_seeded_schedule() {
        // Independent of the table in domain::holidays: each seeded year's Tết
        // weekdays (bridge days swapped for a Saturday aside) against the rule.
        let file: SeedFile = serde_json::from_str(SEED).expect("seed parses");
        for y in &file.years {
            let weekday = |date: &NaiveDate| date.weekday().num_days_from_monday() < 5;
            let official: Vec<NaiveDate> = y
                .days
                .iter()
                .filter(|x| {
                    x.kind == "holiday"
                        && x.name.starts_with("Tết Nguyên đán")
                        && !x.name.contains("hoán đổi")
                })
                .map(|x| x.date)
                .filter(weekday)
                .collect();
            let rule: Vec<NaiveDate> = rule_schedule(y.year)
                .into_iter()
                .filter(|e| e.name.starts_with("Tết Nguyên đán"))
                .map(|e| e.date)
                .filter(weekday)
                .collect();
            assert_eq!(official, rule, "{}: {}", y.year, y.source);
        }
    }

    #[test]
    fn a_due_date_across_tet_2026() {
        // Received Thursday 12/02/2026 at 16:00, 5 working days: 13/02, then 23-26/02.
        let dl = crate::domain::deadline::compute(
            &seeded(),
            NaiveDate::from_ymd_opt(2026, 2, 12)
                .and_then(|d| d.and_hms_opt(16, 0, 0))
                .expect("time"),
            5,
        )
        .expect("due");
        assert_eq!(dl.due_date, d("2026-02-26"));
    }
}
