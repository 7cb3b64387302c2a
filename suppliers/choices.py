"""Statuses, categories and review steps of the preferred supplier library (优质供应商库)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.choices import PublishStatus, register_audit_actions


class SupplierStatus(models.TextChoices):
    """Where an application stands; `approved` is a listed supplier (CONTRACT.md)."""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    UNDER_REVIEW = "under_review", _("审核中")
    RETURNED = "returned", _("退回补正")
    APPROVED = "approved", _("已入库")
    REJECTED = "rejected", _("未通过")
    SUSPENDED = "suspended", _("暂停")
    REVOKED = "revoked", _("已撤销")


class CategoryCode(models.TextChoices):
    """The codes of the seeded categories (CONTRACT.md). The categories themselves are data
    (`Category`), named and given their required certificates by officials; these codes are the
    names the API and the filters use."""

    SPECIALIST_CONTRACTING = "specialist_contracting", _("专业承包")
    GREEN_MATERIALS = "green_materials", _("绿色建材")
    EQUIPMENT = "equipment", _("装备制造")
    LABOUR_SUBCONTRACTING = "labour_subcontracting", _("劳务分包")
    LEGAL = "legal", _("法务")
    TAX = "tax", _("税务")
    FINANCE_INSURANCE = "finance_insurance", _("金融保险")
    TESTING_CERTIFICATION = "testing_certification", _("检验检测认证")
    DESIGN_CONSULTING = "design_consulting", _("设计咨询")
    LOGISTICS = "logistics", _("物流")


class ReviewAction(models.TextChoices):
    """One step of an application's history."""

    SUBMITTED = "submitted", _("提交申请")
    REVIEW_STARTED = "review_started", _("开始审核")
    RETURNED = "returned", _("退回补正")
    APPROVED = "approved", _("审核通过")
    REJECTED = "rejected", _("不予入库")
    SUSPENDED = "suspended", _("暂停资格")
    AUTO_SUSPENDED = "auto_suspended", _("证书失效，自动暂停")
    REINSTATED = "reinstated", _("恢复资格")
    REVOKED = "revoked", _("撤销资格")


@register_audit_actions
class SupplierAuditAction(models.TextChoices):
    """What the supplier library records in the audit trail."""

    APPLICATION_CREATE = "supplier_application.create", _("创建入库申请")
    APPLICATION_UPDATE = "supplier_application.update", _("修改入库申请")
    APPLICATION_SUBMIT = "supplier_application.submit", _("提交入库申请")
    APPLICATION_REVIEW = "supplier_application.review", _("开始审核入库申请")
    APPLICATION_RETURN = "supplier_application.return", _("退回入库申请")
    APPLICATION_APPROVE = "supplier_application.approve", _("批准供应商入库")
    APPLICATION_REJECT = "supplier_application.reject", _("不予供应商入库")
    SUPPLIER_SUSPEND = "supplier.suspend", _("暂停供应商资格")
    SUPPLIER_REINSTATE = "supplier.reinstate", _("恢复供应商资格")
    SUPPLIER_AUTO_SUSPEND = "supplier.auto_suspend", _("证书失效自动暂停供应商资格")
    SUPPLIER_REVOKE = "supplier.revoke", _("撤销供应商资格")
    CERTIFICATE_ADD = "supplier_certificate.add", _("上传供应商证书")
    CERTIFICATE_REMOVE = "supplier_certificate.remove", _("删除供应商证书")
    RATING_SET = "supplier.rate", _("评定供应商星级")
    SUPPLY_LINK_ADD = "supply_link.add", _("登记项目供应商")
    SUPPLY_LINK_REMOVE = "supply_link.remove", _("移除项目供应商")
    REVIEW_CREATE = "performance_review.create", _("评价供应商履约")
    EVENT_CREATE = "matchmaking_event.create", _("创建对接会")
    EVENT_UPDATE = "matchmaking_event.update", _("修改对接会")
    EVENT_PUBLISH = "matchmaking_event.publish", _("发布对接会")
    EVENT_CANCEL = "matchmaking_event.cancel", _("取消对接会")
    EVENT_REGISTER = "matchmaking_event.register", _("报名对接会")
    EVENT_UNREGISTER = "matchmaking_event.unregister", _("取消对接会报名")


# A matchmaking event (对接会) is drafted by an official, published (invitations go out), or
# cancelled (kept, so the calendar feed tells subscribers): the portal's publication status.
EventStatus = PublishStatus


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("已报名")
    CANCELLED = "cancelled", _("已取消")
