//! The staff home page.

use actix_web::{get, HttpRequest, HttpResponse};
use askama::Template;

use super::layout::Layout;
use crate::auth::extract::CurrentUser;
use crate::auth::Staff;
use crate::domain::role::AnyStaff;
use crate::error::AppError;

#[derive(Template)]
#[template(path = "home/index.html")]
struct HomePage {
    page: Layout,
    user: CurrentUser,
}

#[get("/")]
pub async fn home(req: HttpRequest, staff: Staff<AnyStaff>) -> Result<HttpResponse, AppError> {
    super::html(
        actix_web::http::StatusCode::OK,
        &HomePage {
            page: Layout::new(&req, "Trang chủ", Some(&staff.user)),
            user: staff.user.clone(),
        },
    )
}
