"""Workflows: the states a record moves through, who may move it, and one way of moving it.

A part declares its workflow once, as data:

    FILING = Workflow(
        model=Project,
        status_field="filing_status",
        history_model=ProjectReview,
        history_fk="project",
        actions=[
            Action("submit", sources=(DRAFT, RETURNED), target=SUBMITTED, permitted=is_owner,
                   denied=..., refused=..., audit=AuditAction.PROJECT_SUBMIT,
                   history=ReviewAction.SUBMITTED, stamp="submitted_at"),
            Action("edit", sources=(DRAFT, RETURNED, APPROVED), permitted=is_owner, ...),  # no target
            ...
        ],
    )

and then:
- `FILING.allowed_actions(obj=..., user=...)` is the set of action names the user may take on the
  record now: templates show buttons from it, the API documents it, and the services'
  guards ask the same question through `FILING.check(...)`;
- `FILING.transition(name, obj=..., actor=..., comment=...)` locks the row, checks the actor's
  permission first and then the source state, sets the new status (and its time stamp), saves
  with `update_fields`, writes a history row, records the audit event and calls `notify` (which
  queues its work after commit). It returns the locked, updated record and the history row.

Authorisation comes before validation: an actor who may not take the action gets a
PermissionError (a 403) whatever the state of the record or the input; one who may, but not
from this state, gets a ValidationError (a 400) with the action's `refused` message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Action:
    """One thing a user may do to a record of a workflow.

    An action with a `target` moves the record to that status; one without (edit, delete,
    report) is only guarded by the workflow: its service does the work after `check`.
    """

    name: str
    sources: tuple[str, ...]
    permitted: Callable[[Any, models.Model], bool]
    denied: str = _("您没有执行该操作的权限。")
    refused: str = _("该记录当前的状态不允许此操作。")
    target: str | None = None
    audit: str = ""
    history: str | None = None
    stamp: str | None = None
    label: str = ""
    #: Extra fields the transition sets (name -> callable(obj) giving the value).
    sets: dict[str, Callable[[models.Model], Any]] = field(default_factory=dict)


class Workflow:
    def __init__(
        self,
        *,
        model: type[models.Model],
        status_field: str,
        actions: Iterable[Action],
        history_model: type[models.Model] | None = None,
        history_fk: str | None = None,
    ) -> None:
        self.model = model
        self.status_field = status_field
        self.actions = {action.name: action for action in actions}
        self.history_model = history_model
        self.history_fk = history_fk

    def __getitem__(self, name: str) -> Action:
        return self.actions[name]

    def status(self, obj) -> str:
        return getattr(obj, self.status_field)

    def allowed_actions(self, *, obj, user) -> frozenset[str]:
        """The actions `user` may take on `obj` in its current state."""
        if user is None or not user.is_authenticated:
            return frozenset()
        status = self.status(obj)
        return frozenset(
            name for name, action in self.actions.items() if status in action.sources and action.permitted(user, obj)
        )

    def authorise(self, name: str, *, obj, actor) -> None:
        """PermissionError unless `actor` may take action `name` on `obj` at all (any state)."""
        action = self.actions[name]
        if actor is None or not actor.is_authenticated or not action.permitted(actor, obj):
            raise PermissionError(str(action.denied))

    def check(self, name: str, *, obj, actor) -> Action:
        """Authorise, then check the state: PermissionError, or ValidationError(refused)."""
        self.authorise(name, obj=obj, actor=actor)
        action = self.actions[name]
        if self.status(obj) not in action.sources:
            raise ValidationError(str(action.refused))
        return action

    def lock(self, obj):
        """The record again, locked for the rest of the transaction."""
        return self.model._default_manager.select_for_update(of=("self",)).get(pk=obj.pk)

    @transaction.atomic
    def transition(
        self,
        name: str,
        *,
        obj,
        actor,
        comment: str = "",
        validate: Callable[[models.Model], None] | None = None,
        update_fields: Iterable[str] = (),
        notify: Callable[[models.Model, models.Model | None], None] | None = None,
        audit_data: dict[str, Any] | None = None,
    ):
        """Take action `name` on `obj`; returns (the updated record, its history row or None).

        `validate(obj)` runs after the permission and state checks, on the locked row, for
        input rules (e.g. a required comment) and preparing values; `update_fields` names the
        extra fields it set. `notify(obj, history)` tells people (queue work after commit).
        """
        from .services import audit_record

        self.authorise(name, obj=obj, actor=actor)
        obj = self.lock(obj)
        action = self.check(name, obj=obj, actor=actor)
        if validate is not None:
            validate(obj)
        fields = list(update_fields)
        if action.target is not None:
            setattr(obj, self.status_field, action.target)
            fields.append(self.status_field)
        if action.stamp:
            setattr(obj, action.stamp, timezone.now())
            fields.append(action.stamp)
        for attr, value in action.sets.items():
            setattr(obj, attr, value(obj))
            fields.append(attr)
        if any(f.name == "updated_at" for f in obj._meta.concrete_fields):
            fields.append("updated_at")
        obj.save(update_fields=sorted(set(fields)))
        history = None
        if action.history and self.history_model is not None:
            history = self.history_model.objects.create(
                **{self.history_fk: obj}, action=action.history, actor=actor, comment=comment
            )
        if action.audit:
            data = dict(audit_data or {})
            if comment:
                data.setdefault("comment", comment)
            audit_record(actor=actor, action=action.audit, target=obj, **data)
        if notify is not None:
            notify(obj, history)
        return obj, history
