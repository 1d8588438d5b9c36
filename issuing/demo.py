"""The issuing part of the demo world: badge classes of the demo issuers, in their language and
in English, awarded to the demo learners.

Idempotent: a badge class is found again by its organisation and name, an award by its
idempotency key, so running it twice creates nothing the second time. Call it after
badgeeurope.demo.load_demo(), which creates the organisations, people and memberships.
"""

import io
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.models import Membership, Organisation, Role

from . import services
from .models import Award, AwardSource, BadgeClass


@dataclass(frozen=True)
class DemoBadge:
    organisation: str
    colour: tuple[int, int, int]
    language: str
    name: str
    description: str
    criteria: str
    english: dict  # name, description, criteria_narrative
    achievement_type: str = "Badge"
    tags: tuple[str, ...] = ()
    alignments: tuple[dict, ...] = ()
    eqf_level: int | None = None
    microcredential: dict | None = None
    validity_days: int | None = None
    recipients: tuple[tuple[str, str], ...] = ()  # (email, name)


# Framework pages that exist; ESCO skill alignments are chosen by designers from ESCO itself.
DIGCOMP = {
    "targetName": "DigComp 2.2: digital content creation",
    "targetUrl": "https://joint-research-centre.ec.europa.eu/digcomp_en",
    "targetFramework": "DigComp",
}
CEFR_B2 = {
    "targetName": "CEFR B2",
    "targetUrl": "https://www.coe.int/en/web/common-european-framework-reference-languages",
    "targetFramework": "Common European Framework of Reference for Languages",
    "targetCode": "B2",
}


LEARNERS = {
    "lea": ("lea.dubois@example.org", "Léa Dubois"),
    "matteo": ("matteo.bianchi@example.org", "Matteo Bianchi"),
    "zofia": ("zofia.wisniewska@example.org", "Zofia Wiśniewska"),
    "emre": ("emre.kaya@example.org", "Emre Kaya"),
    "hanna": ("hanna.mueller@example.org", "Hanna Müller"),
    "tomas": ("tomas.horak@example.org", "Tomáš Horák"),
    "chiara": ("chiara.esposito@example.org", "Chiara Esposito"),
    "nora": ("nora.kelly@example.org", "Nora Kelly"),
}


def _to(*names: str) -> tuple[tuple[str, str], ...]:
    return tuple(LEARNERS[name] for name in names)


BADGES = [
    DemoBadge(
        "univ-tartu",
        (0, 92, 170),
        "et",
        "Digipädevused õpetajale",
        "Õpetaja kavandab ja juhib veebitunde, kasutab digitaalseid hindamisvahendeid ning "
        "toetab õppijate turvalist internetikasutust.",
        "Läbinud 30-tunnise kursuse, koostanud digitaalse õppematerjali ja juhendanud kahte "
        "veebitundi mentori vaatluse all.",
        {
            "name": "Digital competences for teachers",
            "description": "The teacher plans and leads online lessons, uses digital "
            "assessment tools and supports learners' safe use of the internet.",
            "criteria_narrative": "Completed a 30-hour course, produced a digital learning "
            "resource and led two online lessons observed by a mentor.",
        },
        achievement_type="MicroCredential",
        tags=("digital skills", "teacher training"),
        alignments=(DIGCOMP,),
        eqf_level=6,
        microcredential={
            "workload_hours": 30,
            "ects_credits": 1,
            "assessment_type": "Observed practice and portfolio",
            "participation_form": "Online",
            "learning_outcomes": [
                "Plans an online lesson with clear learning outcomes",
                "Chooses digital assessment tools suited to the outcome",
            ],
        },
        recipients=_to("lea", "zofia", "nora", "tomas"),
    ),
    DemoBadge(
        "univ-tartu",
        (0, 140, 120),
        "et",
        "Vabatahtlik mentor",
        "Tunnustab üliõpilast, kes on vähemalt ühe semestri juhendanud esmakursuslasi.",
        "Vähemalt 20 tundi dokumenteeritud mentorlust ja lõpprefleksioon.",
        {
            "name": "Volunteer mentor",
            "description": "Recognises a student who mentored first-year students for at "
            "least one semester.",
            "criteria_narrative": "At least 20 documented hours of mentoring and a final "
            "reflection.",
        },
        tags=("volunteering", "mentoring"),
        recipients=_to("matteo", "chiara"),
    ),
    DemoBadge(
        "ville-de-lyon",
        (200, 16, 46),
        "fr",
        "Engagement citoyen",
        "Reconnaît les jeunes qui se sont engagés dans un projet bénévole d'un centre social "
        "de la Ville de Lyon.",
        "Au moins 40 heures de bénévolat attestées par le centre social et une présentation "
        "du projet.",
        {
            "name": "Civic engagement",
            "description": "Recognises young people who took part in a volunteer project of "
            "a City of Lyon community centre.",
            "criteria_narrative": "At least 40 hours of volunteering confirmed by the "
            "community centre and a presentation of the project.",
        },
        tags=("citoyenneté", "bénévolat"),
        validity_days=730,
        recipients=_to("lea", "emre", "chiara"),
    ),
    DemoBadge(
        "vhs-muenchen",
        (230, 120, 0),
        "de",
        "Deutsch im Beruf B2",
        "Bestätigt berufsbezogene Deutschkenntnisse auf Niveau B2 des Gemeinsamen "
        "Europäischen Referenzrahmens.",
        "Bestandene Abschlussprüfung (schriftlich und mündlich) des Kurses „Deutsch im Beruf "
        "B2“ mit 120 Unterrichtseinheiten.",
        {
            "name": "German for work B2",
            "description": "Confirms work-related German at level B2 of the Common European "
            "Framework of Reference.",
            "criteria_narrative": "Passed the written and oral final examination of the "
            "120-lesson course “German for work B2”.",
        },
        achievement_type="Certificate",
        tags=("Sprachen", "Deutsch"),
        alignments=(CEFR_B2,),
        recipients=_to("emre", "hanna", "matteo"),
    ),
    DemoBadge(
        "ammattiopisto-koskikaupunki",
        (0, 53, 128),
        "fi",
        "Trukinkuljettajan osaaminen",
        "Osoittaa, että opiskelija käsittelee trukkia turvallisesti varastotyössä.",
        "Hyväksytty näyttö työpaikalla ja trukkikortin teoriakoe.",
        {
            "name": "Forklift operation",
            "description": "Shows that the learner operates a forklift safely in warehouse work.",
            "criteria_narrative": "An approved workplace demonstration and the forklift "
            "licence theory test.",
        },
        achievement_type="Competency",
        tags=("logistiikka", "työturvallisuus"),
        eqf_level=3,
        recipients=_to("tomas", "nora"),
    ),
    DemoBadge(
        "fundacion-puentes",
        (120, 40, 140),
        "es",
        "Trabajo en equipo",
        "Certifica la capacidad de colaborar en equipos diversos, comunicar con respeto y "
        "resolver conflictos.",
        "Participación completa en el taller de 12 sesiones y evaluación positiva del "
        "proyecto de grupo.",
        {
            "name": "Teamwork",
            "description": "Certifies the ability to collaborate in diverse teams, "
            "communicate respectfully and resolve conflicts.",
            "criteria_narrative": "Full participation in the 12-session workshop and a "
            "positive assessment of the group project.",
        },
        tags=("competencias transversales",),
        recipients=_to("emre", "zofia", "lea"),
    ),
]


def badge_image(colour: tuple[int, int, int]) -> bytes:
    """A simple round badge in the issuer's colour (PNG, 256 × 256)."""
    image = Image.new("RGBA", (256, 256), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, 248, 248), fill=(*colour, 255), outline=(255, 204, 0, 255), width=12)
    draw.polygon(
        [
            (128, 70),
            (146, 112),
            (190, 112),
            (154, 138),
            (168, 182),
            (128, 156),
            (88, 182),
            (102, 138),
            (66, 112),
            (110, 112),
        ],
        fill=(255, 204, 0, 255),
    )
    output = io.BytesIO()
    image.save(output, format="PNG")
    return output.getvalue()


def _owner(organisation: Organisation):
    membership = (
        Membership.objects.filter(organisation=organisation, role=Role.OWNER)
        .select_related("user")
        .order_by("created_at")
        .first()
    )
    return membership.user if membership else None


def _badge_class(demo: DemoBadge, organisation: Organisation, owner) -> tuple[BadgeClass, bool]:
    existing = BadgeClass.objects.filter(
        organisation=organisation, current_version__name=demo.name
    ).first()
    if existing is not None:
        return existing, False
    badge_class = services.badge_class_create(
        actor=owner,
        organisation=organisation,
        image=badge_image(demo.colour),
        name=demo.name,
        description=demo.description,
        criteria_narrative=demo.criteria,
        alignments=[dict(item) for item in demo.alignments],
        tags=list(demo.tags),
        achievement_type=demo.achievement_type,
        eqf_level=demo.eqf_level,
        microcredential=dict(demo.microcredential or {}),
        default_validity_days=demo.validity_days,
        language=demo.language,
        translations={"en": dict(demo.english)},
    )
    return badge_class, True


def load_issuing_demo() -> list[str]:
    """Create the demo badge classes and awards; return lines describing what was made."""
    created = {"badge classes": 0, "awards": 0, "revocations": 0}
    now = timezone.now()
    with transaction.atomic():
        for number, demo in enumerate(BADGES):
            organisation = Organisation.objects.filter(slug=demo.organisation).first()
            owner = organisation and _owner(organisation)
            if owner is None:
                continue
            badge_class, is_new = _badge_class(demo, organisation, owner)
            created["badge classes"] += is_new
            for position, (email, name) in enumerate(demo.recipients):
                key = f"demo:{demo.organisation}:{number}:{email}"
                if Award.objects.filter(organisation=organisation, idempotency_key=key).exists():
                    continue
                evidence = (
                    [
                        {
                            "url": f"https://portfolio.example.org/{email.split('@')[0]}",
                            "name": "Portfolio",
                        }
                    ]
                    if position == 0
                    else []
                )
                award = services.award_create(
                    actor=owner,
                    badge_class=badge_class,
                    recipient_email=email,
                    recipient_name=name,
                    evidence=evidence,
                    issued_at=now - timedelta(days=10 + 17 * position + 5 * number),
                    source=AwardSource.DEMO,
                    idempotency_key=key,
                )
                created["awards"] += 1
                # One revoked award shows how revocation looks on the award page.
                if number == 2 and position == len(demo.recipients) - 1:
                    services.award_revoke(
                        actor=owner,
                        award=award,
                        reason="Awarded to the wrong address; a new award was made.",
                    )
                    created["revocations"] += 1
    return [f"  {label}: {count}" for label, count in created.items()]
