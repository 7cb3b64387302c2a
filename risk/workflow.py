"""The bulletin workflow, declared once: officials with `publish_risk` edit drafts, publish them
and cancel published bulletins. The services (risk/bulletins.py) move bulletins through it; the
pages and the API show what a user may do from `BULLETIN.allowed_actions`.

    draft ─publish→ published ─cancel→ cancelled
      (edit: draft only)      (an update is a new draft that supersedes a published bulletin)
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.workflow import Action, Workflow

from .choices import BulletinAction, BulletinStatus, RiskAuditAction
from .models import BulletinHistory, RiskBulletin, is_publisher

B = BulletinStatus
PUBLISHERS_ONLY = _("只有具有发布风险权限的主管部门人员可以管理风险通报。")

BULLETIN = Workflow(
    model=RiskBulletin,
    status_field="status",
    history_model=BulletinHistory,
    history_fk="bulletin",
    actions=[
        Action(
            "edit",
            sources=(B.DRAFT,),
            permitted=is_publisher,
            denied=PUBLISHERS_ONLY,
            refused=_("已发布的通报不能修改，请发布更新通报。"),
        ),
        Action(
            "publish",
            sources=(B.DRAFT,),
            target=B.PUBLISHED,
            stamp="published_at",
            permitted=is_publisher,
            denied=PUBLISHERS_ONLY,
            refused=_("只有草稿可以发布。"),
            history=BulletinAction.PUBLISHED,
            audit=RiskAuditAction.BULLETIN_PUBLISH,
        ),
        Action(
            "update",
            sources=(B.PUBLISHED,),
            permitted=is_publisher,
            denied=PUBLISHERS_ONLY,
            refused=_("只有已发布的通报可以更新。"),
        ),
        Action(
            "cancel",
            sources=(B.PUBLISHED,),
            target=B.CANCELLED,
            stamp="cancelled_at",
            permitted=is_publisher,
            denied=PUBLISHERS_ONLY,
            refused=_("只有已发布的通报可以撤销。"),
            history=BulletinAction.CANCELLED,
            audit=RiskAuditAction.BULLETIN_CANCEL,
        ),
    ],
)
