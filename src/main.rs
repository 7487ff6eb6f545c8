//! `motcua`: parse the command line and call into the library.

use clap::Parser;
use tracing_subscriber::EnvFilter;

#[actix_web::main]
async fn main() {
    // Password hashing allocates 19 MiB blocks; glibc's default raises its
    // mmap threshold after the first is freed and then keeps the next ones
    // on the heap for good. A fixed threshold returns them at once, and the
    // idle server stays small.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = motcua::cli::Cli::parse();
    if let Err(message) = motcua::cli::run(cli).await {
        eprintln!("Lỗi: {message}");
        std::process::exit(1);
    }
}
