"""Public reads from a streaming replica; writes, and the reads that must see them, on the primary.

Active only when DATABASE_REPLICA_URL is set (settings: ``DATABASES["replica"]`` and
``DATABASE_ROUTERS``). Each request is routed once, by ``ReplicaReadsMiddleware``, before its
view runs, and the choice is kept in a context variable that the router reads:

* an anonymous GET, HEAD or OPTIONS without an API key reads from the replica: the public
  map, search and lookups, which are most of the traffic and may lag the primary by the
  replication delay (usually well under a second);
* everything else stays on the primary: any other method, a signed-in user (an officer's
  read after his own write must see it), an ``Authorization`` header (a key issued a moment
  ago may not have reached the replica), and anything outside a request (management
  commands, the task worker).

Within a replica request reads go back to the primary once the request has written
anything, and whenever a transaction is open on the primary. Writes always go to the
primary, and so do queries on ``django.db.connection`` (the heavy-work counters and slots
of gis_portal/throttles.py). Raw SQL that may read from the replica asks for
``read_connection()`` (the place-name search does; the geocoder's still reads the primary).
Migrations run on the primary only: the replica receives them by replication.

A replica that cannot be reached is skipped for ``DATABASE_REPLICA_RETRY_S`` seconds (the
primary serves its reads meanwhile), so a replica adds capacity but never a way to fail.
"""

from __future__ import annotations

import logging
import time
from contextvars import ContextVar

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse

PRIMARY = DEFAULT_DB_ALIAS
REPLICA = "replica"
PUBLIC_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

logger = logging.getLogger(__name__)

_reads_from: ContextVar[str] = ContextVar("reads_from", default=PRIMARY)
# Until when (time.monotonic()) this process leaves an unreachable replica alone.
_replica_down_until = 0.0


def read_alias() -> str:
    """Return the database alias that a read in the current context should use."""
    alias = _reads_from.get()
    if alias != PRIMARY and connections[PRIMARY].in_atomic_block:
        return PRIMARY
    return alias


def read_connection() -> BaseDatabaseWrapper:
    """Return the connection for a raw-SQL read: the replica on a public read, else the primary."""
    return connections[read_alias()]


class PrimaryReplicaRouter:
    """Reads where the current request was routed (``read_alias``); writes and migrations on the primary."""

    def db_for_read(self, model, **hints) -> str:
        return read_alias()

    def db_for_write(self, model, **hints) -> str:
        # From now on this request reads what it is writing.
        _reads_from.set(PRIMARY)
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # Both aliases are the same data.
        if {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == PRIMARY


def replica_configured() -> bool:
    """Return whether a replica alias exists and this router sends reads to it."""
    router_path = f"{PrimaryReplicaRouter.__module__}.{PrimaryReplicaRouter.__qualname__}"
    return REPLICA in settings.DATABASES and router_path in settings.DATABASE_ROUTERS


def is_public_read(request: HttpRequest) -> bool:
    """Return whether a request may read from the replica: anonymous, safe method, no API key."""
    if request.method not in PUBLIC_READ_METHODS or "HTTP_AUTHORIZATION" in request.META:
        return False
    # Evaluated here, before any read is routed: the session and the account are read from
    # the primary, so a session created a moment ago is never missing.
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


def replica_available() -> bool:
    """Return whether the replica answers; an unreachable one is skipped for a while."""
    global _replica_down_until
    if time.monotonic() < _replica_down_until:
        return False
    connection = connections[REPLICA]
    try:
        # A kept-alive connection to a replica that went away is noticed here, not mid-view.
        connection.close_if_health_check_failed()
        connection.ensure_connection()
    except DatabaseError as error:
        _replica_down_until = time.monotonic() + settings.DATABASE_REPLICA_RETRY_S
        logger.warning(
            "read replica unreachable, public reads on the primary for %s s: %s",
            settings.DATABASE_REPLICA_RETRY_S,
            error,
        )
        return False
    return True


class ReplicaReadsMiddleware:
    """Route an anonymous public read to the replica (after AuthenticationMiddleware)."""

    def __init__(self, get_response):
        if not replica_configured():
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not (is_public_read(request) and replica_available()):
            return self.get_response(request)
        token = _reads_from.set(REPLICA)
        try:
            return self.get_response(request)
        finally:
            _reads_from.reset(token)
