//! How long repeated wrong passwords make a username wait.

use chrono::Duration;

/// Free attempts before waiting starts.
pub const FREE_ATTEMPTS: i32 = 5;
/// The longest wait.
pub const MAX_WAIT_SECONDS: i64 = 15 * 60;

/// The wait after the `failures`-th consecutive wrong password: none for the
/// first five, then 30 s doubling each time, at most 15 minutes.
pub fn wait_after(failures: i32) -> Option<Duration> {
    if failures < FREE_ATTEMPTS {
        return None;
    }
    let doublings = (failures - FREE_ATTEMPTS).min(10) as u32;
    let seconds = (30_i64 << doublings).min(MAX_WAIT_SECONDS);
    Some(Duration::seconds(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_then_cap() {
        assert_eq!(wait_after(1), None);
        assert_eq!(wait_after(4), None);
        assert_eq!(wait_after(5), Some(Duration::seconds(30)));
        assert_eq!(wait_after(6), Some(Duration::seconds(60)));
        assert_eq!(wait_after(9), Some(Duration::seconds(480)));
        assert_eq!(wait_after(10), Some(Duration::seconds(MAX_WAIT_SECONDS)));
        assert_eq!(wait_after(1000), Some(Duration::seconds(MAX_WAIT_SECONDS)));
    }
}

/// Free attempts from one address before it waits (a spray over many usernames).
pub const FREE_ATTEMPTS_PER_ADDRESS: i32 = 20;

/// The wait after the `failures`-th wrong password from one address.
pub fn address_wait_after(failures: i32) -> Option<Duration> {
    wait_after(failures - (FREE_ATTEMPTS_PER_ADDRESS - FREE_ATTEMPTS))
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
mod address_tests {
    use super::*;

    #[test]
    fn addresses_get_more_free_attempts() {
        assert_eq!(address_wait_after(19), None);
        assert_eq!(address_wait_after(20), Some(Duration::seconds(30)));
        assert_ne!(user_key("a"), address_key("a"));
    }
}
