"""Pagination for the API: page numbers for small collections, cursors for large ones.

Both answer {"results": [...], "next": url|null, "previous": url|null}; clients follow `next`.
A page-number page counts the whole collection (COUNT(*)), which on 200k rows cost 20x the
page's own query; a cursor page does not count and costs the same at any depth.
"""

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination, PageNumberPagination

EMPTY = {"type": "string", "maxLength": 0}


class PageSizeMixin:
    """`?page_size=` must be one whole number from 1 (larger is capped at API_MAX_PAGE_SIZE).
    DRF ignores anything else and answers the default page, so a client's typo went unnoticed.
    The page (or cursor) itself, given more than once, is a page that does not exist (404)."""

    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE

    def _refuse_repeats(self, request, name: str, message) -> None:
        if len(request.query_params.getlist(name)) > 1:
            raise NotFound(message)

    def get_page_size(self, request):
        values = request.query_params.getlist(self.page_size_query_param)
        raw = values[0] if len(values) == 1 else ("" if not values else None)
        if raw == "":
            return self.page_size
        try:
            size = int(raw)
        except (TypeError, ValueError):
            size = 0
        if size < 1:
            raise exceptions.ValidationError({self.page_size_query_param: [_("每页条数必须是正整数。")]})
        return min(size, self.max_page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                # An empty value is the default size, as an empty filter is no filter.
                parameter["schema"] = {"anyOf": [{"type": "integer", "minimum": 1}, EMPTY]}
            elif parameter["name"] == getattr(self, "page_query_param", None):
                parameter["schema"] = {"anyOf": [parameter["schema"], EMPTY]}  # empty: the first page
        return parameters


class PagePagination(PageSizeMixin, PageNumberPagination):
    def get_page_number(self, request, paginator):
        self._refuse_repeats(request, self.page_query_param, self.invalid_page_message)
        return super().get_page_number(request, paginator)


class CursorPagePagination(PageSizeMixin, CursorPagination):
    """For large collections: newest first, no total.

    A cursor is base64 of `o=<offset>&r=<reverse>&p=<position>`, and clients may send any
    bytes in it. DRF checks the offset and the flag but passes the position straight to a
    `<field>__lt` filter, where anything that is not a value of the ordering field (`p=abc`, a
    NUL byte, a number past the column's range) was a ValueError, a 500. The position is
    checked here against the ordering field: a cursor that no page of ours could have written
    is a 404 with a message, as DRF answers for one that does not decode.
    """

    ordering = "-id"
    page_size = 50
    invalid_cursor_message = _("翻页游标无效，请从第一页重新开始。")

    def paginate_queryset(self, queryset, request, view=None):
        self._model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        self._refuse_repeats(request, self.cursor_query_param, self.invalid_cursor_message)
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            self._check_position(cursor.position)
        return cursor

    def _check_position(self, position: str) -> None:
        field = self._ordering_field()
        if "\x00" in position or field is None:
            raise NotFound(self.invalid_cursor_message)
        try:
            field.run_validators(field.to_python(position))  # an integer's range among them
        except (ValidationError, ValueError, TypeError, OverflowError):
            raise NotFound(self.invalid_cursor_message) from None

    def _ordering_field(self):
        """The model field the cursor's position is a value of (the first ordering, through
        relations), or None when it cannot be named."""
        model = getattr(self, "_model", None)
        field = None
        try:
            for part in self.ordering[0].lstrip("-").split("__"):
                if model is None:
                    return None
                field = model._meta.get_field(part)
                model = field.related_model
        except (FieldDoesNotExist, AttributeError):
            return None
        if field is not None and field.is_relation:
            field = field.target_field
        return field
