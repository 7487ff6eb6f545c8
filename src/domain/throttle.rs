//! What repeated wrong passwords cost. Wrong passwords must cost the guesser,
//! not the staff:
//! - a username that keeps failing *from one address* waits, from 30 s
//!   doubling to at most 5 minutes, and the count is forgotten 15 minutes
//!   after the last failure; the same username from another address is not
//!   blocked, so nobody can lock a colleague out by guessing at his name;
//! - a username that keeps failing from anywhere, and an address that keeps
//!   failing (a spray over many usernames, or an office behind one NAT or
//!   reverse proxy), are slowed, a few seconds per attempt at most, never
//!   locked out; a success clears the counts it took part in.

use chrono::Duration;

/// Free attempts of a username before waiting starts.
pub const FREE_ATTEMPTS: i32 = 5;
/// The longest wait of a username.
pub const MAX_WAIT_SECONDS: i64 = 5 * 60;
/// Failures older than this (since the last one) are forgotten.
pub const FORGET_AFTER_MINUTES: i64 = 15;
/// Free attempts from one address before its attempts are slowed.
pub const FREE_ATTEMPTS_PER_ADDRESS: i32 = 20;
/// Free attempts at one username from everywhere before they are slowed.
pub const FREE_ATTEMPTS_PER_USERNAME: i32 = 10;
/// The longest username or address worth counting (longer: a wrong login, not counted).
pub const MAX_KEY_PART: usize = 64;
/// The longest delay of one attempt from a failing address.
pub const MAX_ADDRESS_DELAY_MS: i64 = 4_000;

/// The wait after the `failures`-th consecutive wrong password of a username:
/// none for the first five, then 30 s doubling each time, at most 5 minutes.
pub fn wait_after(failures: i32) -> Option<Duration> {
    if failures < FREE_ATTEMPTS {
        return None;
    }
    let doublings = (failures - FREE_ATTEMPTS).min(10) as u32;
    let seconds = (30_i64 << doublings).min(MAX_WAIT_SECONDS);
    Some(Duration::seconds(seconds))
}

/// An address is never blocked (see the module's note).
pub fn never_blocked(_failures: i32) -> Option<Duration> {
    None
}

/// How long an attempt from an address with `failures` recent wrong passwords
/// is held before it is checked: nothing for the first 20, then 250 ms
/// doubling, at most 4 s.
pub fn address_delay(failures: i32) -> Option<std::time::Duration> {
    delay_after(failures, FREE_ATTEMPTS_PER_ADDRESS)
}

/// The same for a username tried from everywhere, after 10 free attempts.
pub fn username_delay(failures: i32) -> Option<std::time::Duration> {
    delay_after(failures, FREE_ATTEMPTS_PER_USERNAME)
}

fn delay_after(failures: i32, free: i32) -> Option<std::time::Duration> {
    if failures < free {
        return None;
    }
    let doublings = (failures - free).min(10) as u32;
    let ms = (250_i64 << doublings).min(MAX_ADDRESS_DELAY_MS);
    Some(std::time::Duration::from_millis(ms as u64))
}

/// The throttle key of a username tried from one address (the one that blocks).
pub fn user_at_address_key(username: &str, address: &str) -> String {
    format!("user:{username}|ip:{address}")
}

/// The throttle key of wrong current passwords when a signed-in user changes his.
pub fn password_change_key(username: &str) -> String {
    format!("change:{username}")
}

/// The throttle key of wrong second-step codes of a user (blocks like a
/// username at an address: five free, then 30 s doubling).
pub fn second_step_key(user_id: i64) -> String {
    format!("2fa:{user_id}")
}

/// The throttle key of a username.
pub fn user_key(username: &str) -> String {
    format!("user:{username}")
}

/// The throttle key of a client address.
pub fn address_key(address: &str) -> String {
    format!("ip:{address}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_then_cap_at_five_minutes() {
        assert_eq!(wait_after(1), None);
        assert_eq!(wait_after(4), None);
        assert_eq!(wait_after(5), Some(Duration::seconds(30)));
        assert_eq!(wait_after(6), Some(Duration::seconds(60)));
        assert_eq!(wait_after(8), Some(Duration::seconds(240)));
        assert_eq!(wait_after(9), Some(Duration::seconds(MAX_WAIT_SECONDS)));
        assert_eq!(wait_after(1000), Some(Duration::seconds(MAX_WAIT_SECONDS)));
    }

    #[test]
    fn addresses_are_slowed_never_blocked() {
        assert_eq!(address_delay(19), None);
        assert_eq!(
            address_delay(20),
            Some(std::time::Duration::from_millis(250))
        );
        assert_eq!(
            address_delay(10_000),
            Some(std::time::Duration::from_millis(4_000))
        );
        assert_eq!(never_blocked(1_000_000), None);
        assert_ne!(user_key("a"), address_key("a"));
    }
}
