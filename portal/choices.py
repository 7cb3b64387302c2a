"""Choices shared across the portal: organisation kinds, roles, regions, notification kinds."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    SUPPLIER = "supplier", _("供应商")
    AGENCY = "agency", _("主管部门")


# The kinds an organisation may sign up as; agencies are created by administrators.
SIGNUP_KINDS = [
    (OrganizationKind.ENTERPRISE, OrganizationKind.ENTERPRISE.label),
    (OrganizationKind.SUPPLIER, OrganizationKind.SUPPLIER.label),
]


class MembershipRole(models.TextChoices):
    ADMIN = "admin", _("管理员")
    MEMBER = "member", _("成员")


class AgencyPermission(models.TextChoices):
    """What an official of an agency may do beyond reading."""

    REVIEW = "review", _("审核备案与入库申请")
    PUBLISH_RISK = "publish_risk", _("发布风险信息")
    ORGANISE_TRAINING = "organise_training", _("组织培训")


class Region(models.TextChoices):
    AFRICA = "africa", _("非洲")
    SOUTHEAST_ASIA = "southeast_asia", _("东南亚")
    SOUTH_ASIA = "south_asia", _("南亚")
    CENTRAL_ASIA = "central_asia", _("中亚")
    MIDDLE_EAST = "middle_east", _("中东")
    LATIN_AMERICA = "latin_america", _("拉美")
    EUROPE = "europe", _("欧洲")
    OCEANIA = "oceania", _("大洋洲")
    NORTH_AMERICA = "north_america", _("北美")
    EAST_ASIA = "east_asia", _("东亚")


class NotificationKind(models.TextChoices):
    """What a notification is about; users choose their channels per kind."""

    ACCOUNT = "account", _("账户与组织")
    PROJECT_REVIEW = "project_review", _("项目备案审核")
    PROJECT_REPORT = "project_report", _("项目报告与调查")
    SUPPLIER_REVIEW = "supplier_review", _("供应商入库审核")
    MATCHMAKING = "matchmaking", _("对接会邀请")
    TALENT = "talent", _("人才与岗位")
    TRAINING = "training", _("培训通知")
    RISK_ALERT = "risk_alert", _("风险预警")
    SYSTEM = "system", _("系统消息")


class Channel(models.TextChoices):
    """Delivery channels beyond the in-app inbox, which every notification always reaches."""

    EMAIL = "email", _("电子邮件")
    WEBHOOK = "webhook", _("Webhook")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("失败")


# --- The audit trail ------------------------------------------------------------------------
# Each part declares its audit actions as TextChoices and registers them here, so that
# audit_record() takes only a declared action and the trail shows each with its label.
_AUDIT_ACTIONS: dict[str, str] = {}


def register_audit_actions(choices: type[models.TextChoices]) -> type[models.TextChoices]:
    """Register a part's audit actions (a class decorator on its TextChoices)."""
    for value, label in choices.choices:
        if value in _AUDIT_ACTIONS and _AUDIT_ACTIONS[value] != label:
            raise ValueError(f"audit action {value!r} registered twice")
        _AUDIT_ACTIONS[value] = label
    return choices


def audit_action_label(value: str) -> str:
    """The label of a registered audit action; the value itself for an old, unknown one."""
    return str(_AUDIT_ACTIONS.get(value, value))


def is_audit_action(value: str) -> bool:
    return value in _AUDIT_ACTIONS


@register_audit_actions
class AuditAction(models.TextChoices):
    """What the portal's shell records (accounts, organisations, the notification centre)."""

    ORGANIZATION_SIGNUP = "organization.signup", _("组织注册")
    ORGANIZATION_UPDATE = "organization.update", _("修改组织信息")
    ORGANIZATION_VERIFY = "organization.verify", _("核验组织")
    WEBHOOK_SECRET_ROTATE = "organization.webhook_secret_rotate", _("更换 Webhook 签名密钥")
    API_TOKEN_REVOKE = "api_token.revoke", _("注销 API 令牌")
    MEMBERSHIP_ADD = "membership.add", _("添加成员")
    MEMBERSHIP_REMOVE = "membership.remove", _("移除成员")
    OFFICIAL_CREATE = "official.create", _("创建主管部门工作人员")
    NOTIFICATION_ACKNOWLEDGE = "notification.acknowledge", _("确认收到通知")
    DELIVERY_REQUEUE = "delivery.requeue", _("重新投递")
    RETENTION_PURGE = "retention.purge", _("清理过期记录")
    IMPORT_JOB_CREATE = "import_job.create", _("上传导入文件")


class ImportJobStatus(models.TextChoices):
    """Where an Excel import (portal.ImportJob) is: waiting for a worker, being read and
    written, finished (its records written), or refused (nothing written, see its errors)."""

    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("导入中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("未导入")


class PublishStatus(models.TextChoices):
    """Something officials schedule and announce: a training session, a matchmaking event. Drafts
    only their organisers see; cancelled ones stay (the calendar feeds tell subscribers)."""

    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    CANCELLED = "cancelled", _("已取消")
