"""Facility registry, programmes and coverage (see the facilities issue)."""
