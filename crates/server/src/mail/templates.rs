//! The emails' words. English and French, chosen by the language of the screens (or of the
//! invitation).

use super::Email;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn french(lang: Option<&str>) -> bool {
    lang.is_some_and(|l| l.starts_with("fr"))
}

fn html(paragraphs: &[String]) -> String {
    let body: String = paragraphs
        .iter()
        .map(|p| format!("<p>{}</p>", escape(p)))
        .collect();
    format!("<!DOCTYPE html><html><body style=\"font-family:sans-serif\">{body}</body></html>")
}

/// A multipart message whose paragraphs are `lines`, as plain text and as HTML.
fn email(to: &str, subject: String, lines: &[String]) -> Email {
    Email {
        to: to.to_owned(),
        subject,
        text: lines.join("\n\n"),
        html: html(lines),
    }
}

/// The verification code, as the user guide's step 4 shows it.
pub fn code(to: &str, code: &str, lang: Option<&str>) -> Email {
    let (subject, lines) = if french(lang) {
        (
            format!("Code de vérification du Portail des partenaires des Nations Unies : {code}"),
            vec![
                "Vérifiez votre adresse électronique".to_owned(),
                "Merci de vérifier votre compte du Portail des partenaires des Nations Unies !"
                    .to_owned(),
                format!("Votre code est : {code}"),
                "Il est valable 10 minutes. Si vous n'avez rien demandé, ignorez ce message."
                    .to_owned(),
                "Cordialement,".to_owned(),
                "UN Partner Portal".to_owned(),
            ],
        )
    } else {
        (
            format!("UN Partner Portal email verification code: {code}"),
            vec![
                "Verify your email address".to_owned(),
                "Thanks for verifying your UN Partner Portal account!".to_owned(),
                format!("Your code is: {code}"),
                "It is valid for 10 minutes. If you did not ask for it, ignore this message."
                    .to_owned(),
                "Sincerely,".to_owned(),
                "UN Partner Portal".to_owned(),
            ],
        )
    };
    email(to, subject, &lines)
}

/// The code of "Forgot your password?", sent only when the address has an account.
pub fn reset_code(to: &str, code: &str, lang: Option<&str>) -> Email {
    let (subject, lines) = if french(lang) {
        (
            format!("Code de réinitialisation du Portail des partenaires des Nations Unies : {code}"),
            vec![
                "Réinitialisez votre mot de passe".to_owned(),
                "Quelqu'un (vous, sans doute) a demandé à réinitialiser le mot de passe de votre compte du Portail des partenaires des Nations Unies.".to_owned(),
                format!("Votre code est : {code}"),
                "Il est valable 10 minutes. Si vous n'avez rien demandé, ignorez ce message : votre mot de passe ne change pas.".to_owned(),
                "Cordialement,".to_owned(),
                "UN Partner Portal".to_owned(),
            ],
        )
    } else {
        (
            format!("UN Partner Portal password reset code: {code}"),
            vec![
                "Reset your password".to_owned(),
                "Someone (probably you) asked to reset the password of your UN Partner Portal account.".to_owned(),
                format!("Your code is: {code}"),
                "It is valid for 10 minutes. If you did not ask for it, ignore this message: your password stays as it is.".to_owned(),
                "Sincerely,".to_owned(),
                "UN Partner Portal".to_owned(),
            ],
        )
    };
    email(to, subject, &lines)
}

/// Sent instead of a code when the address already has an account: the sign-up screens answer
/// the same either way, so only the mailbox's owner learns that the account exists.
pub fn account_exists(to: &str, sign_in_url: &str, lang: Option<&str>) -> Email {
    let (subject, lines) = if french(lang) {
        (
            "Vous avez déjà un compte sur le Portail des partenaires des Nations Unies".to_owned(),
            vec![
                "Quelqu'un (vous, sans doute) a voulu créer un compte avec cette adresse, mais un compte existe déjà.".to_owned(),
                format!("Connectez-vous ici : {sign_in_url}"),
                "Mot de passe oublié ? Utilisez « Forgot your password? » sur la page de connexion.".to_owned(),
            ],
        )
    } else {
        (
            "You already have a UN Partner Portal account".to_owned(),
            vec![
                "Someone (probably you) tried to sign up with this address, but it already has an account.".to_owned(),
                format!("Sign in here: {sign_in_url}"),
                "Forgot your password? Use \"Forgot your password?\" on the sign-in page.".to_owned(),
            ],
        )
    };
    email(to, subject, &lines)
}

/// The invitation (user guide step 1).
pub fn invitation(
    to: &str,
    organization: &str,
    inviter: Option<&str>,
    link: &str,
    lang: Option<&str>,
) -> Email {
    let (subject, lines) = if french(lang) {
        let who = inviter.map_or(
            "L'administrateur de votre organisation".to_owned(),
            str::to_owned,
        );
        (
            format!("Invitation au Portail des partenaires des Nations Unies ({organization})"),
            vec![
                format!("{who} vous a invité(e) à rejoindre {organization} sur le Portail des partenaires des Nations Unies."),
                format!("Pour accéder à la page de connexion, suivez ce lien : {link}"),
                "Ce lien est personnel et ne peut servir qu'une fois.".to_owned(),
            ],
        )
    } else {
        let who = inviter.map_or(
            "Your organization's administrator".to_owned(),
            str::to_owned,
        );
        (
            format!("You are invited to the UN Partner Portal ({organization})"),
            vec![
                format!("{who} invited you to join {organization} on the UN Partner Portal."),
                format!("Follow this link to the sign-in page: {link}"),
                "The link is personal and works once.".to_owned(),
            ],
        )
    };
    email(to, subject, &lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_is_in_subject_and_both_bodies() {
        let mail = code("a@example.org", "701449", None);
        assert!(mail.subject.contains("701449"));
        assert!(mail.text.contains("Your code is: 701449"));
        assert!(mail.html.contains("701449"));
        assert!(code("a@example.org", "701449", Some("fr"))
            .text
            .contains("Votre code est : 701449"));
    }

    #[test]
    fn html_is_escaped() {
        let mail = invitation(
            "a@example.org",
            "<Org & Co>",
            None,
            "http://x/invitation#t",
            None,
        );
        assert!(mail.html.contains("&lt;Org &amp; Co&gt;"));
        assert!(mail.text.contains("<Org & Co>"));
    }
}
