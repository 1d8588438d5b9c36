"""The issuing personas (an organisation with every role, an outsider), its badge class, and
that badge class made claimable by its awarder."""

import pytest

from accounts.models import Role
from claims import services
from issuing.tests.conftest import award, badge, media_and_site, w  # noqa: F401


@pytest.fixture
def claimable(w, badge):  # noqa: F811
    return services.claimable_configure(
        actor=w.members[Role.AWARDER], badge_class=badge, enabled=True
    )
