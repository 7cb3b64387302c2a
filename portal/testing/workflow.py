"""Which states a workflow step may start from: `assert_transitions`.

    assert_transitions(
        make=lambda status: ProjectFactory(organization=cast.enterprise, filing_status=status),
        action=lambda project: services.project_submit(actor=cast.owner, project=project),
        allowed=["draft", "returned", "withdrawn"],
        forbidden=["submitted", "approved"],
        expect_status="submitted",
        statuses=FilingStatus.values,
        raises=ValidationError,
    )

For each status in `allowed` a fresh record is made with `make(status)` and `action(record)`
must succeed; with `expect_status` the record's status afterwards is checked: a value, a
function of the status it started from, or GONE (the step deletes the record); with `audit`,
an AuditEvent of that action about the record must have been written. For each status
in `forbidden` the action must be refused — raise one of `raises` (by default a ValidationError,
the state's refusal, or a PermissionError, the actor's) or, for an action that answers instead
of raising (a POST), return something `refused(result)` says is a refusal — and leave
everything as it was: the record, the row counts of its model and of `watch`, and the audit
trail. With `statuses`, allowed and forbidden must together name every one of them, once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Model

from .effects import Snapshot, reload, target_events

GONE = object()  # expect_status for a step that deletes its record


def assert_transitions(
    *,
    make: Callable[[str], Model],
    action: Callable[[Model], Any],
    allowed: Iterable[str],
    forbidden: Iterable[str],
    expect_status: str | Callable[[str], str] | object | None = None,
    statuses: Iterable[str] | None = None,
    raises: type[Exception] | tuple[type[Exception], ...] = (ValidationError, PermissionError),
    refused: Callable[[Any], bool] | None = None,
    watch: Iterable[type[Model]] = (),
    audit: str | None = None,
    status_field: str = "filing_status",
) -> None:
    allowed, forbidden, watch = list(allowed), list(forbidden), tuple(watch)
    both = set(allowed) & set(forbidden)
    assert not both, f"both allowed and forbidden: {sorted(both)}"
    if statuses is not None:
        missing = set(statuses) - set(allowed) - set(forbidden)
        unknown = (set(allowed) | set(forbidden)) - set(statuses)
        assert not missing, f"neither allowed nor forbidden: {sorted(missing)}"
        assert not unknown, f"not a status: {sorted(unknown)}"

    for status in allowed:
        record = make(status)
        result = action(record)
        if refused is not None:
            assert not refused(result), (f"from {status}: refused", result)
        _check_arrival(record, status, expect_status, status_field)
        if audit is not None:
            events = target_events(type(record), record.pk).filter(action=audit)
            assert events.exists(), f"from {status}: no {audit!r} audit event"

    for status in forbidden:
        record = make(status)
        before = Snapshot(record, watch)
        if refused is None:
            with pytest.raises(raises):
                action(record)
        else:
            result = action(record)
            assert refused(result), (f"from {status}: not refused", result)
        before.assert_unchanged(f"from {status}")


def _check_arrival(record: Model, status: str, expect_status, status_field: str) -> None:
    if expect_status is None:
        return
    current = reload(record)
    if expect_status is GONE:
        assert current is None, f"from {status}: the record is still there"
        return
    assert current is not None, f"from {status}: the record is gone"
    expected = expect_status(status) if callable(expect_status) else expect_status
    got = getattr(current, status_field)
    assert got == expected, f"from {status}: {status_field} is {got!r}, not {expected!r}"
