"""Named errors of the editor: preconditions, conflicts, refused edits."""

from __future__ import annotations

from rest_framework import status

from gis_portal.errors import Conflict, DomainError


class PreconditionRequired(DomainError):
    """A write came without If-Match (the version the officer edited)."""

    http_status = status.HTTP_428_PRECONDITION_REQUIRED
    code = "precondition_required"


class PreconditionFailed(DomainError):
    """If-Match names a version that is no longer current."""

    http_status = status.HTTP_412_PRECONDITION_FAILED
    code = "precondition_failed"


class VersionConflict(Conflict):
    """The target changed since the change request was made."""

    code = "version_conflict"


class InvalidEdit(DomainError):
    """An edit that fails validation; ``field`` names the offending field."""

    code = "invalid_edit"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, field=field)
        self.field = field


class EditForbidden(DomainError):
    """The user's role may not edit this layer."""

    http_status = status.HTTP_403_FORBIDDEN
    code = "forbidden"


class InvalidTransition(Conflict):
    """A change request cannot move to that status from where it is."""

    code = "invalid_transition"


class CreateRefused(DomainError):
    """The layer takes no directly created features (e.g. a new name needs approval)."""

    http_status = status.HTTP_403_FORBIDDEN
    code = "create_refused"
