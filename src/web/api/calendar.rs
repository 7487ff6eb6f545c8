//! `GET /api/v1/calendar/holidays` and `GET /api/v1/calendar/due-date` (public).

use crate::domain::time::parse_time;
use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{Datelike, NaiveDateTime};
use serde::Serialize;

use super::ApiError;
use crate::domain::calendar::RULE_YEARS;
use crate::domain::deadline::{compute, MAX_WORKING_DAYS};
use crate::domain::fields::FieldErrors;
use crate::domain::time::vietnam;
use crate::state::AppState;

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = CalendarDay)]
struct Day {
    date: String,
    name: String,
    #[schema(value_type = String)]
    kind: &'static str,
}

#[derive(Serialize, utoipa::ToSchema)]
struct Holidays {
    year: i32,
    /// Extension: the decision the year's schedule follows, or null when computed by rule.
    source: Option<String>,
    days: Vec<Day>,
}

fn one_field(field: &str, message: String) -> ApiError {
    let mut e = FieldErrors::new();
    e.add(field, message);
    ApiError::validation(&e)
}

/// The year's days off and make-up working days.
#[utoipa::path(get, path = "/calendar/holidays",
    params(("year" = Option<i32>, Query, minimum = 1995, maximum = 2100,
        description = "Mặc định năm nay (giờ Việt Nam)")),
    responses((status = 200, description = "Lịch năm", body = Holidays)))]
pub async fn holidays(
    state: web::Data<AppState>,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, ApiError> {
    let year = match query.get("year") {
        None => chrono::Utc::now()
            .with_timezone(&vietnam())
            .date_naive()
            .format("%Y")
            .to_string(),
        Some(y) => y.trim().to_string(),
    };
    let year: i32 = year
        .parse()
        .ok()
        .filter(|y| RULE_YEARS.contains(y))
        .ok_or_else(|| {
            one_field(
                "year",
                format!(
                    "Năm phải là số từ {} đến {}.",
                    RULE_YEARS.start(),
                    RULE_YEARS.end()
                ),
            )
        })?;
    let cal = state.calendar().await?;
    let source = state
        .db
        .run(move |conn| Ok(crate::db::calendar::find_year(conn, year)?.map(|y| y.source)))
        .await?;
    let days = cal
        .entries_in_year(year)
        .into_iter()
        .map(|e| Day {
            date: e.date.format("%Y-%m-%d").to_string(),
            name: e.name,
            kind: e.kind.as_str(),
        })
        .collect();
    Ok(HttpResponse::Ok().json(Holidays { year, source, days }))
}

fn local_rfc3339(t: NaiveDateTime) -> String {
    t.and_local_timezone(vietnam())
        .single()
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, false))
        .unwrap_or_default()
}

#[derive(Serialize, utoipa::ToSchema)]
struct Skipped {
    date: String,
    reason: String,
}

#[derive(Serialize, utoipa::ToSchema)]
struct DueDate {
    received_at: String,
    working_days: u32,
    effective_receiving_day: String,
    due_date: String,
    counted: Vec<String>,
    skipped: Vec<Skipped>,
}

/// The due date of a reception and every day counted or skipped.
#[utoipa::path(get, path = "/calendar/due-date",
    params(
        ("received_at" = String, Query, pattern = "^(199[5-9]|20[0-8][0-9]|209[0-8])-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](Z|[+-]0[0-9]:00)?$",
            description = "RFC 3339; không có múi giờ nghĩa là giờ Việt Nam"),
        ("working_days" = u32, Query, minimum = 0, maximum = 365),
    ),
    responses((status = 200, description = "Hạn và cách tính", body = DueDate)))]
pub async fn due_date(
    state: web::Data<AppState>,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = FieldErrors::new();
    let received_at = match query.get("received_at") {
        None => {
            errors.add("received_at", "Nhập thời điểm tiếp nhận (received_at).");
            None
        }
        Some(raw) => {
            let t = parse_time(raw);
            if t.is_none() {
                errors.add(
                    "received_at",
                    "Thời điểm tiếp nhận không đúng dạng RFC 3339, ví dụ 2026-02-10T09:30:00+07:00.",
                );
            }
            t
        }
    };
    let working_days = match query.get("working_days").map(|s| s.trim().parse::<i64>()) {
        None => {
            errors.add("working_days", "Nhập số ngày làm việc (working_days).");
            None
        }
        Some(Ok(n)) if (0..=i64::from(MAX_WORKING_DAYS)).contains(&n) => Some(n as u32),
        Some(_) => {
            errors.add(
                "working_days",
                format!("Số ngày làm việc là số nguyên từ 0 đến {MAX_WORKING_DAYS}."),
            );
            None
        }
    };
    if let Some(t) = received_at {
        if !RULE_YEARS.contains(&t.year()) {
            errors.add(
                "received_at",
                format!(
                    "Năm tiếp nhận phải từ {} đến {}.",
                    RULE_YEARS.start(),
                    RULE_YEARS.end()
                ),
            );
        }
    }
    let (true, Some(received_at), Some(n)) = (errors.is_empty(), received_at, working_days) else {
        return Err(ApiError::validation(&errors));
    };
    let cal = state.calendar().await?;
    let dl = compute(&cal, received_at, n).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
            e.to_string(),
        )
    })?;
    let fmt = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    Ok(HttpResponse::Ok().json(DueDate {
        received_at: local_rfc3339(dl.received_at),
        working_days: dl.working_days,
        effective_receiving_day: fmt(dl.effective_receiving_day),
        due_date: fmt(dl.due_date),
        counted: dl.counted.iter().map(|d| fmt(*d)).collect(),
        skipped: dl
            .skipped
            .into_iter()
            .map(|s| Skipped {
                date: fmt(s.date),
                reason: s.reason,
            })
            .collect(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_with_and_without_offset() {
        let local = NaiveDateTime::parse_from_str("2026-02-10 09:30", "%Y-%m-%d %H:%M").expect("t");
        assert_eq!(parse_time("2026-02-10T09:30:00+07:00"), Some(local));
        assert_eq!(parse_time("2026-02-10T02:30:00Z"), Some(local));
        assert_eq!(parse_time("2026-02-10T09:30:00 07:00"), Some(local));
        assert_eq!(parse_time("2026-02-10T09:30:00"), Some(local));
        assert_eq!(parse_time("10/02/2026"), None);
        assert_eq!(local_rfc3339(local), "2026-02-10T09:30:00+07:00");
    }
}
