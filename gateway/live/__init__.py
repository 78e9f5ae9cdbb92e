"""Live updates: `contactChanged` subscriptions over WebSocket and SSE.

- `feed.py`: the one feed per process. It hears writes on the change bus (every
  gateway process's, with Redis) and changes the pollers find, and hands each to the
  subscriptions of the same tenant and credential scope that follow that contact.
- `poller.py`, `strategies.py`: one poller per (tenant, provider) while anyone follows
  it; updated-since where the provider has it, else a bounded list diffed poll to poll.
- `listener.py`: one subscription's bounded, coalescing queue (back-pressure).
- `websocket.py`, `sse.py`, `routes.py`: the transports and their wiring into the app.
"""
