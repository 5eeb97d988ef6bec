//! The relay mail is sent to, from `SMTP_URL`, and the lettre transport that reaches it.
//!
//! - `smtps://[user:password@]host[:port]`: implicit TLS (port 465 by default).
//! - `smtp://[user:password@]host[:port][?tls=required|opportunistic|none]`: STARTTLS.
//!   `required` (port 587 by default) is the default for any host but this machine
//!   (`localhost`, `127.0.0.1`, `::1`), whose default is `none` (port 25): a local MTA's traffic
//!   never leaves the machine. `opportunistic` upgrades when the relay offers STARTTLS and falls
//!   back to plain text when it does not (an attacker on the path can make it not).
//!
//! OWASP ASVS 5.0 V12.3.1/V12.3.2: TLS to an external service, with its certificate checked
//! against Mozilla's roots (webpki-roots) and the CAs of `SMTP_CA_FILE`; never a certificate
//! accepted unchecked. Credentials (user and password, percent-decoded) are refused unless the
//! connection is TLS from the first byte to AUTH (implicit, or STARTTLS `required`): lettre
//! would send them in the clear otherwise (ASVS 5.0 V12.3.1, V13.3.1).

pub use crate::config::SmtpUrl;
use anyhow::Context;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, Tokio1Executor};
use std::path::Path;

/// How the connection is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Security {
    /// `smtps://`: TLS from the first byte.
    ImplicitTls,
    /// `smtp://…?tls=required`: STARTTLS, or no mail.
    StartTls,
    /// `smtp://…?tls=opportunistic`: STARTTLS when offered.
    Opportunistic,
    /// `smtp://…?tls=none`: plain text.
    Plain,
}

impl Security {
    /// Encrypted before anything else is said (so before AUTH).
    fn is_always_encrypted(self) -> bool {
        matches!(self, Security::ImplicitTls | Security::StartTls)
    }
}

/// The relay, parsed and checked.
#[derive(Clone, PartialEq, Eq)]
pub struct Relay {
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// User and password, percent-decoded.
    pub credentials: Option<(String, String)>,
}

impl std::fmt::Debug for Relay {
    // The password never reaches a log (ASVS 5.0 V13.3.1).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Relay")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("user", &self.credentials.as_ref().map(|(user, _)| user))
            .finish_non_exhaustive()
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn decode(part: &str, what: &str) -> anyhow::Result<String> {
    percent_encoding::percent_decode_str(part)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| anyhow::anyhow!("SMTP_URL: the {what} is not UTF-8 once percent-decoded"))
}

impl Relay {
    /// Parses `SMTP_URL`. Errors name what is wrong and never quote the password.
    pub fn parse(url: &SmtpUrl) -> anyhow::Result<Self> {
        let parsed = url::Url::parse(url.expose()).map_err(|e| {
            anyhow::anyhow!("SMTP_URL ({url}) is not a URL ({e}): smtp://host:port or smtps://host")
        })?;
        anyhow::ensure!(
            matches!(parsed.scheme(), "smtp" | "smtps"),
            "SMTP_URL must start with smtp:// or smtps:// (not {}:)",
            parsed.scheme()
        );
        let host = match parsed.host() {
            Some(url::Host::Domain(name)) if !name.is_empty() => name.to_owned(),
            Some(url::Host::Ipv4(ip)) => ip.to_string(),
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            _ => anyhow::bail!("SMTP_URL ({url}) names no host"),
        };
        anyhow::ensure!(
            parsed.path().is_empty() || parsed.path() == "/",
            "SMTP_URL ({url}) has a path: smtp://host:port or smtps://host"
        );
        let mut tls = None;
        for (key, value) in parsed.query_pairs() {
            match key.as_ref() {
                "tls" if tls.is_none() => tls = Some(value.into_owned()),
                _ => anyhow::bail!(
                    "SMTP_URL ({url}): `{key}` is not understood (only ?tls=required, \
                     ?tls=opportunistic or ?tls=none)"
                ),
            }
        }
        let security = match (parsed.scheme() == "smtps", tls.as_deref()) {
            (true, None) => Security::ImplicitTls,
            (true, Some(_)) => anyhow::bail!(
                "SMTP_URL ({url}): smtps:// is always TLS; drop ?tls= (or use smtp:// for STARTTLS)"
            ),
            (false, Some("required")) => Security::StartTls,
            (false, Some("opportunistic")) => Security::Opportunistic,
            (false, Some("none")) => Security::Plain,
            // A relay elsewhere is reached over TLS unless the operator says otherwise in the
            // URL (ASVS 5.0 V12.3.1); a relay on this machine is reached in plain text.
            (false, None) if is_loopback(&host) => Security::Plain,
            (false, None) => Security::StartTls,
            (false, Some(other)) => anyhow::bail!(
                "SMTP_URL ({url}): tls={other} is not one of required, opportunistic, none"
            ),
        };
        let port = parsed.port().unwrap_or(match security {
            Security::ImplicitTls => 465,
            Security::StartTls | Security::Opportunistic => 587,
            Security::Plain => 25,
        });
        let credentials = match (parsed.username(), parsed.password()) {
            ("", None) => None,
            (_, None) => anyhow::bail!("SMTP_URL ({url}): a user without a password"),
            (user, Some(password)) => Some((decode(user, "user")?, decode(password, "password")?)),
        };
        // ASVS 5.0 V12.3.1: never credentials in the clear, even to this machine, even if
        // lettre would send them.
        anyhow::ensure!(
            credentials.is_none() || security.is_always_encrypted(),
            "SMTP_URL ({url}): a password is never sent over unencrypted SMTP: use smtps:// or \
             smtp://…?tls=required, or drop user:password@"
        );
        Ok(Self {
            host,
            port,
            security,
            credentials,
        })
    }

    /// The lettre transport to the relay. `ca_file`: extra trusted CA certificates (PEM).
    pub fn transport(
        &self,
        ca_file: Option<&Path>,
    ) -> anyhow::Result<AsyncSmtpTransport<Tokio1Executor>> {
        let mut builder =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(self.host.as_str())
                .port(self.port)
                .timeout(Some(std::time::Duration::from_secs(30)));
        if self.security != Security::Plain {
            let mut parameters = TlsParameters::builder(self.host.clone());
            if let Some(path) = ca_file {
                let pem = std::fs::read(path)
                    .with_context(|| format!("SMTP_CA_FILE: cannot read {}", path.display()))?;
                anyhow::ensure!(
                    pem.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----"),
                    "SMTP_CA_FILE: {} holds no PEM certificate",
                    path.display()
                );
                let certificate = Certificate::from_pem(&pem).map_err(|e| {
                    anyhow::anyhow!(
                        "SMTP_CA_FILE: {} is not PEM certificates: {e}",
                        path.display()
                    )
                })?;
                parameters = parameters.add_root_certificate(certificate);
            }
            let parameters = parameters.build_rustls()?;
            builder = builder.tls(match self.security {
                Security::ImplicitTls => Tls::Wrapper(parameters),
                Security::StartTls => Tls::Required(parameters),
                Security::Opportunistic => Tls::Opportunistic(parameters),
                Security::Plain => Tls::None,
            });
        }
        if let Some((user, password)) = &self.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(builder.build())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(url: &str) -> anyhow::Result<Relay> {
        Relay::parse(&SmtpUrl::from(url))
    }

    fn relay(host: &str, port: u16, security: Security) -> Relay {
        Relay {
            host: host.into(),
            port,
            security,
            credentials: None,
        }
    }

    /// ASVS 5.0 V12.3.1: STARTTLS is required by default for a relay on another machine; plain
    /// text only to this machine, or when the URL says `tls=none`.
    #[test]
    fn starttls_is_required_by_default_except_on_this_machine() {
        let cases = [
            (
                "smtp://mail.example.org",
                relay("mail.example.org", 587, Security::StartTls),
            ),
            (
                "smtp://mail.example.org:25/",
                relay("mail.example.org", 25, Security::StartTls),
            ),
            (
                "smtp://10.0.0.5:2525",
                relay("10.0.0.5", 2525, Security::StartTls),
            ),
            (
                "smtp://127.0.0.1:2525",
                relay("127.0.0.1", 2525, Security::Plain),
            ),
            ("smtp://localhost", relay("localhost", 25, Security::Plain)),
            ("smtp://[::1]:2525", relay("::1", 2525, Security::Plain)),
            (
                "smtp://127.0.0.1:2525?tls=required",
                relay("127.0.0.1", 2525, Security::StartTls),
            ),
            (
                "smtp://relay.lan?tls=none",
                relay("relay.lan", 25, Security::Plain),
            ),
            (
                "smtp://relay.lan?tls=opportunistic",
                relay("relay.lan", 587, Security::Opportunistic),
            ),
            (
                "smtps://mail.example.org",
                relay("mail.example.org", 465, Security::ImplicitTls),
            ),
            (
                "smtps://[2001:db8::1]:4465",
                relay("2001:db8::1", 4465, Security::ImplicitTls),
            ),
        ];
        for (url, expected) in cases {
            assert_eq!(parse(url).unwrap(), expected, "{url}");
        }
    }

    #[test]
    fn credentials_are_percent_decoded_and_never_shown() {
        let url = SmtpUrl::from("smtps://no-reply%40un.org:p%40ss%3Aw%2Fd@mail.example.org");
        let relay = Relay::parse(&url).unwrap();
        let (user, password) = relay.credentials.clone().unwrap();
        assert_eq!(
            (user.as_str(), password.as_str()),
            ("no-reply@un.org", "p@ss:w/d")
        );
        for shown in [format!("{url:?}"), url.to_string(), format!("{relay:?}")] {
            assert!(
                !shown.contains("p%40ss") && !shown.contains("p@ss"),
                "{shown}"
            );
        }
        assert!(url.to_string().contains("***"));
    }

    /// ASVS 5.0 V12.3.1: a password is refused at start-up over any connection that may be
    /// plain text (lettre would send it): `tls=none`, `opportunistic`, or the loopback default.
    #[test]
    fn credentials_over_plain_smtp_are_refused() {
        for url in [
            "smtp://user:secret@mail.example.org?tls=none",
            "smtp://user:secret@mail.example.org:25?tls=opportunistic",
            "smtp://user:secret@127.0.0.1:2525",
        ] {
            let err = parse(url).unwrap_err().to_string();
            assert!(
                err.contains("never sent over unencrypted SMTP"),
                "{url}: {err}"
            );
            assert!(!err.contains("secret"), "the password is not quoted: {err}");
        }
        assert!(
            parse("smtp://user:secret@mail.example.org").is_ok(),
            "STARTTLS required"
        );
        assert!(parse("smtp://user:secret@localhost?tls=required").is_ok());
        assert!(parse("smtps://user:secret@localhost").is_ok());
    }

    #[test]
    fn bad_urls_say_what_is_wrong_without_the_password() {
        for (url, says) in [
            (
                "http://mail.example.org",
                "must start with smtp:// or smtps://",
            ),
            ("smtp://u:secret@mail.example.org?tls=maybe", "tls=maybe"),
            (
                "smtp://u:secret@mail.example.org?starttls=1",
                "`starttls` is not understood",
            ),
            (
                "smtps://u:secret@mail.example.org?tls=required",
                "always TLS",
            ),
            ("smtp://u:secret@mail.example.org/relay", "has a path"),
            ("smtp://user@mail.example.org", "without a password"),
            ("mail.example.org:25", "must start with smtp://"),
        ] {
            let err = parse(url).unwrap_err().to_string();
            assert!(err.contains(says), "{url}: {err}");
            assert!(!err.contains("secret"), "{url}: {err}");
        }
    }

    #[test]
    fn an_unreadable_ca_file_stops_the_start() {
        let relay = parse("smtps://mail.example.org").unwrap();
        let err = relay
            .transport(Some(Path::new("/nonexistent/ca.pem")))
            .unwrap_err()
            .to_string();
        assert!(err.contains("SMTP_CA_FILE"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let garbage = dir.path().join("ca.pem");
        std::fs::write(&garbage, "not a certificate").unwrap();
        assert!(relay.transport(Some(&garbage)).is_err());
        assert!(relay.transport(None).is_ok());
    }
}
