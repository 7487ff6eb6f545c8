//! The route table: every path, the method it takes, the handler, and who may
//! call it. The router is built from this table alone, and the access each
//! row declares is checked here before the handler runs (handlers take the
//! admitted user as `Staff` or `ApiStaff`, with no roles of their own).
//! `tests/it/access_matrix.rs` walks the table for anonymous visitors and
//! every role.

use actix_web::body::BoxBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method, StatusCode};
use actix_web::middleware::{from_fn, Next};
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};

use crate::auth::extract::{admit_api, admit_page};
use crate::domain::personal_data::Use;
use crate::domain::role::{
    Admins, AnyStaff, ApplicantEditors, CounterAndLeaders, DossierReaders, Leaders, Officers,
    Overseers, Receivers, RoleSet, TwoFactorUsers,
};
use crate::domain::Role;

use super::*;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (citizens have no account).
    Public,
    /// Staff signed in through the session cookie, with one of these roles.
    Staff(&'static [Role]),
    /// API callers with a bearer token of a user with one of these roles.
    Api(&'static [Role]),
    /// The Prometheus scraper, with `MOTCUA_METRICS_TOKEN`; no session role.
    MetricsToken,
}

impl Access {
    /// Whether a signed-in staff member of `role` (through the session for
    /// pages, a token for the API), or an anonymous visitor (`None`), may call
    /// the route.
    pub fn admits(self, role: Option<Role>) -> bool {
        match (self, role) {
            (Access::Public, _) => true,
            (Access::Staff(roles) | Access::Api(roles), Some(role)) => roles.contains(&role),
            _ => false,
        }
    }
}

const PUBLIC: Access = Access::Public;
const VIEW: Use = Use::View;
const PRINT: Use = Use::Print;
const EXPORT: Use = Use::Export;
const API: Use = Use::Api;

const fn staff<R: RoleSet>(set: R) -> Access {
    std::mem::forget(set);
    Access::Staff(R::ROLES)
}

const fn api<R: RoleSet>(set: R) -> Access {
    std::mem::forget(set);
    Access::Api(R::ROLES)
}

/// One row of the table.
#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    /// Set where the route shows or exports applicants' personal details:
    /// each successful call is logged (Decree 13/2023/NĐ-CP).
    pub personal: Option<Use>,
}

macro_rules! optional {
    () => {
        None
    };
    ($e:expr) => {
        Some($e)
    };
}

macro_rules! route_table {
    ($($method:ident $path:literal => $handler:path, $access:expr $(, $personal:expr)?;)+) => {
        /// Every route, in the order the router tries them.
        pub const TABLE: &[RouteSpec] = &[
            $(RouteSpec {
                method: Method::$method,
                path: $path,
                access: $access,
                personal: optional!($($personal)?),
            },)+
        ];

        /// The handlers, row for row with `TABLE`.
        fn handlers() -> Vec<actix_web::Route> {
            vec![$(web::method(Method::$method).to($handler),)+]
        }
    };
}

route_table! {
    GET  "/healthz"                              => health::healthz, PUBLIC;
    GET  "/livez"                                => health::livez, PUBLIC;
    GET  "/metrics"                              => metrics::metrics, Access::MetricsToken;
    GET  "/static/{path:.*}"                     => assets::asset, PUBLIC;
    GET  "/"                                     => home::home, PUBLIC;
    GET  "/thu-tuc"                              => catalog::list, PUBLIC;
    GET  "/thu-tuc/{code}"                       => catalog::detail, PUBLIC;
    GET  "/thu-tuc/{code}/mau/{id}"              => catalog::form_file, PUBLIC;
    GET  "/login"                                => login::login_form, PUBLIC;
    POST "/login"                                => login::login_submit, PUBLIC;
    GET  "/login/ma-xac-thuc"                    => login::second_step_form, PUBLIC;
    POST "/login/ma-xac-thuc"                    => login::second_step_submit, PUBLIC;
    POST "/logout"                               => login::logout, PUBLIC;
    GET  "/account/password"                     => account::password_form, staff(AnyStaff);
    POST "/account/password"                     => account::password_submit, staff(AnyStaff);
    GET  "/account/hai-lop"                      => two_factor::page, staff(TwoFactorUsers);
    POST "/account/hai-lop"                      => two_factor::submit, staff(TwoFactorUsers);
    GET  "/phien/gia-han"                        => account::keep_alive, staff(AnyStaff);
    GET  "/tiep-nhan"                            => reception::start, staff(Receivers);
    GET  "/tiep-nhan/moi"                        => reception::new_form, staff(Receivers);
    POST "/tiep-nhan/moi"                        => reception::submit, staff(Receivers);
    GET  "/phieu/{id}"                           => notices::show, staff(DossierReaders), PRINT;
    GET  "/ho-so"                                => dossiers::list, staff(DossierReaders);
    POST "/ho-so"                                => dossiers::search, staff(DossierReaders);
    GET  "/ho-so/{code}/da-tiep-nhan"            => dossiers::done, staff(Receivers), VIEW;
    GET  "/ho-so/{code}/bien-nhan"               => dossiers::receipt, staff(DossierReaders), PRINT;
    GET  "/ho-so/{code}/nguoi-nop"               => dossiers::applicant_form, staff(ApplicantEditors), VIEW;
    POST "/ho-so/{code}/nguoi-nop"               => dossiers::applicant_submit, staff(ApplicantEditors);
    POST "/ho-so/{code}/huy"                     => dossiers::void, staff(Leaders);
    GET  "/ho-so/{code}/thao-tac"                => dossiers::action_page, staff(DossierReaders);
    POST "/ho-so/{code}/thao-tac"                => dossiers::take_action, staff(DossierReaders);
    GET  "/ho-so/{code}/yeu-cau-bo-sung/{n}"     => dossier_prints::supplement, staff(DossierReaders), PRINT;
    GET  "/ho-so/{code}/phieu-xin-loi"           => dossier_prints::apology, staff(DossierReaders), PRINT;
    GET  "/ho-so/{code}/phieu-kiem-soat"         => dossier_prints::control, staff(DossierReaders), PRINT;
    GET  "/ho-so/{code}/thong-bao-dung"          => dossier_prints::stop, staff(DossierReaders), PRINT;
    GET  "/ho-so/{code}"                         => dossiers::show, staff(DossierReaders), VIEW;
    GET  "/so-theo-doi"                          => register::index, staff(DossierReaders);
    GET  "/so-theo-doi/in"                       => register::print, staff(DossierReaders), PRINT;
    GET  "/so-theo-doi/excel"                    => register::excel, staff(DossierReaders), EXPORT;
    GET  "/so-theo-doi/csv"                      => register::csv, staff(DossierReaders), EXPORT;
    GET  "/truc-tuyen"                           => online_desk::queue, staff(CounterAndLeaders);
    GET  "/truc-tuyen/{code}"                    => online_desk::show, staff(CounterAndLeaders), VIEW;
    POST "/truc-tuyen/{code}"                    => online_desk::decide, staff(CounterAndLeaders);
    GET  "/tep/{token}"                          => online_desk::open_file, staff(AnyStaff), VIEW;
    POST "/ho-so/{code}/tep"                     => online_desk::attach, staff(DossierReaders);
    GET  "/phan-anh"                             => feedback::public_form, PUBLIC;
    POST "/phan-anh"                             => feedback::public_submit, PUBLIC;
    GET  "/phan-anh/da-gui"                      => feedback::sent, PUBLIC;
    GET  "/phan-anh/tra-loi"                     => feedback::answers, PUBLIC;
    GET  "/phan-anh/quan-ly"                     => feedback::staff_list, staff(DossierReaders);
    POST "/phan-anh/quan-ly"                     => feedback::log_call, staff(CounterAndLeaders);
    GET  "/phan-anh/quan-ly/{id}"                => feedback::staff_show, staff(DossierReaders), VIEW;
    POST "/phan-anh/quan-ly/{id}"                => feedback::staff_act, staff(DossierReaders);
    GET  "/nop-truc-tuyen"                       => online::choose, PUBLIC;
    GET  "/nop-truc-tuyen/da-nop/{token}"        => online::done, PUBLIC;
    GET  "/nop-truc-tuyen/{code}"                => online::new_form, PUBLIC;
    POST "/nop-truc-tuyen/{code}"                => online::submit, PUBLIC;
    POST "/tra-cuu/{token}/bo-sung"              => online::supplement, PUBLIC;
    GET  "/tra-cuu"                              => status::lookup_form, PUBLIC;
    POST "/tra-cuu"                              => status::lookup_submit, PUBLIC;
    GET  "/tra-cuu/{token}"                      => status::by_token, PUBLIC;
    GET  "/tra-ket-qua"                          => returns::counter, staff(Receivers);
    POST "/tra-ket-qua"                          => returns::counter_search, staff(Receivers);
    POST "/ho-so/{code}/danh-gia"                => returns::rate, staff(Receivers);
    GET  "/ho-so/{code}/phieu-tra"               => returns::return_record, staff(DossierReaders), PRINT;
    GET  "/buu-chinh"                            => returns::postal, staff(Receivers);
    POST "/buu-chinh/nhan"                       => returns::open_intake, staff(Receivers);
    GET  "/buu-chinh/nhan/{id}"                  => returns::intake_page, staff(Receivers), VIEW;
    POST "/buu-chinh/gui"                        => returns::ship, staff(Receivers);
    GET  "/buu-chinh/gui/{id}"                   => returns::shipment_print, staff(Receivers), PRINT;
    POST "/buu-chinh/ket-qua-phat"               => returns::import, staff(Receivers);
    GET  "/bao-cao/qua-han"                           => reports::due_page, staff(DossierReaders);
    GET  "/bao-cao/qua-han/excel"                     => reports::due_excel, staff(DossierReaders), EXPORT;
    GET  "/bao-cao/nguy-co"                           => reports::risk_page, staff(Overseers);
    GET  "/bao-cao/dinh-ky"                           => reports::period_page, staff(Overseers);
    GET  "/bao-cao/dinh-ky/in"                        => reports::period_print, staff(Overseers);
    GET  "/bao-cao/dinh-ky/excel"                     => reports::period_excel, staff(Overseers);
    GET  "/viec-cua-toi"                         => work::inbox, staff(Officers);
    GET  "/phan-cong"                            => work::queue, staff(Leaders);
    POST "/phan-cong"                            => work::assign_many, staff(Leaders);
    GET  "/admin/users"                          => admin::users::list, staff(Admins);
    GET  "/admin/users/new"                      => admin::users::new_form, staff(Admins);
    POST "/admin/users"                          => admin::users::create, staff(Admins);
    GET  "/admin/users/{id}"                     => admin::users::edit_form, staff(Admins);
    POST "/admin/users/{id}"                     => admin::users::update, staff(Admins);
    POST "/admin/users/{id}/password"            => admin::users::reset_password, staff(Admins);
    GET  "/admin/offices"                        => admin::offices::list, staff(Admins);
    GET  "/admin/offices/new"                    => admin::offices::new_form, staff(Admins);
    POST "/admin/offices"                        => admin::offices::create, staff(Admins);
    GET  "/admin/offices/{id}"                   => admin::offices::edit_form, staff(Admins);
    POST "/admin/offices/{id}"                   => admin::offices::update, staff(Admins);
    GET  "/admin/procedures"                     => admin::procedures::list, staff(Admins);
    GET  "/admin/procedures/new"                 => admin::procedures::new_form, staff(Admins);
    POST "/admin/procedures"                     => admin::procedures::create, staff(Admins);
    GET  "/admin/procedures/{id}"                => admin::procedures::edit_form, staff(Admins);
    POST "/admin/procedures/{id}"                => admin::procedures::update, staff(Admins);
    GET  "/admin/procedures/{id}/mau"            => admin::procedure_forms::show, staff(Admins);
    POST "/admin/procedures/{id}/mau"            => admin::procedure_forms::attach, staff(Admins);
    POST "/admin/procedures/{id}/mau/{form}/xoa" => admin::procedure_forms::remove, staff(Admins);
    GET  "/admin/calendar"                       => admin::calendar::show, staff(Admins);
    POST "/admin/calendar/days"                  => admin::calendar::put_day, staff(Admins);
    POST "/admin/calendar/days/delete"           => admin::calendar::delete_day, staff(Admins);
    POST "/admin/calendar/years"                 => admin::calendar::adopt_year, staff(Admins);
    POST "/admin/calendar/years/source"          => admin::calendar::year_source, staff(Admins);
    POST "/admin/calendar/years/official"        => admin::calendar::adopt_official, staff(Admins);
    POST "/admin/calendar/years/keep"            => admin::calendar::keep_edited, staff(Admins);
    POST "/admin/calendar/settings"              => admin::calendar::save_settings, staff(Admins);
    GET  "/admin/thong-bao"                      => admin::outbox::list, staff(Admins);
    POST "/admin/thong-bao/{id}/gui-lai"         => admin::outbox::retry, staff(Admins);
    GET  "/admin/bao-mat"                        => two_factor::security_page, staff(Admins);
    POST "/admin/bao-mat"                        => two_factor::security_submit, staff(Admins);
    POST "/admin/bao-mat/{id}/tat"               => two_factor::security_reset, staff(Admins);
    GET  "/admin/du-lieu-ca-nhan"                => admin::personal_data::page, staff(Admins);
    POST "/admin/du-lieu-ca-nhan"                => admin::personal_data::submit, staff(Admins);
    GET  "/admin/audit"                          => admin::audit::list, staff(Admins);
    POST "/api/v1/tokens"                        => api::tokens::create, PUBLIC;
    GET  "/api/v1/openapi.json"                  => api::openapi, PUBLIC;
    GET  "/api/v1/me"                            => api::me, api(AnyStaff);
    GET  "/api/v1/calendar/holidays"             => api::calendar::holidays, PUBLIC;
    GET  "/api/v1/calendar/due-date"             => api::calendar::due_date, PUBLIC;
    GET  "/api/v1/procedures"                    => api::procedures::list, PUBLIC;
    POST "/api/v1/lookup"                        => api::lookup::lookup, PUBLIC;
    POST "/api/v1/submissions"                   => api::submissions::create, PUBLIC;
    POST "/api/v1/submissions/{code}/documents"  => api::submissions::add_documents, PUBLIC;
    POST "/api/v1/feedback"                      => api::feedback::create, PUBLIC;
    GET  "/api/v1/feedback/public"               => api::feedback::public, PUBLIC;
    POST "/api/v1/dossiers"                      => api::dossiers::create, api(Receivers);
    GET  "/api/v1/dossiers"                      => api::dossiers::list, api(DossierReaders), API;
    GET  "/api/v1/dossiers/{code}"               => api::dossiers::show, api(DossierReaders), API;
    POST "/api/v1/dossiers/{code}/actions"       => api::dossiers::act, api(AnyStaff);
    GET  "/api/v1/reports/overdue"               => api::reports::overdue, api(Overseers), API;
    GET  "/api/v1/reports/period"                => api::reports::period, api(Overseers);
}

/// Whether a signed-in staff member of `role` may call `method` on the table
/// path `path` (used by the navigation, which shows only what opens).
pub fn admits(method: &Method, path: &str, role: Role) -> bool {
    TABLE
        .iter()
        .any(|s| s.method == method && s.path == path && s.access.admits(Some(role)))
}

/// Builds the router from `TABLE`: one resource per path (in the order paths
/// first appear), a route per method wrapped in its access check, and 405 with
/// `Allow` for any other method.
pub fn configure(cfg: &mut web::ServiceConfig) {
    let mut paths: Vec<&'static str> = Vec::new();
    for spec in TABLE {
        if !paths.contains(&spec.path) {
            paths.push(spec.path);
        }
    }
    let mut rows: Vec<(RouteSpec, Option<actix_web::Route>)> = TABLE
        .iter()
        .cloned()
        .zip(handlers().into_iter().map(Some))
        .collect();
    for path in paths {
        let allow = TABLE
            .iter()
            .filter(|s| s.path == path)
            .map(|s| s.method.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let mut resource = web::resource(path);
        for (spec, route) in rows.iter_mut().filter(|(s, _)| s.path == path) {
            let access = spec.access;
            let route = route.take().expect("each row is used once");
            let personal = spec.personal;
            resource = resource
                .route(route.wrap(from_fn(move |req, next| admit(access, personal, req, next))));
        }
        cfg.service(resource.default_service(web::to(move |req: HttpRequest| {
            let allow = allow.clone();
            async move { method_not_allowed(&req, &allow) }
        })));
    }
}

/// The access check of one route: resolves the caller, refuses those the row
/// does not admit, and leaves the admitted user for the handler.
async fn admit(
    access: Access,
    personal: Option<Use>,
    req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let user = match access {
        Access::Public | Access::MetricsToken => None,
        Access::Staff(roles) => Some(admit_page(req.request(), roles).await?),
        Access::Api(roles) => Some(admit_api(req.request(), roles).await?),
    };
    let Some(user) = user else {
        return next.call(req).await;
    };
    req.extensions_mut().insert(user.clone());
    let Some(use_) = personal else {
        return next.call(req).await;
    };
    let code = req.match_info().get("code").map(str::to_string);
    // The filter's parameter names, never their values: a search may carry
    // a name, an ID number or a phone.
    let names: Vec<&str> = req
        .query_string()
        .split('&')
        .filter_map(|kv| kv.split('=').next())
        .filter(|k| !k.is_empty())
        .collect();
    let pattern = req.match_pattern().unwrap_or_default();
    let what = if names.is_empty() {
        pattern
    } else {
        format!("{pattern}?{}", names.join("&"))
    };
    let res = next.call(req).await?;
    if res.status().is_success() {
        log_personal_use(&res, &user, use_, code, what).await?;
    }
    Ok(res)
}

/// Records that `user` saw or exported applicants' details; the answer
/// is not sent unless the record is stored.
async fn log_personal_use(
    res: &ServiceResponse<BoxBody>,
    user: &crate::auth::extract::CurrentUser,
    use_: Use,
    code: Option<String>,
    what: String,
) -> Result<(), actix_web::Error> {
    let Some(state) = res
        .request()
        .app_data::<web::Data<crate::state::AppState>>()
    else {
        return Ok(());
    };
    let entry = crate::db::personal_data::NewEntry {
        at: crate::domain::time::now_utc(),
        user_id: user.id,
        username: user.username.clone(),
        office_id: user.office_id,
        action: use_.as_str().to_string(),
        dossiers: i64::from(code.is_some()),
        dossier_code: code,
        what: what.chars().take(500).collect(),
    };
    state
        .db
        .run(move |conn| crate::db::personal_data::record(conn, &entry))
        .await?;
    Ok(())
}

/// 405 for a method the path does not take, in the API's error shape under
/// `/api/`, with the methods it does take.
fn method_not_allowed(req: &HttpRequest, allow: &str) -> HttpResponse {
    let mut res = if req.path().starts_with("/api/") {
        actix_web::ResponseError::error_response(&api::ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            format!(
                "Địa chỉ này không nhận phương thức {}; chỉ nhận: {allow}.",
                req.method()
            ),
        ))
    } else {
        HttpResponse::build(StatusCode::METHOD_NOT_ALLOWED)
            .content_type("text/plain; charset=utf-8")
            .body(format!(
                "Trang này không nhận yêu cầu {}; chỉ nhận: {allow}.",
                req.method()
            ))
    };
    if let Ok(value) = header::HeaderValue::from_str(allow) {
        res.headers_mut().insert(header::ALLOW, value);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_method_and_path_is_declared_once() {
        for (i, a) in TABLE.iter().enumerate() {
            for b in &TABLE[i + 1..] {
                assert!(
                    !(a.method == b.method && a.path == b.path),
                    "{} {} is declared twice",
                    a.method,
                    a.path
                );
            }
        }
        assert_eq!(TABLE.len(), handlers().len());
    }

    #[test]
    fn administrators_reach_no_dossier_and_citizens_no_staff_page() {
        for spec in TABLE {
            if spec.path.starts_with("/admin") {
                assert_eq!(spec.access, Access::Staff(&[Role::Admin]), "{}", spec.path);
            }
            if spec.path.starts_with("/ho-so") {
                assert!(!spec.access.admits(Some(Role::Admin)), "{}", spec.path);
                assert!(!spec.access.admits(None), "{}", spec.path);
            }
        }
    }

    #[test]
    fn access_admits_what_it_declares() {
        assert!(PUBLIC.admits(None));
        assert!(staff(Leaders).admits(Some(Role::Leader)));
        assert!(!staff(Leaders).admits(Some(Role::Officer)));
        assert!(!staff(Leaders).admits(None));
        assert!(api(Receivers).admits(Some(Role::Reception)));
        assert!(!Access::MetricsToken.admits(Some(Role::Admin)));
    }
}
