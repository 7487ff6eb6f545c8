//! The overdue and due-soon list (and the waits: supplements, results the post
//! brought back): filters in the query string, counts at the top, Excel.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::auth::extract::CurrentUser;
use crate::auth::Staff;
use crate::db::procedures::Procedure;
use crate::db::users::User;
use crate::domain::dossier::Status;
use crate::domain::fields::FieldErrors;
use crate::domain::time::{format_date, format_datetime, today};
use crate::domain::Role;
use crate::error::{urlencode, AppError};
use crate::services::export::{Cell, Table};
use crate::services::reports::{self, DueKind, DueList, DueQuery, Tally};
use crate::state::AppState;
use crate::web::html;
use crate::web::layout::Layout;
use crate::web::options::{status_options, StatusOption};
use crate::web::paging::Pager;

const PER_PAGE: i64 = 50;
/// An export holds at most this many lines.
const MAX_EXPORT: i64 = 20_000;
/// "Due soon" reaches at most this many working days ahead.
const MAX_SOON_DAYS: u32 = 30;

#[derive(Deserialize, Default)]
pub struct DueParams {
    loai: Option<String>,
    so_ngay: Option<String>,
    don_vi: Option<String>,
    can_bo: Option<String>,
    thu_tuc: Option<String>,
    trang_thai: Option<String>,
    page: Option<String>,
}

/// The filters as typed, what they resolve to, and what was wrong with them.
struct Filters {
    kind: DueKind,
    days: u32,
    office: String,
    officer: String,
    procedure: String,
    status: String,
    page: i64,
    errors: FieldErrors,
}

impl Filters {
    fn of(p: &DueParams) -> Filters {
        let mut errors = FieldErrors::new();
        let text = |s: &Option<String>| s.as_deref().map(str::trim).unwrap_or("").to_string();
        let kind = match DueKind::parse(&text(&p.loai)) {
            Some(k) => k,
            None => {
                errors.add("loai", "Chọn một loại danh sách có trong danh mục.");
                DueKind::OverdueAndSoon
            }
        };
        let days = match text(&p.so_ngay).as_str() {
            "" => 2,
            s => match s.parse::<u32>() {
                Ok(n) if n <= MAX_SOON_DAYS => n,
                _ => {
                    errors.add(
                        "so_ngay",
                        format!("Số ngày làm việc là số nguyên từ 0 đến {MAX_SOON_DAYS}."),
                    );
                    2
                }
            },
        };
        let status = text(&p.trang_thai);
        let status = match Status::parse(&status) {
            Some(s) if s.is_open() => status,
            _ if status.is_empty() => status,
            _ => {
                errors.add(
                    "trang_thai",
                    "Chọn một trạng thái của hồ sơ đang giải quyết.",
                );
                String::new()
            }
        };
        let officer = text(&p.can_bo);
        let officer = if officer.is_empty() || officer == "none" || officer.parse::<i64>().is_ok() {
            officer
        } else {
            errors.add("can_bo", "Chọn cán bộ trong danh sách.");
            String::new()
        };
        let page_number = text(&p.page).parse::<i64>().unwrap_or(1).clamp(1, 100_000);
        Filters {
            kind,
            days,
            office: text(&p.don_vi),
            officer,
            procedure: text(&p.thu_tuc),
            status,
            page: page_number,
            errors,
        }
    }

    /// The query string of these filters (without the page).
    fn query(&self) -> String {
        format!(
            "loai={}&so_ngay={}&don_vi={}&can_bo={}&thu_tuc={}&trang_thai={}",
            self.kind.as_str(),
            self.days,
            urlencode(&self.office),
            urlencode(&self.officer),
            urlencode(&self.procedure),
            urlencode(&self.status)
        )
    }
}

/// A line of the list as shown.
pub struct DueRowView {
    pub code: String,
    pub applicant: String,
    pub procedure: String,
    pub office: String,
    pub assignee: String,
    pub status: &'static str,
    pub received_at: String,
    pub due_date: String,
    /// "overdue", "today", "soon" or "".
    pub mark: &'static str,
    pub lateness: String,
    pub since: String,
}

fn view(l: &DueList, office_names: &dyn Fn(i64) -> String) -> Vec<DueRowView> {
    l.rows
        .iter()
        .map(|r| {
            let x = &r.row.dossier;
            let (mark, lateness) = match r.late_days {
                Some(n) if n > 0 => ("overdue", format!("quá hạn {n} ngày làm việc")),
                Some(0) if x.due_date.is_some_and(|d| d < today()) => {
                    ("overdue", "quá hạn (ngày nghỉ)".to_string())
                }
                Some(0) => ("today", "hạn hôm nay".to_string()),
                Some(n) => ("soon", format!("còn {} ngày làm việc", -n)),
                None => ("", String::new()),
            };
            DueRowView {
                code: x.code.clone(),
                applicant: x.applicant_name.clone(),
                procedure: r.row.procedure_name.clone(),
                office: office_names(x.office_id),
                assignee: r.assignee.clone().unwrap_or_default(),
                status: Status::parse(&x.status).map(|s| s.label()).unwrap_or(""),
                received_at: format_datetime(x.received_at),
                due_date: x.due_date.map(format_date).unwrap_or_default(),
                mark,
                lateness,
                since: r.since.map(format_datetime).unwrap_or_default(),
            }
        })
        .collect()
}

pub struct KindOption {
    pub value: &'static str,
    pub label: &'static str,
}

pub struct Choice {
    pub value: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "reports/due.html")]
struct DuePage {
    page: Layout,
    errors: FieldErrors,
    kind: &'static str,
    kind_label: &'static str,
    kinds: Vec<KindOption>,
    days: u32,
    office: String,
    offices: Vec<Choice>,
    officer: String,
    officers: Vec<Choice>,
    procedure: String,
    procedures: Vec<Choice>,
    status: String,
    statuses: Vec<StatusOption>,
    query: String,
    today: String,
    soon_until: String,
    by_office: Vec<Tally>,
    by_officer: Vec<Tally>,
    by_procedure: Vec<Tally>,
    rows: Vec<DueRowView>,
    pager: Pager,
    officer_locked: bool,
}

/// Everything the page and the export need, loaded in one go.
struct Loaded {
    list: DueList,
    offices: Vec<Choice>,
    officers: Vec<Choice>,
    procedures: Vec<Choice>,
    office_names: Vec<(i64, String)>,
}

async fn load(
    state: &AppState,
    user: &CurrentUser,
    f: &mut Filters,
    offset: i64,
    limit: i64,
) -> Result<Loaded, AppError> {
    let cal = state.calendar().await?;
    let (office_id, role, user_id) = (user.office_id, user.role, user.id);
    let kind = f.kind;
    let days = f.days;
    let office = f.office.clone();
    let officer = f.officer.clone();
    let procedure = f.procedure.clone();
    let status = (!f.status.is_empty()).then(|| f.status.clone());
    let (loaded, errors) = state
        .db
        .run(move |conn| {
            let mut errors = FieldErrors::new();
            let scope = match reports::scope(conn, office_id, None)? {
                Some(s) => s,
                None => return Err(AppError::NotFound),
            };
            let office_filter = match office.as_str() {
                "" => None,
                code => match scope.offices.iter().find(|o| o.code == code) {
                    Some(o) => Some(o.id),
                    None => {
                        errors.add("don_vi", "Chọn đơn vị trong danh sách.");
                        None
                    }
                },
            };
            let procedures = Procedure::all(conn)?;
            let procedure_filter = match procedure.as_str() {
                "" => None,
                code => match procedures.iter().find(|p| p.code == code) {
                    Some(p) => Some(p.id),
                    None => {
                        errors.add("thu_tuc", "Chọn thủ tục trong danh sách.");
                        None
                    }
                },
            };
            // An officer sees his own dossiers; others may pick an officer.
            let own_only = role == Role::Officer;
            let officer_filter = if own_only {
                Some(user_id)
            } else {
                officer.parse::<i64>().ok()
            };
            let q = DueQuery {
                kind,
                soon_days: days,
                offices: scope.ids(),
                office: office_filter,
                officer: officer_filter,
                unassigned: !own_only && officer == "none",
                own_only,
                procedure: procedure_filter,
                status,
                today: today(),
            };
            let list = reports::due_list(conn, &cal, &q, offset, limit)?;
            let officers = User::active_with_role_in(conn, "officer", &scope.ids())?
                .into_iter()
                .map(|u| Choice {
                    value: u.id.to_string(),
                    label: u.full_name,
                })
                .collect();
            Ok((
                Loaded {
                    list,
                    offices: scope
                        .offices
                        .iter()
                        .map(|o| Choice {
                            value: o.code.clone(),
                            label: o.name.clone(),
                        })
                        .collect(),
                    officers,
                    procedures: procedures
                        .into_iter()
                        .map(|p| Choice {
                            value: p.code,
                            label: p.name,
                        })
                        .collect(),
                    office_names: scope
                        .offices
                        .iter()
                        .map(|o| (o.id, o.name.clone()))
                        .collect(),
                },
                errors,
            ))
        })
        .await?;
    for (field, message) in errors.iter() {
        f.errors.add(field, message);
    }
    Ok(loaded)
}

fn names(l: &Loaded) -> impl Fn(i64) -> String + '_ {
    move |id| {
        l.office_names
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    }
}

pub async fn page(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    params: web::Query<DueParams>,
) -> Result<HttpResponse, AppError> {
    let mut f = Filters::of(&params);
    let offset = (f.page - 1) * PER_PAGE;
    let loaded = load(&state, &staff.user, &mut f, offset, PER_PAGE).await?;
    let query = f.query();
    let pager = Pager::new(
        Some(f.page),
        PER_PAGE,
        loaded.list.total,
        format!("/bao-cao/qua-han?{query}"),
    );
    let rows = view(&loaded.list, &names(&loaded));
    let status = if f.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    html(
        status,
        &DuePage {
            page: Layout::new(&req, "Hồ sơ quá hạn, sắp đến hạn", Some(&staff.user)),
            kind: f.kind.as_str(),
            kind_label: f.kind.label(),
            kinds: DueKind::ALL
                .iter()
                .map(|k| KindOption {
                    value: k.as_str(),
                    label: k.label(),
                })
                .collect(),
            days: f.days,
            office: f.office.clone(),
            offices: loaded.offices,
            officer: f.officer.clone(),
            officers: loaded.officers,
            procedure: f.procedure.clone(),
            procedures: loaded.procedures,
            status: f.status.clone(),
            statuses: status_options()
                .into_iter()
                .filter(|s| Status::parse(s.value).is_some_and(|x| x.is_open()))
                .collect(),
            query,
            today: format_date(today()),
            soon_until: format_date(loaded.list.soon_until),
            by_office: loaded.list.by_office,
            by_officer: loaded.list.by_officer,
            by_procedure: loaded.list.by_procedure,
            rows,
            pager,
            officer_locked: staff.user.role == Role::Officer,
            errors: f.errors,
        },
    )
}

pub async fn excel(
    staff: Staff,
    state: web::Data<AppState>,
    params: web::Query<DueParams>,
) -> Result<HttpResponse, AppError> {
    let mut f = Filters::of(&params);
    let loaded = load(&state, &staff.user, &mut f, 0, MAX_EXPORT).await?;
    let rows = view(&loaded.list, &names(&loaded));
    let since_column = matches!(f.kind, DueKind::Supplement | DueKind::ReturnedByPost);
    let table = Table {
        title: format!("DANH SÁCH HỒ SƠ: {}", f.kind.label().to_uppercase()),
        subtitle: format!(
            "Đến ngày {}; sắp đến hạn: trong {} ngày làm việc (đến {})",
            format_date(today()),
            f.days,
            format_date(loaded.list.soon_until)
        ),
        sheet: "Ho so qua han".into(),
        columns: vec![
            ("STT", 6.0),
            ("Mã hồ sơ", 26.0),
            ("Người nộp", 24.0),
            ("Thủ tục", 36.0),
            ("Đơn vị", 24.0),
            ("Cán bộ xử lý", 20.0),
            ("Trạng thái", 18.0),
            ("Tiếp nhận", 17.0),
            ("Hạn trả", 12.0),
            (
                if since_column {
                    "Chờ từ"
                } else {
                    "Mức độ"
                },
                22.0,
            ),
        ],
        rows: rows
            .into_iter()
            .enumerate()
            .map(|(i, r)| {
                vec![
                    Cell::from((i + 1) as i64),
                    Cell::from(r.code),
                    Cell::from(r.applicant),
                    Cell::from(r.procedure),
                    Cell::from(r.office),
                    Cell::from(r.assignee),
                    Cell::from(r.status),
                    Cell::from(r.received_at),
                    Cell::from(r.due_date),
                    Cell::from(if since_column { r.since } else { r.lateness }),
                ]
            })
            .collect(),
    };
    let bytes = table.to_xlsx()?;
    Ok(crate::web::attachment(
        crate::web::XLSX,
        &format!(
            "ho-so-{}-{}.xlsx",
            f.kind.as_str(),
            today().format("%Y%m%d")
        ),
        bytes,
    ))
}
