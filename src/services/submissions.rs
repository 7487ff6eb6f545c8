//! Online filing: a citizen submits a dossier with its scans from home; a
//! reception clerk accepts it (it becomes a dossier with its code and due
//! date counted from the acceptance), asks for a supplement (the citizen
//! uploads it to the same submission), or refuses it with a reason. Each is
//! one transaction: files and records are committed together or not at all.

use chrono::NaiveDateTime;
use rand::Rng;

use crate::db::dossiers::Dossier;
use crate::db::files::{self, NewFile, StoredFile};
use crate::db::offices::Office;
use crate::db::procedures::Procedure;
use crate::db::submissions::{NewSubmission, Submission, SubmissionFile};
use crate::db::{is_unique_violation, write_tx, DbConnection};
use crate::domain::applicant::Phone;
use crate::domain::calendar::Calendar;
use crate::domain::citizen::{News, NewsFacts};
use crate::domain::dossier::Status;
use crate::domain::fields::FieldErrors;
use crate::domain::procedure::DocumentForm;
use crate::domain::reception::{check_document, long_text, ApplicantInput};
use crate::domain::scan::{check_scan, safe_file_name, ScanKind, MAX_FILES, SUBMISSION_MAX_BYTES};
use crate::domain::time::to_local;
use crate::error::{ActionError, AppError};
use crate::services::passwords::random_token;
use crate::services::processing::ActError;
use crate::services::reception::{self, DocumentInput, ReceptionInput};
use crate::services::Actor;

/// A submission's own states besides the dossier's `submitted` and
/// `not_accepted`: waiting for the citizen's supplement, and accepted (it
/// is a dossier now).
pub const SUBMITTED: &str = "submitted";
pub const AWAITING_SUPPLEMENT: &str = "awaiting_supplement";
pub const NOT_ACCEPTED: &str = "not_accepted";
pub const ACCEPTED: &str = "accepted";

/// Where a submission came from.
pub const FROM_WEB: &str = "web";
pub const FROM_API: &str = "api";

/// An uploaded file as received.
#[derive(Debug, Clone, Default)]
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// A document line with its file.
#[derive(Debug, Clone, Default)]
pub struct DocumentUpload {
    pub name: String,
    pub form: String,
    pub count: String,
    pub file: Option<Upload>,
}

/// A submission as typed on the public form or sent to the API.
#[derive(Debug, Clone, Default)]
pub struct SubmissionInput {
    pub procedure_code: String,
    /// The receiving office's code; empty is the front office.
    pub office_code: String,
    pub applicant: ApplicantInput,
    pub documents: Vec<DocumentUpload>,
    pub return_method: String,
    pub postal_address: String,
    pub notify: bool,
    pub source: &'static str,
    /// The form's one-time key (or the API's `Idempotency-Key`).
    pub form_key: Option<String>,
}

/// `DK-<YYMMDD>-<6 letters or digits>`: not a dossier code (that comes on
/// acceptance), not guessable, easy to read out on the phone.
fn new_code(now: NaiveDateTime) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    let tail: String = (0..6)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    format!("DK-{}-{tail}", to_local(now).format("%y%m%d"))
}

/// Whether `code` is shaped like a submission code.
pub fn is_submission_code(code: &str) -> bool {
    code.trim().to_uppercase().starts_with("DK-")
}

struct CheckedFile {
    position: i32,
    name: String,
    form: String,
    count: i32,
    kind: ScanKind,
    file_name: String,
    bytes: Vec<u8>,
}

/// Checks each document line's file: present, of an accepted type, whole.
fn check_files(
    lines: &[DocumentUpload],
    field: impl Fn(usize) -> String,
    errors: &mut FieldErrors,
) -> Vec<CheckedFile> {
    let mut out = Vec::new();
    let mut total = 0usize;
    for (i, l) in lines.iter().enumerate() {
        let key = field(i);
        let Some(line) = check_document(&l.name, &l.form, &l.count, &key, errors) else {
            continue;
        };
        let Some(up) = l.file.as_ref().filter(|u| !u.bytes.is_empty()) else {
            errors.add(
                &format!("{key}.file"),
                format!("Chọn tệp bản quét của “{}”.", line.name),
            );
            continue;
        };
        total += up.bytes.len();
        match check_scan(&up.bytes) {
            Ok(kind) => out.push(CheckedFile {
                position: i as i32 + 1,
                name: line.name,
                form: line.form.as_str().to_string(),
                count: line.count as i32,
                file_name: safe_file_name(&up.file_name, kind.extension),
                kind,
                bytes: up.bytes.clone(),
            }),
            Err(e) => errors.add(&format!("{key}.file"), e),
        }
    }
    if total > SUBMISSION_MAX_BYTES {
        errors.add(
            "documents",
            format!(
                "Tổng dung lượng các tệp tối đa {} MiB.",
                SUBMISSION_MAX_BYTES / (1024 * 1024)
            ),
        );
    }
    out
}

fn store_file(
    conn: &mut DbConnection,
    office_id: i64,
    f: &CheckedFile,
    now: NaiveDateTime,
) -> Result<StoredFile, AppError> {
    StoredFile::insert(
        conn,
        &NewFile {
            office_id,
            file_name: &f.file_name,
            content_type: f.kind.content_type,
            pages: f.kind.pages,
            bytes: &f.bytes,
        },
        &random_token(24),
        now,
    )
}

/// Files a submission: checks everything as at the counter (the online
/// channel, the applicant, every required document with its scan), then
/// stores the submission and its files in one transaction.
pub fn submit(
    conn: &mut DbConnection,
    cal: &Calendar,
    input: &SubmissionInput,
    now: NaiveDateTime,
) -> Result<Submission, ActionError> {
    if let Some(key) = &input.form_key {
        if let Some(s) = Submission::by_form_key(conn, key)? {
            return Ok(s);
        }
    }
    let office = match input.office_code.trim() {
        "" => Office::front(conn)?,
        code => Office::find_by_code(conn, code)?.filter(|o| o.active),
    };
    let Some(office) = office else {
        return Err(ActionError::field(
            "office",
            "Không có cơ quan nhận hồ sơ với mã này.",
        ));
    };
    let mut errors = FieldErrors::new();
    if input.documents.len() > MAX_FILES {
        errors.add(
            "documents",
            format!("Một hồ sơ có tối đa {MAX_FILES} giấy tờ."),
        );
    }
    let files = check_files(
        &input.documents[..input.documents.len().min(MAX_FILES)],
        |i| format!("documents.{i}"),
        &mut errors,
    );
    let reception = ReceptionInput {
        procedure_code: input.procedure_code.clone(),
        channel: "online".into(),
        applicant: input.applicant.clone(),
        documents: input
            .documents
            .iter()
            .take(MAX_FILES)
            .map(|d| DocumentInput {
                name: d.name.clone(),
                form: d.form.clone(),
                count: d.count.clone(),
            })
            .collect(),
        sets: "1".into(),
        return_method: input.return_method.clone(),
        postal_address: input.postal_address.clone(),
        notify: input.notify,
        ..Default::default()
    };
    let checked = reception::check_reception(conn, cal, office.id, &reception, now);
    if let Err(ActionError::Invalid(e)) = &checked {
        for (field, message) in e.iter() {
            if field == "documents" && message.starts_with("Còn thiếu giấy tờ bắt buộc")
            {
                let names = message
                    .trim_start_matches("Còn thiếu giấy tờ bắt buộc: ")
                    .split(". Hồ sơ")
                    .next()
                    .unwrap_or("");
                errors.add(
                    field,
                    format!("Còn thiếu bản quét của giấy tờ bắt buộc: {names}."),
                );
            } else if errors.get(field).is_none() {
                errors.add(field, message);
            }
        }
    } else {
        checked?;
    }
    if !errors.is_empty() {
        return Err(ActionError::Invalid(errors));
    }
    let procedure =
        Procedure::find_by_code(conn, input.procedure_code.trim())?.ok_or(AppError::NotFound)?;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let code = new_code(now);
        let result = write_tx(conn, |conn| {
            if let Some(key) = &input.form_key {
                if let Some(s) = Submission::by_form_key(conn, key)? {
                    return Ok(s);
                }
            }
            store(conn, input, &office, &procedure, &files, &code, now)
        });
        match result {
            Err(ActionError::Failed(e)) if is_unique_violation(&e) && attempt < 5 => continue,
            other => return other,
        }
    }
}

fn store(
    conn: &mut DbConnection,
    input: &SubmissionInput,
    office: &Office,
    procedure: &Procedure,
    files: &[CheckedFile],
    code: &str,
    now: NaiveDateTime,
) -> Result<Submission, ActionError> {
    let a = &input.applicant;
    let applicant_json = serde_json::to_string(a).unwrap_or_else(|_| "{}".into());
    let name = a.full_name.split_whitespace().collect::<Vec<_>>().join(" ");
    let id_number = Some(a.id_number.trim()).filter(|s| !s.is_empty());
    let email = Some(a.email.trim()).filter(|s| !s.is_empty());
    let postal = input.return_method.trim() == "postal";
    let postal_address = Some(input.postal_address.trim()).filter(|s| postal && !s.is_empty());
    let token = random_token(18);
    let s = Submission::insert(
        conn,
        &NewSubmission {
            code,
            lookup_token: &token,
            office_id: office.id,
            procedure_id: procedure.id,
            status: SUBMITTED,
            version: 1,
            applicant: &applicant_json,
            applicant_name: &name,
            id_number,
            phone: a.phone.trim(),
            email,
            return_method: input.return_method.trim(),
            postal_address,
            missing: "[]",
            note: "",
            reason: None,
            supplement_requests: 0,
            source: input.source,
            notify: input.notify,
            form_key: input.form_key.as_deref(),
            submitted_at: now,
            updated_at: now,
        },
    )?;
    for f in files {
        let stored = store_file(conn, office.id, f, now)?;
        Submission::add_file(
            conn, s.id, f.position, &f.name, &f.form, f.count, stored.id, 0, now,
        )?;
    }
    Submission::add_event(
        conn,
        s.id,
        now,
        None,
        "submit",
        None,
        SUBMITTED,
        &format!(
            "Công dân nộp hồ sơ trực tuyến, {} tệp bản quét",
            files.len()
        ),
    )?;
    notify(conn, &s, News::Submitted, now)?;
    Ok(s)
}

/// Writes the citizen's news about submission `s`.
fn notify(
    conn: &mut DbConnection,
    s: &Submission,
    news: News,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    if !s.notify {
        return Ok(0);
    }
    let email = s.email.as_deref().map(str::trim).filter(|e| !e.is_empty());
    let phone = Phone::parse(&s.phone).ok();
    if email.is_none() && phone.is_none() {
        return Ok(0);
    }
    let procedure = Procedure::find(conn, s.procedure_id)?;
    let office = Office::find(conn, s.office_id)?;
    let mut office_phone = office.phone.clone();
    if office_phone.is_empty() {
        office_phone = Office::front(conn)?.map(|o| o.phone).unwrap_or_default();
    }
    let facts = NewsFacts {
        code: s.code.clone(),
        procedure: procedure.name,
        office: office.name,
        office_phone,
        reason: s.reason.clone().unwrap_or_default(),
        missing: super::citizens::missing_lines(&s.missing),
        online: true,
        ..Default::default()
    };
    super::notifications::write(
        conn,
        None,
        email,
        phone.as_ref(),
        news,
        &facts,
        &super::notifications::status_path(&s.lookup_token),
        now,
    )
}

/// A submission with everything the clerk's page shows.
#[derive(Debug, Clone)]
pub struct SubmissionDetail {
    pub submission: Submission,
    pub procedure: Procedure,
    pub office: Office,
    pub applicant: ApplicantInput,
    pub files: Vec<SubmissionFile>,
    pub events: Vec<crate::db::submissions::SubmissionEvent>,
    /// The dossier it became, once accepted.
    pub dossier_code: Option<String>,
}

impl SubmissionDetail {
    pub fn status_label(&self) -> &'static str {
        status_label(&self.submission.status)
    }
}

pub fn status_label(s: &str) -> &'static str {
    match s {
        SUBMITTED => Status::Submitted.label(),
        AWAITING_SUPPLEMENT => Status::AwaitingSupplement.label(),
        NOT_ACCEPTED => Status::NotAccepted.label(),
        ACCEPTED => Status::Received.label(),
        _ => "Không rõ",
    }
}

pub fn detail(conn: &mut DbConnection, s: Submission) -> Result<SubmissionDetail, AppError> {
    let procedure = Procedure::find(conn, s.procedure_id)?;
    let office = Office::find(conn, s.office_id)?;
    let applicant = serde_json::from_str(&s.applicant).unwrap_or_default();
    let files = Submission::files(conn, s.id)?;
    let events = Submission::events(conn, s.id)?;
    let dossier_code = match s.dossier_id {
        Some(id) => Some(Dossier::find(conn, id)?.code),
        None => None,
    };
    Ok(SubmissionDetail {
        submission: s,
        procedure,
        office,
        applicant,
        files,
        events,
        dossier_code,
    })
}

/// The submission `code` if `visible` holds its office.
pub fn find_visible(
    conn: &mut DbConnection,
    code: &str,
    visible: &[i64],
) -> Result<Option<Submission>, AppError> {
    let code = code.trim();
    let found = match Submission::by_code(conn, code)? {
        Some(s) => Some(s),
        None => Submission::by_code(conn, &code.to_uppercase())?,
    };
    Ok(found.filter(|s| visible.contains(&s.office_id)))
}

/// What the clerk decided.
#[derive(Debug, Clone)]
pub enum Decision {
    Accept,
    /// The documents to add (name, form, count) and a note.
    Supplement(Vec<DocumentInput>, String),
    Refuse(String),
}

fn may_receive(actor: &Actor) -> Result<(), ActError> {
    use crate::domain::Role;
    if matches!(actor.role, Role::Reception) {
        Ok(())
    } else {
        Err(ActError::Forbidden(
            "Chỉ cán bộ tiếp nhận xử lý hồ sơ nộp trực tuyến.".into(),
        ))
    }
}

/// The clerk's decision on submission `id` as seen at `version`, in one
/// transaction; returns the dossier when accepted.
pub fn decide(
    conn: &mut DbConnection,
    cal: &Calendar,
    actor: &Actor,
    id: i64,
    version: Option<i32>,
    decision: &Decision,
    now: NaiveDateTime,
) -> Result<Option<Dossier>, ActError> {
    may_receive(actor)?;
    let Some(version) = version else {
        let mut e = FieldErrors::new();
        e.add("version", "Thiếu số phiên bản (version) của hồ sơ.");
        return Err(ActError::Invalid(e));
    };
    // Check what was typed before anything is written.
    let missing_json = match decision {
        Decision::Supplement(lines, note) => Some(check_missing(lines, note)?),
        Decision::Refuse(reason) => {
            let mut e = FieldErrors::new();
            e.check(
                "reason",
                long_text(reason, Some("Nhập lý do không tiếp nhận.")),
            );
            if !e.is_empty() {
                return Err(ActError::Invalid(e));
            }
            None
        }
        Decision::Accept => None,
    };
    write_tx(conn, |conn| {
        let s = Submission::find(conn, id)?;
        if s.version != version {
            return Err(ActError::Stale(
                "Hồ sơ vừa được người khác xử lý; hãy xem lại trạng thái mới.".into(),
            ));
        }
        let from: &[&str] = match decision {
            Decision::Refuse(_) => &[SUBMITTED, AWAITING_SUPPLEMENT],
            _ => &[SUBMITTED],
        };
        if !from.contains(&s.status.as_str()) {
            return Err(ActError::WrongState(format!(
                "Hồ sơ đang ở trạng thái “{}”, không thực hiện được thao tác này.",
                status_label(&s.status)
            )));
        }
        match decision {
            Decision::Accept => accept(conn, cal, actor, &s, now).map(Some),
            Decision::Supplement(_, note) => {
                let missing = missing_json.as_deref().unwrap_or("[]");
                moved(
                    conn,
                    &s,
                    AWAITING_SUPPLEMENT,
                    Some(missing),
                    None,
                    None,
                    now,
                )?;
                let mut text = format!(
                    "Yêu cầu bổ sung: {}",
                    super::citizens::missing_lines(missing).join("; ")
                );
                if !note.trim().is_empty() {
                    text.push_str(&format!(". {}", note.trim()));
                }
                Submission::add_event(
                    conn,
                    s.id,
                    now,
                    Some(actor.user_id),
                    "request_supplement",
                    Some(&s.status),
                    AWAITING_SUPPLEMENT,
                    &text,
                )?;
                let fresh = Submission::find(conn, s.id)?;
                notify(conn, &fresh, News::SupplementRequested, now)?;
                Ok(None)
            }
            Decision::Refuse(reason) => {
                let reason = reason.trim();
                moved(conn, &s, NOT_ACCEPTED, None, Some(reason), None, now)?;
                Submission::add_event(
                    conn,
                    s.id,
                    now,
                    Some(actor.user_id),
                    "reject_online",
                    Some(&s.status),
                    NOT_ACCEPTED,
                    &format!("Không tiếp nhận. Lý do: {reason}"),
                )?;
                let fresh = Submission::find(conn, s.id)?;
                notify(conn, &fresh, News::NotAccepted, now)?;
                Ok(None)
            }
        }
    })
}

fn moved(
    conn: &mut DbConnection,
    s: &Submission,
    to: &str,
    missing: Option<&str>,
    reason: Option<&str>,
    dossier_id: Option<i64>,
    now: NaiveDateTime,
) -> Result<(), ActError> {
    if Submission::transition(
        conn,
        s.id,
        s.version,
        &[s.status.as_str()],
        to,
        missing,
        reason,
        dossier_id,
        now,
    )? {
        Ok(())
    } else {
        Err(ActError::Stale(
            "Hồ sơ vừa được người khác xử lý; hãy xem lại trạng thái mới.".into(),
        ))
    }
}

/// The documents asked for, as stored (JSON), or what is wrong with them.
fn check_missing(lines: &[DocumentInput], note: &str) -> Result<String, ActError> {
    let mut errors = FieldErrors::new();
    let checked: Vec<_> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.name.trim().is_empty())
        .filter_map(|(i, l)| {
            check_document(
                &l.name,
                &l.form,
                &l.count,
                &format!("missing.{i}"),
                &mut errors,
            )
        })
        .collect();
    if checked.is_empty() && errors.is_empty() {
        errors.add("missing", "Chọn hoặc nhập ít nhất một giấy tờ cần bổ sung.");
    }
    errors.check("note", long_text(note, None));
    if !errors.is_empty() {
        return Err(ActError::Invalid(errors));
    }
    Ok(serde_json::to_string(
        &checked
            .iter()
            .map(|d| serde_json::json!({"name": d.name, "form": d.form.as_str(), "count": d.count}))
            .collect::<Vec<_>>(),
    )
    .unwrap_or_else(|_| "[]".into()))
}

/// Accepts the submission: the dossier is received now, by `actor`, at the
/// submission's office; its files become the dossier's.
fn accept(
    conn: &mut DbConnection,
    cal: &Calendar,
    actor: &Actor,
    s: &Submission,
    now: NaiveDateTime,
) -> Result<Dossier, ActError> {
    let procedure = Procedure::find(conn, s.procedure_id)?;
    let files = Submission::files(conn, s.id)?;
    let mut documents: Vec<DocumentInput> = Vec::new();
    for f in files.iter().filter(|f| f.round == 0) {
        documents.push(DocumentInput {
            name: f.name.clone(),
            form: f.form.clone(),
            count: f.count.to_string(),
        });
    }
    // Documents a supplement added are listed once each.
    for f in files.iter().filter(|f| f.round > 0) {
        if !documents.iter().any(|d| d.name == f.name) {
            documents.push(DocumentInput {
                name: f.name.clone(),
                form: f.form.clone(),
                count: f.count.to_string(),
            });
        }
    }
    let input = ReceptionInput {
        procedure_code: procedure.code.clone(),
        channel: "online".into(),
        applicant: serde_json::from_str(&s.applicant).unwrap_or_default(),
        documents,
        sets: "1".into(),
        return_method: s.return_method.clone(),
        postal_address: s.postal_address.clone().unwrap_or_default(),
        notify: s.notify,
        online_submission: Some(s.code.clone()),
        ..Default::default()
    };
    let at_office = Actor {
        office_id: s.office_id,
        ..actor.clone()
    };
    let dossier = match reception::accept(conn, cal, &at_office, &input, None, now) {
        Ok(r) => r.dossier,
        Err(ActionError::Invalid(e)) => return Err(ActError::Invalid(e)),
        Err(ActionError::Failed(e)) => return Err(ActError::Failed(e)),
    };
    moved(conn, s, ACCEPTED, None, None, Some(dossier.id), now)?;
    for f in &files {
        let kind = if f.round == 0 {
            files::DOCUMENT
        } else {
            files::SUPPLEMENT
        };
        files::attach(conn, dossier.id, kind, &f.name, f.file.id, None, now)?;
    }
    Submission::add_event(
        conn,
        s.id,
        now,
        Some(actor.user_id),
        "accept_online",
        Some(&s.status),
        ACCEPTED,
        &format!("Tiếp nhận, mã hồ sơ {}", dossier.code),
    )?;
    Ok(dossier)
}

/// What a citizen's supplement went to.
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)]
pub enum SupplementTarget {
    Submission(Submission),
    Dossier(Dossier),
}

/// Why a citizen's supplement was not taken.
#[derive(Debug)]
pub enum SupplementError {
    Invalid(FieldErrors),
    /// Nothing is awaited from the citizen now.
    NotAwaited,
    Failed(AppError),
}

impl From<AppError> for SupplementError {
    fn from(e: AppError) -> Self {
        SupplementError::Failed(e)
    }
}

impl From<diesel::result::Error> for SupplementError {
    fn from(e: diesel::result::Error) -> Self {
        SupplementError::Failed(AppError::Db(e))
    }
}

/// The documents a supplement should bring: the lines asked for.
pub fn asked_lines(
    conn: &mut DbConnection,
    target: &SupplementTarget,
) -> Result<Vec<DocumentInput>, AppError> {
    let json = match target {
        SupplementTarget::Submission(s) => s.missing.clone(),
        SupplementTarget::Dossier(d) => crate::db::supplements::Supplement::of_dossier(conn, d.id)?
            .into_iter()
            .rev()
            .find(|(s, _)| s.received_at.is_none())
            .map(|(s, _)| s.missing)
            .unwrap_or_else(|| "[]".into()),
    };
    Ok(serde_json::from_str::<Vec<serde_json::Value>>(&json)
        .unwrap_or_default()
        .iter()
        .filter_map(|m| {
            Some(DocumentInput {
                name: m.get("name")?.as_str()?.to_string(),
                form: m
                    .get("form")
                    .and_then(|f| f.as_str())
                    .and_then(DocumentForm::parse)
                    .map(|f| f.as_str().to_string())
                    .unwrap_or_else(|| "copy".into()),
                count: m
                    .get("count")
                    .and_then(|c| c.as_i64())
                    .unwrap_or(1)
                    .to_string(),
            })
        })
        .collect())
}

/// Takes the citizen's supplement (one file per document line) for a
/// submission or a dossier awaiting one, in one transaction. A submission
/// goes back to the clerk's queue; a dossier keeps waiting for the officer
/// to record the supplement as received.
pub fn supplement(
    conn: &mut DbConnection,
    target: &SupplementTarget,
    lines: &[DocumentUpload],
    now: NaiveDateTime,
) -> Result<(), SupplementError> {
    let mut errors = FieldErrors::new();
    if lines.is_empty() {
        errors.add("documents", "Chọn tệp bản quét của giấy tờ cần bổ sung.");
    }
    if lines.len() > MAX_FILES {
        errors.add("documents", format!("Tối đa {MAX_FILES} tệp một lần."));
    }
    let files = check_files(
        &lines[..lines.len().min(MAX_FILES)],
        |i| format!("documents.{i}"),
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(SupplementError::Invalid(errors));
    }
    let names = files
        .iter()
        .map(|f| f.name.clone())
        .collect::<Vec<_>>()
        .join("; ");
    write_tx(conn, |conn| match target {
        SupplementTarget::Submission(s) => {
            let s = Submission::find(conn, s.id)?;
            if s.status != AWAITING_SUPPLEMENT {
                return Err(SupplementError::NotAwaited);
            }
            for f in &files {
                let stored = store_file(conn, s.office_id, f, now)?;
                Submission::add_file(
                    conn,
                    s.id,
                    f.position,
                    &f.name,
                    &f.form,
                    f.count,
                    stored.id,
                    s.supplement_requests,
                    now,
                )?;
            }
            if !Submission::transition(
                conn,
                s.id,
                s.version,
                &[AWAITING_SUPPLEMENT],
                SUBMITTED,
                None,
                None,
                None,
                now,
            )? {
                return Err(SupplementError::NotAwaited);
            }
            Submission::add_event(
                conn,
                s.id,
                now,
                None,
                "citizen_supplement",
                Some(AWAITING_SUPPLEMENT),
                SUBMITTED,
                &format!("Công dân bổ sung trực tuyến: {names}"),
            )?;
            Ok(())
        }
        SupplementTarget::Dossier(d) => {
            let d = Dossier::find(conn, d.id)?;
            if d.status != Status::AwaitingSupplement.as_str() || d.voided {
                return Err(SupplementError::NotAwaited);
            }
            for f in &files {
                let stored = store_file(conn, d.office_id, f, now)?;
                files::attach(conn, d.id, files::SUPPLEMENT, &f.name, stored.id, None, now)?;
            }
            let system = Actor::system(conn, "citizen")?.user_id;
            Dossier::add_event_with(
                conn,
                d.id,
                now,
                system,
                "citizen_supplement",
                Some(&d.status),
                &d.status,
                &format!("Công dân gửi bổ sung trực tuyến: {names}"),
                d.due_date,
                d.assignee_id,
            )?;
            Ok(())
        }
    })
}

/// The lookup-attempts kind counting submissions and supplements per address.
pub const BY_ADDRESS: &str = "submission";
/// At most this many submissions and supplement uploads an hour from one address.
pub const PER_HOUR: i64 = 30;

/// Counts one upload from `address`; false when it is one too many this hour.
pub fn allow(conn: &mut DbConnection, address: &str, now: NaiveDateTime) -> Result<bool, AppError> {
    use crate::db::lookups;
    let key = crate::domain::citizen::address_key(address);
    write_tx(conn, |conn| {
        lookups::lock_key(conn, &key)?;
        let recent =
            lookups::count_since(conn, BY_ADDRESS, &key, now - chrono::Duration::hours(1))?;
        if recent >= PER_HOUR {
            return Ok(false);
        }
        lookups::record(conn, BY_ADDRESS, &key, now)?;
        Ok(true)
    })
}

/// The message when `allow` said no.
pub const TOO_MANY: &str = "Địa chỉ mạng này đã gửi quá nhiều hồ sơ trong một giờ; xin thử lại sau hoặc gọi đường dây nóng.";

/// How long a submission has waited, in words ("2 ngày 3 giờ").
pub fn age(since: NaiveDateTime, now: NaiveDateTime) -> String {
    let minutes = (now - since).num_minutes().max(0);
    let (days, hours, mins) = (minutes / 1440, (minutes % 1440) / 60, minutes % 60);
    match (days, hours) {
        (0, 0) => format!("{mins} phút"),
        (0, h) => format!("{h} giờ {mins} phút"),
        (d, h) => format!("{d} ngày {h} giờ"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn codes_are_dated_and_not_dossier_codes() {
        let now = NaiveDate::from_ymd_opt(2026, 12, 4)
            .unwrap()
            .and_hms_opt(20, 0, 0)
            .unwrap();
        let c = new_code(now);
        // 20:00 UTC is 03:00 on the 5th in Hà Nội.
        assert!(c.starts_with("DK-261205-"), "{c}");
        assert_eq!(c.len(), 16);
        assert!(is_submission_code(&c.to_lowercase()));
        assert!(crate::domain::applicant::DossierCode::parse(&c).is_err());
        assert!(crate::domain::citizen::parse_code(&c).is_ok());
    }

    #[test]
    fn ages_read_in_days_hours_minutes() {
        let t = NaiveDate::from_ymd_opt(2026, 12, 1)
            .unwrap()
            .and_hms_opt(1, 0, 0)
            .unwrap();
        assert_eq!(age(t, t + chrono::Duration::minutes(5)), "5 phút");
        assert_eq!(age(t, t + chrono::Duration::minutes(125)), "2 giờ 5 phút");
        assert_eq!(age(t, t + chrono::Duration::hours(51)), "2 ngày 3 giờ");
    }
}
