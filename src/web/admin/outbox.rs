//! `/admin/thong-bao`: the email and SMS messages sent to citizens, what
//! failed and why, and a retry.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::auth::csrf::CsrfForm;
use crate::auth::session::push_flash;
use crate::auth::Staff;
use crate::db::outbox::{self, FAILED, PENDING, SENT, SKIPPED, STATUSES};
use crate::domain::citizen::News;
use crate::domain::time::{format_datetime, now_utc};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::layout::Layout;
use crate::web::paging::Pager;
use crate::web::{html, see_other};

const PER_PAGE: i64 = 50;

pub fn status_label(s: &str) -> &'static str {
    match s {
        PENDING => "Chờ gửi",
        SENT => "Đã gửi",
        FAILED => "Gửi lỗi",
        SKIPPED => "Chưa gửi được (chưa cấu hình)",
        _ => "Không rõ",
    }
}

pub struct Row {
    pub id: i64,
    pub created: String,
    pub code: String,
    pub event: &'static str,
    pub channel: &'static str,
    pub recipient: String,
    pub status: &'static str,
    pub status_code: String,
    pub attempts: i32,
    pub next_try: String,
    pub sent: String,
    pub error: String,
    pub message_id: String,
    pub retryable: bool,
}

pub struct Count {
    pub code: &'static str,
    pub label: &'static str,
    pub n: i64,
}

#[derive(Template)]
#[template(path = "admin/outbox.html")]
struct OutboxPage {
    page: Layout,
    counts: Vec<Count>,
    all: i64,
    status: String,
    rows: Vec<Row>,
    pager: Pager,
    email_on: bool,
    sms_on: bool,
}

#[derive(Deserialize)]
pub struct OutboxQuery {
    trang_thai: Option<String>,
    page: Option<i64>,
}

pub async fn list(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    query: web::Query<OutboxQuery>,
) -> Result<HttpResponse, AppError> {
    let status = query
        .trang_thai
        .as_deref()
        .filter(|s| STATUSES.contains(s))
        .map(str::to_string);
    let counts = state.db.run(outbox::counts).await?;
    let n = |code: &str| {
        counts
            .iter()
            .find(|(s, _)| s == code)
            .map(|(_, n)| *n)
            .unwrap_or(0)
    };
    let total = match &status {
        Some(s) => n(s),
        None => counts.iter().map(|(_, n)| n).sum(),
    };
    let base = match &status {
        Some(s) => format!("/admin/thong-bao?trang_thai={s}"),
        None => "/admin/thong-bao".to_string(),
    };
    let pager = Pager::new(query.page, PER_PAGE, total, base);
    let (offset, filter) = (pager.offset(), status.clone());
    let listed = state
        .db
        .run(move |conn| outbox::list(conn, filter.as_deref(), offset, PER_PAGE))
        .await?;
    let rows = listed
        .into_iter()
        .map(|(m, code)| Row {
            id: m.id,
            created: format_datetime(m.created_at),
            code: code.unwrap_or_default(),
            event: News::parse(&m.event).map(News::label).unwrap_or(""),
            channel: if m.channel == "email" {
                "Thư điện tử"
            } else {
                "SMS"
            },
            recipient: m.recipient,
            status: status_label(&m.status),
            retryable: m.status == FAILED || m.status == SKIPPED,
            next_try: if m.status == PENDING {
                format_datetime(m.next_attempt_at)
            } else {
                String::new()
            },
            status_code: m.status,
            attempts: m.attempts,
            sent: m.sent_at.map(format_datetime).unwrap_or_default(),
            error: m.last_error.unwrap_or_default(),
            message_id: m.message_id,
        })
        .collect();
    html(
        StatusCode::OK,
        &OutboxPage {
            page: Layout::new(&req, "Thông báo gửi công dân", Some(&staff.user)),
            counts: STATUSES
                .iter()
                .map(|s| Count {
                    code: s,
                    label: status_label(s),
                    n: n(s),
                })
                .collect(),
            all: counts.iter().map(|(_, n)| n).sum(),
            status: status.unwrap_or_default(),
            rows,
            pager,
            email_on: state.config.delivery.smtp_url.is_some(),
            sms_on: state.config.delivery.sms_url.is_some(),
        },
    )
}

#[derive(Deserialize)]
pub struct RetryForm {}

pub async fn retry(
    staff: Staff,
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<i64>,
    CsrfForm(_form): CsrfForm<RetryForm>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let actor = crate::services::Actor::from(&staff.user);
    let done = state
        .db
        .run(move |conn| crate::services::notifications::retry(conn, &actor, id, now_utc()))
        .await?;
    if done {
        push_flash(
            &session,
            "success",
            "Đã đưa thông báo vào hàng chờ gửi lại.",
        );
    } else {
        push_flash(
            &session,
            "error",
            "Thông báo này không ở trạng thái lỗi hoặc chưa gửi được nên không gửi lại.",
        );
    }
    Ok(see_other("/admin/thong-bao"))
}
