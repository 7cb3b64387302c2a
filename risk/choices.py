"""Levels, categories and rating sources of the risk part, and its audit actions (CONTRACT.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.choices import register_audit_actions


class RiskLevel(models.IntegerChoices):
    """The portal's own country risk level."""

    NORMAL = 1, _("正常")
    CAUTION = 2, _("注意安全")
    CAREFUL = 3, _("谨慎前往")
    AVOID = 4, _("暂勿前往")


#: Levels at which a country is "high risk": reviewed every 6 months, in the monthly digest.
HIGH_LEVELS = (RiskLevel.CAREFUL, RiskLevel.AVOID)


class BulletinCategory(models.TextChoices):
    """What a bulletin is about; a country's indicators are kept per category."""

    POLITICAL = "political", _("政治风险")
    SECURITY = "security", _("安全形势")
    TERRORISM = "terrorism", _("恐怖袭击")
    CIVIL_UNREST = "civil_unrest", _("社会动荡")
    CRIME = "crime", _("治安犯罪")
    KIDNAPPING = "kidnapping", _("绑架")
    HEALTH = "health", _("公共卫生")
    NATURAL_DISASTER = "natural_disaster", _("自然灾害")
    ECONOMIC = "economic", _("经济风险")
    LEGAL = "legal", _("法律风险")
    LABOUR = "labour", _("劳工风险")


class CaseCategory(models.TextChoices):
    """What went wrong in a typical negative case (典型负面案例); after the behaviours that
    MOFCOM's 2013 rules on bad credit records in foreign economic cooperation name."""

    COMPLIANCE = "compliance", _("违规经营")
    LABOUR_DISPUTE = "labour_dispute", _("劳资纠纷")
    WAGE_ARREARS = "wage_arrears", _("拖欠工资")
    SAFETY_ACCIDENT = "safety_accident", _("安全生产事故")
    CURRENCY_LOSS = "currency_loss", _("汇率损失")
    CONTRACT_DISPUTE = "contract_dispute", _("合同纠纷")
    CORRUPTION = "corruption", _("商业贿赂")
    UNFAIR_COMPETITION = "unfair_competition", _("恶性竞争")
    ENVIRONMENTAL_DAMAGE = "environmental_damage", _("破坏环境")
    LOCAL_CUSTOMS = "local_customs", _("不尊重当地风俗习惯")
    SECURITY_INCIDENT = "security_incident", _("人员安全事件")
    OTHER = "other", _("其他")


class RatingSource(models.TextChoices):
    """Who gave a reference rating; recorded as given, beside the portal's own level."""

    MFA = "mfa", _("外交部安全提醒")
    SINOSURE = "sinosure", _("中国信保国家风险评级")
    OTHER_GOVERNMENT = "other_government", _("其他国家政府旅行建议")
    OTHER = "other", _("其他来源")


class Severity(models.TextChoices):
    """How bad (CAP `severity`); severe and extreme alerts must be acknowledged."""

    MINOR = "minor", _("轻微")
    MODERATE = "moderate", _("中等")
    SEVERE = "severe", _("严重")
    EXTREME = "extreme", _("极端")


#: Severities whose alerts each organisation must acknowledge within the deadline.
ACK_SEVERITIES = (Severity.SEVERE, Severity.EXTREME)


class Urgency(models.TextChoices):
    """How soon to act (CAP `urgency`)."""

    IMMEDIATE = "immediate", _("立即")
    EXPECTED = "expected", _("近期")
    FUTURE = "future", _("将来")
    PAST = "past", _("已过去")
    UNKNOWN = "unknown", _("未知")


class Certainty(models.TextChoices):
    """How sure (CAP `certainty`)."""

    OBSERVED = "observed", _("已发生")
    LIKELY = "likely", _("很可能")
    POSSIBLE = "possible", _("可能")
    UNLIKELY = "unlikely", _("不太可能")
    UNKNOWN = "unknown", _("未知")


class BulletinStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    CANCELLED = "cancelled", _("已撤销")


class BulletinAction(models.TextChoices):
    """A step of a bulletin's history."""

    PUBLISHED = "published", _("发布")
    CANCELLED = "cancelled", _("撤销")
    SUPERSEDED = "superseded", _("被更新通报取代")


class AudienceReason(models.TextChoices):
    """Why someone is told of a bulletin (a person may have several; each is told once)."""

    PROJECT = "project", _("在该国有项目的企业")
    SUPPLIER = "supplier", _("服务该国的供应商")
    SUPPLY_CHAIN = "supply_chain", _("参与该国项目的供应商")
    FOLLOW_COUNTRY = "follow_country", _("关注该国的用户")
    FOLLOW_CATEGORY = "follow_category", _("关注该类别的用户")
    EXTREME = "extreme", _("全部企业（极端级别）")


class RollCallStatus(models.TextChoices):
    """A safety roll-call (平安报备) is open until an official closes it or its window ends."""

    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")


class SafetyStatus(models.TextChoices):
    """What an organisation reports for one project in a roll-call; `pending` until it does."""

    PENDING = "pending", _("未报备")
    SAFE = "safe", _("平安")
    AFFECTED = "affected", _("受影响")
    UNREACHABLE = "unreachable", _("失联")


#: What an organisation may report (pending is where every project starts).
REPORTED_STATUSES = (SafetyStatus.SAFE, SafetyStatus.AFFECTED, SafetyStatus.UNREACHABLE)


@register_audit_actions
class RiskAuditAction(models.TextChoices):
    """What the risk part records in the audit trail."""

    COUNTRY_RISK_SET = "country_risk.set", _("设定国别风险等级")
    RATING_SET = "risk_rating.set", _("记录参考评级")
    CASE_CREATE = "negative_case.create", _("录入典型负面案例")
    CASE_UPDATE = "negative_case.update", _("修改典型负面案例")
    CASE_DELETE = "negative_case.delete", _("删除典型负面案例")
    BULLETIN_CREATE = "risk_bulletin.create", _("起草风险通报")
    BULLETIN_UPDATE = "risk_bulletin.update", _("修改风险通报草稿")
    BULLETIN_PUBLISH = "risk_bulletin.publish", _("发布风险通报")
    BULLETIN_CANCEL = "risk_bulletin.cancel", _("撤销风险通报")
    FOLLOW_CREATE = "risk_follow.create", _("关注国别或类别")
    FOLLOW_DELETE = "risk_follow.delete", _("取消关注")
    ROLLCALL_OPEN = "rollcall.open", _("发起平安报备")
    ROLLCALL_REPORT = "rollcall.report", _("报送平安报备")
    ROLLCALL_CLOSE = "rollcall.close", _("结束平安报备")
