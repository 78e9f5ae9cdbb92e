"""`contact-gateway` command line: serve (more subcommands join as features land)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from gateway.api_keys import config_snippet, key_digest, new_key
from gateway.auth_settings import ApiKeyClient
from gateway.serving import serve, serve_workers
from gateway.settings import Settings, load_settings
from gateway.storage import cache_command
from resolvers.access import Role
from resolvers.root import build_schema


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="contact-gateway", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the GraphQL gateway (GraphiQL at /graphql)")
    serve.add_argument("--host", help="listen address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="listen port (default 8000; 0 = any free)")
    serve.add_argument("--config", type=Path, help="TOML config file (see README)")
    serve.add_argument(
        "--workers", type=_positive, default=1, help="worker processes on one port (default 1)"
    )
    schema = sub.add_parser("schema", help="print the GraphQL schema (SDL)")
    schema.add_argument(
        "--federation", action="store_true", help="the Apollo Federation v2 subgraph SDL"
    )
    cache = sub.add_parser("cache", help="inspect or empty the read cache")
    cache.add_argument("action", choices=["stats", "clear"])
    cache.add_argument("--config", type=Path, help="TOML config file (data_dir or cache_url)")
    auth = sub.add_parser("auth", help="gateway client credentials")
    auth.add_argument("action", choices=["new-key"], help="new-key: mint an API key")
    auth.add_argument("--id", default="client", help="the client's name (default: client)")
    auth.add_argument("--tenant", default="default", help="whose providers it uses")
    auth.add_argument("--role", default="public", choices=[r.value for r in Role])
    return parser


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError("a whole number of at least 1")
    return int(text)


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    pairs = (("host", getattr(args, "host", None)), ("port", getattr(args, "port", None)))
    return {k: v for k, v in pairs if v is not None}


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(args.config, **_overrides(args))


def schema_sdl(*, federation: bool = False) -> str:
    """The schema as SDL, exactly as committed in schema.graphql (schema.subgraph.graphql
    with `federation`: what `_service { sdl }` answers)."""
    return build_schema(federation=federation).as_str() + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "schema":
        sys.stdout.write(schema_sdl(federation=args.federation))
        return 0
    if args.command == "auth":
        try:
            sys.stdout.write(new_key_text(args.id, args.tenant, Role(args.role)))
        except ValidationError as exc:
            print(f"contact-gateway: bad client:\n{exc}", file=sys.stderr)
            return 2
        return 0
    try:
        settings = _settings(args)
    except (ValidationError, FileNotFoundError, ValueError) as exc:
        print(f"contact-gateway: bad configuration:\n{exc}", file=sys.stderr)
        return 2
    if args.command == "serve" and args.workers > 1:
        serve_workers(settings, args.config, _overrides(args), args.workers)
    elif args.command == "serve":
        serve(settings)
    elif args.command == "cache":
        print(json.dumps(asyncio.run(cache_command(settings, args.action))))
    return 0


def new_key_text(client_id: str, tenant: str, role: Role) -> str:
    """A fresh API key, and the config lines that admit it (they hold only its hash)."""
    key = new_key()
    client = ApiKeyClient(id=client_id, sha256=key_digest(key), tenant=tenant, role=role)
    return (
        f"API key (give it to the client; it is not stored anywhere):\n  {key}\n\n"
        f"Add to the gateway's config file:\n\n{config_snippet(client)}"
    )


if __name__ == "__main__":
    sys.exit(main())
