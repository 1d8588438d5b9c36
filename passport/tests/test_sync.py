"""Receiving awards: the sync materialises pending passport badges for verified addresses."""

import pytest
from allauth.account.models import EmailAddress

from passport import services
from passport.models import BadgeSource, BadgeState, PassportBadge, Spec, Visibility

from .conftest import award_to, make_user


def test_award_to_a_verified_address_arrives_pending(w):
    award = award_to(w, "Kadri.Tamm@Example.org")
    assert services.passport_sync_for_user(user=w.learner) == 1
    badge = PassportBadge.objects.get(owner=w.learner)
    assert badge.award == award
    assert badge.source == BadgeSource.AWARDED
    assert badge.state == BadgeState.PENDING
    assert badge.visibility == Visibility.PRIVATE
    assert badge.name == "Digital Facilitator"
    assert badge.issuer_name == "Hansa Academy"
    assert badge.spec == Spec.OB3
    assert badge.issued_at == award.issued_at
    assert badge.recipient_matched == "kadri.tamm@example.org"
    assert badge.image_url.endswith(f"/badges/{w.badge_class.public_id}/image?v=1")


def test_sync_is_idempotent_and_keeps_choices(w):
    award_to(w, "kadri.tamm@example.org")
    services.passport_sync_for_user(user=w.learner)
    badge = PassportBadge.objects.get(owner=w.learner)
    services.passport_badge_set_state(actor=w.learner, badge=badge, state=BadgeState.DECLINED)
    assert services.passport_sync_for_user(user=w.learner) == 0
    badge.refresh_from_db()
    assert badge.state == BadgeState.DECLINED
    assert PassportBadge.objects.count() == 1


def test_unverified_address_receives_nothing_until_confirmed(w):
    address = EmailAddress.objects.create(user=w.learner, email="kadri@work.example.eu")
    award_to(w, "kadri@work.example.eu")
    assert services.passport_sync_for_user(user=w.learner) == 0
    address.verified = True
    address.save()
    assert services.passport_sync_for_user(user=w.learner) == 1


def test_other_people_and_other_identity_types_are_not_delivered(w):
    award_to(w, "other@example.net")
    award_to(w, "nobody@example.net", badge_class=w.second_class)
    assert services.passport_sync_for_user(user=w.learner) == 0
    assert services.passport_sync_for_user(user=w.other) == 1


def test_deliver_award_finds_the_verified_owner(w):
    award = award_to(w, "kadri.tamm@example.org")
    badge = services.passport_deliver_award(award=award)
    assert badge.owner == w.learner
    assert services.passport_deliver_award(award=award) == badge
    stranger = award_to(w, "stranger@example.net", badge_class=w.second_class)
    assert services.passport_deliver_award(award=stranger) is None


@pytest.mark.parametrize("verified", [False])
def test_user_without_verified_address(w, verified):
    user = make_user("fresh@example.net", verified=verified)
    award_to(w, "fresh@example.net")
    assert services.passport_sync_for_user(user=user) == 0


def test_tasks_take_ids(w):
    from passport.tasks import passport_deliver_award as deliver_task
    from passport.tasks import passport_sync_for_user_task

    award = award_to(w, "kadri.tamm@example.org")
    result = deliver_task.enqueue(award_id=award.pk)
    assert result.return_value is True
    assert deliver_task.enqueue(award_id=10**9).return_value is False
    award_to(w, "kadri.tamm@example.org", badge_class=w.second_class)
    assert passport_sync_for_user_task.enqueue(user_id=w.learner.pk).return_value == 1
    assert passport_sync_for_user_task.enqueue(user_id=10**9).return_value == 0
    assert PassportBadge.objects.filter(owner=w.learner).count() == 2
