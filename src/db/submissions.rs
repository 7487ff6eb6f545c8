//! Online submissions: what a citizen filed, its files by document line,
//! and its history until a clerk accepts it (then it is a dossier) or not.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::files::StoredFile;
use super::schema::{stored_files, submission_events, submission_files, submissions};
use super::DbConnection;
use crate::error::AppError;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = submissions)]
pub struct Submission {
    pub id: i64,
    pub code: String,
    pub lookup_token: String,
    pub office_id: i64,
    pub procedure_id: i64,
    pub status: String,
    pub version: i32,
    /// The applicant as typed, in JSON (`ApplicantInput`).
    pub applicant: String,
    pub applicant_name: String,
    pub id_number: Option<String>,
    pub phone: String,
    pub email: Option<String>,
    pub return_method: String,
    pub postal_address: Option<String>,
    /// The documents asked for while a supplement is awaited (JSON list).
    pub missing: String,
    pub note: String,
    /// Why it was not accepted.
    pub reason: Option<String>,
    pub supplement_requests: i32,
    /// `web` or `api`.
    pub source: String,
    pub notify: bool,
    /// The form's or the API call's idempotency key: a second send of the
    /// same form finds the first submission.
    pub form_key: Option<String>,
    pub dossier_id: Option<i64>,
    pub submitted_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = submissions)]
pub struct NewSubmission<'a> {
    pub code: &'a str,
    pub lookup_token: &'a str,
    pub office_id: i64,
    pub procedure_id: i64,
    pub status: &'a str,
    pub version: i32,
    pub applicant: &'a str,
    pub applicant_name: &'a str,
    pub id_number: Option<&'a str>,
    pub phone: &'a str,
    pub email: Option<&'a str>,
    pub return_method: &'a str,
    pub postal_address: Option<&'a str>,
    pub missing: &'a str,
    pub note: &'a str,
    pub reason: Option<&'a str>,
    pub supplement_requests: i32,
    pub source: &'a str,
    pub notify: bool,
    pub form_key: Option<&'a str>,
    pub submitted_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A document line's file.
#[derive(Debug, Clone)]
pub struct SubmissionFile {
    pub position: i32,
    pub name: String,
    pub form: String,
    pub count: i32,
    /// 0 for the first filing, then one more per supplement.
    pub round: i32,
    pub added_at: NaiveDateTime,
    pub file: StoredFile,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = submission_events)]
pub struct SubmissionEvent {
    pub id: i64,
    pub submission_id: i64,
    pub at: NaiveDateTime,
    pub user_id: Option<i64>,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub note: String,
}

/// One line of the clerk's queue.
#[derive(Debug, Clone)]
pub struct QueueRow {
    pub submission: Submission,
    pub procedure: String,
    pub files: i64,
}

impl Submission {
    pub fn insert(
        conn: &mut DbConnection,
        new: &NewSubmission<'_>,
    ) -> Result<Submission, AppError> {
        Ok(diesel::insert_into(submissions::table)
            .values(new)
            .get_result::<Submission>(conn)?)
    }

    pub fn find(conn: &mut DbConnection, id: i64) -> Result<Submission, AppError> {
        Ok(submissions::table
            .find(id)
            .select(Submission::as_select())
            .first(conn)?)
    }

    pub fn by_code(conn: &mut DbConnection, code: &str) -> Result<Option<Submission>, AppError> {
        Ok(submissions::table
            .filter(submissions::code.eq(code))
            .select(Submission::as_select())
            .first(conn)
            .optional()?)
    }

    pub fn by_form_key(conn: &mut DbConnection, key: &str) -> Result<Option<Submission>, AppError> {
        Ok(submissions::table
            .filter(submissions::form_key.eq(key))
            .select(Submission::as_select())
            .first(conn)
            .optional()?)
    }

    pub fn by_token(conn: &mut DbConnection, token: &str) -> Result<Option<Submission>, AppError> {
        Ok(submissions::table
            .filter(submissions::lookup_token.eq(token))
            .select(Submission::as_select())
            .first(conn)
            .optional()?)
    }

    pub fn of_dossier(
        conn: &mut DbConnection,
        dossier_id: i64,
    ) -> Result<Option<Submission>, AppError> {
        Ok(submissions::table
            .filter(submissions::dossier_id.eq(dossier_id))
            .select(Submission::as_select())
            .first(conn)
            .optional()?)
    }

    pub fn count(conn: &mut DbConnection) -> Result<i64, AppError> {
        Ok(submissions::table.count().get_result(conn)?)
    }

    /// Moves the submission from `from` (at `version`) to `to`; false when
    /// someone else moved it first.
    #[allow(clippy::too_many_arguments)]
    pub fn transition(
        conn: &mut DbConnection,
        id: i64,
        version: i32,
        from: &[&str],
        to: &str,
        missing: Option<&str>,
        reason: Option<&str>,
        dossier_id: Option<i64>,
        now: NaiveDateTime,
    ) -> Result<bool, AppError> {
        let target = submissions::table
            .filter(submissions::id.eq(id))
            .filter(submissions::version.eq(version))
            .filter(submissions::status.eq_any(from));
        let n = diesel::update(target)
            .set((
                submissions::status.eq(to),
                submissions::version.eq(version + 1),
                submissions::updated_at.eq(now),
            ))
            .execute(conn)?;
        if n == 0 {
            return Ok(false);
        }
        if let Some(m) = missing {
            diesel::update(submissions::table.find(id))
                .set((
                    submissions::missing.eq(m),
                    submissions::supplement_requests.eq(submissions::supplement_requests + 1),
                ))
                .execute(conn)?;
        }
        if let Some(r) = reason {
            diesel::update(submissions::table.find(id))
                .set(submissions::reason.eq(Some(r)))
                .execute(conn)?;
        }
        if let Some(d) = dossier_id {
            diesel::update(submissions::table.find(id))
                .set(submissions::dossier_id.eq(Some(d)))
                .execute(conn)?;
        }
        Ok(true)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn add_file(
        conn: &mut DbConnection,
        id: i64,
        position: i32,
        name: &str,
        form: &str,
        count: i32,
        file_id: i64,
        round: i32,
        now: NaiveDateTime,
    ) -> Result<(), AppError> {
        diesel::insert_into(submission_files::table)
            .values((
                submission_files::submission_id.eq(id),
                submission_files::position.eq(position),
                submission_files::name.eq(name),
                submission_files::form.eq(form),
                submission_files::count.eq(count),
                submission_files::file_id.eq(file_id),
                submission_files::round.eq(round),
                submission_files::added_at.eq(now),
            ))
            .execute(conn)?;
        Ok(())
    }

    pub fn files(conn: &mut DbConnection, id: i64) -> Result<Vec<SubmissionFile>, AppError> {
        let rows: Vec<(i32, String, String, i32, i32, NaiveDateTime, StoredFile)> =
            submission_files::table
                .inner_join(stored_files::table)
                .filter(submission_files::submission_id.eq(id))
                .order((
                    submission_files::round.asc(),
                    submission_files::position.asc(),
                ))
                .select((
                    submission_files::position,
                    submission_files::name,
                    submission_files::form,
                    submission_files::count,
                    submission_files::round,
                    submission_files::added_at,
                    StoredFile::as_select(),
                ))
                .load(conn)?;
        Ok(rows
            .into_iter()
            .map(
                |(position, name, form, count, round, added_at, file)| SubmissionFile {
                    position,
                    name,
                    form,
                    count,
                    round,
                    added_at,
                    file,
                },
            )
            .collect())
    }

    /// The submission a stored file belongs to, if any.
    pub fn of_file(conn: &mut DbConnection, file_id: i64) -> Result<Option<Submission>, AppError> {
        Ok(submission_files::table
            .inner_join(submissions::table)
            .filter(submission_files::file_id.eq(file_id))
            .select(Submission::as_select())
            .first(conn)
            .optional()?)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn add_event(
        conn: &mut DbConnection,
        id: i64,
        at: NaiveDateTime,
        user_id: Option<i64>,
        action: &str,
        from: Option<&str>,
        to: &str,
        note: &str,
    ) -> Result<(), AppError> {
        diesel::insert_into(submission_events::table)
            .values((
                submission_events::submission_id.eq(id),
                submission_events::at.eq(at),
                submission_events::user_id.eq(user_id),
                submission_events::action.eq(action),
                submission_events::from_status.eq(from),
                submission_events::to_status.eq(to),
                submission_events::note.eq(note),
            ))
            .execute(conn)?;
        Ok(())
    }

    pub fn events(conn: &mut DbConnection, id: i64) -> Result<Vec<SubmissionEvent>, AppError> {
        Ok(submission_events::table
            .filter(submission_events::submission_id.eq(id))
            .order(submission_events::id.asc())
            .select(SubmissionEvent::as_select())
            .load(conn)?)
    }

    /// The queue of `offices`: submissions in `statuses`, oldest first.
    pub fn queue(
        conn: &mut DbConnection,
        offices: &[i64],
        statuses: &[&str],
        limit: i64,
    ) -> Result<Vec<QueueRow>, AppError> {
        use super::schema::procedures;
        let rows: Vec<(Submission, String)> = submissions::table
            .inner_join(procedures::table)
            .filter(submissions::office_id.eq_any(offices))
            .filter(submissions::status.eq_any(statuses))
            .order((submissions::submitted_at.asc(), submissions::id.asc()))
            .limit(limit)
            .select((Submission::as_select(), procedures::name))
            .load(conn)?;
        let mut out = Vec::with_capacity(rows.len());
        for (submission, procedure) in rows {
            let files = submission_files::table
                .filter(submission_files::submission_id.eq(submission.id))
                .count()
                .get_result(conn)?;
            out.push(QueueRow {
                submission,
                procedure,
                files,
            });
        }
        Ok(out)
    }

    /// Submissions of `offices` that were not accepted in [from, to).
    pub fn rejected_between(
        conn: &mut DbConnection,
        offices: &[i64],
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> Result<i64, AppError> {
        Ok(submission_events::table
            .inner_join(submissions::table)
            .filter(submissions::office_id.eq_any(offices))
            .filter(submission_events::action.eq("reject_online"))
            .filter(submission_events::at.ge(from))
            .filter(submission_events::at.lt(to))
            .count()
            .get_result(conn)?)
    }
}
