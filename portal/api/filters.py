"""The filter backend of every API list: django-filter's, building only the filters a request
names.

A FilterSet instance deep-copies all of its filters and builds a form with a field for each,
then validates every field, whether or not the request mentions it: on the project list (15
filters) that was about a third of the endpoint's own cost for a request that names two. A
filter that the query string does not name cleans to an empty value, and django-filter applies
no filter for an empty value, so a FilterSet restricted to the named filters returns the same
rows and the same errors. The restricted classes are subclasses of the declared one (its
methods and `Meta` unchanged), made once per combination of names and kept.

A FilterSet whose `__init__` needs a filter that the request may not name sets
`restrict_to_requested = False`. The browsable API's form (`to_html`) and the OpenAPI schema
use the whole class.
"""

from __future__ import annotations

import functools

from django.template import loader
from django_filters.rest_framework import DjangoFilterBackend


class RequestedFiltersBackend(DjangoFilterBackend):
    def get_filterset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return None
        if getattr(filterset_class, "restrict_to_requested", True):
            filterset_class = restricted(filterset_class, frozenset(request.query_params))
        return filterset_class(**self.get_filterset_kwargs(request, queryset, view))

    def to_html(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return None
        filterset = filterset_class(**self.get_filterset_kwargs(request, queryset, view))
        return loader.get_template(self.template).render({"filter": filterset}, request)


def named(filter_name: str, params: frozenset[str]) -> bool:
    """Whether the query string names the filter: its own name, or a name its widget derives
    from it (`value_min`/`value_max` of a range, `x_after`/`x_before` of a date range)."""
    return any(param == filter_name or param.startswith(filter_name + "_") for param in params)


@functools.lru_cache(maxsize=512)
def restricted(filterset_class, params: frozenset[str]):
    """`filterset_class` with only the filters that `params` name (the class itself when it
    names them all). Cached by the set of parameter names, which a client chooses: unknown
    names are dropped first so that the cache holds at most one entry per subset of filters
    actually named."""
    names = frozenset(name for name in filterset_class.base_filters if named(name, params))
    return _restricted(filterset_class, names)


@functools.lru_cache(maxsize=512)
def _restricted(filterset_class, names: frozenset[str]):
    if names == frozenset(filterset_class.base_filters):
        return filterset_class
    subclass = type(filterset_class.__name__, (filterset_class,), {"__module__": filterset_class.__module__})
    subclass.base_filters = {name: f for name, f in filterset_class.base_filters.items() if name in names}
    return subclass
