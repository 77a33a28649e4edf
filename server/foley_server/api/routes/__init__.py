"""The HTTP and WebSocket routes, one module per resource; `create_app` includes each router."""
