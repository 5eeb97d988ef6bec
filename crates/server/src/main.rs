use clap::Parser;
use partner_login_server::cli::{Cli, LogFormat};
use tracing_subscriber::EnvFilter;

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cli.runtime_workers())
        .enable_all()
        .build()?
        .block_on(run(cli))
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let log = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colours for a person at a terminal only, never into a file or a collector.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    match cli.log_format {
        // One JSON object per line: the event's fields under `fields`, its spans (the request's
        // method and redacted path) under `spans`.
        LogFormat::Json => log
            .json()
            .with_current_span(false)
            .with_span_list(true)
            .init(),
        LogFormat::Text => log.init(),
    }
    partner_login_server::cli::run(cli).await
}
