"""RQ jobs. They take a case id, run inside the worker's app context, commit their own
work, and leave the same result however often they run."""

import logging
import uuid

from portal.cases.custody import open_with_intake_key
from portal.cases.lifecycle import transition
from portal.cases.models import Case
from portal.cases.states import ActorKind, CaseStatus
from portal.extensions import db
from portal.intake import outbox
from portal.intake.indexing import index_case

log = logging.getLogger(__name__)
WAITING_FOR_INTAKE = (CaseStatus.SUBMITTED, CaseStatus.SCREENING)


def process_case(case_id: str) -> str:
    """Decrypt a submitted case, index it, and hand it to review."""
    session = db.session
    case = session.get(Case, uuid.UUID(case_id))
    if case is None or case.status not in WAITING_FOR_INTAKE or case.shredded_at:
        if case is not None:
            outbox.complete(session, "intake", case.id)
            session.commit()
        log.info("intake %s: nothing to do", case_id)
        return "skipped"
    if case.status == CaseStatus.SUBMITTED:
        # Committed on its own so staff can see that screening has started.
        transition(session, case, CaseStatus.SCREENING, actor_kind=ActorKind.SYSTEM)
        session.commit()
    open_with_intake_key(session, case, actor_kind=ActorKind.SYSTEM, purpose="intake")
    index_case(session, case)
    transition(session, case, CaseStatus.IN_REVIEW, actor_kind=ActorKind.SYSTEM)
    outbox.complete(session, "intake", case.id)
    session.commit()
    log.info("intake %s: in review", case_id)
    return "in_review"
