//! `accounts …` and `invitations …`: account administration at the command line. The rules are
//! in `domain::accounts` and `domain::invitation` (the admin API calls the same functions);
//! this module parses the arguments and prints.

use crate::domain::admin::Admin;
use crate::domain::notify::utc_minute;
use crate::domain::{accounts, invitation};
use crate::error::ApiError;
use crate::state::AppState;
use clap::{Args, Subcommand};
use partner_login_contract::api::AdminPageQuery;
use partner_login_contract::ErrorCode;

/// Which account: by its email or its id.
#[derive(Args, Debug)]
#[group(required = true, multiple = false)]
pub struct Which {
    #[arg(long)]
    email: Option<String>,
    /// The account id (the `sub` of the OpenID Provider's tokens).
    #[arg(long)]
    id: Option<String>,
}

impl Which {
    fn key(&self) -> &str {
        self.email
            .as_deref()
            .or(self.id.as_deref())
            .unwrap_or_default()
    }
}

#[derive(Subcommand, Debug)]
pub enum AccountsCommand {
    /// One line per account, by email: email, display name, created, enabled or disabled,
    /// memberships, social providers. A page at a time (`--limit`, default 100, at most 1000);
    /// the next page starts `--after` the last email shown.
    List {
        #[arg(long)]
        after: Option<String>,
        #[arg(long)]
        limit: Option<u32>,
    },
    /// Everything about an account that is not a secret: organizations, social identities
    /// (provider and subject), open sessions.
    Show {
        #[command(flatten)]
        which: Which,
    },
    /// No way in opens a session for the account any more; its sessions end at once.
    Disable {
        #[command(flatten)]
        which: Which,
    },
    /// Undoes `disable`.
    Enable {
        #[command(flatten)]
        which: Which,
    },
    /// Deletes the account with its sessions, memberships and social identities.
    Delete {
        #[command(flatten)]
        which: Which,
    },
    /// Ends every session of the account (sign-out everywhere).
    EndSessions {
        #[command(flatten)]
        which: Which,
    },
    /// For a person who lost every factor: removes the account's passkeys (second factors),
    /// ends its sessions; with `--reinvite`, mails a new invitation as `invite` does.
    ResetMfa {
        #[command(flatten)]
        which: Which,
        /// Mail a new invitation to the account's address (its link is printed last).
        #[arg(long)]
        reinvite: bool,
        /// The invitation's organization (default: the account's first one).
        #[arg(long, requires = "reinvite")]
        organization: Option<String>,
    },
    /// Unlinks the account's identity at a social provider.
    Unlink {
        #[command(flatten)]
        which: Which,
        /// The provider's configured id (`unicef`).
        #[arg(long)]
        provider: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum InvitationsCommand {
    /// The pending invitations (neither used nor expired), oldest first, one a line: id, email,
    /// organization, expiry. A page at a time, like `accounts list` (`--after` an id).
    List {
        /// Only those of this address.
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        after: Option<String>,
        #[arg(long)]
        limit: Option<u32>,
    },
    /// Revokes a pending invitation (its link stops working), or every one of an address.
    Revoke {
        #[command(flatten)]
        which: WhichInvitation,
    },
}

#[derive(Args, Debug)]
#[group(required = true, multiple = false)]
pub struct WhichInvitation {
    #[arg(long)]
    id: Option<String>,
    /// Every pending invitation of this address.
    #[arg(long)]
    email: Option<String>,
}

/// An error as an operator reads it.
fn explain(err: ApiError, what: &str) -> anyhow::Error {
    match err {
        ApiError::Client(ErrorCode::NotFound) => anyhow::anyhow!("{what}: not found"),
        ApiError::Client(ErrorCode::BadRequest) => anyhow::anyhow!("--limit must be at least 1"),
        ApiError::Validation(errors) => anyhow::anyhow!(
            "{what}: {}",
            errors
                .iter()
                .map(|e| format!("{:?} {}", e.field, e.code))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => anyhow::anyhow!("{what}: {other}"),
    }
}

pub async fn accounts(state: &AppState, command: AccountsCommand) -> anyhow::Result<()> {
    let admin = Admin::operator();
    match command {
        AccountsCommand::List { after, limit } => {
            let page = AdminPageQuery { after, limit };
            let list = accounts::list(state, &admin, &page)
                .await
                .map_err(|e| explain(e, "accounts"))?;
            for a in &list.accounts {
                let status = match a.disabled_at {
                    Some(at) => format!("disabled {}", utc_minute(at)),
                    None => "enabled".to_owned(),
                };
                let social = if a.social_providers.is_empty() {
                    "-".to_owned()
                } else {
                    a.social_providers.join(",")
                };
                println!(
                    "{}\t{}\tcreated {}\t{status}\t{} membership(s)\tsocial: {social}",
                    a.email,
                    a.display_name,
                    utc_minute(a.created_at),
                    a.memberships
                );
            }
            if let Some(next) = list.next_after {
                eprintln!("More accounts follow: --after {next}");
            }
        }
        AccountsCommand::Show { which } => {
            let a = accounts::show(state, &admin, which.key())
                .await
                .map_err(|e| explain(e, which.key()))?;
            println!("email: {}", a.email);
            println!("id: {}", a.id);
            println!("display name: {}", a.display_name);
            println!("given name: {}", a.given_name);
            println!("surname: {}", a.surname);
            println!("language: {}", a.locale.as_deref().unwrap_or("-"));
            println!("created: {}", utc_minute(a.created_at));
            match a.disabled_at {
                Some(at) => println!("status: disabled since {}", utc_minute(at)),
                None => println!("status: enabled"),
            }
            println!("password: {}", if a.has_password { "set" } else { "none" });
            println!("sessions: {}", a.sessions);
            for m in &a.organizations {
                println!("organization: {}", m.organization);
            }
            for i in &a.identities {
                println!(
                    "identity: {} subject {} (issuer {}, linked {}, last used {})",
                    i.provider,
                    i.subject,
                    i.issuer,
                    utc_minute(i.created_at),
                    utc_minute(i.last_used_at)
                );
            }
        }
        AccountsCommand::Disable { which } => {
            let out = accounts::disable(state, &admin, which.key())
                .await
                .map_err(|e| explain(e, which.key()))?;
            out.notices.sent().await;
            println!(
                "Account {} disabled; {} session(s) ended.",
                which.key(),
                out.sessions_ended
            );
        }
        AccountsCommand::Enable { which } => {
            accounts::enable(state, &admin, which.key())
                .await
                .map_err(|e| explain(e, which.key()))?;
            println!("Account {} enabled.", which.key());
        }
        AccountsCommand::Delete { which } => {
            let out = accounts::delete(state, &admin, which.key())
                .await
                .map_err(|e| explain(e, which.key()))?;
            out.notices.sent().await;
            println!(
                "Account {} deleted; {} session(s) ended.",
                which.key(),
                out.sessions_ended
            );
        }
        AccountsCommand::EndSessions { which } => {
            let out = accounts::end_sessions(state, &admin, which.key())
                .await
                .map_err(|e| explain(e, which.key()))?;
            out.notices.sent().await;
            println!(
                "{} session(s) of {} ended.",
                out.sessions_ended,
                which.key()
            );
        }
        AccountsCommand::ResetMfa {
            which,
            reinvite,
            organization,
        } => {
            let organization = reinvite.then(|| organization.unwrap_or_default());
            let out = accounts::reset_factors(state, &admin, which.key(), organization.as_deref())
                .await
                .map_err(|e| explain(e, which.key()))?;
            out.notices.sent().await;
            println!(
                "Factors of {} reset: {} passkey(s) removed, {} session(s) ended.",
                which.key(),
                out.passkeys_removed,
                out.sessions_ended
            );
            if let Some(invitation) = out.invitation {
                // Mail to a relay is queued: try it now, as `invite` does.
                let pass = crate::mail::queue::deliver_due(&state.mailer).await?;
                if pass.failed + pass.given_up > 0 {
                    println!(
                        "Invitation stored; the relay did not take the mail yet: it stays \
                         queued, and a running server retries it."
                    );
                } else {
                    println!("Invitation sent.");
                }
                println!("{}", invitation.link);
            }
        }
        AccountsCommand::Unlink { which, provider } => {
            accounts::unlink(state, &admin, which.key(), &provider)
                .await
                .map_err(|e| explain(e, &format!("{} at {provider}", which.key())))?;
            println!("The {provider} identity of {} is unlinked.", which.key());
        }
    }
    Ok(())
}

pub async fn invitations(state: &AppState, command: InvitationsCommand) -> anyhow::Result<()> {
    let admin = Admin::operator();
    match command {
        InvitationsCommand::List {
            email,
            after,
            limit,
        } => {
            let page = AdminPageQuery { after, limit };
            let list = invitation::pending(state, &admin, email.as_deref(), &page)
                .await
                .map_err(|e| explain(e, "invitations"))?;
            for i in &list.invitations {
                println!(
                    "{}\t{}\t{}\tcreated {}\texpires {}",
                    i.id,
                    i.email,
                    i.organization,
                    utc_minute(i.created_at),
                    utc_minute(i.expires_at)
                );
            }
            if let Some(next) = list.next_after {
                eprintln!("More invitations follow: --after {next}");
            }
        }
        InvitationsCommand::Revoke { which } => {
            let key = which
                .id
                .as_deref()
                .or(which.email.as_deref())
                .unwrap_or_default();
            // An id never holds `@`: the domain tells them apart, as the API does.
            let revoked = invitation::revoke(state, &admin, key)
                .await
                .map_err(|e| explain(e, &format!("pending invitation {key}")))?;
            println!("{revoked} invitation(s) revoked.");
        }
    }
    Ok(())
}
