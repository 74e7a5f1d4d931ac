"""Run every benchmark under bench/ (modules named bench_*.py), print one table, write results.json.

make bench                 # all
make bench BENCH=areas     # only modules whose name contains "areas"
make bench-smoke           # all, every data set scaled down, in a throwaway database

``--smoke`` (what `make test` runs) creates a database next to DATABASE_URL's, runs the
same code paths on a few thousand rows, and drops it again; it writes no results.json and
fails if a benchmark raises or a figure is missing.
"""

from __future__ import annotations

import importlib
import json
import math
import os
import pkgutil
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import django
import psycopg
from psycopg import sql

HERE = Path(__file__).resolve().parent
LOCAL_DATABASE_URL = "postgis://hegang@127.0.0.1:{port}/hegang_bench"


def _with_database(url: str, name: str, *, scheme: str | None = None) -> str:
    parts = urlsplit(url)
    return urlunsplit((scheme or parts.scheme, parts.netloc, "/" + name, parts.query, ""))


def _smoke_database(url: str) -> tuple[str, str]:
    """Return (name, DATABASE_URL) of a new empty database on DATABASE_URL's server."""
    name = f"{urlsplit(url).path.lstrip('/') or 'hegang'}_smoke_{os.getpid()}"
    with psycopg.connect(
        _with_database(url, "postgres", scheme="postgresql"), autocommit=True
    ) as c:
        c.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        c.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name, _with_database(url, name)


def _drop_database(url: str, name: str) -> None:
    with psycopg.connect(
        _with_database(url, "postgres", scheme="postgresql"), autocommit=True
    ) as c:
        c.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def main(argv: list[str]) -> int:
    smoke = "--smoke" in argv
    wanted = [a for a in argv[1:] if a != "--smoke"]
    if not smoke:
        return _run(wanted, smoke=False)
    os.environ["BENCH_SMOKE"] = "1"  # read by bench.harness, imported below
    server_url = os.environ.get("DATABASE_URL") or LOCAL_DATABASE_URL.format(
        port=os.environ.get("LOCAL_PG_PORT", "54329")
    )
    name, os.environ["DATABASE_URL"] = _smoke_database(server_url)
    print(f"smoke run in the throwaway database {name}", flush=True)
    try:
        return _run(wanted, smoke=True)
    finally:
        from django.db import connections

        connections.close_all()
        _drop_database(server_url, name)


def _run(wanted: list[str], *, smoke: bool) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis_portal.settings.dev")
    # Only refused and failed requests in the access log (here and in the servers the load
    # benchmark starts): thousands of timed requests would bury the figures.
    os.environ.setdefault("ACCESS_LOG_LEVEL", "WARNING")
    django.setup()
    from django.core.management import call_command

    t_all = time.perf_counter()
    call_command("migrate", verbosity=0)
    names = sorted(m.name for m in pkgutil.iter_modules([str(HERE)]) if m.name.startswith("bench_"))
    chosen = [n for n in names if not wanted or any(w in n for w in wanted)]
    # A module may ask to run early (RUN_ORDER, default 50), e.g. before the big data sets
    # that would make its own set-up slow without changing what it measures.
    modules = sorted(
        ((importlib.import_module(f"bench.{n}"), n) for n in chosen),
        key=lambda mn: (getattr(mn[0], "RUN_ORDER", 50), mn[1]),
    )
    results = []
    for module, name in modules:
        t0 = time.perf_counter()
        print(f"-- {name} …", flush=True)
        for result in module.run():
            results.append(result)
            print(
                f"   {result.id}: {result.value:g} {result.unit}"
                f" (baseline {result.baseline if result.baseline is not None else '-'}; {result.note})",
                flush=True,
            )
        print(f"   ({time.perf_counter() - t0:.1f} s)", flush=True)

    print()
    print(f"{'id':42} {'value':>12} {'unit':8} {'baseline':>12} {'ratio':>8} {'n':>9}")
    for r in results:
        base = f"{r.baseline:.4g}" if r.baseline is not None else "-"
        ratio = f"{r.ratio:g}×" if r.ratio is not None else "-"
        print(f"{r.id:42} {r.value:12.4g} {r.unit:8} {base:>12} {ratio:>8} {r.n:>9}")
    print(f"\n{len(results)} figures in {time.perf_counter() - t_all:.0f} s")
    if smoke:
        broken = [r.id for r in results if not math.isfinite(r.value)]
        if broken or not results:
            print(f"smoke run: no finite value for {broken or 'any benchmark'}", file=sys.stderr)
            return 1
        return 0
    out = HERE / "results.json"
    previous = json.loads(out.read_text()) if (wanted and out.exists()) else []
    merged = {r["id"]: r for r in previous}
    merged.update({r.id: r.as_json() for r in results})
    out.write_text(json.dumps(list(merged.values()), indent=2, ensure_ascii=False) + "\n")
    print(f"\nwritten {out.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
