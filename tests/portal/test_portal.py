"""Settings, health, offline assets and the demo loader."""

import re

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection

from boundaries.models import AdministrativeArea, AreaPopulation
from gis_portal.models import DatasetLoad

pytestmark = pytest.mark.django_db

EXTERNAL = re.compile(
    r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import\s+["']?(?:https?:)?//""",
    re.I,
)


def test_healthz_tells_anonymous_callers_only_the_status(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_reports_versions_to_signed_in_staff(admin_client):
    body = admin_client.get("/healthz").json()
    assert body["status"] == "ok"
    assert "PostgreSQL 15" in body["database"]
    assert "POSTGIS=" in body["postgis"]


def test_healthz_hides_database_errors_from_anonymous_callers(client, monkeypatch):
    def unreachable():
        raise OperationalError('connection to server at "10.20.0.7", port 5432 failed')

    monkeypatch.setattr(connection, "cursor", unreachable)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error"}


@pytest.mark.parametrize(
    "path", ["/", "/api/docs/", "/admin/login/", "/healthz", "/api/v1/areas?level=city"]
)
def test_every_response_carries_the_csp(client, hegang_areas, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = dict(
        d.strip().split(" ", 1) for d in response.headers["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert all("http" not in sources and "*" not in sources for sources in policy.values())
    if path != "/api/docs/":
        assert policy == {"default-src": "'self'"}


def _asset_urls(html: str) -> list[str]:
    return re.findall(r"""(?:src|href)=["'](/static/[^"']+)["']""", html)


def test_pages_and_their_assets_reference_no_external_host(client, admin_client, hegang_areas):
    area = AdministrativeArea.objects.get(code="230403")
    pages = ["/", "/api/docs/", "/admin/login/"]
    admin_pages = [f"/admin/boundaries/administrativearea/{area.pk}/change/"]
    seen_assets = set()
    for c, paths in ((client, pages), (admin_client, admin_pages)):
        for path in paths:
            html = c.get(path).content.decode()
            assert not EXTERNAL.search(html), f"{path} references an external host"
            seen_assets.update(_asset_urls(html))
    # The docs page pulls its initialiser script with ?script.
    docs_script = client.get("/api/docs/?script").content.decode()
    assert "/api/schema/" in docs_script and not EXTERNAL.search(docs_script)
    assert any("vendor/ol/ol.js" in a for a in seen_assets)
    for asset in sorted(seen_assets):
        response = client.get(asset)
        assert response.status_code == 200, asset
        # Library bundles (vendor/) carry attribution strings of tile services they never
        # call unless asked; whether anything is *requested* is the browser test's job.
        if asset.endswith((".js", ".css")) and "/vendor/" not in asset:
            body = b"".join(response.streaming_content).decode("utf-8", "replace")
            hits = [m.group(0) for m in EXTERNAL.finditer(body)]
            assert not hits, f"{asset} references an external host: {hits[:3]}"


def test_admin_map_widget_is_the_offline_one(admin_client, hegang_areas):
    area = AdministrativeArea.objects.get(code="230403")
    html = admin_client.get(
        f"/admin/boundaries/administrativearea/{area.pk}/change/"
    ).content.decode()
    assert "data-offline-map-widget" in html
    assert "cdn.jsdelivr" not in html and "openstreetmap" not in html
    assert "<script>" not in html.split("dj_map_wrapper", 1)[1].split("</textarea>", 1)[0]


def test_demo_loader_is_idempotent_and_skips_unchanged_files(capsys):
    call_command("load_hegang_demo")
    first = capsys.readouterr().out
    counts = (AdministrativeArea.objects.count(), AreaPopulation.objects.count())
    call_command("load_hegang_demo")
    second = capsys.readouterr().out
    assert "demo areas: loaded" in first
    assert "demo areas: unchanged, skipped" in second
    assert (AdministrativeArea.objects.count(), AreaPopulation.objects.count()) == counts
    call_command("load_hegang_demo", "--force")
    assert (AdministrativeArea.objects.count(), AreaPopulation.objects.count()) == counts
    assert DatasetLoad.objects.filter(name="demo:areas").count() == 1


def test_demo_areas_hold_every_level_and_census_totals(hegang_areas):
    levels = {
        lvl: AdministrativeArea.objects.filter(level=lvl).count()
        for lvl in ("city", "county", "township", "village")
    }
    assert levels == {"city": 1, "county": 8, "township": 53 + 19, "village": 446}
    assert AdministrativeArea.objects.filter(geom_4490__isnull=False).count() == 9
    county_total = sum(
        AreaPopulation.objects.filter(area__level="county").values_list("population", flat=True)
    )
    assert county_total == 891_271
    assert AreaPopulation.objects.get(area__code="230400").population == 891_271
