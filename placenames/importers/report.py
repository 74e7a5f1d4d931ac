"""The report of a census import: the kernel's report, plus the requests it filed."""

from __future__ import annotations

from dataclasses import dataclass, field

from gis_portal.editing.models import ChangeKind
from gis_portal.importing.report import ImportReport as LayerImportReport
from placenames.importers.approvals import REQUEST_LABELS, RequestPlan


@dataclass
class ImportRequest:
    """A row filed as a change request (``request_id`` None in a dry run)."""

    line: int
    kind: str
    standard_name: str
    place_code: str
    request_id: int | None = None

    @classmethod
    def of(cls, plan: RequestPlan, request_id: int) -> ImportRequest:
        return cls(plan.line, plan.kind, plan.standard_name, plan.place_code, request_id)

    def as_dict(self) -> dict:
        return {
            "line": self.line,
            "kind": self.kind,
            "kind_display": ChangeKind(self.kind).label,
            "label": REQUEST_LABELS[self.kind],
            "standard_name": self.standard_name,
            "place_code": self.place_code,
            "request_id": self.request_id,
        }


@dataclass
class ImportReport(LayerImportReport):
    layer: str = "地名"
    # archive_load: names registered directly, without naming/renaming/abolishing requests.
    archive_load: bool = False
    requests: list[ImportRequest] = field(default_factory=list)
    batch: str = ""  # the requests' batch (one per file)

    def as_dict(self) -> dict:
        return super().as_dict() | {
            "archive_load": self.archive_load,
            "requests": [r.as_dict() for r in self.requests],
            "batch": self.batch,
        }
