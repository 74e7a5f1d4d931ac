"""``{% load local_time %}{{ value|local_datetime }}``: a moment in the bureau's time zone."""

from django import template

from gis_portal.local_time import local_datetime_text

register = template.Library()


@register.filter(name="local_datetime")
def local_datetime_filter(value, with_time: bool = True) -> str:
    """Return a datetime or ISO string as "YYYY-MM-DD HH:MM" in Asia/Shanghai."""
    return local_datetime_text(value, with_time=with_time)
