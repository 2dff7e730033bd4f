"""Computing the blind indexes of screened cases again.

Needed when the keys a name gives change (a new script, a better fold): until then, a new
case meets an earlier one only by the keys the earlier case was indexed with. Links and
screening are left as they are; later cases meet these by the new keys at once.
"""

from sqlalchemy import select

from portal.cases.custody import open_with_intake_keys
from portal.cases.models import Case
from portal.cases.states import ActorKind, CaseStatus
from portal.core.audit import appending_together
from portal.core.db import DbSession
from portal.intake.duplicates import lock_for_linking
from portal.intake.facts import LOAD_FOR_FACTS, facts_of
from portal.intake.indexing import index_cases

BATCH_SIZE = 500
# Submitted cases are indexed by their own intake job, drafts not at all.
NOT_INDEXED = (CaseStatus.DRAFT, CaseStatus.SUBMITTED, CaseStatus.SCREENING)


def reindex_cases(session: DbSession, *, batch_size: int = BATCH_SIZE) -> int:
    """Index every screened, unshredded case again, ``batch_size`` cases a transaction;
    return how many. Each case's key is unwrapped with the intake key, and audited."""
    done = 0
    after = None
    while True:
        query = (
            select(Case)
            .where(Case.status.not_in(NOT_INDEXED), Case.shredded_at.is_(None))
            .order_by(Case.id)
            .limit(batch_size)
            .options(*LOAD_FOR_FACTS)
        )
        if after is not None:
            query = query.where(Case.id > after)
        with session.no_autoflush, appending_together(session):
            # Taken before the cases are read: an intake job never sees half a batch.
            lock_for_linking(session)
            cases = list(session.scalars(query))
            if not cases:
                session.rollback()
                return done
            open_with_intake_keys(session, cases, actor_kind=ActorKind.SYSTEM, purpose="reindex")
            index_cases(session, cases, facts_of(session, cases))
            for case in cases:  # keys live no longer than their batch
                case.forget_keys()
            done, after = done + len(cases), cases[-1].id
            # A batch a transaction: the linking lock is held for one batch, so intake jobs
            # wait for a batch, not for the whole run, and a run cut short keeps its work.
            session.commit()
        session.expunge_all()
