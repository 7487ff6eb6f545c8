//! What every staff page's layout shows: title, user and office, navigation
//! by role, flash messages and the CSRF token for its forms.

use actix_session::SessionExt;
use actix_web::HttpRequest;

use crate::auth::csrf;
use crate::auth::extract::CurrentUser;
use crate::auth::session::{take_flashes, Flash};
use crate::domain::Role;
use crate::services::citizens::FrontDoor;

/// One navigation link; who sees it is who may open it (the route table).
struct NavEntry {
    href: &'static str,
    label: &'static str,
}

/// The navigation table: each area adds its entry here.
const NAV: &[NavEntry] = &[
    NavEntry {
        href: "/",
        label: "Trang chủ",
    },
    NavEntry {
        href: "/tiep-nhan",
        label: "Tiếp nhận hồ sơ",
    },
    NavEntry {
        href: "/truc-tuyen",
        label: "Hồ sơ trực tuyến",
    },
    NavEntry {
        href: "/tra-ket-qua",
        label: "Trả kết quả",
    },
    NavEntry {
        href: "/buu-chinh",
        label: "Bưu chính",
    },
    NavEntry {
        href: "/viec-cua-toi",
        label: "Việc của tôi",
    },
    NavEntry {
        href: "/phan-cong",
        label: "Phân công, phê duyệt",
    },
    NavEntry {
        href: "/ho-so",
        label: "Hồ sơ",
    },
    NavEntry {
        href: "/so-theo-doi",
        label: "Sổ theo dõi",
    },
    NavEntry {
        href: "/bao-cao/qua-han",
        label: "Quá hạn, sắp đến hạn",
    },
    NavEntry {
        href: "/phan-anh/quan-ly",
        label: "Phản ánh, kiến nghị",
    },
    NavEntry {
        href: "/bao-cao/dinh-ky",
        label: "Báo cáo định kỳ",
    },
    NavEntry {
        href: "/admin/users",
        label: "Người dùng",
    },
    NavEntry {
        href: "/admin/offices",
        label: "Đơn vị",
    },
    NavEntry {
        href: "/admin/procedures",
        label: "Thủ tục",
    },
    NavEntry {
        href: "/admin/calendar",
        label: "Lịch nghỉ lễ",
    },
    NavEntry {
        href: "/admin/thong-bao",
        label: "Thông báo",
    },
    NavEntry {
        href: "/admin/bao-mat",
        label: "Bảo mật đăng nhập",
    },
    NavEntry {
        href: "/admin/du-lieu-ca-nhan",
        label: "Dữ liệu cá nhân",
    },
    NavEntry {
        href: "/admin/audit",
        label: "Nhật ký quản trị",
    },
];

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

pub struct Layout {
    pub title: String,
    pub user: Option<CurrentUser>,
    pub csrf: String,
    pub flashes: Vec<Flash>,
    pub nav: Vec<NavItem>,
    /// On public pages: the office and how to reach it, in the footer.
    pub front: Option<std::sync::Arc<FrontDoor>>,
    /// For a signed-in user: how long an idle session lasts, for the
    /// page's countdown (0 when nobody is signed in).
    pub idle_seconds: i64,
}

impl Layout {
    pub fn new(req: &HttpRequest, title: &str, user: Option<&CurrentUser>) -> Layout {
        Self::build(req, title, user, true)
    }

    /// `with_csrf` false: a page with no form for a visitor who is not
    /// signed in, which must not open a session (it is shared from a cache).
    fn build(
        req: &HttpRequest,
        title: &str,
        user: Option<&CurrentUser>,
        with_csrf: bool,
    ) -> Layout {
        let session = req.get_session();
        let path = req.path();
        let nav = match user {
            Some(u) => NAV
                .iter()
                .filter(|e| super::routes::admits(&actix_web::http::Method::GET, e.href, u.role))
                .map(|e| NavItem {
                    href: e.href,
                    label: e.label,
                    current: if e.href == "/" {
                        path == "/"
                    } else {
                        path.starts_with(e.href)
                    },
                })
                .collect(),
            None => Vec::new(),
        };
        let idle_seconds = match (
            user,
            req.app_data::<actix_web::web::Data<crate::state::AppState>>(),
        ) {
            (Some(_), Some(state)) => state.config.session_idle_seconds,
            _ => 0,
        };
        Layout {
            idle_seconds,
            title: title.to_string(),
            user: user.cloned(),
            csrf: if with_csrf || user.is_some() {
                csrf::token(&session)
            } else {
                String::new()
            },
            flashes: take_flashes(&session),
            nav,
            front: None,
        }
    }

    /// A page citizens see: it carries the office's contacts.
    pub fn public(
        req: &HttpRequest,
        title: &str,
        user: Option<&CurrentUser>,
        front: std::sync::Arc<FrontDoor>,
    ) -> Layout {
        Layout {
            front: Some(front),
            ..Layout::new(req, title, user)
        }
    }

    /// A public page without a form of its own: a visitor who is not signed
    /// in gets no session from it.
    pub fn public_without_forms(
        req: &HttpRequest,
        title: &str,
        user: Option<&CurrentUser>,
        front: std::sync::Arc<FrontDoor>,
    ) -> Layout {
        Layout {
            front: Some(front),
            ..Layout::build(req, title, user, false)
        }
    }

    /// Staff who work on dossiers get the search box on every page.
    pub fn can_search(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.role != Role::Admin)
    }

    pub fn role_label(&self) -> &'static str {
        self.user.as_ref().map(|u| u.role.label()).unwrap_or("")
    }
}
