"""Runs whose background job died: mark them failed, with the reason, and end the job.

A killed or crashed worker cannot finish its run, so the run would stay "running"
forever. procrastinate (3.x) records a heartbeat per worker every 10 s and links each
job in progress to its worker; a job whose worker is gone (row pruned by a newer worker)
or silent for longer than ``STALLED_AFTER_S`` is stalled. Nothing of the run needs
undoing: its scenario is only ever written together with its final status
(``runs._save_scenario``), so a dead run has no scenario to roll back.

Called by the periodic task ``facilities.fail_stalled_runs`` (every minute, and so soon
after a worker starts), by ``manage.py fail_stalled_runs``, and when the planner page
polls a run.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone
from procrastinate import sql as procrastinate_sql
from procrastinate.contrib.django.models import ProcrastinateJob

from facilities.models import RunStatus, SitingRun

# Six missed heartbeats (procrastinate's worker beats every 10 s; its own stalled-worker
# timeout is 30 s): a busy solver never misses them, since HiGHS releases the GIL.
STALLED_AFTER_S = 60
# A run whose job was never handed to the queue (the enqueue after commit failed).
NEVER_QUEUED_AFTER_S = 300

ACTIVE = (RunStatus.QUEUED, RunStatus.RUNNING)


def job_dead_reason(job_id: int | None, *, created_at, now=None) -> str | None:
    """Return why the run's job can no longer finish it (Chinese), or None while it may."""
    now = now or timezone.now()
    if job_id is None:
        if now - created_at > timedelta(seconds=NEVER_QUEUED_AFTER_S):
            return "计算未能提交到后台队列"
        return None
    job = ProcrastinateJob.objects.select_related("worker").filter(pk=job_id).first()
    if job is None:
        return "后台任务记录已不存在"
    if job.status == "todo":
        return None
    if job.status == "doing":
        if job.worker is None:
            return "后台工作进程已退出，计算中断"
        silent_s = (now - job.worker.last_heartbeat).total_seconds()
        if silent_s > STALLED_AFTER_S:
            return f"后台工作进程已 {silent_s:.0f} 秒无响应（可能被终止），计算中断"
        return None
    return f"后台任务已结束（{job.status}），但计算没有完成"


def siting_run_fail_if_dead(*, run: SitingRun, now=None) -> SitingRun:
    """Mark ``run`` failed when its job can no longer finish it; return the run as stored."""
    if run.status not in ACTIVE:
        return run
    reason = job_dead_reason(run.job_id, created_at=run.created_at, now=now)
    if reason is None:
        return run
    with transaction.atomic():
        # Only a run still active is changed: a worker finishing at this moment wins.
        changed = SitingRun.objects.filter(pk=run.pk, status__in=ACTIVE).update(
            status=RunStatus.FAILED,
            message=f"{reason}；未保存方案，请重新计算"[:500],
            finished_at=timezone.now(),
        )
        if changed and run.job_id is not None:
            _end_job(run.job_id)
    run.refresh_from_db()
    return run


def siting_runs_fail_dead(*, now=None) -> list[int]:
    """Mark every active run whose job died as failed; return their ids."""
    failed = []
    for run in SitingRun.objects.filter(status__in=ACTIVE).order_by("pk"):
        if siting_run_fail_if_dead(run=run, now=now).status == RunStatus.FAILED:
            failed.append(run.pk)
    return failed


def _end_job(job_id: int) -> None:
    """Mark a stalled procrastinate job failed, so that no retry runs it again."""
    if not ProcrastinateJob.objects.filter(pk=job_id, status__in=["todo", "doing"]).exists():
        return
    # procrastinate's own query, on this transaction's connection.
    with connection.cursor() as cursor:
        cursor.execute(
            procrastinate_sql.queries["finish_job"],
            {"job_id": job_id, "status": "failed", "delete_job": False},
        )
