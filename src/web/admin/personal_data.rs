//! Personal data (Decree 13/2023/NĐ-CP): who saw or exported applicants'
//! details, and the retention setting with its purge.

use actix_session::Session;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::auth::csrf::CsrfForm;
use crate::auth::session::push_flash;
use crate::auth::Staff;
use crate::db::personal_data::{self, Entry};
use crate::domain::fields::FieldErrors;
use crate::domain::personal_data::{parse_retention, Use, RETENTION_SETTING};
use crate::domain::time::{format_datetime, now_utc};
use crate::error::AppError;
use crate::services::personal_data::{purge_expired, retention_years};
use crate::state::AppState;
use crate::web::layout::Layout;
use crate::web::{html, see_other};

const PAGE_SIZE: i64 = 100;

#[derive(Template)]
#[template(path = "admin/personal_data.html")]
struct PersonalDataPage {
    page: Layout,
    dossier: String,
    username: String,
    entries: Vec<Entry>,
    total: i64,
    retention: String,
    errors: FieldErrors,
}

impl PersonalDataPage {
    fn when(&self, e: &Entry) -> String {
        format_datetime(e.at)
    }

    fn action(&self, e: &Entry) -> &'static str {
        Use::label_of(&e.action)
    }
}

#[derive(Deserialize)]
pub struct LogQuery {
    #[serde(default)]
    ho_so: String,
    #[serde(default)]
    nguoi_dung: String,
}

async fn render(
    req: &HttpRequest,
    staff: &Staff,
    state: &AppState,
    query: LogQuery,
    retention_typed: Option<String>,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let (dossier, username) = (
        query.ho_so.chars().take(64).collect::<String>(),
        query.nguoi_dung.chars().take(64).collect::<String>(),
    );
    let (d, u) = (dossier.clone(), username.clone());
    let ((entries, total), years) = state
        .db
        .run(move |conn| {
            Ok((
                personal_data::list(conn, &d, &u, 0, PAGE_SIZE)?,
                retention_years(conn)?,
            ))
        })
        .await?;
    html(
        crate::web::form_status(&errors),
        &PersonalDataPage {
            page: Layout::new(req, "Dữ liệu cá nhân", Some(&staff.user)),
            dossier,
            username,
            entries,
            total,
            retention: retention_typed
                .unwrap_or_else(|| years.map(|y| y.to_string()).unwrap_or_default()),
            errors,
        },
    )
}

pub async fn page(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    query: web::Query<LogQuery>,
) -> Result<HttpResponse, AppError> {
    render(
        &req,
        &staff,
        &state,
        query.into_inner(),
        None,
        FieldErrors::new(),
    )
    .await
}

#[derive(Deserialize)]
pub struct RetentionForm {
    #[serde(default)]
    retention_years: String,
    #[serde(default)]
    action: String,
}

pub async fn submit(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    session: Session,
    CsrfForm(form): CsrfForm<RetentionForm>,
) -> Result<HttpResponse, AppError> {
    if form.action == "purge" {
        let purged = state.db.run(|conn| purge_expired(conn, now_utc())).await?;
        tracing::info!(
            by = staff.id,
            purged,
            "retention purge run by an administrator"
        );
        push_flash(
            &session,
            "success",
            &format!("Đã xóa thông tin cá nhân của {purged} hồ sơ quá thời hạn lưu trữ."),
        );
        return Ok(see_other("/admin/du-lieu-ca-nhan"));
    }
    let typed: String = form.retention_years.chars().take(20).collect();
    let years = match parse_retention(&typed) {
        Ok(y) => y,
        Err(message) => {
            let mut errors = FieldErrors::new();
            errors.add("retention_years", message);
            let query = LogQuery {
                ho_so: String::new(),
                nguoi_dung: String::new(),
            };
            return render(&req, &staff, &state, query, Some(typed), errors).await;
        }
    };
    state
        .db
        .run(move |conn| {
            crate::db::settings::set(
                conn,
                RETENTION_SETTING,
                &years.map(|y| y.to_string()).unwrap_or_default(),
            )
        })
        .await?;
    tracing::info!(by = staff.id, ?years, "retention setting changed");
    push_flash(
        &session,
        "success",
        &match years {
            Some(y) => format!(
                "Đã lưu: thông tin cá nhân của hồ sơ đã kết thúc quá {y} năm sẽ được xóa (mỗi giờ), số liệu thống kê được giữ."
            ),
            None => "Đã lưu: không tự động xóa thông tin cá nhân.".to_string(),
        },
    );
    Ok(see_other("/admin/du-lieu-ca-nhan"))
}
