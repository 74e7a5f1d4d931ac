"""REST API of the place-name archive (/api/v1/placenames…, edits)."""
