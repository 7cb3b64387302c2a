"""The project filing workflow (备案), declared once: who may take which action from which
status. The services move projects through it (`FILING.transition`, `FILING.check`); the pages
and the API show what a user may do through `selectors.allowed_actions`.

    draft ─submit→ submitted ─approve→ approved ─(key fields edited)→ submitted
      ↑               │  └──return→ returned ─submit→ submitted
      └─(edit)        └──withdraw→ withdrawn ─submit→ submitted
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.permissions import REVIEWERS_ONLY, is_owner, is_reviewer
from portal.workflow import Action, Workflow

from .choices import FilingStatus, ProjectAuditAction, ReviewAction
from .models import Project, ProjectReview

# Filing statuses in which the enterprise may edit freely (approved: with re-review on key fields).
EDITABLE_STATUSES = (FilingStatus.DRAFT, FilingStatus.RETURNED, FilingStatus.WITHDRAWN, FilingStatus.APPROVED)
DELETABLE_STATUSES = (FilingStatus.DRAFT, FilingStatus.RETURNED, FilingStatus.WITHDRAWN)
SUBMITTABLE_STATUSES = (FilingStatus.DRAFT, FilingStatus.RETURNED, FilingStatus.WITHDRAWN)

OWNER_ONLY = _("只能操作本企业的项目。")


FILING = Workflow(
    model=Project,
    status_field="filing_status",
    history_model=ProjectReview,
    history_fk="project",
    actions=[
        Action(
            "edit",
            sources=EDITABLE_STATUSES,
            permitted=is_owner,
            denied=OWNER_ONLY,
            refused=_("待审核的项目不能修改，请先撤回。"),
        ),
        Action(
            "delete",
            sources=DELETABLE_STATUSES,
            permitted=is_owner,
            denied=OWNER_ONLY,
            refused=_("已提交或已备案的项目不能删除。"),
        ),
        Action(
            "submit",
            sources=SUBMITTABLE_STATUSES,
            target=FilingStatus.SUBMITTED,
            stamp="submitted_at",
            permitted=is_owner,
            denied=OWNER_ONLY,
            refused=_("该项目当前不能提交。"),
            history=ReviewAction.SUBMITTED,
            audit=ProjectAuditAction.PROJECT_SUBMIT,
        ),
        Action(
            "withdraw",
            sources=(FilingStatus.SUBMITTED,),
            target=FilingStatus.WITHDRAWN,
            permitted=is_owner,
            denied=OWNER_ONLY,
            refused=_("只有待审核的项目可以撤回。"),
            history=ReviewAction.WITHDRAWN,
            audit=ProjectAuditAction.PROJECT_WITHDRAW,
        ),
        Action(
            "approve",
            sources=(FilingStatus.SUBMITTED,),
            target=FilingStatus.APPROVED,
            stamp="approved_at",
            permitted=is_reviewer,
            denied=REVIEWERS_ONLY,
            refused=_("只能审核待审核的项目。"),
            history=ReviewAction.APPROVED,
            audit=ProjectAuditAction.PROJECT_APPROVE,
        ),
        Action(
            "return",
            sources=(FilingStatus.SUBMITTED,),
            target=FilingStatus.RETURNED,
            permitted=is_reviewer,
            denied=REVIEWERS_ONLY,
            refused=_("只能审核待审核的项目。"),
            history=ReviewAction.RETURNED,
            audit=ProjectAuditAction.PROJECT_RETURN,
        ),
        Action(
            "report",
            sources=(FilingStatus.APPROVED,),
            permitted=is_owner,
            denied=OWNER_ONLY,
            refused=_("项目备案通过后才能填报。"),
        ),
    ],
)
