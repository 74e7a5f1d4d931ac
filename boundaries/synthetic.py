"""Make "Beijing 1954" coordinates for the demo from CGCS2000 ones (no Django).

No Beijing 1954 coordinates of Hegang are public. The demo therefore invents them: it
takes real CGCS2000 geometry and applies the inverse of a *known* 7-parameter set (close in
size to real Beijing 1954 → CGCS2000 sets in north-east China, but invented), plus
centimetre noise on the common points. Fitting must then recover the truth, which is what
the tests and the demo report check.
"""

from __future__ import annotations

import numpy as np
from pyproj.enums import TransformDirection

from boundaries.crs import CrsDef
from boundaries.transform_fit import MODEL_7P, pipeline_for, pipeline_transformer

# The invented "truth" (coordinate-frame convention, Beijing 1954 → CGCS2000).
DEMO_TRUE_7P = {
    "tx_m": -12.6,
    "ty_m": 129.8,
    "tz_m": 47.3,
    "rx_arcsec": -1.1,
    "ry_arcsec": -0.35,
    "rz_arcsec": 2.9,
    "scale_ppm": -3.2,
}


def cgcs2000_to_demo_beijing1954(
    target_bj54: CrsDef, source_cgcs: CrsDef, x, y, h=None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (x, y, h) in ``target_bj54`` for CGCS2000 x/y(/h) by the inverse of the truth."""
    pipeline = pipeline_for(MODEL_7P, DEMO_TRUE_7P, target_bj54, source_cgcs)
    t = pipeline_transformer(pipeline)
    x = np.asarray(x, float)
    h_arr = np.zeros_like(x) if h is None else np.asarray(h, float)
    bx, by, bh = t.transform(x, np.asarray(y, float), h_arr, direction=TransformDirection.INVERSE)
    return np.asarray(bx), np.asarray(by), np.asarray(bh)
