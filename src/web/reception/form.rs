//! The reception form of one procedure, blank or back with what was typed and the messages.

use std::collections::HashMap;

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::auth::Staff;
use crate::db::procedures::{Procedure, ProcedureFull};
use crate::domain::fields::FieldErrors;
use crate::domain::procedure::{
    describe_time, fold, split_codes, Channel, DocumentForm, ReturnMethod,
};
use crate::domain::time::today;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::layout::Layout;
use crate::web::options::{form_options, FormOption};
use crate::web::{form_status, html, see_other};

/// A document of the procedure's list, as the form shows it.
pub struct DocRow {
    pub index: usize,
    pub name: String,
    pub form_label: &'static str,
    pub required: bool,
    pub checked: bool,
    pub count: String,
}

/// A free line (another document received, or one to fix).
pub struct FreeRow {
    pub index: usize,
    pub name: String,
    pub form: String,
    pub count: String,
}

/// The reception form as typed.
#[derive(Default)]
pub struct ReceptionForm {
    pub submission_id: String,
    pub channel: String,
    pub postal_record: String,
    pub postmarked_on: String,
    pub received_at: String,
    pub applicant_kind: String,
    pub full_name: String,
    pub representative: String,
    pub id_number: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub sets: String,
    pub return_method: String,
    pub postal_address: String,
    pub fee_amount: String,
    pub fee_receipt: String,
    pub note: String,
    pub reason: String,
    pub contact_phone: String,
    /// The postal intake record this dossier is received under, if any.
    pub intake: String,
    pub postal_slip: String,
    /// Ticked when the applicant declines news by email and SMS.
    pub no_news: String,
    /// The button that sent the form (`accept`, `supplement`, `refusal`).
    pub outcome: String,
}

pub(super) const EXTRA_LINES: usize = 2;
pub(super) const FIX_LINES: usize = 3;

#[derive(Template)]
#[template(path = "reception/form.html")]
pub(super) struct FormPage {
    page: Layout,
    procedure: Procedure,
    time: String,
    has_fee: bool,
    channels: Vec<FormOption>,
    return_methods: Vec<FormOption>,
    forms: Vec<FormOption>,
    docs: Vec<DocRow>,
    extras: Vec<FreeRow>,
    fixes: Vec<FreeRow>,
    form: ReceptionForm,
    errors: FieldErrors,
    intake: Option<IntakeView>,
}

/// The postal intake record a dossier is received under.
pub struct IntakeView {
    pub id: i64,
    pub number: String,
    pub signed_at: String,
    pub worker: String,
}

impl FormPage {
    fn is_org(&self) -> bool {
        self.form.applicant_kind == "organisation"
    }
}

pub(super) fn options(p: &ProcedureFull) -> (Vec<FormOption>, Vec<FormOption>) {
    let channels = split_codes(&p.procedure.channels)
        .into_iter()
        .filter_map(Channel::parse)
        .map(|c| FormOption {
            value: c.as_str(),
            label: c.label(),
        })
        .collect();
    let returns = split_codes(&p.procedure.return_methods)
        .into_iter()
        .filter_map(ReturnMethod::parse)
        .map(|m| FormOption {
            value: m.as_str(),
            label: m.label(),
        })
        .collect();
    (channels, returns)
}

/// Whether the procedure charges anything ("Không", "Không thu phí..." do not).
pub fn has_fee(fee: &str) -> bool {
    let f = fold(fee.trim());
    !(f.is_empty() || f.starts_with("khong"))
}

pub(super) async fn intake_view(
    state: &AppState,
    office_id: i64,
    id: Option<i64>,
) -> Result<Option<IntakeView>, AppError> {
    let Some(id) = id else { return Ok(None) };
    let intake = state
        .db
        .run(move |conn| crate::db::postal::PostalIntake::find(conn, id))
        .await?
        .filter(|i| i.office_id == office_id)
        .ok_or(AppError::NotFound)?;
    Ok(Some(IntakeView {
        id: intake.id,
        number: intake.record_number,
        signed_at: crate::domain::time::format_datetime(intake.signed_at),
        worker: intake.postal_worker,
    }))
}

pub(super) fn render_form(
    req: &HttpRequest,
    staff: &Staff,
    p: ProcedureFull,
    form: ReceptionForm,
    fields: &HashMap<String, String>,
    errors: FieldErrors,
    intake: Option<IntakeView>,
) -> Result<HttpResponse, AppError> {
    let (channels, return_methods) = options(&p);
    let fresh = fields.is_empty();
    let docs = p
        .documents
        .iter()
        .enumerate()
        .map(|(i, d)| DocRow {
            index: i,
            name: d.name.clone(),
            form_label: DocumentForm::parse(&d.form)
                .map(DocumentForm::label)
                .unwrap_or(""),
            required: d.required,
            checked: fields.get(&format!("doc_{i}")).is_some(),
            count: if fresh {
                d.count.to_string()
            } else {
                fields
                    .get(&format!("doc_{i}_count"))
                    .cloned()
                    .unwrap_or_default()
            },
        })
        .collect();
    let free = |prefix: &str, n: usize| -> Vec<FreeRow> {
        (0..n)
            .map(|i| FreeRow {
                index: i,
                name: fields
                    .get(&format!("{prefix}_{i}_name"))
                    .cloned()
                    .unwrap_or_default(),
                form: fields
                    .get(&format!("{prefix}_{i}_form"))
                    .cloned()
                    .unwrap_or_default(),
                count: fields
                    .get(&format!("{prefix}_{i}_count"))
                    .cloned()
                    .unwrap_or_default(),
            })
            .collect()
    };
    let time = p
        .working_days_on(today())
        .map(describe_time)
        .unwrap_or_else(|| "Chưa quy định".into());
    let status = form_status(&errors);
    html(
        status,
        &FormPage {
            page: Layout::new(req, "Tiếp nhận hồ sơ", Some(&staff.user)),
            has_fee: has_fee(&p.procedure.fee),
            time,
            channels,
            return_methods,
            forms: form_options(),
            docs,
            extras: free("extra", EXTRA_LINES),
            fixes: free("fix", FIX_LINES),
            procedure: p.procedure,
            form,
            errors,
            intake,
        },
    )
}

pub(super) async fn load_procedure(
    state: &AppState,
    code: &str,
) -> Result<ProcedureFull, AppError> {
    let code = code.trim().to_string();
    state
        .db
        .run(move |conn| match Procedure::find_by_code(conn, &code)? {
            Some(p) if p.active => Ok(Procedure::full(conn, p)?),
            _ => Err(AppError::NotFound),
        })
        .await
}

#[derive(Deserialize)]
pub struct NewQuery {
    thu_tuc: Option<String>,
    lo: Option<i64>,
}

pub async fn new_form(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    query: web::Query<NewQuery>,
) -> Result<HttpResponse, AppError> {
    let Some(code) = query.thu_tuc.as_deref().filter(|c| !c.trim().is_empty()) else {
        return Ok(see_other("/tiep-nhan"));
    };
    let p = load_procedure(&state, code).await?;
    let intake = intake_view(&state, staff.user.office_id, query.lo).await?;
    let form = ReceptionForm {
        submission_id: uuid::Uuid::new_v4().to_string(),
        channel: if intake.is_some() {
            "postal"
        } else {
            "counter"
        }
        .into(),
        intake: intake
            .as_ref()
            .map(|i| i.id.to_string())
            .unwrap_or_default(),
        applicant_kind: "person".into(),
        return_method: "counter".into(),
        sets: "1".into(),
        ..ReceptionForm::default()
    };
    render_form(
        &req,
        &staff,
        p,
        form,
        &HashMap::new(),
        FieldErrors::new(),
        intake,
    )
}
