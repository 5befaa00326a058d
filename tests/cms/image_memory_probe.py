"""Run by test_image_memory.py in a process of its own: the platform in process, then six
concurrent poster uploads of one image; prints the process's resident memory (baseline
before the uploads, and the peak while they run) and the answers' statuses as JSON.

    python -m tests.cms.image_memory_probe <settings.json> <job.json>
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil

from ott.core.settings import Settings
from tests.conftest import start_gateway


class PeakRss:
    """Samples the resident set size every millisecond in a thread."""

    def __init__(self) -> None:
        self.process = psutil.Process()
        self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.001)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


async def main(
    settings: Settings, job: dict[str, Any], image: bytes, warm_up: bytes
) -> dict[str, Any]:
    client, lifespan = await start_gateway(settings)
    try:

        async def post(content_id: str, data: bytes) -> int:
            response = await client.post(
                f"/api/cms/content/{content_id}/assets/poster",
                content=data,
                headers={**job["headers"], "content-type": "image/png"},
                timeout=120,
            )
            return response.status_code

        # Pillow, the routes and the database connections are warm before the baseline.
        first = await post(job["warm_up_id"], warm_up)
        baseline = psutil.Process().memory_info().rss
        with PeakRss() as rss:
            statuses = await asyncio.gather(*(post(cid, image) for cid in job["content_ids"]))
        return {"warm_up": first, "baseline": baseline, "peak": rss.peak, "statuses": statuses}
    finally:
        await client.aclose()
        await lifespan.__aexit__(None, None, None)


if __name__ == "__main__":
    job = json.loads(Path(sys.argv[2]).read_text())
    result = asyncio.run(
        main(
            Settings.model_validate_json(Path(sys.argv[1]).read_text()),
            job,
            Path(job["image"]).read_bytes(),
            Path(job["warm_up"]).read_bytes(),
        )
    )
    print(json.dumps(result))
