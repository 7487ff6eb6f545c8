//! Taking an action on the dossier page: the form read, the action done, the page again on error.

use std::collections::HashMap;

use actix_session::SessionExt;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::auth::csrf::CsrfForm;
use crate::auth::session::push_flash;
use crate::auth::Staff;
use crate::domain::fields::FieldErrors;
use crate::domain::time::now_utc;
use crate::domain::workflow::Action;
use crate::error::{urlencode, AppError};
use crate::services::reception::DocumentInput;
use crate::services::Actor;
use crate::state::AppState;
use crate::web::see_other;

use super::page::{show_page, ActionState};
use crate::web::dossier_view::load;

/// Page field names of the action forms for the use case's field names.
fn form_field(f: &str) -> String {
    match f {
        "result.number" => "result_number".into(),
        "result.date" => "result_date".into(),
        "result.signer" => "result_signer".into(),
        "result.summary" => "result_summary".into(),
        "missing" => "missing_0_name".into(),
        f => match f.strip_prefix("missing.") {
            Some(i) => format!("missing_{i}_name"),
            None => f.to_string(),
        },
    }
}

fn form_date(raw: &str, field: &str, errors: &mut FieldErrors) -> Option<chrono::NaiveDate> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    let parsed = crate::services::catalog::parse_date(s);
    if parsed.is_none() {
        errors.add(field, "Ghi ngày dạng ngày/tháng/năm, ví dụ 25/11/2026.");
    }
    parsed
}

/// The address of a dossier page re-rendered after an action's error: a
/// reload or a sign-in that returns here goes back to the dossier.
pub async fn action_page(_staff: Staff, path: web::Path<String>) -> HttpResponse {
    crate::web::see_other(&format!("/ho-so/{}", urlencode(&path.into_inner())))
}

pub async fn take_action(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    use crate::services::processing::{ActError, ActionInput};
    let code = path.into_inner();
    let typed: HashMap<String, String> = form.0.into_iter().collect();
    let get = |k: &str| typed.get(k).cloned().unwrap_or_default();
    let mut errors = FieldErrors::new();
    let result_date = form_date(&get("result_date"), "result_date", &mut errors);
    let new_due_date = form_date(&get("new_due_date"), "new_due_date", &mut errors);
    let action_name = get("action");
    let delivered_at = {
        let raw = get("delivered_at");
        let raw = raw.trim();
        if raw.is_empty() {
            None
        } else {
            let parsed = ["%d/%m/%Y %H:%M", "%d/%m/%Y"]
                .iter()
                .find_map(|f| {
                    chrono::NaiveDateTime::parse_from_str(raw, f)
                        .ok()
                        .or_else(|| {
                            chrono::NaiveDate::parse_from_str(raw, f)
                                .ok()
                                .and_then(|d| d.and_hms_opt(12, 0, 0))
                        })
                })
                .filter(|t| crate::domain::time::SANE_YEARS.contains(&chrono::Datelike::year(t)))
                .map(crate::domain::time::local_to_utc);
            if parsed.is_none() {
                errors.add(
                    "at",
                    "Ghi thời điểm dạng ngày/tháng/năm giờ:phút, ví dụ 26/11/2026 10:15.",
                );
            }
            parsed
        }
    };
    let postage = errors
        .check(
            "postage",
            crate::domain::reception::parse_amount(&get("postage")),
        )
        .flatten();
    let back = format!("/ho-so/{}", urlencode(&code));
    if !errors.is_empty() {
        let failed = ActionState {
            failed: action_name,
            errors,
            typed,
        };
        return show_page(
            &req,
            &staff.user,
            &state,
            code,
            FieldErrors::new(),
            String::new(),
            failed,
        )
        .await;
    }
    let mut input = ActionInput {
        action: action_name.clone(),
        version: get("version").trim().parse().ok(),
        officer: get("officer"),
        missing: (0..3)
            .map(|i| DocumentInput {
                name: get(&format!("missing_{i}_name")),
                form: get(&format!("missing_{i}_form")),
                count: String::new(),
            })
            .collect(),
        note: get("note"),
        result_number: get("result_number"),
        result_date,
        result_signer: get("result_signer"),
        result_summary: get("result_summary"),
        reason: get("reason"),
        new_due_date,
        tracking_number: get("tracking_number"),
        recipient_name: get("recipient_name"),
        recipient_id_number: get("recipient_id_number"),
        at: delivered_at,
        authorisation: get("authorisation"),
        postage,
        shipment_id: None,
    };
    let d = load(&state, staff.user.office_id, code.clone()).await?;
    // "Người nhận là người nộp hồ sơ": the applicant's name and ID number,
    // shown just above, are not typed again.
    if input.action == "deliver_at_counter" && get("recipient_is") == "applicant" {
        let x = &d.dossier;
        input.recipient_name = match x.representative.as_deref() {
            Some(r) if x.applicant_kind == "organisation" && !r.trim().is_empty() => r.to_string(),
            _ => x.applicant_name.clone(),
        };
        // An organisation without its representative's ID: the one typed.
        if let Some(id) = x.id_number.clone().filter(|i| !i.trim().is_empty()) {
            input.recipient_id_number = id;
        }
        input.authorisation = String::new();
    }
    let cal = state.calendar().await?;
    let actor = Actor::from(&staff.user);
    let id = d.dossier.id;
    let result = state
        .db
        .run(move |conn| {
            Ok(crate::services::processing::act(
                conn,
                &cal,
                &actor,
                id,
                &input,
                now_utc(),
            ))
        })
        .await?;
    let label = Action::parse(&action_name).map(Action::label).unwrap_or("");
    match result {
        Ok(_) => {
            push_flash(
                &req.get_session(),
                "success",
                &format!("Đã thực hiện: {label}."),
            );
            Ok(see_other(&back))
        }
        Err(ActError::Stale(m)) | Err(ActError::WrongState(m)) => {
            push_flash(&req.get_session(), "error", &m);
            Ok(see_other(&back))
        }
        Err(ActError::Forbidden(_)) => Err(AppError::Forbidden),
        Err(ActError::Failed(e)) => Err(e),
        Err(ActError::Invalid(e)) => {
            let mut errors = FieldErrors::new();
            for (f, m) in e.iter() {
                errors.add(&form_field(f), m);
            }
            let failed = ActionState {
                failed: action_name,
                errors,
                typed,
            };
            show_page(
                &req,
                &staff.user,
                &state,
                code,
                FieldErrors::new(),
                String::new(),
                failed,
            )
            .await
        }
    }
}
