//! The period report (Biểu II.06a): by procedure (grouped by field) and by
//! office, with the on-time rate and satisfaction; printable on A4 landscape
//! and in Excel.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::{Datelike, Duration, NaiveDate};
use serde::Deserialize;

use crate::auth::extract::CurrentUser;
use crate::auth::Staff;
use crate::db::offices::Office;
use crate::domain::fields::FieldErrors;
use crate::domain::report::{format_rate, Period, PeriodCounts};
use crate::domain::time::{format_date, today};
use crate::error::{urlencode, AppError};
use crate::services::catalog::parse_date;
use crate::services::export::period_report_xlsx;
use crate::services::reports::{self, PeriodReport, ReportLine};
use crate::state::AppState;
use crate::web::html;
use crate::web::layout::Layout;
use crate::web::print::PrintHeader;

#[derive(Deserialize, Default)]
pub struct PeriodParams {
    tu_ngay: Option<String>,
    den_ngay: Option<String>,
    don_vi: Option<String>,
}

struct Filters {
    from_text: String,
    to_text: String,
    period: Period,
    office: String,
    errors: FieldErrors,
}

impl Filters {
    fn of(p: &PeriodParams) -> Filters {
        let mut errors = FieldErrors::new();
        let month = Period::month_of(today());
        let mut date = |field: &str, raw: &Option<String>, default: NaiveDate| match raw
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => (format_date(default), default),
            Some(s) => match parse_date(s) {
                Some(d) => (s.to_string(), d),
                None => {
                    errors.add(field, "Ghi ngày dạng ngày/tháng/năm, ví dụ 01/11/2026.");
                    (s.to_string(), default)
                }
            },
        };
        let (from_text, from) = date("tu_ngay", &p.tu_ngay, month.from);
        let (to_text, to) = date("den_ngay", &p.den_ngay, month.to);
        let period = match Period::new(from, to) {
            Ok(p) => p,
            Err(m) => {
                errors.add("den_ngay", m);
                month
            }
        };
        Filters {
            from_text,
            to_text,
            period,
            office: p.don_vi.as_deref().map(str::trim).unwrap_or("").to_string(),
            errors,
        }
    }

    fn query(&self) -> String {
        format!(
            "tu_ngay={}&den_ngay={}&don_vi={}",
            urlencode(&format_date(self.period.from)),
            urlencode(&format_date(self.period.to)),
            urlencode(&self.office)
        )
    }
}

/// A line as the page and the print show it.
pub struct LineView {
    pub number: String,
    pub label: String,
    pub c: PeriodCounts,
    pub received: i64,
    pub resolved: i64,
    pub in_progress: i64,
    pub rate: String,
    pub satisfaction: String,
    pub rated: i64,
    pub subtotal: bool,
}

fn line(number: String, l: &ReportLine, subtotal: bool) -> LineView {
    LineView {
        number,
        label: l.label.clone(),
        c: l.counts,
        received: l.counts.received_total(),
        resolved: l.counts.resolved_total(),
        in_progress: l.counts.in_progress_total(),
        rate: format_rate(l.counts.on_time_rate()),
        satisfaction: format_rate(l.satisfaction.rate()),
        rated: l.satisfaction.total(),
        subtotal,
    }
}

/// Roman numerals for the fields (I, II, …), as the form numbers its groups.
fn roman(n: usize) -> String {
    const R: [(usize, &str); 9] = [
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut n = n;
    let mut s = String::new();
    for (v, r) in R {
        while n >= v {
            s.push_str(r);
            n -= v;
        }
    }
    s
}

fn procedure_lines(r: &PeriodReport) -> Vec<LineView> {
    let mut out = Vec::new();
    for (i, g) in r.by_field.iter().enumerate() {
        out.push(line(roman(i + 1), &g.subtotal, true));
        for (j, l) in g.lines.iter().enumerate() {
            out.push(line((j + 1).to_string(), l, false));
        }
    }
    out
}

fn office_lines(r: &PeriodReport) -> Vec<LineView> {
    r.by_office
        .iter()
        .enumerate()
        .map(|(i, l)| line((i + 1).to_string(), l, false))
        .collect()
}

/// One table of the report: by procedure, or by office.
pub struct Section {
    pub caption: &'static str,
    pub head: &'static str,
    pub lines: Vec<LineView>,
}

fn sections(r: &PeriodReport) -> Vec<Section> {
    vec![
        Section {
            caption: "Theo lĩnh vực, thủ tục",
            head: "Lĩnh vực, thủ tục",
            lines: procedure_lines(r),
        },
        Section {
            caption: "Theo đơn vị",
            head: "Đơn vị",
            lines: office_lines(r),
        },
    ]
}

pub struct OfficeChoice {
    pub code: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "reports/period.html")]
struct PeriodPage {
    page: Layout,
    errors: FieldErrors,
    from: String,
    to: String,
    office: String,
    offices: Vec<OfficeChoice>,
    query: String,
    shortcuts: Vec<(String, String)>,
    title: String,
    sections: Vec<Section>,
    total: LineView,
    balanced: bool,
    next_query: String,
    feedback: crate::services::reports::FeedbackSummary,
}

#[derive(Template)]
#[template(path = "print/period_report.html")]
struct PeriodPrint {
    title: String,
    back: String,
    header: PrintHeader,
    subtitle: String,
    receiver: String,
    sections: Vec<Section>,
    total: LineView,
}

struct Loaded {
    report: PeriodReport,
    root: Office,
    parent: Option<Office>,
    offices: Vec<OfficeChoice>,
}

async fn load(state: &AppState, user: &CurrentUser, f: &mut Filters) -> Result<Loaded, AppError> {
    let (office_id, chosen, period) = (user.office_id, f.office.clone(), f.period);
    let (loaded, bad_office) = state
        .db
        .run(move |conn| {
            let own = reports::scope(conn, office_id, None)?.ok_or(AppError::NotFound)?;
            let offices = own
                .offices
                .iter()
                .map(|o| OfficeChoice {
                    code: o.code.clone(),
                    name: o.name.clone(),
                })
                .collect();
            let (scope, bad) = match reports::scope(conn, office_id, Some(&chosen))? {
                Some(s) => (s, false),
                None => (own, true),
            };
            let report = reports::period_report(conn, &scope, period)?;
            let parent = match scope.root.parent_id {
                Some(p) => Some(Office::find(conn, p)?),
                None => None,
            };
            Ok((
                Loaded {
                    report,
                    root: scope.root,
                    parent,
                    offices,
                },
                bad,
            ))
        })
        .await?;
    if bad_office {
        f.errors.add("don_vi", "Chọn đơn vị trong danh sách.");
        f.office.clear();
    }
    Ok(loaded)
}

/// A print or a download of a report with bad filters is refused, with the
/// reason, rather than answered for another period or office.
fn refuse_bad(f: &Filters) -> Result<(), AppError> {
    match f.errors.iter().next() {
        Some((_, message)) => Err(AppError::BadRequest(message.to_string())),
        None => Ok(()),
    }
}

fn title(f: &Filters, root: &Office) -> String {
    format!(
        "Tình hình, kết quả giải quyết TTHC từ {} đến {} – {}",
        format_date(f.period.from),
        format_date(f.period.to),
        root.name
    )
}

/// Quick choices: this month, last month, this quarter, this year, last year.
fn shortcuts(office: &str) -> Vec<(String, String)> {
    let t = today();
    let month = Period::month_of(t);
    let last_month = Period::month_of(month.from - Duration::days(1));
    let q_start_month = (t.month() - 1) / 3 * 3 + 1;
    let q_from = NaiveDate::from_ymd_opt(t.year(), q_start_month, 1).unwrap_or(t);
    let q_to = Period::month_of(q_from + Duration::days(62)).to;
    let year = Period::year_of(t);
    let last_year = Period::year_of(year.from - Duration::days(1));
    [
        ("Tháng này", month.from, month.to),
        ("Tháng trước", last_month.from, last_month.to),
        ("Quý này", q_from, q_to),
        ("Năm nay", year.from, year.to),
        ("Năm trước", last_year.from, last_year.to),
    ]
    .into_iter()
    .map(|(label, from, to)| {
        (
            label.to_string(),
            format!(
                "tu_ngay={}&den_ngay={}&don_vi={}",
                urlencode(&format_date(from)),
                urlencode(&format_date(to)),
                urlencode(office)
            ),
        )
    })
    .collect()
}

pub async fn page(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    params: web::Query<PeriodParams>,
) -> Result<HttpResponse, AppError> {
    let mut f = Filters::of(&params);
    let l = load(&state, &staff.user, &mut f).await?;
    let next = f.period.next();
    let status = if f.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    html(
        status,
        &PeriodPage {
            page: Layout::new(&req, "Báo cáo định kỳ", Some(&staff.user)),
            title: title(&f, &l.root),
            sections: sections(&l.report),
            total: line(String::new(), &l.report.total, true),
            balanced: l.report.total.counts.balances(),
            feedback: l.report.feedback.clone(),
            next_query: format!(
                "tu_ngay={}&den_ngay={}&don_vi={}",
                urlencode(&format_date(next.from)),
                urlencode(&format_date(next.to)),
                urlencode(&f.office)
            ),
            query: f.query(),
            shortcuts: shortcuts(&f.office),
            from: f.from_text.clone(),
            to: f.to_text.clone(),
            office: f.office.clone(),
            offices: l.offices,
            errors: f.errors,
        },
    )
}

pub async fn print(
    staff: Staff,
    state: web::Data<AppState>,
    params: web::Query<PeriodParams>,
) -> Result<HttpResponse, AppError> {
    let mut f = Filters::of(&params);
    let l = load(&state, &staff.user, &mut f).await?;
    refuse_bad(&f)?;
    html(
        StatusCode::OK,
        &PeriodPrint {
            title: title(&f, &l.root),
            back: format!("/bao-cao/dinh-ky?{}", f.query()),
            header: PrintHeader::new(&l.root, l.parent.as_ref(), &state.config.place, today()),
            subtitle: format!(
                "Kỳ báo cáo: từ ngày {} đến ngày {}",
                format_date(f.period.from),
                format_date(f.period.to)
            ),
            receiver: l
                .parent
                .as_ref()
                .map(|p| p.name.clone())
                .unwrap_or_else(|| "…".into()),
            sections: sections(&l.report),
            total: line(String::new(), &l.report.total, true),
        },
    )
}

pub async fn excel(
    staff: Staff,
    state: web::Data<AppState>,
    params: web::Query<PeriodParams>,
) -> Result<HttpResponse, AppError> {
    let mut f = Filters::of(&params);
    let l = load(&state, &staff.user, &mut f).await?;
    refuse_bad(&f)?;
    let bytes = period_report_xlsx(
        &l.report,
        &l.root.name,
        l.parent.as_ref().map(|p| p.name.as_str()),
        &state.config.place,
        today(),
    )?;
    Ok(crate::web::attachment(
        crate::web::XLSX,
        &format!(
            "bao-cao-II06a-{}-{}.xlsx",
            f.period.from.format("%Y%m%d"),
            f.period.to.format("%Y%m%d")
        ),
        bytes,
    ))
}
