"""What an import found and wrote: row errors and the report (no Django).

A dry run fills the same report as a real run; only ``written`` differs. Every problem
names its line (the spreadsheet row, CSV line or feature number) and the column by the
heading the file uses, in Chinese.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gis_portal.importing.crs import DatumConversion

# A million-row file with a systematic mistake would otherwise carry a million errors
# through the report, the page and the memory: the first ones name the problem.
MAX_LISTED_ERRORS = 1000


@dataclass
class RowError:
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"第 {self.line} 行 [{self.column}]：{self.reason}"


@dataclass
class ImportReport:
    file_name: str
    layer: str = ""  # the layer's label: 门牌, 街路巷, 地名 …
    format: str = ""
    rows: int = 0
    valid: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    dry_run: bool = False
    written: bool = False
    refused: bool = False  # rows had problems: nothing was (or would be) written
    # Beijing 1954 rows: the approved parameter set used per source system, and the rows.
    conversions: dict[str, dict] = field(default_factory=dict)
    # Who imported (a username, or the operator of a system load), within which scope.
    imported_by: str = ""
    scope: str = "全市"
    # Rows refused beyond those listed in ``errors`` (MAX_LISTED_ERRORS): their lines.
    unlisted_error_lines: set[int] = field(default_factory=set)
    seconds: float = 0.0

    def add_errors(self, errors: list[RowError]) -> None:
        """Record errors; past MAX_LISTED_ERRORS only their lines are kept (for the count)."""
        room = MAX_LISTED_ERRORS - len(self.errors)
        self.errors.extend(errors[: max(room, 0)])
        self.unlisted_error_lines.update(e.line for e in errors[max(room, 0) :])

    def count_conversion(self, conversion: DatumConversion, rows: int = 1) -> None:
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
        entry["rows"] += rows

    @property
    def error_lines(self) -> set[int]:
        return {e.line for e in self.errors} | self.unlisted_error_lines

    @property
    def refused_rows(self) -> int:
        return len(self.error_lines)

    def summary(self) -> str:
        """Return the one-line Chinese outcome (the command prints it, the page shows it)."""
        verb = "将" if self.dry_run else "已"
        if self.refused:
            outcome = "未写入任何记录（有错误行；修正后重试）"
        else:
            outcome = f"{verb}新增 {self.created} 条，{verb}更新 {self.updated} 条"
        return (
            f"{self.file_name}（{self.layer}，{self.format}）：导入人 {self.imported_by}，"
            f"范围 {self.scope}；共 {self.rows} 行，正确 {self.valid} 行，"
            f"错误 {self.refused_rows} 行；{outcome}"
            + ("（试运行，未写入）" if self.dry_run else "")
        )

    def as_dict(self) -> dict:
        return {
            "file_name": self.file_name,
            "layer": self.layer,
            "format": self.format,
            "rows": self.rows,
            "valid": self.valid,
            "refused_rows": self.refused_rows,
            "errors": [
                {"line": e.line, "column": e.column, "reason": e.reason} for e in self.errors
            ],
            "errors_listed": len(self.errors),
            "ignored_columns": self.ignored_columns,
            "created": self.created,
            "updated": self.updated,
            "dry_run": self.dry_run,
            "written": self.written,
            "refused": self.refused,
            "conversions": list(self.conversions.values()),
            "imported_by": self.imported_by,
            "scope": self.scope,
        }
