import pytest
from django.contrib.auth.models import User
from django.test import Client

from boundaries.models import AdministrativeArea

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_admin_geometry_widget_draws_offline(live_server, hegang_areas, offline_page):
    admin = User.objects.create_superuser("root", password="unused-password-1")
    client = Client()
    client.force_login(admin)
    cookie = client.cookies["sessionid"]
    page = offline_page
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    area = AdministrativeArea.objects.get(code="230403")
    page.goto(f"{live_server.url}/admin/boundaries/administrativearea/{area.pk}/change/")
    page.wait_for_selector(".dj_map canvas", timeout=20_000)
    # The widget holds the district's polygon and the county backdrop from the portal's API.
    counts = page.evaluate(
        """() => {
            const el = document.querySelector('[data-offline-map-widget]');
            const w = el.mapWidget;
            return {
              edited: w.featureOverlay.getSource().getFeatures().length,
              layers: w.map.getLayers().getLength(),
            };
        }"""
    )
    assert counts["edited"] == 1
    page.wait_for_load_state("networkidle")
    page.recorder.assert_clean()
