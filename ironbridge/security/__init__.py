"""Tokens, credential encryption, principals and request limits."""
