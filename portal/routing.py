"""URL resolution that remembers where a path led, for the API's many routes.

Django resolves a path by trying each pattern in turn. Under /api/v1/ there are about 170 of
them (every resource's list, detail and actions, each twice for the format suffix), and a
request to a resource registered late tried most of them first: 20–60 µs of every API request,
measured on the bench's no-op request (bench/urls.py), before the view did anything.

`remembered(path("api/v1/", include(...)))` returns the same resolver, answering a path it has
resolved before from a bounded LRU memo instead of trying the patterns again. What it answers
is what Django would: the memo holds Django's own `ResolverMatch` for the path (and the active
language, should a route be translated), and a path that does not resolve is not remembered, so
a 404 is worked out afresh each time. The patterns themselves are fixed once the URLconf is
imported; a test that swaps ROOT_URLCONF gets a new root resolver and its own memo.
"""

from __future__ import annotations

import functools

from django.urls import URLResolver
from django.utils.translation import get_language

# Paths with a record's id in them vary; lists and actions do not. A few hundred entries cover
# the lists and the recently used records; each holds Django's match and its list of patterns
# tried before it (a few kilobytes).
DEFAULT_SIZE = 512


class RememberingResolver(URLResolver):
    """A URLResolver whose successful `resolve(path)` answers are kept in an LRU memo."""

    def __init__(self, *args, size: int = DEFAULT_SIZE, **kwargs):
        super().__init__(*args, **kwargs)
        self._resolve_remembered = functools.lru_cache(maxsize=size)(self._resolve_afresh)

    def resolve(self, path):
        return self._resolve_remembered(str(path), get_language())

    def _resolve_afresh(self, path: str, language: str | None):
        # `language` is part of the memo's key only: Django's resolve reads the active one.
        return super().resolve(path)

    def forget(self) -> None:
        """Empty the memo (the patterns are fixed; a test that rebuilds them calls this)."""
        self._resolve_remembered.cache_clear()


def remembered(resolver: URLResolver, *, size: int = DEFAULT_SIZE) -> RememberingResolver:
    """The resolver `path(route, include(...))` made, remembering what its paths resolve to."""
    if not isinstance(resolver, URLResolver):
        raise TypeError("remembered() takes the resolver of path(route, include(...)), not a single view's pattern")
    return RememberingResolver(
        resolver.pattern,
        resolver.urlconf_name,
        resolver.default_kwargs,
        resolver.app_name,
        resolver.namespace,
        size=size,
    )
