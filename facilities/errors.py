"""Named errors of the facilities app (mapped to HTTP by gis_portal.errors)."""

from __future__ import annotations

from facilities.siting import SitingInputError
from gis_portal.errors import Conflict, DomainError


class SitingRejected(DomainError):
    """The siting input cannot be solved (bad file, bad parameter, infeasible LSCP)."""

    code = "siting_rejected"

    @classmethod
    def from_input_error(cls, exc: SitingInputError) -> SitingRejected:
        return cls(exc.message, **exc.details)


class CoverageUnavailable(DomainError):
    """A programme has no facilities or no demand to measure."""

    code = "coverage_unavailable"


class ImportRejected(DomainError):
    """A facility import file is invalid; nothing was written."""

    code = "import_rejected"


class RunNotCancellable(Conflict):
    code = "run_not_cancellable"


class IndicatorRejected(DomainError):
    """Yearly indicator figures that cannot be written (``errors``: line, column, reason)."""

    code = "indicator_rejected"


class StandardsRejected(DomainError):
    """A standards table that cannot be written (``errors``: sheet, line, column, reason)."""

    code = "standards_rejected"
