"""The gateway remembers verified access tokens, and still refuses them once they expire."""

from __future__ import annotations

import time
import uuid

import pytest

from ott.core.errors import Unauthorized
from ott.core.identity import Identity, issue_access_token
from ott.core.settings import Settings
from ott.gateway.service import TokenVerifier

SECRET = "a-test-secret-that-is-long-enough-for-hs256-0123456789"


def _settings(expires_in: str = "15m") -> Settings:
    return Settings(jwt_secret=SECRET, jwt_expires_in=expires_in)


def _identity() -> Identity:
    return Identity(user_id=uuid.uuid4(), session_id=uuid.uuid4().hex)


def test_a_remembered_token_is_refused_once_expired() -> None:
    settings = _settings("1s")
    token, _ = issue_access_token(_identity(), settings)
    verifier = TokenVerifier(settings)
    assert verifier.identity(f"Bearer {token}") is not None
    assert verifier.identity(f"Bearer {token}") is not None  # from memory
    time.sleep(2.1)  # JWT expiry has one-second resolution
    with pytest.raises(Unauthorized) as refused:
        verifier.identity(f"Bearer {token}")
    assert refused.value.code == "token_expired"


def test_a_tampered_copy_of_a_remembered_token_is_refused() -> None:
    settings = _settings()
    token, _ = issue_access_token(_identity(), settings)
    verifier = TokenVerifier(settings)
    assert verifier.identity(f"Bearer {token}") is not None
    head, payload, signature = token.split(".")
    forged = f"{head}.{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    with pytest.raises(Unauthorized):
        verifier.identity(f"Bearer {forged}")


def test_memory_is_bounded_and_a_token_from_another_secret_is_refused() -> None:
    settings = _settings()
    verifier = TokenVerifier(settings, max_entries=3)
    identities = [_identity() for _ in range(5)]
    for identity in identities:
        token, _ = issue_access_token(identity, settings)
        assert verifier.identity(f"Bearer {token}") == identity
    assert len(verifier._verified) == 3
    other, _ = issue_access_token(_identity(), Settings(jwt_secret=SECRET[::-1]))
    with pytest.raises(Unauthorized):
        verifier.identity(f"Bearer {other}")
    assert verifier.identity(None) is None
