//! The command line: `serve`, `invite`, account administration (`accounts`, `invitations`:
//! `cli/accounts.rs`), and the OpenID Provider's `client` and `keys`.

mod accounts;

use crate::config::Config;
use clap::{Parser, Subcommand};
use partner_login_contract::api::CreateInvitationRequest;

#[derive(Parser)]
#[command(
    name = "partner-login-server",
    version,
    about = "The partner-login backend"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// The log's format on standard error: `text` (one human-readable line per event) or
    /// `json` (one JSON object per line, for a log collector).
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
    /// The async runtime's worker threads (requests, mail, SQL round trips), beside the
    /// password hashing pool's threads (one per core): half the cores, at least one, when
    /// unset (`async_workers`).
    #[arg(long, env = "WORKER_THREADS", value_parser = clap::value_parser!(u16).range(1..), global = true)]
    pub worker_threads: Option<u16>,
}

impl Cli {
    /// The runtime's worker threads: `WORKER_THREADS`, or [`async_workers`] of the cores.
    pub fn runtime_workers(&self) -> usize {
        self.worker_threads.map_or_else(
            || async_workers(std::thread::available_parallelism().map_or(1, |n| n.get())),
            usize::from,
        )
    }
}

/// Half the cores, at least one (issue 21). The CPU of a sign-in is argon2id on the hashing
/// pool's threads, one per core (`domain/passwords.rs`); the async work beside it is a few
/// tenths of a millisecond per request, and every extra worker adds thread switches and
/// wake-ups between the cores the hashes need. On two cores one worker instead of two gave
/// 87.6 / 88.4 % of the pure argon2id rate against 83.8 / 80.0 %, and half the CPU outside
/// argon2 per sign-in (docs/sign-in-throughput.md, "Eighth stop").
pub fn async_workers(cores: usize) -> usize {
    cores.div_ceil(2).max(1)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve the API and the SPA.
    Serve {
        #[command(flatten)]
        config: Config,
    },
    /// Invite someone: store the invitation, mail the link, print the link last.
    Invite {
        #[arg(long)]
        email: String,
        #[arg(long)]
        organization: String,
        #[arg(long)]
        inviter: Option<String>,
        /// The invited person's language (e.g. fr).
        #[arg(long)]
        language: Option<String>,
        #[command(flatten)]
        config: Config,
    },
    /// The applications that sign people in through this OpenID Provider.
    Client {
        #[command(subcommand)]
        command: ClientCommand,
        #[command(flatten)]
        config: Config,
    },
    /// The accounts: list, show, disable, enable, delete, end-sessions, reset-mfa, unlink.
    Accounts {
        #[command(subcommand)]
        command: accounts::AccountsCommand,
        #[command(flatten)]
        config: Config,
    },
    /// The pending invitations: list, revoke.
    Invitations {
        #[command(subcommand)]
        command: accounts::InvitationsCommand,
        #[command(flatten)]
        config: Config,
    },
    /// The provider's token signing keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
        #[command(flatten)]
        config: Config,
    },
}

#[derive(Subcommand)]
pub enum ClientCommand {
    /// Register a client; prints its secret once, on the last line (none for --public).
    Add {
        #[arg(long)]
        id: String,
        /// Where the authorization answers go (exact match; repeat for several).
        #[arg(long = "redirect-uri", required = true)]
        redirect_uris: Vec<String>,
        /// Where the end-session endpoint may send the person back (repeatable).
        #[arg(long = "post-logout-redirect-uri")]
        post_logout_redirect_uris: Vec<String>,
        /// Where logout tokens are POSTed when a session it got an ID token in ends.
        #[arg(long)]
        backchannel_logout_uri: Option<String>,
        /// The client's URL that starts its own login (OpenID Connect Core §4): where people go
        /// after signing up or signing in with no request pending, if only one client has one.
        #[arg(long)]
        initiate_login_uri: Option<String>,
        /// A public client (a browser or native application): no secret, PKCE required.
        #[arg(long)]
        public: bool,
    },
    /// List the clients (never their secrets).
    List,
    /// Remove a client.
    Remove {
        #[arg(long)]
        id: String,
    },
    /// Give a confidential client a new secret, printed on the last line; the old one stops
    /// working at once.
    RotateSecret {
        #[arg(long)]
        id: String,
    },
}

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Add a signing key that signs from now on; the previous one stays published until the
    /// tokens it signed have expired, and keys superseded longer ago are retired.
    Rotate,
}

impl Command {
    fn config_mut(&mut self) -> &mut Config {
        match self {
            Command::Serve { config }
            | Command::Invite { config, .. }
            | Command::Accounts { config, .. }
            | Command::Invitations { config, .. }
            | Command::Client { config, .. }
            | Command::Keys { config, .. } => config,
        }
    }
}

pub async fn run(mut cli: Cli) -> anyhow::Result<()> {
    // The secrets given as files (`*_FILE`), once, before anything uses the configuration.
    cli.command
        .config_mut()
        .read_secret_files(|name| std::env::var(name).ok())?;
    match cli.command {
        Command::Serve { mut config } => {
            config.load_social_providers()?;
            let listener = tokio::net::TcpListener::bind(config.listen_addr).await?;
            let addr = listener.local_addr()?;
            let metrics = match config.metrics_addr {
                Some(addr) => Some(tokio::net::TcpListener::bind(addr).await?),
                None => None,
            };
            let state = crate::state(config).await?;
            println!("listening on http://{addr}");
            if let Some(metrics) = &metrics {
                println!("metrics on http://{}/metrics", metrics.local_addr()?);
            }
            crate::serve_with_metrics(state, listener, metrics, shutdown_signal()).await?;
            Ok(())
        }
        Command::Invite {
            email,
            organization,
            inviter,
            language,
            config,
        } => {
            let state = crate::state(config).await?;
            let request = CreateInvitationRequest {
                email,
                organization,
                inviter,
                language,
            };
            let created = crate::domain::invitation::create(&state, &request)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            // Mail to a relay is queued: try it now rather than leave it to a running server.
            let pass = crate::mail::queue::deliver_due(&state.mailer).await?;
            if pass.failed + pass.given_up > 0 {
                println!(
                    "Invitation stored for {}; the relay did not take the mail yet: it stays \
                     queued, and a running server retries it.",
                    request.email
                );
            } else {
                println!("Invitation sent to {}.", request.email);
            }
            println!("{}", created.link);
            Ok(())
        }
        Command::Accounts { command, config } => {
            let state = crate::state(config).await?;
            accounts::accounts(&state, command).await
        }
        Command::Invitations { command, config } => {
            let state = crate::state(config).await?;
            accounts::invitations(&state, command).await
        }
        Command::Client { command, config } => {
            let db = crate::storage::connect(&config.database_url).await?;
            client(&db, command).await
        }
        Command::Keys {
            command: KeysCommand::Rotate,
            config,
        } => {
            let db = crate::storage::connect(&config.database_url).await?;
            let (kid, retired) = crate::domain::signing_keys::rotate(&db).await?;
            println!("New signing key {kid}; {retired} retired key(s) removed.");
            Ok(())
        }
    }
}

async fn client(db: &crate::storage::Db, command: ClientCommand) -> anyhow::Result<()> {
    use crate::domain::clients::{self, Registration};
    match command {
        ClientCommand::Add {
            id,
            redirect_uris,
            post_logout_redirect_uris,
            backchannel_logout_uri,
            initiate_login_uri,
            public,
        } => {
            let registration = Registration {
                id: id.clone(),
                redirect_uris,
                post_logout_redirect_uris,
                backchannel_logout_uri,
                initiate_login_uri,
                public,
            };
            match clients::add(db, &registration).await? {
                Some(secret) => {
                    println!("Client {id} added. Its secret, shown this once:");
                    println!("{secret}");
                }
                None => println!("Public client {id} added (no secret: it must use PKCE)."),
            }
        }
        ClientCommand::List => {
            for c in clients::list(db).await? {
                let kind = if c.secret_hash.is_some() {
                    "confidential"
                } else {
                    "public"
                };
                println!("{} ({kind})", c.id);
                for uri in &c.redirect_uris {
                    println!("  redirect uri: {uri}");
                }
                for uri in &c.post_logout_redirect_uris {
                    println!("  post-logout redirect uri: {uri}");
                }
                if let Some(uri) = &c.backchannel_logout_uri {
                    println!("  back-channel logout uri: {uri}");
                }
                if let Some(uri) = &c.initiate_login_uri {
                    println!("  initiate login uri: {uri}");
                }
            }
        }
        ClientCommand::Remove { id } => {
            clients::remove(db, &id).await?;
            println!("Client {id} removed.");
        }
        ClientCommand::RotateSecret { id } => {
            let secret = clients::rotate_secret(db, &id).await?;
            println!("Client {id} has a new secret, shown this once:");
            println!("{secret}");
        }
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    let signal = tokio::select! { _ = ctrl_c => "SIGINT", _ = term => "SIGTERM" };
    tracing::info!(
        signal,
        "shutting down: no new connections, answering the requests in flight"
    );
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_runtime_has_half_the_cores_at_least_one() {
        let workers: Vec<usize> = [0, 1, 2, 3, 4, 16].map(super::async_workers).into();
        assert_eq!(workers, [1, 1, 1, 2, 2, 8]);
    }
}
