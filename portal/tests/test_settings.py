"""Production settings come from the environment, and `check --deploy` finds nothing to fix."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k7#Qm2vX9!pL4wZr8Tn6Yb1Hc5Jd3Fg0Ks-Ue7Ai9Ow2Ry4Px6Lz8Nv1Mq3Bt5Cs",
    "ALLOWED_HOSTS": "zcq.commerce.hubei.gov.cn",
    "DATABASE_URL": "postgres://portal:secret@db.internal:5432/portal",
    "CELERY_BROKER_URL": "redis://redis.internal:6379/0",
    "REDIS_URL": "redis://redis.internal:6379/1",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.internal:587",
}


def run_check(env_overrides: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION and k != "HTTPS"}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_reports_nothing_with_production_variables():
    result = run_check(PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("override", "warning"),
    [
        ({"SECRET_KEY": ""}, "security.W009"),  # falls back to the development key
        ({"HTTPS": "0"}, "security.W008"),
    ],
)
def test_check_deploy_catches_a_missing_secret_key_or_plain_http(override, warning):
    env = {**PRODUCTION, **override}
    if override.get("SECRET_KEY") == "":
        del env["SECRET_KEY"]
    result = run_check(env)
    assert result.returncode != 0
    assert warning in result.stdout + result.stderr


def test_production_settings_take_postgres_redis_and_smtp_from_the_environment():
    code = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['HOST'], s.CELERY_BROKER_URL,"
        " s.CACHES['default']['BACKEND'], s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_USE_TLS, s.DEBUG)"
    )
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION}
    env.update(PRODUCTION, DJANGO_SETTINGS_MODULE="portal.settings")
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.split() == [
        "portal.db.postgresql",  # Django's, with a health check that asks the socket first
        "db.internal",
        "redis://redis.internal:6379/0",
        "portal.cache.RedisCache",
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.internal",
        "True",
        "False",
    ]
