"""HTTP + WebSocket surface of the local server: app factory, routers, schemas, refusals, security."""
