//! The list of users, searched by name.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::auth::Staff;
use crate::db::users::{User, UserRow};
use crate::domain::Role;
use crate::error::{urlencode, AppError};
use crate::state::AppState;
use crate::web::html;
use crate::web::layout::Layout;
use crate::web::paging::Pager;

const PER_PAGE: i64 = 50;

pub struct RoleOption {
    pub value: &'static str,
    pub label: &'static str,
}

pub(super) fn role_options() -> Vec<RoleOption> {
    Role::ALL
        .iter()
        .map(|r| RoleOption {
            value: r.as_str(),
            label: r.label(),
        })
        .collect()
}

pub fn role_label(role: &str) -> &'static str {
    role.parse::<Role>()
        .map(|r| r.label())
        .unwrap_or("(không rõ)")
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    page: Layout,
    q: String,
    rows: Vec<UserRow>,
    pager: Pager,
}

#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    page: Option<i64>,
}

pub async fn list(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let q = query.q.clone().unwrap_or_default().trim().to_string();
    let requested = query.page;
    let q2 = q.clone();
    let (rows, pager) = state
        .db
        .run(move |conn| {
            let (_, total) = User::list(conn, &q2, 0, 0)?;
            let base = if q2.is_empty() {
                "/admin/users".to_string()
            } else {
                format!("/admin/users?q={}", urlencode(&q2))
            };
            let pager = Pager::new(requested, PER_PAGE, total, base);
            let (rows, _) = User::list(conn, &q2, pager.offset(), PER_PAGE)?;
            Ok((rows, pager))
        })
        .await?;
    html(
        StatusCode::OK,
        &UsersPage {
            page: Layout::new(&req, "Người dùng", Some(&staff.user)),
            q,
            rows,
            pager,
        },
    )
}
