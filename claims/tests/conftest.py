"""The issuing personas (an organisation with every role, an outsider) and its badge class."""

from issuing.tests.conftest import award, badge, media_and_site, w  # noqa: F401
