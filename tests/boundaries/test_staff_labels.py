"""Staff pages speak plain Chinese: labels for checks and parameters, no raw keys or signs."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

from django.template.loader import render_to_string

from boundaries.reports import parameter_rows
from boundaries.selectors.lines import DUE_STATUS_LABELS, DueLine
from boundaries.topology import CHECK_LABELS, Issue

RAW = re.compile(r"\b[a-z]+_[a-z_]+\b|\bIoU\b")


def _visible(html: str) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def test_overdue_inspections_say_how_late_not_a_negative_count():
    line = SimpleNamespace(code="04020403", name="向阳区—工农区线", is_demo=False,
                           last_inspected=dt.date(2018, 5, 10), next_due=dt.date(2023, 5, 10))  # fmt: skip
    rows = [DueLine(line, "overdue", -1303), DueLine(line, "ok", 285), DueLine(line, "due_soon", 0)]
    text = _visible(
        render_to_string("boundaries/inspections.html", {"rows": rows, "labels": DUE_STATUS_LABELS})
    )
    assert "已逾期 1303 天" in text and "还剩 285 天" in text and "今天到期" in text
    assert "-1303" not in text and "剩余天数" not in text


def test_topology_issues_are_listed_by_their_label():
    report = {
        "checked": {"parents": 1, "lines": 1, "markers": 0},
        "tolerances_m": {},
        "summary": {"version_diff": 1},
        "features": [
            {"properties": Issue("version_diff", "230402", "向阳区（230402） 两版本面积重合度 91.2%").as_dict()}
        ],
    }  # fmt: skip
    html = render_to_string(
        "boundaries/topology.html", {"report": report, "query": "", "check_labels": CHECK_LABELS}
    )
    row = re.search(r'<tr data-check="version_diff">(.*?)</tr>', html, re.S).group(1)
    assert "两版本差异" in row
    assert not RAW.findall(_visible(html))


def test_parameters_are_named_without_their_keys():
    rows = parameter_rows({"tx_m": 1.5, "rx_arcsec": 0.2, "scale_ppm": 3.1})
    assert [r[0] for r in rows] == ["ΔX 平移", "εX 旋转", "尺度 m"]
