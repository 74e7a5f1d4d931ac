"""The report of a census import: what was (or a dry run would be) written and filed."""

from __future__ import annotations

from dataclasses import dataclass, field

from gis_portal.editing.models import ChangeKind
from placenames.importers.approvals import REQUEST_LABELS, RequestPlan
from placenames.importers.readers import DatumConversion
from placenames.importers.validation import RowError


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
class ImportReport:
    file_name: str
    format: str = ""
    rows: int = 0
    valid: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    dry_run: bool = False
    written: bool = False
    # Beijing 1954 rows: the approved parameter set used per source system, and the rows.
    conversions: dict[str, dict] = field(default_factory=dict)
    # Who imported (a username, or the operator of a system load), within which scope;
    # archive_load: names registered directly, without naming/renaming/abolishing requests.
    imported_by: str = ""
    scope: str = "全市"
    archive_load: bool = False
    requests: list[ImportRequest] = field(default_factory=list)
    batch: str = ""  # the requests' batch (one per file)

    def count_conversion(self, conversion: DatumConversion) -> None:
        key = f"EPSG:{conversion.source_epsg}"
        entry = self.conversions.setdefault(
            key,
            {
                "source_crs": key,
                "parameter_set_id": conversion.set_id,
                "parameter_set": conversion.set_name,
                "rows": 0,
            },
        )
        entry["rows"] += 1

    @property
    def refused_rows(self) -> int:
        return len({e.line for e in self.errors})

    def as_dict(self) -> dict:
        return {
            "file_name": self.file_name,
            "format": self.format,
            "rows": self.rows,
            "valid": self.valid,
            "refused_rows": self.refused_rows,
            "errors": [
                {"line": e.line, "column": e.column, "reason": e.reason} for e in self.errors
            ],
            "ignored_columns": self.ignored_columns,
            "created": self.created,
            "updated": self.updated,
            "dry_run": self.dry_run,
            "written": self.written,
            "conversions": list(self.conversions.values()),
            "imported_by": self.imported_by,
            "scope": self.scope,
            "archive_load": self.archive_load,
            "requests": [r.as_dict() for r in self.requests],
            "batch": self.batch,
        }
