"""Django's PostgreSQL backend, with a health check that costs no round trip when none is due.

With persistent connections (CONN_MAX_AGE) and CONN_HEALTH_CHECKS on, Django checks a
connection before the first query of every request by sending `SELECT 1`: one more round trip
for every request that touches the database (about 0.1 ms a request on the bench's machine).
Without the check, the first request on each worker after a database restart would be a 500.

Between requests an idle session receives nothing from the server unless something happened:
when the server ends the session (a restart, `pg_terminate_backend`, `idle_session_timeout`,
PgBouncer going away) it sends its FATAL message and closes the socket, which makes the socket
readable. So `is_usable()` here polls the socket first, without waiting: nothing to read means
the connection stands as the last request left it. Anything to read (the server's goodbye, or
a notice), or a socket that cannot be polled, falls back to Django's `SELECT 1`, which reads it
and answers as before. (`poll`, not `select`: a worker with many files open has descriptors
above the 1,023 that `select` can watch.) A connection
that died without a word (a host lost without a reset) is not caught, and neither would
`SELECT 1` catch it promptly: it would wait for TCP to give up.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        connection = self.connection
        if connection is None or connection.closed:
            return False
        try:
            poller = select.poll()
            poller.register(connection.fileno(), select.POLLIN)
            pending = poller.poll(0)
        except (AttributeError, OSError, ValueError, base.Database.Error):  # no poll(), or no socket
            pending = True
        return not pending or super().is_usable()
