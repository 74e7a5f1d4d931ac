"""A killed worker must not leave a run "running": the poll, the periodic task and the command
mark it failed with a Chinese reason, end its job, and save no scenario."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from procrastinate import sql as procrastinate_sql
from procrastinate.contrib.django.models import ProcrastinateJob
from rest_framework.test import APIClient

from facilities.models import Programme, RunStatus, Scenario, SitingRun
from facilities.services import runs, watchdog
from facilities.services.siting import SitingRequest
from facilities.tasks import enqueue_siting, fail_dead_runs
from tests.facilities.factories import demand

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(hegang_areas):
    demand("u0", 0, 0, elders=100)
    return Programme.objects.get(slug="eldercare_daycare")


def _query(name: str, **params):
    with connection.cursor() as cursor:
        cursor.execute(procrastinate_sql.queries[name], params)
        return cursor.fetchone() if cursor.description else None


def _started_run(programme) -> SitingRun:
    """Return a run whose job a worker has picked up: run "running", job "doing"."""
    request = SitingRequest(model="mclp", p=1, radius_m=300, time_limit_s=10)
    run = runs.siting_run_create(programme=programme, name="方案", request=request)
    job_id = enqueue_siting(run.pk)
    worker_id = _query("register_worker")[0]
    fetched = _query("fetch_job", queues=["siting"], worker_id=worker_id)
    assert fetched[0] == job_id
    SitingRun.objects.filter(pk=run.pk).update(job_id=job_id, status=RunStatus.RUNNING)
    run.refresh_from_db()
    return run


def _silence_worker(seconds: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE procrastinate_workers SET last_heartbeat = now() - %s * interval '1 second'",
            [seconds],
        )


def _logged_in() -> APIClient:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_superuser("admin6", "a@example.com", "x")
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_a_live_worker_keeps_its_run(programme):
    run = _started_run(programme)
    _silence_worker(10)  # one missed beat is not death
    assert watchdog.siting_run_fail_if_dead(run=run).status == RunStatus.RUNNING
    assert ProcrastinateJob.objects.get(pk=run.job_id).status == "doing"


def test_polling_a_run_of_a_killed_worker_marks_it_failed(programme):
    run = _started_run(programme)
    _silence_worker(300)
    body = _logged_in().get(f"/api/v1/siting/runs/{run.pk}").json()
    assert body["status"] == "failed"
    assert "无响应" in body["message"] and "未保存方案" in body["message"]
    assert ProcrastinateJob.objects.get(pk=run.job_id).status == "failed"
    assert not Scenario.objects.exists()


def test_a_pruned_worker_and_the_periodic_task(programme):
    run = _started_run(programme)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_workers")  # what a newer worker prunes
    done = SitingRun.objects.create(
        programme=programme, name="已完成", parameters={}, status=RunStatus.DONE
    )
    fail_dead_runs(timestamp=0)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "已退出" in run.message
    done.refresh_from_db()
    assert done.status == RunStatus.DONE


def test_a_waiting_job_is_left_alone_and_a_never_queued_run_fails(programme):
    request = SitingRequest(model="mclp", p=1, radius_m=300, time_limit_s=10)
    waiting = runs.siting_run_create(programme=programme, name="排队", request=request)
    SitingRun.objects.filter(pk=waiting.pk).update(job_id=enqueue_siting(waiting.pk))
    lost = runs.siting_run_create(programme=programme, name="未提交", request=request)
    SitingRun.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(hours=1))
    out = StringIO()
    call_command("fail_dead_runs", stdout=out)
    assert str(lost.pk) in out.getvalue()
    waiting.refresh_from_db()
    lost.refresh_from_db()
    assert waiting.status == RunStatus.QUEUED
    assert lost.status == RunStatus.FAILED and "未能提交" in lost.message
