"""Platform settings, read from the environment and `.env` with the spec's variable names."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import re
import secrets
import tempfile
from datetime import timedelta
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_WEAK_SECRETS = {"your-secret-key", "secret", "changeme", "change-me", "jwt-secret"}
MIN_SECRET_LENGTH = 32
_NGINX_SAFE_SECRET = re.compile(rf"^[A-Za-z0-9._~+/=-]{{{MIN_SECRET_LENGTH},}}$")
# The checkout this package runs from (src/ott/core/settings.py is three folders down).
REPO_ROOT = Path(__file__).resolve().parents[3]


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


def parse_duration(value: str | int) -> timedelta:
    """Parse the spec's duration notation ("15m", "7d", "30s") or a number of seconds."""
    if isinstance(value, int):
        return timedelta(seconds=value)
    if value.strip().isdigit():
        return timedelta(seconds=int(value))
    match = _DURATION.match(value)
    if not match:
        raise ValueError(f"invalid duration {value!r}: use a number with s, m, h or d (e.g. 15m)")
    return timedelta(seconds=int(match[1]) * _UNIT_SECONDS[match[2]])


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    ott_env: Environment = Environment.DEVELOPMENT
    data_dir: Path = Path(".ott")

    # PostgreSQL: DATABASE_URL wins; then POSTGRES_HOST; otherwise an embedded server.
    database_url: str | None = None
    postgres_host: str | None = None
    postgres_port: int = 5432
    postgres_db: str = "ott_catalog"
    postgres_user: str = "ott_user"
    postgres_password: str = ""
    db_pool_size: int = 20
    # Connections beyond the pool are closed when handed back, so under a burst they were
    # opened and closed again and again (each a new PostgreSQL process with cold caches and no
    # prepared statements); a fixed pool makes requests wait for a connection instead.
    db_max_overflow: int = 0
    # How long a request waits for a free connection before it is answered 503 (SQLAlchemy's
    # 30 s default kept requests of an overloaded process queued far beyond any client's
    # patience, each still holding its place in line).
    db_pool_timeout_seconds: float = 5.0
    # PostgreSQL's plan_cache_mode for the platform's connections (see database.py).
    db_plan_cache_mode: Literal["auto", "force_custom_plan", "force_generic_plan"] = (
        "force_custom_plan"
    )

    mongodb_uri: str | None = None
    redis_url: str | None = None
    redis_key_prefix: str = "ott:"

    jwt_secret: str | None = None
    jwt_expires_in: str = "15m"
    jwt_refresh_expires_in: str = "7d"
    jwt_issuer: str = "ott-auth"
    password_reset_expires_in: str = "30m"
    bcrypt_rounds: int = 12

    api_gateway_port: int = 3000
    auth_service_port: int = 3001
    catalog_service_port: int = 3002
    streaming_service_port: int = 3003
    activity_service_port: int = 3004
    recommendation_service_port: int = 3005
    cms_service_port: int = 3006
    subscription_service_port: int = 3007
    ad_service_port: int = 3008
    media_service_port: int = 3009
    service_host: str = "127.0.0.1"

    rate_limit_per_minute: int = 100
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["http://localhost:3000", "http://127.0.0.1:3000"]
    )
    max_request_bytes: int = 1_048_576
    max_bulk_upload_bytes: int = 52_428_800
    max_image_upload_bytes: int = 10_485_760
    bulk_upload_timeout_seconds: float = 300.0
    trust_forwarded_for: bool = False
    # Used only with TRUST_FORWARDED_FOR: the proxies (CIDRs) whose X-Forwarded-For entries are
    # believed; the client is the right-most address that is not one of them.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["127.0.0.1/32", "::1/128"]
    )
    # /metrics on the gateway's (public) port; METRICS_PORT serves the gateway process's metrics
    # on a port of its own (on SERVICE_HOST, as `ott worker --metrics-port` does).
    metrics_public: bool = False
    metrics_port: int | None = None
    # Once a server has started, exempt what start-up made from garbage collection (core/heap.py:
    # full collections otherwise pause the event loop ~100 ms). Off in tests, which start many
    # apps in one process and would keep each one's cycles.
    gc_freeze_after_startup: bool = True
    service_timeout_seconds: float = 5.0
    circuit_reset_seconds: float = 10.0

    public_base_url: str = "http://localhost:3000"
    # The web app's static export (`npm run build` in web/), served by the gateway.
    web_dist_dir: Path = REPO_ROOT / "web" / "out"
    # The header a CDN or load balancer sets to the viewer's country (e.g. CloudFront-Viewer-Country
    # or CF-IPCountry); the edge must overwrite any value a client sends.
    country_header: str = "x-viewer-country"
    default_country: str = "IN"
    catalog_cache_seconds: float = 10.0
    # How often a catalog process may rebuild its spelling vocabulary and facet counts after
    # content changes (they steer plans and typo correction, not what viewers may see).
    catalog_summary_seconds: float = 30.0
    cms_publish_interval_seconds: float = 5.0
    # Approving needs a second person (not an author of the title); true for one-person teams.
    cms_allow_self_approval: bool = False
    # Posters and thumbnails decoded at once per CMS process (each may hold ~300 MB).
    cms_image_decode_concurrency: int = Field(2, ge=1)

    # Media (posters, thumbnails, later video): local files in DATA_DIR/media unless a bucket
    # is named, then any S3-compatible store.
    media_s3_bucket: str | None = None
    media_s3_endpoint: str = "https://s3.amazonaws.com"
    media_s3_region: str = "us-east-1"
    media_s3_access_key: str = ""
    media_s3_secret_key: str = ""
    media_public_base_url: str | None = None

    # Video pipeline (ott/media).
    ffmpeg_binary: str | None = None  # FFMPEG_BINARY; default: the one imageio-ffmpeg ships
    max_upload_bytes: int = 20 * 1024**3  # one uploaded source, audio track or subtitle file
    upload_expiry_hours: float = 24.0  # an unfinished upload is deleted after this long
    transcode_max_attempts: int = 3  # a job failing for a reason other than its input
    transcode_lease_seconds: float = 30.0  # a job whose worker stops renewing is taken over
    transcode_preset: str = "veryfast"  # x264 preset of the local transcoder
    worker_concurrency: int = 1  # jobs one worker process runs at once
    run_worker_in_process: bool = True  # `ott serve` (the CMS app) runs one worker itself
    transcode_retry_seconds: float = 30.0  # delay before a failed job's first retry, then doubled
    transcode_poll_seconds: float = 2.0  # how often an idle worker looks for a job
    # Demo videos (`ott serve`, `ott seed`): every generated source this long instead of each
    # title's own 20-24 s (tests make them a couple of seconds).
    demo_video_seconds: float | None = Field(None, gt=0, le=600)

    # Streaming (ott/streaming). Segment URLs carry a token in their path that stock Nginx's
    # secure_link_md5 verifies (deploy/nginx); MEDIA_SIGNING_SECRET is shared with Nginx or the
    # CDN. Without it, development derives one from the JWT secret.
    media_signing_secret: str | None = None
    stream_token_seconds: int = Field(600, ge=30)  # lifetime of a segment-URL token
    stream_lease_seconds: int = Field(60, ge=10)  # a stream not renewed for this long is freed
    stream_limit_free: int = Field(1, ge=1)  # concurrent streams per account, by tier
    stream_limit_premium: int = Field(4, ge=1)
    stream_max_height_free: int = 720  # the highest rung (picture height) a free viewer gets
    stream_max_height_premium: int | None = None  # None: every rung

    # User activity (ott/activity). MONGODB_URI selects the MongoDB store, else PostgreSQL.
    activity_flush_seconds: float = Field(5.0, gt=0)  # longest wait before positions are stored
    activity_resume_min_percent: float = 5.0  # below this a position is no resume point
    activity_watched_percent: float = 90.0  # at or beyond this a title counts as watched
    activity_min_resume_seconds: float = 300.0  # shorter titles never resume
    activity_abandon_after_seconds: float = 120.0  # heartbeats stopped this long: an abandon

    # Subscriptions (ott/subscriptions). PLANS_FILE: a JSON list of plans replacing the built-in
    # Free / Premium monthly / Premium yearly (ott/subscriptions/plans.py).
    plans_file: Path | None = None
    # After a failed renewal the plan is kept this long while payment is retried (app stores use
    # 3 to 30 days); then the account is held on the ad-supported tier until it pays.
    subscription_grace_days: int = Field(7, ge=0, le=60)
    subscription_retry_hours: Annotated[list[float], NoDecode] = Field(
        default_factory=lambda: [24.0, 72.0, 120.0]  # retries after the first failure
    )
    subscription_job_interval_seconds: float = Field(30.0, gt=0)  # renewals, retries, expiry
    # An entitlement answer stays in Redis this long at most (changes replace it at once).
    entitlement_cache_seconds: int = Field(60, ge=1, le=60)
    # Payment providers: "development" completes payments locally; "stripe" and "razorpay"
    # take checkout on the provider's page and report by webhook.
    payment_provider: Literal["development", "stripe", "razorpay"] = "development"
    # Stripe: several secrets (comma-separated) while one is being rotated.
    stripe_webhook_secrets: Annotated[list[str], NoDecode] = Field(default_factory=list)
    stripe_webhook_tolerance_seconds: int = Field(300, ge=1)
    stripe_api_key: str | None = None  # sk_live_... / sk_test_... (or a restricted key)
    stripe_api_base_url: str = "https://api.stripe.com"
    razorpay_webhook_secret: str | None = None
    razorpay_key_id: str | None = None  # rzp_live_... / rzp_test_...
    razorpay_key_secret: str | None = None
    razorpay_api_base_url: str = "https://api.razorpay.com"
    payment_api_timeout_seconds: float = Field(10.0, gt=0)

    # Ads (ott/ads).
    ads_midroll_every_minutes: float = Field(10.0, gt=0)  # without cue points
    # A break the viewer has seen is not shown again on resume for this long.
    ads_break_memory_hours: float = Field(4.0, ge=0)
    # Signing of tracking URLs; without it one is derived from the JWT secret.
    ads_tracking_secret: str | None = None
    ads_pod_size: int = Field(2, ge=1, le=5)  # ads in one break at most
    ads_inventory_cache_seconds: float = Field(5.0, ge=0)  # campaigns kept in each process
    ads_flush_seconds: float = Field(5.0, gt=0)  # tracking counts moved from Redis to PostgreSQL
    ads_break_token_hours: float = Field(12.0, gt=0)  # a VMAP's break URLs stay valid this long
    ads_tracking_token_hours: float = Field(4.0, gt=0)  # a VAST's tracking URLs, this long
    # Where players reach /api/ads (absolute URLs in VMAP and VAST); unset: relative URLs.
    ads_public_base_url: str | None = None

    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = True
    mail_from: str = "OTT <no-reply@localhost>"

    log_level: str = "INFO"
    log_json: bool = True

    @field_validator(
        "cors_origins",
        "trusted_proxies",
        "stripe_webhook_secrets",
        "subscription_retry_hours",
        mode="before",
    )
    @classmethod
    def _split_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _valid_networks(cls, value: list[str]) -> list[str]:
        for network in value:
            ipaddress.ip_network(network, strict=False)  # a ValueError names the bad one
        return value

    @field_validator("jwt_expires_in", "jwt_refresh_expires_in", "password_reset_expires_in")
    @classmethod
    def _valid_duration(cls, value: str) -> str:
        parse_duration(value)
        return value

    @field_validator("media_signing_secret")
    @classmethod
    def _usable_signing_secret(cls, value: str | None) -> str | None:
        # Nginx reads it inside a quoted string of its configuration (deploy/nginx).
        if value is not None and not _NGINX_SAFE_SECRET.match(value):
            raise ValueError(
                f"MEDIA_SIGNING_SECRET must be at least {MIN_SECRET_LENGTH} characters of "
                "A-Z, a-z, 0-9 and . _ ~ + / = -"
            )
        return value

    @model_validator(mode="after")
    def _require_secret_outside_development(self) -> Settings:
        if self.ott_env is Environment.DEVELOPMENT:
            return self
        if not self.jwt_secret:
            raise ValueError(f"JWT_SECRET must be set when OTT_ENV={self.ott_env.value}")
        if self.jwt_secret.lower() in _WEAK_SECRETS or len(self.jwt_secret) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"JWT_SECRET is too weak: use at least {MIN_SECRET_LENGTH} random characters"
            )
        if self.ott_env is Environment.PRODUCTION and not self.media_signing_secret:
            raise ValueError(
                "MEDIA_SIGNING_SECRET must be set when OTT_ENV=production: Nginx or the CDN "
                "that serves video checks the same secret"
            )
        return self

    @property
    def access_token_ttl(self) -> timedelta:
        return parse_duration(self.jwt_expires_in)

    @property
    def refresh_token_ttl(self) -> timedelta:
        return parse_duration(self.jwt_refresh_expires_in)

    @property
    def password_reset_ttl(self) -> timedelta:
        return parse_duration(self.password_reset_expires_in)

    def service_port(self, service: str) -> int:
        return int(getattr(self, _PORT_SETTING[service]))

    def service_url(self, service: str) -> str:
        return f"http://{self.service_host}:{self.service_port(service)}"

    def resolved_jwt_secret(self) -> str:
        """The signing secret; in development one is generated once and kept in the data folder.

        Changes nothing here (settings may be shared: `get_settings()` is cached). Without
        JWT_SECRET the file is read on each call, so commands resolve it once into a copy of
        their settings (`ott.cli.common.prepare`)."""
        if self.jwt_secret:
            return self.jwt_secret
        path = self.data_dir / "jwt_secret"
        if not path.exists():
            _create_secret_file(path)
        return path.read_text().strip()


def _create_secret_file(path: Path) -> None:
    """Write a new secret to `path` unless one is there: complete and private from the start
    (the file is written as a temporary of mode 0600, then linked into place, which fails if
    another process got there first: then its secret is everyone's)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(handle, "w") as file:
            file.write(secrets.token_urlsafe(48))
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)


_PORT_SETTING = {
    "gateway": "api_gateway_port",
    "auth": "auth_service_port",
    "catalog": "catalog_service_port",
    "streaming": "streaming_service_port",
    "activity": "activity_service_port",
    "recommendations": "recommendation_service_port",
    "cms": "cms_service_port",
    "subscriptions": "subscription_service_port",
    "ads": "ad_service_port",
    "media": "media_service_port",
}


@lru_cache
def get_settings() -> Settings:
    return Settings()
