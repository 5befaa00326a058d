"""Renders the Nginx configuration template (deploy/nginx/ott.conf.template) for these settings:
the signing secret Nginx checks tokens with, the media folder, the allowed origins."""

from __future__ import annotations

import re
from pathlib import Path

from ott.core.settings import Settings
from ott.core.signing import signing_secret

_PLACEHOLDER = re.compile(r"\{\{([A-Z_]+)\}\}")
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")
_ADDRESS = re.compile(r"^[A-Za-z0-9.:\[\]-]+$")


class TemplateError(ValueError):
    pass


def render(
    template: str,
    *,
    listen: str,
    gateway: str,
    media_root: Path,
    secret: str,
    cors_origins: list[str],
) -> str:
    """The template with every {{PLACEHOLDER}} filled in; TemplateError for a value Nginx
    would read as something else, or a placeholder left over."""
    for name, value in (("listen", listen), ("gateway", gateway)):
        if not _ADDRESS.match(value):
            raise TemplateError(f"{name} {value!r} is not a port or host:port")
    if not media_root.is_absolute() or re.search(r"[\s;{}\"'$]", str(media_root)):
        raise TemplateError(f"the media folder {media_root} must be an absolute, plain path")
    for origin in cors_origins:
        if not _ORIGIN.match(origin):
            raise TemplateError(f"the origin {origin!r} is not scheme://host[:port]")
    values = {
        "OTT_LISTEN": listen,
        "OTT_GATEWAY": gateway,
        "OTT_MEDIA_ROOT": str(media_root).rstrip("/"),
        "OTT_MEDIA_SIGNING_SECRET": secret,
        "OTT_CORS_ORIGINS": "\n".join(f'    "{o}" $http_origin;' for o in cors_origins),
    }

    def fill(match: re.Match[str]) -> str:
        name = match[1]
        if name not in values:
            raise TemplateError(f"the template names an unknown value {{{{{name}}}}}")
        return values[name]

    return _PLACEHOLDER.sub(fill, template)


def render_for(
    template: str, settings: Settings, *, listen: str, gateway: str, media_root: Path | None = None
) -> str:
    """`render` with the platform's own secret (MEDIA_SIGNING_SECRET, or the development one
    derived from the JWT secret), media folder (DATA_DIR/media) and CORS_ORIGINS."""
    return render(
        template,
        listen=listen,
        gateway=gateway,
        media_root=(media_root or settings.data_dir / "media").absolute(),
        secret=signing_secret(settings),
        cors_origins=list(settings.cors_origins),
    )
