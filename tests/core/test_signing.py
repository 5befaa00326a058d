"""The media signing secret and token format (no stores needed)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ott.core.errors import Forbidden, Gone
from ott.core.settings import Environment, Settings
from ott.core.signing import MediaSigner, signing_secret, token_for

JWT = "j" * 48


def test_the_token_is_nginx_secure_link_md5() -> None:
    # Made with the recipe of Nginx's documentation:
    #   echo -n '2147483647videos/3f1c/9a2b <secret>' | openssl md5 -binary | openssl base64 \
    #     | tr +/ -_ | tr -d =
    secret = "s3cret-for-the-test-vector-0123456789"
    token = token_for(secret, scope="videos/3f1c/9a2b", expires=2147483647)
    assert token == "IjU90LYcyejNiu5PTzJ0IQ"


def test_without_a_media_secret_one_is_derived_from_the_jwt_secret() -> None:
    settings = Settings(_env_file=None, ott_env=Environment.TEST, jwt_secret=JWT)
    derived = signing_secret(settings)
    assert derived != JWT
    assert len(derived) == 64
    assert signing_secret(settings.model_copy(update={"jwt_secret": "k" * 48})) != derived
    own = Settings(
        _env_file=None, ott_env=Environment.TEST, jwt_secret=JWT, media_signing_secret="m" * 40
    )
    assert signing_secret(own) == "m" * 40


@pytest.mark.parametrize("secret", ["short", "x" * 31, "has space " * 4, 'quote"' * 8, "$var" * 10])
def test_a_media_secret_nginx_cannot_read_is_refused(secret: str) -> None:
    with pytest.raises(ValidationError, match="MEDIA_SIGNING_SECRET"):
        Settings(_env_file=None, media_signing_secret=secret)


def test_production_needs_a_media_secret() -> None:
    with pytest.raises(ValidationError, match="MEDIA_SIGNING_SECRET must be set"):
        Settings(_env_file=None, ott_env=Environment.PRODUCTION, jwt_secret=JWT)
    Settings(
        _env_file=None,
        ott_env=Environment.PRODUCTION,
        jwt_secret=JWT,
        media_signing_secret="A-z0.9_~+/=" * 4,
    )


def test_verify_tells_forgeries_from_expired_tokens() -> None:
    signer = MediaSigner(secret="s" * 40, base_url="/media", token_seconds=600)
    folder = signer.sign("videos/a/b", now=1_000_000)
    token, expires = folder.base_url.split("/")[3:5]
    assert folder.base_url == f"/media/s/{token}/{expires}/videos/a/b/"
    assert int(expires) == 1_000_600
    signer.verify(token=token, expires=expires, scope="videos/a/b", now=1_000_600)
    with pytest.raises(Gone):
        signer.verify(token=token, expires=expires, scope="videos/a/b", now=1_000_601)
    with pytest.raises(Forbidden):
        signer.verify(token=token, expires=expires, scope="videos/a/c", now=1_000_000)
    with pytest.raises(Forbidden):
        signer.verify(token=token, expires="1000601", scope="videos/a/b", now=1_000_000)
    cdn = MediaSigner(secret="s" * 40, base_url="https://cdn.example.com/", token_seconds=60)
    assert cdn.sign("videos/a/b").base_url.startswith("https://cdn.example.com/s/")
