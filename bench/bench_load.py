"""load.*: the portal under load, served as scripts/run.sh serves it, on loopback.

The portal runs as scripts/run.sh serves it (``python -m gis_portal.serve``: granian, 2 workers
× 2 threads, DEBUG off, the access log written) against the bench database loaded with the
Hegang demo data; locust (bench/load_locustfile.py, a subprocess) drives it at 127.0.0.1
only, on the same 2 cores — so the figures are lower bounds of what the server does alone.

- public_rps, public_p99_ms: 16 anonymous clients asking without pause, in PUBLIC_ROUNDS
  rounds of ROUND_SECONDS, each on a freshly started portal after a warm-up:
  place-name search and suggest, geocode, reverse, areas/at and door-plate tiles, in the
  mix PUBLIC_WEIGHTS, each drawn from a few thousand queries built from the demo data
  (names and their two-character pieces and pinyin, addresses of real plates, points by
  real plates). Per-kind rate and p99 in the note. Any failed request fails the bench.
  Each round starts with an empty answer cache (gis_portal/public_cache.py), so only what
  the round itself asked twice in one worker is answered from memory. Baseline: the same
  with that cache off (PUBLIC_CACHE_MB=0), in rounds taken in turns with ours (medians of
  the rounds). Before the first round the database is settled (database_settle: VACUUM
  ANALYZE, autovacuum done, CHECKPOINT), so the vacuum owed after the benches' bulk writes
  is not paid during the rounds; the note says how long that took.
- editor_saves_per_s, editor_lost_updates: 20 officers (API keys, one district) reading a
  door plate and saving a new building text with If-Match, on 10 shared plates so that
  they collide. Afterwards every accepted save must be in the data (the versions of one
  plate's accepted saves are exactly v0+1…v_end, the last one's text is the plate's) and
  in its history (an event with that version and text), and every refused one must have
  been a 409/412 on a version already overtaken; anything else raises.
"""

from __future__ import annotations

import csv
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter, defaultdict
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pghistory
from django.conf import settings
from django.db import DatabaseError, connection
from knox.models import AuthToken

from bench.bench_editor import densest_county
from bench.harness import Result, sized
from boundaries.models import AdministrativeArea
from gis_portal.accounts import roles_sync, user_create_with_role
from gis_portal.demo import demo_load
from gis_portal.serve import DEFAULT_THREADS, DEFAULT_WORKERS
from placenames.addresses.models import DoorPlate, PlateStatus
from placenames.addresses.tiles import lonlat_to_tile
from placenames.models import PlaceName

ROOT = Path(__file__).resolve().parent.parent
LOCUSTFILE = Path(__file__).resolve().parent / "load_locustfile.py"
LOAD_SECONDS = sized(30, 3)  # the officers' run
# The public run: rounds of ours and of the baseline taken in turns. Consecutive 10 s rounds
# of the same portal on this shared machine differed by up to 1.5× (361 to 539 req/s); five
# of each make the medians hold.
PUBLIC_ROUNDS = sized(5, 1)
ROUND_SECONDS = sized(10, 3)
WARM_UP_S = sized(3, 1)  # before each round: every thread's connection, the caches
PUBLIC_USERS = sized(16, 4)
EDITORS = sized(20, 4)
EDITOR_PLATES = sized(10, 3)
N_QUERIES = sized(2000, 100)
# How often each lookup is asked: a map session pans (tiles) more than it searches, and
# autocomplete asks once per keystroke.
PUBLIC_WEIGHTS = {"search": 3, "suggest": 3, "geocode": 2, "reverse": 2, "areas_at": 1, "tiles": 4}
SEED = 12
# The settle step waits at most this long for autovacuum workers still busy on the database.
AUTOVACUUM_WAIT_S = sized(300, 10)


# ---- the portal, as scripts/run.sh serves it ----------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url(db: dict) -> str:
    """Return the postgis:// URL of a Django database setting (the bench's own database)."""
    login = quote(db["USER"], safe="")
    if db.get("PASSWORD"):
        login += ":" + quote(db["PASSWORD"], safe="")
    return f"postgis://{login}@{db['HOST']}:{db['PORT']}/{quote(db['NAME'], safe='')}"


@contextmanager
def portal_serve(
    *, workers: int = DEFAULT_WORKERS, threads: int = DEFAULT_THREADS, env: dict | None = None
):
    """Serve the portal on 127.0.0.1 like scripts/run.sh (gis_portal.serve); yield its base URL."""
    port = _free_port()
    environ = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get(
            "DJANGO_SETTINGS_MODULE", "gis_portal.settings.dev"
        ),
        "DATABASE_URL": _database_url(settings.DATABASES["default"]),
        # Every request logged, as in production (the bench's own process logs only 4xx/5xx).
        "ACCESS_LOG_LEVEL": "INFO",
        **(env or {}),
    }
    log = tempfile.NamedTemporaryFile("w+", prefix="bench_load_serve_", suffix=".log")  # noqa: SIM115
    cmd = [
        sys.executable, "-m", "gis_portal.serve", "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--threads", str(threads),
    ]  # fmt: skip
    # The access log (one JSON line per request) is written as in production, to nowhere.
    server = subprocess.Popen(cmd, cwd=ROOT, env=environ, stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as r:  # noqa: S310
                    if r.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"the portal did not start: {log.read()[-2000:]}")
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


# ---- locust --------------------------------------------------------------------------------


def locust_run(*, base: str, scenario: dict, users: int, seconds: int) -> tuple[dict, list[dict]]:
    """Run locust headless against ``base``; return its stats rows by name and the result lines."""
    if not base.startswith("http://127.0.0.1:"):
        raise ValueError(f"the load generator targets 127.0.0.1 only, not {base}")
    with tempfile.TemporaryDirectory(prefix="bench_load_") as tmp:
        scenario_path = Path(tmp, "scenario.json")
        scenario_path.write_text(json.dumps(scenario, ensure_ascii=False))
        results_path = Path(tmp, "results.jsonl")
        cmd = [
            sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
            "--host", base, "--users", str(users), "--spawn-rate", str(users),
            "--run-time", f"{seconds}s", "--stop-timeout", "10", "--csv", f"{tmp}/run",
            "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0",
        ]  # fmt: skip
        env = {**os.environ, "LOAD_SCENARIO": str(scenario_path), "LOAD_RESULTS": str(results_path)}
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=seconds + 120)
        stats_path = Path(tmp, "run_stats.csv")
        if done.returncode != 0 or not stats_path.exists():
            raise RuntimeError(f"locust failed ({done.returncode}): {done.stderr[-2000:]}")
        with stats_path.open(encoding="utf-8") as f:
            stats = {row["Name"]: row for row in csv.DictReader(f)}
        failures_path = Path(tmp, "run_failures.csv")
        failures = failures_path.read_text(encoding="utf-8") if failures_path.exists() else ""
        rows = []
        if results_path.exists():
            rows = [json.loads(line) for line in results_path.read_text().splitlines()]
    if int(stats["Aggregated"]["Failure Count"]):
        raise RuntimeError(f"requests failed under load:\n{failures[-2000:]}")
    return stats, rows


def _figures(row: dict) -> tuple[float, float, int]:
    """Return (requests/s, p99 ms, count) of a locust stats row."""
    return float(row["Requests/s"]), float(row["99%"]), int(row["Request Count"])


# ---- the public lookups ----------------------------------------------------------------------


def public_queries(rng: random.Random, n: int = N_QUERIES) -> dict[str, list[str]]:
    """Return request paths per lookup kind, drawn from the demo data."""
    names = list(
        PlaceName.objects.filter(point_4490__isnull=False)
        .order_by("pk")
        .values_list("standard_name", "pinyin_key", "pinyin_initials", "point_4490")
    )
    plates = list(
        DoorPlate.objects.filter(status=PlateStatus.INSTALLED)
        .order_by("pk")
        .values_list("street__name", "number", "sub_number", "point_4490")
    )
    if not names or not plates:
        raise RuntimeError("the bench database has no demo place names or door plates")
    sub = ["之一", "之二", "之三"]

    def search() -> str:
        name, key, initials, _ = rng.choice(names)
        way = rng.randrange(4)
        if way == 0 and len(name) >= 3:
            i = rng.randrange(len(name) - 1)
            q = name[i : i + 2]  # the most common kind: two characters of a name
        elif way == 1:
            q = name
        elif way == 2 and key:
            q = key[: rng.randint(3, 6)]
        else:
            q = initials or name
        return f"/api/v1/placenames?q={quote(q)}&page_size=10"

    def suggest() -> str:
        name, key, _, _ = rng.choice(names)
        q = name[: rng.randint(1, 3)] if rng.random() < 0.8 or not key else key[:4]
        return f"/api/v1/placenames/suggest?q={quote(q)}"

    def geocode() -> str:
        street, number, sub_number, _ = rng.choice(plates)
        q = f"{street}{number}号" + (sub[sub_number - 1] if 0 < sub_number <= 3 else "")
        return f"/api/v1/geocode?q={quote(q)}"

    def near(points) -> tuple[float, float]:
        p = rng.choice(points)[-1]
        return p.x + rng.uniform(-4e-4, 4e-4), p.y + rng.uniform(-3e-4, 3e-4)  # ±30 m

    def reverse() -> str:
        lon, lat = near(plates)
        return f"/api/v1/reverse?lon={lon:.6f}&lat={lat:.6f}"

    def areas_at() -> str:
        lon, lat = near(names)
        return f"/api/v1/areas/at?lon={lon:.6f}&lat={lat:.6f}"

    def tiles() -> str:
        lon, lat = near(plates)
        z = rng.choice((14, 15, 16))
        x, y = lonlat_to_tile(lon, lat, z)
        return f"/tiles/doorplates/{z}/{x}/{y}.pbf"

    makers = {"search": search, "suggest": suggest, "geocode": geocode, "reverse": reverse,
              "areas_at": areas_at, "tiles": tiles}  # fmt: skip
    return {kind: [make() for _ in range(n)] for kind, make in makers.items()}


def database_settle() -> str:
    """Let the database settle before the rounds, as a served one is between bulk loads.

    The benches before this one write a million rows at a time (names, door plates, their
    history). PostgreSQL owes such tables a vacuum (hint bits, the visibility map, the
    insert-triggered autovacuum) and a checkpoint; paid during the rounds, that debt would be
    measured as the portal's. So: VACUUM (ANALYZE) of the database, a wait (bounded) for
    autovacuum workers still busy on it, and a CHECKPOINT. Returns what it did, for the note.
    """
    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("VACUUM (ANALYZE)")
        vacuum_s = time.perf_counter() - started
        waited = time.perf_counter()
        while time.perf_counter() - waited < AUTOVACUUM_WAIT_S:
            cur.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE backend_type = 'autovacuum worker' AND datname = current_database()"
            )
            if cur.fetchone()[0] == 0:
                break
            time.sleep(1)
        waited_s = time.perf_counter() - waited
        try:
            cur.execute("CHECKPOINT")
            checkpoint = "CHECKPOINT"
        except DatabaseError:  # needs pg_checkpoint (or a superuser) on a server not ours
            checkpoint = "no CHECKPOINT (not permitted)"
    total_s = time.perf_counter() - started
    return (
        f"settled first in {total_s:.0f} s (VACUUM ANALYZE {vacuum_s:.0f} s, autovacuum waited "
        f"{waited_s:.0f} s, {checkpoint})"
    )


def _public_rounds(queries: dict[str, list[str]]) -> tuple[list[dict], list[dict]]:
    """Return the locust stats of each round, ours and the baseline's, run alternately.

    The machine is shared: one run of each, one after the other, measured the load of the
    moment more than the portal. Short rounds taken in turns and their medians do not.
    """
    scenario = {"kind": "public", "queries": queries, "weights": PUBLIC_WEIGHTS}
    ours, baseline = [], []
    for i in range(PUBLIC_ROUNDS * 2):
        naive = (i % 2 == 0) == (i // 2 % 2 == 0)  # naive, ours, ours, naive, naive, ours …
        env = {"PUBLIC_CACHE_MB": "0"} if naive else {}
        with portal_serve(env=env) as base:
            locust_run(base=base, scenario=scenario, users=PUBLIC_USERS, seconds=WARM_UP_S)
            stats, _ = locust_run(
                base=base,
                scenario=scenario,
                users=PUBLIC_USERS,
                seconds=ROUND_SECONDS,
            )
        (baseline if naive else ours).append(stats)
    return ours, baseline


def _median_of(rounds: list[dict], name: str, column: str) -> float:
    return statistics.median(float(r[name][column]) for r in rounds if name in r)


def _bench_public(ours: list[dict], baseline: list[dict], *, settled: str) -> list[Result]:
    rps = _median_of(ours, "Aggregated", "Requests/s")
    p99 = _median_of(ours, "Aggregated", "99%")
    n = sum(int(r["Aggregated"]["Request Count"]) for r in ours)
    per_kind = "; ".join(
        f"{kind} {_median_of(ours, kind, 'Requests/s'):.0f}/s p99 {_median_of(ours, kind, '99%'):.0f} ms"
        f" (baseline {_median_of(baseline, kind, 'Requests/s'):.0f}/s"
        f" p99 {_median_of(baseline, kind, '99%'):.0f} ms)"
        for kind in PUBLIC_WEIGHTS
    )
    mix = ", ".join(f"{k} {w}" for k, w in PUBLIC_WEIGHTS.items())
    rounds = f"{PUBLIC_ROUNDS} rounds × {ROUND_SECONDS} s"
    note = (
        f"{PUBLIC_USERS} clients, {rounds} (medians), no errors; mix {mix}; median latency "
        f"{_median_of(ours, 'Aggregated', '50%'):.0f} ms; {per_kind}; each round from an empty "
        "answer cache; baseline: the same with the public answer cache off (PUBLIC_CACHE_MB=0), "
        f"rounds taken in turns; {settled}"
    )
    return [
        Result(
            "load.public_rps",
            round(rps, 1),
            "req/s",
            round(_median_of(baseline, "Aggregated", "Requests/s"), 1),
            n,
            note=note,
        ),
        Result(
            "load.public_p99_ms",
            p99,
            "ms",
            _median_of(baseline, "Aggregated", "99%"),
            n,
            note=note,
        ),
    ]


# ---- the officers' concurrent saves ------------------------------------------------------


def _editor_tokens(county: AdministrativeArea) -> list[str]:
    roles_sync()
    tokens = []
    for i in range(EDITORS):
        user = user_create_with_role(
            username=f"bench_load_editor_{i}",
            password=f"bench-load-editor-{i}-pass",  # bench database only
            role="placename_officer",
            area_codes=[county.code],
        )
        AuthToken.objects.filter(user=user).delete()
        _, token = AuthToken.objects.create(user=user)
        tokens.append(token)
    return tokens


def _version_of(etag: str) -> int:
    return int(etag.strip('"').rsplit("-v", 1)[1])


def edits_start(plates: list[DoorPlate]) -> dict[int, tuple[int, int]]:
    """Return each plate's (version, last history event id) before a run of saves."""
    start = {}
    with connection.cursor() as cur:
        for p in plates:
            cur.execute(
                "SELECT coalesce(max(pgh_id), 0) FROM addresses_doorplateevent WHERE pgh_obj_id = %s",
                [p.pk],
            )
            start[p.pk] = (p.version, cur.fetchone()[0])
    return start


def lost_updates_check(rows: list[dict], start: dict[int, tuple[int, int]]) -> dict[str, int]:
    """Check the saves of a run against the data and the history; raise on any lost one.

    ``start`` maps each plate id to (its version, its last history event id) before the
    run. Return counts of accepted and refused saves.
    """
    bad = [r for r in rows if r["status"] not in (200, 409, 412)]
    if bad:
        raise RuntimeError(f"saves answered neither 200 nor 409/412: {bad[:5]}")
    accepted = defaultdict(list)
    for r in rows:
        if r["status"] == 200:
            accepted[r["plate"]].append((_version_of(r["etag"]), r["marker"]))
    plates = DoorPlate.objects.in_bulk(list(start))
    events = DoorPlate.pgh_event_model.objects
    problems = []
    for pk, (v0, last_event) in start.items():
        saves = sorted(accepted[pk])
        versions = [v for v, _ in saves]
        plate = plates[pk]
        if versions != list(range(v0 + 1, v0 + 1 + len(saves))):
            problems.append(f"plate {pk}: accepted versions {versions} after v{v0}")
        if plate.version != v0 + len(saves):
            problems.append(f"plate {pk}: v{plate.version} after {len(saves)} saves from v{v0}")
        if saves and plate.building != saves[-1][1]:
            problems.append(f"plate {pk}: holds {plate.building!r}, last save {saves[-1][1]!r}")
        recorded = set(
            events.filter(pgh_obj_id=pk, pgh_id__gt=last_event).values_list("version", "building")
        )
        missing = [s for s in saves if s not in recorded]
        if missing:
            problems.append(f"plate {pk}: saves not in the history: {missing[:3]}")
        for r in rows:
            if (
                r["plate"] == pk
                and r["status"] != 200
                and _version_of(r["if_match"]) >= plate.version
            ):
                problems.append(f"plate {pk}: refused a save on the current v{plate.version}")
    if problems:
        raise RuntimeError("lost or wrongly refused updates:\n" + "\n".join(problems[:20]))
    counts = Counter(r["status"] for r in rows)
    return {"accepted": counts[200], "refused": counts[409] + counts[412]}


def _bench_editors(base: str) -> list[Result]:
    county = densest_county()
    tokens = _editor_tokens(county)
    plates = list(
        DoorPlate.objects.filter(
            street__county=county, is_demo=True, status=PlateStatus.INSTALLED
        ).order_by("pk")[:EDITOR_PLATES]
    )
    start = edits_start(plates)
    scenario = {"kind": "editors", "tokens": tokens, "plates": [p.pk for p in plates]}
    try:
        stats, rows = locust_run(base=base, scenario=scenario, users=EDITORS, seconds=LOAD_SECONDS)
        counts = lost_updates_check(rows, start)
    finally:
        # The demo plates get their building text back (recorded, as any write is).
        with pghistory.context(source="bench", comment="并发编辑基准：恢复"):
            for p in plates:
                DoorPlate.objects.filter(pk=p.pk).update(building=p.building)
    _, save_p99, _ = _figures(stats["save"])
    n = len(rows)  # every save answered, those finished while the run stopped included
    accepted_per_s = counts["accepted"] / LOAD_SECONDS
    note = (
        f"{EDITORS} officers × {LOAD_SECONDS} s on {len(plates)} plates of {county.name}: "
        f"{n} saves, {counts['accepted']} accepted, {counts['refused']} refused (409/412), "
        f"save p99 {save_p99:.0f} ms; every accepted save found in the data and the history"
    )
    return [
        Result("load.editor_saves_per_s", round(accepted_per_s, 1), "saves/s", None, n, note=note),
        Result("load.editor_lost_updates", 0, "saves", None, counts["accepted"], note=note),
    ]


def run() -> list[Result]:
    roles_sync()
    demo_load()  # what scripts/run.sh loads (load_hegang_demo); each step cached by checksum
    queries = public_queries(random.Random(SEED))
    settled = database_settle()
    public = _bench_public(*_public_rounds(queries), settled=settled)
    with portal_serve() as base:
        return [*public, *_bench_editors(base)]
