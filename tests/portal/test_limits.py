"""Anonymous denial of service: heavy work is rate-limited and slot-bound, big bodies refused.

What an attacker sees: 429 with Retry-After once over the export rate, 503 at once when the
heavy-work slots are all taken (held here by another database connection, as another server
process would), and 413 for a large body before a byte of it is read.
"""

from __future__ import annotations

import time

import psycopg
import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client

from gis_portal.limits import path_accepts_upload
from gis_portal.throttles import ADVISORY_CLASS_ID, POOL_OFFSETS, address_key, parse_rate
from tests.request_bodies import LazyMultipartBody, post_body

EXPORT = "/api/v1/placenames/export"
MB = 1024 * 1024


@pytest.fixture
def officer(db):
    return User.objects.create_user("limits-officer", password="x")


@pytest.fixture
def tight_export_rate(settings):
    settings.THROTTLE_RATES = {
        **settings.THROTTLE_RATES,
        "export": {"anon": "2/hour", "user": ""},
    }


# --- rates -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_client_over_the_export_rate_gets_429_in_chinese_with_retry_after(
    client, tight_export_rate
):
    for _ in range(2):
        assert client.get(EXPORT, {"format": "csv"}).status_code == 200
    response = client.get(EXPORT, {"format": "csv"})
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "throttled" and "请求过于频繁" in body["error"]
    assert 1 <= int(response["Retry-After"]) <= 3600


@pytest.mark.django_db
def test_the_export_rate_is_per_client_and_signed_in_staff_are_not_held_to_it(
    client, officer, tight_export_rate
):
    for _ in range(3):
        client.get(EXPORT, {"format": "csv"})
    other = Client(REMOTE_ADDR="10.1.2.3")
    assert other.get(EXPORT, {"format": "csv"}).status_code == 200
    staff = Client()
    staff.force_login(officer)
    assert all(staff.get(EXPORT, {"format": "csv"}).status_code == 200 for _ in range(4))


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_rate_counts_each_client_and_ignores_spoofed_hops(
    tight_export_rate, settings
):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    proxy = Client(REMOTE_ADDR="10.0.0.5")

    def export(forwarded_for: str) -> int:
        return proxy.get(EXPORT, {"format": "csv"}, HTTP_X_FORWARDED_FOR=forwarded_for).status_code

    assert [export("203.0.113.7") for _ in range(3)] == [200, 200, 429]
    # Another citizen behind the same proxy is not held to the first one's count ...
    assert export("203.0.113.8") == 200
    # ... and the first cannot escape it by writing a fresh address in front.
    assert export("198.51.100.1, 203.0.113.7") == 429


@pytest.mark.django_db
def test_a_page_over_the_rate_gets_an_html_page_saying_so(client, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "export": {"anon": "1/min", "user": ""}}
    client.get("/addresses/production.xlsx")
    response = client.get("/addresses/production.xlsx")
    assert response.status_code == 429 and response["Content-Type"].startswith("text/html")
    assert "请求过于频繁" in response.content.decode() and int(response["Retry-After"]) <= 60


@pytest.mark.django_db
def test_ordinary_public_lookups_are_not_throttled(client, settings):
    settings.THROTTLE_RATES = {
        scope: {"anon": "1/hour", "user": "1/hour"} for scope in settings.THROTTLE_RATES
    }
    for _ in range(3):
        assert client.get("/api/v1/placenames", {"q": "新华"}).status_code == 200
        assert client.get("/api/v1/placenames/suggest", {"q": "新"}).status_code == 200


def test_rates_are_read_as_requests_per_period():
    assert parse_rate("20/hour").requests == 20 and parse_rate("20/hour").period_s == 3600
    assert parse_rate("") is None and parse_rate("5/min").period_s == 60


# --- slots -------------------------------------------------------------------------------


@pytest.fixture
def anonymous_slots_held_elsewhere(settings):
    """Take every anonymous heavy-work slot from a second database connection."""
    settings.HEAVY_WORK_SLOTS = {**settings.HEAVY_WORK_SLOTS, "anon": 2}
    db = connection.settings_dict
    other = psycopg.connect(
        dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"], autocommit=True
    )
    for slot in range(2):
        other.execute(
            "SELECT pg_advisory_lock(%s, %s)", [ADVISORY_CLASS_ID, POOL_OFFSETS["anon"] + slot]
        )
    yield
    other.close()


@pytest.mark.django_db
def test_heavy_request_is_refused_at_once_when_every_slot_is_taken(
    client, anonymous_slots_held_elsewhere
):
    started = time.monotonic()
    response = client.get(EXPORT, {"format": "csv"})
    assert time.monotonic() - started < 2
    assert response.status_code == 503
    assert "服务器正忙" in response.json()["error"] and int(response["Retry-After"]) > 0


@pytest.mark.django_db
def test_signed_in_staff_have_slots_of_their_own(officer, anonymous_slots_held_elsewhere):
    staff = Client()
    staff.force_login(officer)
    assert staff.get(EXPORT, {"format": "csv"}).status_code == 200


@pytest.mark.django_db
def test_a_slot_is_free_again_after_the_request(client, settings):
    settings.HEAVY_WORK_SLOTS = {**settings.HEAVY_WORK_SLOTS, "anon": 1}
    for _ in range(3):
        assert client.get(EXPORT, {"format": "csv"}).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s",
            [ADVISORY_CLASS_ID],
        )
        assert cursor.fetchone()[0] == 0


# --- request bodies ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_20_mb_post_to_the_login_page_is_refused_unread():
    attacker = Client(enforce_csrf_checks=True)
    attacker.get("/accounts/login/")  # a CSRF cookie, so the CSRF check reads the form
    body = LazyMultipartBody(20 * MB)
    response = post_body(attacker, "/accounts/login/", body)
    assert response.status_code == 413
    assert "请求体过大" in response.content.decode()
    assert body.bytes_read == 0


@pytest.mark.django_db
def test_a_20_mb_post_to_an_api_that_takes_no_upload_is_refused_unread(officer):
    staff = Client()
    staff.force_login(officer)
    body = LazyMultipartBody(20 * MB)
    response = post_body(staff, "/api/v1/editing/save", body)
    assert response.status_code == 413
    assert (
        response.json()["code"] == "request_too_large" and "请求体过大" in response.json()["error"]
    )
    assert body.bytes_read == 0


@pytest.mark.django_db
def test_a_chunked_body_without_length_is_refused(client):
    response = client.generic(
        "POST", "/api/v1/placenames/review", HTTP_TRANSFER_ENCODING="chunked", CONTENT_LENGTH=""
    )
    assert response.status_code == 411 and "Content-Length" in response.json()["error"]


def test_upload_views_are_found_from_their_own_declarations():
    assert path_accepts_upload("/api/v1/editing/requests/7/documents")
    assert path_accepts_upload("/placenames/officer/")
    assert path_accepts_upload("/boundaries/import/")
    assert path_accepts_upload("/boundaries/parameters/")
    # The admin of a model with a file field (marker photos), not one without.
    assert path_accepts_upload("/admin/boundaries/boundarymarker/1/change/")
    assert not path_accepts_upload("/admin/boundaries/areapopulation/add/")
    assert not path_accepts_upload("/accounts/login/")
    assert not path_accepts_upload("/api/v1/editing/save")
    assert not path_accepts_upload("/no/such/page")


def test_an_ipv6_client_is_counted_by_its_64_prefix():
    assert address_key("2001:db8:1:2::5") == address_key("2001:db8:1:2:ffff::1")
    assert address_key("2001:db8:1:3::5") != address_key("2001:db8:1:2::5")
    assert address_key("::ffff:10.0.0.1") == address_key("10.0.0.1") == "ip:10.0.0.1"
