"""The supplier application workflow, declared once: who may take which action from which
status. The services move suppliers through it; the pages and the API show what a user may do
through `selectors.allowed_actions`.

    draft ─submit→ submitted ─review→ under_review ─approve→ approved ⇄ suspended
      ↑                │  ↑            │   │            (suspend / reinstate)
      │                │  └─submit── returned ←─return─┘   approved/suspended ─revoke→ revoked
      │                └──(return, approve, reject straight from submitted too)
      └─(edit: draft, submitted, returned; under_review locks the form)   … ─reject→ rejected
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.permissions import REVIEWERS_ONLY, is_owner, is_reviewer
from portal.workflow import Action, Workflow

from .choices import ReviewAction, SupplierAuditAction, SupplierStatus
from .models import Supplier, SupplierReview

S = SupplierStatus
# The applicant may change its application until an official takes it up.
EDITABLE_STATUSES = (S.DRAFT, S.SUBMITTED, S.RETURNED)
SUBMITTABLE_STATUSES = (S.DRAFT, S.RETURNED)
DECIDABLE_STATUSES = (S.SUBMITTED, S.UNDER_REVIEW)
# Certificates are kept current after approval too, and a suspended supplier uploads a replacement.
CERTIFIABLE_STATUSES = (S.DRAFT, S.SUBMITTED, S.RETURNED, S.APPROVED, S.SUSPENDED)

OWNER_ONLY = _("只能操作本单位的入库申请。")
DECIDE_REFUSED = _("只能审核已提交或审核中的申请。")


APPLICATION = Workflow(
    model=Supplier,
    status_field="status",
    history_model=SupplierReview,
    history_fk="supplier",
    actions=[
        Action(
            "edit",
            sources=EDITABLE_STATUSES,
            permitted=is_owner,
            denied=OWNER_ONLY,
            refused=_("申请正在审核或已有决定，不能修改。"),
        ),
        Action(
            "certify",
            sources=CERTIFIABLE_STATUSES,
            permitted=is_owner,
            denied=OWNER_ONLY,
            refused=_("申请当前的状态不允许上传证书。"),
        ),
        Action(
            "remove_certificate",
            sources=EDITABLE_STATUSES,
            permitted=is_owner,
            denied=OWNER_ONLY,
            refused=_("申请正在审核或已入库，不能删除证书；证书到期请上传新证书。"),
        ),
        Action(
            "submit",
            sources=SUBMITTABLE_STATUSES,
            target=S.SUBMITTED,
            stamp="submitted_at",
            permitted=is_owner,
            denied=OWNER_ONLY,
            refused=_("只有草稿或退回补正的申请可以提交。"),
            history=ReviewAction.SUBMITTED,
            audit=SupplierAuditAction.APPLICATION_SUBMIT,
        ),
        Action(
            "review",
            sources=(S.SUBMITTED,),
            target=S.UNDER_REVIEW,
            permitted=is_reviewer,
            denied=REVIEWERS_ONLY,
            refused=_("只有已提交的申请可以开始审核。"),
            history=ReviewAction.REVIEW_STARTED,
            audit=SupplierAuditAction.APPLICATION_REVIEW,
        ),
        Action(
            "return",
            sources=DECIDABLE_STATUSES,
            target=S.RETURNED,
            permitted=is_reviewer,
            denied=REVIEWERS_ONLY,
            refused=DECIDE_REFUSED,
            history=ReviewAction.RETURNED,
            audit=SupplierAuditAction.APPLICATION_RETURN,
            stamp="decided_at",
        ),
        Action(
            "approve",
            sources=DECIDABLE_STATUSES,
            target=S.APPROVED,
            permitted=is_reviewer,
            denied=REVIEWERS_ONLY,
            refused=DECIDE_REFUSED,
            history=ReviewAction.APPROVED,
            audit=SupplierAuditAction.APPLICATION_APPROVE,
            stamp="approved_at",
        ),
        Action(
            "reject",
            sources=DECIDABLE_STATUSES,
            target=S.REJECTED,
            permitted=is_reviewer,
            denied=REVIEWERS_ONLY,
            refused=DECIDE_REFUSED,
            history=ReviewAction.REJECTED,
            audit=SupplierAuditAction.APPLICATION_REJECT,
            stamp="decided_at",
        ),
        Action(
            "suspend",
            sources=(S.APPROVED,),
            target=S.SUSPENDED,
            permitted=is_reviewer,
            denied=REVIEWERS_ONLY,
            refused=_("只能暂停已入库的供应商。"),
            history=ReviewAction.SUSPENDED,
            audit=SupplierAuditAction.SUPPLIER_SUSPEND,
            stamp="decided_at",
        ),
        Action(
            "reinstate",
            sources=(S.SUSPENDED,),
            target=S.APPROVED,
            permitted=is_reviewer,
            denied=REVIEWERS_ONLY,
            refused=_("只能恢复已暂停的供应商。"),
            history=ReviewAction.REINSTATED,
            audit=SupplierAuditAction.SUPPLIER_REINSTATE,
            stamp="decided_at",
        ),
        Action(
            "rate",
            sources=(S.APPROVED,),
            permitted=is_reviewer,
            denied=REVIEWERS_ONLY,
            refused=_("只能为已入库的供应商评定星级。"),
        ),
        Action(
            "revoke",
            sources=(S.APPROVED, S.SUSPENDED),
            target=S.REVOKED,
            permitted=is_reviewer,
            denied=REVIEWERS_ONLY,
            refused=_("只能撤销已入库或已暂停的供应商。"),
            history=ReviewAction.REVOKED,
            audit=SupplierAuditAction.SUPPLIER_REVOKE,
            stamp="decided_at",
        ),
    ],
)
