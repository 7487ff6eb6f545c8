//! Online filing for citizens, without an account: choose a procedure that
//! accepts the online channel, fill in the applicant, upload one scan per
//! document and submit; the confirmation gives the submission code. The
//! supplement a clerk asks for is uploaded from the status page.

use std::collections::HashMap;

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::layout::Layout;
use super::upload::{self, Limits, Part, ReadError};
use super::{html, see_other};
use crate::auth::extract::session_user;
use crate::db::procedures::{Procedure, ProcedureFull};
use crate::domain::citizen::VERIFIER_RULE;
use crate::domain::fields::FieldErrors;
use crate::domain::procedure::{split_codes, Channel, DocumentForm};
use crate::domain::reception::ApplicantInput;
use crate::domain::scan::{ACCEPTED_TYPES, FILE_MAX_BYTES, MAX_FILES, SUBMISSION_MAX_BYTES};
use crate::domain::time::{format_datetime, now_utc};
use crate::error::{ActionError, AppError};
use crate::services::citizens::{self, Found};
use crate::services::passwords::random_token;
use crate::services::submissions::{
    self, DocumentUpload, SubmissionInput, SupplementError, SupplementTarget, Upload, FROM_WEB,
};
use crate::state::AppState;

/// The limits of one upload form: every document's file and the text fields.
pub fn limits() -> Limits {
    Limits {
        per_file: FILE_MAX_BYTES,
        total: SUBMISSION_MAX_BYTES + 256 * 1024,
        max_fields: MAX_FILES + 40,
    }
}

/// Whether `p` takes online submissions now.
pub fn takes_online(p: &Procedure) -> bool {
    p.active
        && split_codes(&p.channels)
            .into_iter()
            .any(|c| Channel::parse(c) == Some(Channel::Online))
}

/// The message for a file over the per-file limit.
pub fn oversized_message() -> String {
    format!(
        "Tệp lớn hơn {} MiB; hãy quét với độ phân giải thấp hơn (khoảng 200 dpi) hoặc nén tệp PDF.",
        FILE_MAX_BYTES / (1024 * 1024)
    )
}

#[derive(Template)]
#[template(path = "public/online_choose.html")]
struct ChoosePage {
    page: Layout,
    items: Vec<Procedure>,
}

pub async fn choose(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let items = state
        .db
        .run(Procedure::all)
        .await?
        .into_iter()
        .filter(takes_online)
        .collect();
    let front = state.front_door().await?;
    let user = session_user(&req).await.ok().flatten();
    html(
        StatusCode::OK,
        &ChoosePage {
            page: Layout::public(&req, "Nộp hồ sơ trực tuyến", user.as_ref(), front),
            items,
        },
    )
}

/// A document line of the form.
pub struct DocLine {
    pub field: String,
    pub name: String,
    pub form: &'static str,
    pub count: i32,
    pub required: bool,
}

/// What the citizen typed (files are never sent back by a browser).
#[derive(Default)]
pub struct Typed {
    pub form_key: String,
    pub applicant_kind: String,
    pub full_name: String,
    pub representative: String,
    pub id_number: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub return_method: String,
    pub postal_address: String,
    pub no_news: bool,
}

#[derive(Template)]
#[template(path = "public/online_form.html")]
struct FormPage {
    page: Layout,
    code: String,
    name: String,
    time: String,
    docs: Vec<DocLine>,
    postal: bool,
    form: Typed,
    errors: FieldErrors,
    /// The form came back: the files must be chosen again.
    again: bool,
    accepted_types: &'static str,
    file_mb: usize,
    total_mb: usize,
}

impl FormPage {
    fn is_org(&self) -> bool {
        self.form.applicant_kind == "organisation"
    }
}

async fn online_procedure(state: &AppState, code: String) -> Result<ProcedureFull, AppError> {
    state
        .db
        .run(move |conn| {
            let p = Procedure::find_by_code(conn, code.trim())?
                .filter(takes_online)
                .ok_or(AppError::NotFound)?;
            Procedure::full(conn, p)
        })
        .await
}

async fn form_page(
    req: &HttpRequest,
    state: &AppState,
    p: &ProcedureFull,
    form: Typed,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let front = state.front_door().await?;
    let user = session_user(req).await.ok().flatten();
    let docs = p
        .documents
        .iter()
        .enumerate()
        .map(|(i, d)| DocLine {
            field: format!("doc_{i}_file"),
            name: d.name.clone(),
            form: DocumentForm::parse(&d.form)
                .map(DocumentForm::label)
                .unwrap_or(""),
            count: d.count,
            required: d.required,
        })
        .collect();
    let time = p
        .working_days_on(crate::domain::time::today())
        .map(crate::domain::procedure::describe_time)
        .unwrap_or_default();
    html(
        status,
        &FormPage {
            page: Layout::public(req, "Nộp hồ sơ trực tuyến", user.as_ref(), front),
            code: p.procedure.code.clone(),
            name: p.procedure.name.clone(),
            time,
            docs,
            postal: split_codes(&p.procedure.return_methods).contains(&"postal"),
            again: !errors.is_empty(),
            form,
            errors,
            accepted_types: ACCEPTED_TYPES,
            file_mb: FILE_MAX_BYTES / (1024 * 1024),
            total_mb: SUBMISSION_MAX_BYTES / (1024 * 1024),
        },
    )
}

pub async fn new_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let p = online_procedure(&state, path.into_inner()).await?;
    let typed = Typed {
        form_key: random_token(18),
        return_method: "counter".into(),
        ..Default::default()
    };
    form_page(&req, &state, &p, typed, FieldErrors::new(), StatusCode::OK).await
}

fn text(parts: &HashMap<String, Part>, name: &str) -> String {
    parts.get(name).map(Part::text).unwrap_or_default()
}

/// The file of field `name`, if one was chosen.
fn file(parts: &HashMap<String, Part>, name: &str) -> Option<Upload> {
    parts
        .get(name)
        .filter(|p| !p.bytes.is_empty())
        .map(|p| Upload {
            file_name: p.file_name.clone(),
            bytes: p.bytes.clone(),
        })
}

/// Moves messages about `documents.{j}.file` to the form field of line `j`.
pub fn remap(errors: FieldErrors, fields: &[String]) -> FieldErrors {
    let mut out = FieldErrors::new();
    for (key, message) in errors.iter() {
        let moved = key
            .strip_prefix("documents.")
            .and_then(|rest| rest.split_once('.'))
            .and_then(|(j, _)| j.parse::<usize>().ok())
            .and_then(|j| fields.get(j));
        match moved {
            Some(field) if out.get(field).is_none() => out.add(field, message),
            Some(_) => {}
            None => out.add(key, message),
        }
    }
    out
}

pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let p = online_procedure(&state, path.into_inner()).await?;
    let parts = match upload::read_parts(payload, limits()).await {
        Ok(parts) => parts,
        Err(e @ ReadError::TooLarge(_)) => {
            let mut errors = FieldErrors::new();
            errors.add("documents", e.message());
            let typed = Typed {
                form_key: random_token(18),
                return_method: "counter".into(),
                ..Default::default()
            };
            return form_page(
                &req,
                &state,
                &p,
                typed,
                errors,
                StatusCode::PAYLOAD_TOO_LARGE,
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    };
    upload::check_csrf(&req, &parts)?;
    let mut form_key = text(&parts, "form_key");
    if form_key.len() < 16 || form_key.len() > 64 {
        form_key = random_token(18);
    }
    let typed = Typed {
        form_key,
        applicant_kind: text(&parts, "applicant_kind"),
        full_name: text(&parts, "full_name"),
        representative: text(&parts, "representative"),
        id_number: text(&parts, "id_number"),
        phone: text(&parts, "phone"),
        email: text(&parts, "email"),
        address: text(&parts, "address"),
        return_method: text(&parts, "return_method"),
        postal_address: text(&parts, "postal_address"),
        no_news: parts.contains_key("no_news"),
    };
    let mut errors = FieldErrors::new();
    let mut documents = Vec::new();
    let mut fields = Vec::new();
    for (i, d) in p.documents.iter().enumerate() {
        let field = format!("doc_{i}_file");
        if parts.get(&field).is_some_and(|x| x.oversized) {
            errors.add(&field, oversized_message());
            continue;
        }
        let chosen = file(&parts, &field);
        if chosen.is_none() && !d.required {
            continue;
        }
        documents.push(DocumentUpload {
            name: d.name.clone(),
            form: d.form.clone(),
            count: d.count.to_string(),
            file: chosen,
        });
        fields.push(field);
    }
    if !errors.is_empty() {
        return form_page(
            &req,
            &state,
            &p,
            typed,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let input = SubmissionInput {
        procedure_code: p.procedure.code.clone(),
        office_code: String::new(),
        applicant: ApplicantInput {
            kind: typed.applicant_kind.clone(),
            full_name: typed.full_name.clone(),
            representative: typed.representative.clone(),
            id_number: typed.id_number.clone(),
            phone: typed.phone.clone(),
            email: typed.email.clone(),
            address: typed.address.clone(),
        },
        documents,
        return_method: typed.return_method.clone(),
        postal_address: typed.postal_address.clone(),
        notify: !typed.no_news,
        source: FROM_WEB,
        form_key: Some(format!("web:{}", typed.form_key)),
    };
    let cal = state.calendar().await?;
    let address = super::client_address(&req, &state);
    let result = state
        .db
        .run(move |conn| {
            if !submissions::allow(conn, &address, now_utc())? {
                return Ok(None);
            }
            Ok(Some(submissions::submit(conn, &cal, &input, now_utc())))
        })
        .await?;
    let Some(result) = result else {
        let mut errors = FieldErrors::new();
        errors.add("documents", submissions::TOO_MANY);
        return form_page(
            &req,
            &state,
            &p,
            typed,
            errors,
            StatusCode::TOO_MANY_REQUESTS,
        )
        .await;
    };
    match result {
        Ok(s) => Ok(see_other(&format!(
            "/nop-truc-tuyen/da-nop/{}",
            s.lookup_token
        ))),
        Err(ActionError::Invalid(e)) => {
            let errors = remap(e, &fields);
            form_page(
                &req,
                &state,
                &p,
                typed,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(ActionError::Failed(e)) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "public/online_done.html")]
struct DonePage {
    page: Layout,
    code: String,
    procedure: String,
    submitted_at: String,
    token: String,
    rule: &'static str,
    status: &'static str,
}

/// The confirmation: the submission's code, the verifier rule and the link
/// to its status page (the token is the key, as on a receipt's QR code).
pub async fn done(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = path.into_inner();
    if token.len() > 64 {
        return Err(AppError::NotFound);
    }
    let (s, procedure) = state
        .db
        .run(move |conn| {
            let s = crate::db::submissions::Submission::by_token(conn, &token)?
                .ok_or(AppError::NotFound)?;
            let p = Procedure::find(conn, s.procedure_id)?;
            Ok::<_, AppError>((s, p.name))
        })
        .await?;
    let front = state.front_door().await?;
    let user = session_user(&req).await.ok().flatten();
    let mut resp = html(
        StatusCode::OK,
        &DonePage {
            page: Layout::public(&req, "Đã nộp hồ sơ trực tuyến", user.as_ref(), front),
            status: submissions::status_label(&s.status),
            code: s.code,
            procedure,
            submitted_at: format_datetime(s.submitted_at),
            token: s.lookup_token,
            rule: VERIFIER_RULE,
        },
    )?;
    resp.headers_mut().insert(
        actix_web::http::header::REFERRER_POLICY,
        actix_web::http::header::HeaderValue::from_static("no-referrer"),
    );
    Ok(resp)
}

/// The documents a supplement brings for `found`, one upload each.
pub fn supplement_lines(
    asked: &[crate::services::reception::DocumentInput],
    parts: &HashMap<String, Part>,
    field: impl Fn(usize) -> String,
    errors: &mut FieldErrors,
) -> Vec<DocumentUpload> {
    let mut out = Vec::new();
    for (i, a) in asked.iter().enumerate() {
        let name = field(i);
        if parts.get(&name).is_some_and(|p| p.oversized) {
            errors.add(&format!("documents.{i}.file"), oversized_message());
        }
        out.push(DocumentUpload {
            name: a.name.clone(),
            form: a.form.clone(),
            count: a.count.clone(),
            file: file(parts, &name),
        });
    }
    out
}

/// The target of a supplement upload, from what a token or code found.
pub fn target_of(found: Found) -> SupplementTarget {
    match found {
        Found::Dossier(d) => SupplementTarget::Dossier(d),
        Found::Submission(s) => SupplementTarget::Submission(s),
    }
}

/// The citizen's supplement, uploaded from the status page.
pub async fn supplement(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let token = path.into_inner();
    if token.len() > 64 {
        return Err(AppError::NotFound);
    }
    let found = {
        let token = token.clone();
        state
            .db
            .run(move |conn| citizens::by_token(conn, &token)?.ok_or(AppError::NotFound))
            .await?
    };
    let parts = match upload::read_parts(payload, limits()).await {
        Ok(parts) => parts,
        Err(e @ ReadError::TooLarge(_)) => {
            let mut errors = FieldErrors::new();
            errors.add("documents", e.message());
            return super::status::status_response(
                &req,
                &state,
                found,
                errors,
                StatusCode::PAYLOAD_TOO_LARGE,
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    };
    upload::check_csrf(&req, &parts)?;
    let target = target_of(found.clone());
    let asked = {
        let target = target.clone();
        state
            .db
            .run(move |conn| submissions::asked_lines(conn, &target))
            .await?
    };
    let mut errors = FieldErrors::new();
    let lines = supplement_lines(&asked, &parts, |i| format!("file.{i}"), &mut errors);
    if !errors.is_empty() {
        return super::status::status_response(
            &req,
            &state,
            found,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let address = super::client_address(&req, &state);
    let result = state
        .db
        .run(move |conn| {
            if !submissions::allow(conn, &address, now_utc())? {
                return Ok(None);
            }
            Ok(Some(submissions::supplement(
                conn,
                &target,
                &lines,
                now_utc(),
            )))
        })
        .await?;
    let Some(result) = result else {
        let mut errors = FieldErrors::new();
        errors.add("documents", submissions::TOO_MANY);
        return super::status::status_response(
            &req,
            &state,
            found,
            errors,
            StatusCode::TOO_MANY_REQUESTS,
        )
        .await;
    };
    match result {
        Ok(()) => {
            crate::auth::session::push_flash(
                &actix_session::SessionExt::get_session(&req),
                "success",
                "Đã gửi giấy tờ bổ sung. Cán bộ tiếp nhận sẽ kiểm tra và báo kết quả.",
            );
            Ok(see_other(&format!("/tra-cuu/{token}")))
        }
        Err(SupplementError::Invalid(e)) => {
            super::status::status_response(&req, &state, found, e, StatusCode::UNPROCESSABLE_ENTITY)
                .await
        }
        Err(SupplementError::NotAwaited) => {
            crate::auth::session::push_flash(
                &actix_session::SessionExt::get_session(&req),
                "warning",
                "Hồ sơ hiện không chờ bổ sung; không có gì được gửi.",
            );
            Ok(see_other(&format!("/tra-cuu/{token}")))
        }
        Err(SupplementError::Failed(e)) => Err(e),
    }
}
