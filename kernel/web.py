"""HTTP plumbing for every app: RFC 9457 problems, request/correlation ids, limits, headers, health, metrics."""

from __future__ import annotations

import inspect
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import unquote_to_bytes

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kernel import consistency, context, metrics
from kernel.auth import AuthError
from kernel.errors import DomainError, ErrorKind
from kernel.i18n import translate_problem

log = logging.getLogger("kernel.web")

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://youwei.example/problems/"
_ID_RE = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
_STATUS = {
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.RULE_VIOLATION: 422,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.BAD_REQUEST: 400,
}
_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    428: "Precondition required",
    429: "Too many requests",
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service unavailable",
    504: "Gateway timeout",
}


class ProblemException(Exception):
    """Raised anywhere in a request to answer with an RFC 9457 problem document."""

    def __init__(
        self, status: int, detail: str, *, type_: str | None = None, headers: dict[str, str] | None = None, **extra: Any
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.type = type_
        self.headers = headers or {}
        self.extra = extra


def problem(
    status: int, detail: str, *, type_: str | None = None, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    """Builds a problem+json response."""
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + (type_ or _TITLES.get(status, "error").lower().replace(" ", "-")),
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    rid = context.request_id.get()
    if rid:
        body["instance"] = f"urn:request:{rid}"
    body.update({k: v for k, v in extra.items() if v is not None})
    hdrs = {"Cache-Control": "no-store"}
    hdrs.update(headers or {})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=hdrs)


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        # Never echo the offending input back: it may be personal data (docs/reliability.md S10).
        errors.append(
            {
                "field": ".".join(loc[1:]) if len(loc) > 1 else ".".join(loc),
                "in": loc[0] if loc else None,
                "message": err.get("msg"),
                "code": err.get("type"),
            }
        )
    return errors


def install_error_handlers(app: FastAPI) -> None:
    """Maps every error to problem+json; a client mistake never becomes a 500."""

    @app.exception_handler(ProblemException)
    async def _problem(_: Request, exc: ProblemException) -> JSONResponse:
        return problem(exc.status, exc.detail, type_=exc.type, headers=exc.headers, **exc.extra)

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        status = _STATUS[exc.kind]
        if status in (404, 422):
            # Not in the directory while rank's events are still arriving: say so instead of a bare 404
            # (the same answer for unknown and out-of-scope ids; kernel.consistency).
            headers = await consistency.directory_propagating(request.app.state, status, exc.rule, exc.message)
            if headers is not None:
                return problem(
                    503,
                    "the directory may not have this entry yet; retry shortly",
                    type_="propagating",
                    headers=headers,
                    rule=consistency.DIRECTORY_RULE,
                    field=exc.extra.get("field"),
                )
        return problem(status, exc.message, type_=exc.kind.value, rule=exc.rule, source=exc.source, **exc.extra)

    @app.exception_handler(AuthError)
    async def _auth(_: Request, exc: AuthError) -> JSONResponse:
        return problem(
            401, str(exc), type_="unauthorized", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _field_errors(exc)
        if any(e["code"] == "json_invalid" for e in errors):
            return problem(400, "request body is not valid JSON", type_="malformed-json", errors=errors)
        names = ", ".join(sorted({e["field"] for e in errors if e["field"]})) or "request"
        return problem(422, f"invalid input: {names}", type_="validation", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "error")
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:
            # Starlette's Allow names the methods of the first route matching the path only (GET and POST on
            # one path are two routes): list every method some route accepts there (RFC 9110 §15.5.6).
            headers = {**(headers or {}), "Allow": ", ".join(allowed_methods(request))}
        return problem(exc.status_code, detail, headers=headers)

    @app.exception_handler(IntegrityError)
    async def _integrity(_: Request, exc: IntegrityError) -> JSONResponse:
        log.info("integrity error", extra={"error": type(getattr(exc, "orig", exc)).__name__})
        return problem(409, "the change conflicts with existing data", type_="conflict")

    @app.exception_handler(Exception)
    async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        response = problem(500, "internal error; the request id identifies it in the logs")
        if request.scope.get("state", {}).get("language") == "zh-CN":
            # Answered outside the language layer (Starlette's outermost error middleware): translated here.
            body = translate_problem(orjson.loads(response.body))
            return JSONResponse(
                body,
                status_code=500,
                media_type=PROBLEM_JSON,
                headers={"Cache-Control": "no-store", "Content-Language": "zh-CN", "Vary": "Accept-Language"},
            )
        return response


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> list[str]:
    """Lists the methods for which some route of the app fully matches the request's path."""
    from starlette.routing import Match

    allowed = []
    for method in _METHODS:
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] == Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return allowed


SECURITY_HEADERS = [
    (b"cache-control", b"no-store"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"strict-transport-security", b"max-age=31536000; includeSubDomains"),
]
DOCS_CSP = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")


class PlumbingMiddleware:
    """One pure-ASGI layer (cheaper than a stack of BaseHTTPMiddleware): ids, body limit, headers, metrics."""

    def __init__(self, app: ASGIApp, *, service: str, max_body_bytes: int) -> None:
        self.app = app
        self.service = service
        self.max_body = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or ())
        rid = headers.get(b"x-request-id", b"").decode("latin-1")
        if not _ID_RE.match(rid):
            rid = uuid.uuid4().hex
        cid = headers.get(b"x-correlation-id", b"").decode("latin-1")
        if not _ID_RE.match(cid):
            cid = rid
        trace = headers.get(b"traceparent", b"").decode("latin-1")
        tokens = (
            context.request_id.set(rid),
            context.correlation_id.set(cid),
            context.traceparent.set(trace if 0 < len(trace) <= 64 else None),
        )
        started = time.perf_counter()
        status_holder = [500]
        path = scope.get("path", "")

        where = _nul_in(scope)
        if where is not None:
            # PostgreSQL text cannot hold U+0000: a NUL in a path id or a query parameter is the client's mistake.
            await _send_problem(
                send, 422, f"the {where} must not contain NUL characters", rid, type_="validation", field=where
            )
            self._reset(tokens)
            return

        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.max_body
            except ValueError:
                too_big = True
            if too_big:
                await _send_problem(send, 413, f"request body exceeds {self.max_body} bytes", rid)
                self._reset(tokens)
                return

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise _BodyTooLarge()
            return message

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder[0] = message["status"]
                out = list(message.get("headers", ()))
                present = {k.lower() for k, _ in out}
                out.append((b"x-request-id", rid.encode()))
                for name, value in SECURITY_HEADERS:
                    if name not in present:
                        out.append((name, value))
                if not path.startswith(("/docs", "/redoc")) and b"content-security-policy" not in present:
                    out.append(DOCS_CSP)
                message = {**message, "headers": out}
            await send(message)

        try:
            await self.app(scope, limited_receive, send_wrapper)
        except _BodyTooLarge:
            await _send_problem(send, 413, f"request body exceeds {self.max_body} bytes", rid)
            status_holder[0] = 413
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            elapsed = time.perf_counter() - started
            method = scope.get("method", "")
            metrics.HTTP_REQUESTS.labels(self.service, method, template, str(status_holder[0])).inc()
            metrics.HTTP_LATENCY.labels(self.service, method, template).observe(elapsed)
            self._reset(tokens)

    @staticmethod
    def _reset(tokens: tuple) -> None:
        context.request_id.reset(tokens[0])
        context.correlation_id.reset(tokens[1])
        context.traceparent.reset(tokens[2])


class _BodyTooLarge(StarletteHTTPException):
    """Raised from receive(); an HTTPException so that FastAPI re-raises it instead of answering 400."""

    def __init__(self) -> None:
        super().__init__(status_code=413, detail="request body too large")


def _nul_in(scope: Scope) -> str | None:
    """Names the part of the URL (path or query) that carries a NUL character, if any."""
    if "\x00" in scope.get("path", ""):
        return "path"
    query = scope.get("query_string", b"")
    if query and (b"\x00" in query or b"\x00" in unquote_to_bytes(query)):
        return "query"
    return None


async def _send_problem(
    send: Send, status: int, detail: str, rid: str, *, type_: str = "payload-too-large", field: str | None = None
) -> None:
    problem_body: dict[str, Any] = {
        "type": PROBLEM_BASE + type_,
        "title": _TITLES[status],
        "status": status,
        "detail": detail,
        "instance": f"urn:request:{rid}",
    }
    if field is not None:
        problem_body["field"] = field
    body = orjson.dumps(problem_body)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"x-request-id", rid.encode()),
                *SECURITY_HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


ReadinessCheck = Callable[[], Awaitable[dict[str, Any]]]


def install_health(app: FastAPI, readiness: ReadinessCheck) -> None:
    """Adds /health/live, /health/ready and /metrics (outside the API schema)."""

    @app.get("/health/live", include_in_schema=False)
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/health/ready", include_in_schema=False)
    async def ready() -> JSONResponse:
        checks = await readiness()
        ok = all(v is True or (isinstance(v, dict) and v.get("ok")) for v in checks.values())
        return JSONResponse({"status": "ok" if ok else "unavailable", "checks": checks}, status_code=200 if ok else 503)

    @app.get("/metrics", include_in_schema=False)
    async def metrics_endpoint() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def install(app: FastAPI, *, service: str, max_body_bytes: int, cors_origins: list[str] | None = None) -> None:
    """Installs error handlers and the plumbing middleware (and CORS for an explicit allow-list only)."""
    install_error_handlers(app)
    if cors_origins:
        from starlette.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID", consistency.HEADER],
            expose_headers=[consistency.HEADER, "Retry-After"],
            allow_credentials=False,
        )
    app.add_middleware(PlumbingMiddleware, service=service, max_body_bytes=max_body_bytes)


def operation_id(route: Any) -> str:
    """Gives every route a stable operation id: <tag>-<function name>."""
    tag = route.tags[0] if route.tags else "api"
    return f"{tag}-{route.name}"


def no_telemetry() -> dict[str, Any]:
    """FastAPI's own OpenTelemetry instrumentation switched off, where the installed FastAPI has it (0.165+): the
    suite does not use OpenTelemetry (its logs, metrics and traceparent are kernel.logs, kernel.metrics and
    kernel.context), and the check whether a provider is configured ran on every request, reading the environment
    (about 2 % of the gateway's samples in a profile under the write load, issue 15)."""
    if "telemetry" not in inspect.signature(FastAPI.__init__).parameters:
        return {}
    return {"telemetry": {"tracing": False, "metrics": False, "logs": False}}
