"""`contact-gateway` command line: serve (more subcommands join as features land)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import uvicorn
from pydantic import ValidationError

from gateway.api_keys import config_snippet, key_digest, new_key
from gateway.app import create_app
from gateway.auth_settings import ApiKeyClient
from gateway.cache import SqliteCache
from gateway.database import open_database
from gateway.logs import configure_logging
from gateway.settings import Settings, load_settings
from resolvers.access import Role
from resolvers.root import build_schema


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="contact-gateway", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the GraphQL gateway (GraphiQL at /graphql)")
    serve.add_argument("--host", help="listen address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="listen port (default 8000; 0 = any free)")
    serve.add_argument("--config", type=Path, help="TOML config file (see README)")
    sub.add_parser("schema", help="print the GraphQL schema (SDL)")
    cache = sub.add_parser("cache", help="inspect or empty the read cache")
    cache.add_argument("action", choices=["stats", "clear"])
    cache.add_argument("--config", type=Path, help="TOML config file (for data_dir)")
    auth = sub.add_parser("auth", help="gateway client credentials")
    auth.add_argument("action", choices=["new-key"], help="new-key: mint an API key")
    auth.add_argument("--id", default="client", help="the client's name (default: client)")
    auth.add_argument("--tenant", default="default", help="whose providers it uses")
    auth.add_argument("--role", default="public", choices=[r.value for r in Role])
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    pairs = (("host", getattr(args, "host", None)), ("port", getattr(args, "port", None)))
    overrides = {k: v for k, v in pairs if v is not None}
    return load_settings(args.config, **overrides)


def schema_sdl() -> str:
    """The schema as SDL, exactly as committed in schema.graphql."""
    return build_schema().as_str() + "\n"


def serve(settings: Settings) -> None:
    configure_logging(settings.log_level)
    app = create_app(settings, announce=True)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        access_log=False,
        log_config=None,  # keep our JSON logging (configure_logging)
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "schema":
        sys.stdout.write(schema_sdl())
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
    if args.command == "serve":
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


async def cache_command(settings: Settings, action: str) -> dict[str, int]:
    """`cache stats` / `cache clear` on the gateway's SQLite file (safe while it runs: WAL)."""
    connection = await open_database(settings.database_path)
    try:
        cache = SqliteCache(connection, settings.cache.max_entries)
        await cache.setup()
        if action == "clear":
            return {"removed": await cache.clear()}
        return await cache.stats()
    finally:
        await connection.close()


if __name__ == "__main__":
    sys.exit(main())
