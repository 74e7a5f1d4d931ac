"""Moments shown to people in the bureau's time zone (settings.TIME_ZONE, Asia/Shanghai).

Records keep aware datetimes (UTC in the database); JSON reports keep ISO strings with their
offset. Slicing such a string ("2026-12-02T17:07:00+00:00"[:10]) prints the UTC day — eight
hours off, a different date after 16:00 UTC — so every page and every official report
formats moments through ``local_datetime_text``.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def local_datetime(value: dt.datetime | str | None) -> dt.datetime | None:
    """Return ``value`` (an aware datetime or an ISO string) in the bureau's time zone."""
    if value in (None, ""):
        return None
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    assert isinstance(moment, dt.datetime)
    if timezone.is_naive(moment):
        # A naive moment is taken as UTC, what the database and the reports' ISO strings hold.
        moment = moment.replace(tzinfo=dt.UTC)
    return timezone.localtime(moment)


def local_datetime_text(value: dt.datetime | str | None, *, with_time: bool = True) -> str:
    """Return "2026-12-03 01:07" (or the date alone) in the bureau's time zone; "—" for none."""
    moment = local_datetime(value)
    if moment is None:
        return "—"
    return moment.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")
