"""Memory of poster uploads, measured in a real process: six concurrent uploads of a 38 KB
PNG declaring 6000x6600 pixels (119 MB decoded) took a server from 294 MB to 1.6 GB. Now
decodes are bounded (CMS_IMAGE_DECODE_CONCURRENCY, 2 by default) and every step after
decoding works on an image reduced to about the poster's size."""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
from PIL import Image

from ott.core.settings import Settings
from tests.cms.conftest import Staff, create, movie
from tests.cms.test_assets import image_bytes
from tests.conftest import settings_with

ROOT = Path(__file__).resolve().parents[2]
UPLOADS = 6
SIZE = (6000, 6600)
CONCURRENCY = 2  # the default of CMS_IMAGE_DECODE_CONCURRENCY
# One decode holds 6000 x 6600 x 4 bytes (Pillow keeps RGB in 32 bits) = 151 MiB; two at a
# time measured 311 MiB of growth. Before, the six grew the process by 2.8 GiB.
MAX_GROWTH = 400 * 1024 * 1024


def _big_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", SIZE, (20, 90, 160)).save(out, format="PNG", optimize=True)
    return out.getvalue()


async def test_six_concurrent_posters_of_6000x6600_stay_bounded(
    api: httpx.AsyncClient, staff: Staff, settings: Settings, tmp_path: Path
) -> None:
    png = _big_png()
    assert len(png) < 200_000  # a small file that decodes big
    titles = [await create(api, staff.editor, movie()) for _ in range(UPLOADS + 1)]
    (tmp_path / "big.png").write_bytes(png)
    (tmp_path / "warm.png").write_bytes(image_bytes((600, 900)))
    child_settings = settings_with(
        settings,
        run_worker_in_process=False,
        log_level="ERROR",
        cms_image_decode_concurrency=int(os.environ.get("PROBE_CONC", "2")),
    )
    (tmp_path / "settings.json").write_text(child_settings.model_dump_json())
    job = {
        "image": str(tmp_path / "big.png"),
        "warm_up": str(tmp_path / "warm.png"),
        "warm_up_id": titles[0]["id"],
        "content_ids": [t["id"] for t in titles[1:]],
        "headers": staff.editor.headers,
    }
    (tmp_path / "job.json").write_text(json.dumps(job))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CMS_", "MAX_"))}
    done = await asyncio.to_thread(
        subprocess.run,
        [
            sys.executable,
            "-m",
            "tests.cms.image_memory_probe",
            *(str(tmp_path / name) for name in ("settings.json", "job.json")),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["warm_up"] == 200
    assert result["statuses"] == [200] * UPLOADS
    growth = result["peak"] - result["baseline"]
    print(
        f"baseline {result['baseline'] / 2**20:.0f} MiB, peak {result['peak'] / 2**20:.0f} MiB, "
        f"growth {growth / 2**20:.0f} MiB for {UPLOADS} concurrent {SIZE[0]}x{SIZE[1]} posters"
    )
    assert growth < MAX_GROWTH
