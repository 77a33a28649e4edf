"""How the server says no: one `Refused` error, one body shape, never an echo of a large input.

Every refusal is `{"detail": "<what is wrong and what to do>"}` with its status, from the routes
(`Refused`), from request validation (422, or 400 for a body that is not JSON at all; `errors`
adds the details, with long inputs cut) and from the security layer in front of the app.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response

SHOWN_CHARS = 80  # of a value quoted in a message
INPUT_CHARS = 200  # of an input echoed in a validation error
MAX_LISTED = 10  # validation errors spelled out in `detail`


class Refused(HTTPException):
    """A request that cannot succeed: a status and one sentence saying what is wrong and what to do.

    It is an HTTPException so that FastAPI lets it through while it reads a body (a body refused
    while being read keeps its own status instead of becoming a generic 400).
    """

    def __init__(self, status: int, message: str) -> None:
        super().__init__(status_code=status, detail=message)


def shown(value: object, limit: int = SHOWN_CHARS) -> str:
    """A value quoted in a message: its repr, cut when long, saying how long it was."""
    text = repr(value)
    if len(text) <= limit:
        return text
    size = f"{len(value)} characters" if isinstance(value, str) else f"{len(text)} characters written out"
    return f"{text[:limit]}… ({size})"


def field_name(loc: Sequence[str | int]) -> str:
    """("body", "clips", 0, "seed") → "clips[0].seed"; where a value came from, as a client writes it."""
    where, *parts = loc or ("body",)
    name = ""
    for part in parts:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    if where == "body":
        return name or "the body"
    return f"{where} {name}".strip()


def refusal_body(message: str, **extra: object) -> bytes:
    """The JSON of a refusal; ASCII, so that odd text in a message can never break the answer."""
    return json.dumps({"detail": message, **extra}, ensure_ascii=True, default=str).encode()


def refusal(status: int, message: str, **extra: object) -> Response:
    return Response(refusal_body(message, **extra), status_code=status, media_type="application/json")


async def _answer_refused(request: Request, exc: Refused) -> Response:
    return refusal(exc.status_code, str(exc.detail))


async def _answer_invalid(request: Request, exc: RequestValidationError) -> Response:
    """FastAPI's validation errors, as sentences naming each field; inputs cut, never echoed whole."""
    errors = list(exc.errors())
    status = 400 if any(e.get("type") == "json_invalid" for e in errors) else 422
    sentences = [_sentence(e) for e in errors[:MAX_LISTED]]
    if len(errors) > MAX_LISTED:
        sentences.append(f"and {len(errors) - MAX_LISTED} more")
    return refusal(status, "; ".join(sentences), errors=[_brief(e) for e in errors[:100]])


# Errors whose message does not say what was sent; others either quote it or concern the whole object.
_INPUT_SHOWN = {"string_too_long", "string_too_short", "less_than_equal", "greater_than_equal", "less_than",
                "greater_than", "int_type", "int_parsing", "int_from_float", "string_type", "bool_type", "bool_parsing",
                "too_long", "too_short", "list_type", "float_type", "finite_number", "literal_error", "enum"}


def _sentence(error: dict) -> str:
    text = f"{field_name(error.get('loc', ()))}: {error.get('msg', 'invalid')}"
    if error.get("type") in _INPUT_SHOWN and "input" in error:
        text += f" (got {shown(error['input'])})"
    return text


def _brief(error: dict) -> dict:
    """One validation error with its input cut to a few hundred characters."""
    brief = {"type": error.get("type"), "loc": list(error.get("loc", ())), "msg": error.get("msg")}
    if "input" in error:
        brief["input"] = _cut(error["input"])
    if error.get("ctx"):
        brief["ctx"] = {k: v if isinstance(v, (int, float, str, bool, type(None))) else str(v)
                        for k, v in error["ctx"].items()}
    return brief


def _cut(value: object) -> object:
    if isinstance(value, str):
        return value if len(value) <= INPUT_CHARS else f"{value[:INPUT_CHARS]}… ({len(value)} characters)"
    if isinstance(value, (int, float, bool, type(None))):
        return value if not isinstance(value, int) or abs(value) < 10**INPUT_CHARS else shown(value)
    text = json.dumps(value, default=str)
    return value if len(text) <= INPUT_CHARS else f"({type(value).__name__} of {len(text)} characters as JSON, not shown)"


def install_refusals(app: FastAPI) -> None:
    """The app's two answers for refused requests (its own and FastAPI's validation)."""
    app.add_exception_handler(Refused, _answer_refused)
    app.add_exception_handler(RequestValidationError, _answer_invalid)
