"""Passport state for the demo world: the demo learners' awards brought into their passports,
some accepted and shown, one public profile. Idempotent: a badge the learner already answered
is left alone, and an existing profile is kept as it is."""

from django.contrib.auth import get_user_model
from django.db import transaction

from . import services
from .models import BadgeState, PassportProfile, Visibility

# Léa Dubois is the demo's learner sign-in account: her passport shows every state.
PUBLIC_LEARNER = "lea.dubois@example.org"
PROFILE = {"handle": "lea-dubois", "headline": "Digital facilitator and language learner, Lyon"}
ACCEPT_ALL = ("zofia.wisniewska@example.org",)


def _answer(user, badge, *, visibility=None, tags=()) -> None:
    services.passport_badge_set_state(actor=user, badge=badge, state=BadgeState.ACCEPTED)
    if visibility:
        services.passport_badge_set_visibility(actor=user, badge=badge, visibility=visibility)
    for tag in tags:
        services.passport_badge_tag_add(actor=user, badge=badge, tag=tag)


def load_passport_demo() -> list[str]:
    from issuing.demo import LEARNERS

    User = get_user_model()
    created = {"passport badges": 0, "accepted": 0, "public profiles": 0}
    with transaction.atomic():
        for email, _name in LEARNERS.values():
            user = User.objects.filter(email=email).first()
            if user is None:
                continue
            created["passport badges"] += services.passport_sync_for_user(user=user)
            # Only badges nobody has answered yet: a rerun leaves the learners' choices alone.
            untouched = list(
                user.passport_badges.filter(
                    state=BadgeState.PENDING, state_changed_at__isnull=True, award__revoked_at=None
                ).order_by("issued_at", "id")
            )
            if email == PUBLIC_LEARNER:
                # The oldest public, the next for signed-in users, the newest left pending.
                plans = [
                    {"visibility": Visibility.PUBLIC, "tags": ("work",)},
                    {"visibility": Visibility.SIGNED_IN, "tags": ("community",)},
                ]
                for badge, plan in zip(untouched[:-1], plans, strict=False):
                    _answer(user, badge, **plan)
                    created["accepted"] += 1
                if not PassportProfile.objects.filter(user=user).exists():
                    services.passport_profile_update(actor=user, enabled=True, **PROFILE)
                    created["public profiles"] += 1
            elif email in ACCEPT_ALL:
                for badge in untouched:
                    _answer(user, badge)
                    created["accepted"] += 1
    return [f"  {label}: {count}" for label, count in created.items()]
