"""Request body limits per route: the general limit (max_body_bytes, 1 MiB) everywhere, import_max_bytes for uploads.

The kernel's plumbing middleware (outermost) is given the larger of the two; this one, inside it, holds every other
route to the general limit, with the same 413 problem.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kernel.web import problem

UPLOAD_PATH = "/api/v1/imports"
# Room for the multipart framing around the file and the form's small fields.
MULTIPART_SLACK = 64 * 1024


def upload_body_limit(import_max_bytes: int) -> int:
    """The largest request body accepted on the upload route."""
    return import_max_bytes + MULTIPART_SLACK


class _TooLarge(StarletteHTTPException):
    def __init__(self, detail: str) -> None:
        super().__init__(status_code=413, detail=detail)


class RouteBodyLimit:
    """Refuses bodies over `max_body_bytes` (or `upload_max_bytes` on POST /api/v1/imports) with a 413 problem."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, upload_max_bytes: int) -> None:
        self.app = app
        self.max_body = max_body_bytes
        self.upload_max = upload_max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        upload = scope.get("method") == "POST" and scope.get("path") == UPLOAD_PATH
        limit = self.upload_max if upload else self.max_body
        extra = {"rule": "import.too_large", "field": "file"} if upload else {}
        detail = f"request body exceeds {limit} bytes"
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > limit
            except ValueError:
                too_big = True
            if too_big:
                await problem(413, detail, type_="payload-too-large", **extra)(scope, receive, send)
                return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge(detail)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if started:
                raise
            await problem(413, detail, type_="payload-too-large", **extra)(scope, receive, send)
