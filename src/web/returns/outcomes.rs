//! Delivery outcomes imported from the postal operator's CSV file: all lines or none.

use actix_multipart::Multipart;
use actix_session::SessionExt;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;

use super::postal_desk::{postal_page, PostalState};
use crate::auth::session::push_flash;
use crate::auth::Staff;
use crate::domain::time::now_utc;
use crate::error::AppError;
use crate::services::dossiers::visible_offices;
use crate::services::returns::{self};
use crate::services::Actor;
use crate::state::AppState;
use crate::web::see_other;

const UPLOAD_LIMIT: usize = 1024 * 1024;
/// The form has two fields (`csrf_token`, `file`); a few more are tolerated.
const UPLOAD_FIELDS: usize = 8;

/// Imports delivery outcomes from the postal operator's CSV file
/// (multipart: `csrf_token`, `file`). All lines or none.
pub async fn import(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    mut payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let mut token = None;
    let mut file = Vec::new();
    let (mut fields, mut total) = (0, 0);
    while let Some(item) = payload.next().await {
        let mut field =
            item.map_err(|_| AppError::BadRequest("Không đọc được tệp gửi lên.".into()))?;
        fields += 1;
        if fields > UPLOAD_FIELDS {
            return Err(AppError::BadRequest(
                "Biểu mẫu gửi lên có quá nhiều trường.".into(),
            ));
        }
        let name = field.name().unwrap_or("").to_string();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk =
                chunk.map_err(|_| AppError::BadRequest("Không đọc được tệp gửi lên.".into()))?;
            total += chunk.len();
            if bytes.len() + chunk.len() > UPLOAD_LIMIT || total > UPLOAD_LIMIT + 64 * 1024 {
                return Err(AppError::BadRequest("Tệp quá lớn (tối đa 1 MiB).".into()));
            }
            bytes.extend_from_slice(&chunk);
        }
        match name.as_str() {
            "csrf_token" => token = Some(String::from_utf8_lossy(&bytes).into_owned()),
            "file" => file = bytes,
            _ => {}
        }
    }
    crate::auth::csrf::check(&req.get_session(), token.as_deref())?;
    if file.is_empty() {
        let st = PostalState {
            import_errors: vec!["Chọn tệp CSV kết quả phát của bưu chính.".into()],
            ..PostalState::default()
        };
        return postal_page(&req, &staff, &state, st).await;
    }
    let cal = state.calendar().await?;
    let actor = Actor::from(&staff.user);
    let office = staff.user.office_id;
    let result = state
        .db
        .run(move |conn| {
            let visible = visible_offices(conn, office)?;
            Ok(returns::import_outcomes(
                conn,
                &cal,
                &actor,
                &visible,
                &file,
                now_utc(),
            ))
        })
        .await?;
    match result {
        Ok(report) => {
            push_flash(
                &req.get_session(),
                "success",
                &format!(
                    "Đã nhập kết quả phát: {} đã phát, {} chuyển hoàn về bộ phận một cửa.",
                    report.delivered, report.returned
                ),
            );
            Ok(see_other("/buu-chinh"))
        }
        Err(errors) => {
            let st = PostalState {
                import_errors: errors,
                ..PostalState::default()
            };
            postal_page(&req, &staff, &state, st).await
        }
    }
}
