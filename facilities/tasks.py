"""Background tasks (procrastinate, PostgreSQL-only queue; worker started by scripts/run.sh)."""

from __future__ import annotations

from procrastinate.contrib.django import app

from facilities.services.runs import siting_run_execute


@app.task(name="facilities.run_siting", queue="siting", pass_context=True)
def run_siting(context, run_id: int) -> None:
    siting_run_execute(run_id=run_id, should_abort=context.should_abort)


def enqueue_siting(run_id: int) -> int:
    """Defer the run's job; return the procrastinate job id."""
    return run_siting.defer(run_id=run_id)
