"""Cross-origin browser access (CORS): off unless exact origins are configured.

Starlette's CORSMiddleware does the protocol; we only decide its inputs. Origins
are matched exactly (no wildcards, no regex), only GET and POST are offered, and
the headers a client needs are listed by name — so a page from an unlisted origin
gets no `Access-Control-Allow-Origin` and its browser withholds the answer.
"""

from __future__ import annotations

from typing import Final

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from gateway.auth_settings import CorsSettings

ALLOWED_HEADERS: Final = ("Authorization", "Content-Type", "X-API-Key", "X-Request-Id")
EXPOSED_HEADERS: Final = ("X-Request-Id",)


def cors_middleware(settings: CorsSettings) -> list[Middleware]:
    """The middleware for the configured origins; none (no cross-origin access) by default."""
    if not settings.allow_origins:
        return []
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=list(settings.allow_origins),
            allow_methods=["GET", "POST"],
            allow_headers=list(ALLOWED_HEADERS),
            allow_credentials=settings.allow_credentials,
            expose_headers=list(EXPOSED_HEADERS),
            max_age=settings.max_age,
        )
    ]
