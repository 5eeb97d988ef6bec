import json
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import auth
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from social_core.actions import do_auth
from social_django.utils import load_strategy, psa


@never_cache
def home(request):
    claims = None
    if request.user.is_authenticated:
        social = request.user.social_auth.filter(provider="oidc").first()
        if social is not None:
            claims = json.dumps(social.extra_data, indent=2, sort_keys=True)
    return render(request, "rp/home.html", {"claims": claims})


@never_cache
@require_GET
@psa("social:complete")
def start_login(request, backend):
    """Starts the sign-in on a GET (social-auth-app-django 8's `social:begin` takes a POST
    only): the client's initiate_login_uri, as in the portal's patched SocialAuthLoginView
    (docs/portal-migration.md)."""
    auth.logout(request)
    return do_auth(request.backend, redirect_name=auth.REDIRECT_FIELD_NAME)


@never_cache
@require_POST
def logout(request):
    """Signs out here, then at partner-login (RP-initiated logout), which sends the browser
    back to this site's home page."""
    auth.logout(request)
    backend = load_strategy(request).get_backend("oidc")
    end_session = backend.oidc_config()["end_session_endpoint"]
    query = urlencode(
        {
            "client_id": settings.SOCIAL_AUTH_OIDC_KEY,
            "post_logout_redirect_uri": request.build_absolute_uri("/"),
        }
    )
    return redirect(f"{end_session}?{query}")
