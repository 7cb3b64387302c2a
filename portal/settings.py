"""Settings for the portal, read from environment variables through django-environ.

Embedded defaults serve development and `make run`: SQLite under var/, a Celery broker on the
filesystem, a file-based cache and mail written to var/mail/. Production sets DATABASE_URL,
CELERY_BROKER_URL, REDIS_URL, EMAIL_URL, SECRET_KEY and ALLOWED_HOSTS (docs/deploy.md).
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from kombu import Exchange, Queue

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
# The development key starts with "django-insecure-", so `check --deploy` fails until
# production sets its own SECRET_KEY.
SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-dev-only-key-for-make-run-and-the-tests-0123456789")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Public base URL used in e-mails and webhook payloads.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# What a Chinese government site shows in its footer (empty: not shown), and the 审图号 of an
# approved standard map put in place of the overseas map's geometry (docs/deploy.md).
PORTAL_SITE_INFO = {
    "HOST_ORGANIZATION": env.str("PORTAL_HOST_ORGANIZATION", default=""),  # 主办单位
    "CONTACT": env.str("PORTAL_CONTACT", default=""),  # 联系方式
    "ICP_NUMBER": env.str("PORTAL_ICP_NUMBER", default=""),  # ICP 备案号
    "PUBLIC_SECURITY_NUMBER": env.str("PORTAL_PUBLIC_SECURITY_NUMBER", default=""),  # 公安机关备案号
    "SITE_CODE": env.str("PORTAL_SITE_CODE", default=""),  # 政府网站标识码
    "MAP_APPROVAL_NUMBER": env.str("PORTAL_MAP_APPROVAL_NUMBER", default=""),  # 审图号
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "portal",
    "projects",
    "suppliers",
    "talent",
    "risk",
]

# portal.middleware's three do what Django's and django-csp's do, without the work whose outcome
# is known (a language negotiated for /api/, messages for the API, a policy header built anew).
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server, worker and beat of `make run` read while one of them writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's, with a health check that asks the socket before it sends SELECT 1.
        DATABASES["default"]["ENGINE"] = "portal.db.postgresql"
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Behind PgBouncer in transaction mode: no server-side cursors and no prepared statements
    # (portal/api/authentication.py prepares the token query once per session otherwise).
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool("DB_TRANSACTION_POOLER", default=False)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")

# --- Cache ----------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # Django's Redis backend, reusing its redis-py client (portal/cache.py).
    CACHES = {"default": {"BACKEND": "portal.cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# django-axes: lock a username from one address after 5 failures, for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0)

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files (served by whitenoise; nothing from the internet) -------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    # Certificates, emergency plans: outside the web root, no URL (portal/files.py).
    "private": {"BACKEND": "portal.storage.PrivateStorage"},
}
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(VAR_DIR / "media"))
MEDIA_URL = "/media/"

# --- Private files (portal/files.py, docs/deploy.md) ----------------------------------------
# Never served by a web server; only the download view, which applies the record's scope,
# reads them. `manage.py check` refuses a folder inside STATIC_ROOT or MEDIA_ROOT.
PRIVATE_MEDIA_ROOT = env.str("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private"))
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_MB", default=10) * 1024 * 1024
# Excel imports (portal.ImportJob): the worker counts the rows done in the cache this often,
# for the job page's progress bar.
IMPORT_PROGRESS_EVERY = env.int("IMPORT_PROGRESS_EVERY", default=100)
# The import sweeper (portal.sweep_import_jobs) queues again a job still waiting after this long,
# and fails one still running after this long (5,000 rows take well under a minute).
IMPORT_REQUEUE_AFTER_SECONDS = env.int("IMPORT_REQUEUE_AFTER_SECONDS", default=300)
IMPORT_STALE_AFTER_SECONDS = env.int("IMPORT_STALE_AFTER_SECONDS", default=2 * 3600)
# An nginx internal location (e.g. "/_private/") that aliases PRIVATE_MEDIA_ROOT: downloads are
# then answered with X-Accel-Redirect and nginx sends the bytes. Empty: Django streams them.
PRIVATE_MEDIA_ACCEL_REDIRECT = env.str("PRIVATE_MEDIA_ACCEL_REDIRECT", default="")

# --- Mail -----------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default=f"filemail:///{VAR_DIR / 'mail'}"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="走出去服务平台 <noreply@portal.example.cn>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# --- Security -------------------------------------------------------------------------------
# HTTPS is on by default outside DEBUG; set HTTPS=0 only when serving plain HTTP on loopback.
HTTPS = env.bool("HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env.bool("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

# --- REST framework -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes an anonymous request a 401, not a 403.
        # DRF's, reading token, user, membership and organisation in one query.
        "portal.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # orjson, answering what DRF's JSONRenderer answers (portal/api/renderers.py).
    "DEFAULT_RENDERER_CLASSES": [
        "portal.api.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # DRF's three, with Django's size limit on every body and a depth limit on JSON
    # (portal/api/parsers.py). The schema documents JSON bodies (portal/api/schema.py).
    "DEFAULT_PARSER_CLASSES": [
        "portal.api.parsers.JSONParser",
        "portal.api.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.PagePagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "portal.api.filters.RequestedFiltersBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["portal.api.throttling.AnonThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": env.str("ANON_THROTTLE_RATE", default="120/minute")},
    # Whose address the throttle counts: with none set, DRF takes X-Forwarded-For as sent, and
    # any client could escape the anonymous limit by sending a new one with each request.
    "NUM_PROXIES": env.int("PROXY_COUNT", default=0),
    "DEFAULT_SCHEMA_CLASS": "portal.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "portal.api.exceptions.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "走出去企业服务平台 API",
    "DESCRIPTION": "Overseas-expansion enterprise service portal: projects, suppliers, talent, risk.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Every operation's 400/401/403/404/429 (and 413/415 with a body), with their bodies.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.api.schema.document_errors",
    ],
    "ENUM_NAME_OVERRIDES": {
        "OrganizationKindEnum": "portal.choices.OrganizationKind",
        "SignupKindEnum": "portal.choices.SIGNUP_KINDS",
        "NotificationKindEnum": "portal.choices.NotificationKind",
        # Project.stage and ProjectStageChange.from_stage/to_stage share one choice set.
        "ProjectStageEnum": "projects.choices.Stage",
        # Two resources have a `status`: an import job's and a supplier's.
        "ImportJobStatusEnum": "portal.choices.ImportJobStatus",
        "SupplierStatusEnum": "suppliers.choices.SupplierStatus",
        "EventRegistrationStatusEnum": "suppliers.choices.RegistrationStatus",
        # CountryRisk.level and its history's old_level/new_level share one choice set.
        "RiskLevelEnum": "risk.choices.RiskLevel",
        # Risk bulletins (and follows, which name a bulletin category).
        "RiskBulletinStatusEnum": "risk.choices.BulletinStatus",
        "BulletinCategoryEnum": "risk.choices.BulletinCategory",
        "BulletinSeverityEnum": "risk.choices.Severity",
        "BulletinUrgencyEnum": "risk.choices.Urgency",
        "BulletinCertaintyEnum": "risk.choices.Certainty",
        # Safety roll-calls: the roll-call's status, and each project's reported one.
        "RollCallStatusEnum": "risk.choices.RollCallStatus",
        "SafetyStatusEnum": "risk.choices.SafetyStatus",
        # Training sessions and matchmaking events share the publication status.
        "PublishStatusEnum": "portal.choices.PublishStatus",
        # Project.sector and a matchmaking event's sectors.
        "SectorEnum": "projects.choices.Sector",
        "TrainingEnrollmentStatusEnum": "talent.trainings.choices.EnrollmentStatus",
        # A talent's languages and certificates, and an opening's requirements, share them.
        "LanguageCodeEnum": "talent.choices.LanguageCode",
        "CefrLevelEnum": "talent.choices.CefrLevel",
        "TalentCertificateKindEnum": "talent.choices.CertificateKind",
        "OpeningApplicationStatusEnum": "talent.choices.ApplicationStatus",
    },
}
API_MAX_PAGE_SIZE = 200
# Page statements the hot lists remember per process (portal/api/statements.py); 0: none.
API_STATEMENT_CACHE_SIZE = env.int("API_STATEMENT_CACHE_SIZE", default=512)
# Remembered statements prepared in each PostgreSQL session, at most (0: none; never behind a
# transaction pooler).
API_PREPARED_STATEMENTS = env.int("API_PREPARED_STATEMENTS", default=64)
# Compile a remembered statement again on every use and fail if it differs (the tests do).
API_STATEMENT_CHECK = env.bool("API_STATEMENT_CHECK", default=False)

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
# Redis hands a task that a worker took but did not acknowledge to another worker after this
# many seconds. It must exceed the longest retry countdown, which the worker holds
# unacknowledged until it is due; the outbox sweeper counts on it too (NOTIFY, below).
_visibility_timeout = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "in"),
        "data_folder_out": str(_broker_dir / "in"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        # Exchange bindings (the workers' remote-control fan-out). kombu's default is a
        # "control" folder in the current directory, which would land in the checkout.
        "control_folder": str(_broker_dir / "control"),
    }
    for _sub in ("in", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": _visibility_timeout}
# The queues, in one place; docs/deploy.md says how many workers consume each.
#   notify   one e-mail or webhook per task (portal.deliver) and the fan-outs that queue them:
#            many short, I/O-bound tasks whose latency people notice.
#   bulk     long or large jobs: notify() for a big audience, announcements to every
#            enterprise, the nightly retention purge, Excel imports (portal.import_job_run).
#            They never hold up a delivery.
#   default  beat's short periodic jobs (the outbox sweeper, reminders) and any task not routed
#            below: kept clear, so that the sweeper never waits behind the backlog it sweeps.
CELERY_TASK_QUEUES = [Queue(name, Exchange(name), routing_key=name) for name in ("notify", "bulk", "default")]
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "portal.deliver": {"queue": "notify"},
    "portal.fan_out_deliveries": {"queue": "notify"},
    "portal.notify": {"queue": "bulk"},
    "projects.survey_announce": {"queue": "bulk"},
    "portal.purge_old_records": {"queue": "bulk"},
    "portal.import_job_run": {"queue": "bulk"},
    "portal.sweep_deliveries": {"queue": "default"},
    "portal.sweep_import_jobs": {"queue": "default"},
    "projects.survey_remind": {"queue": "default"},
    "projects.emergency_remind": {"queue": "default"},
    "suppliers.check_certificates": {"queue": "bulk"},
    "suppliers.matchmaking_invite": {"queue": "bulk"},
    "suppliers.matchmaking_notify_change": {"queue": "default"},
    "suppliers.matchmaking_remind": {"queue": "default"},
    "risk.flag_stale_countries": {"queue": "default"},
    "risk.monthly_digest": {"queue": "bulk"},
    # A risk alert is urgent: it must not wait behind imports and announcements on `bulk`.
    "risk.bulletin_alert": {"queue": "notify"},
    "risk.bulletin_cancelled": {"queue": "notify"},
    "risk.escalate_unacknowledged": {"queue": "default"},
    # A roll-call's first ask goes with the alert; the counts for the dispatch view can wait.
    "risk.rollcall_remind": {"queue": "notify"},
    "risk.rollcalls_remind": {"queue": "default"},
    "risk.bulletin_count_audience": {"queue": "default"},
    "talent.trainings_announce": {"queue": "bulk"},
    "talent.trainings_notify_change": {"queue": "bulk"},
    "talent.trainings_remind": {"queue": "default"},
    "talent.trainings_expire_offers": {"queue": "default"},
    "talent.trainings_warn_half": {"queue": "default"},
}
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# No results are stored, so there are none to expire: without this, django-celery-beat would
# install a daily `celery.backend_cleanup` that does nothing.
CELERY_RESULT_EXPIRES = None
# At every start beat writes CELERY_BEAT_SCHEDULE over the database's schedule
# (django-celery-beat's update_or_create), undoing what officials changed in the admin. So it
# stays empty, and the portal's schedule is PORTAL_BEAT_SCHEDULE below.
CELERY_BEAT_SCHEDULE = {}
# The beat schedule, in one place. `manage.py migrate` (and `manage.py setup_schedules`)
# creates the entries that are missing from the database and leaves existing ones exactly as
# officials left them in the admin (timing, enabled): a value changed here reaches a database
# only where its entry is new. Daily and monthly jobs are crontabs in CELERY_TIMEZONE.
PORTAL_BEAT_SCHEDULE = {
    # The outbox sweeper: re-queues deliveries whose task was lost and fails those past their
    # retry window.
    "notifications-sweep-deliveries": {
        "task": "portal.sweep_deliveries",
        "schedule": env.int("NOTIFY_SWEEP_EVERY_SECONDS", default=60),
    },
    # The import sweeper: re-queues Excel imports whose task was lost, fails those whose worker
    # died (IMPORT_REQUEUE_AFTER_SECONDS, IMPORT_STALE_AFTER_SECONDS).
    "imports-sweep": {"task": "portal.sweep_import_jobs", "schedule": 300},
    # Reminds enterprises that have not answered an intended-project survey closing within a
    # week: every morning at 08:00, so the e-mail arrives at the start of the working day.
    "projects-survey-remind": {"task": "projects.survey_remind", "schedule": crontab(hour=8, minute=0)},
    # Reminds enterprises of emergency plans to update after a country's level rose to 3 or 4
    # (14, 7 and 1 days before they are due) and tells officials of the overdue ones: 08:10.
    "projects-emergency-remind": {"task": "projects.emergency_remind", "schedule": crontab(hour=8, minute=10)},
    # Deletes old deliveries and read notifications (NOTIFY["RETENTION_DAYS"]) and, if
    # AUDIT_RETENTION_DAYS is set, old audit events: at night, when the database is quiet.
    "retention-purge": {"task": "portal.purge_old_records", "schedule": crontab(hour=3, minute=30)},
    # Reminds suppliers of certificates lapsing in 60, 30 and 7 days (once per threshold) and
    # suspends approved suppliers whose required certificate has lapsed: every morning at 06:30,
    # after midnight's lapses and before the working day.
    "suppliers-check-certificates": {"task": "suppliers.check_certificates", "schedule": crontab(hour=6, minute=30)},
    # Reminds those registered for a matchmaking event the day before it (once each): hourly.
    "matchmaking-remind": {"task": "suppliers.matchmaking_remind", "schedule": crontab(minute=15)},
    # Tells publishing officials of country risk levels overdue for review (levels 3-4 after 6
    # months, others after 12), once per country and review: every morning at 07:00.
    "risk-flag-stale-countries": {"task": "risk.flag_stale_countries", "schedule": crontab(hour=7, minute=0)},
    # Tells every enterprise last month's new negative cases and the countries at level 3 or 4
    # (once a month: the dedupe key is the month): on the 1st at 09:00.
    "risk-monthly-digest": {"task": "risk.monthly_digest", "schedule": crontab(day_of_month=1, hour=9, minute=0)},
    # Severe and extreme risk alerts past their acknowledgement deadline (24 h; 2 h for extreme):
    # a second notice to silent organisations' admins and their list to the publishing official,
    # once per bulletin: every 15 minutes, so the 2-hour deadline is kept closely.
    "risk-escalate-unacknowledged": {"task": "risk.escalate_unacknowledged", "schedule": 900},
    # Safety roll-calls (平安报备): close those whose window ended, remind the organisations that
    # have not reported, once per interval (2 h extreme, 12 h severe): every 15 minutes.
    "risk-rollcalls-remind": {"task": "risk.rollcalls_remind", "schedule": 900},
    # Trainings: reminders 7 days and 1 day before, the registration-closed notice (each once
    # per person, whatever the frequency): hourly.
    "trainings-remind": {"task": "talent.trainings_remind", "schedule": crontab(minute=5)},
    # A freed seat offered to the first on the waiting list passes on after TRAININGS["OFFER_HOURS"].
    "trainings-expire-offers": {"task": "talent.trainings_expire_offers", "schedule": 600},
    # The twice-yearly rule: from TRAININGS["WARN_MONTH_OF_HALF"]/["WARN_DAY"] of a half with no
    # published session, organisers are warned weekly (Monday 09:00) until one is.
    "trainings-warn-half": {"task": "talent.trainings_warn_half", "schedule": crontab(day_of_week=1, hour=9, minute=0)},
}

# --- Trainings (talent/trainings) -------------------------------------------------------------
TRAININGS = {
    # Hours the first person on the waiting list has to take a freed seat.
    "OFFER_HOURS": env.int("TRAINING_OFFER_HOURS", default=48),
    # The officials' date for the twice-yearly rule: the Nth month of the half (1-6), day D.
    # Default: the first day of the half's second month (1 February, 1 August).
    "WARN_MONTH_OF_HALF": env.int("TRAINING_WARN_MONTH_OF_HALF", default=2),
    "WARN_DAY": env.int("TRAINING_WARN_DAY", default=1),
    # Reminders before a session starts, in days.
    "REMIND_DAYS": (7, 1),
}

# --- Notification centre --------------------------------------------------------------------


def _days_or_forever(name: str, default: int | None) -> int | None:
    """A number of days from the environment; `forever` (or empty) means keep for ever (None)."""
    value = env.str(name, default="forever" if default is None else str(default)).strip().lower()
    return None if value in ("", "forever", "none") else int(value)


_requeue_after = env.int("NOTIFY_REQUEUE_AFTER_SECONDS", default=300)
NOTIFY = {
    # Attempts per delivery before it is failed, and the first retry's delay (doubled each time).
    "MAX_ATTEMPTS": env.int("NOTIFY_MAX_ATTEMPTS", default=6),
    "RETRY_BASE_SECONDS": env.float("NOTIFY_RETRY_BASE_SECONDS", default=30.0),
    # The sweeper re-queues a delivery still queued this long after it was due whose task never
    # reached the broker (the broker was down at commit) ...
    "REQUEUE_AFTER_SECONDS": _requeue_after,
    # ... or reached it longer ago than this: by then a task taken by a worker that died has been
    # handed back by Redis (the visibility timeout) and would have run, so a delivery still
    # queued lost its task. Until then it may simply be waiting its turn in a backlog, and
    # queueing it again would only put a second copy behind the first. docs/architecture.md.
    "LOST_AFTER_SECONDS": env.int("NOTIFY_LOST_AFTER_SECONDS", default=_visibility_timeout + _requeue_after),
    # After this long a delivery that has not gone out is failed for good.
    "RETRY_WINDOW_SECONDS": env.int("NOTIFY_RETRY_WINDOW_SECONDS", default=60 * 60 * 24),
    "WEBHOOK_TIMEOUT_SECONDS": env.float("NOTIFY_WEBHOOK_TIMEOUT_SECONDS", default=5.0),
    # Webhook URLs are set by organisations: unless allowed, a URL whose host resolves to a
    # loopback, private, link-local or reserved address is refused (no requests into the
    # portal's own network). Allowed by default only in DEBUG.
    "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": env.bool("NOTIFY_WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default=DEBUG),
    # Deliveries handed to one fan-out task.
    "FANOUT_CHUNK": 500,
    # The nightly purge (portal.purge_old_records) deletes deliveries, and notifications their
    # recipient has read (and acknowledged, where asked), older than this many days. Unread
    # ones stay. A dedupe_key holds only as long as its notifications are kept.
    "RETENTION_DAYS": _days_or_forever("NOTIFY_RETENTION_DAYS", 365),
}
# The audit trail is kept for ever unless this sets a number of days.
AUDIT_RETENTION_DAYS = _days_or_forever("AUDIT_RETENTION_DAYS", None)

# --- API tokens and password reset ----------------------------------------------------------
# An API token expires this many days after it was issued (`forever`: never). Changing or
# resetting the password deletes the user's token; its owner may revoke it at any time
# (DELETE /api/v1/auth/token/, or the account page). portal/services/tokens.py.
API_TOKEN_TTL_DAYS = _days_or_forever("API_TOKEN_TTL_DAYS", 30)
# Password-reset requests: beyond these, within the window, no e-mail is sent
# (portal/views_account.py). The client's address is counted as the API throttle counts it
# (PROXY_COUNT).
PASSWORD_RESET_LIMITS = {
    "PER_ADDRESS": env.int("PASSWORD_RESET_PER_ADDRESS", default=3),
    "PER_CLIENT": env.int("PASSWORD_RESET_PER_CLIENT", default=10),
    "WINDOW_SECONDS": env.int("PASSWORD_RESET_WINDOW_SECONDS", default=60 * 60),
}

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
