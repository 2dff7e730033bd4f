"""The fixed data demo cases are drawn from: nations, places, stories, jobs and odds.

The weights are rough shapes of the real caseload (mostly Afghan families, most cases in
review), not statistics.
"""

import bisect
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Generic, TypeVar

from portal.cases.states import (
    CaseStatus,
    IdentityDocument,
    ScreeningStatus,
)
from portal.demo.names import (
    AF_FAMILIES,
    AF_MEN,
    AF_WOMEN,
    IR_FAMILIES,
    PK_FAMILIES,
    PK_MEN,
    PK_WOMEN,
    RU_FAMILIES,
    RU_MEN,
    RU_WOMEN,
    SY_FAMILIES,
    SY_MEN,
    SY_WOMEN,
    TR_FAMILIES,
    TR_MEN,
    TR_WOMEN,
    Names,
)

S = CaseStatus
T = TypeVar("T")


class Weighted(Generic[T]):
    """A weighted choice whose cumulative weights are summed once, not for every row."""

    def __init__(self, pairs: Iterable[tuple[T, int]]) -> None:
        self.values: list[T] = []
        self.cumulative: list[int] = []
        for value, weight in pairs:
            self.values.append(value)
            self.cumulative.append((self.cumulative[-1] if self.cumulative else 0) + weight)

    def draw(self, rng: random.Random) -> T:
        return self.values[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


# --- nations and families --------------------------------------------------------------------


@dataclass(frozen=True)
class Nation:
    """How people of one nationality are named, documented and reached."""

    men: Names
    women: Names
    families: Names
    languages: Weighted[str]
    documents: Weighted[IdentityDocument]
    passport_prefix: str
    cities: tuple[str, ...]  # places of birth, some written in the local script
    stay: Weighted[str]  # countries of stay


_DOCUMENTS = Weighted(
    [
        (IdentityDocument.PASSPORT, 55),
        (IdentityDocument.NATIONAL_ID, 38),
        (IdentityDocument.NONE, 4),
        (IdentityDocument.OTHER, 3),
    ]
)
NATIONS: dict[str, Nation] = {
    "AF": Nation(
        AF_MEN,
        AF_WOMEN,
        AF_FAMILIES,
        Weighted([("fa_AF", 58), ("ps", 35), ("en", 5), ("de", 2)]),
        Weighted(
            [
                (IdentityDocument.PASSPORT, 38),
                (IdentityDocument.E_TAZKIRA, 30),
                (IdentityDocument.PAPER_TAZKIRA, 25),
                (IdentityDocument.NONE, 4),
                (IdentityDocument.OTHER, 3),
            ]
        ),
        "P",
        ("Kabul", "Mazar-i-Sharif", "Herat", "Kandahar", "Jalalabad", "Kunduz", "Bamyan")
        + ("Ghazni", "Khost", "Faizabad", "Pul-e Khumri", "Lashkar Gah", "کابل", "مزار شریف"),
        Weighted([("AF", 62), ("PK", 20), ("IR", 11), ("TR", 5), ("DE", 2)]),
    ),
    "IR": Nation(
        AF_MEN,
        AF_WOMEN,
        IR_FAMILIES,
        Weighted([("fa", 90), ("en", 10)]),
        _DOCUMENTS,
        "K",
        ("Tehran", "Mashhad", "Isfahan", "Tabriz", "Shiraz", "تهران", "مشهد"),
        Weighted([("IR", 80), ("TR", 20)]),
    ),
    "SY": Nation(
        SY_MEN,
        SY_WOMEN,
        SY_FAMILIES,
        Weighted([("ar", 92), ("en", 5), ("tr", 3)]),
        _DOCUMENTS,
        "N",
        ("Damascus", "Aleppo", "Homs", "Idlib", "Latakia", "دمشق", "حلب"),
        Weighted([("SY", 55), ("TR", 45)]),
    ),
    "PK": Nation(
        PK_MEN,
        PK_WOMEN,
        PK_FAMILIES,
        Weighted([("en", 85), ("ps", 15)]),
        _DOCUMENTS,
        "A",
        ("Peshawar", "Quetta", "Karachi", "Lahore", "پشاور"),
        Weighted([("PK", 1)]),
    ),
    "RU": Nation(
        RU_MEN,
        RU_WOMEN,
        RU_FAMILIES,
        Weighted([("ru", 90), ("en", 7), ("de", 3)]),
        _DOCUMENTS,
        "75",
        ("Moscow", "Saint Petersburg", "Kazan", "Yekaterinburg", "Москва", "Новосибирск"),
        Weighted([("RU", 55), ("TR", 30), ("BY", 5), ("DE", 10)]),
    ),
    "BY": Nation(
        RU_MEN,
        RU_WOMEN,
        RU_FAMILIES,
        Weighted([("ru", 75), ("uk", 5), ("en", 15), ("de", 5)]),
        _DOCUMENTS,
        "MP",
        ("Minsk", "Grodno", "Brest", "Gomel", "Vitebsk", "Минск"),
        Weighted([("BY", 60), ("RU", 10), ("TR", 20), ("DE", 10)]),
    ),
    "TR": Nation(
        TR_MEN,
        TR_WOMEN,
        TR_FAMILIES,
        Weighted([("tr", 90), ("de", 5), ("en", 5)]),
        _DOCUMENTS,
        "U",
        ("Istanbul", "Ankara", "Izmir", "Diyarbakır", "Van"),
        Weighted([("TR", 1)]),
    ),
}
NATIONALITIES = Weighted(
    [("AF", 78), ("IR", 6), ("SY", 5), ("RU", 5), ("BY", 2), ("TR", 3), ("PK", 1)]
)
# Families of one to ten, most of three to six.
FAMILY_SIZES = Weighted(
    [(1, 6), (2, 9), (3, 14), (4, 17), (5, 17), (6, 14), (7, 9), (8, 6), (9, 4), (10, 4)]
)
# Districts make a place of stay finer than the country, which is why it is sealed.
PLACES_OF_STAY = {
    "AF": ("Kabul, Karte Se", "Kabul, Khair Khana", "Kabul, Dasht-e Barchi", "Herat, Jebrail")
    + ("Mazar-i-Sharif, Karte Bagh", "Kandahar, District 6", "Jalalabad, Sarak-e Shahid"),
    "PK": ("Islamabad, G-11", "Islamabad, I-8", "Peshawar, Hayatabad", "Quetta, Hazara Town"),
    "IR": ("Tehran, Shahr-e Rey", "Mashhad, Golshahr", "Isfahan, Zeynabiyeh", "Qom, Pardisan"),
    "TR": ("Istanbul, Fatih", "Istanbul, Esenyurt", "Ankara, Altındağ", "Kayseri, Talas"),
    "SY": ("Damascus, Jaramana", "Idlib, Sarmada", "Aleppo, Al-Shaar"),
    "RU": ("Moscow, Tverskoy", "Saint Petersburg, Vasileostrovsky", "Kazan, Vakhitovsky"),
    "BY": ("Minsk, Frunzensky", "Grodno, Leninsky", "Brest, Moskovsky"),
    "DE": ("Berlin, Neukölln", "Hamburg, Wilhelmsburg"),
}


# --- contact, risks and stories --------------------------------------------------------------
# Mobile numbers in each country's usual grouping; the digits are random.
PHONE_FORMATS = {
    "AF": "+93 7# ### ####",
    "PK": "+92 3## #######",
    "IR": "+98 9## ### ####",
    "TR": "+90 5## ### ## ##",
    "SY": "+963 9## ### ###",
    "RU": "+7 9## ###-##-##",
    "BY": "+375 29 ###-##-##",
    "DE": "+49 15## #######",
}
MESSENGERS = Weighted([("Signal", 5), ("WhatsApp", 6), ("Telegram", 3), ("", 6)])
RISKS = (
    "journalist",
    "human_rights_defender",
    "womens_rights_activist",
    "judge_prosecutor",
    "lgbtqi",
    "minority",
    "politician_official",
    "military_police",
    "academic_artist",
    "other",
)
RISK_COUNT = Weighted([(1, 60), (2, 30), (3, 10)])
# What happened, in the applicant's words; in English, German or Dari.
THREATS = (
    "Since {month} {year} I have received threatening calls because of my work as {risk}.",
    "Armed men came to our house in {year} and asked my neighbours where I am.",
    "My name was read out at the mosque in {month} {year}; my family has been in hiding since.",
    "Seit {month} {year} werde ich wegen meiner Arbeit bedroht und wechsle ständig die Wohnung.",
    "Mein Bruder wurde {year} festgenommen und nach mir gefragt.",
    "در سال {year} نامهٔ تهدید به خانهٔ ما آمد و پس از آن چند بار مرا تعقیب کردند.",
    "به خاطر کارم همیشه در خطر هستم و نمی‌توانم از خانه بیرون بروم.",
    "The intelligence service summoned me twice in {year} and took my phone.",
)
MONTHS = ("January", "March", "May", "June", "August", "October", "December")


# --- work for German institutions ------------------------------------------------------------
# Employers of local staff and where they worked.
EMPLOYERS = Weighted(
    [
        (("bundeswehr", ("Camp Marmal", "PRT Kunduz", "PRT Feyzabad", "Camp Warehouse")), 35),
        (("giz", ("GIZ Kabul", "GIZ Mazar-i-Sharif", "GIZ Herat", "GIZ Kunduz")), 25),
        (("auswaertiges_amt", ("Deutsche Botschaft Kabul", "Generalkonsulat Mazar")), 10),
        (("bundespolizei", ("GPPT Kabul", "GPPT Mazar-i-Sharif")), 8),
        (("kfw", ("KfW Kabul",)), 5),
        (("political_foundation", ("Kabul",)), 5),
        (("other", ("Kabul", "Mazar-i-Sharif", "Herat")), 12),
    ]
)
JOB_COUNT = Weighted([(1, 60), (2, 28), (3, 12)])
ROLES = ("Sprachmittler", "Interpreter", "Fahrer", "Driver", "Wachmann", "Security guard") + (
    "Projektassistent",
    "Project officer",
    "Ingenieur",
    "IT-Techniker",
    "Koch",
    "Logistik",
)
SUPERVISOR_TITLES = ("Hauptmann", "Major", "Oberstleutnant", "Oberst", "Dr.")
SUPERVISOR_NAMES = ("Anke", "Jörg", "Birte", "Henning", "Katrin", "Ulf", "Sabine", "Torsten")
SUPERVISOR_FAMILIES = ("Bergmann", "Lindqvist", "Oltmanns", "Kessler-Weiß", "Hagedorn", "Renner")
# The German mission ended in August 2021: no employment runs past it.
LAST_EMPLOYMENT_MONTH = 2021 * 12 + 7


# --- the lifecycle ---------------------------------------------------------------------------
# Demo histories start after the fall of Kabul in August 2021, as most such applications do.
EARLIEST = datetime(2021, 9, 1, tzinfo=UTC)
# Where cases stand: most wait in review, many have arrived.
FINAL_STATUSES = Weighted(
    [
        (S.DRAFT, 8),
        (S.SUBMITTED, 3),
        (S.SCREENING, 2),
        (S.IN_REVIEW, 24),
        (S.INFO_REQUESTED, 10),
        (S.DECISION_PROPOSED, 5),
        (S.ADMITTED, 6),
        (S.REJECTED, 8),
        (S.VISA_ISSUED, 7),
        (S.ARRIVED, 17),
        (S.WITHDRAWN, 10),
    ]
)
# The state a case was in when the applicant withdrew it.
WITHDRAWN_FROM = Weighted(
    [
        (S.DRAFT, 30),
        (S.SUBMITTED, 5),
        (S.IN_REVIEW, 40),
        (S.INFO_REQUESTED, 15),
        (S.DECISION_PROPOSED, 3),
        (S.ADMITTED, 5),
        (S.VISA_ISSUED, 2),
    ]
)
INFO_ROUNDS = Weighted([(0, 55), (1, 30), (2, 15)])
# How long each move takes, in days (uniform between the two).
STEP_DAYS: dict[tuple[CaseStatus, CaseStatus], tuple[float, float]] = {
    (S.DRAFT, S.SUBMITTED): (0.05, 21),
    (S.SUBMITTED, S.SCREENING): (0.0005, 0.02),  # the intake queue
    (S.SCREENING, S.IN_REVIEW): (0.0005, 0.05),
    (S.IN_REVIEW, S.INFO_REQUESTED): (3, 90),
    (S.INFO_REQUESTED, S.IN_REVIEW): (1, 45),
    (S.IN_REVIEW, S.DECISION_PROPOSED): (7, 150),
    (S.DECISION_PROPOSED, S.IN_REVIEW): (1, 14),
    (S.DECISION_PROPOSED, S.ADMITTED): (1, 21),
    (S.DECISION_PROPOSED, S.REJECTED): (1, 21),
    (S.ADMITTED, S.VISA_ISSUED): (14, 120),
    (S.VISA_ISSUED, S.ARRIVED): (5, 90),
}
WITHDRAW_DAYS = (1.0, 60.0)
# Drafts untouched for longer than this are unlikely to be kept around.
DRAFTS_KEPT = timedelta(days=180)


# --- screening and the staff's work ---------------------------------------------------------
# Where the screening of a reviewed case ends: the intake's finding, or a security officer's
# (who clears what the intake flagged, or records a concern or a hit it could not see).
SCREENING = Weighted(
    [
        (ScreeningStatus.CLEAR, 82),
        (ScreeningStatus.CONCERN, 12),
        (ScreeningStatus.HIT, 6),
    ]
)
# The watch list the demo's intake screened against (no entry names a demo person).
WATCHLIST_VERSION = 1
# How often a caseworker revises the threat level the intake's rubric gave.
THREAT_REVISED = 0.15
NOTES_PER_CASE = Weighted([(0, 30), (1, 40), (2, 22), (3, 8)])
# Staff write in German; to applicants the consulate writes in English.
NOTES = (
    "Arbeitgeberbestätigung beim Referat angefragt.",
    "Telefonat mit der Antragstellerin: Angaben zur Familie bestätigt.",
    "Tazkira-Nummer mit der Kopie abgeglichen, stimmt überein.",
    "Rückruf vereinbart; Antragsteller erreichbar über Messenger.",
    "Gefährdung plausibel dargelegt, Presseberichte liegen vor.",
    "Familienangehörige in Pakistan: Visumstelle Islamabad informiert.",
    "Ehefrau ohne eigene Papiere: Versicherung an Eides statt liegt vor.",
    "Bitte Vorgang vor Entscheidung noch einmal mit Sicherheitsreferat abstimmen.",
    "Unterlagen vollständig, Vorlage zur Entscheidung vorbereitet.",
    "Ausreise über Pakistan geplant, Termin bei der Botschaft steht noch aus.",
)
QUESTIONS = (
    "Please send a copy of the identity document of each family member who has one.",
    "Please tell us the name of your supervisor at the German institution and when you "
    "last worked there.",
    "Please describe the threat you mentioned in more detail: when did it happen, and who "
    "threatened you?",
    "Please confirm where you and your family are staying now, and whether everyone listed "
    "is with you.",
    "Please send the birth certificate or the tazkira of your youngest child.",
)
ANSWERS = (
    "I have uploaded the documents you asked for. Thank you.",
    "My supervisor was the head of the project office; I worked there until July 2021.",
    "We are all together in the same house now. My mother is ill and cannot travel alone.",
    "بله، همه اعضای خانواده با من هستند. اسناد را فرستادم.",
    "The men came to my office in the evening and warned my colleagues about me.",
)
DECISION_REASONS = {
    "admit": (
        "Gefährdung glaubhaft, Aufnahmevoraussetzungen nach § 22 AufenthG erfüllt.",
        "Tätigkeit für deutsche Stelle bestätigt, individuelle Gefährdung dargelegt.",
        "Kernfamilie vollständig erfasst, Identität geklärt; Aufnahme empfohlen.",
    ),
    "reject": (
        "Keine individuelle Gefährdung dargelegt.",
        "Tätigkeit für eine deutsche Stelle nicht nachgewiesen.",
        "Angaben widersprüchlich, trotz Rückfrage nicht aufgeklärt.",
    ),
}
SCREENING_REASONS = {
    ScreeningStatus.CLEAR: (
        "Abgleich durch das Sicherheitsreferat: keine Erkenntnisse, Identität geklärt.",
        "Treffer geprüft: andere Person (abweichendes Geburtsjahr und Herkunft).",
    ),
    ScreeningStatus.CONCERN: (
        "Angaben zur Person bei Rückfrage abweichend; weitere Prüfung nötig.",
        "Identität nicht abschließend geklärt.",
    ),
    ScreeningStatus.HIT: ("Erkenntnisse einer Partnerbehörde; Vorgang bitte nicht entscheiden.",),
}
THREAT_REASONS = (
    "Neue Presseberichte über Verfolgung der Berufsgruppe in der Provinz.",
    "Gefährdung nach Gespräch mit dem Antragsteller neu bewertet.",
)
# Who answers: demo colleagues made when the database has fewer of a role than this.
TEAM = {"caseworker": 5, "decider": 3, "security_officer": 2}
COLLEAGUES = (
    "Anna Becker",
    "Jonas Hoffmann",
    "Fatma Yıldız",
    "Lukas Schröder",
    "Miriam Haddad",
    "Katharina Wolf",
    "Tobias Krüger",
    "Elena Petrova",
    "Stefan Braun",
    "Leonie Schulz",
)
