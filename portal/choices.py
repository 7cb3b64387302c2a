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
