"""The project list and the inbox remember their page's SQL per request shape
(portal/api/statements.py): what a reader sees must be what the ordinary path shows, fresh rows
included, and never another scope's.

The suite runs with API_STATEMENT_CHECK on (conftest.py), which compiles every remembered
statement again; these tests turn it off to exercise the path a server takes.
"""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from portal.api.statements import STATEMENTS, PageStatement
from portal.choices import MembershipRole
from portal.models import Membership, Notification
from portal.testing.factories import NotificationFactory
from projects.choices import FilingStatus
from projects.models import Project

from .factories import ProjectFactory

pytestmark = pytest.mark.django_db

LIST = reverse("api:project-list")
INBOX = reverse("api:notification-list")


@pytest.fixture
def remembering(settings):
    """As a server runs: remembered statements are used, not compiled again."""
    settings.API_STATEMENT_CHECK = False
    STATEMENTS.clear()
    yield
    STATEMENTS.clear()


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content[:300]
    return [row["id"] for row in response.json()["results"]]


def test_a_remembered_list_reads_fresh_rows_in_one_query(remembering, cast):
    first = ProjectFactory(approved=True, organization=cast.enterprise)
    public = APIClient()
    assert ids(public.get(LIST, {"page_size": 10})) == [first.pk]
    assert len(STATEMENTS) == 1

    # Approved since: the remembered statement finds it; only its rows are read, nothing built.
    second = ProjectFactory(approved=True, organization=cast.enterprise)
    ProjectFactory(organization=cast.enterprise)  # a draft: the public never sees it
    with CaptureQueriesContext(connection) as queries:
        response = public.get(LIST, {"page_size": 10})
    assert ids(response) == [second.pk, first.pk]
    assert len(queries) == 1
    assert len(STATEMENTS) == 1


def test_the_public_official_and_owner_shapes_are_remembered_apart(remembering, cast):
    approved = ProjectFactory(approved=True, organization=cast.enterprise, contract_value=5_000_000)
    draft = ProjectFactory(organization=cast.enterprise)
    others = ProjectFactory(organization=cast.outsider_org)
    query = {"page_size": 10}
    for _round in range(2):  # the second round runs the remembered statements
        assert ids(APIClient().get(LIST, query)) == [approved.pk]
        owner = token_client(cast.owner).get(LIST, query)
        assert ids(owner) == [draft.pk, approved.pk]
        assert owner.json()["results"][1]["contract_value"] == "5000000.00"
        public = APIClient().get(LIST, query).json()["results"][0]
        assert public["contract_value"] is None  # the public's own statement: no figures
        assert ids(token_client(cast.official).get(LIST, query)) == [others.pk, draft.pk, approved.pk]
    assert len(STATEMENTS) == 3


def test_a_member_who_changes_organisation_gets_the_new_scope_at_once(remembering, cast):
    draft = ProjectFactory(organization=cast.enterprise)
    theirs = ProjectFactory(organization=cast.outsider_org)
    client = token_client(cast.colleague)
    assert ids(client.get(LIST)) == [draft.pk]

    Membership.objects.filter(user=cast.colleague).update(organization=cast.outsider_org)
    assert ids(client.get(LIST)) == [theirs.pk]

    Membership.objects.filter(user=cast.colleague).update(organization=cast.agency, role=MembershipRole.MEMBER)
    assert ids(client.get(LIST)) == [theirs.pk, draft.pk]  # now an official: every project


def test_following_next_on_remembered_pages_gives_every_project_once(remembering, cast):
    projects = ProjectFactory.create_batch(7, approved=True, organization=cast.enterprise)
    expected = sorted((p.pk for p in projects), reverse=True)
    client = APIClient()
    for _round in range(2):
        seen, url = [], f"{LIST}?page_size=3"
        while url:
            body = client.get(url).json()
            seen += [row["id"] for row in body["results"]]
            url = body["next"]
        assert seen == expected
    # And back: the previous link of the last page is remembered as well.
    last = client.get(f"{LIST}?page_size=3").json()["next"]
    last = client.get(last).json()["next"]
    back = client.get(client.get(last).json()["previous"]).json()
    assert [row["id"] for row in back["results"]] == expected[3:6]


def test_bad_input_is_refused_every_time_and_not_remembered(remembering, cast):
    client = APIClient()
    for _round in range(2):
        assert client.get(LIST, {"page_size": "0"}).status_code == 400
        assert client.get(LIST, {"stage": "no-such-stage"}).status_code == 400
        assert client.get(LIST, {"cursor": "cD1hYmM="}).status_code == 404
    assert len(STATEMENTS) == 0


def test_each_inbox_is_remembered_for_its_recipient(remembering, cast):
    mine = NotificationFactory(recipient=cast.owner)
    theirs = NotificationFactory(recipient=cast.outsider)
    owner, outsider = token_client(cast.owner), token_client(cast.outsider)
    for _round in range(2):
        assert ids(owner.get(INBOX)) == [mine.pk]
        assert ids(outsider.get(INBOX)) == [theirs.pk]
    Notification.objects.filter(pk=mine.pk).update(read_at=timezone.now())
    assert owner.get(INBOX).json()["results"][0]["read_at"] is not None


def test_the_memo_is_bounded_and_can_be_turned_off(remembering, settings, cast):
    ProjectFactory(approved=True, organization=cast.enterprise)
    client = APIClient()
    settings.API_STATEMENT_CACHE_SIZE = 2
    for size in (1, 2, 3):
        assert client.get(LIST, {"page_size": size}).status_code == 200
    assert len(STATEMENTS) == 2  # the least recently used went

    STATEMENTS.clear()
    settings.API_STATEMENT_CACHE_SIZE = 0
    assert ids(client.get(LIST)) != []
    assert len(STATEMENTS) == 0


def test_a_queryset_that_depends_on_the_clock_is_caught_by_the_check(cast):
    """What API_STATEMENT_CHECK guards against: a statement whose SQL is not fixed by the key."""

    def build():
        return Project.objects.filter(created_at__lte=timezone.now()).values("id")

    assert PageStatement.compile(build()) != PageStatement.compile(build())
    assert PageStatement.compile(Project.objects.values("id")) == PageStatement.compile(Project.objects.values("id"))


def test_a_remembered_statement_that_differs_fails_the_request_under_the_check(cast, settings):
    ProjectFactory(approved=True, organization=cast.enterprise)
    client = APIClient()
    STATEMENTS.clear()
    assert client.get(LIST, {"page_size": 4}).status_code == 200
    ((key, (statement, *rest)),) = STATEMENTS._entries.items()
    forged = PageStatement(
        alias=statement.alias,
        sql=statement.sql,
        params=tuple(FilingStatus.DRAFT if p == FilingStatus.APPROVED else p for p in statement.params),
        names=statement.names,
        col_count=statement.col_count,
        converters=statement.converters,
    )
    STATEMENTS.put(key, (forged, *rest))
    settings.API_STATEMENT_CHECK = True
    with pytest.raises(AssertionError, match="differs from a fresh one"):
        client.get(LIST, {"page_size": 4})
    STATEMENTS.clear()


def test_a_queryset_that_matches_nothing_runs_no_query(db):
    statement = PageStatement.compile(Project.objects.none().values("id"))
    with CaptureQueriesContext(connection) as queries:
        assert statement.rows() == []
    assert len(queries) == 0


# --- Prepared in the session (PostgreSQL) ------------------------------------------------------

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")


def prepared_pages() -> list[tuple[str, str, str]]:
    """(name, statement, parameter types) of the page statements prepared in this session."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, statement, parameter_types::text FROM pg_prepared_statements "
            "WHERE name LIKE 'portal\\_page\\_%%' ORDER BY prepare_time"
        )
        return cursor.fetchall()


@pytest.fixture
def new_session(remembering, settings):
    """A database session of its own, so that what is prepared in it is this test's."""
    settings.API_PREPARED_STATEMENTS = 64
    connection.close()
    yield
    connection.close()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_list_seen_again_runs_prepared_with_its_values_written_in_and_reads_fresh_rows(new_session, cast):
    first = ProjectFactory(approved=True, organization=cast.enterprise, country_id="KE")
    public = APIClient()
    query = {"country": "KE", "page_size": 10}
    assert ids(public.get(LIST, query)) == [first.pk]
    assert prepared_pages() == []  # a shape seen once is not worth preparing

    assert ids(public.get(LIST, query)) == [first.pk]
    ((name, statement, parameter_types),) = prepared_pages()
    assert parameter_types == "{}"  # no parameters: its one plan is made for these values
    assert "'KE'" in statement and "'approved'" in statement

    second = ProjectFactory(approved=True, organization=cast.enterprise, country_id="KE")
    with CaptureQueriesContext(connection) as queries:
        response = public.get(LIST, query)
    assert ids(response) == [second.pk, first.pk]  # executed, never a cached result
    assert [q["sql"] for q in queries] == [f"EXECUTE {name}"]
    assert len(prepared_pages()) == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_each_country_gets_its_own_prepared_statement_and_its_own_rows(new_session, cast):
    kenyan = ProjectFactory(approved=True, organization=cast.enterprise, country_id="KE")
    ethiopian = ProjectFactory(approved=True, organization=cast.enterprise, country_id="ET")
    public = APIClient()
    for _round in range(3):
        assert ids(public.get(LIST, {"country": "KE"})) == [kenyan.pk]
        assert ids(public.get(LIST, {"country": "ET"})) == [ethiopian.pk]
    assert len(prepared_pages()) == 2


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_prepared_statements_are_bounded_per_session(new_session, settings, cast):
    project = ProjectFactory(approved=True, organization=cast.enterprise)
    settings.API_PREPARED_STATEMENTS = 2
    public = APIClient()
    for _round in range(2):
        for size in (1, 2, 3):
            assert ids(public.get(LIST, {"page_size": size})) == [project.pk]
    pages = prepared_pages()
    assert len(pages) == 2  # the least recently used was deallocated
    # One row more than the page: sizes 2 and 3 were used last, size 1 went.
    assert [statement.rsplit("LIMIT ", 1)[1] for _name, statement, _types in pages] == ["3", "4"]
    assert ids(public.get(LIST, {"page_size": 2})) == [project.pk]  # prepared again
    assert len(prepared_pages()) == 2


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_after_a_reconnect_the_list_prepares_its_statement_again(new_session, cast):
    project = ProjectFactory(approved=True, organization=cast.enterprise)
    public = APIClient()
    for _round in range(2):
        assert ids(public.get(LIST)) == [project.pk]
    assert len(prepared_pages()) == 1
    connection.close()  # the new session has none of the old one's statements
    assert ids(public.get(LIST)) == [project.pk]
    assert len(prepared_pages()) == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_behind_a_transaction_pooler_no_page_statement_is_prepared(new_session, cast):
    project = ProjectFactory(approved=True, organization=cast.enterprise)
    before = connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS", False)
    connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = True  # DB_TRANSACTION_POOLER=1
    try:
        public = APIClient()
        for _round in range(3):
            assert ids(public.get(LIST)) == [project.pk]
        assert prepared_pages() == []
    finally:
        connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = before


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_prepared_page_in_a_failed_transaction_fails_like_the_query_and_leaves_the_session_usable(new_session, cast):
    project = ProjectFactory(approved=True, organization=cast.enterprise)
    public = APIClient()
    assert ids(public.get(LIST)) == [project.pk]
    with transaction.atomic():
        with connection.cursor() as cursor, pytest.raises(DatabaseError):
            cursor.execute("SELECT 1/0")
        with pytest.raises(DatabaseError, match="current transaction is aborted"):
            public.get(LIST)  # preparing fails as the query would, with Django's error
        transaction.set_rollback(True)
    assert prepared_pages() == []
    for _round in range(2):
        assert ids(public.get(LIST)) == [project.pk]
    assert len(prepared_pages()) == 1
