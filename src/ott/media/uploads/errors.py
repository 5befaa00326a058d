"""The tus protocol's own error answers (with the platform's JSON error body)."""

from __future__ import annotations

from ott.core.errors import AppError


class PreconditionFailed(AppError):
    status_code, code = 412, "unsupported_tus_version"


class UploadLocked(AppError):
    status_code, code = 423, "upload_locked"


class UploadExpired(AppError):
    status_code, code = 410, "upload_expired"


class ChecksumMismatch(AppError):
    status_code, code = 460, "checksum_mismatch"
