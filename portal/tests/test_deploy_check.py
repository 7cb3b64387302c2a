"""`manage.py check --deploy` fails, with its default fail level, while the development secret
key is in use, as docs/deploy.md says; a real key passes."""

import os
import subprocess
import sys

import pytest
from django.core import checks

from portal.checks import check_secret_key_is_not_the_development_key

from .test_settings import PRODUCTION, ROOT


def check_deploy(env_overrides: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION and k != "HTTPS"}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],  # the default fail level: ERROR
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_fails_with_the_development_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = check_deploy(env)
    assert result.returncode == 1
    assert "portal.E002" in result.stderr
    assert "SECRET_KEY is the development key" in result.stderr


def test_check_deploy_passes_with_a_key_of_the_deployments_own():
    result = check_deploy(PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "portal.E002" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("key", "ids"),
    [
        ("django-insecure-dev-only-key-for-make-run-and-the-tests-0123456789", ["portal.E002"]),
        ("django-insecure-" + "x" * 60, ["portal.E002"]),
        (PRODUCTION["SECRET_KEY"], []),
    ],
)
def test_the_check_is_an_error_only_for_an_insecure_key(settings, key, ids):
    settings.SECRET_KEY = key
    messages = check_secret_key_is_not_the_development_key()
    assert [m.id for m in messages] == ids
    assert all(m.level == checks.ERROR for m in messages)


def test_the_check_runs_only_with_deploy():
    registered = checks.registry.registry.get_checks(include_deployment_checks=False)
    assert check_secret_key_is_not_the_development_key not in registered
    assert check_secret_key_is_not_the_development_key in checks.registry.registry.get_checks(
        include_deployment_checks=True
    )
