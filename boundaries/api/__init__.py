"""REST API of the boundaries app (/api/v1/areas…, lines, markers, edits)."""
