"""The ceiling: a bare Starlette app answering a small JSON "hello", served by uvicorn with the
same settings `ott serve` uses (uvloop and httptools from uvicorn[standard], no access log).

    .venv/bin/python bench/hello_app.py --port 8123
"""

from __future__ import annotations

import argparse

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


async def hello(_: Request) -> JSONResponse:
    return JSONResponse({"hello": "world"})


app = Starlette(routes=[Route("/hello", hello), Route("/health", hello)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    # As ott.cli._serve: uvicorn picks uvloop and httptools when installed ("auto").
    uvicorn.run(app, host=args.host, port=args.port, log_config=None, access_log=False)


if __name__ == "__main__":
    main()
