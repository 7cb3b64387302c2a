"""The base of every FilterSet in the portal, and filters bounded to what a column can hold.

django-filter reads an integer filter (`?organization=`, `?year=`, a model's integer field
named in `Meta.fields`) with a DecimalField, capped at 1e50. A value past 64 bits then reaches
the database: SQLite's driver raises OverflowError ("Python int too large to convert to SQLite
INTEGER"), a 500 on every list, map, statistics and review page and on the API behind them,
while PostgreSQL silently compares a bigint with a numeric. Here such a filter is an
IntegerField limited to a 64-bit column's range (an id to 1 and up), so the value is a form
error: a 400 on the API, the page with the field's message.

Every FilterSet derives from `portal.filters.FilterSet` (a test walks them all), so integer
model fields in `Meta.fields` get `IntegerFilter` and declared filters use `IntegerFilter` or
`IdFilter` rather than django-filter's NumberFilter for integers.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_filters.filterset import FILTER_FOR_DBFIELD_DEFAULTS
from drf_spectacular.utils import extend_schema_field

BIGINT_MIN = -(2**63)
BIGINT_MAX = 2**63 - 1


def integer_schema(min_value: int = BIGINT_MIN, max_value: int = BIGINT_MAX) -> dict:
    """The OpenAPI schema of a bounded integer (for a parameter a view reads itself)."""
    return {"type": "integer", "minimum": min_value, "maximum": max_value}


class IntegerFilter(django_filters.NumberFilter):
    """A whole number within a 64-bit column's range (narrower with min_value/max_value)."""

    field_class = forms.IntegerField

    def __init__(self, *args, min_value: int = BIGINT_MIN, max_value: int = BIGINT_MAX, **kwargs):
        min_value, max_value = max(min_value, BIGINT_MIN), min(max_value, BIGINT_MAX)
        super().__init__(*args, min_value=min_value, max_value=max_value, **kwargs)
        # The OpenAPI schema says so (drf-spectacular reads a NumberFilter as `number`).
        extend_schema_field(integer_schema(min_value, max_value))(self)

    def get_max_validator(self):
        return None  # the field's own max_value is the bound


class IdFilter(IntegerFilter):
    """A row's id (or a foreign key's): 1 up to the largest 64-bit integer."""

    def __init__(self, *args, min_value: int = 1, **kwargs):
        super().__init__(*args, min_value=min_value, **kwargs)


class StrictNullBooleanSelect(forms.NullBooleanSelect):
    """Django's select reads any value it does not know as "unknown" (and "2" as true): pass
    the value on as sent, for the field to refuse."""

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class StrictNullBooleanField(forms.NullBooleanField):
    """`true` or `false`; empty or "unknown" (what Django's select sends for neither) is no
    filter. Anything else is an error, where django-filter's field quietly read it as none."""

    widget = StrictNullBooleanSelect
    VALUES = {"true": True, "false": False, "": None, "unknown": None}

    def to_python(self, value):
        if value in (True, False, None):
            return value
        try:
            return self.VALUES[str(value)]
        except KeyError:
            raise forms.ValidationError(_("请填写 true 或 false。"), code="invalid") from None

    def validate(self, value):
        pass


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictNullBooleanField


class FilterSet(django_filters.FilterSet):
    FILTER_DEFAULTS = {
        **FILTER_FOR_DBFIELD_DEFAULTS,
        models.BooleanField: {"filter_class": BooleanFilter},
        models.AutoField: {"filter_class": IdFilter},
        models.BigAutoField: {"filter_class": IdFilter},
        models.SmallAutoField: {"filter_class": IdFilter},
        models.SmallIntegerField: {"filter_class": IntegerFilter},
        models.IntegerField: {"filter_class": IntegerFilter},
        models.PositiveIntegerField: {"filter_class": IntegerFilter},
        models.PositiveSmallIntegerField: {"filter_class": IntegerFilter},
        models.PositiveBigIntegerField: {"filter_class": IntegerFilter},
    }

    def get_form_class(self):
        """The filters' form, refusing a single-valued filter given more than once
        (`?region=africa&region=europe`), which would otherwise keep the last and drop the rest."""
        single = [
            name
            for name, filter_ in self.filters.items()
            if not isinstance(filter_, django_filters.MultipleChoiceFilter | django_filters.filters.BaseCSVFilter)
        ]

        class Form(super().get_form_class()):
            def clean(self):
                cleaned = super().clean()
                getlist = getattr(self.data, "getlist", None)
                for name in single if getlist else ():
                    if name in self.fields and len(getlist(self.add_prefix(name))) > 1:
                        self.add_error(name, _("此筛选条件只能有一个值。"))
                return cleaned

        return Form
