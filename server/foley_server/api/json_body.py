"""Strict JSON request bodies: what Python's json module lets through but nothing after it can use.

Invalid UTF-8, lone UTF-16 surrogates (`"\\ud800"`), NUL characters, NaN/Infinity and nesting
deeper than the parser's recursion are refused with a 400 that names the place, before any model,
path or database sees them (a lone surrogate used to surface as a 500 from whatever encoded it).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from .refusals import Refused, field_name

# Escapes that can smuggle a NUL or half a surrogate pair into a string; only bodies holding one
# are walked string by string (raw NUL bytes and raw surrogates are already invalid JSON / UTF-8).
_SUSPECT_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})")
_PARSE_IN_THREAD_BYTES = 1 << 20  # larger bodies are parsed off the event loop, so health stays quick


def parse_json_body(raw: bytes) -> Any:
    """The body as JSON values, or a Refused(400) that says what is wrong and where."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refused(400, f"the body is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                           "send JSON encoded as UTF-8") from None
    try:
        data = json.loads(text, parse_constant=_no_constant, parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        raise Refused(400, f"the body is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise Refused(400, "the body nests too deeply to be a Foley request") from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise Refused(400, f"the body is not usable JSON: {exc}") from None
    if _SUSPECT_ESCAPE.search(raw):
        _check_strings(data)
    return data


def _no_constant(name: str) -> float:
    raise Refused(400, f"the body holds {name}, which is not JSON; send a finite number or null")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise Refused(400, f"the body holds the number {text[:40]}, too large for a float; send a finite number")
    return value


def _check_strings(data: Any) -> None:
    """Find the first string (or object key) holding a NUL or a lone surrogate, and name its place."""
    stack: list[tuple[Any, tuple]] = [(data, ())]
    while stack:
        value, loc = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                _check_text(key, ("body", *loc), key=True)
                stack.append((item, (*loc, key)))
        elif isinstance(value, list):
            stack.extend((item, (*loc, i)) for i, item in enumerate(value))
        elif isinstance(value, str):
            _check_text(value, ("body", *loc))


def _check_text(text: str, loc: tuple, key: bool = False) -> None:
    where = f"a key in {field_name(loc)}" if key else field_name(loc)
    if "\x00" in text:
        raise Refused(400, f"{where} holds a NUL character (\\u0000); send text without it")
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise Refused(400, f"{where} holds a lone UTF-16 surrogate (\\u{ord(text[exc.start]):04x}), "
                               "which is not Unicode text; send valid UTF-8 (or complete surrogate pairs)") from None


class StrictJSONRequest(Request):
    """A request whose `json()` is `parse_json_body` (run in a thread for large bodies)."""

    async def json(self) -> Any:
        if not hasattr(self, "_strict_json"):
            raw = await self.body()
            if len(raw) > _PARSE_IN_THREAD_BYTES:
                self._strict_json = await run_in_threadpool(parse_json_body, raw)
            else:
                self._strict_json = parse_json_body(raw)
        return self._strict_json


class StrictJSONRoute(APIRoute):
    """A route whose JSON body is read by `StrictJSONRequest`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict(request: Request) -> Response:
            return await handler(StrictJSONRequest(request.scope, request.receive))

        return strict
