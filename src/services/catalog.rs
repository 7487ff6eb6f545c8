//! Procedure catalog use cases: the seed from `seed/thads_procedures.json`,
//! and creating or editing a procedure (one transaction, audited).

use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde::Deserialize;

use crate::db::procedures::{DocumentFields, Procedure, ProcedureFields};
use crate::db::{audit, write_tx, DbConnection};
use crate::domain::deadline::MAX_WORKING_DAYS;
use crate::domain::fields::FieldErrors;
use crate::domain::procedure::{join_codes, Channel, DocumentForm, ReturnMethod};
use crate::error::ActionError;
use crate::error::AppError;
use crate::services::Actor;

const SEED: &str = include_str!("../../seed/thads_procedures.json");

#[derive(Deserialize)]
struct SeedFile {
    procedures: Vec<SeedProcedure>,
}

#[derive(Deserialize)]
struct SeedProcedure {
    code: String,
    name: String,
    field: String,
    working_days: u32,
    #[serde(default)]
    history: Vec<SeedHistory>,
    result: String,
    fee: String,
    channels: Vec<String>,
    documents: Vec<SeedDocument>,
    source: String,
}

#[derive(Deserialize)]
struct SeedHistory {
    working_days: u32,
    until: NaiveDate,
}

#[derive(Deserialize)]
struct SeedDocument {
    name: String,
    form: String,
    count: i32,
    required: bool,
}

/// Adds the seed's procedures that are not in the catalog yet.
pub fn seed(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize, AppError> {
    let file: SeedFile = serde_json::from_str(SEED)
        .map_err(|e| AppError::Startup(format!("seed/thads_procedures.json: {e}")))?;
    let mut added = 0;
    for p in file.procedures {
        if Procedure::find_by_code(conn, &p.code)?.is_some() {
            continue;
        }
        write_tx(conn, |conn| {
            let procedure = Procedure::insert(
                conn,
                &ProcedureFields {
                    code: &p.code,
                    name: &p.name,
                    field: &p.field,
                    result: &p.result,
                    fee: &p.fee,
                    channels: &p.channels.join(","),
                    return_methods: &join_codes(ReturnMethod::ALL.iter().map(|r| r.as_str())),
                    source: &p.source,
                    active: true,
                },
                now,
            )?;
            let docs: Vec<DocumentFields<'_>> = p
                .documents
                .iter()
                .map(|d| DocumentFields {
                    name: &d.name,
                    form: &d.form,
                    count: d.count,
                    required: d.required,
                })
                .collect();
            Procedure::replace_documents(conn, procedure.id, &docs)?;
            // History entries are the earlier times, each ending on its `until`.
            let mut history: Vec<&SeedHistory> = p.history.iter().collect();
            history.sort_by_key(|h| h.until);
            let mut from: Option<NaiveDate> = None;
            for h in &history {
                Procedure::add_time(
                    conn,
                    procedure.id,
                    h.working_days as i32,
                    from,
                    Some(h.until),
                    "Theo dữ liệu gốc",
                )?;
                from = Some(h.until + Duration::days(1));
            }
            Procedure::add_time(
                conn,
                procedure.id,
                p.working_days as i32,
                from,
                None,
                "Theo dữ liệu gốc",
            )?;
            audit::record(conn, now, "hệ thống", "procedure.seed", &p.code, &p.name)?;
            Ok::<(), AppError>(())
        })?;
        added += 1;
    }
    Ok(added)
}

/// A document row as typed on the form.
#[derive(Debug, Clone, Default)]
pub struct DocumentInput {
    pub name: String,
    pub form: String,
    pub count: String,
    pub required: bool,
}

/// The procedure form as typed.
#[derive(Debug, Clone, Default)]
pub struct ProcedureInput {
    pub code: String,
    pub name: String,
    pub field: String,
    pub result: String,
    pub fee: String,
    pub source: String,
    pub channels: Vec<String>,
    pub return_methods: Vec<String>,
    pub active: bool,
    pub working_days: String,
    /// `dd/mm/yyyy`: from when a changed time applies (default today).
    pub time_from: String,
    pub documents: Vec<DocumentInput>,
}

/// Parses `dd/mm/yyyy` (or `yyyy-mm-dd`).
pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    let s = raw.trim();
    NaiveDate::parse_from_str(s, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y-%m-%d"))
        .ok()
        .filter(|d| crate::domain::time::SANE_YEARS.contains(&chrono::Datelike::year(d)))
}

fn bounded(
    errors: &mut FieldErrors,
    field: &str,
    value: &str,
    label: &str,
    max: usize,
    required: bool,
) -> String {
    let v = value.trim().to_string();
    if required && v.is_empty() {
        errors.add(field, format!("Nhập {label}."));
    } else if v.chars().count() > max {
        errors.add(
            field,
            format!("{} không quá {max} ký tự.", capitalise(label)),
        );
    }
    v
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

struct Checked {
    name: String,
    field: String,
    result: String,
    fee: String,
    source: String,
    channels: String,
    return_methods: String,
    working_days: u32,
    time_from: NaiveDate,
    documents: Vec<(String, String, i32, bool)>,
}

fn check(input: &ProcedureInput, today: NaiveDate) -> Result<Checked, FieldErrors> {
    let mut e = FieldErrors::new();
    let name = bounded(&mut e, "name", &input.name, "tên thủ tục", 500, true);
    let field = bounded(&mut e, "field", &input.field, "lĩnh vực", 200, true);
    let result = bounded(
        &mut e,
        "result",
        &input.result,
        "kết quả giải quyết",
        2000,
        true,
    );
    let fee = bounded(&mut e, "fee", &input.fee, "phí, lệ phí", 500, true);
    let source = bounded(
        &mut e,
        "source",
        &input.source,
        "căn cứ pháp lý",
        2000,
        true,
    );
    let channels: Vec<Channel> = input
        .channels
        .iter()
        .filter_map(|c| Channel::parse(c))
        .collect();
    if channels.is_empty() {
        e.add("channels", "Chọn ít nhất một cách nộp hồ sơ.");
    }
    let returns: Vec<ReturnMethod> = input
        .return_methods
        .iter()
        .filter_map(|c| ReturnMethod::parse(c))
        .collect();
    if returns.is_empty() {
        e.add("return_methods", "Chọn ít nhất một cách trả kết quả.");
    }
    let working_days = match input.working_days.trim().parse::<u32>() {
        Ok(n) if n <= MAX_WORKING_DAYS => n,
        _ => {
            e.add("working_days", format!("Thời hạn giải quyết là số ngày làm việc từ 0 (trong ngày) đến {MAX_WORKING_DAYS}."));
            0
        }
    };
    let time_from = if input.time_from.trim().is_empty() {
        today
    } else {
        parse_date(&input.time_from)
            .filter(|d| crate::domain::calendar::RULE_YEARS.contains(&chrono::Datelike::year(d)))
            .unwrap_or_else(|| {
                e.add(
                    "time_from",
                    "Ngày áp dụng phải có dạng ngày/tháng/năm, ví dụ 01/07/2026.",
                );
                today
            })
    };
    let mut documents = Vec::new();
    for (i, d) in input.documents.iter().enumerate() {
        if d.name.trim().is_empty() {
            continue;
        }
        let key = format!("doc_name_{i}");
        let name = bounded(&mut e, &key, &d.name, "tên giấy tờ", 500, true);
        let form = DocumentForm::parse(&d.form)
            .map(|f| f.as_str().to_string())
            .unwrap_or_else(|| {
                e.add(&format!("doc_form_{i}"), "Chọn hình thức của giấy tờ.");
                String::new()
            });
        let count = match d.count.trim().parse::<i32>() {
            Ok(n) if (1..=100).contains(&n) => n,
            _ => {
                e.add(&format!("doc_count_{i}"), "Số lượng là số từ 1 đến 100.");
                1
            }
        };
        documents.push((name, form, count, d.required));
    }
    if documents.is_empty() {
        e.add("doc_name_0", "Thành phần hồ sơ cần ít nhất một giấy tờ.");
    }
    if !e.is_empty() {
        return Err(e);
    }
    Ok(Checked {
        name,
        field,
        result,
        fee,
        source,
        channels: join_codes(channels.iter().map(|c| c.as_str())),
        return_methods: join_codes(returns.iter().map(|r| r.as_str())),
        working_days,
        time_from,
        documents,
    })
}

/// Creates a procedure (`id` `None`) or edits one. A changed time does not touch
/// dossiers already received: it becomes a new period from `time_from`.
pub fn save(
    conn: &mut DbConnection,
    actor: &Actor,
    id: Option<i64>,
    input: &ProcedureInput,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<Procedure, ActionError> {
    let code_result = if id.is_none() {
        let code = input.code.trim().to_uppercase();
        if code.is_empty() {
            Err("Nhập mã thủ tục.")
        } else if code.len() > 50
            || !code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
        {
            Err("Mã thủ tục gồm chữ cái không dấu, chữ số và các dấu - . _ (không quá 50 ký tự).")
        } else {
            Ok(code)
        }
    } else {
        Ok(String::new())
    };
    let checked = check(input, today);
    let (code, checked) = match (code_result, checked) {
        (Ok(code), Ok(c)) => (code, c),
        (code, checked) => {
            let mut e = checked.err().unwrap_or_default();
            if let Err(m) = code {
                e.add("code", m);
            }
            return Err(ActionError::Invalid(e));
        }
    };
    write_tx(conn, |conn| {
        let existing = match id {
            Some(id) => Some(Procedure::find(conn, id)?),
            None => {
                if Procedure::find_by_code(conn, &code)?.is_some() {
                    return Err(ActionError::field(
                        "code",
                        format!("Mã thủ tục {code} đã có."),
                    ));
                }
                None
            }
        };
        let code = existing.as_ref().map(|p| p.code.clone()).unwrap_or(code);
        let fields = ProcedureFields {
            code: &code,
            name: &checked.name,
            field: &checked.field,
            result: &checked.result,
            fee: &checked.fee,
            channels: &checked.channels,
            return_methods: &checked.return_methods,
            source: &checked.source,
            active: input.active,
        };
        let procedure = match &existing {
            Some(p) => {
                Procedure::update(conn, p.id, &fields, now)?;
                Procedure::find(conn, p.id)?
            }
            None => Procedure::insert(conn, &fields, now)?,
        };
        let docs: Vec<DocumentFields<'_>> = checked
            .documents
            .iter()
            .map(|(name, form, count, required)| DocumentFields {
                name,
                form,
                count: *count,
                required: *required,
            })
            .collect();
        Procedure::replace_documents(conn, procedure.id, &docs)?;
        let full = Procedure::full(conn, procedure.clone())?;
        let in_force = full.working_days_on(checked.time_from);
        if existing.is_none() {
            Procedure::add_time(
                conn,
                procedure.id,
                checked.working_days as i32,
                None,
                None,
                &format!("Tạo bởi {}", actor.username),
            )?;
        } else if in_force != Some(checked.working_days) {
            // End the period in force the day before, drop periods planned after, open the new one.
            Procedure::drop_times_from(conn, procedure.id, checked.time_from)?;
            let day_before = checked.time_from - Duration::days(1);
            let full = Procedure::full(conn, procedure.clone())?;
            for t in full
                .times
                .iter()
                .filter(|t| t.valid_until.is_none_or(|u| u >= checked.time_from))
            {
                Procedure::close_time(conn, t.id, day_before)?;
            }
            Procedure::add_time(
                conn,
                procedure.id,
                checked.working_days as i32,
                Some(checked.time_from),
                None,
                &format!("Sửa bởi {}", actor.username),
            )?;
        }
        let detail = match (&existing, in_force) {
            (None, _) => format!("Tạo thủ tục {}", checked.name),
            (Some(_), Some(old)) if old != checked.working_days => format!(
                "Sửa thủ tục; thời hạn {} → {} ngày làm việc từ {}",
                old,
                checked.working_days,
                checked.time_from.format("%d/%m/%Y")
            ),
            _ => "Sửa thông tin thủ tục".to_string(),
        };
        audit::record(
            conn,
            now,
            &actor.username,
            if existing.is_some() {
                "procedure.update"
            } else {
                "procedure.create"
            },
            &code,
            &detail,
        )?;
        Ok(procedure)
    })
}

/// Attaches a printable form to a procedure, checked by its content, with an
/// audit entry, in one transaction.
pub fn attach_form(
    conn: &mut DbConnection,
    actor: &Actor,
    procedure_id: i64,
    title: &str,
    file_name: &str,
    bytes: &[u8],
    now: NaiveDateTime,
) -> Result<(), ActionError> {
    use sha2::{Digest, Sha256};
    let mut errors = FieldErrors::new();
    let title = title.trim();
    if title.is_empty() {
        errors.add(
            "title",
            "Nhập tên mẫu, ví dụ “Mẫu số D04-THADS: Đơn yêu cầu thi hành án”.",
        );
    } else if title.chars().count() > 200 {
        errors.add("title", "Tên mẫu không quá 200 ký tự.");
    }
    let kind = errors.check(
        "file",
        crate::domain::procedure::form_file_kind(bytes, file_name),
    );
    let Some((content_type, ext)) = kind.filter(|_| errors.is_empty()) else {
        return Err(ActionError::Invalid(errors));
    };
    let hash = hex::encode(Sha256::digest(bytes));
    // The stored name is built from the title's safe characters: the one
    // sent by the browser is not trusted.
    let stem: String = crate::domain::procedure::fold(title)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let stem: String = stem.chars().take(60).collect();
    let stored = format!("{}.{ext}", if stem.is_empty() { "mau" } else { &stem });
    write_tx(conn, |conn| {
        let p = Procedure::find(conn, procedure_id)?;
        crate::db::procedures::ProcedureForm::insert(
            conn,
            p.id,
            title,
            &stored,
            content_type,
            &hash,
            bytes,
            now,
        )?;
        audit::record(
            conn,
            now,
            &actor.username,
            "procedure.form_attach",
            &p.code,
            &format!("{title} ({stored}, {} byte)", bytes.len()),
        )?;
        Ok(())
    })
}

/// Removes a printable form, with an audit entry.
pub fn remove_form(
    conn: &mut DbConnection,
    actor: &Actor,
    procedure_id: i64,
    form_id: i64,
    now: NaiveDateTime,
) -> Result<bool, AppError> {
    write_tx(conn, |conn| {
        let p = Procedure::find(conn, procedure_id)?;
        let removed = crate::db::procedures::ProcedureForm::delete(conn, p.id, form_id)? == 1;
        if removed {
            audit::record(
                conn,
                now,
                &actor.username,
                "procedure.form_remove",
                &p.code,
                &format!("mẫu số {form_id}"),
            )?;
        }
        Ok(removed)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_in_vietnamese_order() {
        assert_eq!(
            parse_date("01/07/2026"),
            NaiveDate::from_ymd_opt(2026, 7, 1)
        );
        assert_eq!(
            parse_date("2026-07-01"),
            NaiveDate::from_ymd_opt(2026, 7, 1)
        );
        assert_eq!(parse_date("31/02/2026"), None);
    }

    #[test]
    fn the_seed_parses() {
        let file: SeedFile = serde_json::from_str(SEED).expect("seed parses");
        assert!(file
            .procedures
            .iter()
            .any(|p| p.code == "THADS-XNKQ" && !p.history.is_empty()));
    }

    #[test]
    fn check_reports_every_problem_at_once() {
        let input = ProcedureInput {
            working_days: "-1".into(),
            ..Default::default()
        };
        let e = check(
            &input,
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default(),
        )
        .err()
        .expect("invalid");
        for f in [
            "name",
            "field",
            "result",
            "fee",
            "source",
            "channels",
            "return_methods",
            "working_days",
            "doc_name_0",
        ] {
            assert!(e.get(f).is_some(), "{f}");
        }
    }
}
