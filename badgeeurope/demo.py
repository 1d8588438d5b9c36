"""The demo world: a realistic European set of initiatives, issuers, people and roles.

Each app adds its part here as features land. Every step is idempotent (get_or_create on stable
keys: organisation slugs, email addresses), so running `manage.py demo` twice changes nothing the
second time. The names are fictional or generic; descriptions are written in the local language
first, then in English.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Invitation, Membership, Organisation, OrganisationKind, Role, User
from audit.models import AuditEvent
from audit.services import audit_record

DEMO_PASSWORD = "badge-europe-demo"  # noqa: S105 - published in the README for the local demo


@dataclass(frozen=True)
class DemoOrganisation:
    slug: str
    name: str
    kind: str
    country: str
    city: str
    local: str  # description in the local language
    english: str

    @property
    def description(self) -> str:
        return self.local if self.local == self.english else f"{self.local}\n\n{self.english}"

    @property
    def website(self) -> str:
        return f"https://{self.slug}.example.org/"


K = OrganisationKind

# The organisations that design and award badges (issuing comes with the issuing app).
ISSUERS = [
    DemoOrganisation(
        "univ-tartu",
        "University of Tartu",
        K.UNIVERSITY,
        "EE",
        "Tartu",
        "Tartu Ülikooli avatud ülikool annab digimärke täiendõppe kursuste, "
        "praktikate ja vabatahtliku töö eest.",
        "The open university of Tartu awards digital badges for continuing education courses, "
        "internships and volunteering.",
    ),
    DemoOrganisation(
        "ville-de-lyon",
        "Ville de Lyon",
        K.PUBLIC,
        "FR",
        "Lyon",
        "La Ville de Lyon reconnaît l'engagement citoyen des jeunes et des bénévoles "
        "des centres sociaux par des open badges.",
        "The City of Lyon recognises the civic engagement of young people and of volunteers "
        "in its community centres with open badges.",
    ),
    DemoOrganisation(
        "vhs-muenchen",
        "Münchner Volkshochschule",
        K.TRAINING,
        "DE",
        "München",
        "Die Volkshochschule vergibt Badges für Sprachkurse, digitale Grundbildung und "
        "Fortbildungen für Kursleitende.",
        "The adult education centre awards badges for language courses, basic digital skills "
        "and training for its course leaders.",
    ),
    DemoOrganisation(
        "ammattiopisto-koskikaupunki",
        "Ammattiopisto Koskikaupunki",
        K.SCHOOL,
        "FI",
        "Tampere",
        "Ammattiopisto tunnustaa työpaikalla opitut taidot osaamismerkeillä logistiikan, "
        "sähköalan ja ravintola-alan tutkinnoissa.",
        "A vocational college recognising skills learnt at the workplace with badges in "
        "logistics, electrical and restaurant qualifications.",
    ),
    DemoOrganisation(
        "fundacion-puentes",
        "Fundación Puentes",
        K.NGO,
        "ES",
        "Sevilla",
        "Fundación que acompaña a jóvenes migrantes hacia el empleo y certifica sus "
        "competencias transversales con insignias digitales.",
        "A foundation guiding young migrants into work and certifying their transversal "
        "skills with digital badges.",
    ),
    DemoOrganisation(
        "havenlicht-logistiek",
        "Havenlicht Logistiek",
        K.EMPLOYER,
        "NL",
        "Rotterdam",
        "Logistiek bedrijf in de haven dat interne opleidingen, veiligheidstrainingen en "
        "mentorschap zichtbaar maakt met badges.",
        "A port logistics company making in-house training, safety courses and mentoring "
        "visible with badges.",
    ),
]

# The initiatives connected to the Badge Europe campaign, shown on the map.
INITIATIVES = [
    DemoOrganisation(
        "open-badges-lab-tartu",
        "Open Badges Lab Tartu",
        K.NETWORK,
        "EE",
        "Tartu",
        "Avatud digimärkide labor ühendab Lõuna-Eesti koole, raamatukogusid ja "
        "noortekeskusi, et muuta mitteformaalne õppimine nähtavaks.",
        "An open badges lab connecting schools, libraries and youth centres in southern "
        "Estonia to make non-formal learning visible.",
    ),
    DemoOrganisation(
        "reseau-badges-occitanie",
        "Réseau Badges Occitanie",
        K.NETWORK,
        "FR",
        "Toulouse",
        "Un réseau régional d'associations, de tiers-lieux et d'organismes de formation qui "
        "reconnaissent les compétences acquises hors de l'école.",
        "A regional network of associations, community spaces and training bodies "
        "recognising skills gained outside school.",
    ),
    DemoOrganisation(
        "digitale-kompetenzen-steiermark",
        "Digitale Kompetenzen Steiermark",
        K.PUBLIC,
        "AT",
        "Graz",
        "Eine Initiative des Landes, die digitale Kompetenzen von Erwachsenen nach dem "
        "Referenzrahmen DigComp mit Badges bestätigt.",
        "A regional government initiative confirming adults' digital skills against the "
        "DigComp framework with badges.",
    ),
    DemoOrganisation(
        "scuola-aperta-torino",
        "Scuola Aperta Torino",
        K.SCHOOL,
        "IT",
        "Torino",
        "Una rete di scuole secondarie che riconosce con badge digitali i progetti di "
        "cittadinanza attiva e i percorsi di orientamento.",
        "A network of secondary schools recognising active citizenship projects and "
        "guidance pathways with digital badges.",
    ),
    DemoOrganisation(
        "oppimisen-merkit-tampere",
        "Oppimisen merkit Tampere",
        K.NETWORK,
        "FI",
        "Tampere",
        "Pirkanmaan oppilaitosten ja järjestöjen yhteistyöverkosto, joka tekee "
        "nuorisotyössä opitun näkyväksi osaamismerkeillä.",
        "A cooperation network of schools and associations in Pirkanmaa making what young "
        "people learn in youth work visible with badges.",
    ),
    DemoOrganisation(
        "competencias-abiertas-valencia",
        "Competencias Abiertas València",
        K.NGO,
        "ES",
        "València",
        "Asociación que reconoce el voluntariado juvenil y las competencias digitales de "
        "personas adultas con insignias abiertas.",
        "An association recognising youth volunteering and adults' digital skills with open "
        "badges.",
    ),
    DemoOrganisation(
        "rede-competencias-porto",
        "Rede Competências Porto",
        K.NETWORK,
        "PT",
        "Porto",
        "Rede de centros de formação e empresas do Norte que valida competências "
        "profissionais com crachás digitais.",
        "A network of training centres and companies in northern Portugal validating "
        "professional skills with digital badges.",
    ),
    DemoOrganisation(
        "odznaki-kompetencji-krakow",
        "Odznaki Kompetencji Kraków",
        K.NGO,
        "PL",
        "Kraków",
        "Fundacja wspierająca młodzież w dokumentowaniu umiejętności zdobytych w "
        "wolontariacie i na praktykach.",
        "A foundation helping young people document skills gained through volunteering and "
        "traineeships.",
    ),
    DemoOrganisation(
        "open-leren-utrecht",
        "Open Leren Utrecht",
        K.UNIVERSITY,
        "NL",
        "Utrecht",
        "Hogeschoolprogramma dat microcredentials voor een leven lang ontwikkelen uitgeeft "
        "als open badges.",
        "A university of applied sciences programme issuing micro-credentials for lifelong "
        "learning as open badges.",
    ),
    DemoOrganisation(
        "competences-wallonie-liege",
        "Compétences Wallonie Liège",
        K.PUBLIC,
        "BE",
        "Liège",
        "Le service public de l'emploi valorise les compétences des demandeurs d'emploi "
        "acquises en formation et en stage.",
        "The public employment service values the skills jobseekers gain in training and "
        "work placements.",
    ),
    DemoOrganisation(
        "jugendwerkstatt-leipzig",
        "Jugendwerkstatt Leipzig",
        K.NGO,
        "DE",
        "Leipzig",
        "Offene Werkstatt für Jugendliche, die handwerkliche und soziale Kompetenzen mit "
        "Badges sichtbar macht.",
        "An open workshop for young people making craft and social skills visible with badges.",
    ),
    DemoOrganisation(
        "digital-skills-network-galway",
        "Digital Skills Network Galway",
        K.NETWORK,
        "IE",
        "Galway",
        "A network of libraries, colleges and employers in the west of Ireland recognising "
        "digital skills with open badges.",
        "A network of libraries, colleges and employers in the west of Ireland recognising "
        "digital skills with open badges.",
    ),
    DemoOrganisation(
        "anoichta-simata-thessaloniki",
        "Ανοιχτά Σήματα Θεσσαλονίκης",
        K.UNIVERSITY,
        "GR",
        "Θεσσαλονίκη",
        "Πανεπιστημιακό πρόγραμμα που αναγνωρίζει δεξιότητες από εθελοντισμό και "
        "πρακτική άσκηση με ψηφιακά σήματα.",
        "A university programme recognising skills from volunteering and internships with "
        "digital badges.",
    ),
    DemoOrganisation(
        "kompetensmarken-malmo",
        "Kompetensmärken Malmö",
        K.PUBLIC,
        "SE",
        "Malmö",
        "Stadens arbetsmarknadsförvaltning synliggör kompetenser från praktik och "
        "yrkesutbildning med öppna märken.",
        "The city's employment department makes skills from work placements and vocational "
        "training visible with open badges.",
    ),
    DemoOrganisation(
        "otevrene-odznaky-brno",
        "Otevřené odznaky Brno",
        K.UNIVERSITY,
        "CZ",
        "Brno",
        "Univerzitní centrum celoživotního vzdělávání vydává digitální odznaky za krátké "
        "kurzy a mikrocertifikáty.",
        "A university centre for lifelong learning issuing digital badges for short courses "
        "and micro-credentials.",
    ),
    DemoOrganisation(
        "znacke-znanja-ljubljana",
        "Značke znanja Ljubljana",
        K.SCHOOL,
        "SI",
        "Ljubljana",
        "Srednja šola, ki z digitalnimi značkami priznava projektno delo in prostovoljstvo "
        "dijakov.",
        "A secondary school recognising students' project work and volunteering with "
        "digital badges.",
    ),
    DemoOrganisation(
        "poslodavci-za-vjestine-zagreb",
        "Poslodavci za vještine Zagreb",
        K.EMPLOYER,
        "HR",
        "Zagreb",
        "Udruga poslodavaca koja digitalnim značkama potvrđuje vještine stečene na radnom "
        "mjestu i u mentorskim programima.",
        "An employers' association confirming skills gained at work and in mentoring "
        "programmes with digital badges.",
    ),
    DemoOrganisation(
        "insigne-deschise-cluj",
        "Insigne Deschise Cluj",
        K.UNIVERSITY,
        "RO",
        "Cluj-Napoca",
        "Program universitar care recunoaște competențele dobândite în voluntariat și "
        "stagii prin insigne digitale.",
        "A university programme recognising skills gained in volunteering and internships "
        "with digital badges.",
    ),
    DemoOrganisation(
        "kompetencemaerker-aarhus",
        "Kompetencemærker Aarhus",
        K.SCHOOL,
        "DK",
        "Aarhus",
        "Erhvervsskole der dokumenterer lærlinges kompetencer fra praktikpladsen med "
        "digitale mærker.",
        "A vocational school documenting apprentices' skills from their placements with "
        "digital badges.",
    ),
    DemoOrganisation(
        "atviri-zenkleliai-vilnius",
        "Atviri ženkleliai Vilnius",
        K.NETWORK,
        "LT",
        "Vilnius",
        "Jaunimo organizacijų tinklas, kuris skaitmeniniais ženkleliais pripažįsta "
        "neformaliojo ugdymo pasiekimus.",
        "A network of youth organisations recognising achievements in non-formal education "
        "with digital badges.",
    ),
]


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    language: str
    memberships: tuple[tuple[str, str], ...] = ()  # (organisation slug, role)
    other_emails: tuple[str, ...] = ()


R = Role

PEOPLE = [
    # University of Tartu: one account per role, the demo sign-in accounts.
    DemoPerson(
        "kadri.tamm@example.org",
        "Kadri Tamm",
        "en",
        (("univ-tartu", R.OWNER), ("open-badges-lab-tartu", R.OWNER)),
    ),
    DemoPerson("mart.kask@example.org", "Mart Kask", "en", (("univ-tartu", R.ADMIN),)),
    DemoPerson("liis.saar@example.org", "Liis Saar", "en", (("univ-tartu", R.DESIGNER),)),
    DemoPerson("rasmus.ilves@example.org", "Rasmus Ilves", "en", (("univ-tartu", R.AWARDER),)),
    DemoPerson("triin.mets@example.org", "Triin Mets", "en", (("univ-tartu", R.REVIEWER),)),
    # Ville de Lyon
    DemoPerson("claire.martin@example.org", "Claire Martin", "fr", (("ville-de-lyon", R.OWNER),)),
    DemoPerson("julien.moreau@example.org", "Julien Moreau", "fr", (("ville-de-lyon", R.ADMIN),)),
    DemoPerson("ines.benali@example.org", "Inès Benali", "fr", (("ville-de-lyon", R.DESIGNER),)),
    DemoPerson("thomas.girard@example.org", "Thomas Girard", "fr", (("ville-de-lyon", R.AWARDER),)),
    # Münchner Volkshochschule
    DemoPerson("jonas.weber@example.org", "Jonas Weber", "de", (("vhs-muenchen", R.OWNER),)),
    DemoPerson("anna.schmid@example.org", "Anna Schmid", "de", (("vhs-muenchen", R.ADMIN),)),
    DemoPerson("lukas.becker@example.org", "Lukas Becker", "de", (("vhs-muenchen", R.DESIGNER),)),
    DemoPerson("fatma.yilmaz@example.org", "Fatma Yılmaz", "de", (("vhs-muenchen", R.AWARDER),)),
    DemoPerson("sophie.wagner@example.org", "Sophie Wagner", "de", (("vhs-muenchen", R.REVIEWER),)),
    # Ammattiopisto Koskikaupunki
    DemoPerson(
        "aino.virtanen@example.org",
        "Aino Virtanen",
        "fi",
        (("ammattiopisto-koskikaupunki", R.OWNER), ("oppimisen-merkit-tampere", R.ADMIN)),
    ),
    DemoPerson(
        "mikko.korhonen@example.org",
        "Mikko Korhonen",
        "fi",
        (("ammattiopisto-koskikaupunki", R.DESIGNER),),
    ),
    DemoPerson(
        "elina.nieminen@example.org",
        "Elina Nieminen",
        "fi",
        (("ammattiopisto-koskikaupunki", R.AWARDER),),
    ),
    # Fundación Puentes
    DemoPerson(
        "lucia.fernandez@example.org",
        "Lucía Fernández",
        "es",
        (("fundacion-puentes", R.OWNER),),
    ),
    DemoPerson("javier.ruiz@example.org", "Javier Ruiz", "es", (("fundacion-puentes", R.ADMIN),)),
    DemoPerson(
        "carmen.lopez@example.org", "Carmen López", "es", (("fundacion-puentes", R.REVIEWER),)
    ),
    # Havenlicht Logistiek
    DemoPerson(
        "daan.devries@example.org", "Daan de Vries", "en", (("havenlicht-logistiek", R.OWNER),)
    ),
    DemoPerson(
        "sanne.jansen@example.org", "Sanne Jansen", "en", (("havenlicht-logistiek", R.AWARDER),)
    ),
    DemoPerson(
        "mohammed.elamrani@example.org",
        "Mohammed El Amrani",
        "en",
        (("havenlicht-logistiek", R.REVIEWER),),
    ),
    # Coordinators of initiatives
    DemoPerson(
        "marie.dubois@example.org", "Marie Dubois", "fr", (("reseau-badges-occitanie", R.OWNER),)
    ),
    DemoPerson(
        "markus.gruber@example.org",
        "Markus Gruber",
        "de",
        (("digitale-kompetenzen-steiermark", R.OWNER),),
    ),
    DemoPerson(
        "giulia.rossi@example.org", "Giulia Rossi", "it", (("scuola-aperta-torino", R.OWNER),)
    ),
    DemoPerson(
        "veera.laine@example.org", "Veera Laine", "fi", (("oppimisen-merkit-tampere", R.OWNER),)
    ),
    DemoPerson(
        "pablo.garcia@example.org",
        "Pablo García",
        "es",
        (("competencias-abiertas-valencia", R.OWNER),),
    ),
    DemoPerson(
        "joao.silva@example.org", "João Silva", "en", (("rede-competencias-porto", R.OWNER),)
    ),
    DemoPerson(
        "piotr.nowak@example.org",
        "Piotr Nowak",
        "en",
        (("odznaki-kompetencji-krakow", R.OWNER),),
    ),
    DemoPerson(
        "femke.bakker@example.org", "Femke Bakker", "en", (("open-leren-utrecht", R.OWNER),)
    ),
    DemoPerson(
        "niamh.obrien@example.org",
        "Niamh O'Brien",
        "en",
        (("digital-skills-network-galway", R.OWNER),),
    ),
    DemoPerson(
        "eleni.papadopoulou@example.org",
        "Ελένη Παπαδοπούλου",
        "en",
        (("anoichta-simata-thessaloniki", R.OWNER),),
    ),
    DemoPerson(
        "eva.novakova@example.org", "Eva Nováková", "en", (("otevrene-odznaky-brno", R.OWNER),)
    ),
    DemoPerson(
        "andrei.popescu@example.org",
        "Andrei Popescu",
        "en",
        (("insigne-deschise-cluj", R.OWNER),),
    ),
    DemoPerson(
        "nathalie.lejeune@example.org",
        "Nathalie Lejeune",
        "fr",
        (("competences-wallonie-liege", R.OWNER),),
    ),
    DemoPerson(
        "felix.hoffmann@example.org",
        "Felix Hoffmann",
        "de",
        (("jugendwerkstatt-leipzig", R.OWNER), ("vhs-muenchen", R.REVIEWER)),
    ),
    DemoPerson(
        "karin.lindqvist@example.org",
        "Karin Lindqvist",
        "en",
        (("kompetensmarken-malmo", R.OWNER),),
    ),
    DemoPerson(
        "maja.kovac@example.org", "Maja Kovač", "en", (("znacke-znanja-ljubljana", R.OWNER),)
    ),
    DemoPerson(
        "ana.horvat@example.org",
        "Ana Horvat",
        "en",
        (("poslodavci-za-vjestine-zagreb", R.OWNER),),
    ),
    DemoPerson(
        "mette.nielsen@example.org",
        "Mette Nielsen",
        "en",
        (("kompetencemaerker-aarhus", R.OWNER),),
    ),
    DemoPerson(
        "ruta.kazlauskiene@example.org",
        "Rūta Kazlauskienė",
        "en",
        (("atviri-zenkleliai-vilnius", R.OWNER),),
    ),
    # Learners: no organisation, badges arrive at their addresses.
    DemoPerson(
        "lea.dubois@example.org",
        "Léa Dubois",
        "fr",
        other_emails=("lea.dubois@etudiants.example.org",),
    ),
    DemoPerson(
        "matteo.bianchi@example.org",
        "Matteo Bianchi",
        "it",
        other_emails=("m.bianchi@studenti.example.org",),
    ),
    DemoPerson("zofia.wisniewska@example.org", "Zofia Wiśniewska", "en"),
    DemoPerson("emre.kaya@example.org", "Emre Kaya", "de"),
    DemoPerson("hanna.mueller@example.org", "Hanna Müller", "de"),
    DemoPerson("tomas.horak@example.org", "Tomáš Horák", "en"),
    DemoPerson("chiara.esposito@example.org", "Chiara Esposito", "it"),
    DemoPerson("nora.kelly@example.org", "Nora Kelly", "en"),
]

# Pending invitations: (organisation slug, address, role, invited by).
INVITATIONS = [
    ("ville-de-lyon", "paul.lambert@example.org", R.REVIEWER, "claire.martin@example.org"),
    ("univ-tartu", "kristjan.lepik@example.org", R.DESIGNER, "mart.kask@example.org"),
    ("fundacion-puentes", "alba.moreno@example.org", R.AWARDER, "lucia.fernandez@example.org"),
    ("reseau-badges-occitanie", "hugo.blanc@example.org", R.ADMIN, "marie.dubois@example.org"),
]

# The demo sign-in accounts, one per role, printed by the command.
SIGN_IN_ACCOUNTS = [
    (R.OWNER.label, "kadri.tamm@example.org"),
    (R.ADMIN.label, "mart.kask@example.org"),
    (R.DESIGNER.label, "liis.saar@example.org"),
    (R.AWARDER.label, "rasmus.ilves@example.org"),
    (R.REVIEWER.label, "triin.mets@example.org"),
    (gettext_lazy("Learner (no organisation)"), "lea.dubois@example.org"),
]


class _Clock:
    """Spreads the audit records of the demo over the past weeks, oldest first, so the log
    reads like a history rather than one instant."""

    def __init__(self, days: int = 60):
        self.now = timezone.now()
        self.next = self.now - timedelta(days=days)

    def tick(self) -> datetime:
        self.next = min(self.next + timedelta(hours=7, minutes=13), self.now)
        return self.next


def _record(clock: _Clock, **kwargs) -> None:
    event = audit_record(**kwargs)
    AuditEvent.objects.filter(pk=event.pk).update(created_at=clock.tick())


def _organisations(clock: _Clock, owners: dict[str, User], created: dict[str, int]):
    organisations = {}
    for demo in [*ISSUERS, *INITIATIVES]:
        organisation, is_new = Organisation.objects.get_or_create(
            slug=demo.slug,
            defaults={
                "name": demo.name,
                "kind": demo.kind,
                "country": demo.country,
                "city": demo.city,
                "description": demo.description,
                "website": demo.website,
                "email": f"contact@{demo.slug}.example.org",
            },
        )
        organisations[demo.slug] = organisation
        if is_new:
            created["organisations"] += 1
            _record(
                clock,
                actor=owners.get(demo.slug),
                action="organisation.created",
                target=organisation,
                organisation=organisation,
                data={"slug": organisation.slug, "kind": organisation.kind},
            )
    return organisations


def _people(created: dict[str, int]) -> dict[str, User]:
    from allauth.account.models import EmailAddress

    users = {}
    for person in PEOPLE:
        user = User.objects.filter(email=person.email).first()
        if user is None:
            user = User.objects.create_user(
                email=person.email,
                password=DEMO_PASSWORD,
                name=person.name,
                language=person.language,
            )
            created["people"] += 1
        users[person.email] = user
        for address in (person.email, *person.other_emails):
            _, is_new = EmailAddress.objects.get_or_create(
                user=user,
                email=address,
                defaults={"verified": True, "primary": address == person.email},
            )
            created["email addresses"] += is_new
    return users


def _memberships(clock, users, organisations, created) -> None:
    for person in PEOPLE:
        for slug, role in person.memberships:
            organisation = organisations[slug]
            membership, is_new = Membership.objects.get_or_create(
                organisation=organisation, user=users[person.email], defaults={"role": role}
            )
            if is_new:
                created["memberships"] += 1
                owner = organisation.memberships.filter(role=Role.OWNER).first()
                _record(
                    clock,
                    actor=owner.user if owner else membership.user,
                    action="membership.created",
                    target=membership.user,
                    organisation=organisation,
                    data={"role": role},
                )


def _invitations(clock, users, organisations, created) -> None:
    for slug, email, role, inviter_email in INVITATIONS:
        organisation = organisations[slug]
        if Invitation.objects.filter(organisation=organisation, email=email).exists():
            continue
        now = timezone.now()
        invitation = Invitation.objects.create(
            organisation=organisation,
            email=email,
            role=role,
            # Only the digest of a token is stored; the demo never sends this link.
            token=hashlib.sha256(secrets.token_urlsafe(32).encode()).hexdigest(),
            invited_by=users[inviter_email],
            expires_at=now + timedelta(days=settings.INVITATION_MAX_AGE_DAYS),
            sent_at=now,
            send_count=1,
        )
        created["invitations"] += 1
        _record(
            clock,
            actor=users[inviter_email],
            action="invitation.sent",
            target=invitation,
            organisation=organisation,
            data={"email": email, "role": role},
        )


@transaction.atomic
def load_demo() -> list[str]:
    """Create what is missing of the demo world and return a summary for the operator."""
    created = dict.fromkeys(
        ["organisations", "people", "email addresses", "memberships", "invitations"], 0
    )
    clock = _Clock()
    users = _people(created)
    first_owners = {}
    for person in PEOPLE:
        for slug, role in person.memberships:
            if role == Role.OWNER:
                first_owners.setdefault(slug, users[person.email])
    organisations = _organisations(clock, first_owners, created)
    _memberships(clock, users, organisations, created)
    _invitations(clock, users, organisations, created)

    countries = {demo.country for demo in INITIATIVES}
    lines = [
        _(
            "Demo world: %(initiatives)d initiatives in %(countries)d countries, "
            "%(issuers)d issuing organisations, %(people)d people."
        )
        % {
            "initiatives": len(INITIATIVES),
            "countries": len(countries),
            "issuers": len(ISSUERS),
            "people": User.objects.count(),
        },
        _("Created this time: %(created)s.")
        % {
            "created": ", ".join(f"{count} {name}" for name, count in created.items())
            if any(created.values())
            else _("nothing (already loaded)")
        },
        _("Demo sign-in accounts (password %(password)s):") % {"password": DEMO_PASSWORD},
    ]
    lines += [f"  {label}: {email}" for label, email in SIGN_IN_ACCOUNTS]
    from claims.demo import load_claims_demo  # the campaign's claimable supporter badge

    return lines + load_claims_demo()
