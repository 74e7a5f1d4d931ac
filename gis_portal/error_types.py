"""The project's named errors (no Django): each carries its HTTP status, mapped to a
response in one place, ``gis_portal.errors``."""

from __future__ import annotations

from http import HTTPStatus


class DomainError(Exception):
    """Base of the project's named errors; ``http_status`` is used by the API."""

    http_status = HTTPStatus.BAD_REQUEST
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
        self.reason = message

    def message_for(self, labels: dict[str, str]) -> str:
        """The message with the parameter's label (a page's field) instead of its name."""
        label = labels.get(self.parameter)
        return f"{label} 无效：{self.reason}" if label else self.message


class NotFound(DomainError):
    http_status = HTTPStatus.NOT_FOUND
    code = "not_found"


class Conflict(DomainError):
    http_status = HTTPStatus.CONFLICT
    code = "conflict"
