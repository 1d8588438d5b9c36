"""Open Badges documents of issuer profiles and badge class versions, built with the
`openbadges` library from the models. Nothing here signs or writes to the database."""

from openbadges import documents as ob3
from openbadges import ob2

from . import links
from .models import BadgeClassVersion, IssuerProfile

# Europass publishes the EQF levels as a controlled vocabulary; an EQF level becomes an
# alignment to its concept, which every Open Badges consumer can show.
EQF_CONCEPT = "http://data.europa.eu/snb/eqf/{level}"


def profile_image_url(profile: IssuerProfile) -> str | None:
    return links.issuer_image_url(profile.public_id) if profile.image else None


def ob3_issuer(profile: IssuerProfile) -> dict:
    """The issuer Profile embedded in credentials (validated against the Profile schema)."""
    return ob3.profile(
        id=links.issuer_id(profile.public_id),
        name=profile.name,
        url=profile.url or links.issuer_url(profile.public_id),
        email=profile.email or None,
        description=profile.description or None,
        image=profile_image_url(profile),
    )


def ob3_profile_document(profile: IssuerProfile) -> dict:
    """The standalone OB 3.0 Profile served at the issuer's URL."""
    return ob3.profile(
        id=links.issuer_id(profile.public_id),
        name=profile.name,
        url=profile.url or links.issuer_url(profile.public_id),
        email=profile.email or None,
        description=profile.description or None,
        image=profile_image_url(profile),
        standalone=True,
    )


def ob2_issuer_document(profile: IssuerProfile) -> dict:
    return ob2.issuer_profile(
        id=links.issuer_url(profile.public_id),
        name=profile.name,
        url=profile.url or links.issuer_url(profile.public_id),
        email=profile.email or profile.organisation.email or "",
        description=profile.description or None,
        image=profile_image_url(profile),
        revocation_list=links.revocation_list_url(profile.public_id),
    )


def alignment_items(version: BadgeClassVersion) -> list[dict]:
    items = [dict(item) for item in version.alignments]
    if version.eqf_level:
        items.append(
            {
                "targetName": f"EQF {version.eqf_level}",
                "targetUrl": EQF_CONCEPT.format(level=version.eqf_level),
                "targetFramework": "European Qualifications Framework",
                "targetCode": str(version.eqf_level),
            }
        )
    return items


def _criteria(version: BadgeClassVersion) -> dict:
    return ob3.criteria(
        narrative=version.criteria_narrative or None, id=version.criteria_url or None
    )


def ob3_achievement(version: BadgeClassVersion, *, issuer: dict | None = None) -> dict:
    """The version's OB 3.0 Achievement (its id is the version URL)."""
    badge_class = version.badge_class
    credits = version.microcredential.get("ects_credits")
    return ob3.achievement(
        id=links.badge_version_url(badge_class.public_id, version.number),
        name=version.name,
        description=version.description,
        criteria=_criteria(version),
        image=links.badge_image_url(badge_class.public_id, version.number),
        achievement_type=version.achievement_type,
        alignments=[
            ob3.alignment(
                target_name=item["targetName"],
                target_url=item["targetUrl"],
                target_code=item.get("targetCode") or None,
                target_description=item.get("targetDescription") or None,
                target_framework=item.get("targetFramework") or None,
                target_type=item.get("targetType") or None,
            )
            for item in alignment_items(version)
        ],
        tags=list(version.tags),
        creator=issuer,
        credits_available=float(credits) if credits not in (None, "") else None,
        in_language=version.language or None,
        version=str(version.number),
    )


def ob3_achievement_document(version: BadgeClassVersion) -> dict:
    """The Achievement served on its own (`/badges/<id>?v3`), with a JSON-LD context."""
    profile = version.badge_class.organisation.issuer_profile
    return {
        "@context": list(ob3.OB3_CONTEXTS),
        **ob3_achievement(version, issuer=ob3_issuer(profile)),
    }


def ob2_badge_class_document(version: BadgeClassVersion) -> dict:
    badge_class = version.badge_class
    profile = badge_class.organisation.issuer_profile
    criteria: dict = {}
    if version.criteria_url:
        criteria["id"] = version.criteria_url
    if version.criteria_narrative:
        criteria["narrative"] = version.criteria_narrative
    return ob2.badge_class(
        id=links.badge_version_url(badge_class.public_id, version.number),
        name=version.name,
        description=version.description,
        image=links.badge_image_url(badge_class.public_id, version.number),
        criteria=criteria,
        issuer=links.issuer_url(profile.public_id),
        alignments=[
            ob2.alignment(
                target_name=item["targetName"],
                target_url=item["targetUrl"],
                target_description=item.get("targetDescription") or None,
                target_framework=item.get("targetFramework") or None,
                target_code=item.get("targetCode") or None,
            )
            for item in alignment_items(version)
        ],
        tags=list(version.tags),
    )
