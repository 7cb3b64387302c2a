"""The portal's pages (namespace `portal`)."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views, views_account, views_imports

app_name = "portal"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("signup/", views.SignupView.as_view(), name="signup"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/reset/", views_account.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("portal:password_reset_complete")),
        name="password_reset_confirm",
    ),
    path("password/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("account/", views_account.AccountView.as_view(), name="account"),
    path("account/password/", views_account.PasswordChangeView.as_view(), name="password_change"),
    path("account/token/revoke/", views_account.token_revoke, name="token_revoke"),
    path("inbox/", views.InboxView.as_view(), name="inbox"),
    path("inbox/<int:pk>/read/", views.NotificationReadView.as_view(), name="notification_read"),
    path("inbox/<int:pk>/acknowledge/", views.NotificationAcknowledgeView.as_view(), name="notification_acknowledge"),
    path("inbox/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("inbox/read/", views.notifications_read_selected, name="notifications_read_selected"),
    path("inbox/<int:pk>/open/", views.NotificationOpenView.as_view(), name="notification_open"),
    path("inbox/preferences/", views.PreferencesView.as_view(), name="preferences"),
    path("organization/", views.organization_detail, name="organization"),
    path("organization/webhook-secret/rotate/", views_account.webhook_secret_rotate, name="webhook_secret_rotate"),
    path("organization/members/add/", views.member_add, name="member_add"),
    path("organization/members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("imports/", views_imports.import_jobs, name="import_jobs"),
    path("imports/<int:pk>/", views_imports.import_job_detail, name="import_job"),
    path("imports/<int:pk>/status/", views_imports.import_job_status, name="import_job_status"),
    path("countries/", views.CountryListView.as_view(), name="countries"),
    # The four parts; each replaces its placeholder when its issue lands.
    # Served by the supplier library's directory (suppliers.urls, included before these); the name
    # stays for the links that use it.
    path("suppliers/", views.part_placeholder, {"part": "suppliers"}, name="suppliers"),
    path("talent/", views.part_placeholder, {"part": "talent"}, name="talent"),
    path("risk/", views.part_placeholder, {"part": "risk"}, name="risk"),
]
