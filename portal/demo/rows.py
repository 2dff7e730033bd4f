"""Turn a planned demo case into the rows the real code would store, as plain tuples.

Each case gets a fresh data key, sealed for intake and wrapped for the demo access code as
``portal.cases.custody`` does; every personal value is encrypted as the model's ``Sealed``
descriptor would encrypt it, with the same associated data, so the real code opens it.
"""

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from portal.cases import custody
from portal.cases.figures import MOVE_COLUMNS, month_start, move_values
from portal.cases.models import Case, CaseMove, CaseTransition, Employment, KeyWrap, Person
from portal.cases.models.case import REPORT_KEY_SPACE
from portal.cases.states import ActorKind, CaseStatus
from portal.core import codes, crypto
from portal.core.db import Base
from portal.core.sealed import Sealed
from portal.demo.plans import plan_case
from portal.intake.priority import employer_category

S = CaseStatus
Row = tuple[Any, ...]


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


# Sealed columns come last in a row, in this order.
SEALED: dict[type[Base], tuple[Sealed[Any], ...]] = {
    Case: _sealed_columns(Case, "contact risk_profile threat_description"),
    Person: _sealed_columns(
        Person,
        "given_names family_name given_names_latin family_name_latin birth_date place_of_birth "
        "place_of_stay document_number declaration_signature",
    ),
    Employment: _sealed_columns(
        Employment, "employer place started_on ended_on role staff_number supervisor"
    ),
}


def sealed_row(
    cipher: crypto.FieldCipher,
    model: type[Base],
    row_id: uuid.UUID,
    clear: Row,
    values: dict[str, Any],
) -> Row:
    """The id, the plain values, then the sealed ones as ``row.<name> = value`` stores them."""
    table = model.__tablename__
    sealed: list[bytes | None] = []
    for descriptor in SEALED[model]:
        value = values.get(descriptor.name)
        if value is None:
            sealed.append(None)
            continue
        context = crypto.field_context(table, descriptor.name, row_id)
        sealed.append(cipher.encrypt(descriptor.codec.encode(value), context=context))
    return (row_id, *clear, *sealed)


def key_wrap_rows(
    case_id: uuid.UUID, data_key: bytes, keys: DemoKeys, created: datetime
) -> list[Row]:
    """The data key sealed for intake and wrapped for the demo access code, as custody does."""
    # custody.seal_for_intake reads the key ring from the app; workers get the public key.
    wraps = (
        custody.seal_to_intake_key(
            case_id, data_key, version=keys.intake_version, public_key=keys.intake_public
        ),
        custody.wrap_under_derived_key(
            case_id,
            data_key,
            keys.access_kek,
            salt=keys.salt,
            cost=crypto.ScryptCost(n=keys.scrypt_n),
        ),
    )
    return [
        (uuid.uuid4(), case_id, wrap.scope, wrap.method, wrap.key_version)
        + (wrap.salt, wrap.scrypt_n, wrap.wrapped, created)
        for wrap in wraps
    ]


def _columns(model: type[Base], clear: str) -> tuple[str, ...]:
    return (*clear.split(), *(descriptor.name for descriptor in SEALED.get(model, ())))


# The order of the tables is the order the foreign keys need.
COLUMNS: dict[str, tuple[str, ...]] = {
    Case.__tablename__: _columns(
        Case,
        "id reference programme status language nationality country_of_stay people_count "
        "identity_to_be_clarified threat_level screening_status priority_score assignee_id "
        "created_at submitted_at status_changed_at row_version report_key",
    ),
    Person.__tablename__: _columns(
        Person,
        "id case_id position relation lives_with_principal nationality identity_document "
        "sworn_declaration created_at",
    ),
    Employment.__tablename__: _columns(Employment, "id case_id position created_at"),
    KeyWrap.__tablename__: _columns(
        KeyWrap, "id case_id scope method key_version salt scrypt_n wrapped created_at"
    ),
    CaseTransition.__tablename__: _columns(
        CaseTransition, "id case_id from_status to_status at actor_kind actor_id"
    ),
    # The moves waiting to be counted in the envoy's figures, as the lifecycle leaves them.
    CaseMove.__tablename__: MOVE_COLUMNS,
}


@dataclass(frozen=True)
class StaffIds:
    """Demo staff accounts to name in histories, when ``staff`` commands have made some."""

    caseworkers: tuple[uuid.UUID, ...] = ()
    deciders: tuple[uuid.UUID, ...] = ()


@dataclass
class Batch:
    """The rows of some cases, by table, and a reference to show for each status reached."""

    rows: dict[str, list[Row]] = field(default_factory=lambda: {name: [] for name in COLUMNS})
    # Local staff counted by employer as intake would have: (month, nationality, category,
    # cases, people, report key), added to the figures with the batch (no tick needed).
    employers: list[Row] = field(default_factory=list)
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
    report_key = rng.randrange(REPORT_KEY_SPACE)
    submitted = moments[1] if plan.path[1:2] == [S.SUBMITTED] else None
    waiting_for_staff = status in (S.IN_REVIEW, S.INFO_REQUESTED, S.DECISION_PROPOSED)
    case_values = (
        reference,
        plan.programme.value,
        status.value,
        plan.language,
        plan.nationality,
        plan.country_of_stay,
        len(plan.people),
        any(person.sworn_declaration for person in plan.people),
        plan.threat_level.value,
        plan.screening.value,
        plan.priority,
        rng.choice(staff.caseworkers) if waiting_for_staff and staff.caseworkers else None,
        created,
        submitted,
        moments[-1],
        1,  # row_version: the ORM's optimistic lock counts from here
        report_key,
    )
    batch.rows[Case.__tablename__].append(
        sealed_row(cipher, Case, case_id, case_values, plan.sealed)
    )
    # People and jobs are listed in order, each added a minute after the one before.
    batch.rows[Person.__tablename__] += [
        sealed_row(
            cipher,
            Person,
            uuid.uuid4(),
            (
                case_id,
                position,
                person.relation.value,
                person.lives_with_principal if position else None,
                plan.nationality,
                person.document.value,
                person.sworn_declaration,
                created + timedelta(minutes=position),
            ),
            person.sealed,
        )
        for position, person in enumerate(plan.people)
    ]
    batch.rows[Employment.__tablename__] += [
        sealed_row(
            cipher,
            Employment,
            uuid.uuid4(),
            (case_id, position, created + timedelta(minutes=position)),
            job,
        )
        for position, job in enumerate(plan.employments)
    ]
    batch.rows[KeyWrap.__tablename__] += key_wrap_rows(case_id, data_key, keys, created)
    batch.rows[CaseTransition.__tablename__] += [
        (uuid.uuid4(), case_id, old.value, new.value, at, *_mover(rng, old, new, staff))
        for old, new, at in zip(plan.path, plan.path[1:], moments[1:], strict=False)
    ]
    batch.rows[CaseMove.__tablename__] += [
        tuple(
            move_values(
                old,
                new,
                at=at,
                entered=entered,
                submitted=submitted,
                programme=plan.programme,
                nationality=plan.nationality,
                country_of_stay=plan.country_of_stay,
                people=len(plan.people),
                report_key=report_key,
            ).values()
        )
        for old, new, entered, at in zip(
            plan.path, plan.path[1:], moments, moments[1:], strict=False
        )
    ]
    category = employer_category(job["employer"] or "" for job in plan.employments)
    if category is not None and S.IN_REVIEW in plan.path:
        screened = moments[plan.path.index(S.IN_REVIEW)]
        batch.employers.append(
            (
                month_start(screened.date()),
                plan.nationality,
                category,
                1,
                len(plan.people),
                report_key,
            )
        )
    batch.samples.setdefault(status.value, reference)
