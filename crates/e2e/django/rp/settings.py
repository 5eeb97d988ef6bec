"""A tiny Django site standing in for the UN Partner Portal in the end-to-end tests.

It signs people in exactly as the README tells the portal's operators to: python-social-auth's
generic OpenID Connect backend pointed at partner-login's issuer. Everything that differs
between runs comes from the environment (crates/e2e/src/django.rs sets it):

- PARTNER_LOGIN_ISSUER: the issuer URL, e.g. http://127.0.0.1:41234/api
- PARTNER_LOGIN_CLIENT_ID, PARTNER_LOGIN_CLIENT_SECRET: from `partner-login-server client add`
- PORTAL_DATA_DIR: a temporary folder for the SQLite database
"""

import os
import secrets
from pathlib import Path

DATA_DIR = Path(os.environ["PORTAL_DATA_DIR"])

SECRET_KEY = secrets.token_urlsafe(50)
# Tracebacks in the page: a failing end-to-end test prints the page's text.
DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "social_django",
    "rp",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "rp.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ],
        },
    }
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "portal.sqlite3",
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
# The provider runs on the same host (another port), and cookies ignore ports: names of our own.
SESSION_COOKIE_NAME = "portal_sessionid"
CSRF_COOKIE_NAME = "portal_csrftoken"

# --- Sign-in through partner-login: the settings of the README, nothing more. ---
AUTHENTICATION_BACKENDS = [
    "social_core.backends.open_id_connect.OpenIdConnectAuth",
    "django.contrib.auth.backends.ModelBackend",
]
SOCIAL_AUTH_OIDC_OIDC_ENDPOINT = os.environ["PARTNER_LOGIN_ISSUER"]
SOCIAL_AUTH_OIDC_KEY = os.environ["PARTNER_LOGIN_CLIENT_ID"]
SOCIAL_AUTH_OIDC_SECRET = os.environ["PARTNER_LOGIN_CLIENT_SECRET"]
SOCIAL_AUTH_OIDC_USE_PKCE = True
# The claims kept in UserSocialAuth.extra_data (read from the userinfo response).
SOCIAL_AUTH_OIDC_EXTRA_DATA = [
    "email",
    "email_verified",
    "name",
    "given_name",
    "family_name",
    "locale",
    "organizations",
    "idp",
]
SOCIAL_AUTH_USERNAME_IS_FULL_EMAIL = True
SOCIAL_AUTH_URL_NAMESPACE = "social"
SOCIAL_AUTH_LOGIN_REDIRECT_URL = "/"
SOCIAL_AUTH_PIPELINE = (
    "social_core.pipeline.social_auth.social_details",
    "social_core.pipeline.social_auth.social_uid",
    "social_core.pipeline.social_auth.auth_allowed",
    "social_core.pipeline.social_auth.social_user",
    "social_core.pipeline.user.get_username",
    "social_core.pipeline.user.create_user",
    "social_core.pipeline.social_auth.associate_user",
    "social_core.pipeline.social_auth.load_extra_data",
    "social_core.pipeline.user.user_details",
    # The test's own step: keep the verified ID token's claims too, to show them.
    "rp.pipeline.keep_id_token_claims",
)
