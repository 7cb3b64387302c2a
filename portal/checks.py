"""System checks of the portal's own (besides PRIVATE_MEDIA_ROOT's, in portal/files.py).

`manage.py check --deploy` fails (exit status 1) while the development secret key is in use:
Django's own `security.W009` is only a warning, which `check --deploy` reports and lets pass.
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks

# The embedded development key, and any key Django's startproject would generate, start so.
INSECURE_PREFIX = "django-insecure-"


@checks.register(checks.Tags.security, deploy=True)
def check_secret_key_is_not_the_development_key(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A deployment must set SECRET_KEY (sessions, password-reset links, CSRF depend on it)."""
    key = getattr(settings, "SECRET_KEY", "") or ""
    if key.startswith(INSECURE_PREFIX):
        return [
            checks.Error(
                "SECRET_KEY is the development key (it starts with 'django-insecure-').",
                hint="Set the SECRET_KEY environment variable to 50 or more random characters (docs/deploy.md).",
                id="portal.E002",
            )
        ]
    return []
