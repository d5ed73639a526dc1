"""Maps upstream failures to problems (502/503/504) that name the service but never its address."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from gateway.clients import Failure, UpstreamError, UpstreamResponse
from gateway.forwarding import response_headers
from kernel.web import problem

_STATUS = {Failure.UNAVAILABLE: 503, Failure.TIMEOUT: 504, Failure.BAD_RESPONSE: 502}
_DETAIL = {
    Failure.UNAVAILABLE: "the {service} service is unavailable; retry later",
    Failure.TIMEOUT: "the {service} service did not answer in time",
    Failure.BAD_RESPONSE: "the {service} service gave an answer the gateway cannot relay",
}
JSON_TYPES = ("application/json", "application/problem+json")


def upstream_problem(exc: UpstreamError) -> JSONResponse:
    """Builds the problem answer of a failed upstream call."""
    status = _STATUS[exc.failure]
    headers = {"Retry-After": "5"} if status == 503 else None
    return problem(
        status,
        _DETAIL[exc.failure].format(service=exc.service),
        type_=f"upstream-{exc.failure.value}",
        headers=headers,
        service=exc.service,
    )


async def upstream_error_handler(_: Request, exc: Exception) -> JSONResponse:
    """Answers an UpstreamError raised anywhere in a request."""
    assert isinstance(exc, UpstreamError)
    return upstream_problem(exc)


def relay(service: str, response: UpstreamResponse) -> Response:
    """Turns an upstream answer into the client's answer (filtered headers; a non-JSON 5xx becomes a 502)."""
    headers = response_headers(response.headers)
    if response.status >= 500 and not headers.get("content-type", "").startswith(JSON_TYPES):
        return upstream_problem(UpstreamError(service, Failure.BAD_RESPONSE, f"status {response.status}"))
    return Response(content=response.body, status_code=response.status, headers=headers)
