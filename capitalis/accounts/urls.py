"""Log in, log out, change one's password, resend the address confirmation; one's API
tokens; the school's people and their roles. allauth's own pages (password reset, e-mail
confirmation, two-factor) are included at the same prefix by the root URLconf, after these."""

from django.urls import path

from capitalis.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "email/confirm/resend/",
        views.email_verification_resend,
        name="email_verification_resend",
    ),
    path("tokens/", views.api_tokens, name="api-tokens"),
    path("tokens/<int:pk>/revoke/", views.api_token_revoke, name="api-token-revoke"),
    path("people/", views.people, name="people"),
    path("people/<int:user_id>/", views.person, name="person"),
    path("people/<int:user_id>/revoke/", views.person_revoke, name="person-revoke"),
    path("people/<int:user_id>/invite/", views.person_invite, name="person-invite"),
]
