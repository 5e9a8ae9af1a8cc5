"""Syncing connected systems into the store: engine, scheduler and job runner."""
