//! The one transition table of a dossier (DOMAIN.md, "States and actions"):
//! which action moves which state to which, and who may take it. Pages, the
//! API and the tests all read this table.

use super::dossier::Status;
use super::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    AcceptOnline,
    RejectOnline,
    Assign,
    RequestSupplement,
    ReceiveSupplement,
    SubmitForApproval,
    SendBack,
    Approve,
    Refuse,
    Extend,
    Withdraw,
    DeliverAtCounter,
    ShipByPost,
    PostalDelivered,
    PostalUndelivered,
}

impl Action {
    pub const ALL: [Action; 15] = [
        Action::AcceptOnline,
        Action::RejectOnline,
        Action::Assign,
        Action::RequestSupplement,
        Action::ReceiveSupplement,
        Action::SubmitForApproval,
        Action::SendBack,
        Action::Approve,
        Action::Refuse,
        Action::Extend,
        Action::Withdraw,
        Action::DeliverAtCounter,
        Action::ShipByPost,
        Action::PostalDelivered,
        Action::PostalUndelivered,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::AcceptOnline => "accept_online",
            Action::RejectOnline => "reject_online",
            Action::Assign => "assign",
            Action::RequestSupplement => "request_supplement",
            Action::ReceiveSupplement => "receive_supplement",
            Action::SubmitForApproval => "submit_for_approval",
            Action::SendBack => "send_back",
            Action::Approve => "approve",
            Action::Refuse => "refuse",
            Action::Extend => "extend",
            Action::Withdraw => "withdraw",
            Action::DeliverAtCounter => "deliver_at_counter",
            Action::ShipByPost => "ship_by_post",
            Action::PostalDelivered => "postal_delivered",
            Action::PostalUndelivered => "postal_undelivered",
        }
    }

    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// The button's words.
    pub fn label(self) -> &'static str {
        match self {
            Action::AcceptOnline => "Tiếp nhận hồ sơ trực tuyến",
            Action::RejectOnline => "Không tiếp nhận hồ sơ trực tuyến",
            Action::Assign => "Phân công xử lý",
            Action::RequestSupplement => "Yêu cầu bổ sung hồ sơ",
            Action::ReceiveSupplement => "Nhận đủ hồ sơ bổ sung",
            Action::SubmitForApproval => "Trình phê duyệt kết quả",
            Action::SendBack => "Trả lại để xử lý tiếp",
            Action::Approve => "Phê duyệt kết quả",
            Action::Refuse => "Từ chối giải quyết",
            Action::Extend => "Xin lỗi và hẹn lại ngày trả",
            Action::Withdraw => "Công dân rút hồ sơ",
            Action::DeliverAtCounter => "Trả kết quả tại bộ phận một cửa",
            Action::ShipByPost => "Gửi kết quả qua bưu chính",
            Action::PostalDelivered => "Bưu chính đã phát kết quả",
            Action::PostalUndelivered => "Bưu chính phát không thành công",
        }
    }
}

/// Who may take an action, beyond the role: some are for the officer the
/// dossier is assigned to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// Anyone with one of these roles (in the dossier's offices).
    Roles(&'static [Role]),
    /// The assigned officer, or a leader.
    AssigneeOrLeader,
    /// The assigned officer only.
    Assignee,
    /// Counter staff, or the assigned officer.
    ReceptionOrAssignee,
}

#[derive(Debug, Clone, Copy)]
pub struct Transition {
    pub action: Action,
    pub from: &'static [Status],
    /// `None`: the state does not change.
    pub to: Option<Status>,
    pub who: Who,
}

use Status::*;

const OPEN: &[Status] = &[Received, InProgress, AwaitingSupplement, AwaitingApproval];
const RECEPTION: &[Role] = &[Role::Reception];
const LEADER: &[Role] = &[Role::Leader];

/// DOMAIN.md, "States and actions", row by row.
pub const TABLE: [Transition; 15] = [
    Transition {
        action: Action::AcceptOnline,
        from: &[Submitted],
        to: Some(Received),
        who: Who::Roles(RECEPTION),
    },
    Transition {
        action: Action::RejectOnline,
        from: &[Submitted],
        to: Some(NotAccepted),
        who: Who::Roles(RECEPTION),
    },
    Transition {
        action: Action::Assign,
        from: &[Received, InProgress],
        to: Some(InProgress),
        who: Who::Roles(LEADER),
    },
    Transition {
        action: Action::RequestSupplement,
        from: &[InProgress],
        to: Some(AwaitingSupplement),
        who: Who::AssigneeOrLeader,
    },
    Transition {
        action: Action::ReceiveSupplement,
        from: &[AwaitingSupplement],
        to: Some(InProgress),
        who: Who::ReceptionOrAssignee,
    },
    Transition {
        action: Action::SubmitForApproval,
        from: &[InProgress],
        to: Some(AwaitingApproval),
        who: Who::Assignee,
    },
    Transition {
        action: Action::SendBack,
        from: &[AwaitingApproval],
        to: Some(InProgress),
        who: Who::Roles(LEADER),
    },
    Transition {
        action: Action::Approve,
        from: &[AwaitingApproval],
        to: Some(ResultReady),
        who: Who::Roles(LEADER),
    },
    Transition {
        action: Action::Refuse,
        from: &[Received, InProgress, AwaitingApproval],
        to: Some(ResultReady),
        who: Who::Roles(LEADER),
    },
    Transition {
        action: Action::Extend,
        from: OPEN,
        to: None,
        who: Who::Roles(LEADER),
    },
    Transition {
        action: Action::Withdraw,
        from: OPEN,
        to: Some(Withdrawn),
        who: Who::Roles(RECEPTION),
    },
    Transition {
        action: Action::DeliverAtCounter,
        from: &[ResultReady],
        to: Some(Delivered),
        who: Who::Roles(RECEPTION),
    },
    Transition {
        action: Action::ShipByPost,
        from: &[ResultReady],
        to: Some(InTransit),
        who: Who::Roles(RECEPTION),
    },
    Transition {
        action: Action::PostalDelivered,
        from: &[InTransit],
        to: Some(Delivered),
        who: Who::Roles(RECEPTION),
    },
    Transition {
        action: Action::PostalUndelivered,
        from: &[InTransit],
        to: Some(ResultReady),
        who: Who::Roles(RECEPTION),
    },
];

pub fn transition(action: Action) -> &'static Transition {
    TABLE
        .iter()
        .find(|t| t.action == action)
        .expect("every action has its row")
}

/// Why an action cannot be taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not in this state (409).
    WrongState,
    /// Not for this user (403).
    NotAllowed,
}

/// The state after `action` from `status`.
pub fn next(status: Status, action: Action) -> Result<Status, Refusal> {
    let t = transition(action);
    if !t.from.contains(&status) {
        return Err(Refusal::WrongState);
    }
    Ok(t.to.unwrap_or(status))
}

/// Whether a user of `role` (the dossier's assignee or not) may take `action`.
pub fn may(role: Role, is_assignee: bool, action: Action) -> bool {
    match transition(action).who {
        Who::Roles(roles) => roles.contains(&role),
        Who::AssigneeOrLeader => role == Role::Leader || (role == Role::Officer && is_assignee),
        Who::Assignee => role == Role::Officer && is_assignee,
        Who::ReceptionOrAssignee => {
            role == Role::Reception || (role == Role::Officer && is_assignee)
        }
    }
}

/// Checks both: the role first (403), then the state (409).
pub fn check(
    status: Status,
    role: Role,
    is_assignee: bool,
    action: Action,
) -> Result<Status, Refusal> {
    if !may(role, is_assignee, action) {
        return Err(Refusal::NotAllowed);
    }
    next(status, action)
}

/// The actions this user could take on a dossier in `status`.
pub fn available(status: Status, role: Role, is_assignee: bool) -> Vec<Action> {
    Action::ALL
        .into_iter()
        .filter(|a| check(status, role, is_assignee, *a).is_ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// DOMAIN.md's table, written out again independently: (action, from, to).
    const EXPECTED: [(&str, &[&str], &str); 15] = [
        ("accept_online", &["submitted"], "received"),
        ("reject_online", &["submitted"], "not_accepted"),
        ("assign", &["received", "in_progress"], "in_progress"),
        (
            "request_supplement",
            &["in_progress"],
            "awaiting_supplement",
        ),
        (
            "receive_supplement",
            &["awaiting_supplement"],
            "in_progress",
        ),
        ("submit_for_approval", &["in_progress"], "awaiting_approval"),
        ("send_back", &["awaiting_approval"], "in_progress"),
        ("approve", &["awaiting_approval"], "result_ready"),
        (
            "refuse",
            &["received", "in_progress", "awaiting_approval"],
            "result_ready",
        ),
        (
            "extend",
            &[
                "received",
                "in_progress",
                "awaiting_supplement",
                "awaiting_approval",
            ],
            "unchanged",
        ),
        (
            "withdraw",
            &[
                "received",
                "in_progress",
                "awaiting_supplement",
                "awaiting_approval",
            ],
            "withdrawn",
        ),
        ("deliver_at_counter", &["result_ready"], "delivered"),
        ("ship_by_post", &["result_ready"], "in_transit"),
        ("postal_delivered", &["in_transit"], "delivered"),
        ("postal_undelivered", &["in_transit"], "result_ready"),
    ];

    #[test]
    fn every_state_and_action_pair_follows_domain_md() {
        for (name, from, to) in EXPECTED {
            let action = Action::parse(name).expect(name);
            assert_eq!(action.as_str(), name);
            for status in Status::ALL {
                let result = next(status, action);
                if from.contains(&status.as_str()) {
                    let expected = if to == "unchanged" {
                        status
                    } else {
                        Status::parse(to).expect(to)
                    };
                    assert_eq!(result, Ok(expected), "{name} from {}", status.as_str());
                } else {
                    assert_eq!(
                        result,
                        Err(Refusal::WrongState),
                        "{name} from {}",
                        status.as_str()
                    );
                }
            }
        }
    }

    #[test]
    fn roles_follow_domain_md() {
        use Role::*;
        let cases: [(&str, &[(Role, bool)]); 15] = [
            ("accept_online", &[(Reception, false)]),
            ("reject_online", &[(Reception, false)]),
            ("assign", &[(Leader, false)]),
            ("request_supplement", &[(Officer, true), (Leader, false)]),
            ("receive_supplement", &[(Reception, false), (Officer, true)]),
            ("submit_for_approval", &[(Officer, true)]),
            ("send_back", &[(Leader, false)]),
            ("approve", &[(Leader, false)]),
            ("refuse", &[(Leader, false)]),
            ("extend", &[(Leader, false)]),
            ("withdraw", &[(Reception, false)]),
            ("deliver_at_counter", &[(Reception, false)]),
            ("ship_by_post", &[(Reception, false)]),
            ("postal_delivered", &[(Reception, false)]),
            ("postal_undelivered", &[(Reception, false)]),
        ];
        for (name, allowed) in cases {
            let action = Action::parse(name).expect(name);
            for role in Role::ALL {
                for assignee in [false, true] {
                    // A leader counts as a leader whether or not assigned.
                    let expected = allowed
                        .iter()
                        .any(|(r, needs_assignee)| *r == role && (!*needs_assignee || assignee));
                    assert_eq!(
                        may(role, assignee, action),
                        expected,
                        "{name} by {} (assignee: {assignee})",
                        role.as_str()
                    );
                }
            }
        }
        // Administrators and supervisors take no action on a dossier.
        for action in Action::ALL {
            assert!(!may(Admin, true, action));
            assert!(!may(Supervisor, true, action));
        }
    }

    #[test]
    fn role_is_checked_before_state() {
        assert_eq!(
            check(Status::Delivered, Role::Supervisor, false, Action::Approve),
            Err(Refusal::NotAllowed)
        );
        assert_eq!(
            check(Status::Delivered, Role::Leader, false, Action::Approve),
            Err(Refusal::WrongState)
        );
        assert_eq!(
            available(Status::InProgress, Role::Officer, true),
            vec![Action::RequestSupplement, Action::SubmitForApproval]
        );
        assert!(available(Status::InProgress, Role::Officer, false).is_empty());
    }
}
