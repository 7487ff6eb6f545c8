//! Dossiers, their documents, their history and their due-date records.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{
    dossier_deadlines, dossier_documents, dossier_events, dossiers, offices, procedures, users,
};
use super::DbConnection;
use crate::error::AppError;

type DbBackend = <DbConnection as Connection>::Backend;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = dossiers)]
pub struct Dossier {
    pub id: i64,
    pub code: String,
    pub office_id: i64,
    pub procedure_id: i64,
    pub working_days: i32,
    pub channel: String,
    pub status: String,
    pub outcome: Option<String>,
    pub voided: bool,
    pub void_reason: Option<String>,
    pub version: i32,
    pub applicant_kind: String,
    pub applicant_name: String,
    pub applicant_folded: String,
    pub representative: Option<String>,
    pub id_number: Option<String>,
    pub phone: String,
    pub email: Option<String>,
    pub address: String,
    pub return_method: String,
    pub postal_address: Option<String>,
    pub note: String,
    pub sets: i32,
    pub received_at: NaiveDateTime,
    pub postmarked_on: Option<NaiveDate>,
    pub postal_record: Option<String>,
    pub effective_day: NaiveDate,
    pub due_date: Option<NaiveDate>,
    pub original_due_date: Option<NaiveDate>,
    pub supplement_requests: i32,
    pub decided_at: Option<NaiveDateTime>,
    pub assignee_id: Option<i64>,
    pub register_year: i32,
    pub register_number: i32,
    pub lookup_token: String,
    pub fee_amount: Option<i64>,
    pub fee_receipt: Option<String>,
    pub received_by: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub extended: bool,
    pub extension_reason: Option<String>,
    pub extended_at: Option<NaiveDateTime>,
    pub late_supplement: bool,
    pub result_number: Option<String>,
    pub result_date: Option<NaiveDate>,
    pub result_signer: Option<String>,
    pub result_summary: Option<String>,
    pub closing_reason: Option<String>,
    pub delivered_at: Option<NaiveDateTime>,
    pub recipient_name: Option<String>,
    pub recipient_id_number: Option<String>,
    pub recipient_authorisation: Option<String>,
    pub tracking_number: Option<String>,
    pub postage: Option<i64>,
    pub shipment_id: Option<i64>,
    pub postal_returns: i32,
    pub intake_id: Option<i64>,
    pub postal_slip: Option<String>,
    /// When the applicant withdrew it.
    pub withdrawn_at: Option<NaiveDateTime>,
    /// `early`, `on_time` or `late`, fixed when the result is decided.
    pub timeliness: Option<String>,
    /// Whether the applicant agreed to news by email and SMS.
    pub notify: bool,
    /// When the retention purge erased the applicant's details.
    pub personal_data_purged_at: Option<NaiveDateTime>,
}

/// What an action changes on a dossier: `None` leaves a column alone,
/// `Some(None)` empties it.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = dossiers)]
pub struct DossierChanges {
    pub status: Option<String>,
    pub outcome: Option<Option<String>>,
    pub assignee_id: Option<Option<i64>>,
    pub effective_day: Option<NaiveDate>,
    pub due_date: Option<Option<NaiveDate>>,
    pub original_due_date: Option<Option<NaiveDate>>,
    pub supplement_requests: Option<i32>,
    pub late_supplement: Option<bool>,
    pub decided_at: Option<Option<NaiveDateTime>>,
    pub extended: Option<bool>,
    pub extension_reason: Option<Option<String>>,
    pub extended_at: Option<Option<NaiveDateTime>>,
    pub result_number: Option<Option<String>>,
    pub result_date: Option<Option<NaiveDate>>,
    pub result_signer: Option<Option<String>>,
    pub result_summary: Option<Option<String>>,
    pub closing_reason: Option<Option<String>>,
    pub delivered_at: Option<Option<NaiveDateTime>>,
    pub recipient_name: Option<Option<String>>,
    pub recipient_id_number: Option<Option<String>>,
    pub recipient_authorisation: Option<Option<String>>,
    pub tracking_number: Option<Option<String>>,
    pub postage: Option<Option<i64>>,
    pub shipment_id: Option<Option<i64>>,
    pub postal_returns: Option<i32>,
    pub withdrawn_at: Option<Option<NaiveDateTime>>,
    pub timeliness: Option<Option<String>>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = dossiers)]
// None is NULL for every optional column here (none has another default), and
// the statement keeps one shape, so it is prepared once per connection.
#[diesel(treat_none_as_default_value = false)]
pub struct NewDossier<'a> {
    pub code: &'a str,
    pub office_id: i64,
    pub procedure_id: i64,
    pub working_days: i32,
    pub channel: &'a str,
    pub status: &'a str,
    pub voided: bool,
    pub version: i32,
    pub applicant_kind: &'a str,
    pub applicant_name: &'a str,
    pub applicant_folded: &'a str,
    pub representative: Option<&'a str>,
    pub id_number: Option<&'a str>,
    pub phone: &'a str,
    pub email: Option<&'a str>,
    pub address: &'a str,
    pub return_method: &'a str,
    pub postal_address: Option<&'a str>,
    pub note: &'a str,
    pub sets: i32,
    pub received_at: NaiveDateTime,
    pub postmarked_on: Option<NaiveDate>,
    pub postal_record: Option<&'a str>,
    pub effective_day: NaiveDate,
    pub due_date: Option<NaiveDate>,
    pub original_due_date: Option<NaiveDate>,
    pub supplement_requests: i32,
    pub register_year: i32,
    pub register_number: i32,
    pub lookup_token: &'a str,
    pub fee_amount: Option<i64>,
    pub fee_receipt: Option<&'a str>,
    pub received_by: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub intake_id: Option<i64>,
    pub postal_slip: Option<&'a str>,
    pub notify: bool,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = dossier_documents)]
pub struct DossierDocument {
    pub id: i64,
    pub dossier_id: i64,
    pub position: i32,
    pub name: String,
    pub form: String,
    pub count: i32,
}

/// One entry of a dossier's history, with who did it.
#[derive(Debug, Clone, Queryable)]
pub struct DossierEvent {
    pub at: NaiveDateTime,
    pub username: String,
    pub full_name: String,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub note: String,
    /// The due date in force when the action was taken.
    pub due_date: Option<NaiveDate>,
    pub user_id: i64,
    /// The officer the dossier was assigned to after the action.
    pub assignee_id: Option<i64>,
}

/// How a due date was reached, as recorded.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = dossier_deadlines)]
pub struct DeadlineRecord {
    pub id: i64,
    pub dossier_id: i64,
    pub at: NaiveDateTime,
    pub user_id: i64,
    pub cause: String,
    pub basis_at: NaiveDateTime,
    pub working_days: i32,
    pub effective_day: NaiveDate,
    pub due_date: NaiveDate,
    pub counted: String,
    pub skipped: String,
}

/// A line of a dossier list.
#[derive(Debug, Clone, Queryable)]
pub struct DossierRow {
    pub dossier: Dossier,
    pub procedure_code: String,
    pub procedure_name: String,
    pub office_code: String,
    pub office_name: String,
}

/// (office, assignee, procedure): what the counts of a list group by.
pub type GroupKey = (i64, Option<i64>, i64);

/// What a dossier list shows; every field narrows it.
#[derive(Debug, Clone, Default)]
pub struct DossierFilter {
    /// The offices whose dossiers may be seen (the user's subtree).
    pub office_ids: Vec<i64>,
    pub status: Option<String>,
    pub procedure_id: Option<i64>,
    pub channel: Option<String>,
    /// Code, folded applicant name, ID number or phone contains it.
    pub q: Option<String>,
    pub received_from: Option<NaiveDateTime>,
    pub received_before: Option<NaiveDateTime>,
    /// Open and due before this day.
    pub overdue_as_of: Option<NaiveDate>,
    pub register_year: Option<i32>,
    pub include_voided: bool,
    pub assignee_id: Option<i64>,
    pub unassigned: bool,
    pub open_only: bool,
    /// Soonest due first (work lists) instead of newest first.
    pub by_due_date: bool,
    /// Open and due on or before this day (overdue and due soon).
    pub due_on_or_before: Option<NaiveDate>,
    /// Due on or after this day (not yet overdue).
    pub due_from: Option<NaiveDate>,
    /// Results the post brought back, waiting at the counter.
    pub returned_by_post: bool,
}

const OPEN: [&str; 4] = [
    "received",
    "in_progress",
    "awaiting_supplement",
    "awaiting_approval",
];

/// `%`, `_` and `\\` typed in a search match themselves.
pub fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// The FTS5 query that finds any of `terms` as a substring (trigram
/// tokenizer), or `None` when a term is too short for trigrams.
fn trigram_query(terms: &[&str]) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for t in terms {
        if t.chars().count() < 3 {
            return None;
        }
        let quoted = format!("\"{}\"", t.replace('"', "\"\""));
        if !parts.contains(&quoted) {
            parts.push(quoted);
        }
    }
    (!parts.is_empty()).then(|| parts.join(" OR "))
}

/// The FTS5 query that finds dossiers where each typed word starts a word
/// (of the code, its tail, the folded name, the ID number or the phone).
fn words_query(q: &str) -> Option<String> {
    // The tokenizer's words: letters and digits (and '-', kept inside codes);
    // anything else separates them, so it never reaches the query syntax.
    let folded: String = crate::domain::procedure::fold(q)
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' {
                c
            } else {
                ' '
            }
        })
        .collect();
    let words: Vec<String> = folded
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .map(|w| format!("\"{w}\"*"))
        .collect();
    (!words.is_empty()).then(|| words.join(" AND "))
}

/// How a search is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Search {
    /// `LIKE` conditions only (PostgreSQL, whose trigram indexes serve them).
    Like,
    /// SQLite: each typed word starts a word (`dossier_words`), the fast path.
    Words,
    /// SQLite: any substring, narrowed by the trigram index `dossier_search`.
    Trigram,
}

/// The ways to try a search on `conn`, in order: the next only when the one
/// before found nothing.
fn searches(conn: &DbConnection, f: &DossierFilter) -> &'static [Search] {
    let typed = f.q.as_deref().is_some_and(|q| !q.trim().is_empty());
    // Digits alone (an ID number, a phone, or part of one) are looked for
    // anywhere, as people type the last digits too; a code tail has its '-'.
    let digits = f.q.as_deref().is_some_and(|q| {
        q.chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '.' | '+'))
            .all(|c| c.is_ascii_digit())
    });
    match conn {
        DbConnection::Sqlite(_) if typed && digits => &[Search::Trigram],
        DbConnection::Sqlite(_) if typed => &[Search::Words, Search::Trigram],
        DbConnection::Sqlite(_) => &[Search::Trigram],
        DbConnection::Postgresql(_) => &[Search::Like],
    }
}

/// The dossiers `f` selects, a search answered as `search` says.
fn filtered(f: &DossierFilter, search: Search) -> dossiers::BoxedQuery<'static, DbBackend> {
    let typed = f.q.as_deref().is_some_and(|q| !q.trim().is_empty());
    let mut query = if typed && search != Search::Like {
        // On SQLite a search starts from the full-text index: the office list
        // as an expression keeps the planner off the office index, which
        // would visit every dossier of the offices.
        dossiers::table
            .filter((dossiers::office_id + 0i64).eq_any(f.office_ids.clone()))
            .into_boxed()
    } else {
        dossiers::table
            .filter(dossiers::office_id.eq_any(f.office_ids.clone()))
            .into_boxed()
    };
    if !f.include_voided {
        query = query.filter(dossiers::voided.eq(false));
    }
    if let Some(s) = &f.status {
        query = query.filter(dossiers::status.eq(s.clone()));
    }
    if let Some(p) = f.procedure_id {
        query = query.filter(dossiers::procedure_id.eq(p));
    }
    if let Some(c) = &f.channel {
        query = query.filter(dossiers::channel.eq(c.clone()));
    }
    if let Some(from) = f.received_from {
        query = query.filter(dossiers::received_at.ge(from));
    }
    if let Some(before) = f.received_before {
        query = query.filter(dossiers::received_at.lt(before));
    }
    if let Some(year) = f.register_year {
        query = query.filter(dossiers::register_year.eq(year));
    }
    if let Some(a) = f.assignee_id {
        query = query.filter(dossiers::assignee_id.eq(a));
    }
    if f.unassigned {
        query = query.filter(dossiers::assignee_id.is_null());
    }
    if f.open_only {
        query = query.filter(dossiers::status.eq_any(OPEN));
    }
    if let Some(day) = f.overdue_as_of {
        query = query
            .filter(dossiers::status.eq_any(OPEN))
            .filter(dossiers::due_date.lt(day));
    }
    if let Some(day) = f.due_on_or_before {
        query = query
            .filter(dossiers::status.eq_any(OPEN))
            .filter(dossiers::due_date.le(day));
    }
    if let Some(day) = f.due_from {
        query = query.filter(dossiers::due_date.ge(day));
    }
    if f.returned_by_post {
        query = query
            .filter(dossiers::status.eq("result_ready"))
            .filter(dossiers::postal_returns.gt(0));
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let folded = format!("%{}%", like_escape(&crate::domain::procedure::fold(q)));
        let code = format!("%{}%", like_escape(&q.to_uppercase()));
        let compact: String = q
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-'))
            .collect();
        let digits = match compact.strip_prefix("+84") {
            Some(rest) => format!("0{rest}"),
            None => compact,
        };
        let code_text = q.to_uppercase();
        let folded_text = crate::domain::procedure::fold(q);
        let is_digits = digits.len() >= 4 && digits.chars().all(|c| c.is_ascii_digit());
        let terms: Vec<&str> = if is_digits {
            vec![code_text.as_str(), digits.as_str()]
        } else {
            vec![code_text.as_str(), folded_text.as_str()]
        };
        if search == Search::Words {
            if let Some(fts) = words_query(q) {
                return query.filter(
                    diesel::dsl::sql::<diesel::sql_types::Bool>(
                        "dossiers.id IN (SELECT rowid FROM dossier_words WHERE dossier_words MATCH ",
                    )
                    .bind::<diesel::sql_types::Text, _>(fts)
                    .sql(")"),
                );
            }
        }
        if search == Search::Trigram {
            if let Some(fts) = trigram_query(&terms) {
                query = query.filter(
                    diesel::dsl::sql::<diesel::sql_types::Bool>(
                        "dossiers.id IN (SELECT rowid FROM dossier_search WHERE dossier_search MATCH ",
                    )
                    .bind::<diesel::sql_types::Text, _>(fts)
                    .sql(")"),
                );
            }
        }
        if is_digits {
            let pattern = format!("%{digits}%");
            query = query.filter(
                dossiers::code
                    .like(code)
                    .escape('\\')
                    .or(dossiers::id_number.like(pattern.clone()))
                    .or(dossiers::phone.like(pattern)),
            );
        } else {
            query = query.filter(
                dossiers::code
                    .like(code)
                    .escape('\\')
                    .or(dossiers::applicant_folded.like(folded).escape('\\')),
            );
        }
    }
    query
}

impl Dossier {
    pub fn insert(conn: &mut DbConnection, new: &NewDossier<'_>) -> Result<Dossier, AppError> {
        Ok(diesel::insert_into(dossiers::table)
            .values(new)
            .get_result::<Dossier>(conn)?)
    }

    pub fn find(conn: &mut DbConnection, id: i64) -> Result<Dossier, AppError> {
        Ok(dossiers::table
            .find(id)
            .select(Dossier::as_select())
            .first(conn)?)
    }

    pub fn find_by_code(conn: &mut DbConnection, code: &str) -> Result<Option<Dossier>, AppError> {
        Ok(dossiers::table
            .filter(dossiers::code.eq(code))
            .select(Dossier::as_select())
            .first(conn)
            .optional()?)
    }

    /// Whether a dossier has the code `code`.
    pub fn code_taken(conn: &mut DbConnection, code: &str) -> Result<bool, AppError> {
        Ok(dossiers::table
            .filter(dossiers::code.eq(code))
            .select(dossiers::id)
            .first::<i64>(conn)
            .optional()?
            .is_some())
    }

    /// The highest sequence number among the codes starting with `prefix`
    /// (`<office>-<YYMMDD>-`), 0 when there is none.
    pub fn highest_sequence_with_prefix(
        conn: &mut DbConnection,
        prefix: &str,
    ) -> Result<i64, AppError> {
        let codes: Vec<String> = dossiers::table
            .filter(
                dossiers::code
                    .like(format!("{}%", like_escape(prefix)))
                    .escape('\\'),
            )
            .select(dossiers::code)
            .load(conn)?;
        Ok(codes
            .iter()
            .filter_map(|c| c.strip_prefix(prefix)?.parse::<i64>().ok())
            .max()
            .unwrap_or(0))
    }

    pub fn find_by_token(
        conn: &mut DbConnection,
        token: &str,
    ) -> Result<Option<Dossier>, AppError> {
        Ok(dossiers::table
            .filter(dossiers::lookup_token.eq(token))
            .select(Dossier::as_select())
            .first(conn)
            .optional()?)
    }

    /// One page of the dossiers matching `f`, newest first, and how many match.
    pub fn list(
        conn: &mut DbConnection,
        f: &DossierFilter,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<DossierRow>, i64), AppError> {
        let mut search = Search::Like;
        let mut total = 0;
        for s in searches(conn, f) {
            search = *s;
            total = filtered(f, search).count().get_result(conn)?;
            if total > 0 {
                break;
            }
        }
        let query = filtered(f, search).select(dossiers::id);
        let query = if f.by_due_date {
            query.order((
                dossiers::due_date.is_null(),
                dossiers::due_date.asc(),
                dossiers::received_at.asc(),
            ))
        } else {
            query.order((dossiers::received_at.desc(), dossiers::id.desc()))
        };
        let ids: Vec<i64> = query.offset(offset).limit(limit).load(conn)?;
        let rows = Self::rows(conn, &ids)?;
        Ok((rows, total))
    }

    /// How many dossiers match `f`, by office, assignee and procedure
    /// (for lists of open dossiers, which stay small).
    pub fn group_counts(
        conn: &mut DbConnection,
        f: &DossierFilter,
    ) -> Result<Vec<(GroupKey, i64)>, AppError> {
        let search = searches(conn, f).last().copied().unwrap_or(Search::Like);
        let keys: Vec<GroupKey> = filtered(f, search)
            .select((
                dossiers::office_id,
                dossiers::assignee_id,
                dossiers::procedure_id,
            ))
            .load(conn)?;
        let mut counts = std::collections::BTreeMap::new();
        for k in keys {
            *counts.entry(k).or_insert(0i64) += 1;
        }
        Ok(counts.into_iter().collect())
    }

    /// The register (Mẫu 06): oldest first, by register line.
    pub fn register(
        conn: &mut DbConnection,
        f: &DossierFilter,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<DossierRow>, i64), AppError> {
        let search = searches(conn, f).last().copied().unwrap_or(Search::Like);
        let total: i64 = filtered(f, search).count().get_result(conn)?;
        let ids: Vec<i64> = filtered(f, search)
            .select(dossiers::id)
            .order((
                dossiers::register_year.asc(),
                dossiers::register_number.asc(),
                dossiers::id.asc(),
            ))
            .offset(offset)
            .limit(limit)
            .load(conn)?;
        let rows = Self::rows(conn, &ids)?;
        Ok((rows, total))
    }

    /// Rows for `ids`, in the order given.
    pub fn rows(conn: &mut DbConnection, ids: &[i64]) -> Result<Vec<DossierRow>, AppError> {
        let mut rows: Vec<DossierRow> = Vec::with_capacity(ids.len());
        // Under SQLite's 32,766 bound values per statement.
        for chunk in ids.chunks(10_000) {
            rows.extend(
                dossiers::table
                    .inner_join(procedures::table)
                    .inner_join(offices::table)
                    .filter(dossiers::id.eq_any(chunk.to_vec()))
                    .select((
                        Dossier::as_select(),
                        procedures::code,
                        procedures::name,
                        offices::code,
                        offices::name,
                    ))
                    .load::<DossierRow>(conn)?,
            );
        }
        let order: std::collections::HashMap<i64, usize> =
            ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        rows.sort_by_key(|r| order.get(&r.dossier.id).copied().unwrap_or(usize::MAX));
        Ok(rows)
    }

    pub fn documents(conn: &mut DbConnection, id: i64) -> Result<Vec<DossierDocument>, AppError> {
        Ok(dossier_documents::table
            .filter(dossier_documents::dossier_id.eq(id))
            .select(DossierDocument::as_select())
            .order(dossier_documents::position.asc())
            .load(conn)?)
    }

    pub fn add_document(
        conn: &mut DbConnection,
        id: i64,
        position: i32,
        name: &str,
        form: &str,
        count: i32,
    ) -> Result<(), AppError> {
        diesel::insert_into(dossier_documents::table)
            .values((
                dossier_documents::dossier_id.eq(id),
                dossier_documents::position.eq(position),
                dossier_documents::name.eq(name),
                dossier_documents::form.eq(form),
                dossier_documents::count.eq(count),
            ))
            .execute(conn)?;
        Ok(())
    }

    pub fn events(conn: &mut DbConnection, id: i64) -> Result<Vec<DossierEvent>, AppError> {
        Ok(dossier_events::table
            .inner_join(users::table)
            .filter(dossier_events::dossier_id.eq(id))
            .select((
                dossier_events::at,
                users::username,
                users::full_name,
                dossier_events::action,
                dossier_events::from_status,
                dossier_events::to_status,
                dossier_events::note,
                dossier_events::due_date,
                dossier_events::user_id,
                dossier_events::assignee_id,
            ))
            .order(dossier_events::id.asc())
            .load(conn)?)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn add_event(
        conn: &mut DbConnection,
        id: i64,
        at: NaiveDateTime,
        user_id: i64,
        action: &str,
        from: Option<&str>,
        to: &str,
        note: &str,
    ) -> Result<(), AppError> {
        Self::add_event_with(conn, id, at, user_id, action, from, to, note, None, None)
    }

    /// An event with the due date in force then and the assignee after it.
    #[allow(clippy::too_many_arguments)]
    pub fn add_event_with(
        conn: &mut DbConnection,
        id: i64,
        at: NaiveDateTime,
        user_id: i64,
        action: &str,
        from: Option<&str>,
        to: &str,
        note: &str,
        due_date: Option<NaiveDate>,
        assignee_id: Option<i64>,
    ) -> Result<(), AppError> {
        diesel::insert_into(dossier_events::table)
            .values((
                dossier_events::dossier_id.eq(id),
                dossier_events::at.eq(at),
                dossier_events::user_id.eq(user_id),
                dossier_events::action.eq(action),
                dossier_events::from_status.eq(from),
                dossier_events::to_status.eq(to),
                dossier_events::note.eq(note),
                dossier_events::due_date.eq(due_date),
                dossier_events::assignee_id.eq(assignee_id),
            ))
            .execute(conn)?;
        Ok(())
    }

    pub fn deadlines(conn: &mut DbConnection, id: i64) -> Result<Vec<DeadlineRecord>, AppError> {
        Ok(dossier_deadlines::table
            .filter(dossier_deadlines::dossier_id.eq(id))
            .select(DeadlineRecord::as_select())
            .order(dossier_deadlines::id.asc())
            .load(conn)?)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn add_deadline(
        conn: &mut DbConnection,
        id: i64,
        at: NaiveDateTime,
        user_id: i64,
        cause: &str,
        basis_at: NaiveDateTime,
        working_days: i32,
        effective_day: NaiveDate,
        due_date: NaiveDate,
        counted: &str,
        skipped: &str,
    ) -> Result<(), AppError> {
        diesel::insert_into(dossier_deadlines::table)
            .values((
                dossier_deadlines::dossier_id.eq(id),
                dossier_deadlines::at.eq(at),
                dossier_deadlines::user_id.eq(user_id),
                dossier_deadlines::cause.eq(cause),
                dossier_deadlines::basis_at.eq(basis_at),
                dossier_deadlines::working_days.eq(working_days),
                dossier_deadlines::effective_day.eq(effective_day),
                dossier_deadlines::due_date.eq(due_date),
                dossier_deadlines::counted.eq(counted),
                dossier_deadlines::skipped.eq(skipped),
            ))
            .execute(conn)?;
        Ok(())
    }

    /// Replaces the applicant's details; bumps the version.
    #[allow(clippy::too_many_arguments)]
    pub fn update_applicant(
        conn: &mut DbConnection,
        id: i64,
        kind: &str,
        name: &str,
        folded: &str,
        representative: Option<&str>,
        id_number: Option<&str>,
        phone: &str,
        email: Option<&str>,
        address: &str,
        now: NaiveDateTime,
    ) -> Result<(), AppError> {
        diesel::update(dossiers::table.find(id))
            .set((
                dossiers::applicant_kind.eq(kind),
                dossiers::applicant_name.eq(name),
                dossiers::applicant_folded.eq(folded),
                dossiers::representative.eq(representative),
                dossiers::id_number.eq(id_number),
                dossiers::phone.eq(phone),
                dossiers::email.eq(email),
                dossiers::address.eq(address),
                dossiers::version.eq(dossiers::version + 1),
                dossiers::updated_at.eq(now),
            ))
            .execute(conn)?;
        Ok(())
    }

    pub fn void(
        conn: &mut DbConnection,
        id: i64,
        reason: &str,
        now: NaiveDateTime,
    ) -> Result<(), AppError> {
        diesel::update(dossiers::table.find(id))
            .set((
                dossiers::voided.eq(true),
                dossiers::void_reason.eq(reason),
                dossiers::version.eq(dossiers::version + 1),
                dossiers::updated_at.eq(now),
            ))
            .execute(conn)?;
        Ok(())
    }

    pub fn assignee_username(&self, conn: &mut DbConnection) -> Result<Option<String>, AppError> {
        match self.assignee_id {
            None => Ok(None),
            Some(uid) => Ok(users::table
                .find(uid)
                .select(users::username)
                .first(conn)
                .optional()?),
        }
    }

    /// Takes the dossier's row for this transaction if it is still at
    /// `version` (a row lock on PostgreSQL until commit; SQLite's write lock
    /// is already held), without changing it; false when someone else
    /// changed it first.
    pub fn claim(
        conn: &mut DbConnection,
        id: i64,
        version: i32,
        now: NaiveDateTime,
    ) -> Result<bool, AppError> {
        let n = diesel::update(
            dossiers::table
                .filter(dossiers::id.eq(id))
                .filter(dossiers::version.eq(version)),
        )
        .set(dossiers::updated_at.eq(now))
        .execute(conn)?;
        Ok(n == 1)
    }

    /// Applies `changes` if the dossier is still at `version`, bumping it;
    /// false when someone else changed it first.
    pub fn apply(
        conn: &mut DbConnection,
        id: i64,
        version: i32,
        changes: &DossierChanges,
        now: NaiveDateTime,
    ) -> Result<bool, AppError> {
        let n = diesel::update(
            dossiers::table
                .filter(dossiers::id.eq(id))
                .filter(dossiers::version.eq(version)),
        )
        .set((
            changes,
            dossiers::version.eq(version + 1),
            dossiers::updated_at.eq(now),
        ))
        .execute(conn)?;
        Ok(n == 1)
    }

    /// The dossiers handed to the postal worker on one list.
    pub fn of_shipment(conn: &mut DbConnection, shipment: i64) -> Result<Vec<Dossier>, AppError> {
        Ok(dossiers::table
            .filter(dossiers::shipment_id.eq(shipment))
            .select(Dossier::as_select())
            .order(dossiers::code.asc())
            .load(conn)?)
    }

    /// The dossiers in transit with this tracking number, among `office_ids`
    /// (all offices when empty).
    pub fn in_transit_by_tracking(
        conn: &mut DbConnection,
        tracking: &str,
        office_ids: &[i64],
    ) -> Result<Vec<Dossier>, AppError> {
        let mut query = dossiers::table
            .filter(dossiers::tracking_number.eq(tracking))
            .filter(dossiers::status.eq("in_transit"))
            .select(Dossier::as_select())
            .into_boxed();
        if !office_ids.is_empty() {
            query = query.filter(dossiers::office_id.eq_any(office_ids.to_vec()));
        }
        Ok(query.load(conn)?)
    }

    /// Open dossiers that have a due date (for calendar corrections).
    pub fn open_with_due_date(conn: &mut DbConnection) -> Result<Vec<Dossier>, AppError> {
        Ok(dossiers::table
            .filter(dossiers::status.eq_any(OPEN))
            .filter(dossiers::due_date.is_not_null())
            .filter(dossiers::voided.eq(false))
            .select(Dossier::as_select())
            .load(conn)?)
    }

    /// Codes of the dossiers of one office received on one day, in order.
    pub fn codes_with_prefix(
        conn: &mut DbConnection,
        prefix: &str,
    ) -> Result<Vec<String>, AppError> {
        Ok(dossiers::table
            .filter(dossiers::code.like(format!("{prefix}%")))
            .select(dossiers::code)
            .order(dossiers::code.asc())
            .load(conn)?)
    }
}

/// A due date moved by a calendar correction.
#[derive(Debug, Clone, Queryable)]
pub struct CalendarMove {
    pub event_id: i64,
    pub dossier_id: i64,
    pub code: String,
    pub applicant_name: String,
    pub phone: String,
    pub status: String,
    pub at: NaiveDateTime,
    /// The due date before the move.
    pub before: Option<NaiveDate>,
    /// The due date after the move.
    #[diesel(deserialize_as = Option<NaiveDate>)]
    pub after: Option<NaiveDate>,
}

/// The due dates of `office_ids` moved by calendar corrections since `since`,
/// newest first (at most 1,000).
pub fn calendar_moves_since(
    conn: &mut DbConnection,
    office_ids: &[i64],
    since: NaiveDateTime,
) -> Result<Vec<CalendarMove>, AppError> {
    use super::schema::{dossier_deadlines, dossier_events, dossiers};
    let mut moves: Vec<CalendarMove> = dossier_events::table
        .inner_join(dossiers::table)
        .filter(dossier_events::action.eq("recompute"))
        .filter(dossier_events::at.ge(since))
        .filter(dossiers::office_id.eq_any(office_ids.to_vec()))
        .select((
            dossier_events::id,
            dossiers::id,
            dossiers::code,
            dossiers::applicant_name,
            dossiers::phone,
            dossiers::status,
            dossier_events::at,
            dossier_events::due_date,
            dossier_events::due_date,
        ))
        .order(dossier_events::id.desc())
        .limit(1000)
        .load(conn)?;
    let ids: Vec<i64> = moves.iter().map(|m| m.dossier_id).collect();
    // Each move wrote one event and one `calendar` computation, in the same
    // order: the k-th of a dossier's events goes with its k-th computation.
    let computed: Vec<(i64, NaiveDate)> = dossier_deadlines::table
        .filter(dossier_deadlines::cause.eq("calendar"))
        .filter(dossier_deadlines::at.ge(since))
        .filter(dossier_deadlines::dossier_id.eq_any(ids))
        .select((dossier_deadlines::dossier_id, dossier_deadlines::due_date))
        .order(dossier_deadlines::id.asc())
        .load(conn)?;
    let mut by_dossier: std::collections::HashMap<i64, Vec<NaiveDate>> =
        std::collections::HashMap::new();
    for (id, due) in computed {
        by_dossier.entry(id).or_default().push(due);
    }
    moves.sort_by_key(|m| m.event_id);
    let mut seen: std::collections::HashMap<i64, usize> = std::collections::HashMap::new();
    for m in &mut moves {
        let k = seen.entry(m.dossier_id).or_default();
        m.after = by_dossier
            .get(&m.dossier_id)
            .and_then(|v| v.get(*k))
            .copied();
        *k += 1;
    }
    moves.reverse();
    Ok(moves)
}

/// A whole dossier as a bulk load writes it (`motcua generate`), with the
/// columns a reception leaves empty and later actions fill.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = dossiers, treat_none_as_default_value = false)]
pub struct BulkDossier {
    pub code: String,
    pub office_id: i64,
    pub procedure_id: i64,
    pub working_days: i32,
    pub channel: String,
    pub status: String,
    pub outcome: Option<String>,
    pub voided: bool,
    pub version: i32,
    pub applicant_kind: String,
    pub applicant_name: String,
    pub applicant_folded: String,
    pub id_number: Option<String>,
    pub phone: String,
    pub address: String,
    pub return_method: String,
    pub note: String,
    pub sets: i32,
    pub received_at: NaiveDateTime,
    pub effective_day: NaiveDate,
    pub due_date: Option<NaiveDate>,
    pub original_due_date: Option<NaiveDate>,
    pub supplement_requests: i32,
    pub decided_at: Option<NaiveDateTime>,
    pub assignee_id: Option<i64>,
    pub register_year: i32,
    pub register_number: i32,
    pub lookup_token: String,
    pub received_by: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub extended: bool,
    pub late_supplement: bool,
    pub result_number: Option<String>,
    pub result_date: Option<NaiveDate>,
    pub result_signer: Option<String>,
    pub delivered_at: Option<NaiveDateTime>,
    pub recipient_name: Option<String>,
    pub postal_returns: i32,
    pub withdrawn_at: Option<NaiveDateTime>,
    pub timeliness: Option<String>,
    pub closing_reason: Option<String>,
    pub notify: bool,
}

/// One history line of a bulk load.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = dossier_events, treat_none_as_default_value = false)]
pub struct BulkEvent {
    pub dossier_id: i64,
    pub at: NaiveDateTime,
    pub user_id: i64,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub note: String,
    pub due_date: Option<NaiveDate>,
    pub assignee_id: Option<i64>,
}

/// One due-date record of a bulk load.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = dossier_deadlines, treat_none_as_default_value = false)]
pub struct BulkDeadline {
    pub dossier_id: i64,
    pub at: NaiveDateTime,
    pub user_id: i64,
    pub cause: String,
    pub basis_at: NaiveDateTime,
    pub working_days: i32,
    pub effective_day: NaiveDate,
    pub due_date: NaiveDate,
    pub counted: String,
    pub skipped: String,
}

/// One document line of a bulk load.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = dossier_documents, treat_none_as_default_value = false)]
pub struct BulkDocument {
    pub dossier_id: i64,
    pub position: i32,
    pub name: String,
    pub form: String,
    pub count: i32,
}

/// Inserts `rows` in one statement per chunk, on the backend's own
/// connection (batch inserts are per backend in diesel).
macro_rules! batch_insert {
    ($conn:expr, $table:expr, $rows:expr) => {
        match $conn {
            DbConnection::Postgresql(c) => diesel::insert_into($table).values($rows).execute(c),
            DbConnection::Sqlite(c) => diesel::insert_into($table).values($rows).execute(c),
        }
    };
}

/// Writes a batch of dossiers; their ids by code.
pub fn bulk_insert(
    conn: &mut DbConnection,
    rows: &[BulkDossier],
) -> Result<Vec<(String, i64)>, AppError> {
    let mut out = Vec::with_capacity(rows.len());
    // Under the bind limits of both backends (SQLite 32,766; PostgreSQL 65,535).
    for chunk in rows.chunks(400) {
        batch_insert!(conn, dossiers::table, chunk)?;
        let codes: Vec<&str> = chunk.iter().map(|r| r.code.as_str()).collect();
        let ids: Vec<(String, i64)> = dossiers::table
            .filter(dossiers::code.eq_any(codes))
            .select((dossiers::code, dossiers::id))
            .load(conn)?;
        out.extend(ids);
    }
    Ok(out)
}

/// Writes a batch of history lines, due-date records and documents.
pub fn bulk_insert_details(
    conn: &mut DbConnection,
    events: &[BulkEvent],
    deadlines: &[BulkDeadline],
    documents: &[BulkDocument],
) -> Result<(), AppError> {
    for chunk in events.chunks(2000) {
        batch_insert!(conn, dossier_events::table, chunk)?;
    }
    for chunk in deadlines.chunks(2000) {
        batch_insert!(conn, dossier_deadlines::table, chunk)?;
    }
    for chunk in documents.chunks(4000) {
        batch_insert!(conn, dossier_documents::table, chunk)?;
    }
    Ok(())
}

/// Dossiers received so far by each office (its code), for `/metrics`.
pub fn received_per_office(conn: &mut DbConnection) -> Result<Vec<(String, i64)>, AppError> {
    Ok(dossiers::table
        .inner_join(offices::table)
        .group_by(offices::code)
        .select((offices::code, diesel::dsl::count_star()))
        .load(conn)?)
}

/// (dossiers, highest register line): equal when the register has no gap
/// (one register year; the load benchmark's check).
pub fn register_span(conn: &mut DbConnection) -> Result<(i64, i64), AppError> {
    let count: i64 = dossiers::table.count().get_result(conn)?;
    let highest: Option<i32> = dossiers::table
        .select(diesel::dsl::max(dossiers::register_number))
        .first(conn)?;
    Ok((count, i64::from(highest.unwrap_or(0))))
}

#[cfg(test)]
mod tests {
    use super::{trigram_query, words_query};

    #[test]
    fn word_queries_fold_and_prefix_each_word() {
        assert_eq!(
            words_query("  Phạm  Thị ").as_deref(),
            Some("\"pham\"* AND \"thi\"*")
        );
        assert_eq!(words_query("a\"b").as_deref(), Some("\"a\"* AND \"b\"*"));
        assert_eq!(
            words_query("261201-0001 NEAR(x*)").as_deref(),
            Some("\"261201-0001\"* AND \"near\"* AND \"x\"*")
        );
        assert_eq!(words_query("   "), None);
        assert_eq!(words_query("\" * ( : ^ \u{301}"), None);
    }

    #[test]
    fn trigram_queries_quote_terms_and_need_three_characters() {
        assert_eq!(
            trigram_query(&["NGUYEN VAN", "nguyen van"]).as_deref(),
            Some("\"NGUYEN VAN\" OR \"nguyen van\"")
        );
        assert_eq!(trigram_query(&["abc", "abc"]).as_deref(), Some("\"abc\""));
        assert_eq!(trigram_query(&["a\"b", "x"]), None);
        assert_eq!(trigram_query(&["a\"bc"]).as_deref(), Some("\"a\"\"bc\""));
        assert_eq!(trigram_query(&[]), None);
    }
}
