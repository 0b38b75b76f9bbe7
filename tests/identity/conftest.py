"""Fixtures of the identity tests.

The real peers (slapd, a CAS server, a SAML identity provider, an OpenID provider) are
started once per test session by the fixtures of :mod:`tests.identity.peers.fixtures`; a
missing Debian package makes the tests that need it fail with a message naming it.
"""

from __future__ import annotations

import pytest

from tests.conftest import build_world
from tests.identity.peers.fixtures import (  # noqa: F401 - fixtures
    cas_server,
    oidc_provider,
    saml_idp,
    saml_keys,
    slapd,
)


@pytest.fixture
def live_world(transactional_db):
    """The shared test world, committed, for tests that go through ``live_server``."""
    return build_world()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The shared world hashes six passwords; PBKDF2's cost is not what is tested here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
