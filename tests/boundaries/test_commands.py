"""manage.py fit_transformation: the JSON contract, the readable report, and bad input."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.boundaries.test_transform_fit import SEVEN_PARAMETER_KEYS, _points

ROOT = Path(__file__).resolve().parents[2]


def _write(path: Path, points, *, prefix: float = 0.0) -> Path:
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "role", "x_src", "y_src", "h_src", "x_dst", "y_dst", "h_dst"])
        for p in points:
            w.writerow([p.id, p.role, p.x_src + prefix, p.y_src, p.h_src, p.x_dst, p.y_dst, ""])
    return path


def _args(f: Path, *, model: str = "7p", source: str = "EPSG:2440") -> list[str]:
    """The command's arguments: a control-point file fitted from ``source`` to EPSG:4552."""
    return [str(f), "--model", model, "--source-crs", source, "--target-crs", "EPSG:4552"]


def test_json_output_has_the_documented_keys(tmp_path, capsys):
    points, _ = _points(n=20, n_check=5)
    f = _write(tmp_path / "cp.csv", points)
    call_command("fit_transformation", *_args(f), "--json")
    data = json.loads(capsys.readouterr().out)
    assert set(data["parameters"]) == SEVEN_PARAMETER_KEYS
    assert set(data["residuals"]) == {p.id for p in points if p.role == "common"}
    assert data["rejected"] == [] and data["check_rms_m"] < 0.05
    assert data["pipeline"].startswith("+proj=pipeline")
    call_command("fit_transformation", *_args(f, model="4p"), "--json")
    assert set(json.loads(capsys.readouterr().out)["parameters"]) == {
        "tx_m",
        "ty_m",
        "scale",
        "rotation_arcsec",
    }


def test_readable_report_and_zone_from_the_prefix(tmp_path, capsys):
    points, _ = _points(n=12, n_check=3)
    f = _write(tmp_path / "cp.csv", points, prefix=43e6)
    call_command("fit_transformation", *_args(f, source="auto:beijing1954"))
    out = capsys.readouterr().out
    assert "EPSG:2419" in out and "检查点：3 个" in out and "PROJ 管道" in out


@pytest.mark.parametrize(
    ("prefix", "n", "crs", "message"),
    [
        (43e6, 12, "EPSG:2440", "带号"),
        (0.0, 3, "EPSG:2440", "至少需要 3 个重合点"),
    ],
)
def test_bad_input_is_a_clear_error(tmp_path, prefix, n, crs, message):
    points, _ = _points(n=n, n_check=2 if n > 3 else 1)
    f = _write(tmp_path / "cp.csv", points, prefix=prefix)
    with pytest.raises(CommandError, match=message):
        call_command("fit_transformation", *_args(f, source=crs))


def test_bad_input_exits_non_zero(tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("id,role,x_src,y_src,h_src,x_dst,y_dst,h_dst\nA,common,1,2,,3,4,\n")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gis_portal.settings.test"}
    proc = subprocess.run(
        [sys.executable, "manage.py", "fit_transformation", *_args(f)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert proc.returncode != 0
    assert "北坐标超出" in proc.stderr or "至少需要" in proc.stderr
