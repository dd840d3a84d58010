import pytest

from harbour.api import tokens


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
