"""Every campaign, claim, passport and evidence action recorded in the code has a label in the
audit log (audit/actions.py)."""

import re
from pathlib import Path

from audit.actions import ACTION_LABELS

ROOT = Path(__file__).resolve().parents[2]
PREFIXES = (
    "initiative",
    "pledge",
    "join_request",
    "report_token",
    "external_report",
    "claim",
    "passport",
    "evidence",
    "campaign",
)
LITERAL = re.compile(r'"([a-z_]+\.[a-z_]+)"')


def recorded_actions() -> set[str]:
    actions = set()
    for app in ("campaign", "claims", "passport", "evidence", "issuing"):
        for path in (ROOT / app).rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            for line in path.read_text().splitlines():
                if "action=" not in line:
                    continue
                for name in LITERAL.findall(line):
                    if name.split(".")[0] in PREFIXES:
                        actions.add(name)
    return actions


def test_every_recorded_action_has_a_label():
    actions = recorded_actions()
    assert {"initiative.proposed", "pledge.created", "claim.configured"} <= actions
    assert "award.evidence_files_attached" in ACTION_LABELS
    # passport.badge_{state} is built from the passport's badge states.
    for state in ("pending", "accepted", "declined"):
        actions.add(f"passport.badge_{state}")
    assert sorted(actions - ACTION_LABELS.keys()) == []
