//! The reception clerk's side of online filing: the queue of submissions,
//! oldest first with their age; a submission with its files opened in the
//! browser; accept, ask for a supplement, or refuse. Also the stored files
//! themselves (staff of the file's office only) and scans attached to a
//! dossier at the counter or with its result.

use std::collections::HashMap;

use actix_multipart::Multipart;
use actix_session::SessionExt;
use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::layout::Layout;
use super::upload::{self, Limits};
use super::{html, see_other};
use crate::auth::csrf::CsrfForm;
use crate::auth::extract::CurrentUser;
use crate::auth::session::push_flash;
use crate::auth::Staff;
use crate::db::submissions::{QueueRow, Submission};
use crate::domain::fields::FieldErrors;
use crate::domain::scan::FILE_MAX_BYTES;
use crate::domain::time::{format_datetime, now_utc};
use crate::domain::Role;
use crate::error::{urlencode, ActionError, AppError};
use crate::services::dossiers::visible_offices;
use crate::services::processing::ActError;
use crate::services::reception::DocumentInput;
use crate::services::submissions::{
    self, age, Decision, SubmissionDetail, AWAITING_SUPPLEMENT, SUBMITTED,
};
use crate::services::Actor;
use crate::state::AppState;

/// One line of the queue, as shown.
pub struct QueueLine {
    pub code: String,
    pub procedure: String,
    pub applicant: String,
    pub submitted_at: String,
    pub age: String,
    pub status: &'static str,
    pub files: i64,
    pub supplemented: bool,
}

#[derive(Template)]
#[template(path = "reception/online_queue.html")]
struct QueuePage {
    page: Layout,
    waiting: Vec<QueueLine>,
    supplement: Vec<QueueLine>,
}

fn line(r: QueueRow, now: chrono::NaiveDateTime) -> QueueLine {
    QueueLine {
        supplemented: r.submission.supplement_requests > 0,
        code: r.submission.code,
        procedure: r.procedure,
        applicant: r.submission.applicant_name,
        submitted_at: format_datetime(r.submission.submitted_at),
        age: age(r.submission.submitted_at, now),
        status: submissions::status_label(&r.submission.status),
        files: r.files,
    }
}

fn may_see(role: Role) -> Result<(), AppError> {
    if matches!(role, Role::Reception | Role::Leader) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

pub async fn queue(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    may_see(staff.user.role)?;
    let office = staff.user.office_id;
    let (waiting, supplement) = state
        .db
        .run(move |conn| {
            let visible = visible_offices(conn, office)?;
            Ok::<_, AppError>((
                Submission::queue(conn, &visible, &[SUBMITTED], 500)?,
                Submission::queue(conn, &visible, &[AWAITING_SUPPLEMENT], 500)?,
            ))
        })
        .await?;
    let now = now_utc();
    html(
        StatusCode::OK,
        &QueuePage {
            page: Layout::new(&req, "Hồ sơ nộp trực tuyến", Some(&staff.user)),
            waiting: waiting.into_iter().map(|r| line(r, now)).collect(),
            supplement: supplement.into_iter().map(|r| line(r, now)).collect(),
        },
    )
}

/// A file of the submission, as listed.
pub struct FileLine {
    pub name: String,
    pub href: String,
    pub file_name: String,
    pub size: String,
    pub pages: i32,
    pub kind: &'static str,
    pub round: i32,
    pub added_at: String,
}

pub struct EventLine {
    pub at: String,
    pub who: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "reception/online_show.html")]
struct ShowPage {
    page: Layout,
    d: SubmissionDetail,
    status: &'static str,
    submitted_at: String,
    age: String,
    files: Vec<FileLine>,
    events: Vec<EventLine>,
    missing: Vec<String>,
    can_decide: bool,
    open: String,
    errors: FieldErrors,
    typed: HashMap<String, String>,
    forms: Vec<super::options::FormOption>,
}

impl ShowPage {
    fn typed(&self, name: &str) -> &str {
        self.typed.get(name).map(String::as_str).unwrap_or("")
    }
}

/// "1,2 MiB", "350 KiB".
pub fn size_label(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0)).replace('.', ",")
    } else {
        format!("{} KiB", (bytes + 1023) / 1024)
    }
}

fn kind_of(content_type: &str) -> &'static str {
    match content_type {
        "application/pdf" => "PDF",
        "image/jpeg" => "JPEG",
        "image/png" => "PNG",
        _ => "Tệp",
    }
}

async fn show_page(
    req: &HttpRequest,
    user: &CurrentUser,
    state: &AppState,
    code: String,
    open: String,
    errors: FieldErrors,
    typed: HashMap<String, String>,
) -> Result<HttpResponse, AppError> {
    let office = user.office_id;
    let (d, names) = state
        .db
        .run(move |conn| {
            let visible = visible_offices(conn, office)?;
            let s = submissions::find_visible(conn, &code, &visible)?.ok_or(AppError::NotFound)?;
            let d = submissions::detail(conn, s)?;
            let mut names = HashMap::new();
            for e in &d.events {
                if let Some(id) = e.user_id {
                    if let std::collections::hash_map::Entry::Vacant(v) = names.entry(id) {
                        v.insert(crate::db::users::User::find(conn, id)?.full_name);
                    }
                }
            }
            Ok::<_, AppError>((d, names))
        })
        .await?;
    let now = now_utc();
    let files = d
        .files
        .iter()
        .map(|f| FileLine {
            name: f.name.clone(),
            href: format!("/tep/{}", f.file.token),
            file_name: f.file.file_name.clone(),
            size: size_label(f.file.size),
            pages: f.file.pages.unwrap_or(1),
            kind: kind_of(&f.file.content_type),
            round: f.round,
            added_at: format_datetime(f.added_at),
        })
        .collect();
    let events = d
        .events
        .iter()
        .map(|e| EventLine {
            at: format_datetime(e.at),
            who: e
                .user_id
                .and_then(|id| names.get(&id).cloned())
                .unwrap_or_else(|| "Công dân".into()),
            note: e.note.clone(),
        })
        .collect();
    let title = format!("Hồ sơ trực tuyến {}", d.submission.code);
    let status = d.status_label();
    let http = super::form_status(&errors);
    html(
        http,
        &ShowPage {
            page: Layout::new(req, &title, Some(user)),
            status,
            submitted_at: format_datetime(d.submission.submitted_at),
            age: age(d.submission.submitted_at, now),
            files,
            events,
            missing: if d.submission.status == AWAITING_SUPPLEMENT {
                crate::services::citizens::missing_lines(&d.submission.missing)
            } else {
                Vec::new()
            },
            can_decide: user.role == Role::Reception
                && matches!(
                    d.submission.status.as_str(),
                    SUBMITTED | AWAITING_SUPPLEMENT
                ),
            open,
            errors,
            typed,
            forms: super::options::form_options(),
            d,
        },
    )
}

pub async fn show(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    may_see(staff.user.role)?;
    show_page(
        &req,
        &staff.user,
        &state,
        path.into_inner(),
        String::new(),
        FieldErrors::new(),
        HashMap::new(),
    )
    .await
}

pub async fn decide(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    may_see(staff.user.role)?;
    let code = path.into_inner();
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let action = get("action");
    let decision = match action.as_str() {
        "accept" => Decision::Accept,
        "supplement" => Decision::Supplement(
            (0..5)
                .map(|i| DocumentInput {
                    name: get(&format!("missing_{i}_name")),
                    form: get(&format!("missing_{i}_form")),
                    count: {
                        let c = get(&format!("missing_{i}_count"));
                        if c.trim().is_empty() {
                            "1".into()
                        } else {
                            c
                        }
                    },
                })
                .collect(),
            get("note"),
        ),
        "refuse" => Decision::Refuse(get("reason")),
        _ => return Err(AppError::BadRequest("Thao tác không hợp lệ.".into())),
    };
    let version = get("version").trim().parse().ok();
    let office = staff.user.office_id;
    let found = {
        let code = code.clone();
        state
            .db
            .run(move |conn| {
                let visible = visible_offices(conn, office)?;
                submissions::find_visible(conn, &code, &visible)?.ok_or(AppError::NotFound)
            })
            .await?
    };
    let cal = state.calendar().await?;
    let actor = Actor::from(&staff.user);
    let result = state
        .db
        .run(move |conn| {
            Ok(submissions::decide(
                conn,
                &cal,
                &actor,
                found.id,
                version,
                &decision,
                now_utc(),
            ))
        })
        .await?;
    let back = format!("/truc-tuyen/{}", urlencode(&code));
    let session = req.get_session();
    match result {
        Ok(Some(dossier)) => {
            push_flash(
                &session,
                "success",
                &format!(
                    "Đã tiếp nhận hồ sơ trực tuyến: mã hồ sơ {}. In giấy tiếp nhận nếu công dân cần.",
                    dossier.code
                ),
            );
            Ok(see_other(&format!(
                "/ho-so/{}/da-tiep-nhan",
                urlencode(&dossier.code)
            )))
        }
        Ok(None) => {
            let text = if action == "refuse" {
                "Đã từ chối tiếp nhận; công dân được báo lý do."
            } else {
                "Đã yêu cầu bổ sung; công dân được báo và tải giấy tờ bổ sung từ trang tình trạng hồ sơ."
            };
            push_flash(&session, "success", text);
            Ok(see_other("/truc-tuyen"))
        }
        Err(ActError::Stale(m)) | Err(ActError::WrongState(m)) => {
            push_flash(&session, "error", &m);
            Ok(see_other(&back))
        }
        Err(ActError::Forbidden(_)) => Err(AppError::Forbidden),
        Err(ActError::Failed(e)) => Err(e),
        Err(ActError::Invalid(errors)) => {
            show_page(
                &req,
                &staff.user,
                &state,
                code,
                action,
                errors,
                form.into_iter().collect(),
            )
            .await
        }
    }
}

/// A stored file, opened in the browser: staff of the file's office (and
/// the offices above it) only; anyone else gets the same 404.
pub async fn open_file(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = path.into_inner();
    if token.len() > 64 {
        return Err(AppError::NotFound);
    }
    let actor = Actor::from(&staff.user);
    let (f, bytes) = state
        .db
        .run(move |conn| crate::services::files::open(conn, &actor, &token))
        .await?
        .ok_or(AppError::NotFound)?;
    use actix_web::http::header::{Charset, DispositionParam, DispositionType, ExtendedValue};
    let ascii: String = f
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = header::ContentDisposition {
        disposition: DispositionType::Inline,
        parameters: vec![
            DispositionParam::Filename(ascii),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: f.file_name.clone().into_bytes(),
            }),
        ],
    };
    let mut resp = HttpResponse::Ok();
    resp.content_type(f.content_type.as_str())
        .insert_header(disposition)
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        // Chromium's and Safari's PDF viewers do not run in a sandboxed
        // document; images are sandboxed.
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            if f.content_type == "application/pdf" {
                "default-src 'none'; object-src 'self'; plugin-types application/pdf"
            } else {
                "sandbox"
            },
        ))
        .insert_header((header::ETAG, format!("\"{}\"", f.sha256)));
    Ok(resp.body(bytes))
}

/// Attaches a scan to a dossier (multipart: `csrf_token`, `kind`, `name`,
/// `file`).
pub async fn attach(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let code = path.into_inner();
    let back = format!("/ho-so/{}", urlencode(&code));
    let session = req.get_session();
    let parts = upload::read_parts(
        payload,
        Limits {
            per_file: FILE_MAX_BYTES,
            total: FILE_MAX_BYTES + 64 * 1024,
            max_fields: 8,
        },
    )
    .await;
    let parts = match parts {
        Ok(p) => p,
        Err(e) => {
            push_flash(&session, "error", &e.message());
            return Ok(see_other(&back));
        }
    };
    upload::check_csrf(&req, &parts)?;
    let text = |k: &str| parts.get(k).map(|p| p.text()).unwrap_or_default();
    let d = super::dossier_view::load(&state, staff.user.office_id, code.clone()).await?;
    let file = parts.get("file");
    if file.is_some_and(|f| f.oversized) {
        push_flash(&session, "error", &super::online::oversized_message());
        return Ok(see_other(&back));
    }
    let (file_name, bytes) = file
        .map(|f| (f.file_name.clone(), f.bytes.clone()))
        .unwrap_or_default();
    let (kind, name) = (text("kind"), text("name"));
    let actor = Actor::from(&staff.user);
    let id = d.dossier.id;
    let result = state
        .db
        .run(move |conn| {
            Ok(crate::services::files::attach_scan(
                conn,
                &actor,
                id,
                &kind,
                &name,
                &file_name,
                &bytes,
                now_utc(),
            ))
        })
        .await?;
    match result {
        Ok(()) => {
            push_flash(&session, "success", "Đã đính kèm bản quét vào hồ sơ.");
        }
        Err(ActionError::Invalid(e)) => {
            let text = e
                .iter()
                .map(|(_, m)| m.to_string())
                .collect::<Vec<_>>()
                .join(" ");
            push_flash(&session, "error", &format!("Chưa đính kèm được: {text}"));
        }
        Err(ActionError::Failed(AppError::Forbidden)) => return Err(AppError::Forbidden),
        Err(ActionError::Failed(AppError::Conflict(m))) => push_flash(&session, "error", &m),
        Err(ActionError::Failed(e)) => return Err(e),
    }
    Ok(see_other(&format!("{back}#files")))
}
