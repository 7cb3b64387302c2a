"""Stages, filing statuses, sectors and business models of overseas projects."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.choices import register_audit_actions

# The years a report, a survey or an estimate may name (one range for models, forms and API).
FIRST_YEAR, LAST_YEAR = 2000, 2100


class Stage(models.TextChoices):
    INTENDED = "intended", _("意向")
    TRACKING = "tracking", _("跟踪")
    SIGNED = "signed", _("已签约")
    UNDER_CONSTRUCTION = "under_construction", _("在建")
    COMPLETED = "completed", _("竣工")
    OPERATING = "operating", _("运营")
    SUSPENDED = "suspended", _("暂停")


class FilingStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已备案")
    RETURNED = "returned", _("已退回")
    WITHDRAWN = "withdrawn", _("已撤回")


class Sector(models.TextChoices):
    TRANSPORT = "transport", _("交通运输")
    BUILDING = "building", _("房屋建筑")
    POWER = "power", _("电力工程")
    WATER = "water", _("水利工程")
    PETROCHEMICAL = "petrochemical", _("石油化工")
    TELECOM = "telecom", _("通讯工程")
    INDUSTRIAL = "industrial", _("工业建设")
    MUNICIPAL = "municipal", _("市政工程")
    MINING = "mining", _("矿业")
    MANUFACTURING = "manufacturing", _("制造业")
    AGRICULTURE = "agriculture", _("农业")
    OTHER = "other", _("其他")


class BusinessModel(models.TextChoices):
    EPC = "epc", _("工程总承包（EPC）")
    GENERAL_CONTRACTING = "general_contracting", _("施工总承包")
    SUBCONTRACTING = "subcontracting", _("专业分包")
    DESIGN_CONSULTING = "design_consulting", _("设计咨询")
    LABOUR_COOPERATION = "labour_cooperation", _("劳务合作")
    PPP = "ppp", _("PPP")
    BOT = "bot", _("BOT/BOOT")
    GREENFIELD = "greenfield", _("绿地投资")
    MERGER_ACQUISITION = "merger_acquisition", _("并购")
    EQUITY = "equity", _("参股投资")


# 投资项目: business models in which the firm invests rather than (only) builds.
INVESTMENT_MODELS = frozenset(
    {
        BusinessModel.PPP,
        BusinessModel.BOT,
        BusinessModel.GREENFIELD,
        BusinessModel.MERGER_ACQUISITION,
        BusinessModel.EQUITY,
    }
)


class Library(models.TextChoices):
    """The seeds' project libraries, as views over stage and business model."""

    INTENDED = "intended", _("意向项目库")
    UNDER_CONSTRUCTION = "under_construction", _("在建项目库")
    OPERATING = "operating", _("运营与投资项目库")
    COMPLETED = "completed", _("竣工项目库")


LIBRARY_STAGES = {
    Library.INTENDED: (Stage.INTENDED, Stage.TRACKING),
    Library.UNDER_CONSTRUCTION: (Stage.SIGNED, Stage.UNDER_CONSTRUCTION),
    Library.OPERATING: (Stage.OPERATING,),  # and every investment project, see filtersets
    Library.COMPLETED: (Stage.COMPLETED,),
}


class ReviewAction(models.TextChoices):
    SUBMITTED = "submitted", _("提交备案")
    APPROVED = "approved", _("审核通过")
    RETURNED = "returned", _("退回修改")
    WITHDRAWN = "withdrawn", _("撤回")
    REOPENED = "reopened", _("关键信息变更，重新审核")


class Half(models.IntegerChoices):
    FIRST = 1, _("上半年")
    SECOND = 2, _("下半年")


@register_audit_actions
class ProjectAuditAction(models.TextChoices):
    """What the project library records in the audit trail."""

    PROJECT_CREATE = "project.create", _("登记项目")
    PROJECT_UPDATE = "project.update", _("修改项目")
    PROJECT_DELETE = "project.delete", _("删除项目")
    PROJECT_SUBMIT = "project.submit", _("提交备案")
    PROJECT_WITHDRAW = "project.withdraw", _("撤回备案")
    PROJECT_APPROVE = "project.approved", _("备案通过")
    PROJECT_RETURN = "project.returned", _("备案退回")
    REPORT_CREATE = "report.create", _("填报半年报")
    REPORT_CORRECT = "report.correct", _("更正半年报")
    EXCHANGE_RATE_SET = "exchange_rate.set", _("设置汇率")
    SURVEY_OPEN = "survey.open", _("发起意向项目调查")
    SURVEY_RESPOND = "survey.respond", _("答复意向项目调查")
    PLAN_SET = "emergency_plan.set", _("更新应急预案")
    DRILL_ADD = "emergency_drill.add", _("登记应急演练")
