//! What repeated wrong passwords cost. Wrong passwords must cost the guesser,
//! not the staff:
//! - a username that keeps failing waits, from 30 s doubling to at most
//!   5 minutes, and its count is forgotten 15 minutes after its last failure;
//! - an address that keeps failing (a spray over many usernames, or an office
//!   behind one NAT or reverse proxy) is slowed, a few seconds per attempt at
//!   most, but never locked out: staff typing their right password from the
//!   same address still get in, and a success clears the address's count.

use chrono::Duration;

/// Free attempts of a username before waiting starts.
pub const FREE_ATTEMPTS: i32 = 5;
/// The longest wait of a username.
pub const MAX_WAIT_SECONDS: i64 = 5 * 60;
/// Failures older than this (since the last one) are forgotten.
pub const FORGET_AFTER_MINUTES: i64 = 15;
/// Free attempts from one address before its attempts are slowed.
pub const FREE_ATTEMPTS_PER_ADDRESS: i32 = 20;
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
    if failures < FREE_ATTEMPTS_PER_ADDRESS {
        return None;
    }
    let doublings = (failures - FREE_ATTEMPTS_PER_ADDRESS).min(10) as u32;
    let ms = (250_i64 << doublings).min(MAX_ADDRESS_DELAY_MS);
    Some(std::time::Duration::from_millis(ms as u64))
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
