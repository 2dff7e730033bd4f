"""Demonstration cases, encrypted exactly like real ones but written in bulk.

``flask --app wsgi demo seed --cases N`` fills a development database with N invented
applications: families of one to ten people named in their own script and in Latin letters,
both programmes, and every stage of the lifecycle with its history. No name, number or
story belongs to a real person.

What is stored is what the real code stores: each case has its own random data key, sealed
to the current intake public key and wrapped for an access code, and every personal value
is AES-GCM ciphertext made by ``FieldCipher.encrypt`` with ``field_context(table, column,
row id)``, the column being the ``Sealed`` descriptor's name. The speed (a million cases in
minutes) comes from three shortcuts that do not change that:

- rows are plain tuples written with COPY on PostgreSQL (Core executemany on SQLite), never
  ORM objects, in batches that each commit, so an interrupted run keeps what it wrote;
- worker processes each generate and write their own batches;
- every demo case shares ONE access code, so scrypt runs once, not once per case. That is
  the one thing no real case does, and why this command refuses to run in production.
"""

import multiprocessing
import os
import random
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

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
from portal.cases.lifecycle import ALLOWED
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
Row = tuple[Any, ...]
# Demo histories start after August 2021, when the admission programmes began.
EARLIEST = datetime(2021, 9, 1, tzinfo=utcnow().tzinfo)
DEFAULT_BATCH_SIZE = 2000
SAMPLE_REFERENCES = 5


# --- vocabulary ------------------------------------------------------------------------------
# Each entry is "native|Latin spelling, another spelling": a person's name is stored in their
# own script and in one of the Latin spellings their documents might use.


def _pool(text: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
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

Names = tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class Nation:
    """How people of one nationality are named, documented and reached."""

    men: Names
    women: Names
    families: Names
    languages: tuple[tuple[str, int], ...]
    documents: tuple[tuple[IdentityDocument, int], ...]
    document_prefix: str
    cities: tuple[str, ...]  # places of birth
    stay: tuple[tuple[str, int], ...]  # countries of stay and their weights


_TAZKIRA = ((IdentityDocument.E_TAZKIRA, 30), (IdentityDocument.PAPER_TAZKIRA, 25))
_ID_CARD = ((IdentityDocument.PASSPORT, 55), (IdentityDocument.NATIONAL_ID, 40))
_NO_DOCUMENT = ((IdentityDocument.NONE, 3), (IdentityDocument.OTHER, 2))
NATIONS: dict[str, Nation] = {
    "AF": Nation(
        _AF_MEN,
        _AF_WOMEN,
        _AF_FAMILIES,
        (("fa_AF", 58), ("ps", 35), ("en", 5), ("de", 2)),
        ((IdentityDocument.PASSPORT, 40), *_TAZKIRA, *_NO_DOCUMENT),
        "P",
        ("Kabul", "Mazar-i-Sharif", "Herat", "Kandahar", "Jalalabad", "Kunduz", "Bamyan")
        + ("Ghazni", "Khost", "Faizabad", "Pul-e Khumri", "Lashkar Gah", "کابل", "مزار شریف"),
        (("AF", 62), ("PK", 20), ("IR", 11), ("TR", 5), ("DE", 2)),
    ),
    "IR": Nation(
        _AF_MEN,
        _AF_WOMEN,
        _IR_FAMILIES,
        (("fa", 90), ("en", 10)),
        (*_ID_CARD, *_NO_DOCUMENT),
        "K",
        ("Tehran", "Mashhad", "Isfahan", "Tabriz", "Shiraz", "تهران", "مشهد"),
        (("IR", 80), ("TR", 20)),
    ),
    "SY": Nation(
        _SY_MEN,
        _SY_WOMEN,
        _SY_FAMILIES,
        (("ar", 92), ("en", 5), ("tr", 3)),
        (*_ID_CARD, *_NO_DOCUMENT),
        "N",
        ("Damascus", "Aleppo", "Homs", "Idlib", "Latakia", "دمشق", "حلب"),
        (("SY", 55), ("TR", 45)),
    ),
    "PK": Nation(
        _PK_MEN,
        _PK_WOMEN,
        _PK_FAMILIES,
        (("en", 85), ("ps", 15)),
        (*_ID_CARD, *_NO_DOCUMENT),
        "A",
        ("Peshawar", "Quetta", "Karachi", "Lahore", "پشاور"),
        (("PK", 100),),
    ),
    "RU": Nation(
        _RU_MEN,
        _RU_WOMEN,
        _RU_FAMILIES,
        (("ru", 90), ("en", 7), ("de", 3)),
        (*_ID_CARD, *_NO_DOCUMENT),
        "75",
        ("Moscow", "Saint Petersburg", "Kazan", "Yekaterinburg", "Москва", "Новосибирск"),
        (("RU", 55), ("TR", 30), ("BY", 5), ("DE", 10)),
    ),
    "BY": Nation(
        _RU_MEN,
        _RU_WOMEN,
        _RU_FAMILIES,
        (("ru", 75), ("uk", 5), ("en", 15), ("de", 5)),
        (*_ID_CARD, *_NO_DOCUMENT),
        "MP",
        ("Minsk", "Grodno", "Brest", "Gomel", "Vitebsk", "Минск"),
        (("BY", 60), ("RU", 10), ("TR", 20), ("DE", 10)),
    ),
    "TR": Nation(
        _TR_MEN,
        _TR_WOMEN,
        _TR_FAMILIES,
        (("tr", 90), ("de", 5), ("en", 5)),
        (*_ID_CARD, *_NO_DOCUMENT),
        "U",
        ("Istanbul", "Ankara", "Izmir", "Diyarbakır", "Van"),
        (("TR", 100),),
    ),
}
NATIONALITIES = (("AF", 78), ("IR", 6), ("SY", 5), ("RU", 5), ("BY", 2), ("TR", 3), ("PK", 1))
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
PHONE_FORMATS = {
    "AF": "+93 7{} {}{}{} {}{}{}{}",
    "PK": "+92 3{}{} {}{}{}{}{}{}{}",
    "IR": "+98 9{}{} {}{}{} {}{}{}{}",
    "TR": "+90 5{}{} {}{}{} {}{} {}{}",
    "SY": "+963 9{}{} {}{}{} {}{}{}",
    "RU": "+7 9{}{} {}{}{}-{}{}-{}{}",
    "BY": "+375 29 {}{}{}-{}{}-{}{}",
    "DE": "+49 15{}{} {}{}{}{}{}{}{}",
}
MESSENGERS = (("Signal", 5), ("WhatsApp", 6), ("Telegram", 3), (None, 6))
RISKS = (
    ("journalist", 14),
    ("human_rights_defender", 12),
    ("womens_rights_activist", 12),
    ("judge_prosecutor", 5),
    ("lgbtqi", 4),
    ("religious_ethnic_minority", 12),
    ("politician_official", 10),
    ("military_police", 14),
    ("academic_artist", 9),
    ("other", 8),
)
# Who threatens, and how, in the applicant's words; in English, German or Dari.
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
# Employers of local staff, where they worked, as what, and how staff numbers look.
EMPLOYERS = (
    ("bundeswehr", 35, ("Camp Marmal", "PRT Kunduz", "PRT Feyzabad", "Camp Warehouse Kabul")),
    ("giz", 25, ("GIZ Kabul", "GIZ Mazar-i-Sharif", "GIZ Herat", "GIZ Kunduz")),
    ("auswaertiges_amt", 10, ("Deutsche Botschaft Kabul", "Generalkonsulat Mazar-i-Sharif")),
    ("bundespolizei", 8, ("GPPT Kabul", "GPPT Mazar-i-Sharif")),
    ("kfw", 5, ("KfW Kabul",)),
    ("political_foundation", 5, ("Kabul office",)),
    ("other", 12, ("Kabul", "Mazar-i-Sharif", "Herat")),
)
ROLES = ("Sprachmittler", "Interpreter", "Fahrer", "Driver", "Wachmann", "Security guard")
ROLES += ("Projektassistent", "Project officer", "Ingenieur", "IT-Techniker", "Koch", "Logistik")
SUPERVISOR_NAMES = ("Anke", "Jörg", "Birte", "Henning", "Katrin", "Ulf", "Sabine", "Torsten")
SUPERVISOR_FAMILIES = ("Bergmann", "Lindqvist", "Oltmanns", "Kessler-Weiß", "Hagedorn", "Renner")
SUPERVISOR_TITLES = ("Hauptmann", "Major", "Oberstleutnant", "Frau Dr.", "Herr", "Frau")

# How a case's final status is spread: most wait in review, many have arrived.
FINAL_STATUSES = (
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
)
# The state a withdrawn case was in when the applicant withdrew.
WITHDRAWN_FROM = ((S.DRAFT, 30), (S.SUBMITTED, 5), (S.IN_REVIEW, 40), (S.INFO_REQUESTED, 15))
WITHDRAWN_FROM += ((S.DECISION_PROPOSED, 3), (S.ADMITTED, 5), (S.VISA_ISSUED, 2))
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
# Who makes each move; staff moves get a staff id when demo staff accounts exist.
APPLICANT_MOVES = {S.SUBMITTED, S.WITHDRAWN}
SYSTEM_MOVES = {S.SCREENING}
DECIDER_MOVES = {S.ADMITTED, S.REJECTED}
# Threat weights per programme: the at-risk programme exists for the highest threats.
THREATS_BY_PROGRAMME = {
    Programme.AT_RISK: ((ThreatLevel.CRITICAL, 12), (ThreatLevel.HIGH, 33))
    + ((ThreatLevel.MODERATE, 38), (ThreatLevel.LOW, 17)),
    Programme.LOCAL_STAFF: ((ThreatLevel.CRITICAL, 5), (ThreatLevel.HIGH, 25))
    + ((ThreatLevel.MODERATE, 45), (ThreatLevel.LOW, 25)),
}
THREAT_POINTS = {
    ThreatLevel.CRITICAL: 60,
    ThreatLevel.HIGH: 40,
    ThreatLevel.MODERATE: 20,
    ThreatLevel.LOW: 5,
}
SCREENING = ((ScreeningStatus.CLEAR, 82), (ScreeningStatus.CONCERN, 12))
SCREENING += ((ScreeningStatus.HIT, 5), (ScreeningStatus.FAILED, 1))
# Families of one to ten, most of three to six.
FAMILY_SIZES = ((1, 6), (2, 9), (3, 14), (4, 17), (5, 17), (6, 14), (7, 9), (8, 6), (9, 4), (10, 4))


def _weighted(pairs: Sequence[tuple[Any, int]]) -> tuple[list[Any], list[int]]:
    """Split (value, weight) pairs and accumulate the weights, as random.choices wants."""
    values, cumulative, total = [], [], 0
    for value, weight in pairs:
        values.append(value)
        total += weight
        cumulative.append(total)
    return values, cumulative


class Picker:
    """Weighted choices with the cumulative weights computed once, not for every row."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._tables: dict[int, tuple[list[Any], list[int]]] = {}

    def pick(self, pairs: Sequence[tuple[Any, int]]) -> Any:
        table = self._tables.get(id(pairs))
        if table is None:
            table = self._tables[id(pairs)] = _weighted(pairs)
        return self.rng.choices(table[0], cum_weights=table[1])[0]

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability


# --- plain records ----------------------------------------------------------------------------


@dataclass(slots=True)
class PersonPlan:
    relation: Relationship
    age: int
    female: bool
    lives_with_principal: bool | None = True
    sealed: dict[str, str | None] = field(default_factory=dict)
    document: IdentityDocument = IdentityDocument.PASSPORT
    sworn_declaration: bool = False


@dataclass(slots=True)
class CasePlan:
    programme: Programme
    nationality: str
    country_of_stay: str
    language: str
    people: list[PersonPlan]
    path: list[CaseStatus]
    sealed: dict[str, Any]
    employments: list[dict[str, str | None]]


def _family_shape(pick: Picker, programme: Programme) -> tuple[int, list[PersonPlan]]:
    """The principal's age and the family around them, with plausible relationships.

    Core family is spouse and minor children; parents, siblings and adult children are the
    cases a caseworker reviews for hardship. A few principals are unaccompanied minors,
    whose parents and minor siblings are core family.
    """
    rng = pick.rng
    size = pick.pick(FAMILY_SIZES)
    female = pick.chance(0.08 if programme == Programme.LOCAL_STAFF else 0.45)
    if programme == Programme.AT_RISK and size > 2 and pick.chance(0.02):
        age = rng.randint(14, 17)
        parents = min(size - 1, rng.randint(1, 2))
        members = [_relative(pick, Relationship.PARENT, age + rng.randint(19, 40)) for _ in "ab"]
        members = members[:parents]
        members += [
            _relative(pick, Relationship.SIBLING, rng.randint(2, age + 6))
            for _ in range(size - 1 - parents)
        ]
        return age, [PersonPlan(Relationship.PRINCIPAL, age, female), *members]
    members = []
    remaining = size - 1
    if remaining and pick.chance(0.88):
        partner = Relationship.REGISTERED_PARTNER if pick.chance(0.02) else Relationship.SPOUSE
        members.append(PersonPlan(partner, 0, not female))
        remaining -= 1
    parents = min(remaining, rng.randint(1, 2)) if remaining and pick.chance(0.12) else 0
    siblings = min(remaining - parents, 1) if remaining > parents and pick.chance(0.08) else 0
    children = remaining - parents - siblings
    # Old enough to have had the children: at least 19 at the first, about two years apart.
    low = max(22 if programme == Programme.LOCAL_STAFF else 19, 19 + 2 * children)
    age = max(low, int(rng.triangular(low, 68, 34)))
    for member in members:
        member.age = max(18, age + rng.randint(-9, 4))
    ages = sorted(rng.sample(range(max(age - 18, children)), children), reverse=True)
    members += [_relative(pick, Relationship.CHILD, child_age) for child_age in ages]
    members += [
        _relative(pick, Relationship.PARENT, age + rng.randint(19, 38)) for _ in range(parents)
    ]
    members += [
        _relative(pick, Relationship.SIBLING, max(1, age + rng.randint(-12, 12)))
        for _ in range(siblings)
    ]
    return age, [PersonPlan(Relationship.PRINCIPAL, age, female), *members]


def _relative(pick: Picker, relation: Relationship, age: int) -> PersonPlan:
    together = relation == Relationship.CHILD and age < 18 or pick.chance(0.55)
    return PersonPlan(relation, min(age, 95), pick.chance(0.5), together or None)


def _name(pick: Picker, names: Names) -> tuple[str, str]:
    native, spellings = pick.rng.choice(names)
    return native, pick.rng.choice(spellings)


def _feminine(native: str, latin: str) -> tuple[str, str]:
    if native.endswith(("ов", "ев", "ин")):
        return native + "а", latin + "a"
    return native, latin


def _name_people(pick: Picker, nationality: str, people: list[PersonPlan]) -> None:
    """Names in the family's own script and Latin letters, spelt as documents differ."""
    nation = NATIONS[nationality]
    family_native, family_spellings = pick.rng.choice(nation.families)
    family_latin = pick.rng.choice(family_spellings)
    # Many Afghans go by a given name alone; their documents show no family name.
    no_family_name = nationality == "AF" and pick.chance(0.06)
    for person in people:
        given, given_latin = _name(pick, nation.women if person.female else nation.men)
        if not person.female and nationality in ("AF", "PK") and pick.chance(0.18):
            given, given_latin = f"محمد {given}", f"{pick.rng.choice(MOHAMMAD)} {given_latin}"
        surname = (family_native, family_latin)
        if person.relation in (Relationship.SPOUSE, Relationship.REGISTERED_PARTNER):
            surname = _name(pick, nation.families) if pick.chance(0.5) else surname
        elif pick.chance(0.2):  # the same name, spelt differently on this member's papers
            surname = (family_native, pick.rng.choice(family_spellings))
        if person.female and nationality in ("RU", "BY"):
            surname = _feminine(*surname)
        if no_family_name and person.relation != Relationship.SPOUSE:
            surname = (None, None)  # type: ignore[assignment]
        person.sealed.update(
            given_names=given,
            family_name=surname[0],
            given_names_latin=given_latin,
            family_name_latin=surname[1],
        )


def _birth_date(pick: Picker, today: int, age: int) -> str:
    born = date.fromordinal(today - int(age * 365.25) - pick.rng.randrange(365))
    # Many people know only the year or the month they were born in.
    precision = pick.rng.random()
    if precision < 0.08:
        return f"{born.year}"
    if precision < 0.2:
        return f"{born.year}-{born.month:02d}"
    return born.isoformat()


def _document_number(pick: Picker, kind: IdentityDocument, nation: Nation) -> str | None:
    digits = pick.rng.randrange
    if kind == IdentityDocument.NONE:
        return None
    if kind == IdentityDocument.E_TAZKIRA:
        return f"{digits(1398, 1403)}-{digits(100, 3500):04d}-{digits(100000):05d}"
    if kind == IdentityDocument.PAPER_TAZKIRA:
        return f"J{digits(1, 400)}/S{digits(1, 300)}/N{digits(1, 9000)}"
    if kind == IdentityDocument.PASSPORT:
        return f"{nation.document_prefix}{digits(10_000_000, 99_999_999)}"
    return f"ID-{digits(10**9):09d}"


def _document_people(
    pick: Picker, nation: Nation, people: list[PersonPlan], today: int, stay: str
) -> None:
    principal_place = pick.rng.choice(PLACES_OF_STAY[stay])
    for person in people:
        kind: IdentityDocument = pick.pick(nation.documents)
        if person.age < 16 and kind == IdentityDocument.PASSPORT and pick.chance(0.5):
            kind = IdentityDocument.NONE  # children often have no papers of their own
        person.document = kind
        # Without papers an adult may declare their identity under oath.
        person.sworn_declaration = (
            kind == IdentityDocument.NONE and person.age >= 18 and pick.chance(0.75)
        )
        together = person.lives_with_principal or person.relation == Relationship.PRINCIPAL
        person.sealed.update(
            birth_date=_birth_date(pick, today, person.age),
            place_of_birth=pick.rng.choice(nation.cities),
            place_of_stay=principal_place if together else pick.rng.choice(PLACES_OF_STAY[stay]),
            document_number=_document_number(pick, kind, nation),
            declaration_signature=(
                " ".join(
                    part
                    for part in (
                        person.sealed["given_names_latin"],
                        person.sealed["family_name_latin"],
                    )
                    if part
                )
                if person.sworn_declaration
                else None
            ),
        )


def _phone(pick: Picker, country: str) -> str:
    template = PHONE_FORMATS[country]
    return template.format(*(pick.rng.randrange(10) for _ in range(template.count("{}"))))


def _contact(pick: Picker, country: str, person: PersonPlan) -> dict[str, str]:
    contact = {"phone": _phone(pick, country)}
    if pick.chance(0.35):
        latin = str(person.sealed["given_names_latin"]).split()[-1].lower()
        contact["email"] = f"{latin}.{pick.rng.randrange(100, 9999)}@example.org"
    messenger = pick.pick(MESSENGERS)
    if messenger:
        contact["messenger"] = messenger
    return contact


def _threat(pick: Picker, risks: list[str], now: datetime) -> str:
    lines = pick.rng.sample(THREATS, pick.rng.randint(1, 3))
    return " ".join(
        line.format(
            month=pick.rng.choice(MONTHS),
            year=pick.rng.randint(2019, now.year),
            risk=(risks[0] if risks else "interpreter").replace("_", " "),
        )
        for line in lines
    )


def _employments(pick: Picker) -> list[dict[str, str | None]]:
    """One to three periods of work for German institutions, one after the other."""
    rng = pick.rng
    jobs = []
    month = rng.randrange(2003 * 12, 2018 * 12)
    for _ in range(pick.pick(((1, 60), (2, 28), (3, 12)))):
        employer, _weight, places = pick.pick([(entry, entry[1]) for entry in EMPLOYERS])
        start, month = month, min(month + rng.randint(6, 96), 2021 * 12 + 7)
        jobs.append(
            {
                "employer": employer,
                "place": rng.choice(places),
                "started_on": f"{start // 12}-{start % 12 + 1:02d}",
                "ended_on": f"{month // 12}-{month % 12 + 1:02d}",
                "role": rng.choice(ROLES),
                "staff_number": f"{employer[:3].upper()}-{rng.randrange(10000, 99999)}",
                "supervisor": f"{rng.choice(SUPERVISOR_TITLES)} {rng.choice(SUPERVISOR_NAMES)} "
                f"{rng.choice(SUPERVISOR_FAMILIES)}",
            }
        )
        if month >= 2021 * 12 + 7:
            break
        month += rng.randint(0, 18)
    return jobs


def lifecycle_path(pick: Picker) -> list[CaseStatus]:
    """A valid way through the lifecycle to a final status, loops included."""
    final = pick.pick(FINAL_STATUSES)
    target = pick.pick(WITHDRAWN_FROM) if final == S.WITHDRAWN else final
    path = [S.DRAFT]
    order = (S.SUBMITTED, S.SCREENING, S.IN_REVIEW)
    for status in order:
        if path[-1] == target:
            break
        path.append(status)
    if path[-1] != target:
        # Information requests go back and forth; some proposals are returned for review.
        for _ in range(pick.pick(((0, 55), (1, 30), (2, 15)))):
            path += [S.INFO_REQUESTED, S.IN_REVIEW]
        if target == S.INFO_REQUESTED:
            path.append(S.INFO_REQUESTED)
        elif target != S.IN_REVIEW:
            if pick.chance(0.1):
                path += [S.DECISION_PROPOSED, S.IN_REVIEW]
            path.append(S.DECISION_PROPOSED)
            if target in (S.ADMITTED, S.VISA_ISSUED, S.ARRIVED):
                path.append(S.ADMITTED)
            elif target == S.REJECTED:
                path.append(S.REJECTED)
            for status in (S.VISA_ISSUED, S.ARRIVED):
                if path[-1] != target:
                    path.append(status)
    if final == S.WITHDRAWN:
        path.append(S.WITHDRAWN)
    return path


def plan_case(pick: Picker, now: datetime) -> CasePlan:
    """Everything one demo case holds, in plain text, before encryption."""
    nationality = pick.pick(NATIONALITIES)
    nation = NATIONS[nationality]
    programme = (
        Programme.LOCAL_STAFF
        if nationality == "AF" and pick.chance(0.55)
        else Programme.AT_RISK  # only Afghanistan had German local staff on this scale
    )
    stay = pick.pick(nation.stay)
    _principal_age, people = _family_shape(pick, programme)
    _name_people(pick, nationality, people)
    _document_people(pick, nation, people, now.toordinal(), stay)
    sealed: dict[str, Any] = {"contact": _contact(pick, stay, people[0])}
    if programme == Programme.AT_RISK:
        risks = pick.rng.sample(
            [risk for risk, _weight in RISKS], pick.pick(((1, 60), (2, 30), (3, 10)))
        )
        sealed.update(risk_profile=risks, threat_description=_threat(pick, risks, now))
    elif pick.chance(0.4):  # local staff may describe their threat too
        sealed["threat_description"] = _threat(pick, [], now)
    return CasePlan(
        programme=programme,
        nationality=nationality,
        country_of_stay=stay,
        language=pick.pick(nation.languages),
        people=people,
        path=lifecycle_path(pick),
        sealed=sealed,
        employments=_employments(pick) if programme == Programme.LOCAL_STAFF else [],
    )


def timeline(pick: Picker, path: list[CaseStatus], now: datetime) -> list[datetime]:
    """When the case was created and reached each later status, oldest first, before now."""
    rng = pick.rng
    steps = [
        timedelta(days=rng.uniform(*STEP_DAYS.get((old, new), WITHDRAW_DAYS)))
        for old, new in zip(path, path[1:], strict=False)
    ]
    total = sum(steps, timedelta())
    # Recent activity is more common than old: square a uniform number to skew it.
    spare = max(timedelta(), now - EARLIEST - total - timedelta(days=1))
    end = now - timedelta(hours=1) - spare * (rng.random() ** 2)
    moments = [end - total]
    for step in steps:
        moments.append(moments[-1] + step)
    return moments


# --- keys and encryption ---------------------------------------------------------------------


@dataclass(frozen=True)
class DemoKeys:
    """Plain bytes, so they cross into worker processes; never stored or logged."""

    intake_version: int
    intake_public: bytes
    access_kek: bytes  # scrypt-derived, once, from the demo access code and salt
    salt: bytes
    scrypt_n: int


@dataclass(frozen=True)
class StaffIds:
    """Demo staff accounts to name in histories, if ``staff demo`` made some."""

    caseworkers: tuple[uuid.UUID, ...] = ()
    deciders: tuple[uuid.UUID, ...] = ()


def _sealed_columns(model: type[Base], names: Sequence[str]) -> tuple[Sealed[Any], ...]:
    """The models' own Sealed descriptors: their name is the column, their codec the bytes."""
    descriptors = tuple(vars(model)[name] for name in names)
    assert all(isinstance(d, Sealed) for d in descriptors), "not a sealed attribute"  # noqa: S101
    return descriptors


CASE_SEALED = _sealed_columns(Case, ("contact", "risk_profile", "threat_description"))
PERSON_SEALED = _sealed_columns(
    Person,
    (
        "given_names",
        "family_name",
        "given_names_latin",
        "family_name_latin",
        "birth_date",
        "place_of_birth",
        "place_of_stay",
        "document_number",
        "declaration_signature",
    ),
)
EMPLOYMENT_SEALED = _sealed_columns(
    Employment,
    ("employer", "place", "started_on", "ended_on", "role", "staff_number", "supervisor"),
)


def seal_values(
    cipher: crypto.FieldCipher,
    table: str,
    row_id: uuid.UUID,
    descriptors: tuple[Sealed[Any], ...],
    values: dict[str, Any],
) -> list[bytes | None]:
    """What ``row.<name> = value`` stores for each descriptor, without an ORM object."""
    return [
        None
        if (value := values.get(d.name)) is None
        else cipher.encrypt(
            d.codec.encode(value), context=crypto.field_context(table, d.name, row_id)
        )
        for d in descriptors
    ]


# --- rows ------------------------------------------------------------------------------------

CASE_COLUMNS = (
    "id reference programme status language nationality country_of_stay people_count "
    "identity_to_be_clarified threat_level screening_status priority_score assignee_id "
    "created_at submitted_at status_changed_at row_version"
).split() + [d.name for d in CASE_SEALED]
PERSON_COLUMNS = (
    "id case_id position relation lives_with_principal nationality identity_document "
    "sworn_declaration created_at"
).split() + [d.name for d in PERSON_SEALED]
EMPLOYMENT_COLUMNS = "id case_id position created_at".split() + [d.name for d in EMPLOYMENT_SEALED]
KEY_WRAP_COLUMNS = "id case_id scope method key_version salt scrypt_n wrapped created_at".split()
TRANSITION_COLUMNS = "id case_id from_status to_status at actor_kind actor_id".split()
TABLES = (
    (Case.__tablename__, CASE_COLUMNS),
    (Person.__tablename__, PERSON_COLUMNS),
    (Employment.__tablename__, EMPLOYMENT_COLUMNS),
    (KeyWrap.__tablename__, KEY_WRAP_COLUMNS),
    (CaseTransition.__tablename__, TRANSITION_COLUMNS),
)
PAST_SCREENING = frozenset(ALLOWED) - {S.DRAFT, S.SUBMITTED, S.SCREENING}


@dataclass
class Batch:
    """Rows of one batch, per table, in the order the foreign keys need."""

    rows: dict[str, list[Row]] = field(default_factory=lambda: {name: [] for name, _ in TABLES})
    samples: dict[str, str] = field(default_factory=dict)  # status -> one reference


def _actor(pick: Picker, status: CaseStatus, staff: StaffIds) -> tuple[str, uuid.UUID | None]:
    if status in APPLICANT_MOVES:
        return ActorKind.APPLICANT.value, None
    if status in SYSTEM_MOVES or status == S.IN_REVIEW and not staff.caseworkers:
        return ActorKind.SYSTEM.value, None
    pool = staff.deciders if status in DECIDER_MOVES else staff.caseworkers
    return ActorKind.STAFF.value, pick.rng.choice(pool) if pool else None


def _transition_rows(
    pick: Picker,
    case_id: uuid.UUID,
    path: list[CaseStatus],
    moments: list[datetime],
    staff: StaffIds,
) -> Iterator[Row]:
    for index in range(1, len(path)):
        old, new = path[index - 1], path[index]
        # The intake job moves a screened case to review; staff return it there later.
        if new == S.IN_REVIEW and old == S.SCREENING:
            kind, actor = ActorKind.SYSTEM.value, None
        elif new == S.IN_REVIEW and old == S.INFO_REQUESTED:
            kind, actor = ActorKind.APPLICANT.value, None  # the applicant answered
        else:
            kind, actor = _actor(pick, new, staff)
        yield (uuid.uuid4(), case_id, old.value, new.value, moments[index], kind, actor)


def _risk(pick: Picker, plan: CasePlan, past_screening: bool) -> tuple[str, str, int]:
    """Threat, screening and a priority score that follows them, once screening has run."""
    if not past_screening:
        return ThreatLevel.UNASSESSED.value, ScreeningStatus.PENDING.value, 0
    threat: ThreatLevel = pick.pick(THREATS_BY_PROGRAMME[plan.programme])
    screening: ScreeningStatus = pick.pick(SCREENING)
    minors = sum(1 for person in plan.people if person.age < 18)
    score = THREAT_POINTS[threat] + min(minors, 5) * 3 + pick.rng.randint(0, 15)
    return threat.value, screening.value, min(score, 100)


def add_case(pick: Picker, batch: Batch, keys: DemoKeys, staff: StaffIds, now: datetime) -> str:
    """Plan one case, encrypt it under a fresh data key, and add its rows to the batch."""
    plan = plan_case(pick, now)
    moments = timeline(pick, plan.path, now)
    created = moments[0]
    case_id, data_key = uuid.uuid4(), crypto.new_data_key()
    cipher = crypto.FieldCipher(data_key)
    reference = codes.new_reference()
    status = plan.path[-1]
    reached_review = S.IN_REVIEW in plan.path
    threat, screening, priority = _risk(pick, plan, reached_review)
    submitted_at = moments[1] if len(plan.path) > 1 and plan.path[1] == S.SUBMITTED else None
    open_in_review = reached_review and status in (S.IN_REVIEW, S.INFO_REQUESTED)
    assignee = pick.rng.choice(staff.caseworkers) if open_in_review and staff.caseworkers else None
    rows = batch.rows
    rows["case"].append(
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
            assignee,
            created,
            submitted_at,
            moments[-1],
            1,  # row_version: the ORM's optimistic lock starts here
            *seal_values(cipher, "case", case_id, CASE_SEALED, plan.sealed),
        )
    )
    for position, person in enumerate(plan.people):
        person_id = uuid.uuid4()
        rows["person"].append(
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
                *seal_values(cipher, "person", person_id, PERSON_SEALED, person.sealed),
            )
        )
    for position, job in enumerate(plan.employments):
        job_id = uuid.uuid4()
        rows["employment"].append(
            (
                job_id,
                case_id,
                position,
                created + timedelta(minutes=position),
                *seal_values(cipher, "employment", job_id, EMPLOYMENT_SEALED, job),
            )
        )
    rows["key_wrap"] += _key_wrap_rows(case_id, data_key, keys, created)
    rows["case_transition"] += _transition_rows(pick, case_id, plan.path, moments, staff)
    batch.samples.setdefault(status.value, reference)
    return reference


def _key_wrap_rows(
    case_id: uuid.UUID, data_key: bytes, keys: DemoKeys, created: datetime
) -> list[Row]:
    """The data key sealed for intake and wrapped for the demo access code, as custody does."""
    sealed = crypto.seal_to_public_key(
        data_key,
        keys.intake_public,
        context=custody._context(case_id, custody.CASE, custody.INTAKE),
    )
    coded = custody.wrap_under_derived_key(
        case_id,
        data_key,
        keys.access_kek,
        salt=keys.salt,
        cost=crypto.ScryptCost(n=keys.scrypt_n),
    )
    return [
        (uuid.uuid4(), case_id, custody.CASE, custody.INTAKE, keys.intake_version)
        + (None, None, sealed, created),
        (uuid.uuid4(), case_id, coded.scope, coded.method, None)
        + (coded.salt, coded.scrypt_n, coded.wrapped, created),
    ]


# --- writing ---------------------------------------------------------------------------------


def _postgres_type(table: Table, column: str) -> str:
    """The PostgreSQL type name binary COPY must encode a column's values as."""
    kind = table.c[column].type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    for sa_type, name in (
        (Uuid, "uuid"),
        (String, "varchar"),  # Enum is a String too
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
    metadata_table = Base.metadata.tables[table]
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
        copy.set_types([_postgres_type(metadata_table, column) for column in columns])
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
        for table, columns in TABLES:
            if batch.rows[table]:
                write(connection, table, columns, batch.rows[table])


# --- workers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """Everything a worker needs, as plain picklable values."""

    database_url: str
    keys: DemoKeys
    staff: StaffIds
    now: datetime
    random_seed: int | None


@dataclass(frozen=True)
class BatchResult:
    count: int
    samples: dict[str, str]


_worker: tuple[Job, Engine] | None = None


def _engine(url: str) -> Engine:
    # SQLite has one writer: the others wait for it instead of failing.
    options = {"connect_args": {"timeout": 120}} if url.startswith("sqlite") else {}
    return create_engine(url, **options)


def _start_worker(job: Job) -> None:
    """Pool initializer: each process opens its own connections, never the parent's."""
    global _worker
    _worker = (job, _engine(job.database_url))


def _seed_in_worker(task: tuple[int, int]) -> BatchResult:
    assert _worker is not None, "worker not started"  # noqa: S101
    return seed_batch(*_worker, *task)


def seed_batch(job: Job, engine: Engine, index: int, size: int) -> BatchResult:
    """Generate, encrypt and commit one batch; the content depends only on seed and index."""
    rng = random.Random(None if job.random_seed is None else f"{job.random_seed}:{index}")
    pick, batch = Picker(rng), Batch()
    for _ in range(size):
        add_case(pick, batch, job.keys, job.staff, job.now)
    write_batch(engine, batch)
    return BatchResult(size, batch.samples)


def _tasks(count: int, batch_size: int) -> list[tuple[int, int]]:
    return [
        (index, min(batch_size, count - start))
        for index, start in enumerate(range(0, count, batch_size))
    ]


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


def _demo_keys(code: str) -> DemoKeys:
    version, public = custody.keyring().current_intake_public()
    cost = crypto.ScryptCost(n=current_app.config["PORTAL_SCRYPT_N"])
    salt = crypto.new_salt()
    kek = crypto.derive_access_code_key(code, salt, cost)
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


def _progress(echo: Callable[[str], None], count: int) -> Callable[[int], None]:
    started, state = time.perf_counter(), {"done": 0, "shown": 0.0}

    def advance(done: int) -> None:
        state["done"] += done
        elapsed = time.perf_counter() - started
        if elapsed - state["shown"] >= 5 or state["done"] == count:
            state["shown"] = elapsed
            rate = state["done"] / elapsed if elapsed else 0.0
            echo(f"  {state['done']:>10,} / {count:,} cases  ({rate:,.0f} cases/s)")

    return advance


def seed(
    count: int,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    workers: int | None = None,
    random_seed: int | None = None,
    echo: Callable[[str], None] = click.echo,
) -> SeedReport:
    """Create ``count`` demo cases that all open with one printed access code."""
    if current_app.config["PORTAL_ENV"] == "production":
        raise click.ClickException("demo data is never seeded in production")
    if count < 1 or batch_size < 1:
        raise click.ClickException("--cases and --batch-size must be at least 1")
    started = time.perf_counter()
    access_code = codes.new_access_code()
    job = Job(
        database_url=db.engine.url.render_as_string(hide_password=False),
        keys=_demo_keys(access_code),
        staff=_staff_ids(),
        now=utcnow(),
        random_seed=random_seed,
    )
    db.session.commit()  # release the snapshot read above before the workers write
    tasks = _tasks(count, batch_size)
    workers = min(workers or os.cpu_count() or 1, len(tasks))
    echo(f"Seeding {count:,} demo cases in {len(tasks):,} batches with {workers} process(es)")
    advance, samples = _progress(echo, count), {}
    for result in _run(job, tasks, workers):
        advance(result.count)
        for status, reference in result.samples.items():
            samples.setdefault(status, reference)
    record_event(db.session, "demo.seeded", actor_kind=ActorKind.SYSTEM, count=str(count))
    db.session.commit()
    report = SeedReport(count, time.perf_counter() - started, access_code, samples)
    _print_summary(echo, report)
    return report


def _run(job: Job, tasks: list[tuple[int, int]], workers: int) -> Iterator[BatchResult]:
    if workers == 1:
        engine = _engine(job.database_url)
        try:
            for index, size in tasks:
                yield seed_batch(job, engine, index, size)
        finally:
            engine.dispose()
        return
    with multiprocessing.Pool(workers, initializer=_start_worker, initargs=(job,)) as pool:
        yield from pool.imap_unordered(_seed_in_worker, tasks)


def _print_summary(echo: Callable[[str], None], report: SeedReport) -> None:
    echo(
        f"Seeded {report.count:,} demo cases in {report.seconds:,.1f} s "
        f"({report.rate:,.0f} cases/s)."
    )
    echo(
        f"Demo access code, for every demo case (development only): {codes.grouped(report.access_code)}"
    )
    for status, reference in sorted(report.samples.items())[: SAMPLE_REFERENCES * 3]:
        echo(f"  {status:<18} {codes.grouped(reference)}")
