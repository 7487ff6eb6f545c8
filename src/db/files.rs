//! Stored files (online submissions' documents, scans, results) and their
//! links to dossiers. The bytes live in the database, so a file and the
//! record that names it are committed together.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{dossier_files, stored_files};
use super::DbConnection;
use crate::error::AppError;

/// A file without its bytes.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = stored_files)]
pub struct StoredFile {
    pub id: i64,
    pub token: String,
    pub office_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub pages: Option<i32>,
    pub created_at: NaiveDateTime,
}

/// A file to store.
#[derive(Debug, Clone)]
pub struct NewFile<'a> {
    pub office_id: i64,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub pages: i32,
    pub bytes: &'a [u8],
}

/// The hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

impl StoredFile {
    /// Stores a file under a random token; returns its id.
    pub fn insert(
        conn: &mut DbConnection,
        new: &NewFile<'_>,
        token: &str,
        now: NaiveDateTime,
    ) -> Result<StoredFile, AppError> {
        diesel::insert_into(stored_files::table)
            .values((
                stored_files::token.eq(token),
                stored_files::office_id.eq(new.office_id),
                stored_files::file_name.eq(new.file_name),
                stored_files::content_type.eq(new.content_type),
                stored_files::size.eq(new.bytes.len() as i64),
                stored_files::sha256.eq(sha256_hex(new.bytes)),
                stored_files::pages.eq(Some(new.pages)),
                stored_files::bytes.eq(new.bytes),
                stored_files::created_at.eq(now),
            ))
            .execute(conn)?;
        Self::by_token(conn, token)?
            .ok_or_else(|| AppError::Internal("stored file vanished".into()))
    }

    pub fn by_token(conn: &mut DbConnection, token: &str) -> Result<Option<StoredFile>, AppError> {
        Ok(stored_files::table
            .filter(stored_files::token.eq(token))
            .select(StoredFile::as_select())
            .first(conn)
            .optional()?)
    }

    pub fn bytes(conn: &mut DbConnection, id: i64) -> Result<Vec<u8>, AppError> {
        Ok(stored_files::table
            .find(id)
            .select(stored_files::bytes)
            .first(conn)?)
    }

    pub fn count(conn: &mut DbConnection) -> Result<i64, AppError> {
        Ok(stored_files::table.count().get_result(conn)?)
    }
}

/// What a dossier's file is.
pub const DOCUMENT: &str = "document";
pub const SUPPLEMENT: &str = "supplement";
pub const RESULT: &str = "result";

/// A file attached to a dossier.
#[derive(Debug, Clone)]
pub struct DossierFile {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub added_at: NaiveDateTime,
    pub file: StoredFile,
}

pub fn attach(
    conn: &mut DbConnection,
    dossier_id: i64,
    kind: &str,
    name: &str,
    file_id: i64,
    by: Option<i64>,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    diesel::insert_into(dossier_files::table)
        .values((
            dossier_files::dossier_id.eq(dossier_id),
            dossier_files::kind.eq(kind),
            dossier_files::name.eq(name),
            dossier_files::file_id.eq(file_id),
            dossier_files::added_at.eq(now),
            dossier_files::added_by.eq(by),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn of_dossier(conn: &mut DbConnection, dossier_id: i64) -> Result<Vec<DossierFile>, AppError> {
    let rows: Vec<(i64, String, String, NaiveDateTime, StoredFile)> = dossier_files::table
        .inner_join(stored_files::table)
        .filter(dossier_files::dossier_id.eq(dossier_id))
        .order(dossier_files::id.asc())
        .select((
            dossier_files::id,
            dossier_files::kind,
            dossier_files::name,
            dossier_files::added_at,
            StoredFile::as_select(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, kind, name, added_at, file)| DossierFile {
            id,
            kind,
            name,
            added_at,
            file,
        })
        .collect())
}

/// The dossier a stored file is attached to, if any.
pub fn dossier_of_file(conn: &mut DbConnection, file_id: i64) -> Result<Option<i64>, AppError> {
    Ok(dossier_files::table
        .filter(dossier_files::file_id.eq(file_id))
        .select(dossier_files::dossier_id)
        .first(conn)
        .optional()?)
}
