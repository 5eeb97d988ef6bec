//! The command line: `serve` and `invite`.

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
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve { mut config } => {
            config.load_social_providers()?;
            let listener = tokio::net::TcpListener::bind(config.listen_addr).await?;
            let addr = listener.local_addr()?;
            let state = crate::state(config).await?;
            println!("listening on http://{addr}");
            crate::serve(state, listener, shutdown_signal()).await?;
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
            println!("Invitation sent to {}.", request.email);
            println!("{}", created.link);
            Ok(())
        }
    }
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
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
