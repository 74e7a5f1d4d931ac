"""The Hegang demo data, as ordered steps that `load_hegang_demo` runs.

Each app declares its steps in its own ``demo.py`` (``demo_steps_register``); the loader
discovers them at start-up, as the admin discovers ``admin.py``, and orders them by the
steps each names in ``after`` (ties keep the apps' order in INSTALLED_APPS). The loader
imports no app.

Each step names the bundled files it reads and a version; a step whose files and version
are unchanged since its last successful load is skipped, so a second `make run` is quick.
A step runs in one transaction with its bookkeeping row: it is either fully loaded or not.
Generated (non-public) records are marked ``is_demo`` by the step that makes them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pghistory
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.module_loading import autodiscover_modules

from gis_portal.accounts import demo_accounts_create
from gis_portal.datasets import files_checksum
from gis_portal.models import DatasetLoad


@dataclass(frozen=True)
class DemoStep:
    name: str
    version: str
    files: Callable[[], list[Path]]
    load: Callable[[], dict]
    after: tuple[str, ...] = ()  # steps whose data this one reads


_REGISTRY: dict[str, DemoStep] = {}


def demo_steps_register(*steps: DemoStep) -> None:
    """Declare an app's demo steps (called at import time by the app's ``demo.py``)."""
    for step in steps:
        if step.name in _REGISTRY:
            raise ImproperlyConfigured(f"demo step {step.name!r} is declared twice")
        _REGISTRY[step.name] = step


def demo_steps_order(steps: list[DemoStep]) -> list[DemoStep]:
    """Return ``steps`` with each after every step it names; ties keep the given order."""
    by_name = {s.name: s for s in steps}
    for step in steps:
        unknown = [n for n in step.after if n not in by_name]
        if unknown:
            raise ImproperlyConfigured(
                f"demo step {step.name!r} comes after unknown step(s) {', '.join(unknown)}"
            )
    ordered: list[DemoStep] = []
    placed: set[str] = set()
    pending = list(steps)
    while pending:
        ready = next((s for s in pending if placed.issuperset(s.after)), None)
        if ready is None:
            names = ", ".join(s.name for s in pending)
            raise ImproperlyConfigured(f"demo steps {names} wait on each other (a cycle)")
        ordered.append(ready)
        placed.add(ready.name)
        pending.remove(ready)
    return ordered


def demo_steps() -> list[DemoStep]:
    """Return every installed app's demo steps, in the order they must run."""
    autodiscover_modules("demo")
    return demo_steps_order(list(_REGISTRY.values()))


demo_steps_register(
    DemoStep(
        name="accounts",
        version="2",  # 2: demo accounts marked
        files=lambda: [
            Path(__file__).with_name("roles.py"),
            Path(__file__).with_name("accounts.py"),
            Path(__file__).with_name("demo_accounts.py"),
        ],
        load=demo_accounts_create,
        after=("areas",),  # edit scopes name districts
    ),
)


@dataclass
class StepResult:
    name: str
    skipped: bool
    summary: dict


def demo_load(*, force: bool = False, only: list[str] | None = None) -> list[StepResult]:
    """Run the demo steps in order; skip those already loaded from the same files."""
    results = []
    for step in demo_steps():
        if only and step.name not in only:
            continue
        checksum = files_checksum(step.files(), salt=step.version)
        done = DatasetLoad.objects.filter(name=f"demo:{step.name}", checksum=checksum).first()
        if done and not force:
            results.append(StepResult(step.name, True, done.summary))
            continue
        # A history context for the whole step: the demo's rows are attributed to it, and
        # pghistory's triggers do not fall back to a per-row subtransaction (whose rollback
        # rescans the step's growing deferred-FK queue; see placenames_bulk_upsert).
        with transaction.atomic(), pghistory.context(source="load_hegang_demo", step=step.name):
            summary = step.load()
            DatasetLoad.objects.update_or_create(
                name=f"demo:{step.name}", defaults={"checksum": checksum, "summary": summary}
            )
        results.append(StepResult(step.name, False, summary))
    return results
