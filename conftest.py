"""Fixtures shared by every app's tests."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.utils import translation
from rest_framework.test import APIClient

from portal.celery import app
from portal.testing.cast import Cast, make_cast
from portal.testing.reference import ensure_reference_data

pytest_plugins = [
    "portal.testing.celery_worker",
    "portal.testing.smtp",
    "portal.testing.webhook",
    "portal.testing.browser",
]


@pytest.fixture(scope="session", autouse=True)
def _static_manifest():
    """Pages use the manifest storage; build it once if `make test` has not."""
    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)


@pytest.fixture(autouse=True)
def _chinese_by_default():
    """Each test starts in Chinese and leaves the language as it found it: a request to /en/
    leaves English active in the thread, and reverse() follows the active language."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Countries, exchange rates and subsidy tiers come from data migrations; a transactional
    test before this one flushed them away. Load them again for tests that use the database."""
    names = set(request.fixturenames)
    if names & {"transactional_db", "live_server"}:
        request.getfixturevalue("transactional_db")
    elif "db" in names:
        request.getfixturevalue("db")
    elif not request.node.get_closest_marker("django_db"):
        return  # no database: pytest-django's marker fixture enables access for marked tests
    ensure_reference_data()


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    """Private uploads (certificate scans, also those seed_demo makes) go to the test's own
    folder, never var/private."""
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")


@pytest.fixture(autouse=True, scope="session")
def _statement_check():
    """Every remembered page statement is compiled again when used and must be the same
    (portal/api/statements.py): a hot list whose queryset depends on more than its request's
    shape fails the test that shows it. The memo itself lives on across tests, as in a server."""
    settings.API_STATEMENT_CHECK = True


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters live in the cache (Redis under make test): start each test clean."""
    cache.clear()


@pytest.fixture
def tasks_run_here():
    """Celery tasks run in this process as they are queued (mail goes to Django's test outbox)."""
    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture
def cast(db) -> Cast:
    return make_cast()


@pytest.fixture
def api():
    """An API client; `api.as_user(user)` authenticates it (None stays anonymous)."""

    class Client(APIClient):
        def as_user(self, user):
            self.force_authenticate(user=user)
            return self

    return Client()
