//! The command line (`motcua serve`, `migrate`, `office add`, `user add`, `demo`).

use std::io::BufRead;

use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::domain::time::now_utc;
use crate::error::ActionError;
use crate::error::AppError;
use crate::services::administration::{self, NewUserInput};
use crate::startup::{prepare_database, Application};

#[derive(Parser)]
#[command(
    name = "motcua",
    version,
    about = "Một Cửa: bộ phận tiếp nhận và trả kết quả"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Chạy máy chủ web (tự cập nhật cơ sở dữ liệu khi khởi động).
    Serve,
    /// Cập nhật cấu trúc cơ sở dữ liệu rồi thoát.
    Migrate,
    /// Sao lưu cơ sở dữ liệu SQLite đang chạy vào một tệp (bản sao nhất quán, không cần dừng máy chủ).
    Backup {
        /// Tệp sao lưu sẽ tạo (không ghi đè tệp đã có).
        file: std::path::PathBuf,
    },
    /// Khôi phục cơ sở dữ liệu SQLite từ tệp sao lưu sau khi kiểm tra tệp; hãy dừng máy chủ trước.
    /// Cơ sở dữ liệu hiện tại được cất bên cạnh.
    Restore {
        /// Tệp sao lưu (do lệnh backup tạo).
        file: std::path::PathBuf,
    },
    /// Quản lý đơn vị.
    Office {
        #[command(subcommand)]
        action: OfficeCommand,
    },
    /// Quản lý người dùng.
    User {
        #[command(subcommand)]
        action: UserCommand,
    },
    /// Tạo dữ liệu mẫu (đơn vị, người dùng mọi vai trò, vài trăm hồ sơ) trên cơ sở dữ liệu mới.
    /// Mật khẩu chung của người dùng mẫu lấy từ MOTCUA_DEMO_PASSWORD, nếu không thì tự sinh và in ra.
    Demo {
        /// Số lần tiếp nhận tạo ra (hồ sơ, phiếu bổ sung và phiếu từ chối).
        #[arg(long, default_value_t = 300)]
        dossiers: usize,
        /// Trải đều trong bấy nhiêu ngày gần nhất.
        #[arg(long, default_value_t = 120)]
        days: i64,
        /// Hạt giống ngẫu nhiên (cùng hạt giống, cùng dữ liệu).
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Tạo dữ liệu lớn cho thử tải và báo cáo (mặc định một triệu hồ sơ trong ba năm, nhiều đơn vị)
    /// trên cơ sở dữ liệu mới; người dùng mẫu như lệnh demo.
    Generate {
        /// Số hồ sơ.
        #[arg(long, default_value_t = 1_000_000)]
        dossiers: u64,
        /// Trải đều trong bấy nhiêu năm gần nhất.
        #[arg(long, default_value_t = 3)]
        years: u32,
        /// Số đơn vị trực thuộc thêm (ngoài hai đơn vị của dữ liệu mẫu).
        #[arg(long, default_value_t = 5)]
        offices: u32,
        /// Hạt giống ngẫu nhiên (cùng hạt giống, cùng dữ liệu).
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
}

#[derive(Subcommand)]
pub enum OfficeCommand {
    /// Thêm đơn vị: motcua office add CODE "NAME" [--parent CODE]
    Add {
        code: String,
        name: String,
        #[arg(long)]
        parent: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Thêm người dùng; mật khẩu là dòng đầu tiên của đầu vào chuẩn.
    Add {
        username: String,
        #[arg(long)]
        role: String,
        #[arg(long)]
        office: String,
        #[arg(long = "full-name")]
        full_name: String,
    },
}

/// Turns a refused action into the message printed to the operator.
/// A progress bar on a terminal (drawn only when standard error is one).
fn progress_bar(len: u64, unit: &str) -> Result<indicatif::ProgressBar, String> {
    let bar = indicatif::ProgressBar::new(len);
    bar.set_style(
        indicatif::ProgressStyle::with_template(&format!(
            "{{elapsed_precise}} [{{bar:40}}] {{pos}}/{{len}} {unit} ({{per_sec}}, còn {{eta}})"
        ))
        .map_err(|e| e.to_string())?
        .progress_chars("=> "),
    );
    Ok(bar)
}

fn explain(e: ActionError) -> String {
    match e {
        ActionError::Invalid(errors) => errors
            .iter()
            .map(|(field, message)| format!("{field}: {message}"))
            .collect::<Vec<_>>()
            .join("\n"),
        ActionError::Failed(e) => e.to_string(),
    }
}

/// Runs one command; the error is a Vietnamese message for the console.
pub async fn run(cli: Cli) -> Result<(), String> {
    let config = Config::from_env()?;
    match cli.command {
        Command::Serve => {
            let bind = config.bind.clone();
            let public = config.public_url.clone();
            let app = Application::build(config).map_err(|e| e.to_string())?;
            if let Some(p) = &app.generated_admin_password {
                println!("==============================================================");
                println!(" Lần chạy đầu tiên: đã tạo tài khoản quản trị.");
                println!("   Tên đăng nhập: admin");
                println!("   Mật khẩu:      {p}");
                println!(" Mật khẩu chỉ hiện một lần; hãy đổi ngay sau khi đăng nhập.");
                println!("==============================================================");
            }
            // The port actually bound (`MOTCUA_BIND=127.0.0.1:0` picks a free one).
            let host = bind.rsplit_once(':').map_or(bind.as_str(), |(h, _)| h);
            println!(
                "Một Cửa đang chạy tại http://{host}:{} (địa chỉ công khai: {public})",
                app.port()
            );
            app.run_until_stopped().await.map_err(|e| e.to_string())
        }
        Command::Backup { file } => {
            let done = crate::db::backup::backup(&config.database_url, &file)?;
            println!(
                "Đã sao lưu {} hồ sơ vào {} ({} byte).",
                done.dossiers,
                done.path.display(),
                done.bytes
            );
            Ok(())
        }
        Command::Restore { file } => {
            let stamp = now_utc().format("%Y%m%d%H%M%S").to_string();
            let done = crate::db::backup::restore(&config.database_url, &file, &stamp)?;
            println!(
                "Đã khôi phục {} hồ sơ từ {} vào {}.",
                done.dossiers,
                file.display(),
                done.path.display()
            );
            if let Some(previous) = done.previous {
                println!(
                    "Cơ sở dữ liệu trước đó được cất tại {}.",
                    previous.display()
                );
            }
            Ok(())
        }
        Command::Migrate => {
            prepare_database(&config).map_err(|e| e.to_string())?;
            println!("Đã cập nhật cơ sở dữ liệu.");
            Ok(())
        }
        Command::Office {
            action: OfficeCommand::Add { code, name, parent },
        } => {
            let (db, _) = prepare_database(&config).map_err(|e| e.to_string())?;
            let mut conn = db.get().map_err(|e| e.to_string())?;
            let actor = crate::services::Actor::system(&mut conn, "dòng lệnh")
                .map_err(|e| e.to_string())?;
            let office = administration::create_office(
                &mut conn,
                &actor,
                &code,
                &name,
                parent.as_deref(),
                now_utc(),
            )
            .map_err(explain)?;
            println!("Đã thêm đơn vị {} ({}).", office.name, office.code);
            Ok(())
        }
        Command::Demo {
            dossiers,
            days,
            seed,
        } => {
            if !(1..=20_000).contains(&dossiers) || !(1..=3650).contains(&days) {
                return Err("Số hồ sơ từ 1 đến 20000, số ngày từ 1 đến 3650.".into());
            }
            let password = std::env::var("MOTCUA_DEMO_PASSWORD")
                .ok()
                .filter(|p| !p.is_empty())
                .unwrap_or_else(crate::services::passwords::generate);
            let (db, _) = prepare_database(&config).map_err(|e| e.to_string())?;
            let mut conn = db.get().map_err(|e| e.to_string())?;
            let cal = crate::services::calendar::build(&mut conn).map_err(|e| e.to_string())?;
            let opts = crate::services::demo::DemoOptions {
                dossiers,
                days,
                seed,
                password: password.clone(),
                hash_cost: config.hash_cost,
            };
            let bar = progress_bar(dossiers as u64, "lượt tiếp nhận")?;
            let summary =
                crate::services::demo::run(&mut conn, &cal, &opts, &mut |n| bar.set_position(n))
                    .map_err(|e| match e {
                        AppError::BadRequest(m) => m,
                        e => e.to_string(),
                    })?;
            bar.finish_and_clear();
            println!("Đã tạo dữ liệu mẫu:");
            println!("  {} đơn vị trực thuộc", summary.offices);
            println!(
                "  {} hồ sơ, {} phiếu yêu cầu bổ sung, {} phiếu từ chối tại quầy",
                summary.dossiers, summary.supplement_requests, summary.refusals
            );
            println!(
                "  {} hồ sơ đã có kết quả, {} hồ sơ công dân rút; còn lại đang giải quyết",
                summary.decided, summary.withdrawn
            );
            println!(
                "  {} kết quả đã trả (tại quầy hoặc qua bưu chính), {} lượt đánh giá",
                summary.returned, summary.ratings
            );
            println!("  Người dùng (mật khẩu chung: {password}):");
            for (username, role) in &summary.users {
                println!("    {username:<16} {role}");
            }
            Ok(())
        }
        Command::Generate {
            dossiers,
            years,
            offices,
            seed,
        } => {
            if !(1..=10_000_000).contains(&dossiers) || !(1..=10).contains(&years) || offices > 50 {
                return Err(
                    "Số hồ sơ từ 1 đến 10000000, số năm từ 1 đến 10, thêm tối đa 50 đơn vị.".into(),
                );
            }
            let password = std::env::var("MOTCUA_DEMO_PASSWORD")
                .ok()
                .filter(|p| !p.is_empty())
                .unwrap_or_else(crate::services::passwords::generate);
            let (db, _) = prepare_database(&config).map_err(|e| e.to_string())?;
            let mut conn = db.get().map_err(|e| e.to_string())?;
            let cal = crate::services::calendar::build(&mut conn).map_err(|e| e.to_string())?;
            let opts = crate::services::generate::GenerateOptions {
                dossiers,
                years,
                extra_offices: offices,
                seed,
                demo: crate::services::demo::DemoOptions {
                    dossiers: 0,
                    days: 30,
                    seed,
                    password: password.clone(),
                    hash_cost: config.hash_cost,
                },
            };
            let bar = progress_bar(dossiers, "hồ sơ")?;
            let started = std::time::Instant::now();
            let summary = crate::services::generate::run(&mut conn, &cal, &opts, &mut |n| {
                bar.set_position(n)
            })
            .map_err(|e| match e {
                AppError::BadRequest(m) => m,
                e => e.to_string(),
            })?;
            bar.finish();
            println!(
                "Đã tạo {} hồ sơ ({} đang giải quyết), {} dòng lịch sử, {} đơn vị trực thuộc, trong {:.0} giây.",
                summary.dossiers,
                summary.open,
                summary.events,
                summary.offices,
                started.elapsed().as_secs_f64()
            );
            println!("  Người dùng (mật khẩu chung: {password}):");
            for (username, role) in &summary.users {
                println!("    {username:<16} {role}");
            }
            Ok(())
        }
        Command::User {
            action:
                UserCommand::Add {
                    username,
                    role,
                    office,
                    full_name,
                },
        } => {
            let mut password = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut password)
                .map_err(|e| format!("Không đọc được mật khẩu từ đầu vào chuẩn: {e}"))?;
            let password = password.trim_end_matches(['\r', '\n']).to_string();
            let (db, _) = prepare_database(&config).map_err(|e| e.to_string())?;
            let mut conn = db.get().map_err(|e: AppError| e.to_string())?;
            let input = NewUserInput {
                username,
                full_name,
                role,
                office_code: office,
                must_change_password: false,
            };
            let hashed = crate::services::passwords::hash_new(config.hash_cost, &password)
                .map_err(|e| e.to_string())?;
            let actor = crate::services::Actor::system(&mut conn, "dòng lệnh")
                .map_err(|e| e.to_string())?;
            let user = administration::create_user(&mut conn, &actor, &input, hashed, now_utc())
                .map_err(explain)?;
            println!("Đã thêm người dùng {} ({}).", user.username, user.role);
            Ok(())
        }
    }
}
