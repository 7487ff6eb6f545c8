//! The register page: filters from the query string, lines, pages, the A4 print.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use crate::auth::Staff;
use crate::db::dossiers::{Dossier, DossierFilter, DossierRow};
use crate::db::offices::Office;
use crate::db::procedures::Procedure;
use crate::domain::dossier::Status;
use crate::domain::fields::FieldErrors;
use crate::domain::procedure::Channel;
use crate::domain::time::{format_date, format_datetime, today};
use crate::error::{urlencode, AppError};
use crate::services::dossiers::{day_start_utc, visible_offices};
use crate::state::AppState;
use crate::web::html;
use crate::web::layout::Layout;
use crate::web::options::{status_options, StatusOption};
use crate::web::paging::Pager;
use crate::web::print::PrintHeader;

pub(super) const PER_PAGE: i64 = 50;
/// A printout or export holds at most this many lines.
pub(super) const MAX_LINES: i64 = 20_000;

#[derive(Deserialize, Default, Clone)]
pub struct RegisterQuery {
    tu_ngay: Option<String>,
    den_ngay: Option<String>,
    thu_tuc: Option<String>,
    kenh: Option<String>,
    trang_thai: Option<String>,
    /// An office code: that office and those below it.
    don_vi: Option<String>,
    /// "1": only dossiers overdue today.
    qua_han: Option<String>,
    page: Option<i64>,
}

/// The filters as checked: what was typed, and what it means.
pub(super) struct Filters {
    from_text: String,
    to_text: String,
    pub(super) from: NaiveDate,
    pub(super) to: NaiveDate,
    procedure: String,
    channel: String,
    status: String,
    pub(super) office: String,
    pub(super) overdue: bool,
    errors: FieldErrors,
    /// Whether a period was typed (a print without one asks for it).
    dated: bool,
}

impl Filters {
    pub(super) fn of(q: &RegisterQuery) -> Filters {
        let mut errors = FieldErrors::new();
        let today = today();
        let year_start = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
        let mut date =
            |field: &str, raw: &Option<String>, default: NaiveDate| -> (String, NaiveDate) {
                match raw.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                    None => (format_date(default), default),
                    Some(s) => match crate::services::catalog::parse_date(s) {
                        Some(d) => (s.to_string(), d),
                        None => {
                            errors.add(field, "Ghi ngày dạng ngày/tháng/năm, ví dụ 01/11/2026.");
                            (s.to_string(), default)
                        }
                    },
                }
            };
        let dated = [&q.tu_ngay, &q.den_ngay]
            .iter()
            .any(|v| v.as_deref().is_some_and(|s| !s.trim().is_empty()));
        let (from_text, from) = date("tu_ngay", &q.tu_ngay, year_start);
        let (to_text, to) = date("den_ngay", &q.den_ngay, today);
        if errors.is_empty() && to < from {
            errors.add("den_ngay", "Ngày cuối kỳ phải từ ngày đầu kỳ trở đi.");
        }
        let channel = q
            .kenh
            .clone()
            .filter(|c| Channel::parse(c).is_some())
            .unwrap_or_default();
        let status = q
            .trang_thai
            .clone()
            .filter(|s| Status::parse(s).is_some())
            .unwrap_or_default();
        Filters {
            dated,
            from_text,
            to_text,
            from,
            to,
            procedure: q.thu_tuc.clone().unwrap_or_default().trim().to_string(),
            channel,
            status,
            office: q.don_vi.clone().unwrap_or_default().trim().to_string(),
            overdue: q.qua_han.as_deref() == Some("1"),
            errors,
        }
    }

    pub(super) fn query_string(&self) -> String {
        let mut s = format!(
            "tu_ngay={}&den_ngay={}",
            urlencode(&self.from_text),
            urlencode(&self.to_text)
        );
        for (k, v) in [
            ("thu_tuc", &self.procedure),
            ("kenh", &self.channel),
            ("trang_thai", &self.status),
            ("don_vi", &self.office),
        ] {
            if !v.is_empty() {
                s.push_str(&format!("&{k}={}", urlencode(v)));
            }
        }
        if self.overdue {
            s.push_str("&qua_han=1");
        }
        s
    }

    /// The print link: the same filters, the period only when one was typed.
    pub(super) fn print_query_string(&self) -> String {
        let all = self.query_string();
        if self.dated {
            return all;
        }
        all.split('&')
            .filter(|p| !p.starts_with("tu_ngay=") && !p.starts_with("den_ngay="))
            .collect::<Vec<_>>()
            .join("&")
    }

    pub(super) fn period(&self) -> String {
        format!(
            "Từ ngày {} đến ngày {}",
            format_date(self.from),
            format_date(self.to)
        )
    }
}

/// One line of the register as shown, printed and exported.
pub struct LineView {
    pub number: String,
    pub code: String,
    pub procedure: String,
    pub sets: i32,
    pub applicant: String,
    pub address: String,
    pub phone: String,
    pub office: String,
    pub channel: &'static str,
    pub received_at: String,
    pub due_date: String,
    pub transferred: String,
    pub decided: String,
    pub status: &'static str,
    pub note: String,
    pub voided: bool,
}

pub(super) fn line(r: &DossierRow, office_names: &[(i64, String)]) -> LineView {
    let x = &r.dossier;
    let status = Status::parse(&x.status).unwrap_or(Status::Received);
    LineView {
        number: format!("{}/{}", x.register_number, x.register_year),
        code: x.code.clone(),
        procedure: r.procedure_name.clone(),
        sets: x.sets,
        applicant: match &x.representative {
            Some(rep) => format!("{} (đại diện: {rep})", x.applicant_name),
            None => x.applicant_name.clone(),
        },
        address: x.address.clone(),
        phone: x.phone.clone(),
        office: office_names
            .iter()
            .find(|(id, _)| *id == x.office_id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default(),
        channel: Channel::parse(&x.channel).map(Channel::label).unwrap_or(""),
        received_at: format_datetime(x.received_at),
        due_date: x.due_date.map(format_date).unwrap_or_default(),
        transferred: String::new(),
        decided: x.decided_at.map(format_datetime).unwrap_or_default(),
        status: status.label(),
        note: if x.voided {
            format!("Đã hủy: {}", x.void_reason.clone().unwrap_or_default())
        } else {
            String::new()
        },
        voided: x.voided,
    }
}

pub struct ProcedureOption {
    pub code: String,
    pub name: String,
}

pub struct ChannelOption {
    pub value: &'static str,
    pub label: &'static str,
}

#[derive(Template)]
#[template(path = "register/index.html")]
pub(super) struct RegisterPage {
    page: Layout,
    from: String,
    to: String,
    procedure: String,
    channel: String,
    status: String,
    procedures: Vec<ProcedureOption>,
    channels: Vec<ChannelOption>,
    statuses: Vec<StatusOption>,
    errors: FieldErrors,
    lines: Vec<LineView>,
    pager: Pager,
    query: String,
    print_query: String,
    office: String,
    overdue: bool,
    offices: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "print/register.html")]
pub(super) struct RegisterPrint {
    title: String,
    back: String,
    header: PrintHeader,
    period: String,
    lines: Vec<LineView>,
    total: i64,
}

/// Loads a page (or, with `limit` None, every line up to `MAX_LINES`).
pub(super) async fn load(
    state: &AppState,
    office_id: i64,
    f: &Filters,
    page: Option<i64>,
    paged: bool,
) -> Result<
    (
        Vec<LineView>,
        Pager,
        Vec<ProcedureOption>,
        Office,
        Option<Office>,
    ),
    AppError,
> {
    let from = day_start_utc(f.from);
    let before = day_start_utc(f.to.succ_opt().unwrap_or(f.to));
    let (procedure, channel, status) = (f.procedure.clone(), f.channel.clone(), f.status.clone());
    let (chosen, overdue) = (f.office.clone(), f.overdue);
    let base = format!("/so-theo-doi?{}", f.query_string());
    let valid = f.errors.is_empty();
    state
        .db
        .run(move |conn| {
            let offices = visible_offices(conn, office_id)?;
            // The chosen office and those below it; one not visible lists nothing.
            let chosen = match crate::services::reports::scope(conn, office_id, Some(&chosen))? {
                Some(s) => s.ids(),
                None => Vec::new(),
            };
            let procedures: Vec<ProcedureOption> = Procedure::all_full(conn, false)?
                .into_iter()
                .map(|p| ProcedureOption {
                    code: p.procedure.code,
                    name: p.procedure.name,
                })
                .collect();
            let procedure_id = match procedure.as_str() {
                "" => None,
                code => Some(
                    Procedure::find_by_code(conn, code)?
                        .map(|p| p.id)
                        .unwrap_or(-1),
                ),
            };
            let filter = DossierFilter {
                office_ids: if valid { chosen } else { Vec::new() },
                overdue_as_of: overdue.then(today),
                procedure_id,
                channel: Some(channel).filter(|c| !c.is_empty()),
                status: Some(status).filter(|s| !s.is_empty()),
                received_from: Some(from),
                received_before: Some(before),
                include_voided: !overdue,
                ..DossierFilter::default()
            };
            let (_, total) = Dossier::register(conn, &filter, 0, 0)?;
            let (pager, offset, limit) = if paged {
                let pager = Pager::new(page, PER_PAGE, total, base);
                let offset = pager.offset();
                (pager, offset, PER_PAGE)
            } else {
                (Pager::new(None, MAX_LINES, total, base), 0, MAX_LINES)
            };
            let (rows, _) = Dossier::register(conn, &filter, offset, limit)?;
            let names: Vec<(i64, String)> = Office::all(conn)?
                .into_iter()
                .filter(|o| offices.contains(&o.id))
                .map(|o| (o.id, o.name))
                .collect();
            let office = Office::find(conn, office_id)?;
            let parent = match office.parent_id {
                Some(p) => Some(Office::find(conn, p)?),
                None => None,
            };
            Ok((
                rows.iter().map(|r| line(r, &names)).collect(),
                pager,
                procedures,
                office,
                parent,
            ))
        })
        .await
}

pub async fn index(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    query: web::Query<RegisterQuery>,
) -> Result<HttpResponse, AppError> {
    let f = Filters::of(&query);
    let (lines, pager, procedures, _, _) =
        load(&state, staff.user.office_id, &f, query.page, true).await?;
    let own = staff.user.office_id;
    let offices: Vec<(String, String)> = state
        .db
        .run(move |conn| crate::services::reports::scope(conn, own, None))
        .await?
        .map(|s| s.offices.into_iter().map(|o| (o.code, o.name)).collect())
        .unwrap_or_default();
    let status = if f.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    html(
        status,
        &RegisterPage {
            page: Layout::new(&req, "Sổ theo dõi hồ sơ", Some(&staff.user)),
            query: f.query_string(),
            print_query: f.print_query_string(),
            office: f.office.clone(),
            overdue: f.overdue,
            offices,
            from: f.from_text,
            to: f.to_text,
            procedure: f.procedure,
            channel: f.channel,
            status: f.status,
            procedures,
            channels: Channel::ALL
                .iter()
                .map(|c| ChannelOption {
                    value: c.as_str(),
                    label: c.label(),
                })
                .collect(),
            statuses: status_options(),
            errors: f.errors,
            lines,
            pager,
        },
    )
}

pub(super) fn checked(query: &RegisterQuery) -> Result<Filters, AppError> {
    let f = Filters::of(query);
    if let Some((_, m)) = f.errors.iter().next() {
        return Err(AppError::BadRequest(m.to_string()));
    }
    Ok(f)
}

/// Asks which period to print before printing a register.
#[derive(Template)]
#[template(path = "register/print_period.html")]
struct PrintPeriodPage {
    page: Layout,
    from: String,
    to: String,
    /// The other filters, carried as hidden fields.
    kept: Vec<(&'static str, String)>,
}

pub async fn print(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    query: web::Query<RegisterQuery>,
) -> Result<HttpResponse, AppError> {
    let blank = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
    if blank(&query.tu_ngay) && blank(&query.den_ngay) {
        // Printing a whole year by accident costs a ream: ask for the period.
        let t = today();
        let first = t.with_day(1).unwrap_or(t);
        let kept = [
            ("thu_tuc", &query.thu_tuc),
            ("kenh", &query.kenh),
            ("trang_thai", &query.trang_thai),
            ("don_vi", &query.don_vi),
            ("qua_han", &query.qua_han),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.clone().filter(|v| !v.trim().is_empty()).map(|v| (k, v)))
        .collect();
        return html(
            StatusCode::OK,
            &PrintPeriodPage {
                page: Layout::new(&req, "In sổ theo dõi hồ sơ", Some(&staff.user)),
                from: format_date(first),
                to: format_date(t),
                kept,
            },
        );
    }
    let f = checked(&query)?;
    let (lines, pager, _, office, parent) =
        load(&state, staff.user.office_id, &f, None, false).await?;
    html(
        StatusCode::OK,
        &RegisterPrint {
            title: "Sổ theo dõi hồ sơ".into(),
            back: format!("/so-theo-doi?{}", f.query_string()),
            header: PrintHeader::new(&office, parent.as_ref(), &state.config.place, today()),
            period: f.period(),
            total: pager.total,
            lines,
        },
    )
}
