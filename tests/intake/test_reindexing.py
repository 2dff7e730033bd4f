"""``flask queue reindex``: screened cases get the blind indexes today's rules give."""

from flask import Flask
from sqlalchemy import delete, func, select

from portal.cases.models import BlindIndex
from portal.core.audit import AuditEvent
from portal.extensions import db
from portal.intake import indexing as ix
from tests.intake.conftest import distinct_case, screen


def _rows(case_id) -> set[tuple]:
    db.session.expire_all()
    return set(
        db.session.execute(
            select(BlindIndex.person_id, BlindIndex.purpose, BlindIndex.digest).where(
                BlindIndex.case_id == case_id
            )
        )
    )


def test_screened_cases_get_the_keys_they_lacked(app: Flask) -> None:
    screened = [screen(distinct_case()).case_id for _ in range(2)]
    draft = distinct_case()
    db.session.commit()
    draft_id = draft.id
    indexed = {case_id: _rows(case_id) for case_id in screened}
    assert all(any(row[1] == ix.VOWELLED_LATIN for row in rows) for rows in indexed.values())
    # As cases screened before the vowelled key existed.
    db.session.execute(delete(BlindIndex).where(BlindIndex.purpose == ix.VOWELLED_LATIN))
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["queue", "reindex", "--batch-size", "1"])

    assert result.exit_code == 0, result.output
    assert "indexed 2 cases again" in result.output
    assert {case_id: _rows(case_id) for case_id in screened} == indexed
    assert _rows(draft_id) == set()
    reindexed = select(func.count()).where(
        AuditEvent.action == "case.decrypted",
        AuditEvent.details["purpose"].as_string() == "reindex",
    )
    assert db.session.scalar(reindexed) == 2  # each unwrap in the audit trail
