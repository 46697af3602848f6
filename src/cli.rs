//! The command line: `Cli` and its subcommands, help text from doc comments, defaults from
//! [`crate::config`].

use std::path::PathBuf;

use crate::location::Location;

use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::settings::{Css, Settings, SiteSettings, Zone};
use crate::config::{self, DEFAULT_DB};

/// Crawl a news site's "next article" chain and archive versioned snapshots in SQLite.
#[derive(Debug, Parser)]
#[command(name = "arshif", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Print a per-page log and a summary on stderr (-vv for debugging detail).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    /// Log lines as text, or as JSON for log shippers (default: the config's `log_format`, else text).
    #[arg(long, value_enum, global = true)]
    pub log_format: Option<config::LogFormat>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Follow the next-article chain from URL and archive every article.
    Crawl(CrawlArgs),
    /// Crawl every site of a config file concurrently, then revisit what is due (for cron).
    Run(RunArgs),
    /// Only the revisits of `run`: fetch archived articles again on their age's schedule.
    Revisit(RunArgs),
    /// Print every stored version (oldest first per article) as JSON Lines or CSV.
    Export(ExportArgs),
    /// Run the extractor on saved HTML files and print what it finds.
    Extract(ExtractArgs),
    /// Serve the bundled fixture sites on 127.0.0.1 and crawl them (no network needed).
    Demo(DemoArgs),
    /// Archived articles with their version counts, first and last seen, and last change.
    List(ListArgs),
    /// Every version and every fetch of one archived article.
    History(HistoryArgs),
    /// The text of one article as it stood in one version (default: the latest).
    #[command(disable_version_flag = true)]
    Show(ShowArgs),
    /// A word-level diff of title and body between two versions (default: the last two).
    Diff(DiffArgs),
    /// Full-text search (Arabic-aware folding) over the latest versions, or all of them.
    Search(SearchArgs),
    /// Rebuild the search index and change statistics from the stored versions.
    Reindex(ReindexArgs),
    /// Take an article down: remove its text and captures, keep a tombstone, never re-archive.
    Redact(RedactArgs),
    /// Lift a takedown so the article may be archived again (removed data stays removed).
    Unredact(RedactArgs),
    /// Counts of articles, versions, fetches by outcome, and bytes stored.
    Stats(StatsArgs),
    /// Serve the archive read-only in a browser (default http://127.0.0.1:8080).
    Serve(ServeArgs),
    /// Write Datasette metadata for this archive (descriptions, full-text search, canned queries)
    #[command(name = "datasette-metadata")]
    DatasetteMetadata(DatasetteArgs),
    /// Copy a whole archive to another place or engine (SQLite file ⇄ PostgreSQL), ids kept.
    Copy(CopyArgs),
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The TOML config file (see arshif.example.toml).
    #[arg(long, short, value_name = "FILE")]
    pub config: PathBuf,

    /// How many sites are crawled at once.
    #[arg(long, value_name = "N", default_value_t = config::DEFAULT_JOBS, value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: u16,

    /// Start no new page after this long (90s, 10m, 1h), so runs never pile up.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub max_duration: Option<std::time::Duration>,

    /// Wait for another writer to finish instead of exiting with code 4.
    #[arg(long)]
    pub wait: bool,

    /// Settings for every site, over the config file's.
    #[command(flatten)]
    pub settings: Settings,
}

/// The archive a reading command opens: read-only, never created (exit 3 if it is not one).
#[derive(Debug, Clone, Args)]
pub struct Archive {
    /// The archive: a SQLite file, or a `postgres://` URL (opened read-only).
    #[arg(long, value_name = "PATH|URL", default_value = DEFAULT_DB)]
    pub db: Location,
}

/// The archive a maintenance command writes to: it must exist; one writer at a time.
#[derive(Debug, Clone, Args)]
pub struct ExistingArchive {
    /// The archive: a SQLite file, or a `postgres://` URL (must exist).
    #[arg(long, value_name = "PATH|URL", default_value = DEFAULT_DB)]
    pub db: Location,

    /// Wait for another writer to finish instead of exiting with code 4.
    #[arg(long)]
    pub wait: bool,
}

/// Output for people, or JSON for programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub archive: Archive,

    /// Only this site (a host, or host:port).
    #[arg(long, value_name = "HOST", value_parser = crate::urls::parse_site)]
    pub site: Option<String>,

    /// Only articles seen since DATE (with --changed: changed since DATE). RFC 3339 or
    /// YYYY-MM-DD, UTC unless a zone is given.
    #[arg(long, value_name = "DATE", value_parser = config::parse_time)]
    pub since: Option<DateTime<Utc>>,

    /// Only articles with more than one version.
    #[arg(long)]
    pub changed: bool,

    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The article's URL (its canonical URL, or a URL it was fetched from).
    pub url: String,

    #[command(flatten)]
    pub archive: Archive,

    /// Show version N.
    #[arg(long, value_name = "N", conflicts_with = "at")]
    pub version: Option<i64>,

    /// Show the version current at TIME (RFC 3339 or YYYY-MM-DD, UTC unless a zone is given).
    #[arg(long, value_name = "TIME", value_parser = config::parse_time)]
    pub at: Option<DateTime<Utc>>,

    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The article's URL (its canonical URL, or a URL it was fetched from).
    pub url: String,

    #[command(flatten)]
    pub archive: Archive,

    /// The older version (default: the one before --to).
    #[arg(long, value_name = "N")]
    pub from: Option<i64>,

    /// The newer version (default: the latest).
    #[arg(long, value_name = "M")]
    pub to: Option<i64>,

    /// Text with coloured changes (plain [-deleted-]{+inserted+} when piped), or JSON operations.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,

    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Words (all required), "quoted phrases", word* for a prefix. Hamza, harakat, tatweel and
    /// accents are ignored on both sides.
    pub query: String,

    #[command(flatten)]
    pub archive: Archive,

    /// Only this site (a host, or host:port).
    #[arg(long, value_name = "HOST", value_parser = crate::urls::parse_site)]
    pub site: Option<String>,

    /// Only versions fetched since DATE (RFC 3339 or YYYY-MM-DD, UTC unless a zone is given).
    #[arg(long, value_name = "DATE", value_parser = config::parse_time)]
    pub since: Option<DateTime<Utc>>,

    /// Search every version, not only each article's latest.
    #[arg(long)]
    pub all_versions: bool,

    /// At most this many results.
    #[arg(long, value_name = "N", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: u32,

    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,

    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Debug, Args)]
pub struct ReindexArgs {
    #[command(flatten)]
    pub archive: ExistingArchive,
}

#[derive(Debug, Args)]
pub struct RedactArgs {
    /// The article's URL (its canonical URL, or a URL it was fetched from).
    pub url: String,

    /// Why (a takedown request, a court order, ...): kept in the log and the tombstone.
    #[arg(long, value_name = "TEXT")]
    pub reason: String,

    #[command(flatten)]
    pub archive: ExistingArchive,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The article's URL (its canonical URL, or a URL it was fetched from).
    pub url: String,

    #[command(flatten)]
    pub archive: Archive,

    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct CopyArgs {
    /// The archive to copy: a SQLite file or a `postgres://` URL (read, never changed).
    #[arg(long, value_name = "PATH|URL")]
    pub from: Location,

    /// Where to: a new SQLite file, or an empty PostgreSQL database.
    #[arg(long, value_name = "PATH|URL")]
    pub to: Location,

    /// Finish a copy that was interrupted, from its last committed batch.
    #[arg(long)]
    pub resume: bool,

    /// Wait for another writer of the target to finish instead of exiting with code 4.
    #[arg(long)]
    pub wait: bool,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub archive: Archive,

    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub archive: Archive,

    /// The address and port to listen on. Loopback by default: the server has no accounts.
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8080")]
    pub bind: std::net::SocketAddr,

    /// Another host name requests may use (behind a reverse proxy, say). Repeatable.
    #[arg(long, value_name = "HOST")]
    pub name: Vec<String>,
}

/// The metadata is keyed on Datasette's name for the archive: its file name without its last
/// extension.
#[derive(Debug, Args)]
pub struct DatasetteArgs {
    #[command(flatten)]
    pub archive: Archive,

    /// Write the metadata to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// The extraction flags of `extract` (a subset of [`Settings`], without the crawl's).
#[derive(Debug, Clone, Args)]
pub struct RuleArgs {
    /// CSS selector of the headline, overriding the generic extractor.
    #[arg(long, value_name = "CSS")]
    pub title_selector: Option<Css>,

    /// CSS selector of the article body, overriding the generic extractor.
    #[arg(long, value_name = "CSS")]
    pub body_selector: Option<Css>,

    /// Time zone for dates written without one, an IANA name such as Africa/Casablanca
    /// (default UTC).
    #[arg(long, value_name = "TZ")]
    pub timezone: Option<Zone>,
}

impl RuleArgs {
    /// The site settings these flags describe.
    pub fn settings(&self) -> SiteSettings {
        Settings {
            title_selector: self.title_selector.clone(),
            body_selector: self.body_selector.clone(),
            timezone: self.timezone,
            ..Settings::default()
        }
        .resolve()
    }
}

#[derive(Debug, Args)]
pub struct CrawlArgs {
    /// The article to start from (http or https).
    pub url: String,

    /// Do not fetch or obey robots.txt. Only for sites you own or have permission to crawl.
    #[arg(long)]
    pub ignore_robots: bool,

    /// Wait for another writer to finish instead of exiting with code 4.
    #[arg(long)]
    pub wait: bool,

    #[command(flatten)]
    pub settings: Settings,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// One JSON object per version (and per tombstone).
    Jsonl,
    /// The same columns as CSV (RFC 4180).
    Csv,
    /// WARC/1.1, gzip per record: the stored HTTP exchanges, with revisits.
    Warc,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub archive: Archive,

    #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
    pub format: ExportFormat,

    /// Write to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Only versions (WARC: fetches) from DATE on (RFC 3339 or YYYY-MM-DD, UTC unless a zone
    /// is given).
    #[arg(long, value_name = "DATE", value_parser = config::parse_time)]
    pub since: Option<DateTime<Utc>>,

    /// Only this site (a host, or host:port).
    #[arg(long, value_name = "HOST", value_parser = crate::urls::parse_site)]
    pub site: Option<String>,

    /// With --format warc and --output: also write a CDXJ index (for pywb) to FILE.
    #[arg(long, value_name = "FILE", requires = "output")]
    pub cdx: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExtractFormat {
    /// One JSON object per line.
    Jsonl,
    /// A JSON array.
    Json,
    /// Title and body as plain text.
    Text,
}

#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// Saved HTML files (any charset).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// The URL the pages were saved from (resolves relative links and canonical URLs).
    #[arg(long)]
    pub url: Option<String>,

    /// When the pages were fetched (RFC 3339), for relative dates such as «منذ يومين».
    #[arg(long, value_name = "TIME")]
    pub fetched_at: Option<String>,

    #[arg(long, value_enum, default_value_t = ExtractFormat::Jsonl)]
    pub format: ExtractFormat,

    #[command(flatten)]
    pub rules: RuleArgs,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Keep the demo archive here (a SQLite file or a `postgres://` URL) instead of a
    /// temporary file.
    #[arg(long, value_name = "PATH|URL")]
    pub db: Option<Location>,

    /// The fixtures folder to serve.
    #[arg(long, value_name = "DIR", default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"))]
    pub fixtures: PathBuf,

    /// Requests per second per demo host.
    #[arg(long, default_value_t = 20.0, value_parser = config::parse_rate)]
    pub rate: f64,
}

fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    crate::revisit::parse_duration(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }
}
