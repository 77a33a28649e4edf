"""HTTP + WebSocket surface of the local server: app factory, security, schemas."""
