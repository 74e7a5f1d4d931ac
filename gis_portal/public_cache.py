"""The answers of the anonymous public lookups, kept per server process until the data changes.

What is cached: the 200 answers to anonymous GETs of the public lookups in
``CACHED_PATHS``/``CACHED_PREFIXES`` (place-name search and suggest, geocode, reverse,
areas/at, vector tiles), whole — status, headers and body as the view and the middleware
below this one made them. Keyed by the full path and query string and the request headers
an answer can depend on (Accept, Accept-Encoding, the language, host and scheme). Never for
a signed-in user, a request with an ``Authorization`` header, a method other than GET, an
answer that sets a cookie, says ``private``/``no-store`` or varies on another header.

How it is invalidated: every write to the tables behind those answers (place names,
aliases, categories, streets, signs, door plates, administrative areas …; any path — the
API, the admin, imports, raw SQL) bumps one data generation, in the writing transaction
when it commits (migration gis_portal 0005: a statement trigger on each table notes the
transaction, a deferred trigger bumps the generation once at its commit). Each request
reads the generation first, from the database its other reads will use (the replica on a
public read); an answer is served only for the generation it was made at. So an edit is
visible to the next request on every worker and every process, with no message to lose;
the price is one primary-key read per cached lookup.

A request inside an open transaction is not cached: the committed generation cannot tell
what that transaction has changed (tests run their requests inside one).

``PUBLIC_CACHE_MB`` (per process; 0 turns the cache off) bounds the memory
(gis_portal/answer_cache.py).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse

from gis_portal.answer_cache import Answer, AnswerCache
from gis_portal.db_backend.base import server_bound_statements
from gis_portal.db_routers import read_connection

# The public lookups whose answers are cached: exact paths, and path prefixes. A test checks
# that each still resolves to the view it names (tests/portal/test_public_cache.py).
CACHED_PATHS: dict[str, str] = {
    "/api/v1/placenames": "placename-list",
    "/api/v1/placenames/suggest": "placename-suggest",
    "/api/v1/geocode": "address-geocode",
    "/api/v1/reverse": "address-reverse",
    "/api/v1/areas/at": "area-at",
}
CACHED_PREFIXES: dict[str, str] = {"/tiles/": "address-tile"}
_PREFIXES = tuple(CACHED_PREFIXES)

# Request headers an answer may vary on, all part of the key; an answer whose Vary names
# any other is not kept. (Cookie: only anonymous requests are cached, and what an anonymous
# answer can take from a cookie, the language, is in the key.)
KEYED_VARY = frozenset({"accept", "accept-encoding", "accept-language", "cookie"})
# One answer may use at most this share of the budget.
MAX_ENTRY_SHARE = 16

DATA_GENERATION_SQL = "SELECT generation, changed_at FROM gis_portal_datageneration WHERE id = 1"


def data_generation(db: BaseDatabaseWrapper) -> tuple:
    """Return the data generation as committed: (number, time of the last data change)."""
    with db.cursor() as cur:
        cur.execute(DATA_GENERATION_SQL)
        row = cur.fetchone()
    return tuple(row) if row else (0, None)


def is_public_lookup(path: str) -> bool:
    """Return whether ``path`` is one of the public lookups (``CACHED_PATHS``/``_PREFIXES``)."""
    return path in CACHED_PATHS or path.startswith(_PREFIXES)


def answer_key(request: HttpRequest) -> Hashable | None:
    """Return the cache key of a request, or None if its answer must not be cached."""
    meta = request.META
    if request.method != "GET" or "HTTP_AUTHORIZATION" in meta:
        return None
    path = request.path
    if not is_public_lookup(path):
        return None
    if request.user.is_authenticated:
        return None
    return (
        path,
        meta.get("QUERY_STRING", ""),
        meta.get("HTTP_ACCEPT", ""),
        meta.get("HTTP_ACCEPT_ENCODING", ""),
        getattr(request, "LANGUAGE_CODE", ""),
        meta.get("HTTP_HOST", ""),
        request.scheme,
    )


def answer_of(response: HttpResponse) -> Answer | None:
    """Return the answer to keep for ``response``, or None if it must not be kept."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return None
    cache_control = response.get("Cache-Control", "").lower()
    if "private" in cache_control or "no-store" in cache_control:
        return None
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    if not vary <= KEYED_VARY:
        return None
    return Answer(response.status_code, tuple(response.items()), response.content)


def response_of(answer: Answer) -> HttpResponse:
    """Return a new response carrying a kept answer."""
    return HttpResponse(answer.content, status=answer.status, headers=dict(answer.headers))


class PublicAnswerCacheMiddleware:
    """Serve a public lookup's kept answer while the data generation is unchanged.

    Placed after AuthenticationMiddleware and ReplicaReadsMiddleware (it needs the user, and
    the database this request reads from), so the middleware above it runs on every answer,
    kept or not; the one below it, the URL resolution and the view run only on a miss.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        max_bytes = int(settings.PUBLIC_CACHE_MB * 1024 * 1024)
        if max_bytes <= 0:
            raise MiddlewareNotUsed
        self.get_response = get_response
        self.cache = AnswerCache(max_bytes=max_bytes, max_entry_bytes=max_bytes // MAX_ENTRY_SHARE)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = answer_key(request)
        if key is None or connection.in_atomic_block:
            return self.get_response(request)
        # Read before anything else this request reads: an answer made from newer data than
        # its generation is harmless, one made from older data would be served stale.
        generation = data_generation(read_connection())
        kept = self.cache.get(key, generation=generation)
        if kept is not None:
            return response_of(kept)
        response = self.get_response(request)
        answer = answer_of(response)
        if answer is not None:
            self.cache.put(key, answer, generation=generation)
        return response


class ServerBoundLookupsMiddleware:
    """Run a public lookup's statements bound on the server and prepared once per connection.

    A GET of a public lookup (signed in or not) reads only, in a handful of statements that
    every request repeats with other values: bound on the server, PostgreSQL parses each once
    per connection and may keep its plan, and the worker no longer quotes the values into the
    SQL text. Under the public load of bench/bench_load.py this took ~28 % of PostgreSQL's
    CPU per request and ~8 % of the workers' (gis_portal/db_backend/base.py says why only
    here). Placed before
    PublicAnswerCacheMiddleware, so its generation read is prepared too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "GET" or not is_public_lookup(request.path):
            return self.get_response(request)
        with server_bound_statements():
            return self.get_response(request)
