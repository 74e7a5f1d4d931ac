"""Domain errors and the one place they become HTTP responses."""

from __future__ import annotations

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class DomainError(Exception):
    """Base of the project's named errors; ``http_status`` is used by the API."""

    http_status = status.HTTP_400_BAD_REQUEST
    code = "invalid"

    def __init__(self, message: str, **details) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidParameter(DomainError):
    """A query parameter is missing, malformed or out of range."""

    code = "invalid_parameter"

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"参数 {parameter} 无效：{message}", parameter=parameter)
        self.parameter = parameter


class NotFound(DomainError):
    http_status = status.HTTP_404_NOT_FOUND
    code = "not_found"


class Conflict(DomainError):
    http_status = status.HTTP_409_CONFLICT
    code = "conflict"


def api_exception_handler(exc, context):
    """Map DomainError subclasses to their status; leave the rest to DRF."""
    if isinstance(exc, DomainError):
        body = {"error": exc.message, "code": exc.code, **exc.details}
        return Response(body, status=exc.http_status)
    response = exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"error": str(response.data["detail"]), "code": exc.__class__.__name__}
    return response
