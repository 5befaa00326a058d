"""`ott openapi`: the platform's API document, as the gateway serves it, for API clients
(the web app's generated client is made from it: `web/openapi.json`)."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ott.cli.common import command_settings, console


def render(document: dict[str, Any]) -> str:
    """Sorted keys, two-space indent, a final newline: the same text for the same document."""
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def openapi(
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write it to this file. [default: standard output]"),
    ] = None,
) -> None:
    """Write the merged OpenAPI document of every service (what /api/openapi.json answers);
    no store is needed."""
    from ott.gateway.app import openapi_document

    text = render(asyncio.run(openapi_document(command_settings())))
    if output is None:
        sys.stdout.write(text)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    console.print(f"[green]✓[/green] {output}")
