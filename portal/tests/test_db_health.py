"""The database health check asks the socket first; a session the server ended is still caught.

Each test works on a connection of its own (not the test's transaction), on the real server.
"""

import select
import time

import pytest
from django.db import connection, connections

from portal.db.postgresql.base import DatabaseWrapper

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL sessions")


@pytest.fixture
def own(transactional_db):
    """A second connection to the test database, as a web worker's own would be. The test's
    own connection is outside a transaction (transactional_db), so what it does is seen."""
    wrapper = connections.create_connection("default")
    assert wrapper.settings_dict["CONN_HEALTH_CHECKS"] is True
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def _pid(wrapper) -> int:
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _state_change(pid: int):
    """When the session last changed state, as the server saw it (pg_stat_activity)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT state_change FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0]


def _wait_readable(wrapper, seconds: float = 5.0) -> None:
    readable, _, _ = select.select([wrapper.connection.fileno()], [], [], seconds)
    assert readable, "the server did not write to the socket it was ending"


def _start_request(wrapper) -> None:
    """What Django does when a request starts (close_old_connections): the check is due."""
    wrapper.close_if_unusable_or_obsolete()


def test_the_portal_uses_this_backend():
    assert isinstance(connections["default"], DatabaseWrapper)
    assert connections["default"].settings_dict["CONN_HEALTH_CHECKS"] is True


def test_an_idle_healthy_connection_passes_without_a_query(own):
    pid = _pid(own)
    before = _state_change(pid)
    time.sleep(0.05)
    _start_request(own)
    own.close_if_health_check_failed()
    assert own.connection is not None
    assert own.health_check_done
    assert _state_change(pid) == before, "the check sent the server a query"
    assert _pid(own) == pid


def test_a_session_the_server_ended_is_replaced_before_the_request_uses_it(own):
    pid = _pid(own)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert cursor.fetchone()[0] is True
    _wait_readable(own)
    assert own.is_usable() is False

    _start_request(own)
    with own.cursor() as cursor:  # the request's first query: no error, a new session
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid


def test_a_notice_waiting_on_the_socket_is_read_by_a_round_trip_and_the_session_kept(own):
    pid = _pid(own)
    with own.connection.cursor() as cursor:
        cursor.execute("LISTEN portal_health_test")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_notify('portal_health_test', 'x')")
    _wait_readable(own)
    assert own.is_usable() is True  # fell back to SELECT 1, which answered
    assert _pid(own) == pid


def test_a_closed_connection_is_not_usable(own):
    own.connection.close()
    assert own.is_usable() is False
