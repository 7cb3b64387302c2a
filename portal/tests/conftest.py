"""Fixtures shared by the portal shell's tests."""

import pytest


@pytest.fixture
def as_user(client):
    """`as_user(user)` signs the test client in as `user` (None stays anonymous)."""

    def sign_in(user):
        if user is not None:
            client.force_login(user)
        return client

    return sign_in
