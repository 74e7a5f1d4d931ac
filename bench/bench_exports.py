"""ogc.gpkg_export_1m_s and exports.*: a whole layer of 1,000,000 door plates as a file.

Data: the door-plate benchmark's 1,000,000 generated plates (bench_addresses: the demo
network plus 3,240 generated streets), generated once in the bench database. The project's
way is ``gis_portal.exports`` (the catalogue's SQL read through a server-side cursor, 20,000
rows a chunk, GDAL appending each chunk to the GeoPackage). The baseline is the ORM
serializer path: the queryset serialized by DRF-gis's ``GeoFeatureModelSerializer``, the
features made a GeoDataFrame and written with ``to_file`` — timed on a sample of plates
(it holds every feature in memory) and scaled linearly to the layer, as the note says.
Peak RSS is the growth of this process's resident memory while the export runs, sampled
every 50 ms.
"""

from __future__ import annotations

import csv
import os
import tempfile
import threading
import time
from pathlib import Path

import geopandas as gpd
import pyogrio
from django.db import connection
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from bench.bench_addresses import N_PLATES, _ensure_plates
from bench.harness import Result, sized
from gis_portal.catalogue.registry import CATALOGUE
from gis_portal.demo import demo_load
from gis_portal.exports.services import export_plan, export_write
from placenames.addresses.models import DoorPlate

BASELINE_SAMPLE = sized(20_000, 500)
CPU_S = [0.0]


def _load() -> str:
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"


def _rss_bytes() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4096


def _timed_peak(fn) -> tuple[float, float, object]:
    """Return (wall seconds, peak RSS growth in MB, fn's result) of fn(); the CPU seconds
    of this process go to ``CPU_S`` (the machine is shared: wall time includes waiting)."""
    start, peak, stop = _rss_bytes(), [0], threading.Event()

    def sample() -> None:
        while not stop.wait(0.05):
            peak[0] = max(peak[0], _rss_bytes() - start)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    t0, cpu0 = time.perf_counter(), time.process_time()
    result = fn()
    seconds = time.perf_counter() - t0
    CPU_S[0] = time.process_time() - cpu0
    stop.set()
    thread.join()
    return seconds, max(peak[0], _rss_bytes() - start) / 1e6, result


class PlateFeatures(GeoFeatureModelSerializer):
    """The naive export's serializer: the public fields of a door plate."""

    class Meta:
        model = DoorPlate
        geo_field = "point_4490"
        fields = ("id", "number", "sub_number", "building", "unit", "status", "installed_on",
                  "is_demo")  # fmt: skip


def _orm_gpkg(path: Path, limit: int) -> int:
    queryset = DoorPlate.objects.select_related("street").order_by("pk")[:limit]
    features = PlateFeatures(queryset, many=True).data["features"]
    frame = gpd.GeoDataFrame.from_features(features, crs="EPSG:4490")
    frame.to_file(path, driver="GPKG", layer="门牌", engine="pyogrio")
    return len(frame)


def _layer_rows() -> int:
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM addresses_doorplate")
        return cur.fetchone()[0]


def run() -> list[Result]:
    demo_load(only=["areas", "addresses"])  # each step cached by checksum
    _ensure_plates()
    total = _layer_rows()
    layer = CATALOGUE["door-plates"]
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-exports-") as tmp:
        work = Path(tmp)

        def project(fmt: str, suffix: str, **choices):
            plan = export_plan(layer, staff=False, fmt=fmt, **choices)
            return export_write(plan, work / f"plates-{fmt}{suffix}")

        seconds, peak_mb, count = _timed_peak(lambda: project("gpkg", ".gpkg"))
        project_cpu_s, load = CPU_S[0], _load()
        assert count == total, (count, total)
        assert pyogrio.read_info(work / "plates-gpkg.gpkg")["features"] == total
        sample_s, sample_mb, sampled = _timed_peak(
            lambda: _orm_gpkg(work / "orm.gpkg", BASELINE_SAMPLE)
        )
        scaled_s = sample_s * total / sampled
        baseline_cpu_s = CPU_S[0] * total / sampled
        results.append(
            Result(
                "ogc.gpkg_export_1m_s", round(seconds, 1), "s", round(scaled_s, 1), total,
                note=f"{N_PLATES:,} generated + demo plates; CPU {project_cpu_s:.0f} s of this "
                f"process (baseline {baseline_cpu_s:.0f} s), {load}; baseline ORM + DRF-gis "
                f"serializer + to_file timed on {sampled:,} plates ({sample_s:.1f} s) and scaled",
            )
        )  # fmt: skip
        results.append(
            Result(
                "exports.gpkg_export_peak_rss_mb", round(peak_mb, 1), "MB",
                round(sample_mb * total / sampled, 1), total,
                note=f"RSS growth of the whole export; baseline {sample_mb:.0f} MB for "
                f"{sampled:,} plates, scaled (it holds every feature)",
            )
        )  # fmt: skip
        for fmt, suffix, choices in (
            ("csv", ".csv", {}),
            ("shp", ".zip", {"encoding": "gbk"}),
            ("dxf", ".dxf", {}),
        ):
            seconds, peak_mb, count = _timed_peak(
                lambda fmt=fmt, suffix=suffix, choices=choices: project(fmt, suffix, **choices)
            )
            assert count == total, (fmt, count, total)
            results.append(
                Result(
                    f"exports.{fmt}_export_1m_s", round(seconds, 1), "s", None, total,
                    note=f"peak RSS growth {peak_mb:.0f} MB; CPU {CPU_S[0]:.0f} s; {_load()}; "
                    f"{choices or 'defaults'}",
                )
            )  # fmt: skip
        with (work / "plates-csv.csv").open(encoding="utf-8-sig", newline="") as f:
            assert sum(1 for _ in csv.reader(f)) == total + 1
    return results
