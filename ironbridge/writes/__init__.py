"""Data writes: through the connection's connector, then into the store."""
