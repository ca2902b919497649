"""Two guards that sit outside the routes: the request body limit, and keeping tokens out of logs.

The body limit is enforced while the body streams in — a declared ``Content-Length`` over the limit is
refused at once, and a chunked body is cut off as soon as it passes the limit — so a client cannot make
the service buffer more than the operator allows.

Tokens travel only in the ``Authorization`` header, which uvicorn never logs; the filter is for the
client that puts one somewhere else (a query string, a body echoed in an error): every log record
through uvicorn's handlers has anything shaped like a token replaced (``tokens.TOKEN_PATTERN``).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from govstd.registry.tokens import TOKEN_PATTERN, TOKEN_PREFIX

REDACTED = TOKEN_PREFIX + "[redacted]"


class _TooLarge(Exception):
    pass


class BodyLimit:
    """ASGI middleware: 413 (a problem document) for a request body over ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        received = 0
        too_large = started = False

        async def limited_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    too_large = True
                    raise _TooLarge()
            return message

        async def guarded_send(message: Message) -> None:
            # The framework may catch the error raised while it reads the body and answer 400 itself:
            # whatever it answers once the limit is passed, the client gets the 413.
            nonlocal started
            if too_large:
                if not started:
                    started = True
                    await self._refuse(send)
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _TooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps({
            "type": "https://govstd.org/problems/too_large", "title": "Content Too Large", "status": 413,
            "code": "too_large", "detail": f"the request body is larger than {self.max_bytes} bytes",
            "hint": "the operator sets the limit with govstd serve --max-body-bytes",
        }).encode()
        await send({"type": "http.response.start", "status": 413, "headers": [
            (b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode()),
            (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


def redact(value: Any) -> Any:
    return TOKEN_PATTERN.sub(REDACTED, value) if isinstance(value, str) else value


class RedactTokens(logging.Filter):
    """Replace anything shaped like a token in a log record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) for k, v in record.args.items()}
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's logging configuration with ``RedactTokens`` on each of its handlers."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_tokens"] = {"()": f"{__name__}.RedactTokens"}
    for handler in config["handlers"].values():
        handler.setdefault("filters", []).append("redact_tokens")
    return config
