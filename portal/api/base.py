"""Base classes every API resource uses, so that scoping is decided in one place.

A ViewSet names its queryset; reads go through `visible_to(user)` and writes through
`editable_by(user)`. A record outside the reader's scope is a 404; one the user may see but not
change is a 403.
"""

from rest_framework import viewsets
from rest_framework.exceptions import PermissionDenied

from . import statements

WRITE_ACTIONS = frozenset({"update", "partial_update", "destroy"})
# Query parameters that only choose a page; the filter backends have nothing to do with them.
PAGE_PARAMS = frozenset({"page", "page_size", "cursor", "format"})


class ScopedViewSetMixin:
    #: Extra actions (workflow steps) that also need the record to be editable by the user.
    editable_actions: frozenset[str] = frozenset()

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)

    def filter_queryset(self, queryset):
        # With no filter, search or ordering asked for, the backends would only build and
        # validate an empty FilterSet: about 0.4 ms a request on the inbox. Skip them then.
        if getattr(self, "ordering", None) is None and not (set(self.request.query_params) - PAGE_PARAMS):
            return queryset
        return super().filter_queryset(queryset)

    def paginate_values(self, columns):
        """The page of a hot list, as `values(*columns)` rows: the filtered, scoped queryset
        paginated, with the page's SQL remembered per request shape where the paginator can
        (portal/api/statements.py). The queryset must depend on nothing but that shape."""

        def build():
            return self.filter_queryset(self.get_queryset()).values(*columns)

        paginator = self.paginator
        key = statements.page_key(self) if hasattr(paginator, "paginate_remembered") else None
        if key is None:
            return self.paginate_queryset(build())
        return paginator.paginate_remembered(build, self.request, self, key=key)

    def get_object(self):
        obj = super().get_object()
        if self.action in WRITE_ACTIONS or self.action in self.editable_actions:
            model = type(obj)
            if not model._default_manager.editable_by(self.request.user).filter(pk=obj.pk).exists():
                raise PermissionDenied
        return obj


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    pass


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass
