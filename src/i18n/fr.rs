//! Français.

use super::Msg;
use partner_login_contract::ErrorCode as E;

pub fn text(msg: Msg) -> &'static str {
    match msg {
        Msg::PortalName => "Portail des partenaires des Nations Unies",
        Msg::LanguageLabel => "Langue",
        Msg::SocialHeading => "Connectez-vous avec votre compte de réseau social",
        Msg::Or => "OU",
        Msg::ExistingHeading => "Connectez-vous avec votre compte existant",
        Msg::EmailAddress => "Adresse électronique",
        Msg::Password => "Mot de passe",
        Msg::ForgotPassword => "Mot de passe oublié ?",
        Msg::SignIn => "Se connecter",
        Msg::NoAccount => "Vous n'avez pas de compte ?",
        Msg::SignUpNow => "Inscrivez-vous maintenant",
        Msg::VerificationNecessary => {
            "Une vérification est nécessaire. Veuillez cliquer sur le bouton Envoyer."
        }
        Msg::SendVerificationCode => "Envoyer le code de vérification",
        Msg::NewPassword => "Nouveau mot de passe",
        Msg::ConfirmNewPassword => "Confirmer le nouveau mot de passe",
        Msg::DisplayName => "Nom d'affichage",
        Msg::GivenName => "Prénom",
        Msg::Surname => "Nom de famille",
        Msg::Create => "Créer",
        Msg::Cancel => "Annuler",
        Msg::CodeSentInfo => {
            "Un code de vérification a été envoyé dans votre boîte de réception. Veuillez le copier dans le champ ci-dessous."
        }
        Msg::VerificationCode => "Code de vérification",
        Msg::VerifyCode => "Vérifier le code",
        Msg::SendNewCode => "Envoyer un nouveau code",
        Msg::SendNewCodeIn => "Envoyer un nouveau code ({seconds} s)",
        Msg::EmailVerified => {
            "Adresse électronique vérifiée. Vous pouvez maintenant continuer."
        }
        Msg::ChangeEmail => "Changer d'adresse électronique",
        Msg::ShowPassword => "Afficher le mot de passe",
        Msg::HidePassword => "Masquer le mot de passe",
        Msg::PasswordHint => {
            "Au moins {min} caractères ; {recommended} ou plus, c'est mieux. Tous les caractères sont permis, espaces compris."
        }
        Msg::PasswordBelowRecommended => {
            "Longueur suffisante. Un mot de passe de {recommended} caractères ou plus est plus difficile à deviner."
        }
        Msg::PasswordTooShortCount => "{count} caractères : il en faut au moins {min}.",
        Msg::PasswordGood => "Bien : un mot de passe long est difficile à deviner.",
        Msg::DevMailbox => "Ouvrir la boîte aux lettres de développement (nouvel onglet)",
        Msg::SignUpHeading => "Inscription",
        Msg::InvitationNeededHeading => "Cette adresse électronique n'a pas été invitée",
        Msg::InvitationNeededFor => {
            "Vous vous êtes connecté(e) avec {email}, mais il n'existe ni compte ni invitation pour cette adresse sur le Portail des partenaires des Nations Unies."
        }
        Msg::InvitationNeededUnknown => {
            "Il n'existe ni compte ni invitation pour l'adresse de ce compte sur le Portail des partenaires des Nations Unies."
        }
        Msg::InvitationNeededAdvice => {
            "Demandez à l'administrateur de votre organisation d'inviter cette adresse, ou connectez-vous avec un autre compte."
        }
        Msg::InvitationHeading => "Vous avez été invité(e)",
        Msg::InvitedBy => {
            "Vous avez été invité(e) par {inviter} à rejoindre {organization} sur le Portail des partenaires des Nations Unies."
        }
        Msg::Invited => {
            "Vous êtes invité(e) à rejoindre {organization} sur le Portail des partenaires des Nations Unies."
        }
        Msg::InvitationFor => "Cette invitation est destinée à {email}.",
        Msg::InvitationProblemHeading => "Cette invitation ne peut pas être utilisée",
        Msg::AskAdministrator => {
            "Demandez à l'administrateur de votre organisation de vous envoyer une nouvelle invitation."
        }
        Msg::Welcome => "Bienvenue, {name}",
        Msg::Organization => "Organisation",
        Msg::SignOut => "Se déconnecter",
        Msg::ContinueToPortal => "Continuer vers le portail",
        Msg::Loading => "Chargement…",
        Msg::NotFoundHeading => "Page introuvable",
        Msg::BackToSignIn => "Retour à la connexion",
        Msg::ForgotHeading => "Mot de passe oublié ?",
        Msg::Continue => "Continuer",
        Msg::ConfigMissing => {
            "Cette page de connexion n'est pas configurée : son fichier de configuration (config.json) est introuvable. Merci de prévenir les administrateurs du portail."
        }
        Msg::ConfigBroken => {
            "Cette page de connexion est mal configurée : son fichier de configuration (config.json) est illisible. Merci de prévenir les administrateurs du portail."
        }
        Msg::TryAgainInSeconds => "Réessayez dans {seconds} s.",
        Msg::TryAgainInMinutes => "Réessayez dans {minutes} min.",
        Msg::Busy => "Veuillez patienter…",
        Msg::NetworkError => {
            "Le portail est injoignable. Vérifiez votre connexion et réessayez ; votre saisie est conservée."
        }
        Msg::Error(code) => error(code),
    }
}

fn error(code: E) -> &'static str {
    match code {
        E::Required => "Ce champ est obligatoire.",
        E::EmailInvalid => "Saisissez une adresse électronique comme nom@exemple.org.",
        E::TooShort => "Trop court : au moins {limit} caractères.",
        E::TooLong => "Trop long : au plus {limit} caractères.",
        E::InvalidCharacters => "Ce champ contient des caractères non autorisés.",
        E::PasswordTooCommon => {
            "Ce mot de passe fait partie des plus courants, que les attaquants essaient en premier. Choisissez-en un autre."
        }
        E::PasswordNeedsClasses => {
            "Utilisez au moins 3 types parmi : minuscules, majuscules, chiffres, symboles."
        }
        E::PasswordMismatch => "Les deux mots de passe ne sont pas identiques.",
        E::CodeFormat => "Le code comporte 6 chiffres.",
        E::CodeWrong => "Ce code n'est pas le bon. Vérifiez le dernier courriel et réessayez.",
        E::CodeExpired => "Ce code a expiré. Cliquez sur « Envoyer un nouveau code ».",
        E::CodeExhausted => {
            "Trop de codes erronés. Cliquez sur « Envoyer un nouveau code » pour en obtenir un autre."
        }
        E::ResendCooldown => "Veuillez patienter un instant avant de demander un nouveau code.",
        E::FlowNotFound | E::FlowExpired => {
            "Cette demande a expiré. Saisissez de nouveau votre adresse électronique pour recevoir un nouveau code."
        }
        E::FlowNotVerified => "Vérifiez d'abord votre adresse électronique.",
        E::InvitationNotFound => "Ce lien d'invitation n'est pas valide.",
        E::InvitationExpired => "Cette invitation a expiré.",
        E::InvitationUsed => "Cette invitation a déjà été utilisée.",
        E::InvitationEmailMismatch => {
            "Cette invitation a été envoyée à une autre adresse électronique. Connectez-vous avec cette adresse."
        }
        E::AccountExists => {
            "Un compte existe déjà pour cette adresse. Connectez-vous, ou réinitialisez votre mot de passe."
        }
        E::InvalidCredentials => "L'adresse électronique ou le mot de passe est incorrect.",
        E::AccountLocked => {
            "Trop de tentatives échouées : la connexion avec cette adresse est suspendue un moment, pour protéger le compte."
        }
        E::Unauthenticated => "Veuillez vous connecter.",
        E::Forbidden | E::CsrfRejected => {
            "Cette demande a été refusée. Rechargez la page et réessayez."
        }
        E::RateLimited => "Trop de tentatives depuis ce réseau. Patientez puis réessayez.",
        E::ValidationFailed => "Certains champs demandent votre attention.",
        E::BadRequest | E::NotFound => "Un problème est survenu. Rechargez la page et réessayez.",
        E::ServiceUnavailable | E::Internal => {
            "Le portail rencontre un problème. Réessayez dans un instant ; votre saisie est conservée."
        }
        E::SocialUnknownProvider => {
            "Cette option de connexion n'est plus proposée. Rechargez la page."
        }
        E::SocialUnavailable => {
            "Cette option de connexion est injoignable pour le moment. Réessayez dans un instant, ou connectez-vous avec votre adresse électronique."
        }
        E::SocialDenied => "La connexion a été annulée. Choisissez une option pour réessayer.",
        E::SocialExpired => {
            "Cette connexion a pris trop de temps, ou a été commencée dans un autre navigateur. Veuillez réessayer."
        }
        E::SocialFailed => {
            "La réponse de votre fournisseur de compte n'a pas pu être vérifiée. Réessayez, ou connectez-vous avec votre adresse électronique."
        }
        E::SocialEmailUnverified => {
            "Votre fournisseur de compte n'a pas confirmé votre adresse électronique : elle ne peut pas être utilisée ici. Confirmez-la chez lui, ou connectez-vous avec votre adresse électronique."
        }
    }
}
