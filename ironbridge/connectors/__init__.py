"""Connectors: one package per system, all behind the contract of ``base``."""
