//! The dossier as the API answers it, and the citizen's status link.

use crate::services::dossiers::lookup_url;
use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::time::{rfc3339, today};
use crate::services::dossiers::DossierDetail;

#[derive(Serialize, utoipa::ToSchema)]
pub struct ProcedureRef {
    pub(super) code: String,
    pub(super) name: String,
    pub(super) working_days: i32,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = Applicant)]
pub struct ApplicantJson {
    kind: String,
    full_name: String,
    representative: Option<String>,
    id_number: Option<String>,
    phone: String,
    email: Option<String>,
    address: String,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = DossierDocument)]
pub struct DocumentJson {
    name: String,
    form: String,
    count: i32,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = HistoryEntry)]
pub struct HistoryJson {
    at: String,
    by: String,
    action: String,
    from: Option<String>,
    to: String,
    note: String,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = Dossier)]
pub struct DossierJson {
    pub(super) code: String,
    version: i32,
    status: String,
    #[schema(value_type = String)]
    status_label: &'static str,
    outcome: Option<String>,
    voided: bool,
    void_reason: Option<String>,
    procedure: ProcedureRef,
    office: String,
    channel: String,
    return_method: String,
    postal_address: Option<String>,
    applicant: ApplicantJson,
    documents: Vec<DocumentJson>,
    sets: i32,
    assignee: Option<String>,
    received_at: String,
    postmarked_on: Option<String>,
    postal_record: Option<String>,
    effective_receiving_day: String,
    due_date: Option<String>,
    original_due_date: Option<String>,
    supplement_requests: i32,
    decided_at: Option<String>,
    #[schema(value_type = Option<String>)]
    timeliness: Option<&'static str>,
    overdue: bool,
    register: String,
    fee_amount: Option<i64>,
    fee_receipt: Option<String>,
    note: String,
    lookup_url: String,
    /// Extensions: an apology moved the date (once), a supplement request
    /// came later than 3 working days, the recorded result, the reason of a
    /// refusal or withdrawal.
    extended: bool,
    late_supplement_request: bool,
    result: Option<ResultJson>,
    closing_reason: Option<String>,
    /// Extensions for the return of the result.
    delivered_at: Option<String>,
    recipient_name: Option<String>,
    tracking_number: Option<String>,
    postage: Option<i64>,
    postal_returns: i32,
    history: Vec<HistoryJson>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = DecisionResult)]
pub struct ResultJson {
    number: String,
    date: Option<String>,
    signer: Option<String>,
    summary: Option<String>,
}

pub(super) fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub fn dossier_json(d: &DossierDetail, public_url: &str) -> DossierJson {
    let x = &d.dossier;
    let status = d.status();
    let timeliness = match (x.decided_at, x.due_date.or(x.original_due_date)) {
        (Some(at), Some(due)) => Some(
            crate::domain::dossier::decided_timeliness(at, due, x.extended, x.supplement_requests)
                .as_str(),
        ),
        _ => None,
    };
    DossierJson {
        code: x.code.clone(),
        version: x.version,
        status: x.status.clone(),
        status_label: status.label(),
        outcome: x.outcome.clone(),
        voided: x.voided,
        void_reason: x.void_reason.clone(),
        procedure: ProcedureRef {
            code: d.procedure.code.clone(),
            name: d.procedure.name.clone(),
            working_days: x.working_days,
        },
        office: d.office.code.clone(),
        channel: x.channel.clone(),
        return_method: x.return_method.clone(),
        postal_address: x.postal_address.clone(),
        applicant: ApplicantJson {
            kind: x.applicant_kind.clone(),
            full_name: x.applicant_name.clone(),
            representative: x.representative.clone(),
            id_number: x.id_number.clone(),
            phone: x.phone.clone(),
            email: x.email.clone(),
            address: x.address.clone(),
        },
        documents: d
            .documents
            .iter()
            .map(|doc| DocumentJson {
                name: doc.name.clone(),
                form: doc.form.clone(),
                count: doc.count,
            })
            .collect(),
        sets: x.sets,
        assignee: d.assignee.clone(),
        received_at: rfc3339(x.received_at),
        postmarked_on: x.postmarked_on.map(date),
        postal_record: x.postal_record.clone(),
        effective_receiving_day: date(x.effective_day),
        due_date: x.due_date.map(date),
        original_due_date: x.original_due_date.map(date),
        supplement_requests: x.supplement_requests,
        decided_at: x.decided_at.map(rfc3339),
        timeliness,
        overdue: d.overdue(today()),
        register: format!("{}/{}", x.register_number, x.register_year),
        fee_amount: x.fee_amount,
        fee_receipt: x.fee_receipt.clone(),
        note: x.note.clone(),
        lookup_url: lookup_url(public_url, &x.lookup_token),
        extended: x.extended,
        late_supplement_request: x.late_supplement,
        result: x.result_number.as_ref().map(|n| ResultJson {
            number: n.clone(),
            date: x.result_date.map(date),
            signer: x.result_signer.clone(),
            summary: x.result_summary.clone(),
        }),
        closing_reason: x.closing_reason.clone(),
        delivered_at: x.delivered_at.map(rfc3339),
        recipient_name: x.recipient_name.clone(),
        tracking_number: x.tracking_number.clone(),
        postage: x.postage,
        postal_returns: x.postal_returns,
        history: d
            .events
            .iter()
            .map(|e| HistoryJson {
                at: rfc3339(e.at),
                by: e.username.clone(),
                action: e.action.clone(),
                from: e.from_status.clone(),
                to: e.to_status.clone(),
                note: e.note.clone(),
            })
            .collect(),
    }
}
