//! The officer's inbox: his open dossiers by due date.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::rows::{rows, WorkRow};
use crate::auth::Staff;
use crate::db::dossiers::DossierFilter;
use crate::error::AppError;
use crate::services::dossiers::{self, visible_offices};
use crate::state::AppState;
use crate::web::html;
use crate::web::layout::Layout;
#[derive(Template)]
#[template(path = "work/inbox.html")]
struct InboxPage {
    page: Layout,
    rows: Vec<WorkRow>,
}

pub async fn inbox(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let cal = state.calendar().await?;
    let (user_id, office) = (staff.user.id, staff.user.office_id);
    let list = state
        .db
        .run(move |conn| {
            let filter = DossierFilter {
                office_ids: visible_offices(conn, office)?,
                assignee_id: Some(user_id),
                open_only: true,
                by_due_date: true,
                ..DossierFilter::default()
            };
            Ok(dossiers::list(conn, &filter, 0, 500)?.0)
        })
        .await?;
    html(
        StatusCode::OK,
        &InboxPage {
            page: Layout::new(&req, "Việc của tôi", Some(&staff.user)),
            rows: rows(list, &cal, &HashMap::new()),
        },
    )
}
