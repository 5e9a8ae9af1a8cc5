"""Strawberry output types of the public API."""
