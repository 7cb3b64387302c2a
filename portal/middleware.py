"""Three of Django's and django-csp's middleware, made cheaper for what most requests need.

Every API request passes through the whole middleware stack, which measured about a quarter
millisecond, most of it in two places: LocaleMiddleware negotiating a language, and django-csp
building the policy header twice (policy and report-only) on every response. Each class here
does what the original does, and skips the work when its outcome is known:

- `LocaleMiddleware`: under /api/ (never language-prefixed) Django's rule would answer in
  LANGUAGE_CODE whatever the request asks. The API follows the request's `Accept-Language`
  instead (Chinese when it names no language the portal has), and nothing else: no cookie, no
  session, so a program gets the same answer as the browser that tried the call. A request
  without the header skips the negotiation.
- `MessageMiddleware`: API requests show no messages; their storage is not built for them.
- `CSPMiddleware`: a response that asks for nothing of its own (no decorator, no nonce) gets
  the same headers, built once per settings instead of on every response. Pages, the API and
  its browsable HTML keep their Content-Security-Policy.
"""

from __future__ import annotations

import functools

from csp import middleware as csp_middleware
from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.utils import build_policy
from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.contrib.messages import middleware as messages_middleware
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.middleware import locale
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import trans_real

API_PREFIX = "/api/"


class LocaleMiddleware(locale.LocaleMiddleware):
    def process_request(self, request):
        if _default_language_only(request):
            translation.activate(_accepted_language(request.META.get("HTTP_ACCEPT_LANGUAGE")))
            request.LANGUAGE_CODE = translation.get_language()
            return
        super().process_request(request)

    def process_response(self, request, response):
        if _default_language_only(request):
            # What Django answers for an unprefixed path (no 404 redirect: the default
            # language has no prefix to redirect to).
            patch_vary_headers(response, ("Accept-Language",))
            response.headers.setdefault("Content-Language", translation.get_language())
            return response
        return super().process_response(request, response)


@functools.lru_cache(maxsize=256)
def _accepted_language(header: str | None) -> str:
    """The first language of an Accept-Language header that the portal has, else LANGUAGE_CODE."""
    if not header:
        return settings.LANGUAGE_CODE
    for code, _quality in trans_real.parse_accept_lang_header(header):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def _default_language_only(request) -> bool:
    if not request.path_info.startswith(API_PREFIX):
        return False
    i18n_patterns_used, prefixed_default_language = is_language_prefix_patterns_used(
        getattr(request, "urlconf", settings.ROOT_URLCONF)
    )
    return i18n_patterns_used and not prefixed_default_language


class MessageMiddleware(messages_middleware.MessageMiddleware):
    def process_request(self, request):
        if not request.path_info.startswith(API_PREFIX):
            super().process_request(request)


# What a view sets on its response to change or drop the policy (csp.decorators).
_OWN_POLICY = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_exempt",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
    "_csp_exempt_ro",
)


class CSPMiddleware(csp_middleware.CSPMiddleware):
    def process_response(self, request, response):
        if (
            getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in _OWN_POLICY)
            or (settings.DEBUG and response.status_code in (404, 500))
        ):
            return super().process_response(request, response)
        for header, policy, excluded_prefixes in _settings_policies():
            if policy and header not in response and not request.path_info.startswith(excluded_prefixes):
                response[header] = policy
        # As django-csp does: a nonce asked for after the header is written is an error.
        request.csp_nonce = csp_middleware.CheckableLazyObject(self._csp_nonce_post_response)
        return response


@functools.cache
def _settings_policies() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(header, policy built from the settings, excluded URL prefixes) for both headers."""
    policies = []
    for header, report_only, name in (
        (HEADER, False, "CONTENT_SECURITY_POLICY"),
        (HEADER_REPORT_ONLY, True, "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
    ):
        excluded = (getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
        policies.append((header, build_policy(report_only=report_only), tuple(excluded)))
    return tuple(policies)


@receiver(setting_changed)
def _forget_policies(*, setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _settings_policies.cache_clear()
    if setting in {"LANGUAGES", "LANGUAGE_CODE"}:
        _accepted_language.cache_clear()
