"""The culture demo step: everything it writes is marked demo; loading twice is the same."""

from __future__ import annotations

import pytest

from placenames.demo_archive import DEMO_MARK
from placenames.demo_culture import culture_load_demo
from placenames.models import PlaceName, PlaceNameMedia, PlaceSign, ProtectedName
from placenames.selectors.signs import sign_coverage_rate
from placenames.services.names import placenames_load_demo


@pytest.mark.django_db
def test_the_culture_demo_is_marked_demo_repeatable_and_leaves_real_records_alone(
    hegang_areas, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = str(tmp_path)
    placenames_load_demo(size=900)
    first = culture_load_demo()
    assert first["signs"] > 0 and first["stories"] > 0 and first["media"] == 6
    assert not PlaceSign.objects.filter(is_demo=False).exists()
    assert not ProtectedName.objects.filter(is_demo=False).exists()
    assert not PlaceNameMedia.objects.filter(is_demo=False).exists()
    real = PlaceName.objects.filter(is_demo=False)
    assert not real.exclude(origin="", meaning="", history="").exists()
    assert all(p.origin.startswith(DEMO_MARK) for p in PlaceName.objects.exclude(origin=""))
    rate = sign_coverage_rate(None, 2025)
    assert 0.4 < rate < 0.9
    signs = sorted(PlaceSign.objects.values_list("place__place_code", "kind", "installed_on"))
    # the replaced demo files are deleted when the reload commits
    with django_capture_on_commit_callbacks(execute=True):
        assert culture_load_demo() == first
    assert (
        sorted(PlaceSign.objects.values_list("place__place_code", "kind", "installed_on")) == signs
    )
    assert (
        len([p for p in tmp_path.rglob("*") if p.is_file()]) == 9
    )  # 3 photos + thumbs + 3 recordings
