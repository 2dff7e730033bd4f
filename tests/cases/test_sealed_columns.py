"""Every encrypted column: it round-trips, and a ciphertext moved elsewhere fails."""

import uuid
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from portal.accounts.services import create_staff
from portal.cases.custody import open_staff_key, open_with_intake_key
from portal.cases.models import (
    Case,
    CaseExport,
    Decision,
    Document,
    Message,
    Note,
    RiskAssessment,
)
from portal.cases.states import (
    ActorKind,
    DecisionOutcome,
    DocumentKind,
    MessageDirection,
    ScreeningStatus,
    ThreatLevel,
)
from portal.core.actors import Role
from portal.core.crypto import DecryptionError
from portal.core.sealed import LockedError, sealed_attributes
from portal.extensions import db
from portal.models import __all__ as model_names
from tests.factories import make_case

SAMPLE = {
    "contact": {"phone": "+93 70 111 2222", "messenger": "@gulbuddin_hidden"},
    "risk_profile": ["lgbtqi", "journalist"],
    "details": {"watchlist_entry": "Qari Saifullah Mansoor"},
}


def _value_for(attribute: str) -> Any:
    return SAMPLE.get(attribute, f"مقدار {attribute} Wert-{attribute}")


def _fill_every_model(session: Session) -> dict[str, Any]:
    """One row of every model that has sealed attributes, each attribute filled."""
    case, _code = make_case(session, family=1)
    author, _password, _secret = create_staff(session, "author", "Author", [Role.CASEWORKER])
    other, _password, _secret = create_staff(session, "other", "Other", [Role.DECIDER])
    open_staff_key(session, case, actor_kind=ActorKind.SYSTEM)
    rows: dict[str, Any] = {
        "Case": case,
        "Person": case.people[0],
        "Employment": case.employments[0],
        "Document": Document(
            case=case,
            kind=DocumentKind.PHOTO,
            content_type="image/jpeg",
            size_bytes=10,
            uploaded_by=ActorKind.APPLICANT,
        ),
        "Message": Message(case=case, direction=MessageDirection.TO_APPLICANT),
        "Note": Note(case=case, author_id=author.id),
        "RiskAssessment": RiskAssessment(
            case=case,
            source=ActorKind.SYSTEM,
            threat_level=ThreatLevel.HIGH,
            screening_status=ScreeningStatus.CLEAR,
            priority_score=3,
        ),
        "Decision": Decision(case=case, outcome=DecisionOutcome.ADMIT, proposed_by_id=other.id),
        "CaseExport": CaseExport(case=case, exported_by_id=author.id),
    }
    for row in rows.values():
        session.add(row)
        for attribute in sealed_attributes(type(row)):
            setattr(row, attribute.name, _value_for(attribute.name))
    session.commit()
    return rows


def _reopen(session: Session, case_id: uuid.UUID) -> Case:
    """A fresh load of the case in a new session, unlocked the way staff unlock it."""
    db.session.remove()
    case = session.get(Case, case_id)
    assert case is not None
    open_with_intake_key(session, case, actor_kind=ActorKind.SYSTEM, purpose="test")
    open_staff_key(session, case, actor_kind=ActorKind.SYSTEM)
    return case


def test_every_model_with_personal_data_is_covered() -> None:
    import portal.models as models

    sealed_models = {name for name in model_names if sealed_attributes(getattr(models, name))}
    assert sealed_models == {
        "Case",
        "Person",
        "Employment",
        "Document",
        "Message",
        "Note",
        "RiskAssessment",
        "Decision",
        "CaseExport",
    }


def test_every_sealed_attribute_round_trips(app: Flask) -> None:
    rows = {name: (type(row), row.id) for name, row in _fill_every_model(db.session).items()}
    _reopen(db.session, rows["Case"][1])
    for name, (model, row_id) in rows.items():
        fresh = db.session.get(model, row_id)
        assert fresh is not None
        for attribute in sealed_attributes(model):
            assert getattr(fresh, attribute.name) == _value_for(attribute.name), (
                name,
                attribute.name,
            )


def test_stored_column_is_ciphertext_not_plaintext(app: Flask) -> None:
    rows = _fill_every_model(db.session)
    for row in rows.values():
        for attribute in sealed_attributes(type(row)):
            stored = getattr(row, attribute.storage)
            assert isinstance(stored, bytes)
            assert f"Wert-{attribute.name}".encode() not in stored


def test_a_ciphertext_moved_to_another_column_fails(app: Flask) -> None:
    rows = _fill_every_model(db.session)
    person = rows["Person"]
    person.family_name_ct = person.given_names_ct
    with pytest.raises(DecryptionError):
        _ = person.family_name


@pytest.mark.parametrize(
    "model", ["Case", "Person", "Employment", "Document", "Message", "Note", "CaseExport"]
)
def test_a_ciphertext_moved_to_another_row_fails(app: Flask, model: str) -> None:
    """Two rows under the same key: only the row binding tells their ciphertexts apart."""
    first = _fill_every_model(db.session)[model]
    case = first if model == "Case" else first.case
    if model == "Case":
        twin: Any = Case(id=uuid.uuid4(), reference="TWIN", programme=case.programme, language="en")
        db.session.add(twin)
        twin.unlock("case", case.sealed_cipher("case"))
    else:
        twin = type(first)(case=case)
    for attribute in sealed_attributes(type(first)):
        setattr(twin, attribute.name, _value_for(attribute.name))  # valid for the twin
        assert getattr(twin, attribute.name) == _value_for(attribute.name)
        setattr(twin, attribute.storage, getattr(first, attribute.storage))
        with pytest.raises(DecryptionError):
            getattr(twin, attribute.name)


def test_a_locked_case_cannot_be_read(app: Flask) -> None:
    case_id = _fill_every_model(db.session)["Case"].id
    db.session.remove()  # the end of a request: its unlocked keys go with its session
    case = db.session.get(Case, case_id)
    assert case is not None
    with pytest.raises(LockedError):
        _ = case.people[0].given_names
