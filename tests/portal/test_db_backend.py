"""The database backend's health check: skipped on a connection busy a moment ago, done after idling."""

from __future__ import annotations

import pytest
from django.db import connection

from gis_portal import db_backend
from gis_portal.db_backend import base


@pytest.fixture
def clock(monkeypatch):
    now = {"t": 1000.0}
    monkeypatch.setattr(base.time, "monotonic", lambda: now["t"])
    # The connection outlives a test: forget when an earlier test last used it.
    monkeypatch.setattr(connection, "_request_boundary_at", float("-inf"))
    return now


@pytest.fixture
def checks(monkeypatch):
    """Count the SELECT 1 health checks the connection sends."""
    sent = []
    real = connection.is_usable

    def counted():
        sent.append(1)
        return real()

    monkeypatch.setattr(connection, "is_usable", counted)
    return sent


def _request() -> None:
    """What Django does around one request that reads the database."""
    connection.close_if_unusable_or_obsolete()  # request_started
    connection.close_if_health_check_failed()  # before the first query
    connection.ensure_connection()
    connection.close_if_unusable_or_obsolete()  # request_finished


@pytest.mark.django_db
def test_back_to_back_requests_skip_the_check_and_an_idle_connection_is_checked(clock, checks):
    assert connection.settings_dict["ENGINE"] == db_backend.__name__
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    connection.ensure_connection()
    connection.health_check_enabled = True  # as the settings ask; the test DB setup resets it
    _request()  # the first after an unknown idle time: checked
    assert len(checks) == 1
    for _ in range(5):
        clock["t"] += 0.05  # a busy worker thread: 50 ms between requests
        _request()
    assert len(checks) == 1
    clock["t"] += base.HEALTH_CHECK_AFTER_IDLE_S + 0.5  # idle: a restart could have cut it
    _request()
    assert len(checks) == 2


@pytest.mark.django_db
def test_an_idle_limit_of_zero_checks_before_every_request_as_stock_django(
    clock, checks, monkeypatch
):
    monkeypatch.setitem(connection.settings_dict, "HEALTH_CHECK_AFTER_IDLE_S", 0)
    connection.ensure_connection()
    connection.health_check_enabled = True
    for _ in range(3):
        clock["t"] += 0.05
        _request()
    assert len(checks) == 3
