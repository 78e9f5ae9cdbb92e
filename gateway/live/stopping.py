"""Subscriptions end when the server starts to stop, not when it gives up waiting.

uvicorn lets running responses finish before it stops, and an event stream never
finishes by itself: it would wait out its graceful-shutdown timeout and then cancel the
streams, with errors in the log. uvicorn tells the app nothing earlier, so the feed
joins the SIGTERM/SIGINT handlers uvicorn installs while it serves (only uvicorn's: an
embedding host's own handlers are left alone) and ends every subscription at once:
SSE streams send `complete`, WebSocket operations `complete` before uvicorn closes the
socket (1012).
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from types import FrameType
from typing import Any, Final

import uvicorn

SIGNALS: Final = (signal.SIGINT, signal.SIGTERM)


def on_server_stop(callback: Callable[[], None]) -> bool:
    """Run `callback` in the event loop when uvicorn is told to stop; False when this
    process is not served by a uvicorn that handles signals (tests, other hosts)."""
    loop = asyncio.get_running_loop()
    joined = False
    for sig in SIGNALS:
        current = signal.getsignal(sig)
        if isinstance(getattr(current, "__self__", None), uvicorn.Server) and callable(current):
            signal.signal(sig, _chained(current, loop, callback))
            joined = True
    return joined


def _chained(
    uvicorns: Callable[[int, FrameType | None], Any],
    loop: asyncio.AbstractEventLoop,
    callback: Callable[[], None],
) -> Callable[[int, FrameType | None], None]:
    def handler(sig: int, frame: FrameType | None) -> None:
        uvicorns(sig, frame)
        loop.call_soon_threadsafe(callback)

    return handler
