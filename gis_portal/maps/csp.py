"""The one widening of the Content-Security-Policy: images from the intranet raster base
layer's origin, when settings.HEGANG_BASEMAP_RASTER configures one (off by default).

Placed just inside django-csp's middleware, it marks each response with the update
django-csp merges into the policy; with no raster layer configured it changes nothing, so
every page keeps ``default-src 'self'``.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse


def raster_origin() -> str | None:
    """The scheme://host[:port] of the configured raster tiles, or None when there are none."""
    raster = getattr(settings, "HEGANG_BASEMAP_RASTER", None)
    if not raster:
        return None
    origins = set()
    for url in raster["tiles"]:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ImproperlyConfigured(f"底图栅格瓦片地址应为 http(s) 地址：{url!r}")
        origins.add(f"{parts.scheme}://{parts.netloc}")
    if len(origins) != 1:
        raise ImproperlyConfigured("底图栅格瓦片应来自同一个服务器")
    return origins.pop()


class RasterBaseCSPMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        origin = raster_origin()
        if origin is not None:
            update = dict(getattr(response, "_csp_update", None) or {})
            sources = list(update.get("img-src", ["'self'"]))
            update["img-src"] = [*sources, origin]
            response._csp_update = update  # type: ignore[attr-defined]
        return response
