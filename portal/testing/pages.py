"""A permission matrix for HTML pages, beside APIMatrix (portal/testing/api.py).

A test class names a page by its URL name, makes the record the page is about, and says what
each member of the cast gets for each operation; the mixin makes one test per (operation,
role) and checks it against the running views.

    class TestDraftProjectPages(PageMatrix):
        url_name = "projects:detail"          # "get" and "post" go here
        expect = {
            "get": {"owner": 200, "outsider": 404, ..., "anonymous": 404},
            "get:edit": {"owner": 200, ..., "anonymous": "login"},   # projects:edit, same kwargs
            "post:submit": {"owner": "done", "reviewer": 403, ..., "anonymous": "login"},
            "post:withdraw": {"owner": "refused", ...},
        }
        post_data = {"post:edit": lambda cast, record: {...}}     # a dict or a function
        effects = {"post:submit": lambda record: record.filing_status == "submitted"}
        watch = (ProjectReport,)   # models whose row counts a refused write must not change

        def make_record(self, cast):
            return ProjectFactory(organization=cast.enterprise)

An operation is a method, optionally with the name of another URL of the same namespace (or a
full "app:name") that takes the same kwargs (`url_kwargs(record)`, by default the record's
pk; no kwargs when `make_record` returns None). Every operation must name every role in
Cast.ROLES. What a role gets is one of:

- a status code (200, 403, 404, 405, ...), compared exactly;
- "login": a redirect to the login page that comes back here (`?next=`), as `login_required`
  answers an anonymous user;
- "done": the write was made and the page redirected with a success message; the operation's
  `effects` check holds (called with the record read back, None when deleted) and, when the
  class is `audited` (the default), an AuditEvent was written;
- "refused": the page redirected with a warning or error message instead of writing.

Anything but "done" changes nothing: the record, the row counts of its model and of `watch`,
and the audit trail are as they were. A record a role gets a 404 for on "get" is hidden from
that role on every other operation too (a 403 would confirm it exists; a 405 or the login page
come before any lookup); a separate test checks the table says so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.contrib.messages import get_messages
from django.db.models import Model
from django.urls import reverse

from .cast import Cast
from .effects import Effect, Snapshot, assert_effect

LOGIN = "login"
DONE = "done"
REFUSED = "refused"
REDIRECTS = (301, 302, 303)

Expected = int | str
PostData = dict[str, Any] | Callable[[Cast, Any], dict[str, Any]]


class PageMatrix:
    url_name: ClassVar[str]
    expect: ClassVar[dict[str, dict[str, Expected]]]
    post_data: ClassVar[dict[str, PostData]] = {}
    effects: ClassVar[dict[str, Effect]] = {}
    watch: ClassVar[tuple[type[Model], ...]] = ()
    audited: ClassVar[bool] = True

    def make_record(self, cast: Cast) -> Model | None:
        return None

    def url_kwargs(self, record) -> dict[str, Any]:
        return {} if record is None else {"pk": record.pk}

    def url(self, operation: str, record) -> str:
        _method, _, name = operation.partition(":")
        if not name:
            name = self.url_name
        elif ":" not in name and ":" in self.url_name:
            name = f"{self.url_name.rsplit(':', 1)[0]}:{name}"
        return reverse(name, kwargs=self.url_kwargs(record))

    def data(self, operation: str, cast: Cast, record) -> dict[str, Any]:
        data = self.post_data.get(operation, {})
        return data(cast, record) if callable(data) else data

    def pytest_generate_tests(self, metafunc):
        if metafunc.function.__name__ == "test_page_matrix":
            cases = [(op, role) for op in self.expect for role in Cast.ROLES]
            metafunc.parametrize(("operation", "role"), cases, ids=[f"{op}-{role}" for op, role in cases])

    def test_page_matrix(self, operation, role, cast, client):
        table = self.expect[operation]
        assert role in table, f"{type(self).__name__}.expect[{operation!r}] must declare {role!r}"
        expected = table[role]
        method = operation.partition(":")[0]
        assert method in ("get", "post"), f"unknown operation {operation}"

        record = self.make_record(cast)
        user = cast.user(role)
        if user is not None:
            client.force_login(user)
        url = self.url(operation, record)
        before = Snapshot(record, self.watch)
        data = self.data(operation, cast, record) if method == "post" else None
        response = client.post(url, data) if method == "post" else client.get(url)

        context = (role, operation, url)
        levels = [message.level for message in get_messages(response.wsgi_request)]
        got = _outcome(response, url, levels)
        assert got == expected, (*context, response.status_code, response.get("Location"), levels)
        if expected == DONE:
            assert_effect(self.effects.get(operation), record, context)
            if self.audited:
                before.assert_audited(context)
        else:
            before.assert_unchanged(context)

    def test_a_record_hidden_from_a_role_is_hidden_on_every_operation(self):
        """A 404 on "get" is a 404 everywhere, never a 403 or a message that confirms the record
        exists (the login page and a 405 for the wrong method come before any lookup)."""
        hidden = [role for role, value in self.expect.get("get", {}).items() if value == 404]
        for operation, table in self.expect.items():
            for role in hidden:
                assert table.get(role) in (404, 405, LOGIN), (type(self).__name__, operation, role, table.get(role))


def _outcome(response, url: str, levels: list[int]) -> Expected:
    """What the response amounts to, in the vocabulary of `expect`."""
    if response.status_code not in REDIRECTS:
        return response.status_code
    if response["Location"] == redirect_to_login(url)["Location"]:
        return LOGIN
    if any(level >= messages.WARNING for level in levels):
        return REFUSED
    if levels:
        return DONE
    return response.status_code
