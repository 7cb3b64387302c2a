"""Collecting a service's errors so that one submission reports every one of them.

A rule that raises at its first problem makes the user submit a form once per problem: the
field errors, then the rules across fields, then the rate that is missing. A service's check
runs every rule it can with what it was given and raises one ValidationError holding them all,
keyed by field, so that the page's form and the API's serializer show them in one answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


class Errors:
    """Field errors gathered from several checks, raised together by `raise_if_any()`.

    >>> errors = Errors()
    >>> with errors.collect():
    ...     instance.full_clean()
    >>> if not errors.has("currency"):
    ...     errors.add("currency", "…")
    >>> errors.raise_if_any()
    """

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, field: str | None, message) -> None:
        """One message (or a list) on `field` (None: on the whole record)."""
        messages = message if isinstance(message, list) else [message]
        self.by_field.setdefault(field or NON_FIELD_ERRORS, []).extend(messages)

    def merge(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                self.add(field, list(messages))
        else:
            self.add(None, list(error.messages))

    def has(self, *fields: str) -> bool:
        """Whether any of `fields` already has an error (a rule on it need not run)."""
        return any(field in self.by_field for field in fields)

    @contextmanager
    def collect(self) -> Iterator[None]:
        """Keep a ValidationError raised inside the block instead of letting it out."""
        try:
            yield
        except ValidationError as error:
            self.merge(error)

    def __bool__(self) -> bool:
        return bool(self.by_field)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)
