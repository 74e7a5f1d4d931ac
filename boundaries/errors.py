"""Named errors of the boundaries app (mapped to HTTP by gis_portal.errors)."""

from __future__ import annotations

from gis_portal.errors import Conflict, DomainError


class TransformationInvalid(DomainError):
    """Common points, a CRS declaration or a parameter set cannot be used."""

    code = "transformation_invalid"


class ParameterSetNotApproved(Conflict):
    """A parameter set must be approved before it converts the archive."""

    code = "parameter_set_not_approved"


class ImportFileInvalid(DomainError):
    """An uploaded survey file is unreadable, empty or in an undeclared system."""

    code = "import_file_invalid"
