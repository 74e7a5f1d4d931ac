"""Django's PostGIS backend, health-checking a kept-alive connection only after it sat idle.

With CONN_HEALTH_CHECKS Django sends ``SELECT 1`` before the first query of *every*
request on a reused connection. On the public lookups, which answer in one or two
statements, that was a third to a half of the round trips (profile of issue 12: areas/at,
reverse, tiles). A connection that served a request less than HEALTH_CHECK_AFTER_IDLE_S ago
is trusted instead; one that sat idle longer — where a database restart, a failover or a
firewall's idle timeout would have cut it — is still checked first. If the server goes
away within that second, the request that finds out fails and Django closes the
connection at its end (``errors_occurred``), as it would without health checks.

Server-bound statements (``server_bound_statements()``): Django's psycopg cursors bind
parameters on the client, quoting each value into the SQL text, so PostgreSQL parses and
plans every statement anew and the worker spends its time quoting. Inside the context the
connection's plain cursors bind on the server instead, and a statement run
``prepare_threshold`` times (the OPTIONS entry; settings DATABASE_PREPARE_THRESHOLD) is
prepared once per connection and reused. It is entered only around the public lookups
(ServerBoundLookupsMiddleware in gis_portal/public_cache.py): read-only, a few statements
repeated at a high rate. Everything else keeps Django's client-side binding, which pghistory
needs (it prefixes each write with a parameterised ``set_config`` in the same statement
string, which the extended protocol refuses). A string of several commands is never
prepared. A prepared statement lives as long as its connection (CONN_MAX_AGE): restart the
portal after a migration, as a deployment does anyway, and put no transaction-pooling
PgBouncer between the portal and PostgreSQL.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.gis.db.backends.postgis.base import DatabaseWrapper as PostGISDatabaseWrapper
from django.db.backends.postgresql.base import ServerBindingCursor

# The default of the database setting HEALTH_CHECK_AFTER_IDLE_S (environment:
# DATABASE_HEALTH_CHECK_IDLE_S); 0 checks before every request, as stock Django does.
HEALTH_CHECK_AFTER_IDLE_S = 1.0

_server_bound: ContextVar[bool] = ContextVar("server_bound", default=False)


@contextmanager
def server_bound_statements() -> Iterator[None]:
    """Bind the parameters of the statements run in this context on the server (see above)."""
    token = _server_bound.set(True)
    try:
        yield
    finally:
        _server_bound.reset(token)


class DatabaseWrapper(PostGISDatabaseWrapper):
    _request_boundary_at = float("-inf")

    def close_if_unusable_or_obsolete(self) -> None:
        # Called at the start and at the end of each request (Django's request signals):
        # the gap since the previous call is how long the connection sat idle.
        now = time.monotonic()
        idle_s = self.settings_dict.get("HEALTH_CHECK_AFTER_IDLE_S", HEALTH_CHECK_AFTER_IDLE_S)
        recently_used = now - self._request_boundary_at < idle_s
        self._request_boundary_at = now
        super().close_if_unusable_or_obsolete()  # marks a kept connection as unchecked
        if recently_used and self.connection is not None:
            self.health_check_done = True

    def create_cursor(self, name=None):
        if name or not _server_bound.get():
            return super().create_cursor(name)
        # Django's own cursor set-up (the time-zone loader) with the server-binding class.
        factory = self.connection.cursor_factory
        self.connection.cursor_factory = ServerBindingCursor
        try:
            return super().create_cursor(name)
        finally:
            self.connection.cursor_factory = factory
