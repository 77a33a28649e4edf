"""Local-server defences, as one ASGI layer for HTTP and WebSocket alike.

Host allow-list (421, DNS rebinding), Origin allow-list on state-changing requests and every
WebSocket (403, `null` included), JSON-only bodies (415), body size limit (413), token (401).
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from .refusals import Refused, refusal_body
from .settings import ServerSettings

Scope = dict
Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]

_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class SecurityMiddleware:
    """Refuses what a web page the user happens to visit could send; lets editors' plugins through."""

    def __init__(self, app, settings: ServerSettings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        refusal = self._refusal(scope, headers)
        if refusal is not None:
            status, message = refusal
            return await _refuse(scope, receive, send, status, message)
        if scope["type"] == "http" and scope["method"] not in _SAFE_METHODS:
            receive = self._limited(receive, scope, send)
        return await self.app(scope, receive, send)

    def _refusal(self, scope: Scope, headers: dict[str, str]) -> tuple[int, str] | None:
        host = headers.get("host", "")
        name = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0] + "]"
        if name not in self.settings.allowed_hosts:
            return 421, f"Host {host!r} is not this server; connect to http://127.0.0.1:{self.settings.port}"
        state_changing = scope["type"] == "websocket" or scope["method"] not in _SAFE_METHODS
        origin = headers.get("origin")
        if state_changing and origin is not None and origin not in self.settings.allowed_origins:
            return 403, f"requests from web origin {origin!r} are not allowed"
        if self.settings.token and not self._token_ok(headers, scope):
            return 401, "missing or wrong token: send 'Authorization: Bearer <token>' (the token file is in the server's data dir)"
        if scope["type"] == "http" and scope["method"] not in _SAFE_METHODS:
            content_type = headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type != "application/json":
                return 415, "request bodies must be JSON (Content-Type: application/json)"
            length = headers.get("content-length")
            if length is not None and (not length.isdigit() or int(length) > self.settings.max_body_bytes):
                return 413, f"request body over {self.settings.max_body_bytes} bytes"
        return None

    def _token_ok(self, headers: dict[str, str], scope: Scope) -> bool:
        given = headers.get("authorization", "")
        token = given[7:] if given.lower().startswith("bearer ") else headers.get("x-foley-token", "")
        if not token and scope["type"] == "websocket":  # browsers cannot set headers on WebSockets; plugins can
            token = headers.get("sec-websocket-protocol", "").removeprefix("foley-token.")
        return hmac.compare_digest(token.encode(), (self.settings.token or "").encode())

    def _limited(self, receive: Receive, scope: Scope, send: Send) -> Receive:
        """Count streamed body bytes too: a chunked upload must not slip past the size limit."""
        seen = 0
        limit = self.settings.max_body_bytes

        async def wrapped() -> dict:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise Refused(413, f"request body over {limit} bytes")
            return message

        return wrapped


async def _refuse(scope: Scope, receive: Receive, send: Send, status: int, message: str) -> None:
    body = refusal_body(message)
    if scope["type"] == "websocket":
        await receive()  # the connect event
        if "websocket.http.response" in scope.get("extensions", {}):
            # A real HTTP status on the refused handshake: a client can tell 401 (token) from 403.
            await send({"type": "websocket.http.response.start", "status": status,
                        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
            await send({"type": "websocket.http.response.body", "body": body})
        else:
            await send({"type": "websocket.close", "code": 4000 + status, "reason": message[:120]})
        return
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
