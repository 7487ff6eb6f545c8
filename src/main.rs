//! `motcua`: parse the command line and call into the library.

use clap::Parser;
use tracing_subscriber::EnvFilter;

#[actix_web::main]
async fn main() {
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
