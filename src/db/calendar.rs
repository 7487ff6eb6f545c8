//! The calendar on record: scheduled years, their days, and the working-week settings.

use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{calendar_days, calendar_years};
use super::{settings, DbConnection};
use crate::domain::calendar::{CalendarSettings, DayEntry, DayKind};
use crate::error::AppError;

pub const WORK_WEEK: &str = "calendar.work_week";
pub const OPENS: &str = "calendar.opens";
pub const CLOSES: &str = "calendar.closes";
/// Changes whenever the calendar changes, so that every instance reloads it.
pub const VERSION: &str = "calendar.version";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = calendar_years)]
pub struct CalendarYear {
    pub year: i32,
    pub source: String,
    pub updated_at: NaiveDateTime,
    pub updated_by: String,
    /// The revision of the official schedule it holds (0: recorded by an administrator).
    pub revision: i32,
    /// Changed by an administrator since it was recorded.
    pub edited: bool,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = calendar_days)]
pub struct CalendarDay {
    pub day: NaiveDate,
    pub kind: String,
    pub name: String,
    pub updated_at: NaiveDateTime,
    pub updated_by: String,
}

pub fn version(conn: &mut DbConnection) -> Result<String, AppError> {
    Ok(settings::get(conn, VERSION)?.unwrap_or_default())
}

/// Marks the calendar changed (inside the change's transaction).
pub fn bump_version(conn: &mut DbConnection) -> Result<(), AppError> {
    settings::set(conn, VERSION, &uuid::Uuid::new_v4().simple().to_string())
}

pub fn load_settings(conn: &mut DbConnection) -> Result<CalendarSettings, AppError> {
    let defaults = CalendarSettings::default();
    let week = settings::get(conn, WORK_WEEK)?.unwrap_or_else(|| defaults.work_week_string());
    let opens =
        settings::get(conn, OPENS)?.unwrap_or_else(|| defaults.opens.format("%H:%M").to_string());
    let closes =
        settings::get(conn, CLOSES)?.unwrap_or_else(|| defaults.closes.format("%H:%M").to_string());
    Ok(CalendarSettings::parse(&week, &opens, &closes).unwrap_or(defaults))
}

/// Everything the calendar is built from.
pub fn load(
    conn: &mut DbConnection,
) -> Result<(CalendarSettings, Vec<DayEntry>, BTreeSet<i32>), AppError> {
    let settings = load_settings(conn)?;
    let days: Vec<CalendarDay> = calendar_days::table
        .select(CalendarDay::as_select())
        .order(calendar_days::day)
        .load(conn)?;
    let entries = to_entries(days);
    let years: Vec<i32> = calendar_years::table
        .select(calendar_years::year)
        .load(conn)?;
    Ok((settings, entries, years.into_iter().collect()))
}

pub fn years(conn: &mut DbConnection) -> Result<Vec<CalendarYear>, AppError> {
    Ok(calendar_years::table
        .select(CalendarYear::as_select())
        .order(calendar_years::year)
        .load(conn)?)
}

pub fn find_year(conn: &mut DbConnection, year: i32) -> Result<Option<CalendarYear>, AppError> {
    Ok(calendar_years::table
        .find(year)
        .select(CalendarYear::as_select())
        .first(conn)
        .optional()?)
}

pub fn days_of_year(conn: &mut DbConnection, year: i32) -> Result<Vec<CalendarDay>, AppError> {
    let (Some(first), Some(last)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) else {
        return Ok(Vec::new());
    };
    Ok(calendar_days::table
        .filter(calendar_days::day.between(first, last))
        .select(CalendarDay::as_select())
        .order(calendar_days::day)
        .load(conn)?)
}

fn to_entries(days: Vec<CalendarDay>) -> Vec<DayEntry> {
    days.into_iter()
        .filter_map(|d| {
            Some(DayEntry {
                date: d.day,
                kind: DayKind::parse(&d.kind)?,
                name: d.name,
            })
        })
        .collect()
}

/// The recorded days dated in `year`, as calendar entries.
pub fn entries_of_year(conn: &mut DbConnection, year: i32) -> Result<Vec<DayEntry>, AppError> {
    Ok(to_entries(days_of_year(conn, year)?))
}

pub fn find_day(conn: &mut DbConnection, day: NaiveDate) -> Result<Option<CalendarDay>, AppError> {
    Ok(calendar_days::table
        .find(day)
        .select(CalendarDay::as_select())
        .first(conn)
        .optional()?)
}

/// A year put on record: an official schedule of `revision`, or (revision 0,
/// `edited`) one an administrator recorded.
pub struct NewYear<'a> {
    pub year: i32,
    pub source: &'a str,
    pub revision: i32,
    pub edited: bool,
}

pub fn insert_year(
    conn: &mut DbConnection,
    new: &NewYear<'_>,
    by: &str,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    diesel::insert_into(calendar_years::table)
        .values((
            calendar_years::year.eq(new.year),
            calendar_years::source.eq(new.source),
            calendar_years::updated_at.eq(now),
            calendar_years::updated_by.eq(by),
            calendar_years::revision.eq(new.revision),
            calendar_years::edited.eq(new.edited),
        ))
        .execute(conn)?;
    Ok(())
}

/// Replaces what a year on record says it holds (after its days were replaced).
pub fn replace_year(
    conn: &mut DbConnection,
    new: &NewYear<'_>,
    by: &str,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    diesel::update(calendar_years::table.find(new.year))
        .set((
            calendar_years::source.eq(new.source),
            calendar_years::updated_at.eq(now),
            calendar_years::updated_by.eq(by),
            calendar_years::revision.eq(new.revision),
            calendar_years::edited.eq(new.edited),
        ))
        .execute(conn)?;
    Ok(())
}

/// Marks a year on record as changed by an administrator.
pub fn mark_edited(conn: &mut DbConnection, year: i32) -> Result<(), AppError> {
    diesel::update(calendar_years::table.find(year))
        .set(calendar_years::edited.eq(true))
        .execute(conn)?;
    Ok(())
}

/// Records that an administrator has seen official revision `revision` of a
/// year and keeps the year as edited.
pub fn set_revision(conn: &mut DbConnection, year: i32, revision: i32) -> Result<(), AppError> {
    diesel::update(calendar_years::table.find(year))
        .set(calendar_years::revision.eq(revision))
        .execute(conn)?;
    Ok(())
}

/// Removes every recorded day dated in `year`.
pub fn delete_days_of_year(conn: &mut DbConnection, year: i32) -> Result<usize, AppError> {
    let (Some(first), Some(last)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) else {
        return Ok(0);
    };
    Ok(
        diesel::delete(calendar_days::table.filter(calendar_days::day.between(first, last)))
            .execute(conn)?,
    )
}

pub fn update_year_source(
    conn: &mut DbConnection,
    year: i32,
    source: &str,
    by: &str,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    diesel::update(calendar_years::table.find(year))
        .set((
            calendar_years::source.eq(source),
            calendar_years::updated_at.eq(now),
            calendar_years::updated_by.eq(by),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records `entry`, replacing whatever that date held.
pub fn put_day(
    conn: &mut DbConnection,
    entry: &DayEntry,
    by: &str,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    diesel::delete(calendar_days::table.find(entry.date)).execute(conn)?;
    diesel::insert_into(calendar_days::table)
        .values((
            calendar_days::day.eq(entry.date),
            calendar_days::kind.eq(entry.kind.as_str()),
            calendar_days::name.eq(&entry.name),
            calendar_days::updated_at.eq(now),
            calendar_days::updated_by.eq(by),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn delete_day(conn: &mut DbConnection, day: NaiveDate) -> Result<usize, AppError> {
    Ok(diesel::delete(calendar_days::table.find(day)).execute(conn)?)
}
