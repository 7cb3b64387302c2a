"""Statuses, topics and audit actions of the twice-yearly trainings (每半年一次“走出去”专题培训)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.choices import PublishStatus, register_audit_actions


class TrainingTopic(models.TextChoices):
    MARKET_DEVELOPMENT = "market_development", _("市场开拓")
    RISK_IDENTIFICATION = "risk_identification", _("风险识别")
    FINANCING_GUARANTEES = "financing_guarantees", _("融资担保")
    DISPUTE_ARBITRATION = "dispute_arbitration", _("争议仲裁")
    HOT_COUNTRIES = "hot_countries", _("热点国别")
    COMPLIANCE = "compliance", _("合规经营")
    OTHER = "other", _("其他")


# A session's status is the portal's publication status (shared with the matchmaking events).
SessionStatus = PublishStatus


class EnrollmentStatus(models.TextChoices):
    """`offered`: a seat freed by a cancellation waits for the first person on the waiting list
    until `offer_expires_at`; then it passes on."""

    ENROLLED = "enrolled", _("已报名")
    WAITING = "waiting", _("候补中")
    OFFERED = "offered", _("候补递补待确认")
    CANCELLED = "cancelled", _("已取消")


class Half(models.IntegerChoices):
    FIRST = 1, _("上半年")
    SECOND = 2, _("下半年")


@register_audit_actions
class TrainingAuditAction(models.TextChoices):
    SESSION_CREATE = "training.create", _("创建培训")
    SESSION_UPDATE = "training.update", _("修改培训")
    SESSION_PUBLISH = "training.publish", _("发布培训")
    SESSION_CANCEL = "training.cancel", _("取消培训")
    ENROLL = "training.enroll", _("报名培训")
    ENROLLMENT_CANCEL = "training.enrollment_cancel", _("取消培训报名")
    OFFER_ACCEPT = "training.offer_accept", _("接受候补名额")
    ATTENDANCE_MARK = "training.attendance_mark", _("登记培训出勤")
    CHECK_IN = "training.check_in", _("培训签到")
