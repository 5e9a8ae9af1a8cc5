"""Connection lifecycle: connect, reauthorize, rotate, disconnect, delete data, connect sessions."""
