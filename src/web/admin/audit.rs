//! The audit trail of administrative changes, newest first.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use crate::auth::Staff;
use crate::db::audit::{self, AuditEvent};
use crate::domain::time::format_datetime;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::html;
use crate::web::layout::Layout;

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    page: Layout,
    events: Vec<AuditEvent>,
}

impl AuditPage {
    fn when(&self, e: &AuditEvent) -> String {
        format_datetime(e.at)
    }

    fn what<'a>(&self, e: &'a AuditEvent) -> &'a str {
        crate::domain::audit::action_label(&e.action)
    }
}

pub async fn list(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let events = state.db.run(|conn| audit::recent(conn, 200)).await?;
    html(
        StatusCode::OK,
        &AuditPage {
            page: Layout::new(&req, "Nhật ký quản trị", Some(&staff.user)),
            events,
        },
    )
}
