"""Campaign settings from the deployment: a Django setting when the project defines one, else the
environment variable of the same name (documented in docs/campaign.md), else the default.

These are the defaults: what platform administrators set on the campaign settings page
(`CampaignSettings`, read by `campaign.counting` and `campaign.selectors`) wins over them."""

import os

from django.conf import settings


def _setting(name: str, default: str) -> str:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, default)
    return str(value).strip()


def goal() -> int:
    """How many badges the campaign aims for (CAMPAIGN_GOAL, default one million)."""
    try:
        return max(int(_setting("CAMPAIGN_GOAL", "1000000").replace("_", "")), 0)
    except ValueError:
        return 1_000_000


def next_goal() -> int:
    """The goal once the first is reached (CAMPAIGN_NEXT_GOAL, default ten million; 0: none)."""
    try:
        return max(int(_setting("CAMPAIGN_NEXT_GOAL", "10000000").replace("_", "")), 0)
    except ValueError:
        return 10_000_000


def supporter_badge() -> str:
    """Public id of the badge class that supporters claim (CAMPAIGN_SUPPORTER_BADGE, may be
    empty: no supporters counted)."""
    return _setting("CAMPAIGN_SUPPORTER_BADGE", "")


def counter_max_age() -> int:
    """Seconds after which a counter is rebuilt on the next read, by a task
    (CAMPAIGN_COUNTER_MAX_AGE, default 60)."""
    try:
        return max(int(_setting("CAMPAIGN_COUNTER_MAX_AGE", "60")), 0)
    except ValueError:
        return 60


def counter_sweep_batch() -> int:
    """How many of the oldest tallies and counters one safety-net round rebuilds beyond what is
    queued (CAMPAIGN_COUNTER_SWEEP_BATCH, default 100; 0: all of them)."""
    try:
        return max(int(_setting("CAMPAIGN_COUNTER_SWEEP_BATCH", "100")), 0)
    except ValueError:
        return 100
