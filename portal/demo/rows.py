"""Turn a planned demo case into the rows the real code would store, as plain tuples.

Each case gets a fresh data key, sealed for intake and wrapped for the demo access code as
``portal.cases.custody`` does; every personal value is encrypted as the model's ``Sealed``
descriptor would encrypt it, with the same associated data, so the real code opens it.
"""

import io
import random
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from portal.cases import custody
from portal.cases.figures import MOVE_COLUMNS, month_start, move_values
from portal.cases.models import (
    BlindIndex,
    Case,
    CaseMove,
    CaseTransition,
    Decision,
    Document,
    Employment,
    KeyWrap,
    Message,
    Note,
    Person,
    RiskAssessment,
)
from portal.cases.models.case import REPORT_KEY_SPACE
from portal.cases.states import ActorKind, CaseStatus, DocumentKind, IdentityDocument, Programme
from portal.core import codes, crypto
from portal.core.blobstore import BlobStore
from portal.core.db import Base
from portal.core.sealed import Sealed
from portal.demo import documents, history
from portal.demo.history import Staff
from portal.demo.plans import CasePlan, plan_case
from portal.intake.checks import Window
from portal.intake.indexing import index_rows
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
    internal_version: int  # the staff keys are wrapped under the current internal key
    internal_key: bytes
    index_keys: dict[str, bytes]  # the blind-index keys, by ``indexing.KEY_OF_PURPOSE``

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
    RiskAssessment: _sealed_columns(RiskAssessment, "details"),
    Decision: _sealed_columns(Decision, "reasons"),
    Message: _sealed_columns(Message, "body"),
    Document: _sealed_columns(Document, "filename"),
    Note: _sealed_columns(Note, "body"),
}


def sealed_row(
    ciphers: Mapping[str, crypto.FieldCipher],
    model: type[Base],
    row_id: uuid.UUID,
    clear: Row,
    values: dict[str, Any],
) -> Row:
    """The id, the plain values, then the sealed ones as ``row.<name> = value`` stores them,
    each under the key of its descriptor's scope (the case's, or the staff-only one)."""
    table = model.__tablename__
    sealed: list[bytes | None] = []
    for descriptor in SEALED[model]:
        value = values.get(descriptor.name)
        if value is None:
            sealed.append(None)
            continue
        context = crypto.field_context(table, descriptor.name, row_id)
        cipher = ciphers[descriptor.scope]
        sealed.append(cipher.encrypt(descriptor.codec.encode(value), context=context))
    return (row_id, *clear, *sealed)


def _sealed_rows(
    ciphers: Mapping[str, crypto.FieldCipher], model: type[Base], rows: list[history.Sealed]
) -> list[Row]:
    return [sealed_row(ciphers, model, row.id, row.clear, row.sealed) for row in rows]


def staff_key_row(case_id: uuid.UUID, staff_key: bytes, keys: DemoKeys, created: datetime) -> Row:
    """The staff-only key wrapped under the internal key, as ``custody`` wraps it."""
    context = f"keywrap|{case_id}|{custody.STAFF}|{custody.INTERNAL}".encode()
    wrapped = crypto.wrap_key(staff_key, keys.internal_key, context=context)
    return (uuid.uuid4(), case_id, custody.STAFF, custody.INTERNAL, keys.internal_version) + (
        None,
        None,
        wrapped,
        created,
    )


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
        "created_at submitted_at status_changed_at status_changed_by answer_due_at row_version "
        "report_key",
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
    RiskAssessment.__tablename__: _columns(
        RiskAssessment,
        "id case_id source actor_id threat_level screening_status priority_score reasons "
        "created_at",
    ),
    Decision.__tablename__: _columns(
        Decision,
        "id case_id outcome state proposed_by_id proposed_at decided_by_id decided_at",
    ),
    Message.__tablename__: _columns(
        Message,
        "id case_id direction author_id is_information_request in_reply_to_id created_at read_at "
        "due_at",
    ),
    Document.__tablename__: _columns(
        Document,
        "id case_id person_id message_id kind content_type size_bytes uploaded_by created_at",
    ),
    Note.__tablename__: _columns(Note, "id case_id author_id created_at"),
    BlindIndex.__tablename__: ("id", "case_id", "person_id", "purpose", "digest"),
}


@dataclass
class Batch:
    """The rows of some cases, by table, and a reference to show for each status reached."""

    rows: dict[str, list[Row]] = field(default_factory=lambda: {name: [] for name in COLUMNS})
    # Local staff counted by employer as intake would have: (month, nationality, category,
    # cases, people, report key), added to the figures with the batch (no tick needed).
    employers: list[Row] = field(default_factory=list)
    samples: dict[str, str] = field(default_factory=dict)  # status -> a reference


@dataclass(frozen=True)
class Setting:
    """What every case of a run shares besides the keys: who works at the consulate, the
    programme window the intake checks employment against, and where documents go (none
    in bulk: a million cases are seeded without files)."""

    staff: Staff
    window: Window
    store: BlobStore | None = None


def add_case(
    rng: random.Random,
    batch: Batch,
    keys: DemoKeys,
    setting: Setting,
    now: datetime,
    final: CaseStatus | None = None,
) -> None:
    """Plan one case (in status ``final`` if given), encrypt it under a fresh data key,
    and add its rows to the batch."""
    plan = plan_case(rng, now, final)
    moments = plan.moments
    created, status = moments[0], plan.path[-1]
    case_id, data_key = uuid.uuid4(), crypto.new_data_key()
    ciphers = {custody.CASE: crypto.FieldCipher(data_key)}
    reference = codes.new_reference()
    report_key = rng.randrange(REPORT_KEY_SPACE)
    submitted = moments[1] if plan.path[1:2] == [S.SUBMITTED] else None
    person_ids = [uuid.uuid4() for _ in plan.people]
    # Intake opened the case with its staff key, and indexed and screened it.
    screened = S.IN_REVIEW in plan.path
    facts = history.case_facts(plan, person_ids, submitted) if screened else None
    story = history.story(rng, plan, case_id, facts, setting.staff, now, setting.window)
    if screened:
        staff_key = crypto.new_data_key()
        ciphers[custody.STAFF] = crypto.FieldCipher(staff_key)
        batch.rows[KeyWrap.__tablename__].append(staff_key_row(case_id, staff_key, keys, created))
    waiting_for_staff = status in (S.IN_REVIEW, S.INFO_REQUESTED, S.DECISION_PROPOSED)
    caseworkers = setting.staff.caseworkers
    case_values = (
        reference,
        plan.programme.value,
        status.value,
        plan.language,
        plan.nationality,
        plan.country_of_stay,
        len(plan.people),
        story.identity_to_be_clarified or any(p.sworn_declaration for p in plan.people),
        story.threat_level.value,
        story.screening.value,
        story.priority,
        rng.choice(caseworkers) if waiting_for_staff and caseworkers else None,
        created,
        submitted,
        moments[-1],
        # Who made the last move, as the lifecycle keeps it: "answers received" reads it.
        story.movers[-1][0] if story.movers else None,
        story.answer_due,
        1,  # row_version: the ORM's optimistic lock counts from here
        report_key,
    )
    batch.rows[Case.__tablename__].append(
        sealed_row(ciphers, Case, case_id, case_values, plan.sealed)
    )
    # People and jobs are listed in order, each added a minute after the one before.
    batch.rows[Person.__tablename__] += [
        sealed_row(
            ciphers,
            Person,
            person_id,
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
        for position, (person_id, person) in enumerate(zip(person_ids, plan.people, strict=True))
    ]
    batch.rows[Employment.__tablename__] += [
        sealed_row(
            ciphers,
            Employment,
            uuid.uuid4(),
            (case_id, position, created + timedelta(minutes=position)),
            job,
        )
        for position, job in enumerate(plan.employments)
    ]
    batch.rows[KeyWrap.__tablename__] += key_wrap_rows(case_id, data_key, keys, created)
    batch.rows[CaseTransition.__tablename__] += [
        (uuid.uuid4(), case_id, old.value, new.value, at, *mover)
        for old, new, at, mover in zip(
            plan.path, plan.path[1:], moments[1:], story.movers, strict=False
        )
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
    for model, rows in (
        (RiskAssessment, story.assessments),
        (Decision, story.decisions),
        (Message, story.messages),
        (Note, story.notes),
    ):
        batch.rows[model.__tablename__] += _sealed_rows(ciphers, model, rows)
    if facts is not None:
        batch.rows[BlindIndex.__tablename__] += [
            (uuid.uuid4(), case_id, *row)
            for row in index_rows(facts, keys.index_keys, plan.country_of_stay, plan.nationality)
        ]
    if setting.store is not None:
        batch.rows[Document.__tablename__] += _documents(
            rng, setting.store, ciphers, case_id, person_ids, plan, story
        )
    category = employer_category(job["employer"] or "" for job in plan.employments)
    if category is not None and screened:
        screened_at = moments[plan.path.index(S.IN_REVIEW)]
        batch.employers.append(
            (
                month_start(screened_at.date()),
                plan.nationality,
                category,
                1,
                len(plan.people),
                report_key,
            )
        )
    batch.samples.setdefault(status.value, reference)


IDENTITY_FILES = {
    IdentityDocument.PASSPORT: "passport.png",
    IdentityDocument.E_TAZKIRA: "e-tazkira.png",
    IdentityDocument.PAPER_TAZKIRA: "tazkira_scan.png",
    IdentityDocument.NATIONAL_ID: "id_card.png",
    IdentityDocument.OTHER: "document.png",
}


def _documents(
    rng: random.Random,
    store: BlobStore,
    ciphers: Mapping[str, crypto.FieldCipher],
    case_id: uuid.UUID,
    person_ids: list[uuid.UUID],
    plan: CasePlan,
    story: history.Story,
) -> list[Row]:
    """A few small files, encrypted into the blob store as an upload is: a scan of the
    principal's papers, a letter for the programme, and one sent with an answer."""
    created = plan.moments[0]
    files: list[tuple[uuid.UUID | None, uuid.UUID | None, DocumentKind, str, bytes, datetime]] = []
    principal = plan.people[0]
    if principal.document != IdentityDocument.NONE:
        scan = documents.scan_png(rng)
        name = IDENTITY_FILES[principal.document]
        files.append((person_ids[0], None, DocumentKind.IDENTITY, name, scan, created))
    if plan.programme == Programme.LOCAL_STAFF:
        job = plan.employments[0]
        lines = ["Arbeitsbestaetigung", f"Taetigkeit: {job['role']}", f"Ort: {job['place']}"]
        letter = (DocumentKind.EMPLOYMENT, "Arbeitsbestaetigung.pdf", lines)
    else:
        letter = (DocumentKind.THREAT_EVIDENCE, "threat_letter.pdf", ["Warning", "(copy)"])
    kind, name, lines = letter
    files.append((None, None, kind, name, documents.letter_pdf(lines), created))
    for answer_id, answered in story.answers[:1]:
        pdf = documents.letter_pdf(["Supplementary documents", "as requested"])
        files.append((None, answer_id, DocumentKind.OTHER, "answer.pdf", pdf, answered))
    rows = []
    for index, (person_id, message_id, kind, name, data, at) in enumerate(files):
        document_id = uuid.uuid4()
        size = store.put(ciphers[custody.CASE], case_id, document_id, io.BytesIO(data))
        content_type = documents.PNG if name.endswith(".png") else documents.PDF
        uploaded = at + timedelta(minutes=5 + index)
        applicant = ActorKind.APPLICANT.value
        clear = (
            case_id,
            person_id,
            message_id,
            kind.value,
            content_type,
            size,
            applicant,
            uploaded,
        )
        rows.append(sealed_row(ciphers, Document, document_id, clear, {"filename": name}))
    return rows
