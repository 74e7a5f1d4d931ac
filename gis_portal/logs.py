"""The JSON log format used by LOGGING, and the access log of every request.

Imported by logging.config in the server's master process too (gis_portal/serve.py), before Django is set up: nothing
here may touch models or settings at import time.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty

from gis_portal.client_address import request_client_address

ACCESS_LOGGER = "portal.access"
access_log = logging.getLogger(ACCESS_LOGGER)


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON line: its time, then the dict in its ``fields`` attribute."""

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created).astimezone()
        line = {"time": moment.isoformat(timespec="milliseconds")}
        line.update(getattr(record, "fields", None) or {"message": record.getMessage()})
        return json.dumps(line, ensure_ascii=False, separators=(",", ":"))


def _user_id(request: HttpRequest) -> str:
    """Return the id of the request's user if the request already resolved it, else "-".

    Resolving it here would cost a session query on requests that never needed one, and
    would fail again when the database is why the request failed.
    """
    user = getattr(request, "user", None)
    if getattr(user, "_wrapped", None) is empty:
        return "-"
    pk = getattr(user, "pk", None)
    return "-" if pk is None else str(pk)


def _body_bytes(response: HttpResponse) -> int | None:
    """Return the body length, or None for a stream without a Content-Length."""
    if response.has_header("Content-Length"):
        return int(response["Content-Length"])
    if getattr(response, "streaming", False):
        return None
    return len(response.content)


class AccessLogMiddleware:
    """Log one JSON line per request (see JsonFormatter); the query string is left out.

    Query strings may carry tokens or personal search terms (a resident's name or address),
    so only the path is logged. The client is the address the login lockout uses
    (X-Forwarded-For believed only from TRUSTED_PROXIES, gis_portal/client_address.py).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        fields = {
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "bytes": _body_bytes(response),
            "user": _user_id(request),
            "client": request_client_address(request) or "-",
        }
        # A refused or failed request is logged as a warning, so a quiet access log
        # (ACCESS_LOG_LEVEL=WARNING) still shows every 4xx and 5xx.
        level = logging.WARNING if response.status_code >= 400 else logging.INFO
        access_log.log(level, "%(method)s %(path)s %(status)s", fields, extra={"fields": fields})
        return response
