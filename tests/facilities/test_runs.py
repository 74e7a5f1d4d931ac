"""Background siting runs: a finished run saves one scenario; cancelled or crashed, none."""

from __future__ import annotations

import pytest

from facilities import siting
from facilities.models import Programme, RunStatus, Scenario
from facilities.services import runs
from facilities.services.siting import SitingRequest
from tests.facilities.factories import demand, facility

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(hegang_areas):
    for k in range(6):
        demand(f"u{k}", k * 700, 0, elders=100 + k)
    facility("eldercare_daycare", "daycare_centre", "现有中心", 0, 0, status="open")
    return Programme.objects.get(slug="eldercare_daycare")


def _run(programme, **kw):
    request = SitingRequest(model="mclp", p=2, radius_m=300, time_limit_s=10)
    return runs.siting_run_create(programme=programme, name="方案甲", request=request, **kw)


def test_finished_run_saves_its_scenario(setup):
    run = _run(setup, capacity_per_site=30)
    run = runs.siting_run_execute(run_id=run.pk)
    assert run.status == RunStatus.DONE and run.progress == 1.0
    scenario = Scenario.objects.get(run=run)
    assert scenario.served_before == 100  # the existing centre reaches only the first unit
    # Grid candidates sit at 500 m cell centres: the two best add the two largest units
    # that a cell centre reaches within 300 m.
    assert scenario.served_after == scenario.result["covered_weight"] == 100 + 104 + 103
    assert len(scenario.new_sites) == 2 and scenario.new_capacity == 60
    assert scenario.result["status"] == "optimal"


def test_cancelled_before_start_saves_nothing(setup):
    run = _run(setup)
    runs.siting_run_cancel(run_id=run.pk)
    run = runs.siting_run_execute(run_id=run.pk)
    assert run.status == RunStatus.CANCELLED
    assert not Scenario.objects.exists()


def test_interrupted_solver_saves_nothing(setup, monkeypatch):
    def interrupted(*args, **kwargs):
        raise siting.SitingInterrupted("求解已取消")

    monkeypatch.setattr(siting, "solve", interrupted)
    run = runs.siting_run_execute(run_id=_run(setup).pk)
    assert run.status == RunStatus.CANCELLED and not Scenario.objects.exists()


def test_crash_marks_the_run_failed_and_saves_nothing(setup, monkeypatch):
    def crash(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(siting, "solve", crash)
    run = _run(setup)
    with pytest.raises(MemoryError):
        runs.siting_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "MemoryError" in run.message
    assert not Scenario.objects.exists()


def test_finished_run_cannot_be_cancelled(setup):
    run = runs.siting_run_execute(run_id=_run(setup).pk)
    with pytest.raises(runs.RunNotCancellable):
        runs.siting_run_cancel(run_id=run.pk)


def test_capacity_per_site_binds_when_the_standard_has_a_ratio(setup):
    """机构养老: 40 beds per 1,000 elders, so 2 beds serve 50 elders — new and existing alike."""
    facility("eldercare_institution", "nursing_home", "小养老院", 0, 0, capacity=2, status="open")
    programme = Programme.objects.get(slug="eldercare_institution")
    request = SitingRequest(model="mclp", p=2, radius_m=300, time_limit_s=10)
    run = runs.siting_run_create(
        programme=programme, name="容量方案", request=request, capacity_per_site=2
    )
    run = runs.siting_run_execute(run_id=run.pk)
    assert run.status == RunStatus.DONE, run.message
    scenario = Scenario.objects.get(run=run)
    assert scenario.served_before == pytest.approx(50)
    assert scenario.served_after == pytest.approx(150)
    assert scenario.result["covered_weight"] == pytest.approx(150)
    assert any("容量" in note for note in scenario.result["notes"])
    assert scenario.result["capacitated"] is True
