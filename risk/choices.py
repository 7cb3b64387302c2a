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


@register_audit_actions
class RiskAuditAction(models.TextChoices):
    """What the risk part records in the audit trail."""

    COUNTRY_RISK_SET = "country_risk.set", _("设定国别风险等级")
    RATING_SET = "risk_rating.set", _("记录参考评级")
    CASE_CREATE = "negative_case.create", _("录入典型负面案例")
    CASE_UPDATE = "negative_case.update", _("修改典型负面案例")
    CASE_DELETE = "negative_case.delete", _("删除典型负面案例")
