"""The portal's own pages and the health check."""

from __future__ import annotations

import logging

from django.db import DatabaseError, InterfaceError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@require_GET
def public_map(request: HttpRequest) -> HttpResponse:
    """Render the public map page (areas by level, click for details)."""
    return render(request, "portal/public_map.html")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Return ``ok``, or 503 when the database is unreachable; staff also get the versions.

    Anonymous callers (load balancers, monitoring) learn only the status: exact versions
    and connection errors would tell an attacker which exploits to try and where the
    database lives.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT version(), postgis_full_version()")
            pg_version, postgis_version = cursor.fetchone()
    except (DatabaseError, InterfaceError) as exc:
        logger.exception("health check: database unreachable")
        detail = {"database": str(exc)[:200]} if request.user.is_staff else {}
        return JsonResponse({"status": "error", **detail}, status=503)
    detail = {"database": pg_version, "postgis": postgis_version} if request.user.is_staff else {}
    return JsonResponse({"status": "ok", **detail})
