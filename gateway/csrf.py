"""CSRF: no state change from a request a cross-site page can send without asking.

A browser sends a form or `fetch` POST cross-site without a CORS preflight only
when its content type is one of the "simple" ones (or missing). Such a POST is
refused before its body is read; a JSON POST needs a preflight, which CORS
(gateway/cors.py) denies to unlisted origins. GET runs queries only (a mutation
over GET is 405), so it changes nothing. The same rule as Apollo Server's CSRF
prevention, without its preflight-header escape hatch: our POSTs are JSON only.
"""

from __future__ import annotations

from typing import Final

from starlette.requests import Request

from gateway.graphql_request import BadRequest

SIMPLE_CONTENT_TYPES: Final = frozenset(
    {"", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data"}
)


def refuse_simple_post(request: Request) -> None:
    """415 CSRF_REFUSED for a POST whose content type a plain HTML form or beacon could send."""
    media = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media in SIMPLE_CONTENT_TYPES:
        raise BadRequest(
            415,
            "POST bodies must be application/json; form, multipart and text/plain posts "
            "are refused (cross-site request forgery protection)",
            code="CSRF_REFUSED",
        )
