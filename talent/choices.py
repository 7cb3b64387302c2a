"""Choices of the talent pool: languages (ISO 639-1) and their CEFR levels, certificate kinds,
education, consent actions and the pool's audit actions. The trainings' are in
talent/trainings/choices.py."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.choices import register_audit_actions


class LanguageCode(models.TextChoices):
    """ISO 639-1 codes of the languages spoken on the portal's markets."""

    EN = "en", _("英语")
    FR = "fr", _("法语")
    ES = "es", _("西班牙语")
    PT = "pt", _("葡萄牙语")
    AR = "ar", _("阿拉伯语")
    RU = "ru", _("俄语")
    DE = "de", _("德语")
    IT = "it", _("意大利语")
    TR = "tr", _("土耳其语")
    FA = "fa", _("波斯语")
    UR = "ur", _("乌尔都语")
    HI = "hi", _("印地语")
    BN = "bn", _("孟加拉语")
    SW = "sw", _("斯瓦希里语")
    AM = "am", _("阿姆哈拉语")
    HA = "ha", _("豪萨语")
    ID = "id", _("印度尼西亚语")
    MS = "ms", _("马来语")
    VI = "vi", _("越南语")
    TH = "th", _("泰语")
    KM = "km", _("高棉语")
    LO = "lo", _("老挝语")
    MY = "my", _("缅甸语")
    KK = "kk", _("哈萨克语")
    UZ = "uz", _("乌兹别克语")
    MN = "mn", _("蒙古语")
    JA = "ja", _("日语")
    KO = "ko", _("韩语")


class CefrLevel(models.TextChoices):
    """CEFR levels. The codes sort as the levels do (A1 < A2 < B1 < B2 < C1 < C2), so "at least
    B2" is `level >= "B2"` in the database."""

    A1 = "A1", _("A1 入门")
    A2 = "A2", _("A2 基础")
    B1 = "B1", _("B1 进阶")
    B2 = "B2", _("B2 中高级")
    C1 = "C1", _("C1 流利")
    C2 = "C2", _("C2 精通")


class CertificateKind(models.TextChoices):
    CONSTRUCTOR_1 = "constructor_1", _("一级建造师")
    COST_ENGINEER = "cost_engineer", _("注册造价工程师")
    PMP = "pmp", _("PMP 项目管理专业人士")
    FIDIC = "fidic", _("FIDIC 合同专家")
    NEBOSH = "nebosh", _("NEBOSH 职业安全健康")
    CIOB = "ciob", _("CIOB 英国皇家特许建造")
    CATTI = "catti", _("CATTI 翻译专业资格")
    BIM = "bim", _("BIM 建模")
    OTHER = "other", _("其他")


class Education(models.TextChoices):
    SECONDARY = "secondary", _("高中或中专")
    COLLEGE = "college", _("大专")
    BACHELOR = "bachelor", _("本科")
    MASTER = "master", _("硕士")
    DOCTORATE = "doctorate", _("博士")


class ConsentAction(models.TextChoices):
    GIVEN = "given", _("同意")
    WITHDRAWN = "withdrawn", _("撤回同意")


@register_audit_actions
class TalentAuditAction(models.TextChoices):
    PROFILE_CREATE = "talent.create", _("建立人才档案")
    PROFILE_UPDATE = "talent.update", _("修改人才档案")
    PROFILE_DELETE = "talent.delete", _("删除人才档案")
    PROFILE_EXPORT = "talent.export", _("导出人才档案")
    CONSENT_WITHDRAW = "talent.withdraw_consent", _("撤回人才档案授权")
    OPENING_CREATE = "opening.create", _("发布岗位")
    OPENING_UPDATE = "opening.update", _("修改岗位")
    OPENING_CLOSE = "opening.close", _("关闭岗位")
    APPLICATION_CREATE = "opening.apply", _("申请岗位")
    APPLICATION_MOVE = "opening.application_move", _("处理岗位申请")


class ApplicationStatus(models.TextChoices):
    """Where an application to an opening stands; rejected and hired are final."""

    RECEIVED = "received", _("已收到")
    SHORTLISTED = "shortlisted", _("入围")
    REJECTED = "rejected", _("未录用")
    HIRED = "hired", _("已录用")
