"""Every write of the campaign: proposing and reviewing initiatives, pledges, organisations
joining, report tokens and external reports. Keyword-only, one transaction each, permission
checked, audit-logged; counters are rebuilt by tasks queued after the commit."""

import hashlib
import secrets
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import Organisation
from accounts.permissions import has_permission
from accounts.roles import CHANGE
from audit.services import audit_record
from issuing.images import clean_badge_image
from issuing.models import BadgeClass

from . import countries, emails, selectors
from .models import (
    CampaignSettings,
    ExternalReport,
    Initiative,
    InitiativeKind,
    InitiativeStatus,
    JoinRequest,
    JoinRequestStatus,
    Pledge,
    ReportToken,
)

MAX_PLEDGE = 1_000_000_000
MAX_REPORT = 100_000_000
# The official languages of the EU and a few more of Europe's (ISO 639-1): a description may be
# in any of them, even when the site itself does not speak it.
LANGUAGES_ACCEPTED = {
    *("bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr", "hu", "it"),
    *("lt", "lv", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv"),
    *("ca", "eu", "gl", "is", "lb", "no", "sq", "sr", "mk", "bs", "uk", "tr"),
}
# Paths of campaign pages under /initiatives/ that a slug must not shadow.
RESERVED_SLUGS = {"propose", "review", "mine", "support", "new", "api", "settings"}
# A second identical proposal or pledge within this time is the same form sent twice.
DOUBLE_SUBMIT_WINDOW = timedelta(minutes=2)
TOKEN_PREFIX = "bei_"  # noqa: S105 - a public prefix that makes leaked tokens recognisable


def _require_signed_in(actor) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDenied(_("Sign in first."))


def _require_platform_admin(actor) -> None:
    if not selectors.is_platform_admin(actor):
        raise PermissionDenied(_("Only platform administrators may do this."))


def _require_manager(actor, initiative: Initiative) -> None:
    _require_signed_in(actor)
    if not selectors.can_manage_initiative(actor, initiative):
        raise PermissionDenied(
            _("Only the initiative's proposer and its organisations' administrators may do this.")
        )


def _refresh_counter_after_commit(initiative: Initiative) -> None:
    from .tasks import initiative_counter_refresh

    initiative_id = initiative.pk
    transaction.on_commit(
        lambda: initiative_counter_refresh.enqueue(initiative_id=initiative_id), robust=True
    )


# --- Initiatives ---------------------------------------------------------------------------


def _clean_coordinate(value, *, field: str, limit: int, errors: dict) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        errors[field] = _("Enter a number, for example 48.8566.")
        return None
    if not number.is_finite() or not -limit <= number <= limit:
        errors[field] = _("Enter a number between -%(limit)s and %(limit)s.") % {"limit": limit}
        return None
    return number.quantize(Decimal("0.000001"))


def _clean_initiative_fields(fields: dict) -> dict:
    """The initiative's fields checked and normalised, or a ValidationError by field."""
    errors: dict[str, str] = {}
    cleaned: dict = {}
    name = (fields.get("name") or "").strip()
    if not name:
        errors["name"] = _("Give the initiative a name.")
    elif len(name) > 200:
        errors["name"] = _("The name may have at most 200 characters.")
    cleaned["name"] = name
    description = (fields.get("description") or "").strip()
    if not description:
        errors["description"] = _("Describe the initiative.")
    elif len(description) > 5000:
        errors["description"] = _("The description may have at most 5,000 characters.")
    cleaned["description"] = description
    language = (fields.get("language") or "en").strip().lower()
    if language not in LANGUAGES_ACCEPTED:
        errors["language"] = _("Choose the language of the description.")
    cleaned["language"] = language
    kind = fields.get("kind") or ""
    if kind not in InitiativeKind.values:
        errors["kind"] = _("Choose the type of initiative.")
    cleaned["kind"] = kind
    country = (fields.get("country") or "").strip().upper()
    if not countries.is_country(country):
        errors["country"] = _("Choose a country.")
    cleaned["country"] = country
    cleaned["city"] = (fields.get("city") or "").strip()[:100]
    latitude = _clean_coordinate(fields.get("latitude"), field="latitude", limit=90, errors=errors)
    longitude = _clean_coordinate(
        fields.get("longitude"), field="longitude", limit=180, errors=errors
    )
    if (latitude is None) != (longitude is None) and not errors.keys() & {
        "latitude",
        "longitude",
    }:
        errors["longitude" if longitude is None else "latitude"] = _(
            "Give both latitude and longitude, or neither."
        )
    cleaned["latitude"], cleaned["longitude"] = latitude, longitude
    website = (fields.get("website") or "").strip()
    if website:
        try:
            URLValidator(schemes=["http", "https"])(website)
        except ValidationError:
            errors["website"] = _("Enter a web address starting with https://.")
    cleaned["website"] = website
    cleaned["contact_name"] = (fields.get("contact_name") or "").strip()[:200]
    contact_email = (fields.get("contact_email") or "").strip()
    if contact_email:
        try:
            validate_email(contact_email)
        except ValidationError:
            errors["contact_email"] = _("Enter a valid email address.")
    cleaned["contact_email"] = contact_email
    translations = {}
    for language_code, texts in (fields.get("translations") or {}).items():
        if language_code not in LANGUAGES_ACCEPTED or not isinstance(texts, dict):
            continue
        entry = {
            key: str(texts.get(key) or "").strip()[:limit]
            for key, limit in (("name", 200), ("description", 5000))
            if str(texts.get(key) or "").strip()
        }
        if entry and language_code != language:
            translations[language_code] = entry
    cleaned["translations"] = translations
    if errors:
        raise ValidationError(errors)
    return cleaned


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70].strip("-") or "initiative"
    if base in RESERVED_SLUGS:
        base = f"{base}-initiative"
    slug, number = base, 1
    while Initiative.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def _store_logo(initiative: Initiative, logo: bytes | None) -> None:
    if not logo:
        return
    data, mime_type = clean_badge_image(logo, square=False)
    extension = "svg" if mime_type == "image/svg+xml" else "png"
    initiative.logo.save(f"{initiative.public_id}.{extension}", ContentFile(data), save=False)


def initiative_propose(
    *,
    actor,
    logo: bytes | None = None,
    organisations: list[Organisation] | tuple = (),
    **fields,
) -> Initiative:
    """Any signed-in user proposes an initiative; platform administrators review it before it
    is public. `organisations` (those the actor administers) belong to it from the start."""
    _require_signed_in(actor)
    cleaned = _clean_initiative_fields(fields)
    for organisation in organisations:
        if not has_permission(actor, organisation, CHANGE):
            raise PermissionDenied(_("You may only add organisations you administer."))
    recent = Initiative.objects.filter(
        proposed_by=actor,
        name=cleaned["name"],
        status=InitiativeStatus.PROPOSED,
        created_at__gte=timezone.now() - DOUBLE_SUBMIT_WINDOW,
    ).first()
    if recent is not None:
        return recent  # the same form sent twice
    with transaction.atomic():
        initiative = Initiative(
            slug=_unique_slug(cleaned["name"]),
            proposed_by=actor,
            status=InitiativeStatus.PROPOSED,
            **cleaned,
        )
        _store_logo(initiative, logo)
        initiative.save()
        if organisations:
            initiative.organisations.add(*organisations)
        audit_record(
            actor=actor,
            action="initiative.proposed",
            target=initiative,
            data={"country": initiative.country, "kind": initiative.kind},
        )
        for organisation in organisations:
            audit_record(
                actor=actor,
                action="initiative.organisation_added",
                target=initiative,
                organisation=organisation,
            )
        _refresh_counter_after_commit(initiative)
    return initiative


def initiative_review(
    *, actor, initiative: Initiative, approve: bool, reason: str = ""
) -> Initiative:
    """A platform administrator approves (public from now on) or rejects (with a reason the
    proposer sees) a proposed initiative."""
    _require_platform_admin(actor)
    reason = (reason or "").strip()
    if not approve and not reason:
        raise ValidationError({"reason": _("Give the reason for the rejection.")})
    if len(reason) > 2000:
        raise ValidationError({"reason": _("The reason may have at most 2,000 characters.")})
    with transaction.atomic():
        initiative = Initiative.objects.select_for_update().get(pk=initiative.pk)
        if initiative.status != InitiativeStatus.PROPOSED:
            raise ValidationError(_("This initiative was already reviewed."))
        initiative.status = InitiativeStatus.APPROVED if approve else InitiativeStatus.REJECTED
        initiative.review_reason = reason
        initiative.reviewed_by = actor
        initiative.reviewed_at = timezone.now()
        initiative.save(
            update_fields=["status", "review_reason", "reviewed_by", "reviewed_at", "updated_at"]
        )
        audit_record(
            actor=actor,
            action="initiative.approved" if approve else "initiative.rejected",
            target=initiative,
            data={"reason": reason} if reason else {},
        )
        _refresh_counter_after_commit(initiative)
        emails.initiative_reviewed(actor=actor, initiative=initiative)
    return initiative


def initiative_withdraw(*, actor, initiative: Initiative) -> Initiative:
    """The proposer (or a platform administrator) takes the initiative off the campaign."""
    _require_signed_in(actor)
    if not (initiative.proposed_by_id == actor.pk or selectors.is_platform_admin(actor)):
        raise PermissionDenied(_("Only the proposer may withdraw the initiative."))
    with transaction.atomic():
        initiative = Initiative.objects.select_for_update().get(pk=initiative.pk)
        if initiative.status == InitiativeStatus.WITHDRAWN:
            raise ValidationError(_("This initiative was already withdrawn."))
        initiative.status = InitiativeStatus.WITHDRAWN
        initiative.save(update_fields=["status", "updated_at"])
        audit_record(actor=actor, action="initiative.withdrawn", target=initiative)
    return initiative


# What a change of these fields records in the audit log besides their names.
LOCATION_FIELDS = ("country", "city", "latitude", "longitude")
# Fields only platform administrators change once the initiative is approved (see
# docs/campaign.md, "Editing"): the name and type are what the reviewers approved.
REVIEWED_FIELDS = ("name", "kind")
EDITABLE_FIELDS = (
    "name",
    "kind",
    "language",
    "description",
    "translations",
    *LOCATION_FIELDS,
    "website",
    "contact_name",
    "contact_email",
)


def can_change_reviewed_fields(actor, initiative: Initiative) -> bool:
    """Name and type: platform administrators always, the proposer until the review."""
    return selectors.is_platform_admin(actor) or initiative.status == InitiativeStatus.PROPOSED


def _location(initiative: Initiative) -> dict:
    return {
        "country": initiative.country,
        "city": initiative.city,
        "latitude": None if initiative.latitude is None else str(initiative.latitude),
        "longitude": None if initiative.longitude is None else str(initiative.longitude),
    }


def initiative_update(
    *,
    actor,
    initiative: Initiative,
    logo: bytes | None = None,
    remove_logo: bool = False,
    **fields,
) -> Initiative:
    """The proposer, the administrators of its organisations and platform administrators change
    an initiative's description, translations, location, website, logo and contact. Its name and
    type change without a new review only by a platform administrator once it is approved.
    Fields not given keep their value. Audit-logged with the names of the changed fields and the
    old and new location."""
    _require_manager(actor, initiative)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {', '.join(sorted(unknown))}")
    initiative.refresh_from_db()
    if initiative.status in {InitiativeStatus.REJECTED, InitiativeStatus.WITHDRAWN}:
        raise ValidationError(_("This initiative can no longer be changed."))
    current = {name: getattr(initiative, name) for name in EDITABLE_FIELDS}
    cleaned = _clean_initiative_fields({**current, **fields})
    if not can_change_reviewed_fields(actor, initiative):
        errors = {
            name: _(
                "The initiative was approved under this %(field)s; ask the platform "
                "administrators to change it."
            )
            % {"field": Initiative._meta.get_field(name).verbose_name}
            for name in REVIEWED_FIELDS
            if cleaned[name] != current[name]
        }
        if errors:
            raise ValidationError(errors)
    with transaction.atomic():
        initiative = Initiative.objects.select_for_update().get(pk=initiative.pk)
        if initiative.status in {InitiativeStatus.REJECTED, InitiativeStatus.WITHDRAWN}:
            raise ValidationError(_("This initiative can no longer be changed."))
        before = _location(initiative)
        changed = [name for name in EDITABLE_FIELDS if cleaned[name] != getattr(initiative, name)]
        for name in changed:
            setattr(initiative, name, cleaned[name])
        old_logo = initiative.logo.name if initiative.logo else ""
        if logo:
            try:
                _store_logo(initiative, logo)
            except ValidationError as error:
                raise ValidationError({"logo": error.messages}) from error
            changed.append("logo")
        elif remove_logo and old_logo:
            initiative.logo = ""
            changed.append("logo")
        if not changed:
            return initiative
        initiative.save(update_fields=[*changed, "updated_at"])
        data: dict = {"fields": changed}
        if set(changed) & set(LOCATION_FIELDS):
            data["location"] = {"from": before, "to": _location(initiative)}
        audit_record(actor=actor, action="initiative.updated", target=initiative, data=data)
        if "logo" in changed and old_logo and old_logo != initiative.logo.name:
            storage = initiative.logo.storage
            transaction.on_commit(lambda: storage.delete(old_logo), robust=True)
    return initiative


def initiative_organisation_remove(
    *, actor, initiative: Initiative, organisation: Organisation
) -> None:
    """The organisation no longer belongs to the initiative: its awards stop counting."""
    _require_signed_in(actor)
    if not (
        selectors.can_decide_join_requests(actor, initiative)
        or has_permission(actor, organisation, CHANGE)
    ):
        raise PermissionDenied(_("You may not remove this organisation."))
    with transaction.atomic():
        if not initiative.organisations.filter(pk=organisation.pk).exists():
            raise ValidationError(_("This organisation does not belong to the initiative."))
        initiative.organisations.remove(organisation)  # the m2m hook rebuilds the counter
        audit_record(
            actor=actor,
            action="initiative.organisation_removed",
            target=initiative,
            organisation=organisation,
        )


# --- Joining ---------------------------------------------------------------------------------


def join_request_create(
    *, actor, initiative: Initiative, organisation: Organisation, message: str = ""
) -> JoinRequest:
    """An administrator of `organisation` asks for it to belong to the initiative."""
    _require_signed_in(actor)
    if not has_permission(actor, organisation, CHANGE):
        raise PermissionDenied(_("Only administrators of the organisation may ask to join."))
    if initiative.status != InitiativeStatus.APPROVED:
        raise ValidationError(_("Only approved initiatives can be joined."))
    if initiative.organisations.filter(pk=organisation.pk).exists():
        raise ValidationError(_("This organisation already belongs to the initiative."))
    message = (message or "").strip()
    if len(message) > 2000:
        raise ValidationError({"message": _("The message may have at most 2,000 characters.")})
    try:
        with transaction.atomic():
            join_request = JoinRequest.objects.create(
                initiative=initiative,
                organisation=organisation,
                message=message,
                requested_by=actor,
            )
            audit_record(
                actor=actor,
                action="initiative.join_requested",
                target=initiative,
                organisation=organisation,
            )
            emails.join_requested(actor=actor, join_request=join_request)
    except IntegrityError as exc:
        raise ValidationError(
            _("This organisation has already asked to join; the request awaits a decision.")
        ) from exc
    return join_request


def join_request_decide(
    *, actor, join_request: JoinRequest, approve: bool, reason: str = ""
) -> JoinRequest:
    """The initiative's proposer or a platform administrator accepts or refuses."""
    _require_signed_in(actor)
    if not selectors.can_decide_join_requests(actor, join_request.initiative):
        raise PermissionDenied(_("Only the initiative's proposer may decide."))
    reason = (reason or "").strip()[:2000]
    with transaction.atomic():
        join_request = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
        if join_request.status != JoinRequestStatus.PENDING:
            raise ValidationError(_("This request was already decided."))
        join_request.status = JoinRequestStatus.APPROVED if approve else JoinRequestStatus.REJECTED
        join_request.decided_by = actor
        join_request.decided_at = timezone.now()
        join_request.reason = reason
        join_request.save(update_fields=["status", "decided_by", "decided_at", "reason"])
        if approve:
            join_request.initiative.organisations.add(join_request.organisation)
        audit_record(
            actor=actor,
            action="initiative.join_approved" if approve else "initiative.join_rejected",
            target=join_request.initiative,
            organisation=join_request.organisation,
            data={"reason": reason} if reason else {},
        )
        emails.join_decided(actor=actor, join_request=join_request)
    return join_request


# --- Pledges ---------------------------------------------------------------------------------


def pledge_create(
    *,
    actor,
    initiative: Initiative,
    badge_count: int,
    starts_on: date,
    deadline: date,
    theme: str = "",
    badge_classes: list[BadgeClass] | tuple = (),
    organisation: Organisation | None = None,
    replaces: Pledge | None = None,
) -> Pledge:
    """A new pledge; with `replaces`, the old one is withdrawn in the same transaction (pledges
    are never edited, so the history shows every commitment made)."""
    _require_manager(actor, initiative)
    if initiative.status in {InitiativeStatus.REJECTED, InitiativeStatus.WITHDRAWN}:
        raise ValidationError(_("This initiative takes no pledges."))
    errors: dict[str, str] = {}
    if not isinstance(badge_count, int) or not 1 <= badge_count <= MAX_PLEDGE:
        errors["badge_count"] = _("Pledge between 1 and %(max)s badges.") % {
            "max": f"{MAX_PLEDGE:,}"
        }
    if deadline < starts_on:
        errors["deadline"] = _("The deadline must not be before the start.")
    elif deadline < timezone.localdate():
        errors["deadline"] = _("The deadline must not be in the past.")
    theme = (theme or "").strip()
    if len(theme) > 200:
        errors["theme"] = _("The theme may have at most 200 characters.")
    organisation_ids = set(initiative.organisations.values_list("pk", flat=True))
    if any(badge_class.organisation_id not in organisation_ids for badge_class in badge_classes):
        errors["badge_classes"] = _(
            "Choose badges of the organisations that belong to the initiative."
        )
    if organisation is not None and organisation.pk not in organisation_ids:
        errors["organisation"] = _("This organisation does not belong to the initiative.")
    if organisation is not None and not has_permission(actor, organisation, CHANGE):
        errors["organisation"] = _("You may only pledge for organisations you administer.")
    if errors:
        raise ValidationError(errors)
    if replaces is None:
        recent = Pledge.objects.filter(
            initiative=initiative,
            created_by=actor,
            badge_count=badge_count,
            starts_on=starts_on,
            deadline=deadline,
            theme=theme,
            organisation=organisation,
            withdrawn_at__isnull=True,
            created_at__gte=timezone.now() - DOUBLE_SUBMIT_WINDOW,
        ).first()
        if recent is not None and {b.pk for b in recent.badge_classes.all()} == {
            b.pk for b in badge_classes
        }:
            return recent  # the same form sent twice
    with transaction.atomic():
        pledge = Pledge.objects.create(
            initiative=initiative,
            badge_count=badge_count,
            starts_on=starts_on,
            deadline=deadline,
            theme=theme,
            organisation=organisation,
            created_by=actor,
        )
        if badge_classes:
            pledge.badge_classes.set(badge_classes)
        if replaces is not None:
            old = Pledge.objects.select_for_update().get(pk=replaces.pk)
            if old.initiative_id != initiative.pk or old.withdrawn_at is not None:
                raise ValidationError(_("Only an active pledge of this initiative can be changed."))
            old.withdrawn_at = timezone.now()
            old.withdrawn_by = actor
            old.replaced_by = pledge
            old.save(update_fields=["withdrawn_at", "withdrawn_by", "replaced_by"])
        audit_record(
            actor=actor,
            action="pledge.replaced" if replaces is not None else "pledge.created",
            target=initiative,
            organisation=organisation,
            data={
                "pledge": str(pledge.public_id),
                "badge_count": badge_count,
                "deadline": deadline.isoformat(),
                **({"replaces": str(replaces.public_id)} if replaces is not None else {}),
            },
        )
        _refresh_counter_after_commit(initiative)
    return pledge


def pledge_withdraw(*, actor, pledge: Pledge) -> Pledge:
    _require_manager(actor, pledge.initiative)
    with transaction.atomic():
        pledge = Pledge.objects.select_for_update().select_related("initiative").get(pk=pledge.pk)
        if pledge.withdrawn_at is not None:
            raise ValidationError(_("This pledge was already withdrawn."))
        pledge.withdrawn_at = timezone.now()
        pledge.withdrawn_by = actor
        pledge.save(update_fields=["withdrawn_at", "withdrawn_by"])
        audit_record(
            actor=actor,
            action="pledge.withdrawn",
            target=pledge.initiative,
            organisation=pledge.organisation,
            data={"pledge": str(pledge.public_id), "badge_count": pledge.badge_count},
        )
        _refresh_counter_after_commit(pledge.initiative)
    return pledge


# --- Report tokens and external reports -------------------------------------------------------


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def report_token_create(*, actor, initiative: Initiative, name: str) -> tuple[ReportToken, str]:
    """A token for a connected system. Returns the token row and the token itself, which is
    stored only as its digest: show it once."""
    _require_manager(actor, initiative)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Name the system that will use the token.")})
    if len(name) > 100:
        raise ValidationError({"name": _("The name may have at most 100 characters.")})
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        report_token = ReportToken.objects.create(
            initiative=initiative,
            name=name,
            prefix=token[:12],
            digest=token_digest(token),
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="report_token.created",
            target=initiative,
            data={"token": str(report_token.public_id), "name": name},
        )
    return report_token, token


def report_token_revoke(*, actor, report_token: ReportToken) -> ReportToken:
    _require_manager(actor, report_token.initiative)
    with transaction.atomic():
        report_token = ReportToken.objects.select_for_update().get(pk=report_token.pk)
        if report_token.revoked_at is None:
            report_token.revoked_at = timezone.now()
            report_token.save(update_fields=["revoked_at"])
            audit_record(
                actor=actor,
                action="report_token.revoked",
                target=report_token.initiative,
                data={"token": str(report_token.public_id), "name": report_token.name},
            )
    return report_token


def report_token_authenticate(*, initiative: Initiative, token: str) -> ReportToken | None:
    """The active token of this initiative matching `token`, or None."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    return ReportToken.objects.filter(
        initiative=initiative, digest=token_digest(token), revoked_at__isnull=True
    ).first()


def external_report_create(
    *,
    token: ReportToken,
    count: int,
    period_start: date,
    period_end: date,
    system: str,
    reference: str,
) -> tuple[ExternalReport, bool]:
    """Record a connected system's report. The reference makes it idempotent: the same
    reference with the same figures returns the first report (created False); with other
    figures it is refused."""
    errors: dict[str, str] = {}
    if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= MAX_REPORT:
        errors["count"] = _("The count must be a whole number from 0 to %(max)s.") % {
            "max": f"{MAX_REPORT:,}"
        }
    if period_end < period_start:
        errors["period_end"] = _("The period must not end before it starts.")
    elif period_end > timezone.localdate():
        errors["period_end"] = _("The period must not end in the future.")
    system = (system or "").strip()
    if not system or len(system) > 100:
        errors["system"] = _("Name the reporting system (at most 100 characters).")
    reference = (reference or "").strip()
    if not reference or len(reference) > 200:
        errors["reference"] = _("Give a reference of at most 200 characters.")
    if errors:
        raise ValidationError(errors)
    initiative = token.initiative
    existing = ExternalReport.objects.filter(initiative=initiative, reference=reference).first()
    if existing is None:
        try:
            with transaction.atomic():
                report = ExternalReport.objects.create(
                    initiative=initiative,
                    count=count,
                    period_start=period_start,
                    period_end=period_end,
                    system=system,
                    reference=reference,
                    reported_by=token,
                )
                ReportToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
                audit_record(
                    actor=None,
                    action="external_report.received",
                    target=initiative,
                    data={
                        "report": str(report.public_id),
                        "token": str(token.public_id),
                        "token_name": token.name,
                        "system": system,
                        "count": count,
                        "reference": reference,
                    },
                )
                _refresh_counter_after_commit(initiative)
            return report, True
        except IntegrityError:
            existing = ExternalReport.objects.get(initiative=initiative, reference=reference)
    same = (existing.count, existing.period_start, existing.period_end, existing.system) == (
        count,
        period_start,
        period_end,
        system,
    )
    if not same:
        raise ValidationError(
            _("A report with this reference was already received with other figures."),
            code="conflict",
        )
    return existing, False


# --- Campaign settings -----------------------------------------------------------------------

MAX_GOAL = 10_000_000_000


def _supporter_tally_after_commit(badge_class: BadgeClass | None) -> None:
    """The supporter badge's organisation is counted from now on: build its tally."""
    if badge_class is None:
        return
    from .counting import tally_mark_dirty

    organisation_id = badge_class.organisation_id
    transaction.on_commit(lambda: tally_mark_dirty(organisation_id), robust=True)


def campaign_settings_update(
    *, actor, supporter_badge: BadgeClass | None, goal: int | None, next_goal: int | None
) -> CampaignSettings:
    """A platform administrator chooses the supporter badge and the goals. An empty value
    (None) falls back to the environment variable (docs/campaign.md, "Settings")."""
    _require_platform_admin(actor)
    errors: dict[str, str] = {}
    for field, value in (("goal", goal), ("next_goal", next_goal)):
        if value is not None and (not isinstance(value, int) or not 1 <= value <= MAX_GOAL):
            errors[field] = _("Enter a number of badges between 1 and %(max)s.") % {
                "max": f"{MAX_GOAL:,}"
            }
    if not errors and goal is not None and next_goal is not None and next_goal <= goal:
        errors["next_goal"] = _("The next goal must be larger than the first.")
    if supporter_badge is not None and supporter_badge.archived_at is not None:
        errors["supporter_badge"] = _("This badge class is archived; choose another.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row, _created = CampaignSettings.objects.select_for_update().get_or_create(
            pk=CampaignSettings.SINGLETON_ID
        )
        before = {
            "supporter_badge": row.supporter_badge_id,
            "goal": row.goal,
            "next_goal": row.next_goal,
        }
        row.supporter_badge = supporter_badge
        row.goal = goal
        row.next_goal = next_goal
        row.updated_by = actor
        row.save()
        after = {
            "supporter_badge": row.supporter_badge_id,
            "goal": row.goal,
            "next_goal": row.next_goal,
        }
        if before != after:
            audit_record(
                actor=actor,
                action="campaign.settings_changed",
                data={
                    "supporter_badge": str(supporter_badge.public_id) if supporter_badge else None,
                    "goal": goal,
                    "next_goal": next_goal,
                },
            )
        if before["supporter_badge"] != after["supporter_badge"]:
            _supporter_tally_after_commit(supporter_badge)
    return row


def supporter_badge_register(*, actor=None, badge_class: BadgeClass) -> bool:
    """Make `badge_class` the campaign's supporter badge unless one is chosen already: for the
    demo and deployment scripts. `actor`, when given, must administer the badge's organisation
    (the demo passes the campaign organisation's owner); None is a system action. Returns
    whether it was registered."""
    if actor is not None and not has_permission(actor, badge_class.organisation, CHANGE):
        raise PermissionDenied(_("You may only register badges of organisations you administer."))
    with transaction.atomic():
        row, _created = CampaignSettings.objects.select_for_update().get_or_create(
            pk=CampaignSettings.SINGLETON_ID
        )
        if row.supporter_badge_id is not None:
            return False
        row.supporter_badge = badge_class
        row.save(update_fields=["supporter_badge", "updated_at"])
        audit_record(
            actor=actor,
            action="campaign.supporter_badge_registered",
            organisation=badge_class.organisation,
            data={"supporter_badge": str(badge_class.public_id)},
        )
        _supporter_tally_after_commit(badge_class)
    return True
