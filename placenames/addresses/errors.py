"""Named errors of the streets and door plates app (mapped to HTTP by gis_portal.errors)."""

from __future__ import annotations

from gis_portal.errors import Conflict, DomainError, NotFound


class StreetNotFound(NotFound):
    code = "street_not_found"


class SignNotFound(NotFound):
    code = "sign_not_found"


class InvalidStreetLine(DomainError):
    code = "invalid_street_line"


class InvalidPlate(DomainError):
    code = "invalid_plate"


class DuplicatePlateNumber(Conflict):
    code = "duplicate_plate_number"


class DuplicateStreetName(Conflict):
    code = "duplicate_street_name"
