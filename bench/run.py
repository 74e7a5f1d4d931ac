"""Run every benchmark under bench/ (modules named bench_*.py), print one table, write results.json.

make bench                 # all
make bench BENCH=areas     # only modules whose name contains "areas"
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import sys
import time
from pathlib import Path

import django

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis_portal.settings.dev")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    wanted = argv[1:]
    modules = sorted(
        m.name for m in pkgutil.iter_modules([str(HERE)]) if m.name.startswith("bench_")
    )
    results = []
    for name in modules:
        if wanted and not any(w in name for w in wanted):
            continue
        module = importlib.import_module(f"bench.{name}")
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
    out = HERE / "results.json"
    previous = json.loads(out.read_text()) if (wanted and out.exists()) else []
    merged = {r["id"]: r for r in previous}
    merged.update({r.id: r.as_json() for r in results})
    out.write_text(json.dumps(list(merged.values()), indent=2, ensure_ascii=False) + "\n")
    print(f"\nwritten {out.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
