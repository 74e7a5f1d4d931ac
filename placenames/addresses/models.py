"""Streets, street signs and door plates (see the streets and door plates issue)."""
