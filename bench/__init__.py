"""The benchmark suite (issue 9): `python -m bench`, or `python -m bench --quick` in CI.

Processes: `sandboxes` (the three provider sandboxes), `gateway_server` (the gateway
under test), `passthrough` (the ceiling), `loadgen` (the load). The driver (`cli`)
plans each scenario through the gateway (`plan`), measures (`measure`) and writes
results (`results`, `report`, `plot`) judged against the issue's targets (`targets`).
"""
