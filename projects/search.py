"""Chinese substring search over project names and locations.

`search_projects(queryset, q)` keeps the projects whose name, English name or location contains
`q`, ignoring case: on PostgreSQL exactly `name ILIKE '%q%' OR name_en ILIKE ... OR location
ILIKE ...` (LIKE when `q` has no cased letter, as Chinese has not: the same rows, cheaper), on
SQLite Django's `icontains`. Indexes only choose which rows are tested:

- Most Chinese words are two characters, and pg_trgm cannot use its index for queries under
  three. So each project stores `search_text`: its lower-cased name, English name and location
  followed by every single character and every pair of adjacent characters (letters and digits
  only). On PostgreSQL the generated column `search_vector` holds those words as tsvector
  lexemes, verbatim, under a GIN index (migration 0003). A query of one or two characters is
  found through its own character or pair: every row containing it has that lexeme.
- Three or more characters: pg_trgm's GIN indexes on the three columns (migration 0002) serve
  the LIKE itself. The query's pairs, which every match has too, filter cheaply first.

The condition is on the project row itself, not `id IN (subquery)`: for the API's cursor page
(`ORDER BY id DESC LIMIT 51`) the planner then chooses, from the columns' statistics, between
walking the primary key until 51 rows match (right when matches are common: 路 is in a fifth of
the projects, and 51 turn up within 250 rows) and collecting the index's matches and sorting
them (right for rarer ones). How its estimate is steered is explained in ProjectTextMatch.
"""

from __future__ import annotations

import itertools

from django.db import connections
from django.db.models import BooleanField, Expression, F, Q, QuerySet

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


def query_grams(query: str) -> list[str]:
    """The words of `search_text` that every match of `query` has; empty when it has no letters."""
    chars = _chars(query)
    if len(chars) == 1:
        return chars
    return sorted({a + b for a, b in itertools.pairwise(chars)})


def tsquery(query: str) -> str:
    """`query_grams` as tsquery input: quoted lexemes, taken verbatim (no parser, no dictionary)."""
    return _tsquery(query_grams(query))


def _tsquery(grams: list[str]) -> str:
    return " & ".join("'" + gram.replace("\\", "\\\\").replace("'", "''") + "'" for gram in grams)


SEARCH_FIELDS = ("name", "name_en", "location")


def _caseless(text: str) -> bool:
    """Whether no character of `text` has a case (Chinese, digits): LIKE then equals ILIKE."""
    return all(c.lower() == c.upper() for c in text)


class ProjectTextMatch(Expression):
    """The PostgreSQL condition of `search_projects` for one query (see the module's doc).

    It names the columns through the table alias of the resolved primary key, so it stays
    right when the queryset is aliased (used as a subquery); `search_vector` is a column the
    database generates and Django does not map.
    """

    def __init__(self, query: str, pk: Expression | None = None) -> None:
        super().__init__(output_field=BooleanField())
        self.query = query
        self.pk = pk if pk is not None else F("pk")

    def get_source_expressions(self):
        return [self.pk]

    def set_source_expressions(self, exprs):
        (self.pk,) = exprs

    def as_sql(self, compiler, connection):
        qn = connection.ops.quote_name
        table = compiler.quote_name_unless_alias(self.pk.alias)  # as Django writes it: U0 in a subquery
        meta = self.pk.target.model._meta
        operator = "LIKE" if _caseless(self.query) else "ILIKE"
        pattern = f"%{connection.ops.prep_for_like_query(self.query)}%"
        tests = [f"{table}.{qn(meta.get_field(name).column)} {operator} %s" for name in SEARCH_FIELDS]
        exact = f"({' OR '.join(tests)})"
        params = [pattern] * len(SEARCH_FIELDS)
        grams = query_grams(self.query)
        if not grams:  # no letter or digit: no index can help
            return exact, params
        ngrams = f"{table}.search_vector @@ %s::tsquery"
        # COALESCE(test, false) keeps a test's meaning but hides it from the planner's estimate,
        # which then counts it as one half. That is how the planner is kept from walking the primary
        # key for ORDER BY id DESC LIMIT 51 unless matches are common (about 1% of the table and
        # more: the walk then stops within a few thousand rows); for rarer queries it collects the
        # index's matches and sorts them, which costs at most the matches. A walk on a wrong guess
        # costs the whole table.
        if len(self.query) <= 2 and self.query.isalnum():
            # One or two characters: the n-gram is the index condition, and the column's statistics
            # estimate it accurately; counted as independent, the exact test would shrink that
            # estimate to its square, so it is hidden: the planner expects half the matches.
            return f"({ngrams} AND COALESCE({exact}, false))", [_tsquery(grams), *params]
        # Three or more (or with punctuation): pg_trgm's indexes serve the LIKE, which the columns'
        # statistics estimate less surely (high when name and location both contain the query, or
        # when one of a histogram's thousand values does); the query's pairs, in two hidden
        # halves, filter cheaply and make the planner expect a quarter of that.
        halves = [_tsquery(grams[0::2]), _tsquery(grams[1::2] or grams)]
        return f"({exact} AND COALESCE({ngrams}, false) AND COALESCE({ngrams}, false))", [*params, *halves]


def search_projects(queryset: QuerySet, query: str) -> QuerySet:
    """Projects whose name, English name or location contains `query` (case-insensitive)."""
    query = query.strip()[:MAX_QUERY_LENGTH]
    if not query:
        return queryset
    if connections[queryset.db].vendor == "postgresql":
        return queryset.filter(ProjectTextMatch(query))
    return queryset.filter(Q(name__icontains=query) | Q(name_en__icontains=query) | Q(location__icontains=query))
