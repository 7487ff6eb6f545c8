//! Scans kept with a dossier: documents scanned at the counter, the result's
//! scan attached by the officer; and who may open a stored file.

use chrono::NaiveDateTime;

use crate::db::dossiers::Dossier;
use crate::db::files::{self, NewFile, StoredFile};
use crate::db::{write_tx, DbConnection};
use crate::domain::fields::FieldErrors;
use crate::domain::reception::long_text;
use crate::domain::scan::{check_scan, safe_file_name};
use crate::domain::Role;
use crate::error::{ActionError, AppError};
use crate::services::passwords::random_token;
use crate::services::Actor;

/// What a staff member may attach: the counter scans the documents, the
/// officer and the leader the result (and documents).
pub fn kinds_for(role: Role) -> &'static [&'static str] {
    match role {
        Role::Reception => &[files::DOCUMENT],
        Role::Officer | Role::Leader => &[files::DOCUMENT, files::RESULT],
        _ => &[],
    }
}

pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        files::DOCUMENT => "Bản quét giấy tờ trong hồ sơ",
        files::SUPPLEMENT => "Bản quét giấy tờ bổ sung",
        files::RESULT => "Bản quét kết quả giải quyết",
        _ => "Tệp",
    }
}

/// Attaches a scan to dossier `dossier_id`: checked by content, stored with
/// its hash and recorded in the dossier's history, in one transaction.
#[allow(clippy::too_many_arguments)]
pub fn attach_scan(
    conn: &mut DbConnection,
    actor: &Actor,
    dossier_id: i64,
    kind: &str,
    name: &str,
    file_name: &str,
    bytes: &[u8],
    now: NaiveDateTime,
) -> Result<(), ActionError> {
    if !kinds_for(actor.role).contains(&kind) {
        return Err(AppError::Forbidden.into());
    }
    let mut errors = FieldErrors::new();
    let name = errors
        .check(
            "name",
            long_text(
                name,
                Some("Nhập tên giấy tờ (ví dụ: Đơn yêu cầu thi hành án)."),
            ),
        )
        .flatten();
    let scan = if bytes.is_empty() {
        errors.add("file", "Chọn tệp bản quét.");
        None
    } else {
        errors.check("file", check_scan(bytes))
    };
    let (Some(name), Some(scan)) = (name, scan) else {
        return Err(ActionError::Invalid(errors));
    };
    if name.chars().count() > 300 {
        return Err(ActionError::field("name", "Tên giấy tờ tối đa 300 ký tự."));
    }
    write_tx(conn, |conn| {
        let d = Dossier::find(conn, dossier_id)?;
        if d.voided {
            return Err(AppError::Conflict("Hồ sơ đã hủy.".into()).into());
        }
        let stored = StoredFile::insert(
            conn,
            &NewFile {
                office_id: d.office_id,
                file_name: &safe_file_name(file_name, scan.extension),
                content_type: scan.content_type,
                pages: scan.pages,
                bytes,
            },
            &random_token(24),
            now,
        )?;
        files::attach(conn, d.id, kind, &name, stored.id, Some(actor.user_id), now)?;
        Dossier::add_event_with(
            conn,
            d.id,
            now,
            actor.user_id,
            "attach_file",
            Some(&d.status),
            &d.status,
            &format!("{}: {name} ({} trang)", kind_label(kind), scan.pages),
            d.due_date,
            d.assignee_id,
        )?;
        Ok(())
    })
}

/// The file `token` with its bytes, if `actor`'s offices hold it.
pub fn open(
    conn: &mut DbConnection,
    actor: &Actor,
    token: &str,
) -> Result<Option<(StoredFile, Vec<u8>)>, AppError> {
    if actor.role == Role::Admin {
        return Ok(None);
    }
    let Some(f) = StoredFile::by_token(conn, token)? else {
        return Ok(None);
    };
    let visible = super::dossiers::visible_offices(conn, actor.office_id)?;
    if !visible.contains(&f.office_id) {
        return Ok(None);
    }
    let bytes = StoredFile::bytes(conn, f.id)?;
    Ok(Some((f, bytes)))
}
