"""Chinese substring search over project names and locations.

Most Chinese words are two characters, and pg_trgm cannot use its index for queries under three
characters. So each project stores `search_text`: its lower-cased name, English name and
location followed by every single character and every pair of adjacent characters (letters and
digits only). PostgreSQL indexes `to_tsvector('simple', search_text)` with GIN (migration 0002).

A query becomes the AND of its own pairs (or its single character): every row that contains the
query as a substring has all of them, so the index finds a superset of what `ILIKE '%q%'` finds,
and an ILIKE on the same fields then keeps exactly those rows. On SQLite only the ILIKE runs.
"""

from __future__ import annotations

import itertools

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

MAX_QUERY_LENGTH = 100


def _chars(text: str) -> list[str]:
    return [c for c in text.lower() if c.isalnum()]


def _grams(text: str) -> set[str]:
    chars = _chars(text)
    return set(chars) | {a + b for a, b in itertools.pairwise(chars)}


def search_text(*fields: str) -> str:
    """The stored search document for a record's text fields."""
    grams: set[str] = set()
    for value in fields:
        grams |= _grams(value or "")
    return " ".join([*(f.lower() for f in fields if f), *sorted(grams)])


def tsquery(query: str) -> str:
    """The tsquery text that every match of `query` satisfies; empty when it has no letters."""
    chars = _chars(query)
    if len(chars) == 1:
        return chars[0]
    pairs = sorted({a + b for a, b in itertools.pairwise(chars)})
    return " & ".join(pairs)


def search_projects(queryset: QuerySet, query: str) -> QuerySet:
    """Projects whose name, English name or location contains `query` (case-insensitive)."""
    query = query.strip()[:MAX_QUERY_LENGTH]
    if not query:
        return queryset
    exact = Q(name__icontains=query) | Q(name_en__icontains=query) | Q(location__icontains=query)
    terms = tsquery(query)
    if terms and connection.vendor == "postgresql":
        table = queryset.model._meta.db_table
        candidates = RawSQL(  # noqa: S611 - the table name is the model's; the query is a parameter
            f"SELECT id FROM {table} WHERE to_tsvector('simple', search_text) @@ to_tsquery('simple', %s)",  # noqa: S608
            [terms],
        )
        queryset = queryset.filter(pk__in=candidates)
    return queryset.filter(exact)
