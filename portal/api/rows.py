"""Fast representation of hot lists, built from the serializer's own `Meta.fields`.

DRF's generic walk over a serializer's fields costs about 0.2 ms a row over 27 fields: the bulk
of a 50-row list page. `RowSerializerMixin` compiles, once per serializer class, a plan from
the declared fields (their source, and how DRF writes their type) and applies it to a
`values()` row or a model instance. The field list stays in one place, `Meta.fields`; the
columns a list reads with `values()` are derived from it (`row_columns()`).

    class ProjectSerializer(RowSerializerMixin, serializers.ModelSerializer):
        class Meta:
            model = Project
            fields = [...]
            private_fields = ("contract_value", ...)   # None unless row[private_flag] is true
            private_flag = "figures_visible"

        def to_representation(self, instance):
            return self.represent_row(instance)

A test compares `represent_row` with DRF's own `to_representation` for every field.

Datetimes were most of what is left: `isoformat()` costs about a microsecond in Python, and a
50-row project page writes 200 of them. When the page is rendered by the API's orjson renderer
(portal/api/renderers.py), the rows carry each datetime converted to the reader's time zone and
orjson writes it, in what DRF's DateTimeField would write ("Z" for UTC), about fifty times
faster. `serializer.data` of such a page holds datetimes rather than strings; any other
renderer (the browsable API's forms, a test without a request) gets the strings.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, ClassVar

from django.utils import timezone
from rest_framework import fields as drf_fields
from rest_framework import relations, serializers
from rest_framework.settings import api_settings

from .serializers import datetime_for_orjson, datetime_text, rendered_by_orjson


def _identity(value, tz):
    return value


def _decimal_writer(places: int | None) -> Callable[[Any], Any]:
    quantum = Decimal(1).scaleb(-places) if places is not None else None

    def write(value, tz):
        if value is None:
            return None
        value = Decimal(value)
        if quantum is not None:
            value = value.quantize(quantum, rounding=ROUND_HALF_EVEN)
        return f"{value:f}"

    return write


def _date(value, tz):
    return None if value is None else value.isoformat()


def _datetime(value, tz):
    """As DRF's DateTimeField writes it (portal.api.serializers.datetime_text), in the time
    zone `tz` looked up once per page."""
    return datetime_text(value, tz)


def _writer(field: drf_fields.Field, *, for_orjson: bool = False) -> Callable[[Any], Any]:
    if isinstance(field, drf_fields.DecimalField):
        as_string = getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
        return _decimal_writer(field.decimal_places) if as_string else _identity
    if isinstance(field, drf_fields.DateTimeField):
        return datetime_for_orjson if for_orjson else _datetime
    if isinstance(field, drf_fields.DateField):
        return _date
    return _identity


class RowListSerializer(serializers.ListSerializer):
    """Looks up the current time zone once per page for the rows' datetimes, and leaves them
    to orjson when the page is rendered by it."""

    def to_representation(self, data):
        tz = timezone.get_current_timezone()
        iterable = data.all() if hasattr(data, "all") else data
        for_orjson = rendered_by_orjson(self.context.get("request"))
        return [self.child.represent_row(item, tz, for_orjson=for_orjson) for item in iterable]


class _RowPlan:
    """How a serializer's fields are read and written, compiled once per class and renderer.

    `fields`: (name, column, path, writer, private) per field, for model instances.
    For a `values()` row it is laid out for C to do most of the work: the columns read in one
    `itemgetter` call, the writers applied only where a type needs one (dates, datetimes,
    decimals: about a third of the project list's 27 fields), and the dict built by `zip`.
    Walking all 27 fields in Python, an identity call each, was most of the page's Python."""

    __slots__ = ("every", "fields", "public")

    def __init__(self, fields: tuple[tuple[str, str, tuple[str, ...], Callable, bool], ...]) -> None:
        self.fields = fields
        self.every = _Layout(fields)
        # A row whose private figures are not shown: its other columns only (a list may leave
        # the private ones out of its statement), written over every name set to None.
        self.public = _Layout(
            tuple(field for field in fields if not field[4]),
            template=dict.fromkeys(name for name, *_rest in fields),
        )


class _Layout:
    """Some of a plan's fields as a `values()` row is written: the columns read by one getter,
    the positions whose values need a writer, and the dict built by `zip` (over `template`,
    a dict of every field set to None, when fields are left out: it keeps DRF's key order)."""

    __slots__ = ("converted", "getter", "names", "template")

    def __init__(self, fields, *, template: dict | None = None) -> None:
        self.names = tuple(name for name, _column, _path, _write, _private in fields)
        columns = [column for _name, column, _path, _write, _private in fields]
        # itemgetter of one key returns the value, not a 1-tuple; of none, it is an error.
        self.getter = operator.itemgetter(*columns) if len(columns) > 1 else lambda row: tuple(row[c] for c in columns)
        self.converted = tuple(
            (position, write) for position, (_n, _c, _p, write, _private) in enumerate(fields) if write is not _identity
        )
        self.template = template

    def write(self, row: dict, tz) -> dict[str, Any]:
        values = list(self.getter(row))
        for position, write in self.converted:
            value = values[position]
            if value is not None:  # every writer writes None as None
                values[position] = write(value, tz)
        if self.template is None:
            return dict(zip(self.names, values, strict=True))
        out = self.template.copy()
        out.update(zip(self.names, values, strict=True))
        return out


class RowSerializerMixin:
    """Represent a `values()` row or an instance by a plan compiled from `Meta.fields`."""

    _row_plans: ClassVar[dict[tuple[type, bool], _RowPlan]] = {}

    @classmethod
    def _plan(cls, *, for_orjson: bool = False) -> _RowPlan:
        plan = cls._row_plans.get((cls, for_orjson))
        if plan is None:
            private = set(getattr(cls.Meta, "private_fields", ()))
            fields = []
            for name, field in cls().fields.items():
                if isinstance(field, relations.RelatedField) and "." not in field.source:
                    column, path = f"{field.source}_id", (f"{field.source}_id",)
                else:
                    column, path = field.source.replace(".", "__"), tuple(field.source.split("."))
                fields.append((name, column, path, _writer(field, for_orjson=for_orjson), name in private))
            plan = cls._row_plans[(cls, for_orjson)] = _RowPlan(tuple(fields))
        return plan

    @classmethod
    def row_columns(cls, *, private: bool = True) -> tuple[str, ...]:
        """The `values()` columns a list reads for this serializer; without the private
        fields' when no row of the list may show them (`private=False`)."""
        return tuple(
            column for _name, column, _path, _write, is_private in cls._plan().fields if private or not is_private
        )

    def represent_row(self, instance, tz=None, *, for_orjson: bool = False) -> dict[str, Any]:
        """The row as DRF would represent it; with `for_orjson`, datetimes are left for the
        orjson renderer to write (see above)."""
        if tz is None:
            tz = timezone.get_current_timezone()
        flag = getattr(self.Meta, "private_flag", None)
        if isinstance(instance, dict):
            plan = self._plan(for_orjson=for_orjson)
            return (plan.public if flag and not instance.get(flag) else plan.every).write(instance, tz)
        visible = self.private_visible(instance) if flag else True
        out = {}
        for name, _column, path, write, private in self._plan(for_orjson=for_orjson).fields:
            if private and not visible:
                out[name] = None
                continue
            value = instance
            for part in path:
                value = getattr(value, part)
                if value is None:
                    break
            out[name] = write(value, tz)
        return out

    def private_visible(self, instance) -> bool:
        """For an instance without the annotation: the serializer says (override)."""
        return bool(getattr(instance, self.Meta.private_flag, False))
