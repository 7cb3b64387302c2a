"""What a write did, for the permission matrices and the transition checks.

`Snapshot` remembers a record, how many rows its model and a few others have, and how many
audit events exist; `assert_unchanged()` says a refused write left all of it alone. The
`assert_audited*` helpers say a successful write left its trace in the audit trail
(portal.models.AuditEvent, written by the service functions).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model
from django.forms.models import model_to_dict

from portal.models import AuditEvent

#: A check of a successful write: given the record read back from the database (None when the
#: write deleted it), whether the write had its effect.
Effect = Callable[[Any], bool]


def reload(record: Model | None) -> Model | None:
    """`record` as the database has it now, or None when it no longer exists."""
    if record is None:
        return None
    return type(record)._default_manager.filter(pk=record.pk).first()


def target_events(model: type[Model], pk: Any):
    """The audit events written about the row `pk` of `model`."""
    return AuditEvent.objects.filter(target_type=model._meta.label_lower, target_id=str(pk))


@dataclass
class Snapshot:
    """A record (or None), the row counts of its model and of `watch`, and the audit trail's
    length, taken before a request or a service call."""

    record: Model | None
    watch: Iterable[type[Model]] = ()
    values: dict[str, Any] | None = field(init=False)
    counts: dict[type[Model], int] = field(init=False)
    audit_count: int = field(init=False)
    target_audit_count: int = field(init=False)

    def __post_init__(self):
        models = [*self.watch]
        if self.record is not None:
            models.insert(0, type(self.record))
        self.values = model_to_dict(self.record) if self.record is not None else None
        self.counts = {model: model._default_manager.count() for model in dict.fromkeys(models)}
        self.audit_count = AuditEvent.objects.count()
        self.target_audit_count = (
            target_events(type(self.record), self.record.pk).count() if self.record is not None else 0
        )

    def assert_unchanged(self, context: Any = "") -> None:
        """Nothing was written: the record as it was, no row added or removed, no audit event."""
        counts = {model: model._default_manager.count() for model in self.counts}
        assert counts == self.counts, (context, "rows added or removed", self.counts, counts)
        assert AuditEvent.objects.count() == self.audit_count, (context, "an audit event was written")
        if self.record is not None:
            current = reload(self.record)
            assert current is not None, (context, "the record was deleted")
            assert model_to_dict(current) == self.values, (context, self.values, model_to_dict(current))

    def assert_audited(self, context: Any = "") -> None:
        """At least one audit event was written since the snapshot."""
        assert AuditEvent.objects.count() > self.audit_count, (context, "no audit event was written")

    def assert_record_audited(self, context: Any = "") -> None:
        """An audit event about this snapshot's record was written since the snapshot."""
        assert self.record is not None
        count = target_events(type(self.record), self.record.pk).count()
        assert count > self.target_audit_count, (context, f"no audit event for {self.record!r}")


def assert_effect(effect: Effect | None, record: Model | None, context: Any = "") -> None:
    """`effect(record read back)` holds, when an effect is declared."""
    if effect is not None:
        current = reload(record)
        assert effect(current), (context, "the write did not have its effect", current)
