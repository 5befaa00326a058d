"""Logging writes to the stderr of the moment, so a swapped and closed stream never breaks it."""

from __future__ import annotations

import io
import sys

import pytest
import structlog

from ott.core.observability import configure_logging
from ott.core.settings import Settings


def test_logs_follow_stderr_after_the_stream_logging_was_configured_with_is_closed(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What a command run in-process does (Typer's CliRunner swaps stderr, then closes it).
    captured = io.StringIO()
    monkeypatch.setattr(sys, "stderr", captured)
    configure_logging(settings.model_copy(update={"log_level": "INFO"}))
    structlog.get_logger("probe").info("during the command")
    later = io.StringIO()
    monkeypatch.setattr(sys, "stderr", later)
    captured.close()

    structlog.get_logger("probe").info("after the command")

    assert "after the command" in later.getvalue()
    configure_logging(settings)  # the suite's own level again
