from django.urls import include, path

from rp import views

urlpatterns = [
    path("", views.home, name="home"),
    # The client's initiate_login_uri (OpenID Connect Core section 4): a GET that starts the
    # sign-in, since social-auth-app-django 8 starts one on POST only.
    path("start-login/", views.start_login, {"backend": "oidc"}, name="start-login"),
    path("logout/", views.logout, name="logout"),
    path("", include("social_django.urls", namespace="social")),
]
