"""Which cases a member of staff may see, and loading a case through that rule.

Every case is loaded through ``load_case``: a case the actor may not see answers 404, as
if it did not exist, so nobody can probe for references or ids.
"""

import uuid
from typing import Any

from flask import abort
from sqlalchemy import ColumnElement, and_, false, or_

from portal.accounts.models import StaffUser
from portal.cases.models import Case
from portal.cases.states import CaseStatus
from portal.core.permissions import Permission, permitted
from portal.extensions import db


def visible_cases(user: StaffUser, source: Any = Case) -> ColumnElement[bool]:
    """A filter for the cases ``user`` may see. Drafts are the applicant's alone.

    ``source`` is ``Case`` or a table with the same columns (the queue's ``CaseTally``).
    """
    not_draft = source.status != CaseStatus.DRAFT
    if permitted(user, Permission.CASE_READ_ALL):
        return not_draft
    if permitted(user, Permission.CASE_READ):  # unassigned cases, and their own
        return and_(not_draft, or_(source.assignee_id.is_(None), source.assignee_id == user.id))
    return false()


def load_case(user: StaffUser, case_id: uuid.UUID) -> Case:
    case = db.session.scalar(db.select(Case).where(Case.id == case_id, visible_cases(user)))
    if case is None:
        abort(404)
    return case
