"""Domain errors and the one place they become HTTP responses."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework.response import Response
from rest_framework.views import exception_handler

# The error tree lives in a module without Django or DRF imports (the request parsers of
# gis_portal.input_safety use it while DRF's settings load); it is re-exported from here.
from gis_portal.error_types import Conflict, DomainError, InvalidParameter, NotFound

__all__ = ["Conflict", "DomainError", "InvalidParameter", "NotFound", "api_exception_handler"]


def api_exception_handler(exc, context):
    """Map DomainError subclasses to their status; leave the rest to DRF."""
    if isinstance(exc, DomainError):
        body = {"error": exc.message, "code": exc.code, **exc.details}
        return Response(body, status=exc.http_status)
    response = exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"error": str(response.data["detail"]), "code": exc.__class__.__name__}
    return response


# Errors raised outside DRF views (no URL matched, a bug, a refused request) reach Django's
# handlers; gis_portal/urls.py points them here. Pages get the portal's Chinese templates
# (templates/400.html …); /api/ paths get the same JSON shape as api_exception_handler.
_API_ERRORS = {
    400: ("bad_request", "请求无效。"),
    403: ("permission_denied", "没有执行该操作的权限。"),
    404: ("not_found", "接口不存在：{path}"),
    500: ("server_error", "服务器内部错误，请稍后重试；如果一直出现，请联系系统管理员。"),
}


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def _api_error(request: HttpRequest, status_code: int) -> JsonResponse:
    code, message = _API_ERRORS[status_code]
    body = {"error": message.format(path=request.path), "code": code}
    return JsonResponse(body, status=status_code, json_dumps_params={"ensure_ascii": False})


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Answer 400: JSON under /api/, else the 400 page."""
    if _is_api(request):
        return _api_error(request, 400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Answer 403: JSON under /api/, else the 403 page."""
    if _is_api(request):
        return _api_error(request, 403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Answer 404: JSON under /api/, else the 404 page."""
    if _is_api(request):
        return _api_error(request, 404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """Answer 500 without the database or the request context, either of which may be what failed."""
    if _is_api(request):
        return _api_error(request, 500)
    return defaults.server_error(request)
