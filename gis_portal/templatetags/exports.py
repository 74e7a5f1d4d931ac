"""``{% export_section %}``: the 数据下载 section (every layer the visitor may read)."""

from django import template

from gis_portal.exports.views import export_choices

register = template.Library()


@register.inclusion_tag("exports/export_section.html", takes_context=True)
def export_section(context) -> dict:
    request = context.get("request")
    return export_choices(getattr(request, "user", None))
