"""Writes and workflow for accounts, organisations, the audit trail and the notification centre.

Every function here is keyword-only, runs in one transaction, records who did what in the
audit trail and queues Celery work only after commit. Views, serializers, admin actions,
commands and tasks call these; none of them repeats a rule.

- `audit.py`: the audit trail (`audit_record`);
- `errors.py`: `Errors`, which gathers a check's every error into one ValidationError;
- `accounts.py`: signing up, members, officials, an organisation's details;
- `notifications.py`: `notify()`, the inbox, channel preferences;
- `delivery.py`: the outbox: sending e-mail and webhooks, retries, the sweeper;
- `schedules.py`: installing beat's jobs in the database;
- `retention.py`: the nightly purge of old records;
- `imports.py`: Excel imports as jobs run by a worker (ImportJob);
- `tokens.py`: API tokens: issuing, expiry, revoking (also on a password change).

Everything public is importable from `portal.services` itself.
"""

from .accounts import (
    member_add,
    member_add_check,
    member_remove,
    official_create,
    organization_signup,
    organization_signup_check,
    organization_update,
    organization_verify,
    send_set_password_email,
    set_password_link,
    webhook_secret_hint,
    webhook_secret_rotate,
)
from .audit import audit_record
from .delivery import (
    DeliveryRefused,
    check_webhook_destination,
    deliveries_fan_out,
    deliveries_requeue,
    deliveries_still_queued,
    deliveries_sweep,
    delivery_attempt,
    enqueue_deliveries,
    retry_delay,
    webhook_signature,
)
from .errors import Errors
from .imports import import_job_create, import_job_fail, import_job_progress, import_job_run, import_jobs_sweep
from .notifications import (
    UNMUTABLE_KINDS,
    Notice,
    notification_acknowledge,
    notification_mark_read,
    notifications_mark_all_read,
    notifications_mark_read,
    notify,
    notify_audience,
    notify_each,
    preference_set,
    preferences_for,
)
from .retention import records_purge
from .schedules import schedules_install
from .tokens import token_expires_at, token_is_expired, token_issue, tokens_revoke

__all__ = [
    "UNMUTABLE_KINDS",
    "DeliveryRefused",
    "Errors",
    "Notice",
    "audit_record",
    "check_webhook_destination",
    "deliveries_fan_out",
    "deliveries_requeue",
    "deliveries_still_queued",
    "deliveries_sweep",
    "delivery_attempt",
    "enqueue_deliveries",
    "import_job_create",
    "import_job_fail",
    "import_job_progress",
    "import_job_run",
    "import_jobs_sweep",
    "member_add",
    "member_add_check",
    "member_remove",
    "notification_acknowledge",
    "notification_mark_read",
    "notifications_mark_all_read",
    "notifications_mark_read",
    "notify",
    "notify_audience",
    "notify_each",
    "official_create",
    "organization_signup",
    "organization_signup_check",
    "organization_update",
    "organization_verify",
    "preference_set",
    "preferences_for",
    "records_purge",
    "retry_delay",
    "schedules_install",
    "send_set_password_email",
    "set_password_link",
    "token_expires_at",
    "token_is_expired",
    "token_issue",
    "tokens_revoke",
    "webhook_secret_hint",
    "webhook_secret_rotate",
    "webhook_signature",
]
