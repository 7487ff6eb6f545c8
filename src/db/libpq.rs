//! libpq links OpenSSL, whose exit handler frees its global state while pool
//! threads may still be opening or closing connections; the process then dies
//! with SIGSEGV on exit (diesel-rs/diesel#3441). Telling OpenSSL not to clean
//! up at exit, before libpq first initialises it, removes the race.

use std::sync::Once;

/// `OPENSSL_INIT_NO_ATEXIT` from `openssl/crypto.h` (OpenSSL 1.1.1 and later).
const OPENSSL_INIT_NO_ATEXIT: u64 = 0x0008_0000;

/// Idempotent; call before the first PostgreSQL connection.
pub fn keep_openssl_until_exit() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // libcrypto is loaded with libpq at start-up, so the symbol is in the
        // global scope; without it (a libpq built without OpenSSL) there is
        // nothing to do.
        let name = c"OPENSSL_init_crypto";
        // SAFETY: dlsym with RTLD_DEFAULT and a NUL-terminated name is sound;
        // the symbol, when present, has the C signature declared below.
        unsafe {
            let symbol = libc::dlsym(libc::RTLD_DEFAULT, name.as_ptr());
            if symbol.is_null() {
                return;
            }
            let init: extern "C" fn(u64, *const libc::c_void) -> libc::c_int =
                std::mem::transmute(symbol);
            init(OPENSSL_INIT_NO_ATEXIT, std::ptr::null());
        }
    });
}
