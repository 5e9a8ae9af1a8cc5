"""The GraphQL schema of the public API (Strawberry types, inputs and roots)."""
