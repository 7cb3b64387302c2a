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
from django.http import QueryDict
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


class CheckboxDropdown(forms.CheckboxSelectMultiple):
    """A multiple-choice filter as a drop-down of checkboxes (a <details>, nothing to Ctrl-click;
    portal/includes/filter_bar.html): none ticked is `empty_label` ("全部行业"), no filter."""

    def __init__(self, empty_label, attrs=None, choices=()):
        super().__init__(attrs, choices)
        self.empty_label = empty_label


class FilterBar:
    """What portal/includes/filter_bar.html shows of a FilterSet's form: the fields (hidden ones
    carried as they are), the active filters as chips that each remove one value, and the link
    that clears them all. Mixed into a page's FilterSet, which is built with `request=`.

    `carry` names parameters of the page that are not filters (`by` of the statistics) and
    stay in the form as hidden inputs.
    """

    carry: tuple[str, ...] = ()

    def visible_fields(self):
        return [field for field in self.form if not field.is_hidden]

    def hidden_fields(self):
        return [field for field in self.form if field.is_hidden]

    def carried(self) -> list[tuple[str, str]]:
        data = self.data or {}
        return [(name, data.get(name)) for name in self.carry if data.get(name)]

    def _query(self, **replace: list[str]) -> str:
        """The page's query string without `page`, with the named parameters' values replaced."""
        query = self.data.copy() if hasattr(self.data, "copy") else QueryDict(mutable=True)
        query.pop("page", None)
        for name, values in replace.items():
            query.setlist(name, values)
        encoded = query.urlencode()
        return f"{self.request.path}?{encoded}" if encoded else self.request.path

    @staticmethod
    def _labels(field) -> dict[str, str]:
        widget = field.field.widget
        choices = getattr(widget, "choices", None) or getattr(field.field, "choices", None) or ()
        return {str(value): str(label) for value, label in choices if not isinstance(label, list | tuple)}

    def chips(self) -> list[dict[str, str]]:
        """The active filters of the bar's fields, one chip per value: `label`, `value` (as the
        field names it) and `remove` (this page without that one value)."""
        data = self.data or {}
        getlist = getattr(data, "getlist", lambda name: [data[name]] if name in data else [])
        chips = []
        for field in self.visible_fields():
            values = [value for value in getlist(field.html_name) if value]
            if not values:
                continue
            labels = self._labels(field)
            for value in values:
                rest = [other for other in getlist(field.html_name) if other != value]
                chips.append(
                    {
                        "name": field.html_name,
                        "label": str(field.label),
                        "value": labels.get(value) or labels.get(value.upper()) or value,
                        "remove": self._query(**{field.html_name: rest}),
                    }
                )
        return chips

    def clear_url(self) -> str:
        """This page without any of the bar's filters (the carried parameters and tabs stay)."""
        return self._query(**{field.html_name: [] for field in self.visible_fields()})

    def has_errors(self) -> bool:
        return bool(self.form.errors)
