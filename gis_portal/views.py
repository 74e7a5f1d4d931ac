"""The portal's own pages and the health check."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def public_map(request: HttpRequest) -> HttpResponse:
    """Render the public map page (areas by level, click for details)."""
    return render(request, "portal/public_map.html")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Return the database and PostGIS versions, or 503 when the database is unreachable."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT version(), postgis_full_version()")
            pg_version, postgis_version = cursor.fetchone()
    except Exception as exc:
        return JsonResponse({"status": "error", "database": str(exc)[:200]}, status=503)
    return JsonResponse({"status": "ok", "database": pg_version, "postgis": postgis_version})
