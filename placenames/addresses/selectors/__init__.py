"""Reads of streets, signs and door plates."""
