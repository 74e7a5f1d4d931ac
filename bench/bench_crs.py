"""crs.gcj02_to_cgcs2000_pts_per_s: the vectorised inverse vs. a per-point loop."""

from __future__ import annotations

import time

import numpy as np

from bench.harness import Result, sized
from boundaries.geodesy import gcj02_to_wgs84

N_VECTOR = sized(1_000_000, 10_000)
N_LOOP = sized(50_000, 1_000)


def run() -> list[Result]:
    rng = np.random.default_rng(7)
    lon = rng.uniform(129.4, 132.6, N_VECTOR)
    lat = rng.uniform(47.0, 48.5, N_VECTOR)
    rates = []
    for _ in range(3):
        t0 = time.perf_counter()
        gcj02_to_wgs84(lon, lat)
        rates.append(N_VECTOR / (time.perf_counter() - t0))
    loop_rates = []
    for _ in range(3):
        t0 = time.perf_counter()
        for x, y in zip(lon[:N_LOOP].tolist(), lat[:N_LOOP].tolist(), strict=True):
            gcj02_to_wgs84(x, y)
        loop_rates.append(N_LOOP / (time.perf_counter() - t0))
    return [
        Result(
            "crs.gcj02_to_cgcs2000_pts_per_s",
            round(float(np.median(rates))),
            "pts/s",
            round(float(np.median(loop_rates))),
            N_VECTOR,
            note="median of 3; iterated exact inverse, numpy arrays vs per-point calls",
        )
    ]
