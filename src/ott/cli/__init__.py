"""The `ott` command line, every command in one place: one module per group of commands.

- serve.py: `serve` (the whole platform), `service` (one service alone)
- admin.py: `migrate`, `seed`, `create-admin`
- media.py: `worker` (transcoding workers), `transcode` (one file), `nginx-config`
- openapi.py: `openapi` (the merged API document, for API clients)
- demo.py: the demo videos of `seed` and `serve` (progress, background thread); no command
"""

from __future__ import annotations

import typer

from ott.cli import admin, media, openapi, serve

app = typer.Typer(
    help="OTT platform: run the services and workers, transcode, migrate, manage accounts.",
    rich_markup_mode="markdown",
    no_args_is_help=True,
    add_completion=False,
)

app.command()(serve.serve)
app.command()(serve.service)
app.command()(media.worker)
app.command()(media.transcode)
app.command("nginx-config")(media.nginx_config)
app.command()(openapi.openapi)
app.command()(admin.migrate)
app.command()(admin.seed)
app.command("create-admin")(admin.create_admin)
