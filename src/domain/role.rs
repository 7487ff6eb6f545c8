//! Staff roles (DOMAIN.md, "Who uses it") and the role sets routes declare.

use std::fmt;
use std::str::FromStr;

/// A staff member's role. Citizens have no account and so no role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Quản trị: users, offices, procedures, holidays, settings.
    Admin,
    /// Cán bộ tiếp nhận và trả kết quả.
    Reception,
    /// Chuyên viên xử lý.
    Officer,
    /// Lãnh đạo: assigns, approves, signs.
    Leader,
    /// Giám sát / văn phòng: reads everything of its offices.
    Supervisor,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Reception,
        Role::Officer,
        Role::Leader,
        Role::Supervisor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Reception => "reception",
            Role::Officer => "officer",
            Role::Leader => "leader",
            Role::Supervisor => "supervisor",
        }
    }

    /// The label people see.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Quản trị hệ thống",
            Role::Reception => "Cán bộ tiếp nhận và trả kết quả",
            Role::Officer => "Chuyên viên xử lý",
            Role::Leader => "Lãnh đạo",
            Role::Supervisor => "Giám sát",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "Vai trò không hợp lệ: {0}. Chọn một trong: admin, reception, officer, leader, supervisor."
)]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| UnknownRole(s.to_string()))
    }
}

/// A named set of roles, as the route table (`web::routes`) declares them.
pub trait RoleSet {
    const ROLES: &'static [Role];
}

macro_rules! role_set {
    ($(#[$doc:meta])* $name:ident = [$($role:ident),+]) => {
        $(#[$doc])*
        pub struct $name;
        impl RoleSet for $name {
            const ROLES: &'static [Role] = &[$(Role::$role),+];
        }
    };
}

role_set!(
    /// Every staff member.
    AnyStaff = [Admin, Reception, Officer, Leader, Supervisor]
);
role_set!(
    /// Administrators only.
    Admins = [Admin]
);
role_set!(
    /// Counter staff, who receive dossiers.
    Receivers = [Reception]
);
role_set!(
    /// Everyone who works on or watches dossiers (not administrators).
    DossierReaders = [Reception, Officer, Leader, Supervisor]
);
role_set!(
    /// Those who may correct an applicant's details: the counter and leaders.
    ApplicantEditors = [Reception, Leader]
);
role_set!(
    /// Leaders.
    Leaders = [Leader]
);
role_set!(
    /// Processing officers.
    Officers = [Officer]
);
role_set!(
    /// Those who see reports: supervisors and leaders.
    Overseers = [Supervisor, Leader]
);

role_set!(
    /// Those who may turn on two-factor login: administrators and leaders.
    TwoFactorUsers = [Admin, Leader]
);

role_set!(
    /// The counter and leaders: the online desk, triaging feedback, logging hotline calls.
    CounterAndLeaders = [Reception, Leader]
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("citizen".parse::<Role>().is_err());
        assert!("".parse::<Role>().is_err());
    }

    #[test]
    fn role_sets_hold_what_they_say() {
        assert_eq!(Admins::ROLES, &[Role::Admin]);
        assert_eq!(AnyStaff::ROLES.len(), Role::ALL.len());
        assert!(!Overseers::ROLES.contains(&Role::Admin));
    }
}
