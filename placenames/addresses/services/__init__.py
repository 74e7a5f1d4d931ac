"""Writes of streets, signs and door plates: numbering, editor writes."""
