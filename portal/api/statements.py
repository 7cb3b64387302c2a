"""Page statements remembered per request shape: the hot lists compile their SQL once.

A list request builds its queryset (the scope, the FilterSet, `values()`, the cursor's
position and the slice) and the ORM compiles it to SQL. On the project list that is about
1.5 ms of Python for a query the server answers in a fraction of that, and it is the same work
for every request of the same shape. The SQL depends only on

- the endpoint (view class and action) and the database,
- the reader's scope: anonymous, or the user with their membership, organisation kind, role
  and agency permissions (`scope_key`; a view whose scope is narrower says so in its own
  `statement_scope(user)`, as the inbox does: the recipient alone),
- the request's language (the columns a list reads can depend on it),
- the query string (filters, search, page size and cursor),

so a `PageStatement` (SQL, parameters, column names, the database's converters) is remembered
under that key (`page_key`), and a request with the same key runs the statement without
building anything. The rows are still read from the database on every request: this caches
compilation, not results, so what a list answers is never stale.

The first request of a shape runs the ordinary path, so its validation errors (a bad filter, a
bad cursor) are answered as before; a shape is remembered only after it compiled. A filter
whose validation reads the database (a `ModelChoiceFilter` naming a record) is validated when
its shape is first seen: if that record is deleted later, the remembered statement answers the
empty page its SQL finds rather than a 400, until the entry is evicted or the process restarts.

Rules for a view that uses it (`ScopedViewSetMixin.paginate_values`): its queryset must depend
on nothing but the key, in particular not on the clock or on settings. The test suite checks
this for every remembered list: with `API_STATEMENT_CHECK` on (conftest.py) a remembered
statement is compiled again on each use and must be identical, or the request fails.

`API_STATEMENT_CACHE_SIZE` bounds the entries per process (least recently used go first; 0
turns remembering off). Query strings over `MAX_QUERY_LENGTH` are not remembered.

On PostgreSQL a remembered statement is also prepared in the database session when it is used
again (`API_PREPARED_STATEMENTS` per connection, least recently used deallocated): planning the
project list's three-table join cost the server more than running it (about 0.3 ms against
0.2 ms). It is prepared with every value written into it, as psycopg2 sends them anyway
(`mogrify`), so the statement has no parameters: its one plan is the plan for those values, and
a rare country or a search pattern never gets a plan made for another (the risk of a generic
plan). PostgreSQL plans it again by itself after `ANALYZE` or a change to a table it reads.
Behind a transaction pooler (`DB_TRANSACTION_POOLER`), where a session is not the
connection's, nothing is prepared.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.utils import translation

MAX_QUERY_LENGTH = 1024


@dataclass(frozen=True)
class PageStatement:
    """The compiled page query of a `values()` queryset, to run again with the same rows out."""

    alias: str
    sql: str | None  # None: the queryset can match nothing (the ORM sends no query)
    params: tuple
    names: tuple[str, ...]
    col_count: int
    # (position, converter functions, expression), as the ORM's compiler applies them
    converters: tuple[tuple[int, tuple, Any], ...] = field(compare=False)

    @classmethod
    def compile(cls, queryset) -> PageStatement:
        """The statement of a `values()` queryset, as `ValuesIterable` would run it."""
        query = queryset.query
        names = (*query.extra_select, *query.values_select, *query.annotation_select)
        compiler = query.get_compiler(using=queryset.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return cls(alias=queryset.db, sql=None, params=(), names=names, col_count=0, converters=())
        columns = [select[0] for select in compiler.select[0 : compiler.col_count]]
        converters = tuple(
            (position, tuple(functions), expression)
            for position, (functions, expression) in compiler.get_converters(columns).items()
        )
        return cls(
            alias=queryset.db,
            sql=sql,
            params=tuple(params),
            names=names,
            col_count=compiler.col_count,
            converters=converters,
        )

    def rows(self, *, prepare: bool = False) -> list[dict[str, Any]]:
        """Run the statement: the rows as `values()` dicts, with the database's converters.
        `prepare`: run it as a statement prepared in the session (PostgreSQL, see above)."""
        if self.sql is None:
            return []
        connection = connections[self.alias]
        with connection.cursor() as cursor:
            name = _prepared_name(connection, cursor, self) if prepare else None
            if name is None:
                cursor.execute(self.sql, self.params)
            else:
                cursor.execute(f"EXECUTE {name}")
            fetched = cursor.fetchall()
        count, names, converters = self.col_count, self.names, self.converters
        if not converters and fetched and len(fetched[0]) == count == len(names):
            return [dict(zip(names, fetched_row, strict=True)) for fetched_row in fetched]  # as they came
        rows = []
        for fetched_row in fetched:
            row = list(fetched_row[:count])
            for position, functions, expression in converters:
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
            rows.append(dict(zip(names, row, strict=True)))
        return rows


PREPARED_PREFIX = "portal_page_"


class _SessionStatements:
    """The page statements prepared in one database session: their text, newest last."""

    def __init__(self, raw) -> None:
        self.raw = raw  # the driver connection: a new one is a new session
        self.names: OrderedDict[bytes, str] = OrderedDict()
        self.counter = 0


def can_prepare(connection) -> bool:
    """Whether statements may be prepared in the connection's session: on PostgreSQL, unless
    the settings say a transaction pooler (PgBouncer in transaction mode) sits in front, where
    a session is not the connection's. Django's `DISABLE_SERVER_SIDE_CURSORS` option says so;
    such deployments set it already (`DB_TRANSACTION_POOLER`, docs/deploy.md)."""
    return connection.vendor == "postgresql" and not connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")


def _prepared_name(connection, cursor, statement: PageStatement) -> str | None:
    """The name of `statement` prepared in the connection's session, preparing it (and
    deallocating the least recently used beyond the bound) if need be; None where statements
    are not prepared."""
    size = getattr(settings, "API_PREPARED_STATEMENTS", 0)
    if size <= 0 or not can_prepare(connection):
        return None
    raw = connection.connection
    session = getattr(connection, "_portal_page_statements", None)
    if session is None or session.raw is not raw:
        session = connection._portal_page_statements = _SessionStatements(raw)
    driver = cursor.cursor  # preparing is the session's business, not one of the request's queries
    # Not transactional: a rollback keeps a prepared statement. In a failed transaction this
    # fails as the query itself would have, with Django's error.
    with connection.wrap_database_errors:
        text = driver.mogrify(statement.sql, statement.params)  # what psycopg2 would send
        name = session.names.get(text)
        if name is not None:
            session.names.move_to_end(text)
            return name
        session.counter += 1
        name = f"{PREPARED_PREFIX}{session.counter}"
        driver.execute(f"PREPARE {name} AS ".encode() + text)
        session.names[text] = name
        while len(session.names) > size:
            driver.execute(f"DEALLOCATE {session.names.popitem(last=False)[1]}")
    return name


class StatementMemo:
    """A bounded, thread-safe map of page keys to remembered statements (least recently used
    evicted first)."""

    def __init__(self) -> None:
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def size() -> int:
        return settings.API_STATEMENT_CACHE_SIZE

    def get(self, key: Hashable):
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: Hashable, entry) -> None:
        size = self.size()
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


STATEMENTS = StatementMemo()


def scope_key(user) -> Hashable:
    """What a reader's scope is made of, as the models' `visible_to` and `with_figures_for`
    read it: nothing for the public; otherwise the user, their account flags and their
    membership (organisation, its kind, role and agency permissions). A change to any of
    them is a new key, so a demoted official's next request compiles afresh."""
    if not user.is_authenticated:
        return None
    membership = user.org_membership
    member = None
    if membership is not None:
        member = (
            membership.pk,
            membership.organization_id,
            membership.organization.kind,
            membership.role,
            tuple(membership.permissions),
        )
    return (user.pk, user.is_superuser, user.is_staff, member)


def page_key(view) -> Hashable | None:
    """The key of a list request's page statement, or None when it is not to be remembered."""
    request = view.request
    if STATEMENTS.size() <= 0 or len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_LENGTH:
        return None
    model = view.queryset.model
    return (
        type(view).__module__,
        type(view).__qualname__,
        view.action,
        router.db_for_read(model),
        translation.get_language(),
        view.statement_scope(request.user) if hasattr(view, "statement_scope") else scope_key(request.user),
        tuple(sorted((name, tuple(values)) for name, values in request.query_params.lists())),
    )


def check_enabled() -> bool:
    return getattr(settings, "API_STATEMENT_CHECK", False)
