"""Pagination for the API: page numbers for small collections, cursors for large ones.

Both answer {"results": [...], "next": url|null, "previous": url|null}; clients follow `next`.
A page-number page counts the whole collection (COUNT(*)), which on 200k rows cost 20x the
page's own query; a cursor page does not count and costs the same at any depth. A cursor page
of a hot list can run a remembered statement in place of its queryset (`paginate_remembered`,
portal/api/statements.py).
"""

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination, PageNumberPagination, _reverse_ordering

from . import statements

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

    # DRF's paginate_queryset, in three steps so that a remembered page statement
    # (portal/api/statements.py) can stand in for the middle one: read the request (page
    # size, ordering, cursor), make the page's queryset, and read the positions off its rows.

    def paginate_queryset(self, queryset, request, view=None):
        if not self._begin(request, queryset, view):
            return None
        return self._finish(list(self._page_queryset(queryset)))

    def paginate_remembered(self, build, request, view, *, key):
        """`paginate_queryset(build(), ...)` for a `values()` list, with the page's statement
        remembered under `key` (statements.page_key): a request of a shape seen before runs
        it without building the queryset. The first of a shape takes the ordinary path, so its
        errors are answered as before."""
        entry = statements.STATEMENTS.get(key)
        if entry is not None and not statements.check_enabled():
            statement, self.page_size, self.ordering, self.cursor = entry
            self.request = request
            self.base_url = request.build_absolute_uri()
            return self._finish(statement.rows(prepare=True))
        queryset = build()
        if not self._begin(request, queryset, view):
            return None
        statement = statements.PageStatement.compile(self._page_queryset(queryset))
        if entry is not None and entry[0] != statement:
            raise AssertionError(
                f"the remembered page statement of {key!r} differs from a fresh one: the list's "
                f"queryset depends on more than its key\nremembered: {entry[0]}\nfresh: {statement}"
            )
        statements.STATEMENTS.put(key, (statement, self.page_size, self.ordering, self.cursor))
        # Seen before: worth preparing in the session (the check path prepares too, so the
        # suite runs the prepared statements a server runs).
        return self._finish(statement.rows(prepare=entry is not None))

    def _begin(self, request, queryset, view) -> bool:
        self._model = queryset.model
        self.request = request
        self.page_size = self.get_page_size(request)
        if not self.page_size:
            return False
        self.base_url = request.build_absolute_uri()
        self.ordering = self.get_ordering(request, queryset, view)
        self.cursor = self.decode_cursor(request)
        return True

    def _page_queryset(self, queryset):
        offset, reverse, position = (0, False, None) if self.cursor is None else self.cursor
        # Cursor pagination always enforces an ordering.
        if reverse:
            queryset = queryset.order_by(*_reverse_ordering(self.ordering))
        else:
            queryset = queryset.order_by(*self.ordering)
        if position is not None:
            order = self.ordering[0]
            # (cursor reversed) XOR (queryset reversed)
            lookup = "__lt" if self.cursor.reverse != order.startswith("-") else "__gt"
            queryset = queryset.filter(**{order.lstrip("-") + lookup: position})
        # One more row than the page, to tell whether a page follows.
        return queryset[offset : offset + self.page_size + 1]

    def _finish(self, results: list):
        offset, reverse, position = (0, False, None) if self.cursor is None else self.cursor
        self.page = list(results[: self.page_size])
        if len(results) > len(self.page):
            has_following, following = True, self._get_position_from_instance(results[-1], self.ordering)
        else:
            has_following, following = False, None
        if reverse:
            # The query ran in reverse: the page is put back in order.
            self.page = list(reversed(self.page))
            self.has_next = position is not None or offset > 0
            self.has_previous = has_following
            if self.has_next:
                self.next_position = position
            if self.has_previous:
                self.previous_position = following
        else:
            self.has_next = has_following
            self.has_previous = position is not None or offset > 0
            if self.has_next:
                self.next_position = following
            if self.has_previous:
                self.previous_position = position
        if (self.has_previous or self.has_next) and self.template is not None:
            self.display_page_controls = True
        return self.page

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
