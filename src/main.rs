//! The `arshif` binary: runtime, logging, signals, and the mapping from results to exit codes.

use std::io::IsTerminal;
use std::process::ExitCode;

use arshif::cli::{Cli, Command};
use arshif::commands::run::Steps;
use arshif::commands::{self, Exit, Shutdown};
use arshif::config::LogFormat;
use clap::Parser;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if e.use_stderr() => {
            // clap quotes what was typed: a database URL's password must not be shown.
            let msg = arshif::location::without_credentials(&one_line_usage_error(
                &e.render().to_string(),
            ));
            if asks_for_json_logs() {
                init_logging(0, LogFormat::Json);
            }
            fatal(&msg, Exit::Usage, asks_for_json_logs());
            return ExitCode::from(Exit::Usage as u8);
        }
        Err(e) => {
            // --help and --version.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
    };
    let log_format = match &cli.command {
        Command::Run(args) | Command::Revisit(args) => {
            commands::run::log_format(args, cli.log_format)
        }
        _ => cli.log_format.unwrap_or_default(),
    };
    init_logging(cli.verbose, log_format);
    commands::enable_progress(
        cli.verbose == 0 && log_format == LogFormat::Text && std::io::stderr().is_terminal(),
    );
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("arshif: cannot start the runtime: {e}");
            return ExitCode::from(Exit::Internal as u8);
        }
    };
    let shutdown = Shutdown::default();
    let json = log_format == LogFormat::Json;
    let code = runtime.block_on(async {
        listen_for_signals(shutdown.clone());
        run(cli.command, &shutdown, json).await
    });
    runtime.shutdown_timeout(std::time::Duration::from_millis(500));
    ExitCode::from(code as u8)
}

async fn run(command: Command, shutdown: &Shutdown, json: bool) -> Exit {
    let result = match command {
        Command::Crawl(args) => commands::crawl::run(args, shutdown).await,
        Command::Run(args) => commands::run::run(args, shutdown, Steps::CrawlAndRevisit).await,
        Command::Revisit(args) => commands::run::run(args, shutdown, Steps::RevisitOnly).await,
        Command::Export(args) => commands::export::run(args),
        Command::Extract(args) => commands::extract::run(args),
        Command::Demo(args) => commands::demo::run(args, shutdown).await,
        Command::List(args) => commands::list::run(args),
        Command::History(args) => commands::history::run(args),
        Command::Show(args) => commands::show::run(args),
        Command::Diff(args) => commands::diff::run(args),
        Command::Search(args) => commands::search::run(args),
        Command::Reindex(args) => commands::redact::reindex(args),
        Command::Redact(args) => commands::redact::redact(args),
        Command::Unredact(args) => commands::redact::unredact(args),
        Command::Stats(args) => commands::stats::run(args),
        Command::DatasetteMetadata(args) => commands::datasette::run(args),
        Command::Serve(args) => commands::serve::run(args, shutdown).await,
        Command::Copy(args) => commands::copy::run(args),
    };
    match result {
        Ok(exit) => exit,
        Err(e) => report(&e, json),
    }
}

/// clap's error (a message, tips, usage, a pointer to --help) as one line for stderr.
fn one_line_usage_error(rendered: &str) -> String {
    let mut parts = Vec::new();
    for para in rendered.split("\n\n") {
        let line = para.split_whitespace().collect::<Vec<_>>().join(" ");
        if line.is_empty() || line.starts_with("For more information") {
            continue;
        }
        parts.push(line.strip_prefix("error: ").unwrap_or(&line).to_string());
    }
    parts.join("; ")
}

/// Whether the command line asks for JSON logs (read before it parses, for a usage error).
fn asks_for_json_logs() -> bool {
    let args: Vec<String> = std::env::args().collect();
    args.windows(2)
        .any(|w| w[0] == "--log-format" && w[1] == "json")
        || args.iter().any(|a| a == "--log-format=json")
}

/// A fatal error: one line on stderr, `arshif: …` as text or one JSON object (with the exit
/// code as a field) when the logs are JSON.
fn fatal(msg: &str, code: Exit, json: bool) {
    if json {
        tracing::error!(exit_code = code as u8, "{msg}");
    } else {
        eprintln!("arshif: {msg}");
    }
}

/// One line on stderr, and the exit code the error deserves.
fn report(e: &anyhow::Error, json: bool) -> Exit {
    if is_broken_pipe(e) {
        return Exit::Success;
    }
    let lib = e.chain().find_map(|c| c.downcast_ref::<arshif::Error>());
    let code = match lib {
        Some(arshif::Error::Locked { .. }) => Exit::Locked,
        Some(le) if le.is_usage() => Exit::Usage,
        _ => Exit::Internal,
    };
    let mut msg = format!("{e:#}");
    if lib.is_some_and(arshif::Error::is_disk_full) {
        msg.push_str(" (the disk is full: free space and run again; nothing committed was lost)");
    }
    // Errors name databases without credentials; this also catches any quoted by another.
    let msg = arshif::location::without_credentials(&msg.replace('\n', " "));
    fatal(&msg, code, json);
    code
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || matches!(c.downcast_ref::<arshif::Error>(), Some(arshif::Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn init_logging(verbose: u8, format: LogFormat) {
    let level = match verbose {
        0 => "arshif=warn",
        1 => "arshif=info",
        _ => "arshif=debug",
    };
    let filter = EnvFilter::try_from_env("ARSHIF_LOG").unwrap_or_else(|_| EnvFilter::new(level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    match format {
        // One JSON object per line, with a timestamp, for log shippers.
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal())
            .without_time()
            .init(),
    }
}

fn listen_for_signals(shutdown: Shutdown) {
    tokio::spawn(async move {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut int), Ok(mut term)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) else {
            return;
        };
        tokio::select! {
            _ = int.recv() => shutdown.trigger(2),
            _ = term.recv() => shutdown.trigger(15),
        }
    });
}
