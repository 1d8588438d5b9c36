import orjson

from accounts.models import Organisation
from badgeeurope.demo import load_demo
from issuing.demo import load_issuing_demo
from issuing.models import Award, BadgeClass
from openbadges import schema


def test_issuing_demo_is_idempotent_and_valid(db):
    load_demo()
    load_issuing_demo()
    counts = (BadgeClass.objects.count(), Award.objects.count())
    assert counts[0] >= 6 and counts[1] >= 15
    assert Award.objects.filter(revoked_at__isnull=False).count() == 1
    load_issuing_demo()
    assert (BadgeClass.objects.count(), Award.objects.count()) == counts
    tartu = Organisation.objects.get(slug="univ-tartu")
    award = Award.objects.filter(organisation=tartu).first()
    schema.validate(orjson.loads(bytes(award.credential_json)))
    version = award.badge_class_version
    assert version.translated("name", "en") != version.translated("name", "et")
