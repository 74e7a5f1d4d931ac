"""REST API of streets, signs and door plates (reads, bulk, edits)."""
