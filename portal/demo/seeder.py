"""Demonstration cases, encrypted exactly like real ones but written in bulk.

``flask --app wsgi demo seed --cases N`` fills a development database with N invented
applications: families of one to ten people named in their own script and in Latin letters,
both programmes, and every stage of the lifecycle with its history. No name, number or
story belongs to a real person.

What is stored is what the real code stores: each case has its own random data key, sealed
to the current intake public key and wrapped for an access code, and every personal value
is AES-GCM ciphertext made by ``FieldCipher.encrypt`` with ``field_context(table, column,
row id)``, the column being the model's ``Sealed`` descriptor name. The speed (a million
cases in minutes) comes from shortcuts that do not change what is stored:

- rows are plain tuples written with COPY on PostgreSQL (Core executemany on SQLite), never
  ORM objects, in batches that each commit, so an interrupted run keeps what it wrote;
- worker processes each generate and write their own batches;
- every demo case shares ONE access code, so scrypt runs once, not once per case. No real
  case does that, which is one reason this command refuses to run in production.
"""

import bisect
import multiprocessing
import os
import random
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Generic, TypeVar

import click
from flask import current_app
from psycopg import sql
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Connection,
    DateTime,
    Engine,
    Integer,
    LargeBinary,
    String,
    Table,
    TypeDecorator,
    Uuid,
    create_engine,
    select,
)

from portal.accounts.models import Role, StaffRole, StaffUser
from portal.cases import custody
from portal.cases.models import Case, CaseTransition, Employment, KeyWrap, Person
from portal.cases.states import (
    ActorKind,
    CaseStatus,
    IdentityDocument,
    Programme,
    Relationship,
    ScreeningStatus,
    ThreatLevel,
)
from portal.core import codes, crypto
from portal.core.audit import record_event
from portal.core.db import Base, utcnow
from portal.core.sealed import Sealed
from portal.extensions import db

S = CaseStatus
T = TypeVar("T")
Row = tuple[Any, ...]
Names = tuple[tuple[str, tuple[str, ...]], ...]
# Demo histories start after the fall of Kabul in August 2021, as most such applications do.
EARLIEST = datetime(2021, 9, 1, tzinfo=UTC)
DEFAULT_BATCH_SIZE = 2000


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


# --- vocabulary ------------------------------------------------------------------------------
# Each entry is "native|Latin spelling, another spelling": a person's name is stored in their
# own script and in one of the Latin spellings their documents might use.


def _pool(text: str) -> Names:
    entries = []
    for line in text.strip().splitlines():
        native, latin = line.strip().split("|")
        entries.append((native, tuple(part.strip() for part in latin.split(","))))
    return tuple(entries)


MOHAMMAD = ("Mohammad", "Muhammad", "Mohammed", "Mohamad", "Muhammed", "Mohamed")
_AF_MEN = _pool("""
    احمد|Ahmad, Ahmed
    علی|Ali
    حسین|Hussain, Hussein, Hosain
    عبدالله|Abdullah, Abdollah
    نجیب‌الله|Najibullah, Najeebullah
    فرید|Farid, Fareed
    جاوید|Javid, Jawed, Jawid
    رحیم|Rahim, Raheem
    کریم|Karim, Kareem
    حمید|Hamid, Hameed
    یوسف|Yusuf, Yousuf, Yousef
    عمر|Omar, Umar
    شفیق|Shafiq, Shafeeq
    ذبیح‌الله|Zabihullah, Zabiullah
    سمیع‌الله|Samiullah, Sami Ullah
    عزیز|Aziz
    نوید|Navid, Naveed
    سهراب|Sohrab, Suhrab
    مصطفی|Mustafa, Mostafa
    خالد|Khalid, Khaled
    بشیر|Bashir, Basheer
    قاسم|Qasim, Ghasem, Kasim
    امید|Omid, Umid
    ولی|Wali, Vali
    هارون|Haroon, Harun
    ادریس|Idris, Edris
    جمشید|Jamshid, Jamsheed
    طارق|Tariq, Tareq
    زلمی|Zalmai, Zalmay
    میرویس|Mirwais, Mirways
    ننګیالی|Nangialai, Nangyalay
    ګل‌آغا|Gul Agha, Gulagha
""")
_AF_WOMEN = _pool("""
    فاطمه|Fatima, Fatema, Fatimah
    مریم|Maryam, Mariam
    زهرا|Zahra, Zahraa
    مینا|Mina, Meena
    شبانه|Shabana
    نرگس|Nargis, Narges
    پروانه|Parwana, Parvana
    لیلا|Laila, Leila, Layla
    ملالۍ|Malalai, Malalay
    زرغونه|Zarghuna, Zarghona
    حلیمه|Halima, Haleema
    سمیرا|Samira, Sameera
    فرشته|Fereshta, Freshta
    نازنین|Nazanin
    شکیلا|Shakila, Shakeela
    رویا|Roya
    خدیجه|Khadija, Khadijah
    عایشه|Aisha, Ayesha
    سحر|Sahar
    ستاره|Setara, Sitara
    زینب|Zainab, Zeinab
    آرزو|Arzu, Arezo
    شینکۍ|Shinkai, Shinkay
    هما|Homa, Huma
""")
_AF_FAMILIES = _pool("""
    احمدی|Ahmadi
    محمدی|Mohammadi, Muhammadi
    حیدری|Haidari, Haydari
    رحیمی|Rahimi
    کریمی|Karimi
    نوری|Noori, Nouri
    صدیقی|Siddiqi, Sediqi, Seddiqi
    یوسفزی|Yousafzai, Yusufzai
    احمدزی|Ahmadzai
    پوپلزی|Popalzai
    بارکزی|Barakzai
    علیزاده|Alizada, Alizadah
    حسینی|Hussaini, Husaini, Hosseini
    سادات|Sadat
    وردک|Wardak
    ستانکزی|Stanikzai, Stanekzai
    هاشمی|Hashimi, Hashemi
    نظری|Nazari
    رسولی|Rasuli, Rasooli
    امیری|Amiri
    جلالی|Jalali
    قادری|Qaderi, Qadiri
    شینواری|Shinwari
    مومند|Momand, Mohmand
    کاکړ|Kakar
    ځدراڼ|Zadran
    منګل|Mangal
    نیازی|Niazi
    سلطانی|Sultani, Soltani
""")
_IR_FAMILIES = _pool("""
    رضایی|Rezaei, Rezaee
    موسوی|Mousavi, Musavi
    کاظمی|Kazemi
    تهرانی|Tehrani
    جعفری|Jafari, Jafary
    صادقی|Sadeghi, Sadeqi
    نجفی|Najafi
    اکبری|Akbari
""")
_SY_MEN = _pool("""
    أحمد|Ahmad, Ahmed
    خالد|Khaled, Khalid
    عمر|Omar
    يوسف|Youssef, Yusuf
    باسل|Basel, Bassel
    رامي|Rami
    طارق|Tarek, Tariq
    مازن|Mazen
    سامر|Samer
""")
_SY_WOMEN = _pool("""
    فاطمة|Fatima, Fatma
    مريم|Mariam, Maryam
    رشا|Rasha
    هبة|Heba, Hiba
    ريم|Reem, Rim
    لينا|Lina
    نور|Nour, Noor
    سلمى|Salma
""")
_SY_FAMILIES = _pool("""
    الحلبي|Al-Halabi, Alhalabi
    الخطيب|Al-Khatib, Alkhateeb
    حداد|Haddad
    الشامي|Al-Shami, Alshami
    العلي|Al-Ali
    المصري|Al-Masri, Almasri
    الحسن|Al-Hassan, Alhasan
    درويش|Darwish, Darwich
    قباني|Kabbani, Qabbani
""")
_PK_MEN = _pool("""
    عمران|Imran
    عاصم|Asim, Aasim
    بلال|Bilal
    فیصل|Faisal, Faysal
    حسن|Hassan, Hasan
""")
_PK_WOMEN = _pool("""
    ثمینہ|Samina, Sameena
    عائشہ|Ayesha, Aisha
    صائمہ|Saima
    نادیہ|Nadia, Nadiya
""")
_PK_FAMILIES = _pool("""
    خان|Khan
    قریشی|Qureshi, Qureshy
    ملک|Malik
    چودھری|Chaudhry, Chaudhary
    بٹ|Butt
""")
_RU_MEN = _pool("""
    Алексей|Aleksei, Alexey, Aleksey
    Дмитрий|Dmitry, Dmitrii, Dmitriy
    Сергей|Sergei, Sergey
    Андрей|Andrei, Andrey
    Иван|Ivan
    Михаил|Mikhail, Michail
    Павел|Pavel
    Артём|Artyom, Artem, Artiom
""")
_RU_WOMEN = _pool("""
    Ольга|Olga
    Анна|Anna
    Екатерина|Ekaterina, Yekaterina
    Мария|Maria, Mariya
    Наталья|Natalia, Natalya
    Татьяна|Tatiana, Tatyana
    Юлия|Yulia, Julia, Iuliia
""")
# Russian surnames ending in -ов, -ев or -ин take an -а for women; the others never change.
_RU_FAMILIES = _pool("""
    Иванов|Ivanov
    Смирнов|Smirnov
    Кузнецов|Kuznetsov, Kuznetsow
    Соколов|Sokolov
    Лебедев|Lebedev
    Новиков|Novikov
    Морозов|Morozov
    Волков|Volkov
    Зайцев|Zaitsev, Zaytsev
    Шевчук|Shevchuk, Schewtschuk
    Кравченко|Kravchenko, Krawtschenko
    Ковальчук|Kovalchuk, Kowaltschuk
    Лукашевич|Lukashevich, Lukaschewitsch
""")
_TR_MEN = _pool("""
    Mehmet|Mehmet, Mehmed
    Mustafa|Mustafa
    Emre|Emre
    Gökhan|Gokhan, Goekhan
    Hüseyin|Huseyin, Hueseyin
    Murat|Murat
""")
_TR_WOMEN = _pool("""
    Ayşe|Ayse, Aysche
    Zeynep|Zeynep
    Elif|Elif
    Özlem|Ozlem, Oezlem
    Gülşen|Gulsen, Guelsen
""")
_TR_FAMILIES = _pool("""
    Yılmaz|Yilmaz
    Kaya|Kaya
    Demir|Demir
    Şahin|Sahin, Schahin
    Çelik|Celik, Tschelik
    Öztürk|Ozturk, Oeztuerk
    Aydın|Aydin
    Arslan|Arslan
""")


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
        _AF_MEN,
        _AF_WOMEN,
        _AF_FAMILIES,
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
        _AF_MEN,
        _AF_WOMEN,
        _IR_FAMILIES,
        Weighted([("fa", 90), ("en", 10)]),
        _DOCUMENTS,
        "K",
        ("Tehran", "Mashhad", "Isfahan", "Tabriz", "Shiraz", "تهران", "مشهد"),
        Weighted([("IR", 80), ("TR", 20)]),
    ),
    "SY": Nation(
        _SY_MEN,
        _SY_WOMEN,
        _SY_FAMILIES,
        Weighted([("ar", 92), ("en", 5), ("tr", 3)]),
        _DOCUMENTS,
        "N",
        ("Damascus", "Aleppo", "Homs", "Idlib", "Latakia", "دمشق", "حلب"),
        Weighted([("SY", 55), ("TR", 45)]),
    ),
    "PK": Nation(
        _PK_MEN,
        _PK_WOMEN,
        _PK_FAMILIES,
        Weighted([("en", 85), ("ps", 15)]),
        _DOCUMENTS,
        "A",
        ("Peshawar", "Quetta", "Karachi", "Lahore", "پشاور"),
        Weighted([("PK", 1)]),
    ),
    "RU": Nation(
        _RU_MEN,
        _RU_WOMEN,
        _RU_FAMILIES,
        Weighted([("ru", 90), ("en", 7), ("de", 3)]),
        _DOCUMENTS,
        "75",
        ("Moscow", "Saint Petersburg", "Kazan", "Yekaterinburg", "Москва", "Новосибирск"),
        Weighted([("RU", 55), ("TR", 30), ("BY", 5), ("DE", 10)]),
    ),
    "BY": Nation(
        _RU_MEN,
        _RU_WOMEN,
        _RU_FAMILIES,
        Weighted([("ru", 75), ("uk", 5), ("en", 15), ("de", 5)]),
        _DOCUMENTS,
        "MP",
        ("Minsk", "Grodno", "Brest", "Gomel", "Vitebsk", "Минск"),
        Weighted([("BY", 60), ("RU", 10), ("TR", 20), ("DE", 10)]),
    ),
    "TR": Nation(
        _TR_MEN,
        _TR_WOMEN,
        _TR_FAMILIES,
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
    "religious_ethnic_minority",
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
# The at-risk programme exists for the highest threats.
THREAT_LEVELS = {
    Programme.AT_RISK: Weighted(
        [
            (ThreatLevel.CRITICAL, 12),
            (ThreatLevel.HIGH, 33),
            (ThreatLevel.MODERATE, 38),
            (ThreatLevel.LOW, 17),
        ]
    ),
    Programme.LOCAL_STAFF: Weighted(
        [
            (ThreatLevel.CRITICAL, 5),
            (ThreatLevel.HIGH, 25),
            (ThreatLevel.MODERATE, 45),
            (ThreatLevel.LOW, 25),
        ]
    ),
}
THREAT_POINTS = {
    ThreatLevel.CRITICAL: 60,
    ThreatLevel.HIGH: 40,
    ThreatLevel.MODERATE: 20,
    ThreatLevel.LOW: 5,
}
SCREENING = Weighted(
    [
        (ScreeningStatus.CLEAR, 82),
        (ScreeningStatus.CONCERN, 12),
        (ScreeningStatus.HIT, 5),
        (ScreeningStatus.FAILED, 1),
    ]
)
# Families of one to ten, most of three to six.
FAMILY_SIZES = Weighted(
    [(1, 6), (2, 9), (3, 14), (4, 17), (5, 17), (6, 14), (7, 9), (8, 6), (9, 4), (10, 4)]
)


# --- plain records ---------------------------------------------------------------------------


@dataclass(slots=True)
class PersonPlan:
    relation: Relationship
    age: int
    female: bool
    lives_with_principal: bool | None = True
    document: IdentityDocument = IdentityDocument.PASSPORT
    sworn_declaration: bool = False
    sealed: dict[str, str | None] = field(default_factory=dict)


@dataclass(slots=True)
class CasePlan:
    """Everything one demo case holds, in plain text, before encryption."""

    programme: Programme
    nationality: str
    country_of_stay: str
    language: str
    people: list[PersonPlan]
    path: list[CaseStatus]
    moments: list[datetime]  # when the case was created, then reached each later status
    sealed: dict[str, Any]
    employments: list[dict[str, str | None]]


def _relative(rng: random.Random, relation: Relationship, age: int) -> PersonPlan:
    together = (relation == Relationship.CHILD and age < 18) or rng.random() < 0.55
    return PersonPlan(relation, max(0, min(age, 95)), rng.random() < 0.5, together)


def _minor_family(rng: random.Random, size: int, female: bool) -> list[PersonPlan]:
    """An unaccompanied minor: parents and minor siblings are core family here."""
    age = rng.randint(14, 17)
    parents = min(size - 1, rng.randint(1, 2))
    people = [PersonPlan(Relationship.PRINCIPAL, age, female)]
    for mother in (True, False)[:parents]:
        parent = _relative(rng, Relationship.PARENT, age + rng.randint(19, 40))
        parent.female = mother
        people.append(parent)
    people += [
        _relative(rng, Relationship.SIBLING, rng.randint(2, age + 6))
        for _ in range(size - 1 - parents)
    ]
    return people


def family(rng: random.Random, programme: Programme) -> list[PersonPlan]:
    """The principal and the family around them, with plausible relationships and ages.

    Core family is a spouse and minor children; parents, siblings and adult children are
    kept in the case for the hardship review.
    """
    size = FAMILY_SIZES.draw(rng)
    female = rng.random() < (0.08 if programme == Programme.LOCAL_STAFF else 0.45)
    if programme == Programme.AT_RISK and size > 2 and rng.random() < 0.02:
        return _minor_family(rng, size, female)
    remaining = size - 1
    partner = None
    if remaining and rng.random() < 0.88:
        relation = Relationship.REGISTERED_PARTNER if rng.random() < 0.02 else Relationship.SPOUSE
        partner, remaining = PersonPlan(relation, 0, not female), remaining - 1
    elders = min(remaining, rng.randint(1, 2)) if remaining and rng.random() < 0.12 else 0
    siblings = 1 if remaining > elders and rng.random() < 0.08 else 0
    children = remaining - elders - siblings
    # Old enough for the children: at least 19 at the first, about two years between them.
    youngest = max(24 if programme == Programme.LOCAL_STAFF else 19, 19 + 2 * children)
    age = int(rng.triangular(youngest, max(youngest, 68), max(youngest, 34)))
    people = [PersonPlan(Relationship.PRINCIPAL, age, female)]
    if partner:
        partner.age = max(18, age + rng.randint(-9, 4))
        people.append(partner)
    child_ages = sorted(rng.sample(range(age - 18), children), reverse=True)
    people += [_relative(rng, Relationship.CHILD, child_age) for child_age in child_ages]
    # Younger principals bring a parent; older ones a grandchild or another relative.
    people += [
        _relative(rng, Relationship.PARENT, age + rng.randint(19, 34))
        if age < 55
        else _relative(rng, Relationship.OTHER, rng.randint(0, 15))
        for _ in range(elders)
    ]
    people += [
        _relative(rng, Relationship.SIBLING, age + rng.randint(-12, 12)) for _ in range(siblings)
    ]
    return people


def _feminine(native: str | None, latin: str | None) -> tuple[str | None, str | None]:
    if native and latin and native.endswith(("ов", "ев", "ин")):
        return native + "а", latin + "a"
    return native, latin


def name_family(rng: random.Random, nationality: str, people: list[PersonPlan]) -> None:
    """Names in the family's own script and in Latin letters, spelt as their papers differ."""
    nation = NATIONS[nationality]
    family_native, family_spellings = rng.choice(nation.families)
    family_latin = rng.choice(family_spellings)
    # Many Afghans go by given names alone; their documents show no family name.
    nameless = nationality == "AF" and rng.random() < 0.06
    fathers: tuple[str | None, str | None] = (family_native, family_latin)
    for person in people:
        given, given_spellings = rng.choice(nation.women if person.female else nation.men)
        given_latin = rng.choice(given_spellings)
        if not person.female and nationality in ("AF", "PK") and rng.random() < 0.18:
            given, given_latin = f"محمد {given}", f"{rng.choice(MOHAMMAD)} {given_latin}"
        surname: tuple[str | None, str | None] = (family_native, family_latin)
        if person.relation in (Relationship.SPOUSE, Relationship.REGISTERED_PARTNER):
            if rng.random() < 0.5:  # kept their own family's name
                other, spellings = rng.choice(nation.families)
                surname = (other, rng.choice(spellings))
            if not person.female:  # children are named after their father
                fathers = surname
        elif person.relation == Relationship.CHILD and not nameless:
            surname = fathers
        elif nameless:
            surname = (None, None)
        elif rng.random() < 0.2:  # the same name, spelt differently on this member's papers
            surname = (family_native, rng.choice(family_spellings))
        if person.female and nationality in ("RU", "BY"):
            surname = _feminine(*surname)
        person.sealed.update(
            given_names=given,
            family_name=surname[0],
            given_names_latin=given_latin,
            family_name_latin=surname[1],
        )


def _birth_date(rng: random.Random, today: int, age: int) -> str:
    born = date.fromordinal(today - int(age * 365.25) - rng.randrange(365))
    # Many people know only the year, or the month, they were born in.
    precision = rng.random()
    if precision < 0.08:
        return f"{born.year}"
    if precision < 0.2:
        return f"{born.year}-{born.month:02d}"
    return born.isoformat()


def _document_number(rng: random.Random, kind: IdentityDocument, nation: Nation) -> str | None:
    number = rng.randrange
    if kind == IdentityDocument.NONE:
        return None
    if kind == IdentityDocument.E_TAZKIRA:
        return f"{number(1398, 1404)}-{number(100, 3500):04d}-{number(100000):05d}"
    if kind == IdentityDocument.PAPER_TAZKIRA:  # volume, page and entry of the register
        return f"J{number(1, 400)}/S{number(1, 300)}/N{number(1, 9000)}"
    if kind == IdentityDocument.PASSPORT:
        return f"{nation.passport_prefix}{number(10_000_000, 99_999_999)}"
    return f"ID-{number(10**9):09d}"


def document_family(
    rng: random.Random, nation: Nation, people: list[PersonPlan], today: int, stay: str
) -> None:
    """Birth dates, places and identity papers; sworn declarations where papers are missing."""
    home = rng.choice(PLACES_OF_STAY[stay])
    for person in people:
        kind = nation.documents.draw(rng)
        if person.age < 16 and kind == IdentityDocument.PASSPORT and rng.random() < 0.5:
            kind = IdentityDocument.NONE  # children often have no papers of their own
        person.document = kind
        person.sworn_declaration = (
            kind == IdentityDocument.NONE and person.age >= 18 and rng.random() < 0.75
        )
        names = (person.sealed["given_names_latin"], person.sealed["family_name_latin"])
        together = person.lives_with_principal or person.relation == Relationship.PRINCIPAL
        person.sealed.update(
            birth_date=_birth_date(rng, today, person.age),
            place_of_birth=rng.choice(nation.cities),
            place_of_stay=home if together else rng.choice(PLACES_OF_STAY[stay]),
            document_number=_document_number(rng, kind, nation),
            # Under a sworn declaration the person types their name as a signature.
            declaration_signature=(
                " ".join(filter(None, names)) if person.sworn_declaration else None
            ),
        )


def _contact(rng: random.Random, country: str, principal: PersonPlan) -> dict[str, str]:
    phone = "".join(str(rng.randrange(10)) if c == "#" else c for c in PHONE_FORMATS[country])
    contact = {"phone": phone}
    if rng.random() < 0.35:
        handle = str(principal.sealed["given_names_latin"]).split()[-1].lower()
        contact["email"] = f"{handle}.{rng.randrange(100, 9999)}@example.org"
    if messenger := MESSENGERS.draw(rng):
        contact["messenger"] = messenger
    return contact


def _threat(rng: random.Random, risks: list[str], written: datetime) -> str:
    return " ".join(
        line.format(
            month=rng.choice(MONTHS),
            year=rng.randint(2019, written.year),
            risk=(risks[0] if risks else "interpreter").replace("_", " "),
        )
        for line in rng.sample(THREATS, rng.randint(1, 3))
    )


def _month(index: int) -> str:
    return f"{index // 12}-{index % 12 + 1:02d}"


def employments(rng: random.Random, born: int) -> list[dict[str, str | None]]:
    """One to three periods of work for German institutions, one after the other, as an adult."""
    jobs: list[dict[str, str | None]] = []
    first = max(2003, born + 18) * 12
    month = rng.randrange(first, max(first + 1, 2019 * 12))
    for _ in range(JOB_COUNT.draw(rng)):
        employer, places = EMPLOYERS.draw(rng)
        start, month = month, min(month + rng.randint(6, 96), LAST_EMPLOYMENT_MONTH)
        jobs.append(
            {
                "employer": employer,
                "place": rng.choice(places),
                "started_on": _month(start),
                "ended_on": _month(month),
                "role": rng.choice(ROLES),
                "staff_number": f"{employer[:3].upper()}-{rng.randrange(10000, 99999)}",
                "supervisor": (
                    f"{rng.choice(SUPERVISOR_TITLES + SUPERVISOR_NAMES)} "
                    f"{rng.choice(SUPERVISOR_FAMILIES)}"
                ),
            }
        )
        month += rng.randint(0, 18)
        if month >= LAST_EMPLOYMENT_MONTH:
            break
    return jobs


def lifecycle_path(rng: random.Random) -> list[CaseStatus]:
    """A valid way through the lifecycle to a final status, loops included."""
    final = FINAL_STATUSES.draw(rng)
    target = WITHDRAWN_FROM.draw(rng) if final == S.WITHDRAWN else final
    path = [S.DRAFT]
    for status in (S.SUBMITTED, S.SCREENING, S.IN_REVIEW):
        if path[-1] != target:
            path.append(status)
    if path[-1] != target:
        # Information requests go back and forth; some proposals are returned for review.
        for _ in range(INFO_ROUNDS.draw(rng)):
            path += [S.INFO_REQUESTED, S.IN_REVIEW]
        if target == S.INFO_REQUESTED:
            path.append(S.INFO_REQUESTED)
        else:
            if rng.random() < 0.1:
                path += [S.DECISION_PROPOSED, S.IN_REVIEW]
            path.append(S.DECISION_PROPOSED)
            if target != S.DECISION_PROPOSED:
                path.append(S.REJECTED if target == S.REJECTED else S.ADMITTED)
            for status in (S.VISA_ISSUED, S.ARRIVED):
                if path[-1] in (S.ADMITTED, S.VISA_ISSUED) and path[-1] != target:
                    path.append(status)
    if final == S.WITHDRAWN:
        path.append(S.WITHDRAWN)
    return path


def timeline(rng: random.Random, path: list[CaseStatus], now: datetime) -> list[datetime]:
    """When the case was created and reached each later status: increasing, before now."""
    steps = [
        timedelta(days=rng.uniform(*STEP_DAYS.get(move, WITHDRAW_DAYS)))  # others withdraw
        for move in zip(path, path[1:], strict=False)
    ]
    total = sum(steps, timedelta())
    # Recent activity is more common than old: square a uniform number to skew it.
    spare = max(timedelta(), now - EARLIEST - total - timedelta(days=1))
    if len(path) == 1:
        spare = min(spare, DRAFTS_KEPT)
    moments = [now - timedelta(hours=1) - spare * rng.random() ** 2 - total]
    for step in steps:
        moments.append(moments[-1] + step)
    return moments


def plan_case(rng: random.Random, now: datetime) -> CasePlan:
    nationality = NATIONALITIES.draw(rng)
    nation = NATIONS[nationality]
    # Only in Afghanistan did German institutions employ local staff on this scale.
    local_staff = nationality == "AF" and rng.random() < 0.55
    programme = Programme.LOCAL_STAFF if local_staff else Programme.AT_RISK
    stay = nation.stay.draw(rng)
    path = lifecycle_path(rng)
    moments = timeline(rng, path, now)
    created = moments[0]  # ages, dates and stories are as of the day the case was started
    people = family(rng, programme)
    name_family(rng, nationality, people)
    document_family(rng, nation, people, created.toordinal(), stay)
    sealed: dict[str, Any] = {"contact": _contact(rng, stay, people[0])}
    if programme == Programme.AT_RISK:
        risks = rng.sample(RISKS, RISK_COUNT.draw(rng))
        sealed.update(risk_profile=risks, threat_description=_threat(rng, risks, created))
    elif rng.random() < 0.4:  # local staff may describe their threat too
        sealed["threat_description"] = _threat(rng, [], created)
    born = created.year - people[0].age
    return CasePlan(
        programme=programme,
        nationality=nationality,
        country_of_stay=stay,
        language=nation.languages.draw(rng),
        people=people,
        path=path,
        moments=moments,
        sealed=sealed,
        employments=employments(rng, born) if local_staff else [],
    )


# --- keys and encryption ---------------------------------------------------------------------


@dataclass(frozen=True)
class DemoKeys:
    """Plain bytes, so they cross into worker processes; never stored or logged."""

    intake_version: int
    intake_public: bytes
    access_kek: bytes  # derived once, with scrypt, from the demo access code and salt
    salt: bytes
    scrypt_n: int

    def __repr__(self) -> str:
        return f"DemoKeys(intake_version={self.intake_version}, <keys hidden>)"


def _sealed_columns(model: type[Base], names: str) -> tuple[Sealed[Any], ...]:
    """The model's own Sealed descriptors: their name is the column, their codec the bytes."""
    descriptors = tuple(vars(model)[name] for name in names.split())
    if not all(isinstance(descriptor, Sealed) for descriptor in descriptors):
        raise TypeError(f"{model.__name__}: not every name is a sealed attribute")
    return descriptors


CASE_SEALED = _sealed_columns(Case, "contact risk_profile threat_description")
PERSON_SEALED = _sealed_columns(
    Person,
    "given_names family_name given_names_latin family_name_latin birth_date place_of_birth "
    "place_of_stay document_number declaration_signature",
)
EMPLOYMENT_SEALED = _sealed_columns(
    Employment, "employer place started_on ended_on role staff_number supervisor"
)


def seal_values(
    cipher: crypto.FieldCipher,
    table: str,
    row_id: uuid.UUID,
    descriptors: tuple[Sealed[Any], ...],
    values: dict[str, Any],
) -> list[bytes | None]:
    """What ``row.<name> = value`` stores for each descriptor, without an ORM object."""
    sealed: list[bytes | None] = []
    for descriptor in descriptors:
        value = values.get(descriptor.name)
        if value is None:
            sealed.append(None)
            continue
        context = crypto.field_context(table, descriptor.name, row_id)
        sealed.append(cipher.encrypt(descriptor.codec.encode(value), context=context))
    return sealed


def key_wrap_rows(
    case_id: uuid.UUID, data_key: bytes, keys: DemoKeys, created: datetime
) -> list[Row]:
    """The data key sealed for intake and wrapped for the demo access code, as custody does."""
    # custody.seal_for_intake reads the key ring from the app; workers get the public key.
    sealed = crypto.seal_to_public_key(
        data_key,
        keys.intake_public,
        context=custody._context(case_id, custody.CASE, custody.INTAKE),
    )
    coded = custody.wrap_under_derived_key(
        case_id, data_key, keys.access_kek, salt=keys.salt, cost=crypto.ScryptCost(n=keys.scrypt_n)
    )
    return [
        (uuid.uuid4(), case_id, custody.CASE, custody.INTAKE, keys.intake_version)
        + (None, None, sealed, created),
        (uuid.uuid4(), case_id, coded.scope, coded.method, None)
        + (coded.salt, coded.scrypt_n, coded.wrapped, created),
    ]


# --- rows ------------------------------------------------------------------------------------


def _columns(clear: str, sealed: tuple[Sealed[Any], ...] = ()) -> tuple[str, ...]:
    return (*clear.split(), *(descriptor.name for descriptor in sealed))


# The order of the tables is the order the foreign keys need.
COLUMNS: dict[str, tuple[str, ...]] = {
    Case.__tablename__: _columns(
        "id reference programme status language nationality country_of_stay people_count "
        "identity_to_be_clarified threat_level screening_status priority_score assignee_id "
        "created_at submitted_at status_changed_at row_version",
        CASE_SEALED,
    ),
    Person.__tablename__: _columns(
        "id case_id position relation lives_with_principal nationality identity_document "
        "sworn_declaration created_at",
        PERSON_SEALED,
    ),
    Employment.__tablename__: _columns("id case_id position created_at", EMPLOYMENT_SEALED),
    KeyWrap.__tablename__: _columns(
        "id case_id scope method key_version salt scrypt_n wrapped created_at"
    ),
    CaseTransition.__tablename__: _columns(
        "id case_id from_status to_status at actor_kind actor_id"
    ),
}


@dataclass(frozen=True)
class StaffIds:
    """Demo staff accounts to name in histories, when ``staff`` commands have made some."""

    caseworkers: tuple[uuid.UUID, ...] = ()
    deciders: tuple[uuid.UUID, ...] = ()


@dataclass
class Batch:
    rows: dict[str, list[Row]] = field(default_factory=lambda: {name: [] for name in COLUMNS})
    samples: dict[str, str] = field(default_factory=dict)  # status -> a reference


def _mover(
    rng: random.Random, old: CaseStatus, new: CaseStatus, staff: StaffIds
) -> tuple[str, uuid.UUID | None]:
    """Who made a move: the applicant, the intake job, a caseworker or a decider."""
    if new in (S.SUBMITTED, S.WITHDRAWN) or (old, new) == (S.INFO_REQUESTED, S.IN_REVIEW):
        return ActorKind.APPLICANT.value, None  # submitted, withdrew, answered a request
    if new == S.SCREENING or (old, new) == (S.SCREENING, S.IN_REVIEW):
        return ActorKind.SYSTEM.value, None
    # Deciders confirm and return proposals; caseworkers do the rest.
    decides = new in (S.ADMITTED, S.REJECTED) or old == S.DECISION_PROPOSED
    pool = staff.deciders if decides else staff.caseworkers
    return ActorKind.STAFF.value, rng.choice(pool) if pool else None


def _risk(rng: random.Random, plan: CasePlan) -> tuple[str, str, int]:
    """Threat, screening and a priority that follows them, once the intake job has run."""
    if S.IN_REVIEW not in plan.path:
        return ThreatLevel.UNASSESSED.value, ScreeningStatus.PENDING.value, 0
    threat = THREAT_LEVELS[plan.programme].draw(rng)
    minors = sum(1 for person in plan.people if person.age < 18)
    priority = THREAT_POINTS[threat] + 3 * min(minors, 5) + rng.randint(0, 15)
    return threat.value, SCREENING.draw(rng).value, priority


def add_case(
    rng: random.Random, batch: Batch, keys: DemoKeys, staff: StaffIds, now: datetime
) -> None:
    """Plan one case, encrypt it under a fresh data key, and add its rows to the batch."""
    plan = plan_case(rng, now)
    moments = plan.moments
    created, status = moments[0], plan.path[-1]
    case_id, data_key = uuid.uuid4(), crypto.new_data_key()
    cipher = crypto.FieldCipher(data_key)
    reference = codes.new_reference()
    threat, screening, priority = _risk(rng, plan)
    waiting_for_staff = status in (S.IN_REVIEW, S.INFO_REQUESTED, S.DECISION_PROPOSED)
    batch.rows[Case.__tablename__].append(
        (
            case_id,
            reference,
            plan.programme.value,
            status.value,
            plan.language,
            plan.nationality,
            plan.country_of_stay,
            len(plan.people),
            any(person.sworn_declaration for person in plan.people),
            threat,
            screening,
            priority,
            rng.choice(staff.caseworkers) if waiting_for_staff and staff.caseworkers else None,
            created,
            moments[1] if plan.path[1:2] == [S.SUBMITTED] else None,
            moments[-1],
            1,  # row_version: the ORM's optimistic lock counts from here
            *seal_values(cipher, Case.__tablename__, case_id, CASE_SEALED, plan.sealed),
        )
    )
    for position, person in enumerate(plan.people):
        person_id = uuid.uuid4()
        batch.rows[Person.__tablename__].append(
            (
                person_id,
                case_id,
                position,
                person.relation.value,
                person.lives_with_principal if position else None,
                plan.nationality,
                person.document.value,
                person.sworn_declaration,
                created + timedelta(minutes=position),
                *seal_values(cipher, Person.__tablename__, person_id, PERSON_SEALED, person.sealed),
            )
        )
    for position, job in enumerate(plan.employments):
        job_id = uuid.uuid4()
        batch.rows[Employment.__tablename__].append(
            (
                job_id,
                case_id,
                position,
                created + timedelta(minutes=position),
                *seal_values(cipher, Employment.__tablename__, job_id, EMPLOYMENT_SEALED, job),
            )
        )
    batch.rows[KeyWrap.__tablename__] += key_wrap_rows(case_id, data_key, keys, created)
    batch.rows[CaseTransition.__tablename__] += [
        (uuid.uuid4(), case_id, old.value, new.value, at, *_mover(rng, old, new, staff))
        for old, new, at in zip(plan.path, plan.path[1:], moments[1:], strict=False)
    ]
    batch.samples.setdefault(status.value, reference)


# --- writing ---------------------------------------------------------------------------------


def _postgres_type(table: Table, column: str) -> str:
    """The PostgreSQL type binary COPY must encode a column's values as."""
    kind = table.c[column].type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    for sa_type, name in (
        (Uuid, "uuid"),
        (String, "varchar"),  # enum columns too: they are VARCHARs here
        (Boolean, "bool"),
        (BigInteger, "int8"),
        (Integer, "int4"),
        (DateTime, "timestamptz"),
        (LargeBinary, "bytea"),
        (JSON, "json"),
    ):
        if isinstance(kind, sa_type):
            return name
    raise TypeError(f"no COPY type for {table.name}.{column}")


def _copy(connection: Connection, table: str, columns: Sequence[str], rows: list[Row]) -> None:
    """Binary COPY: no SQL parsing per row and no hex-encoding of ciphertexts."""
    types = [_postgres_type(Base.metadata.tables[table], column) for column in columns]
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    driver: Any = connection.connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        copy.set_types(types)
        for row in rows:
            copy.write_row(row)


def _insert(connection: Connection, table: str, columns: Sequence[str], rows: list[Row]) -> None:
    connection.execute(
        Base.metadata.tables[table].insert(),
        [dict(zip(columns, row, strict=True)) for row in rows],
    )


def write_batch(engine: Engine, batch: Batch) -> None:
    """Write one batch in one transaction: COPY on PostgreSQL, executemany elsewhere."""
    write = _copy if engine.dialect.name == "postgresql" else _insert
    with engine.begin() as connection:
        for table, columns in COLUMNS.items():
            if batch.rows[table]:
                write(connection, table, columns, batch.rows[table])


# --- batches and workers ---------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """What every batch needs, as plain values that can be sent to a worker process."""

    database_url: str
    keys: DemoKeys
    staff: StaffIds
    now: datetime
    random_seed: int | None

    def __repr__(self) -> str:  # the URL may hold a password
        return f"Job(now={self.now.isoformat()}, random_seed={self.random_seed})"


@dataclass(frozen=True)
class BatchResult:
    count: int
    samples: dict[str, str]


def make_engine(url: str) -> Engine:
    # SQLite has one writer at a time: the other processes wait for it instead of failing.
    options = {"connect_args": {"timeout": 300}} if url.startswith("sqlite") else {}
    return create_engine(url, **options)


def seed_batch(job: Job, engine: Engine, index: int, size: int) -> BatchResult:
    """Generate, encrypt and commit one batch.

    With a random seed the content depends only on it and the batch index, whatever
    process runs the batch; keys, nonces, ids and references are always fresh randomness.
    """
    # Invented content only: nothing secret comes from this generator.
    rng = random.Random(  # noqa: S311
        None if job.random_seed is None else f"{job.random_seed}:{index}"
    )
    batch = Batch()
    for _ in range(size):
        add_case(rng, batch, job.keys, job.staff, job.now)
    write_batch(engine, batch)
    return BatchResult(size, batch.samples)


_worker: tuple[Job, Engine] | None = None


def _start_worker(job: Job) -> None:
    """Pool initializer: each process opens its own connections, never its parent's."""
    global _worker
    _worker = (job, make_engine(job.database_url))


def _seed_in_worker(task: tuple[int, int]) -> BatchResult:
    if _worker is None:
        raise RuntimeError("worker process not initialised")
    return seed_batch(*_worker, *task)


def run_batches(job: Job, tasks: list[tuple[int, int]], workers: int) -> Iterator[BatchResult]:
    """Run the batches here (one worker) or in a pool of processes, yielding as they finish."""
    if workers == 1:
        engine = make_engine(job.database_url)
        try:
            for index, size in tasks:
                yield seed_batch(job, engine, index, size)
        finally:
            engine.dispose()
        return
    with multiprocessing.Pool(workers, initializer=_start_worker, initargs=(job,)) as pool:
        yield from pool.imap_unordered(_seed_in_worker, tasks)


# --- the command -----------------------------------------------------------------------------


@dataclass
class SeedReport:
    count: int
    seconds: float
    access_code: str
    samples: dict[str, str]  # status -> a reference of a case in it

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0


def _demo_keys(access_code: str) -> DemoKeys:
    version, public = custody.keyring().current_intake_public()
    cost = crypto.ScryptCost(n=current_app.config["PORTAL_SCRYPT_N"])
    salt = crypto.new_salt()
    kek = crypto.derive_access_code_key(access_code, salt, cost)
    return DemoKeys(version, public, kek, salt, cost.n)


def _staff_ids() -> StaffIds:
    def ids(role: Role) -> tuple[uuid.UUID, ...]:
        query = (
            select(StaffUser.id)
            .join(StaffRole)
            .where(StaffRole.role == role, StaffUser.active.is_(True))
            .order_by(StaffUser.id)
        )
        return tuple(db.session.scalars(query))

    return StaffIds(caseworkers=ids(Role.CASEWORKER), deciders=ids(Role.DECIDER))


class Progress:
    """Prints how far seeding is, at most every few seconds, and the rate so far."""

    def __init__(self, echo: Callable[[str], None], total: int, every: float = 5.0) -> None:
        self.echo, self.total, self.every = echo, total, every
        self.done, self.started, self.shown = 0, time.perf_counter(), 0.0

    def advance(self, count: int) -> None:
        self.done += count
        elapsed = time.perf_counter() - self.started
        if elapsed - self.shown >= self.every or self.done == self.total:
            self.shown = elapsed
            rate = self.done / elapsed if elapsed else 0.0
            self.echo(f"  {self.done:>10,} / {self.total:,} cases  ({rate:,.0f} cases/s)")


def _prepare(random_seed: int | None) -> tuple[Job, str]:
    """The job every batch shares, and the one access code that opens every demo case."""
    access_code = codes.new_access_code()
    job = Job(
        database_url=db.engine.url.render_as_string(hide_password=False),
        keys=_demo_keys(access_code),
        staff=_staff_ids(),
        now=utcnow(),
        random_seed=random_seed,
    )
    db.session.commit()  # end the read above: on SQLite it would block the writers
    return job, access_code


def seed(
    count: int,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    workers: int | None = None,
    random_seed: int | None = None,
    echo: Callable[[str], None] = click.echo,
) -> SeedReport:
    """Create ``count`` demo cases that all open with one access code, printed at the end."""
    if current_app.config["PORTAL_ENV"] == "production":
        raise click.ClickException("demo data is never seeded in production")
    if count < 1 or batch_size < 1:
        raise click.ClickException("the number of cases and the batch size must be positive")
    started = time.perf_counter()
    job, access_code = _prepare(random_seed)
    tasks = [
        (index, min(batch_size, count - first))
        for index, first in enumerate(range(0, count, batch_size))
    ]
    workers = max(1, min(workers or os.cpu_count() or 1, len(tasks)))
    if workers > 1:
        # Forked workers must not inherit pooled connections: they open their own.
        db.session.close()
        db.engine.dispose()
    echo(f"Seeding {count:,} demo cases: {len(tasks):,} batches, {workers} process(es)")
    progress = Progress(echo, count)
    samples: dict[str, str] = {}
    for result in run_batches(job, tasks, workers):
        progress.advance(result.count)
        samples = result.samples | samples  # keep the first reference seen for each status
    # One event for the whole run: the cases are invented, their creation is one act.
    record_event(db.session, "demo.seeded", actor_kind=ActorKind.SYSTEM, count=str(count))
    db.session.commit()
    report = SeedReport(count, time.perf_counter() - started, access_code, samples)
    _print_summary(echo, report)
    return report


def _print_summary(echo: Callable[[str], None], report: SeedReport) -> None:
    echo(
        f"Seeded {report.count:,} demo cases in {report.seconds:,.1f} s "
        f"({report.rate:,.0f} cases/s)."
    )
    echo("Development only: every demo case opens with this access code and its reference:")
    echo(f"  access code  {codes.grouped(report.access_code)}")
    for status in CaseStatus:
        if reference := report.samples.get(status.value):
            echo(f"  {status.value:<18} {codes.grouped(reference)}")
