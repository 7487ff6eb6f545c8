//! Feedback and petitions (phản ánh, kiến nghị): the public form (a hidden
//! field, a time check and a rate limit keep robots out, without a
//! third-party captcha) and the published answers; the staff list, by state
//! and age, with hotline calls logged into it, and each item's assignment,
//! answer and closing.

use std::collections::HashMap;

use actix_session::SessionExt;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::layout::Layout;
use super::paging::Pager;
use super::{client_address, form_status, html, see_other};
use crate::auth::csrf::CsrfForm;
use crate::auth::extract::{session_user, CurrentUser};
use crate::auth::session::push_flash;
use crate::auth::Staff;
use crate::db::feedback::Feedback;
use crate::domain::feedback::{self as rules, FeedbackInput, TOPICS};
use crate::domain::fields::FieldErrors;
use crate::domain::time::{format_datetime, now_utc};
use crate::error::{ActionError, AppError};
use crate::services::dossiers::visible_offices;
use crate::services::feedback::{self, Refusal, Step, TOO_MANY};
use crate::services::Actor;
use crate::state::AppState;

/// The session key holding when the public form was shown (Unix seconds).
const SHOWN_AT: &str = "feedback_shown_at";

/// The form's field for each of the check's keys.
fn field_key(key: &str) -> String {
    key.replace('.', "_")
}

fn remap(errors: FieldErrors) -> FieldErrors {
    let mut out = FieldErrors::new();
    for (k, m) in errors.iter() {
        out.add(&field_key(k), m);
    }
    out
}

#[derive(Deserialize, Default, Clone)]
pub struct FeedbackForm {
    #[serde(default)]
    pub topic: String,
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    pub dossier_code: String,
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub contact_phone: String,
    #[serde(default)]
    pub contact_email: String,
    #[serde(default)]
    pub publish_consent: String,
    /// The hidden field people never see and robots fill in.
    #[serde(default)]
    pub website: String,
}

impl FeedbackForm {
    fn input(&self) -> FeedbackInput {
        FeedbackInput {
            topic: self.topic.clone(),
            content: self.content.clone(),
            dossier_code: self.dossier_code.clone(),
            name: self.contact_name.clone(),
            phone: self.contact_phone.clone(),
            email: self.contact_email.clone(),
            publish_consent: !self.publish_consent.is_empty(),
        }
    }
}

#[derive(Template)]
#[template(path = "public/feedback.html")]
struct FormPage {
    page: Layout,
    form: FeedbackForm,
    errors: FieldErrors,
    topics: &'static [&'static str],
    problem: Option<String>,
}

async fn form_page(
    req: &HttpRequest,
    state: &AppState,
    form: FeedbackForm,
    errors: FieldErrors,
    problem: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let _ = req
        .get_session()
        .insert(SHOWN_AT, now_utc().and_utc().timestamp());
    let front = state.front_door().await?;
    let user = session_user(req).await.ok().flatten();
    html(
        status,
        &FormPage {
            page: Layout::public(req, "Phản ánh, kiến nghị", user.as_ref(), front),
            form,
            errors,
            topics: &TOPICS,
            problem,
        },
    )
}

pub async fn public_form(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let form = FeedbackForm::default();
    form_page(&req, &state, form, FieldErrors::new(), None, StatusCode::OK).await
}

pub async fn public_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    CsrfForm(form): CsrfForm<FeedbackForm>,
) -> Result<HttpResponse, AppError> {
    // A robot filled in the hidden field: thank it, keep nothing.
    if !form.website.trim().is_empty() {
        return Ok(see_other("/phan-anh/da-gui"));
    }
    let now = now_utc();
    let shown = req.get_session().get::<i64>(SHOWN_AT).ok().flatten();
    if !shown.is_some_and(|s| rules::human_timing(s, now.and_utc().timestamp())) {
        return form_page(
            &req,
            &state,
            form,
            FieldErrors::new(),
            Some("Biểu mẫu được gửi quá nhanh hoặc đã mở quá lâu. Xin kiểm tra nội dung rồi bấm “Gửi phản ánh” lần nữa.".into()),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let input = form.input();
    let address = client_address(&req, &state);
    let result = state
        .db
        .run(move |conn| Ok(feedback::send(conn, &input, rules::WEB, &address, now)))
        .await?;
    match result {
        Ok(f) => {
            let _ = req.get_session().remove(SHOWN_AT);
            Ok(see_other(&format!("/phan-anh/da-gui?ma={}", f.public_id)))
        }
        Err(Refusal::Invalid(e)) => {
            form_page(
                &req,
                &state,
                form,
                remap(e),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(Refusal::TooMany) => {
            form_page(
                &req,
                &state,
                form,
                FieldErrors::new(),
                Some(TOO_MANY.into()),
                StatusCode::TOO_MANY_REQUESTS,
            )
            .await
        }
        Err(Refusal::Failed(e)) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "public/feedback_sent.html")]
struct SentPage {
    page: Layout,
    id: String,
}

#[derive(Deserialize)]
pub struct SentQuery {
    ma: Option<String>,
}

pub async fn sent(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<SentQuery>,
) -> Result<HttpResponse, AppError> {
    let id = query
        .ma
        .clone()
        .filter(|m| uuid::Uuid::parse_str(m).is_ok())
        .unwrap_or_default();
    let front = state.front_door().await?;
    let user = session_user(&req).await.ok().flatten();
    html(
        StatusCode::OK,
        &SentPage {
            page: Layout::public(&req, "Đã gửi phản ánh, kiến nghị", user.as_ref(), front),
            id,
        },
    )
}

/// A published answer, as shown: no name, phone or email.
pub struct PublishedView {
    pub id: String,
    pub topic: String,
    pub content: String,
    pub answer: String,
    pub answered_at: String,
}

#[derive(Template)]
#[template(path = "public/feedback_answers.html")]
struct AnswersPage {
    page: Layout,
    items: Vec<PublishedView>,
    pager: Pager,
}

#[derive(Deserialize)]
pub struct PageQuery {
    page: Option<i64>,
}

pub async fn answers(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    const PER_PAGE: i64 = 20;
    let page = query.page.unwrap_or(1).clamp(1, 100_000);
    let (items, total) = state
        .db
        .run(move |conn| Feedback::published(conn, (page - 1) * PER_PAGE, PER_PAGE))
        .await?;
    let front = state.front_door().await?;
    let user = session_user(&req).await.ok().flatten();
    html(
        StatusCode::OK,
        &AnswersPage {
            page: Layout::public(&req, "Trả lời phản ánh, kiến nghị", user.as_ref(), front),
            items: items
                .into_iter()
                .map(|f| PublishedView {
                    id: f.public_id,
                    topic: f.topic,
                    content: f.content,
                    answer: f.answer.unwrap_or_default(),
                    answered_at: f.answered_at.map(format_datetime).unwrap_or_default(),
                })
                .collect(),
            pager: Pager::new(Some(page), PER_PAGE, total, "/phan-anh/tra-loi?".into()),
        },
    )
}

/// One line of the staff list.
pub struct RowView {
    pub id: String,
    pub channel: &'static str,
    pub topic: String,
    pub status: &'static str,
    pub created_at: String,
    pub age: String,
    pub assignee: String,
    pub dossier_code: String,
}

#[derive(Template)]
#[template(path = "feedback/list.html")]
struct ListPage {
    page: Layout,
    rows: Vec<RowView>,
    filter: String,
    statuses: Vec<(&'static str, &'static str, i64)>,
    can_triage: bool,
    form: FeedbackForm,
    errors: FieldErrors,
    topics: &'static [&'static str],
}

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(rename = "trang-thai")]
    status: Option<String>,
}

async fn list_page(
    req: &HttpRequest,
    user: &CurrentUser,
    state: &AppState,
    filter: String,
    form: FeedbackForm,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    if !feedback::may_read(user.role) {
        return Err(AppError::Forbidden);
    }
    let actor = Actor::from(user);
    let status = filter.clone();
    let (rows, counts) = state
        .db
        .run(move |conn| {
            let wanted: Vec<&str> = if status.is_empty() {
                vec![rules::RECEIVED, rules::ASSIGNED]
            } else if status == "all" {
                Vec::new()
            } else {
                vec![status.as_str()]
            };
            let rows = feedback::list(conn, &actor, &wanted)?;
            let visible = visible_offices(conn, actor.office_id)?;
            let counts = Feedback::counts(conn, &visible)?;
            Ok::<_, AppError>((rows, counts))
        })
        .await?;
    let now = now_utc();
    let count = |s: &str| {
        counts
            .iter()
            .find(|(k, _)| k == s)
            .map(|(_, n)| *n)
            .unwrap_or(0)
    };
    html(
        form_status(&errors),
        &ListPage {
            page: Layout::new(req, "Phản ánh, kiến nghị", Some(user)),
            rows: rows
                .into_iter()
                .map(|r| RowView {
                    id: r.feedback.public_id,
                    channel: rules::channel_label(&r.feedback.channel),
                    topic: r.feedback.topic,
                    status: rules::status_label(&r.feedback.status),
                    created_at: format_datetime(r.feedback.created_at),
                    age: crate::services::submissions::age(r.feedback.created_at, now),
                    assignee: r.assignee.unwrap_or_default(),
                    dossier_code: r.feedback.dossier_code.unwrap_or_default(),
                })
                .collect(),
            statuses: rules::STATUSES
                .iter()
                .map(|s| (*s, rules::status_label(s), count(s)))
                .collect(),
            filter,
            can_triage: feedback::may_triage(user.role),
            form,
            errors,
            topics: &TOPICS,
        },
    )
}

pub async fn staff_list(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let filter = query
        .status
        .clone()
        .filter(|s| s == "all" || rules::STATUSES.contains(&s.as_str()))
        .unwrap_or_default();
    list_page(
        &req,
        &staff.user,
        &state,
        filter,
        FeedbackForm::default(),
        FieldErrors::new(),
    )
    .await
}

/// A hotline call, logged by staff into the same list.
pub async fn log_call(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    CsrfForm(form): CsrfForm<FeedbackForm>,
) -> Result<HttpResponse, AppError> {
    let actor = Actor::from(&staff.user);
    let input = form.input();
    let result = state
        .db
        .run(move |conn| Ok(feedback::log_call(conn, &actor, &input, now_utc())))
        .await?;
    match result {
        Ok(f) => {
            push_flash(
                &req.get_session(),
                "success",
                "Đã ghi nhận cuộc gọi đường dây nóng.",
            );
            Ok(see_other(&format!("/phan-anh/quan-ly/{}", f.public_id)))
        }
        Err(ActionError::Invalid(e)) => {
            list_page(&req, &staff.user, &state, String::new(), form, remap(e)).await
        }
        Err(ActionError::Failed(e)) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "feedback/show.html")]
struct ShowPage {
    page: Layout,
    f: Feedback,
    channel: &'static str,
    status: &'static str,
    created_at: String,
    answered_at: String,
    assignee: String,
    officers: Vec<(String, String)>,
    can_triage: bool,
    can_answer: bool,
    errors: FieldErrors,
    typed: HashMap<String, String>,
}

impl ShowPage {
    fn typed(&self, name: &str) -> &str {
        self.typed.get(name).map(String::as_str).unwrap_or("")
    }
}

async fn show_page(
    req: &HttpRequest,
    user: &CurrentUser,
    state: &AppState,
    id: String,
    errors: FieldErrors,
    typed: HashMap<String, String>,
) -> Result<HttpResponse, AppError> {
    if !feedback::may_read(user.role) {
        return Err(AppError::Forbidden);
    }
    let actor = Actor::from(user);
    let (f, officers, assignee) = state
        .db
        .run(move |conn| {
            let f = feedback::find_visible(conn, &actor, &id)?.ok_or(AppError::NotFound)?;
            let visible = visible_offices(conn, actor.office_id)?;
            let mut officers: Vec<(String, String)> = Vec::new();
            for role in ["officer", "leader"] {
                for u in crate::db::users::User::active_with_role_in(conn, role, &visible)? {
                    officers.push((u.username, u.full_name));
                }
            }
            let assignee = match f.assignee_id {
                Some(id) => crate::db::users::User::find(conn, id)?.full_name,
                None => String::new(),
            };
            Ok::<_, AppError>((f, officers, assignee))
        })
        .await?;
    let open = f.status != rules::CLOSED;
    html(
        form_status(&errors),
        &ShowPage {
            page: Layout::new(req, "Phản ánh, kiến nghị", Some(user)),
            channel: rules::channel_label(&f.channel),
            status: rules::status_label(&f.status),
            created_at: format_datetime(f.created_at),
            answered_at: f.answered_at.map(format_datetime).unwrap_or_default(),
            can_triage: open && feedback::may_triage(user.role),
            can_answer: open && (feedback::may_triage(user.role) || f.assignee_id == Some(user.id)),
            assignee,
            officers,
            errors,
            typed,
            f,
        },
    )
}

pub async fn staff_show(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    show_page(
        &req,
        &staff.user,
        &state,
        path.into_inner(),
        FieldErrors::new(),
        HashMap::new(),
    )
    .await
}

pub async fn staff_act(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let step = match get("action").as_str() {
        "assign" => Step::Assign(get("officer")),
        "answer" => Step::Answer(get("answer")),
        "close" => Step::Close,
        _ => return Err(AppError::BadRequest("Thao tác không hợp lệ.".into())),
    };
    let actor = Actor::from(&staff.user);
    let result = {
        let id = id.clone();
        state
            .db
            .run(move |conn| {
                let f = feedback::find_visible(conn, &actor, &id)?.ok_or(AppError::NotFound)?;
                Ok(feedback::act(conn, &actor, &f, &step, now_utc()))
            })
            .await?
    };
    let back = format!("/phan-anh/quan-ly/{id}");
    match result {
        Ok(()) => {
            let text = match get("action").as_str() {
                "assign" => "Đã giao cán bộ xử lý.",
                "answer" => "Đã lưu câu trả lời; người gửi được báo qua thư điện tử nếu có.",
                _ => "Đã đóng phản ánh.",
            };
            push_flash(&req.get_session(), "success", text);
            Ok(see_other(&back))
        }
        Err(ActionError::Invalid(e)) => {
            show_page(&req, &staff.user, &state, id, e, form.into_iter().collect()).await
        }
        Err(ActionError::Failed(AppError::Conflict(m))) => {
            push_flash(&req.get_session(), "error", &m);
            Ok(see_other(&back))
        }
        Err(ActionError::Failed(e)) => Err(e),
    }
}
