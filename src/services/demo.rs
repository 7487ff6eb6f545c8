//! `motcua demo`: fills a fresh database with realistic demo data (offices,
//! users of every role, a few hundred dossiers over the last months, some
//! supplement requests and refusals at the counter) through the same use
//! cases as the pages, so that a newcomer can look around.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::config::HashCost;
use crate::db::dossiers::Dossier;
use crate::db::offices::Office;
use crate::db::procedures::{Procedure, ProcedureFull};
use crate::db::users::User;
use crate::db::DbConnection;
use crate::domain::calendar::Calendar;
use crate::domain::reception::ApplicantInput;
use crate::domain::time::now_utc;
use crate::error::ActionError;
use crate::error::AppError;
use crate::services::administration::{self, NewUserInput};
use crate::services::reception::{self, DocumentInput, NoticeInput, NoticeKind, ReceptionInput};
use crate::services::seed::DEFAULT_OFFICE_CODE;
use crate::services::Actor;

/// What to generate.
pub struct DemoOptions {
    pub dossiers: usize,
    pub days: i64,
    pub seed: u64,
    pub password: String,
    pub hash_cost: HashCost,
}

/// What was generated, for the operator.
#[derive(Debug, Default)]
pub struct DemoSummary {
    pub offices: usize,
    pub users: Vec<(String, &'static str)>,
    pub dossiers: usize,
    pub supplement_requests: usize,
    pub refusals: usize,
    /// Dossiers decided (approved or refused) and withdrawn.
    pub decided: usize,
    pub withdrawn: usize,
    /// Results handed back (counter or post) and ratings given.
    pub returned: usize,
    pub ratings: usize,
}

const OFFICES: [(&str, &str); 2] = [
    (
        "000.00.12.H34",
        "Phòng Thi hành án dân sự khu vực 1 - Khánh Hòa",
    ),
    (
        "000.00.13.H34",
        "Phòng Thi hành án dân sự khu vực 2 - Khánh Hòa",
    ),
];

/// (username, role, full name, office code; None is the main office).
const USERS: [(&str, &str, &str, Option<&str>); 8] = [
    ("tiepnhan", "reception", "Nguyễn Thị Thu Hà", None),
    ("chuyenvien", "officer", "Trần Minh Quang", None),
    ("lanhdao", "leader", "Lê Văn Hùng", None),
    ("giamsat", "supervisor", "Phạm Thị Ngọc Lan", None),
    (
        "tiepnhan.kv1",
        "reception",
        "Võ Thị Kim Yến",
        Some("000.00.12.H34"),
    ),
    (
        "chuyenvien.kv1",
        "officer",
        "Đặng Quốc Bảo",
        Some("000.00.12.H34"),
    ),
    (
        "lanhdao.kv1",
        "leader",
        "Huỳnh Văn Tâm",
        Some("000.00.12.H34"),
    ),
    (
        "tiepnhan.kv2",
        "reception",
        "Bùi Thị Mai",
        Some("000.00.13.H34"),
    ),
];

const FAMILY: [&str; 16] = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý",
];
const MIDDLE_MEN: [&str; 6] = ["Văn", "Hữu", "Minh", "Quốc", "Đức", "Thanh"];
const MIDDLE_WOMEN: [&str; 5] = ["Thị", "Ngọc", "Thu", "Kim", "Thị Thanh"];
const GIVEN_MEN: [&str; 14] = [
    "An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khánh", "Long", "Nam", "Phong", "Phúc", "Quang",
    "Sơn", "Tuấn",
];
const GIVEN_WOMEN: [&str; 14] = [
    "Giang", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Nga", "Tâm", "Thảo", "Trang",
    "Vy", "Yến",
];
const STREETS: [&str; 10] = [
    "Trần Phú",
    "Lê Thánh Tôn",
    "Yersin",
    "Thống Nhất",
    "2 Tháng 4",
    "Nguyễn Thị Minh Khai",
    "Hùng Vương",
    "Lê Hồng Phong",
    "Phước Long",
    "Hoàng Văn Thụ",
];
const WARDS: [&str; 7] = [
    "Nha Trang",
    "Bắc Nha Trang",
    "Tây Nha Trang",
    "Nam Nha Trang",
    "Cam Ranh",
    "Ninh Hòa",
    "Bắc Cam Ranh",
];
const COMPANIES: [&str; 6] = [
    "Công ty TNHH Thương mại Hải Đăng",
    "Công ty Cổ phần Xây dựng Phú Khánh",
    "Ngân hàng TMCP Công Thương Việt Nam - Chi nhánh Khánh Hòa",
    "Công ty TNHH Thủy sản Vân Phong",
    "Hợp tác xã Nông nghiệp Diên Phú",
    "Công ty Cổ phần Du lịch Biển Xanh",
];

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

pub(crate) fn person_name(rng: &mut StdRng) -> String {
    if rng.gen_bool(0.5) {
        format!(
            "{} {} {}",
            pick(rng, &FAMILY),
            pick(rng, &MIDDLE_MEN),
            pick(rng, &GIVEN_MEN)
        )
    } else {
        format!(
            "{} {} {}",
            pick(rng, &FAMILY),
            pick(rng, &MIDDLE_WOMEN),
            pick(rng, &GIVEN_WOMEN)
        )
    }
}

pub(crate) fn citizen_id(rng: &mut StdRng) -> String {
    // Province 056 (Khánh Hòa), gender and century, year of birth, serial.
    format!(
        "056{}{:02}{:06}",
        rng.gen_range(0..4),
        rng.gen_range(50..100),
        rng.gen_range(0..1_000_000)
    )
}

pub(crate) fn phone(rng: &mut StdRng) -> String {
    format!(
        "{}{:08}",
        pick(rng, &["09", "03", "08", "07"]),
        rng.gen_range(0..100_000_000)
    )
}

pub(crate) fn address(rng: &mut StdRng) -> String {
    format!(
        "{} {}, phường {}, tỉnh Khánh Hòa",
        rng.gen_range(1..300),
        pick(rng, &STREETS),
        pick(rng, &WARDS)
    )
}

fn applicant(rng: &mut StdRng) -> ApplicantInput {
    if rng.gen_bool(0.1) {
        ApplicantInput {
            kind: "organisation".into(),
            full_name: pick(rng, &COMPANIES).to_string(),
            representative: person_name(rng),
            id_number: citizen_id(rng),
            phone: phone(rng),
            email: "phaply@example.vn".into(),
            address: address(rng),
        }
    } else {
        ApplicantInput {
            kind: "person".into(),
            full_name: person_name(rng),
            representative: String::new(),
            id_number: citizen_id(rng),
            phone: phone(rng),
            email: if rng.gen_bool(0.3) {
                format!("congdan{}@example.vn", rng.gen_range(100..999))
            } else {
                String::new()
            },
            address: address(rng),
        }
    }
}

/// A reception moment on a working day in the last `days` days, UTC.
fn reception_time(
    rng: &mut StdRng,
    cal: &Calendar,
    today: NaiveDate,
    days: i64,
    now: NaiveDateTime,
) -> NaiveDateTime {
    loop {
        let day = today - Duration::days(rng.gen_range(0..days.max(1)));
        if cal.day_off_reason(day).is_some() {
            continue;
        }
        // Office hours, a few after 17:00.
        let minutes = if rng.gen_bool(0.03) {
            17 * 60 + rng.gen_range(1..40)
        } else {
            7 * 60 + 30 + rng.gen_range(0..(9 * 60 + 15))
        };
        let local = day.and_time(
            NaiveTime::from_hms_opt(minutes / 60, minutes % 60, rng.gen_range(0..60))
                .expect("time"),
        );
        let utc = local - Duration::hours(7);
        if utc <= now {
            return utc;
        }
    }
}

fn explain(e: ActionError) -> AppError {
    match e {
        ActionError::Invalid(errors) => AppError::Internal(
            errors
                .iter()
                .map(|(f, m)| format!("{f}: {m}"))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        ActionError::Failed(e) => e,
    }
}

fn actor_of(conn: &mut DbConnection, username: &str) -> Result<Actor, AppError> {
    let user = User::find_by_username(conn, username)?
        .ok_or_else(|| AppError::Internal(format!("demo user {username} missing")))?;
    let role = user.role().unwrap_or(crate::domain::Role::Reception);
    Ok(Actor {
        user_id: user.id,
        username: user.username,
        office_id: user.office_id,
        role,
        full_name: user.full_name,
    })
}

fn documents_for(rng: &mut StdRng, p: &ProcedureFull) -> Vec<DocumentInput> {
    p.documents
        .iter()
        .filter(|d| d.required || rng.gen_bool(0.4))
        .map(|d| DocumentInput {
            name: d.name.clone(),
            form: d.form.clone(),
            count: d.count.to_string(),
        })
        .collect()
}

/// Generates the demo data. Refuses a database that already has dossiers.
/// Runs the demo, calling `progress` with the receptions done so far.
pub fn run(
    conn: &mut DbConnection,
    cal: &Calendar,
    opts: &DemoOptions,
    on_progress: &mut dyn FnMut(u64),
) -> Result<DemoSummary, AppError> {
    if has_dossiers(conn)? {
        return Err(AppError::BadRequest(
            "Cơ sở dữ liệu đã có hồ sơ: lệnh demo chỉ chạy trên cơ sở dữ liệu mới.".into(),
        ));
    }
    let now = now_utc();
    let mut summary = DemoSummary::default();
    let system = Actor::system(conn, "demo")?;
    for (code, name) in OFFICES {
        administration::create_office(conn, &system, code, name, Some(DEFAULT_OFFICE_CODE), now)
            .map_err(explain)?;
        summary.offices += 1;
    }
    for (username, role, full_name, office) in USERS {
        let input = NewUserInput {
            username: username.into(),
            full_name: full_name.into(),
            role: role.into(),
            office_code: office.unwrap_or(DEFAULT_OFFICE_CODE).into(),
            must_change_password: false,
        };
        let hashed = crate::services::passwords::hash_new(opts.hash_cost, &opts.password)?;
        administration::create_user(conn, &system, &input, hashed, now).map_err(explain)?;
        summary.users.push((username.to_string(), role_label(role)));
    }
    let procedures: Vec<ProcedureFull> = Procedure::all_full(conn, true)?;
    if procedures.is_empty() {
        return Err(AppError::BadRequest(
            "Danh mục thủ tục trống: không tạo được hồ sơ mẫu.".into(),
        ));
    }
    let clerks = [
        actor_of(conn, "tiepnhan")?,
        actor_of(conn, "tiepnhan.kv1")?,
        actor_of(conn, "tiepnhan.kv2")?,
    ];
    let leaders = [actor_of(conn, "lanhdao")?, actor_of(conn, "lanhdao.kv1")?];
    let officers = [
        actor_of(conn, "chuyenvien")?,
        actor_of(conn, "chuyenvien.kv1")?,
    ];
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let today = crate::services::reception::local_day(now);
    let mut times: Vec<NaiveDateTime> = (0..opts.dossiers)
        .map(|_| reception_time(&mut rng, cal, today, opts.days, now))
        .collect();
    times.sort();
    for (done, at) in times.into_iter().enumerate() {
        on_progress(done as u64);
        let clerk = &clerks[match rng.gen_range(0..10) {
            0..=4 => 0,
            5..=7 => 1,
            _ => 2,
        }];
        let p = pick(&mut rng, &procedures).clone();
        let channel = match rng.gen_range(0..20) {
            0..=11 => "counter",
            12..=16 => "postal",
            _ => "online",
        };
        let who = applicant(&mut rng);
        let roll = rng.gen_range(0..100);
        if !(8..98).contains(&roll) {
            let kind = if roll < 8 {
                NoticeKind::Supplement
            } else {
                NoticeKind::Refusal
            };
            let missing = p
                .documents
                .iter()
                .filter(|d| d.required)
                .take(1)
                .map(|d| DocumentInput {
                    name: d.name.clone(),
                    form: d.form.clone(),
                    count: d.count.to_string(),
                })
                .collect();
            let input = NoticeInput {
                procedure_code: p.procedure.code.clone(),
                channel: channel.into(),
                applicant: who,
                missing,
                reason: match kind {
                    NoticeKind::Supplement => {
                        "Bản sao chưa được chứng thực; đơn chưa ghi rõ nội dung yêu cầu.".into()
                    }
                    NoticeKind::Refusal => {
                        "Yêu cầu không thuộc thẩm quyền giải quyết của cơ quan.".into()
                    }
                },
                contact_phone: "0258 3822 123".into(),
            };
            reception::issue_notice(conn, clerk, kind, &input, at).map_err(explain)?;
            match kind {
                NoticeKind::Supplement => summary.supplement_requests += 1,
                NoticeKind::Refusal => summary.refusals += 1,
            }
            continue;
        }
        let postal = channel == "postal";
        let by_post = rng.gen_bool(0.3);
        let input = ReceptionInput {
            procedure_code: p.procedure.code.clone(),
            channel: channel.into(),
            postal_address: if by_post {
                who.address.clone()
            } else {
                String::new()
            },
            applicant: who,
            documents: documents_for(&mut rng, &p),
            sets: "1".into(),
            return_method: if by_post { "postal" } else { "counter" }.into(),
            note: String::new(),
            received_at: Some(at),
            postmarked_on: postal.then(|| {
                crate::services::reception::local_day(at) - Duration::days(rng.gen_range(1..5))
            }),
            postal_record: if postal {
                format!("BB-{}", rng.gen_range(100..999))
            } else {
                String::new()
            },
            fee_amount: String::new(),
            fee_receipt: String::new(),
            require_postal_record: false,
            intake_id: None,
            postal_slip: String::new(),
            // Demo applicants are invented: nothing is ever sent to them.
            notify: false,
            online_submission: None,
        };
        let r = reception::accept(conn, cal, clerk, &input, None, at).map_err(explain)?;
        summary.dossiers += 1;
        let team = Team {
            leader: if r.dossier.office_id == clerks[1].office_id {
                &leaders[1]
            } else {
                &leaders[0]
            },
            officer: if r.dossier.office_id == clerks[1].office_id && rng.gen_bool(0.7) {
                &officers[1]
            } else {
                &officers[0]
            },
            clerk,
        };
        progress(conn, cal, &mut rng, &team, r.dossier, now, &mut summary)?;
    }
    Ok(summary)
}

fn has_dossiers(conn: &mut DbConnection) -> Result<bool, AppError> {
    let offices: Vec<i64> = Office::all(conn)?.iter().map(|o| o.id).collect();
    let (_, total) = Dossier::list(
        conn,
        &crate::db::dossiers::DossierFilter {
            office_ids: offices,
            include_voided: true,
            ..Default::default()
        },
        0,
        1,
    )?;
    Ok(total > 0)
}

fn role_label(role: &str) -> &'static str {
    role.parse::<crate::domain::Role>()
        .map(|r| r.label())
        .unwrap_or("")
}

/// Who works on one demo dossier.
struct Team<'a> {
    leader: &'a Actor,
    officer: &'a Actor,
    clerk: &'a Actor,
}

/// A moment `days` working days after `from` (UTC), during office hours.
fn work_time(cal: &Calendar, rng: &mut StdRng, from: NaiveDateTime, days: u32) -> NaiveDateTime {
    let local = from + Duration::hours(7);
    let mut day = local.date();
    let mut left = days;
    while left > 0 || cal.day_off_reason(day).is_some() {
        day = day.succ_opt().expect("a next day");
        if cal.day_off_reason(day).is_none() {
            left = left.saturating_sub(1);
        }
    }
    let minutes = 8 * 60 + rng.gen_range(0..(8 * 60));
    let t = day.and_time(NaiveTime::from_hms_opt(minutes / 60, minutes % 60, 0).expect("time"));
    (t - Duration::hours(7)).max(from + Duration::minutes(20))
}

/// Moves a demo dossier along as far as its age allows: assignment,
/// sometimes a supplement, an apology or a withdrawal, then the result.
fn progress(
    conn: &mut DbConnection,
    cal: &Calendar,
    rng: &mut StdRng,
    team: &Team<'_>,
    dossier: Dossier,
    now: NaiveDateTime,
    summary: &mut DemoSummary,
) -> Result<(), AppError> {
    use crate::services::processing::{act, ActionInput};
    let mut version = i64::from(dossier.version);
    let mut at = dossier.received_at;
    let step = |conn: &mut DbConnection,
                who: &Actor,
                when: NaiveDateTime,
                input: ActionInput,
                version: &mut i64|
     -> Result<bool, AppError> {
        if when > now {
            return Ok(false);
        }
        let input = ActionInput {
            version: Some(*version),
            ..input
        };
        match act(conn, cal, who, dossier.id, &input, when) {
            Ok(d) => {
                *version = i64::from(d.version);
                Ok(true)
            }
            Err(crate::services::processing::ActError::Failed(e)) => Err(e),
            Err(_) => Ok(false),
        }
    };
    let input = |action: &str| ActionInput {
        action: action.into(),
        ..ActionInput::default()
    };
    if rng.gen_bool(0.08) {
        return Ok(());
    }
    let k = rng.gen_range(0..2);
    at = work_time(cal, rng, at, k);
    let assign = ActionInput {
        officer: team.officer.username.clone(),
        ..input("assign")
    };
    if !step(conn, team.leader, at, assign, &mut version)? {
        return Ok(());
    }
    if rng.gen_bool(0.03) {
        at = work_time(cal, rng, at, 1);
        let withdraw = ActionInput {
            reason: "Các bên đã tự nguyện thỏa thuận thi hành.".into(),
            ..input("withdraw")
        };
        if step(conn, team.clerk, at, withdraw, &mut version)? {
            summary.withdrawn += 1;
        }
        return Ok(());
    }
    if rng.gen_bool(0.12) {
        at = work_time(cal, rng, at, 1);
        let request = ActionInput {
            missing: vec![crate::services::reception::DocumentInput {
                name: "Bản sao có chứng thực bản án, quyết định".into(),
                form: "certified_copy".into(),
                count: "1".into(),
            }],
            note: "Bản đã nộp là bản photo không chứng thực.".into(),
            ..input("request_supplement")
        };
        if !step(conn, team.officer, at, request, &mut version)? || rng.gen_bool(0.3) {
            return Ok(());
        }
        let k = rng.gen_range(2..6);
        at = work_time(cal, rng, at, k);
        if !step(
            conn,
            team.clerk,
            at,
            input("receive_supplement"),
            &mut version,
        )? {
            return Ok(());
        }
    }
    let n = dossier.working_days.max(1) as u32;
    if rng.gen_bool(0.05) {
        // Running late: an apology the working day before the due date.
        let current = Dossier::find(conn, dossier.id)?;
        if let Some(due) = current.due_date {
            let day_before = (1..10)
                .map(|k| due - Duration::days(k))
                .find(|d| cal.day_off_reason(*d).is_none())
                .unwrap_or(due);
            let when =
                (day_before.and_hms_opt(9, 0, 0).expect("time") - Duration::hours(7)).max(at);
            let new_due = (work_time(cal, rng, due.and_hms_opt(2, 0, 0).expect("time"), 5)
                + Duration::hours(7))
            .date();
            let extend = ActionInput {
                new_due_date: Some(new_due),
                reason: "Cần xác minh điều kiện thi hành án tại địa phương.".into(),
                ..input("extend")
            };
            if step(conn, team.leader, when, extend, &mut version)? {
                at = when;
            }
        }
    }
    let k = rng.gen_range(1..=n + 1);
    at = work_time(cal, rng, at, k);
    let submit = ActionInput {
        result_number: format!("{}/QĐ-THADS", rng.gen_range(100..999)),
        result_date: Some((at + Duration::hours(7)).date()),
        result_signer: "Lê Văn Hùng".into(),
        result_summary: "Quyết định thi hành án theo đơn yêu cầu".into(),
        ..input("submit_for_approval")
    };
    if !step(conn, team.officer, at, submit, &mut version)? {
        return Ok(());
    }
    let k = rng.gen_range(0..2);
    at = work_time(cal, rng, at, k);
    let decided = if rng.gen_bool(0.06) {
        let refuse = ActionInput {
            reason: "Bản án chưa có hiệu lực pháp luật.".into(),
            ..input("refuse")
        };
        step(conn, team.leader, at, refuse, &mut version)?
    } else {
        step(conn, team.leader, at, input("approve"), &mut version)?
    };
    if !decided {
        return Ok(());
    }
    summary.decided += 1;
    // The result goes back to the citizen.
    let k = rng.gen_range(1..6);
    at = work_time(cal, rng, at, k);
    let current = Dossier::find(conn, dossier.id)?;
    if current.postal_address.is_some() {
        let ship = ActionInput {
            tracking_number: format!("EB{:09}VN", rng.gen_range(0..1_000_000_000u32)),
            postage: Some(25_000),
            ..input("ship_by_post")
        };
        if !step(conn, team.clerk, at, ship, &mut version)? {
            return Ok(());
        }
        at = work_time(cal, rng, at, 2);
        let outcome = if rng.gen_bool(0.9) {
            input("postal_delivered")
        } else {
            ActionInput {
                reason: "Phát 2 lần không gặp người nhận.".into(),
                ..input("postal_undelivered")
            }
        };
        if step(conn, team.clerk, at, outcome, &mut version)? {
            summary.returned += 1;
        }
        return Ok(());
    }
    let deliver = ActionInput {
        recipient_name: current
            .representative
            .clone()
            .unwrap_or(current.applicant_name.clone()),
        recipient_id_number: current
            .id_number
            .clone()
            .unwrap_or_else(|| "056090000000".into()),
        ..input("deliver_at_counter")
    };
    if !step(conn, team.clerk, at, deliver, &mut version)? {
        return Ok(());
    }
    summary.returned += 1;
    if rng.gen_bool(0.7) {
        let (level, comment) = match rng.gen_range(0..10) {
            0..=5 => (
                "very_satisfied",
                "Cán bộ hướng dẫn tận tình, trả kết quả đúng hẹn.",
            ),
            6..=8 => ("satisfied", ""),
            _ => ("dissatisfied", "Phải chờ lâu tại quầy."),
        };
        crate::services::returns::rate(conn, team.clerk, dossier.id, level, comment, at)
            .map_err(explain)?;
        summary.ratings += 1;
    }
    Ok(())
}
