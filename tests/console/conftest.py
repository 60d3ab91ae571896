"""The tenant most console tests use, and its admin signed in."""
import pytest

from tests import factories as f


@pytest.fixture
def acme(db):
    return f.tenant("acme.pbx.example")


@pytest.fixture
def admin(app, acme):
    f.account("admin", acme, email="boss@acme.example")
    return f.login(app.test_client(), "boss@acme.example")
