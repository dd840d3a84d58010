import pytest
from django.core.cache import cache

from harbour.api import tokens


@pytest.fixture(autouse=True)
def _fresh_rate_counts():
    """Each test starts with no calls counted against any token."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def issue():
    """issue("notifications", children=[...]) -> (token, secret), from the command line."""

    def make(*scopes, children=(), organisation="Example Shire Police", purpose="test", days=30):
        issued = tokens.issue(
            "test",
            organisation=organisation,
            purpose=purpose,
            scopes=scopes,
            children=[child.child_id for child in children],
            days=days,
        )
        return issued.token, issued.secret

    return make


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
