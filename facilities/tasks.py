"""Background tasks (procrastinate, PostgreSQL-only queue; worker started by scripts/run.sh)."""

from __future__ import annotations

from procrastinate.contrib.django import app

from facilities.services.runs import siting_run_execute
from facilities.services.watchdog import siting_runs_fail_dead


@app.task(name="facilities.run_siting", queue="siting", pass_context=True)
def run_siting(context, run_id: int) -> None:
    siting_run_execute(run_id=run_id, should_abort=context.should_abort)


# Every minute, so also within a minute of a (re)started worker: runs left "running" by a
# killed worker are marked failed (see services.watchdog).
@app.periodic(cron="* * * * *", periodic_id="fail_dead_runs")
@app.task(name="facilities.fail_dead_runs", queue="siting", queueing_lock="fail_dead_runs")
def fail_dead_runs(timestamp: int) -> None:
    siting_runs_fail_dead()


def enqueue_siting(run_id: int) -> int:
    """Defer the run's job; return the procrastinate job id."""
    return run_siting.defer(run_id=run_id)
