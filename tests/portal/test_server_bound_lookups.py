"""The public lookups' statements are bound on the server and prepared; nothing else is.

gis_portal/db_backend/base.py (server_bound_statements) and
gis_portal/public_cache.py (ServerBoundLookupsMiddleware).
"""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection, transaction
from django.test import Client

from gis_portal.db_backend.base import server_bound_statements
from tests.editing.placename_builders import place_create

pytestmark = pytest.mark.django_db

NAMES = ["幸福小区", "红旗小区", "光明小区", "团结小区", "胜利小区", "和平小区", "友谊小区"]


def _prepared() -> list[str]:
    with connection.cursor() as cur:
        cur.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cur.fetchall()]


def _binds_on_the_client() -> bool:
    with connection.cursor() as cur:
        return isinstance(cur.cursor, psycopg.ClientCursor)


def test_only_statements_in_the_context_are_bound_on_the_server():
    assert _binds_on_the_client()
    with server_bound_statements():
        assert not _binds_on_the_client()
        with connection.cursor() as cur:
            cur.execute("SELECT %s::int + %s", [1, 2])
            assert cur.fetchone() == (3,)
    assert _binds_on_the_client()


def test_a_statement_repeated_is_prepared_once_and_several_commands_never_are():
    threshold = connection.connection.prepare_threshold
    assert threshold is not None
    with server_bound_statements(), transaction.atomic(), connection.cursor() as cur:
        for i in range(threshold + 2):
            cur.execute("SELECT count(*) FROM placenames_placename WHERE id > %s", [i])
            # The tile query's settings: a multi-command string, sent as one simple query.
            cur.execute("SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0")
    prepared = _prepared()
    assert sum("placenames_placename WHERE id > $1" in s for s in prepared) == 1
    assert not any("SET LOCAL" in s for s in prepared)


def test_a_client_bound_statement_is_never_prepared():
    with connection.cursor() as cur:
        for i in range(connection.connection.prepare_threshold + 2):
            cur.execute("SELECT count(*) FROM placenames_placename WHERE id > %s", [i])
    assert not any("placenames_placename" in s for s in _prepared())


def test_the_public_search_is_prepared_and_answers_as_before(hegang_areas):
    places = [place_create(name, serial=serial) for serial, name in enumerate(NAMES, start=1)]
    client = Client()
    before = set(_prepared())
    for name in NAMES:
        response = client.get("/api/v1/placenames", {"q": name})
        assert response.status_code == 200
        assert response.json()["features"][0]["properties"]["standard_name"] == name
    # Seven searches of one shape: their statements were prepared on the connection.
    searched = set(_prepared()) - before
    assert any("$1" in s and "placename" in s for s in searched), searched
    # A page that is not a public lookup (a place's own record) keeps client-side binding.
    for place in places:
        assert client.get(f"/api/v1/placenames/{place.place_code}").status_code == 200
    assert set(_prepared()) == before | searched
