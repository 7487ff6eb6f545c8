//! Citizens' feedback and petitions (phản ánh, kiến nghị), from the public
//! form, the API or the hotline, and the office's answers.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{feedback, users};
use super::DbConnection;
use crate::error::AppError;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = feedback)]
pub struct Feedback {
    pub id: i64,
    pub public_id: String,
    pub office_id: i64,
    pub channel: String,
    pub topic: String,
    pub content: String,
    pub dossier_code: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    pub publish_consent: bool,
    pub status: String,
    pub assignee_id: Option<i64>,
    pub answer: Option<String>,
    pub answered_at: Option<NaiveDateTime>,
    pub answered_by: Option<i64>,
    pub closed_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub created_by: Option<i64>,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = feedback)]
pub struct NewFeedback<'a> {
    pub public_id: &'a str,
    pub office_id: i64,
    pub channel: &'a str,
    pub topic: &'a str,
    pub content: &'a str,
    pub dossier_code: Option<&'a str>,
    pub contact_name: Option<&'a str>,
    pub contact_phone: Option<&'a str>,
    pub contact_email: Option<&'a str>,
    pub publish_consent: bool,
    pub status: &'a str,
    pub created_at: NaiveDateTime,
    pub created_by: Option<i64>,
    pub updated_at: NaiveDateTime,
}

/// A line of the staff list, with the assignee's name.
#[derive(Debug, Clone)]
pub struct FeedbackRow {
    pub feedback: Feedback,
    pub assignee: Option<String>,
}

impl Feedback {
    pub fn insert(conn: &mut DbConnection, new: &NewFeedback<'_>) -> Result<Feedback, AppError> {
        Ok(diesel::insert_into(feedback::table)
            .values(new)
            .get_result::<Feedback>(conn)?)
    }

    pub fn by_public_id(conn: &mut DbConnection, id: &str) -> Result<Option<Feedback>, AppError> {
        Ok(feedback::table
            .filter(feedback::public_id.eq(id))
            .select(Feedback::as_select())
            .first(conn)
            .optional()?)
    }

    /// Feedback of `offices`, in `statuses` (all when empty), oldest first.
    pub fn list(
        conn: &mut DbConnection,
        offices: &[i64],
        statuses: &[&str],
        limit: i64,
    ) -> Result<Vec<FeedbackRow>, AppError> {
        let mut q = feedback::table
            .left_join(users::table.on(users::id.nullable().eq(feedback::assignee_id)))
            .filter(feedback::office_id.eq_any(offices))
            .into_boxed();
        if !statuses.is_empty() {
            q = q.filter(feedback::status.eq_any(statuses.to_vec()));
        }
        let rows: Vec<(Feedback, Option<String>)> = q
            .order((feedback::created_at.asc(), feedback::id.asc()))
            .limit(limit)
            .select((Feedback::as_select(), users::full_name.nullable()))
            .load(conn)?;
        Ok(rows
            .into_iter()
            .map(|(feedback, assignee)| FeedbackRow { feedback, assignee })
            .collect())
    }

    /// How many of `offices`' feedback are in each status.
    pub fn counts(
        conn: &mut DbConnection,
        offices: &[i64],
    ) -> Result<Vec<(String, i64)>, AppError> {
        Ok(feedback::table
            .filter(feedback::office_id.eq_any(offices))
            .group_by(feedback::status)
            .select((feedback::status, diesel::dsl::count_star()))
            .load(conn)?)
    }

    /// Answered feedback whose author agreed to publish it, newest first.
    pub fn published(
        conn: &mut DbConnection,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<Feedback>, i64), AppError> {
        let base = feedback::table
            .filter(feedback::publish_consent.eq(true))
            .filter(feedback::answered_at.is_not_null())
            .filter(feedback::answer.is_not_null());
        let total = base.count().get_result(conn)?;
        let items = base
            .order((feedback::answered_at.desc(), feedback::id.desc()))
            .offset(offset)
            .limit(limit)
            .select(Feedback::as_select())
            .load(conn)?;
        Ok((items, total))
    }

    pub fn assign(
        conn: &mut DbConnection,
        id: i64,
        assignee: i64,
        status: &str,
        now: NaiveDateTime,
    ) -> Result<(), AppError> {
        diesel::update(feedback::table.find(id))
            .set((
                feedback::assignee_id.eq(Some(assignee)),
                feedback::status.eq(status),
                feedback::updated_at.eq(now),
            ))
            .execute(conn)?;
        Ok(())
    }

    pub fn answer(
        conn: &mut DbConnection,
        id: i64,
        answer: &str,
        by: i64,
        status: &str,
        now: NaiveDateTime,
    ) -> Result<(), AppError> {
        diesel::update(feedback::table.find(id))
            .set((
                feedback::answer.eq(Some(answer)),
                feedback::answered_at.eq(Some(now)),
                feedback::answered_by.eq(Some(by)),
                feedback::status.eq(status),
                feedback::updated_at.eq(now),
            ))
            .execute(conn)?;
        Ok(())
    }

    pub fn close(
        conn: &mut DbConnection,
        id: i64,
        status: &str,
        now: NaiveDateTime,
    ) -> Result<(), AppError> {
        diesel::update(feedback::table.find(id))
            .set((
                feedback::status.eq(status),
                feedback::closed_at.eq(Some(now)),
                feedback::updated_at.eq(now),
            ))
            .execute(conn)?;
        Ok(())
    }

    /// Received and answered in [from, to) for `offices`, and the answers'
    /// times (created, answered) for those answered in the period.
    pub fn period(
        conn: &mut DbConnection,
        offices: &[i64],
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> Result<(i64, Vec<(NaiveDateTime, NaiveDateTime)>), AppError> {
        let received = feedback::table
            .filter(feedback::office_id.eq_any(offices))
            .filter(feedback::created_at.ge(from))
            .filter(feedback::created_at.lt(to))
            .count()
            .get_result(conn)?;
        let answered: Vec<(NaiveDateTime, Option<NaiveDateTime>)> = feedback::table
            .filter(feedback::office_id.eq_any(offices))
            .filter(feedback::answered_at.ge(from))
            .filter(feedback::answered_at.lt(to))
            .select((feedback::created_at, feedback::answered_at))
            .load(conn)?;
        Ok((
            received,
            answered
                .into_iter()
                .filter_map(|(c, a)| a.map(|a| (c, a)))
                .collect(),
        ))
    }
}
