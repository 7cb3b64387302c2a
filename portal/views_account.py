"""Account security: the account page (API token, password), changing the password, revoking the
API token, the rate-limited password reset, and the organisation's webhook signing secret
(shown once, then masked; rotated by its admins).

Changing or resetting a password revokes the user's API token (portal/services/tokens.py, on
User's post_save), whichever view sets it.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from rest_framework.authtoken.models import Token
from rest_framework.throttling import BaseThrottle

from . import services
from .models import Organization
from .viewmixins import get_editable_or_403

logger = logging.getLogger(__name__)


class AccountView(LoginRequiredMixin, TemplateView):
    """Who the user is, their API token (issued when, expiring when) and the way to revoke it."""

    template_name = "portal/account.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        token = Token.objects.filter(user=self.request.user).only("created").first()
        context["token"] = token
        if token is not None:
            context["token_expires_at"] = services.token_expires_at(token)
            context["token_expired"] = services.token_is_expired(token)
        return context


@login_required
@require_POST
def token_revoke(request):
    """Revoke the user's API token: programs using it are refused from now on."""
    if services.tokens_revoke(user=request.user, actor=request.user, reason="revoked_by_owner"):
        messages.success(request, _("API 令牌已注销，使用它的程序需要重新获取令牌。"))
    else:
        messages.info(request, _("您没有 API 令牌，无需注销。"))
    return redirect("portal:account")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change the password (the session stays signed in; the API token is revoked)."""

    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("portal:account")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("密码已修改。您的 API 令牌已随之注销，请重新获取。"))
        return response


# --- Password reset -------------------------------------------------------------------------


def _count(key: str, window: int) -> int:
    """Count one more request under `key` in a window starting at the first; the count so far."""
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=window)
        return 1


def client_address(request) -> str:
    """The client's address as the API throttle sees it: X-Forwarded-For read PROXY_COUNT deep."""
    return BaseThrottle().get_ident(request)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset, with two limits and the link built from SITE_URL.

    Beyond `PASSWORD_RESET_LIMITS["PER_ADDRESS"]` requests for one e-mail address in the window,
    no more mail is sent and the page answers as if it were (so it tells nobody whether the
    address has an account or has been asked for before). Beyond `PER_CLIENT` requests from one
    client address, the form says to try later. The link in the e-mail starts with SITE_URL,
    never with the request's Host header, which the client chooses.
    """

    success_url = reverse_lazy("portal:password_reset_done")
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        limits = settings.PASSWORD_RESET_LIMITS
        window = limits["WINDOW_SECONDS"]
        client = client_address(self.request)
        if _count(f"password-reset:client:{client}", window) > limits["PER_CLIENT"]:
            logger.warning("password reset refused: more than %s requests from %s", limits["PER_CLIENT"], client)
            form.add_error(None, _("重置密码的请求过于频繁，请稍后再试。"))
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        address = form.cleaned_data["email"].strip().lower()
        digest = hashlib.sha256(address.encode()).hexdigest()
        if _count(f"password-reset:address:{digest}", window) > limits["PER_ADDRESS"]:
            logger.warning("password reset: no e-mail sent, over %s requests for one address", limits["PER_ADDRESS"])
            return redirect(self.get_success_url())
        self.extra_email_context = {"site_url": settings.SITE_URL}
        return super().form_valid(form)


# --- The organisation's webhook signing secret ----------------------------------------------
# The organisation page shows the secret in full once: on the first visit after the
# organisation was created, and after each rotation. Afterwards only its last four characters.
REVEAL_SESSION_KEY = "portal:reveal_webhook_secret"


def reveal_webhook_secret_once(request, organization) -> None:
    """Let the next organisation page show `organization`'s secret in full, once."""
    request.session[REVEAL_SESSION_KEY] = organization.pk


def webhook_secret_to_show(request, organization) -> tuple[str, bool]:
    """(what the page shows of the secret, whether it is the whole secret)."""
    if request.session.get(REVEAL_SESSION_KEY) == organization.pk:
        del request.session[REVEAL_SESSION_KEY]
        return organization.webhook_secret, True
    return services.webhook_secret_hint(organization.webhook_secret), False


@login_required
def webhook_secret_rotate(request):
    """GET asks for confirmation; POST replaces the secret and shows the new one once."""
    membership = request.user.org_membership
    if membership is None:
        raise Http404
    organization = get_editable_or_403(
        Organization.objects.all(),
        request.user,
        pk=membership.organization_id,
        reason=_("只有本组织的管理员可以更换 Webhook 签名密钥。"),
    )
    if request.method != "POST":
        return render(request, "portal/webhook_secret_rotate.html", {"organization": organization})
    try:
        services.webhook_secret_rotate(actor=request.user, organization=organization)
    except PermissionError as error:
        raise PermissionDenied(str(error)) from error
    reveal_webhook_secret_once(request, organization)
    messages.success(request, _("Webhook 签名密钥已更换。请立即复制新密钥，离开本页后将只显示末四位。"))
    return redirect("portal:organization")
