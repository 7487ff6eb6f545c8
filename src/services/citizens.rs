//! What citizens reach without an account: the front door's contacts, and a
//! dossier's status by its code and a verifier (or the receipt's QR link),
//! with no personal data in it.

use chrono::{Duration, NaiveDate, NaiveDateTime};

use crate::db::dossiers::Dossier;
use crate::db::lookups::{self, BY_ADDRESS, WRONG};
use crate::db::offices::Office;
use crate::db::procedures::Procedure;
use crate::db::submissions::Submission;
use crate::db::supplements::Supplement;
use crate::db::{write_tx, DbConnection};
use crate::domain::citizen::{verifier_matches, LOOKUPS_PER_MINUTE, WRONG_VERIFIERS_PER_HOUR};
use crate::domain::dossier::Status;
use crate::domain::office::Contacts;
use crate::domain::procedure::DocumentForm;
use crate::domain::time::format_date;
use crate::error::AppError;

/// The office the public pages speak for, with how to reach it.
#[derive(Debug, Clone, Default)]
pub struct FrontDoor {
    pub name: String,
    pub contacts: Contacts,
}

/// The front door: the top office, or nothing before any office exists.
pub fn front_door(conn: &mut DbConnection) -> Result<FrontDoor, AppError> {
    Ok(Office::front(conn)?
        .map(|o| FrontDoor {
            name: o.name.clone(),
            contacts: o.contacts(),
        })
        .unwrap_or_default())
}

/// One line of the public timeline.
#[derive(Debug, Clone)]
pub struct Step {
    pub at: NaiveDateTime,
    pub label: String,
}

/// A dossier as a citizen may see it: no name, ID number, phone, email or
/// address of anyone.
#[derive(Debug, Clone)]
pub struct PublicStatus {
    pub code: String,
    pub procedure: String,
    /// The office handling it, with its contacts (the front door's when it
    /// has none of its own).
    pub office: FrontDoor,
    pub status: Status,
    pub voided: bool,
    pub received_at: NaiveDateTime,
    pub due_date: Option<NaiveDate>,
    /// After an apology: the date first given, and why it moved.
    pub original_due_date: Option<NaiveDate>,
    pub extension_reason: Option<String>,
    pub timeline: Vec<Step>,
    /// While a supplement is awaited: the documents asked for (Mẫu 02).
    pub missing: Vec<String>,
    /// When the post brought the result back: when and why.
    pub postal_return: Option<String>,
    /// What happens next, and how and when to collect the result.
    pub next_step: String,
    /// Refused online: why.
    pub reason: Option<String>,
    /// While the citizen may upload a supplement online: the status page's
    /// token the upload goes to.
    pub upload_token: Option<String>,
    /// Filed online and not yet accepted (the code is the submission's).
    pub online: bool,
}

/// What a code found: a dossier, or an online submission not yet accepted.
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)]
pub enum Found {
    Dossier(Dossier),
    Submission(Submission),
}

/// The dossier or submission behind a status page's token.
pub fn by_token(conn: &mut DbConnection, token: &str) -> Result<Option<Found>, AppError> {
    if let Some(d) = Dossier::find_by_token(conn, token)? {
        return Ok(Some(Found::Dossier(d)));
    }
    let s = Submission::by_token(conn, token)?;
    settled(conn, s)
}

/// A submission, or the dossier it became once accepted.
fn settled(conn: &mut DbConnection, s: Option<Submission>) -> Result<Option<Found>, AppError> {
    Ok(match s {
        Some(s) => match s.dossier_id {
            Some(id) => Some(Found::Dossier(Dossier::find(conn, id)?)),
            None => Some(Found::Submission(s)),
        },
        None => None,
    })
}

/// The citizen's view of whatever was found.
pub fn status_of(conn: &mut DbConnection, found: Found) -> Result<PublicStatus, AppError> {
    match found {
        Found::Dossier(d) => public_status(conn, d),
        Found::Submission(s) => submission_status(conn, s),
    }
}

/// The citizen's view of an online submission not yet accepted.
pub fn submission_status(conn: &mut DbConnection, s: Submission) -> Result<PublicStatus, AppError> {
    use crate::services::submissions::{AWAITING_SUPPLEMENT, NOT_ACCEPTED};
    let procedure = Procedure::find(conn, s.procedure_id)?;
    let office = Office::find(conn, s.office_id)?;
    let mut contacts = office.contacts();
    if contacts.is_empty() {
        contacts = front_door(conn)?.contacts;
    }
    let status = match s.status.as_str() {
        AWAITING_SUPPLEMENT => Status::AwaitingSupplement,
        NOT_ACCEPTED => Status::NotAccepted,
        _ => Status::Submitted,
    };
    let timeline = Submission::events(conn, s.id)?
        .into_iter()
        .filter_map(|e| {
            let label = match e.action.as_str() {
                "submit" => "Nộp hồ sơ trực tuyến",
                "request_supplement" => "Cán bộ tiếp nhận yêu cầu bổ sung hồ sơ",
                "citizen_supplement" => "Đã gửi giấy tờ bổ sung, chờ tiếp nhận",
                "reject_online" => "Không được tiếp nhận",
                _ => return None,
            };
            Some(Step {
                at: e.at,
                label: label.into(),
            })
        })
        .collect();
    let next_step = match status {
        Status::AwaitingSupplement => "Cần bổ sung các giấy tờ dưới đây: tải bản quét lên ngay tại trang này. Thời hạn giải quyết được tính từ khi hồ sơ được tiếp nhận.".to_string(),
        Status::NotAccepted => "Hồ sơ không được tiếp nhận; lý do ở dưới. Ông/Bà có thể nộp lại hồ sơ mới khi đủ điều kiện.".to_string(),
        _ => "Cán bộ tiếp nhận sẽ kiểm tra hồ sơ trong giờ làm việc. Khi hồ sơ được tiếp nhận, Ông/Bà nhận mã hồ sơ và ngày hẹn trả kết quả qua thư điện tử hoặc tin nhắn.".to_string(),
    };
    Ok(PublicStatus {
        code: s.code.clone(),
        procedure: procedure.name,
        office: FrontDoor {
            name: office.name,
            contacts,
        },
        status,
        voided: false,
        received_at: s.submitted_at,
        due_date: None,
        original_due_date: None,
        extension_reason: None,
        timeline,
        missing: if status == Status::AwaitingSupplement {
            missing_lines(&s.missing)
        } else {
            Vec::new()
        },
        postal_return: None,
        next_step,
        reason: if status == Status::NotAccepted {
            s.reason.clone()
        } else {
            None
        },
        upload_token: (status == Status::AwaitingSupplement).then(|| s.lookup_token.clone()),
        online: true,
    })
}

/// Builds the citizen's view of `d`.
pub fn public_status(conn: &mut DbConnection, d: Dossier) -> Result<PublicStatus, AppError> {
    let procedure = Procedure::find(conn, d.procedure_id)?;
    let office = Office::find(conn, d.office_id)?;
    let mut contacts = office.contacts();
    if contacts.is_empty() {
        contacts = front_door(conn)?.contacts;
    }
    let office = FrontDoor {
        name: office.name,
        contacts,
    };
    let events = Dossier::events(conn, d.id)?;
    let status = Status::parse(&d.status).unwrap_or(Status::Received);
    let mut timeline = Vec::new();
    let mut postal_return = None;
    for e in &events {
        let Some(to) = Status::parse(&e.to_status) else {
            continue;
        };
        match e.action.as_str() {
            "extend" | "recompute" => {
                timeline.push(Step {
                    at: e.at,
                    label: match e.due_date {
                        Some(old) => {
                            format!("Hẹn lại ngày trả kết quả (trước đó {})", format_date(old))
                        }
                        None => "Hẹn lại ngày trả kết quả".into(),
                    },
                });
                continue;
            }
            "postal_undelivered" => {
                let reason = e
                    .note
                    .split_once("Lý do: ")
                    .map(|(_, r)| r.trim().to_string())
                    .unwrap_or_default();
                let mut text = format!(
                    "Ngày {}, bưu chính chưa phát được kết quả và đã chuyển về Bộ phận tiếp nhận và trả kết quả.",
                    format_date(crate::domain::time::to_local(e.at).date_naive())
                );
                if !reason.is_empty() {
                    text.push_str(&format!(" Lý do bưu chính báo: {reason}."));
                }
                postal_return = Some(text);
                timeline.push(Step {
                    at: e.at,
                    label: "Bưu chính trả kết quả về Bộ phận tiếp nhận và trả kết quả".into(),
                });
                continue;
            }
            _ => {}
        }
        if e.from_status.as_deref() == Some(e.to_status.as_str()) {
            continue;
        }
        timeline.push(Step {
            // A reception entered later is dated when the citizen handed it in.
            at: if e.action == "receive" {
                d.received_at
            } else {
                e.at
            },
            label: to.label().to_string(),
        });
    }
    let missing = if status == Status::AwaitingSupplement {
        Supplement::of_dossier(conn, d.id)?
            .into_iter()
            .rev()
            .find(|(s, _)| s.received_at.is_none())
            .map(|(s, _)| missing_lines(&s.missing))
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    if status != Status::ResultReady || d.postal_returns == 0 {
        postal_return = None;
    }
    let next_step = next_step(&d, status, &office, postal_return.is_some());
    Ok(PublicStatus {
        code: d.code,
        procedure: procedure.name,
        office,
        status,
        voided: d.voided,
        received_at: d.received_at,
        due_date: d.due_date,
        original_due_date: if d.extended {
            d.original_due_date
        } else {
            None
        },
        extension_reason: if d.extended { d.extension_reason } else { None },
        timeline,
        missing,
        postal_return,
        next_step,
        reason: None,
        upload_token: (status == Status::AwaitingSupplement && !d.voided)
            .then(|| d.lookup_token.clone()),
        online: false,
    })
}

/// "Name (form), n bản" for each document of a supplement request.
pub fn missing_lines(json: &str) -> Vec<String> {
    serde_json::from_str::<Vec<serde_json::Value>>(json)
        .unwrap_or_default()
        .iter()
        .filter_map(|m| {
            let name = m.get("name")?.as_str()?.to_string();
            let form = m
                .get("form")
                .and_then(|f| f.as_str())
                .and_then(DocumentForm::parse)
                .map(|f| f.label())
                .unwrap_or("");
            let count = m.get("count").and_then(|c| c.as_i64()).unwrap_or(1);
            Some(if form.is_empty() {
                format!("{name}: {count} bản")
            } else {
                format!("{name} ({}): {count} bản", form.to_lowercase())
            })
        })
        .collect()
}

/// What the citizen should expect or do now.
fn next_step(d: &Dossier, status: Status, office: &FrontDoor, came_back: bool) -> String {
    let place = if office.contacts.address.is_empty() {
        format!("Bộ phận tiếp nhận và trả kết quả, {}", office.name)
    } else {
        format!(
            "Bộ phận tiếp nhận và trả kết quả, {} ({})",
            office.name, office.contacts.address
        )
    };
    let hours = if office.contacts.hours.is_empty() {
        "trong giờ làm việc".to_string()
    } else {
        format!("trong giờ làm việc: {}", office.contacts.hours)
    };
    let by_post = d.return_method == "postal";
    match status {
        Status::Received | Status::InProgress | Status::AwaitingApproval => {
            let due = d
                .due_date
                .map(|x| format!(" ngày {}", format_date(x)))
                .unwrap_or_default();
            if by_post {
                format!("Hồ sơ đang được giải quyết. Kết quả dự kiến có{due} và được gửi qua bưu chính đến địa chỉ đã đăng ký.")
            } else {
                format!("Hồ sơ đang được giải quyết. Kết quả dự kiến trả{due} tại {place}, {hours}.")
            }
        }
        Status::ResultReady if came_back => format!(
            "Mời Ông/Bà đến nhận kết quả tại {place}, {hours}; mang theo giấy tiếp nhận và giấy tờ tùy thân, hoặc gọi điện để hẹn gửi lại."
        ),
        Status::ResultReady if by_post => {
            "Kết quả đã có và sẽ được gửi qua bưu chính đến địa chỉ đã đăng ký.".into()
        }
        Status::ResultReady => format!(
            "Kết quả đã có. Mời Ông/Bà đến nhận tại {place}, {hours}; mang theo giấy tiếp nhận và giấy tờ tùy thân (người nhận thay cần giấy ủy quyền)."
        ),
        Status::InTransit => match d.tracking_number.as_deref() {
            Some(t) if !t.is_empty() => format!(
                "Kết quả đang được bưu chính chuyển đến địa chỉ đã đăng ký (số hiệu bưu gửi {t})."
            ),
            _ => Status::InTransit.next_step().into(),
        },
        Status::AwaitingSupplement => format!(
            "Cần bổ sung, sửa đổi các giấy tờ dưới đây; nộp tại {place}, {hours}, qua bưu chính, hoặc tải bản quét lên ngay tại trang này. Thời hạn giải quyết được tính lại từ khi nhận đủ."
        ),
        other => other.next_step().into(),
    }
}

/// Why a lookup found nothing to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// An unknown code or a wrong verifier: the same answer for both.
    NotFound,
    /// Too many lookups from the address, or wrong verifiers for the code.
    TooMany,
}

/// Finds the dossier with `code` when `verifier` is the last four digits of
/// its applicant's phone or ID number, counting the lookup against
/// `address` and a miss against `code`, in one transaction.
pub fn lookup(
    conn: &mut DbConnection,
    code: &str,
    verifier: &str,
    address: &str,
    now: NaiveDateTime,
) -> Result<Result<Found, Refusal>, AppError> {
    let address = &crate::domain::citizen::address_key(address);
    write_tx(conn, |conn| {
        // Now and then, forget what no longer counts (any instance may).
        if rand::random::<u8>() == 0 {
            lookups::purge(conn, now)?;
        }
        lookups::lock_key(conn, address)?;
        let recent = lookups::count_since(conn, BY_ADDRESS, address, now - Duration::minutes(1))?;
        if recent >= LOOKUPS_PER_MINUTE {
            return Ok(Err(Refusal::TooMany));
        }
        lookups::record(conn, BY_ADDRESS, address, now)?;
        let found = match Dossier::find_by_code(conn, code)? {
            Some(d) => Some(Found::Dossier(d)),
            None if code != code.to_uppercase() => {
                Dossier::find_by_code(conn, &code.to_uppercase())?.map(Found::Dossier)
            }
            None => None,
        };
        let found = match found {
            Some(f) => Some(f),
            None => {
                let s = Submission::by_code(conn, &code.to_uppercase())?;
                settled(conn, s)?
            }
        };
        // Misses count against the code as stored (or as typed, upper case,
        // when there is none), however it was typed.
        let key = match &found {
            Some(Found::Dossier(d)) if !code.to_uppercase().starts_with("DK-") => d.code.clone(),
            _ => code.to_uppercase(),
        };
        lookups::lock_key(conn, &key)?;
        let misses = lookups::count_since(conn, WRONG, &key, now - Duration::hours(1))?;
        if misses >= WRONG_VERIFIERS_PER_HOUR {
            return Ok(Err(Refusal::TooMany));
        }
        let matches = match &found {
            Some(Found::Dossier(d)) => verifier_matches(&d.phone, d.id_number.as_deref(), verifier),
            Some(Found::Submission(s)) => {
                verifier_matches(&s.phone, s.id_number.as_deref(), verifier)
            }
            None => false,
        };
        match found {
            Some(f) if matches => Ok(Ok(f)),
            _ => {
                lookups::record(conn, WRONG, &key, now)?;
                Ok(Err(Refusal::NotFound))
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_documents_read_as_a_list() {
        let lines = missing_lines(
            r#"[{"name":"Bản án","form":"certified_copy","count":2},{"name":"Đơn","form":"original","count":1}]"#,
        );
        assert_eq!(
            lines,
            [
                "Bản án (bản sao có chứng thực): 2 bản",
                "Đơn (bản chính): 1 bản"
            ]
        );
        assert!(missing_lines("not json").is_empty());
    }
}
