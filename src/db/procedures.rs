//! The procedure catalog: procedures, their documents and their processing times.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{procedure_documents, procedure_times, procedures};
use super::DbConnection;
use crate::error::AppError;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = procedures)]
pub struct Procedure {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub field: String,
    pub result: String,
    pub fee: String,
    pub channels: String,
    pub return_methods: String,
    pub source: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = procedure_documents)]
pub struct ProcedureDocument {
    pub id: i64,
    pub procedure_id: i64,
    pub position: i32,
    pub name: String,
    pub form: String,
    pub count: i32,
    pub required: bool,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = procedure_times)]
pub struct ProcedureTime {
    pub id: i64,
    pub procedure_id: i64,
    pub working_days: i32,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    pub note: String,
}

/// The fields of a procedure as written.
pub struct ProcedureFields<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub field: &'a str,
    pub result: &'a str,
    pub fee: &'a str,
    pub channels: &'a str,
    pub return_methods: &'a str,
    pub source: &'a str,
    pub active: bool,
}

/// A document line as written.
pub struct DocumentFields<'a> {
    pub name: &'a str,
    pub form: &'a str,
    pub count: i32,
    pub required: bool,
}

/// A procedure with its documents (in order) and times.
#[derive(Debug, Clone)]
pub struct ProcedureFull {
    pub procedure: Procedure,
    pub documents: Vec<ProcedureDocument>,
    pub times: Vec<ProcedureTime>,
}

impl Procedure {
    pub fn find(conn: &mut DbConnection, id: i64) -> Result<Procedure, AppError> {
        Ok(procedures::table
            .find(id)
            .select(Procedure::as_select())
            .first(conn)?)
    }

    pub fn find_by_code(
        conn: &mut DbConnection,
        code: &str,
    ) -> Result<Option<Procedure>, AppError> {
        Ok(procedures::table
            .filter(procedures::code.eq(code))
            .select(Procedure::as_select())
            .first(conn)
            .optional()?)
    }

    /// Every procedure, without its documents and times, by name.
    pub fn all(conn: &mut DbConnection) -> Result<Vec<Procedure>, AppError> {
        Ok(procedures::table
            .select(Procedure::as_select())
            .order(procedures::name.asc())
            .load(conn)?)
    }

    /// Every procedure with its documents and times, by name; only active ones when asked.
    pub fn all_full(
        conn: &mut DbConnection,
        active_only: bool,
    ) -> Result<Vec<ProcedureFull>, AppError> {
        let mut query = procedures::table
            .select(Procedure::as_select())
            .into_boxed();
        if active_only {
            query = query.filter(procedures::active.eq(true));
        }
        let list: Vec<Procedure> = query.order(procedures::name.asc()).load(conn)?;
        let documents: Vec<ProcedureDocument> = procedure_documents::table
            .select(ProcedureDocument::as_select())
            .order((
                procedure_documents::procedure_id,
                procedure_documents::position,
            ))
            .load(conn)?;
        let times: Vec<ProcedureTime> = procedure_times::table
            .select(ProcedureTime::as_select())
            .order((procedure_times::procedure_id, procedure_times::id))
            .load(conn)?;
        Ok(list
            .into_iter()
            .map(|p| ProcedureFull {
                documents: documents
                    .iter()
                    .filter(|d| d.procedure_id == p.id)
                    .cloned()
                    .collect(),
                times: times
                    .iter()
                    .filter(|t| t.procedure_id == p.id)
                    .cloned()
                    .collect(),
                procedure: p,
            })
            .collect())
    }

    pub fn full_by_id(conn: &mut DbConnection, id: i64) -> Result<ProcedureFull, AppError> {
        let procedure = Procedure::find(conn, id)?;
        Procedure::full(conn, procedure)
    }

    pub fn full(conn: &mut DbConnection, procedure: Procedure) -> Result<ProcedureFull, AppError> {
        let documents = procedure_documents::table
            .filter(procedure_documents::procedure_id.eq(procedure.id))
            .select(ProcedureDocument::as_select())
            .order(procedure_documents::position)
            .load(conn)?;
        let times = procedure_times::table
            .filter(procedure_times::procedure_id.eq(procedure.id))
            .select(ProcedureTime::as_select())
            .order(procedure_times::id)
            .load(conn)?;
        Ok(ProcedureFull {
            procedure,
            documents,
            times,
        })
    }

    pub fn insert(
        conn: &mut DbConnection,
        f: &ProcedureFields<'_>,
        now: NaiveDateTime,
    ) -> Result<Procedure, AppError> {
        Ok(diesel::insert_into(procedures::table)
            .values((
                procedures::code.eq(f.code),
                procedures::name.eq(f.name),
                procedures::field.eq(f.field),
                procedures::result.eq(f.result),
                procedures::fee.eq(f.fee),
                procedures::channels.eq(f.channels),
                procedures::return_methods.eq(f.return_methods),
                procedures::source.eq(f.source),
                procedures::active.eq(f.active),
                procedures::created_at.eq(now),
                procedures::updated_at.eq(now),
            ))
            .get_result::<Procedure>(conn)?)
    }

    pub fn update(
        conn: &mut DbConnection,
        id: i64,
        f: &ProcedureFields<'_>,
        now: NaiveDateTime,
    ) -> Result<(), AppError> {
        diesel::update(procedures::table.find(id))
            .set((
                procedures::name.eq(f.name),
                procedures::field.eq(f.field),
                procedures::result.eq(f.result),
                procedures::fee.eq(f.fee),
                procedures::channels.eq(f.channels),
                procedures::return_methods.eq(f.return_methods),
                procedures::source.eq(f.source),
                procedures::active.eq(f.active),
                procedures::updated_at.eq(now),
            ))
            .execute(conn)?;
        Ok(())
    }

    /// Replaces the document list (dossiers keep their own copy of what was received).
    pub fn replace_documents(
        conn: &mut DbConnection,
        id: i64,
        docs: &[DocumentFields<'_>],
    ) -> Result<(), AppError> {
        diesel::delete(procedure_documents::table.filter(procedure_documents::procedure_id.eq(id)))
            .execute(conn)?;
        for (i, d) in docs.iter().enumerate() {
            diesel::insert_into(procedure_documents::table)
                .values((
                    procedure_documents::procedure_id.eq(id),
                    procedure_documents::position.eq(i as i32),
                    procedure_documents::name.eq(d.name),
                    procedure_documents::form.eq(d.form),
                    procedure_documents::count.eq(d.count),
                    procedure_documents::required.eq(d.required),
                ))
                .execute(conn)?;
        }
        Ok(())
    }

    pub fn add_time(
        conn: &mut DbConnection,
        id: i64,
        working_days: i32,
        valid_from: Option<NaiveDate>,
        valid_until: Option<NaiveDate>,
        note: &str,
    ) -> Result<(), AppError> {
        diesel::insert_into(procedure_times::table)
            .values((
                procedure_times::procedure_id.eq(id),
                procedure_times::working_days.eq(working_days),
                procedure_times::valid_from.eq(valid_from),
                procedure_times::valid_until.eq(valid_until),
                procedure_times::note.eq(note),
            ))
            .execute(conn)?;
        Ok(())
    }

    /// Ends a time period on `until` (inclusive).
    pub fn close_time(
        conn: &mut DbConnection,
        time_id: i64,
        until: NaiveDate,
    ) -> Result<(), AppError> {
        diesel::update(procedure_times::table.find(time_id))
            .set(procedure_times::valid_until.eq(Some(until)))
            .execute(conn)?;
        Ok(())
    }

    /// Removes periods that would start after `from` (a change of plan before they took effect).
    pub fn drop_times_from(
        conn: &mut DbConnection,
        id: i64,
        from: NaiveDate,
    ) -> Result<(), AppError> {
        diesel::delete(
            procedure_times::table
                .filter(procedure_times::procedure_id.eq(id))
                .filter(procedure_times::valid_from.ge(from)),
        )
        .execute(conn)?;
        Ok(())
    }
}

impl ProcedureFull {
    pub fn processing_times(&self) -> Vec<crate::domain::procedure::ProcessingTime> {
        self.times
            .iter()
            .map(|t| crate::domain::procedure::ProcessingTime {
                working_days: t.working_days.max(0) as u32,
                valid_from: t.valid_from,
                valid_until: t.valid_until,
            })
            .collect()
    }

    /// The legal time in force on `day`, in working days.
    pub fn working_days_on(&self, day: NaiveDate) -> Option<u32> {
        crate::domain::procedure::time_in_force(&self.processing_times(), day)
    }
}

/// A printable form attached to a procedure (without its bytes).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = super::schema::procedure_forms)]
pub struct ProcedureForm {
    pub id: i64,
    pub procedure_id: i64,
    pub title: String,
    pub file_name: String,
    pub content_type: String,
    pub sha256: String,
    pub size: i64,
    pub created_at: NaiveDateTime,
}

impl ProcedureForm {
    pub fn of(conn: &mut DbConnection, procedure_id: i64) -> Result<Vec<ProcedureForm>, AppError> {
        use super::schema::procedure_forms as f;
        Ok(f::table
            .filter(f::procedure_id.eq(procedure_id))
            .order(f::id.asc())
            .select(ProcedureForm::as_select())
            .load(conn)?)
    }

    /// The form and its bytes, when it belongs to `procedure_id`.
    pub fn with_bytes(
        conn: &mut DbConnection,
        procedure_id: i64,
        id: i64,
    ) -> Result<Option<(ProcedureForm, Vec<u8>)>, AppError> {
        use super::schema::procedure_forms as f;
        Ok(f::table
            .filter(f::procedure_id.eq(procedure_id))
            .filter(f::id.eq(id))
            .select((ProcedureForm::as_select(), f::bytes))
            .first(conn)
            .optional()?)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn insert(
        conn: &mut DbConnection,
        procedure_id: i64,
        title: &str,
        file_name: &str,
        content_type: &str,
        sha256: &str,
        bytes: &[u8],
        now: NaiveDateTime,
    ) -> Result<(), AppError> {
        use super::schema::procedure_forms as f;
        diesel::insert_into(f::table)
            .values((
                f::procedure_id.eq(procedure_id),
                f::title.eq(title),
                f::file_name.eq(file_name),
                f::content_type.eq(content_type),
                f::sha256.eq(sha256),
                f::size.eq(bytes.len() as i64),
                f::bytes.eq(bytes),
                f::created_at.eq(now),
            ))
            .execute(conn)?;
        Ok(())
    }

    pub fn delete(conn: &mut DbConnection, procedure_id: i64, id: i64) -> Result<usize, AppError> {
        use super::schema::procedure_forms as f;
        Ok(diesel::delete(
            f::table
                .filter(f::procedure_id.eq(procedure_id))
                .filter(f::id.eq(id)),
        )
        .execute(conn)?)
    }
}
