//! The reception form posted: read, accepted (or a supplement request, a refusal), one dossier per submission.

use std::collections::HashMap;

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{NaiveDate, NaiveDateTime};

use super::form::{
    intake_view, load_procedure, render_form, ReceptionForm, EXTRA_LINES, FIX_LINES,
};
use crate::auth::csrf::CsrfForm;
use crate::auth::Staff;
use crate::domain::fields::FieldErrors;
use crate::domain::reception::ApplicantInput;
use crate::domain::time::now_utc;
use crate::error::ActionError;
use crate::error::{urlencode, AppError};
use crate::services::reception::{self, DocumentInput, NoticeInput, NoticeKind, ReceptionInput};
use crate::services::Actor;
use crate::state::AppState;
use crate::web::see_other;
fn field(fields: &HashMap<String, String>, name: &str) -> String {
    fields.get(name).cloned().unwrap_or_default()
}

/// `dd/mm/yyyy`, or `dd/mm/yyyy hh:mm` for times (local).
fn parse_local_time(raw: &str) -> Result<Option<NaiveDateTime>, &'static str> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    ["%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %Hh%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .filter(|t| crate::domain::time::SANE_YEARS.contains(&chrono::Datelike::year(t)))
        .map(|t| Some(crate::domain::time::local_to_utc(t)))
        .ok_or("Ghi thời điểm dạng ngày/tháng/năm giờ:phút, ví dụ 25/11/2026 09:30.")
}

fn parse_local_date(raw: &str) -> Result<Option<NaiveDate>, &'static str> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    crate::services::catalog::parse_date(s)
        .map(Some)
        .ok_or("Ghi ngày dạng ngày/tháng/năm, ví dụ 20/11/2026.")
}

pub async fn submit(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let fields: HashMap<String, String> = form.0.into_iter().collect();
    let p = load_procedure(&state, &field(&fields, "procedure_code")).await?;
    let typed = ReceptionForm {
        submission_id: field(&fields, "submission_id"),
        channel: field(&fields, "channel"),
        postal_record: field(&fields, "postal_record"),
        postmarked_on: field(&fields, "postmarked_on"),
        received_at: field(&fields, "received_at"),
        applicant_kind: field(&fields, "applicant_kind"),
        full_name: field(&fields, "full_name"),
        representative: field(&fields, "representative"),
        id_number: field(&fields, "id_number"),
        phone: field(&fields, "phone"),
        email: field(&fields, "email"),
        address: field(&fields, "address"),
        sets: field(&fields, "sets"),
        return_method: field(&fields, "return_method"),
        postal_address: field(&fields, "postal_address"),
        fee_amount: field(&fields, "fee_amount"),
        fee_receipt: field(&fields, "fee_receipt"),
        note: field(&fields, "note"),
        reason: field(&fields, "reason"),
        contact_phone: field(&fields, "contact_phone"),
        intake: field(&fields, "intake"),
        postal_slip: field(&fields, "postal_slip"),
        no_news: field(&fields, "no_news"),
        outcome: field(&fields, "outcome"),
    };
    let applicant = ApplicantInput {
        kind: typed.applicant_kind.clone(),
        full_name: typed.full_name.clone(),
        representative: typed.representative.clone(),
        id_number: typed.id_number.clone(),
        phone: typed.phone.clone(),
        email: typed.email.clone(),
        address: typed.address.clone(),
    };
    // Documents in the order the use case sees them, with the form field
    // each one's messages belong to.
    let mut documents = Vec::new();
    let mut anchors = Vec::new();
    let mut missing = Vec::new();
    for (i, d) in p.documents.iter().enumerate() {
        if fields.contains_key(&format!("doc_{i}")) {
            documents.push(DocumentInput {
                name: d.name.clone(),
                form: d.form.clone(),
                count: field(&fields, &format!("doc_{i}_count")),
            });
            anchors.push(format!("doc_{i}_count"));
        } else if d.required {
            missing.push(DocumentInput {
                name: d.name.clone(),
                form: d.form.clone(),
                count: d.count.to_string(),
            });
        }
    }
    for i in 0..EXTRA_LINES {
        documents.push(DocumentInput {
            name: field(&fields, &format!("extra_{i}_name")),
            form: field(&fields, &format!("extra_{i}_form")),
            count: field(&fields, &format!("extra_{i}_count")),
        });
        anchors.push(format!("extra_{i}_name"));
    }
    let outcome = field(&fields, "outcome");
    let actor = Actor::from(&staff.user);
    let mut errors = FieldErrors::new();
    match outcome.as_str() {
        "supplement" | "refusal" => {
            let kind = NoticeKind::parse(&outcome).unwrap_or(NoticeKind::Refusal);
            let mut fix_anchors = Vec::new();
            if kind == NoticeKind::Supplement {
                for _ in &missing {
                    fix_anchors.push("doc_0".to_string());
                }
                for i in 0..FIX_LINES {
                    missing.push(DocumentInput {
                        name: field(&fields, &format!("fix_{i}_name")),
                        form: field(&fields, &format!("fix_{i}_form")),
                        count: String::new(),
                    });
                    fix_anchors.push(format!("fix_{i}_name"));
                }
            }
            let input = NoticeInput {
                procedure_code: p.procedure.code.clone(),
                channel: typed.channel.clone(),
                applicant,
                missing,
                reason: typed.reason.clone(),
                contact_phone: typed.contact_phone.clone(),
            };
            let result = state
                .db
                .run(move |conn| {
                    Ok(reception::issue_notice(
                        conn,
                        &actor,
                        kind,
                        &input,
                        now_utc(),
                    ))
                })
                .await?;
            match result {
                Ok(notice) => return Ok(see_other(&format!("/phieu/{}", notice.id))),
                Err(ActionError::Failed(e)) => return Err(e),
                Err(ActionError::Invalid(e)) => {
                    for (f, m) in e.iter() {
                        let target = match f.strip_prefix("documents.") {
                            Some(i) => i
                                .parse::<usize>()
                                .ok()
                                .and_then(|i| fix_anchors.get(i).cloned())
                                .unwrap_or_else(|| "fix_0_name".into()),
                            None if f == "missing" => "fix_0_name".into(),
                            None => f.to_string(),
                        };
                        errors.add(&target, m);
                    }
                }
            }
        }
        _ => {
            let received_at = errors
                .check("received_at", parse_local_time(&typed.received_at))
                .flatten();
            let postmarked_on = errors
                .check("postmarked_on", parse_local_date(&typed.postmarked_on))
                .flatten();
            if errors.is_empty() {
                let input = ReceptionInput {
                    procedure_code: p.procedure.code.clone(),
                    channel: typed.channel.clone(),
                    applicant,
                    documents,
                    sets: typed.sets.clone(),
                    return_method: typed.return_method.clone(),
                    postal_address: typed.postal_address.clone(),
                    note: typed.note.clone(),
                    received_at,
                    postmarked_on,
                    postal_record: typed.postal_record.clone(),
                    fee_amount: typed.fee_amount.clone(),
                    fee_receipt: typed.fee_receipt.clone(),
                    require_postal_record: true,
                    intake_id: typed.intake.trim().parse().ok(),
                    postal_slip: typed.postal_slip.clone(),
                    notify: typed.no_news.is_empty(),
                    online_submission: None,
                };
                let key = Some(typed.submission_id.trim().to_string())
                    .filter(|k| !k.is_empty() && k.len() <= 100);
                let cal = state.calendar().await?;
                let result = state
                    .db
                    .run(move |conn| {
                        Ok(reception::accept(
                            conn,
                            &cal,
                            &actor,
                            &input,
                            key.as_deref(),
                            now_utc(),
                        ))
                    })
                    .await?;
                match result {
                    Ok(r) => {
                        return Ok(see_other(&format!(
                            "/ho-so/{}/da-tiep-nhan",
                            urlencode(&r.dossier.code)
                        )))
                    }
                    Err(ActionError::Failed(e)) => return Err(e),
                    Err(ActionError::Invalid(e)) => {
                        for (f, m) in e.iter() {
                            let target = match f.strip_prefix("documents.") {
                                Some(i) => i
                                    .parse::<usize>()
                                    .ok()
                                    .and_then(|i| anchors.get(i).cloned())
                                    .unwrap_or_else(|| "doc_0".into()),
                                None if f == "documents" => "doc_0".into(),
                                None => f.to_string(),
                            };
                            errors.add(&target, m);
                        }
                    }
                }
            }
        }
    }
    // A record that is not this office's was already reported by the use case.
    let intake = intake_view(
        &state,
        staff.user.office_id,
        typed.intake.trim().parse().ok(),
    )
    .await
    .ok()
    .flatten();
    render_form(&req, &staff, p, typed, &fields, errors, intake)
}
