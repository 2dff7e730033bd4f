"""The case and everything that belongs to it."""

from portal.cases.models.assessment import (
    BlindIndex,
    Decision,
    DuplicateLink,
    DuplicateReason,
    RiskAssessment,
    in_force,
    newest_first,
)
from portal.cases.models.case import Case, CaseTransition
from portal.cases.models.figures import (
    CaseMove,
    EmployerFigure,
    EmployerTick,
    FiguresRefresh,
    FlowFigure,
    Grain,
    StateFigure,
    WaitFigure,
)
from portal.cases.models.keys import KeyWrap
from portal.cases.models.people import Employment, Person
from portal.cases.models.records import CaseExport, Document, Message, Note
from portal.cases.models.tally import (
    CaseAnswerDueTally,
    CaseFacetTally,
    CaseTally,
    CaseWaitingFacetTally,
    CaseWaitingTally,
)

__all__ = [
    "BlindIndex",
    "Case",
    "CaseAnswerDueTally",
    "CaseFacetTally",
    "CaseExport",
    "CaseMove",
    "CaseTally",
    "CaseTransition",
    "CaseWaitingFacetTally",
    "CaseWaitingTally",
    "Decision",
    "Document",
    "DuplicateLink",
    "DuplicateReason",
    "EmployerFigure",
    "EmployerTick",
    "Employment",
    "FiguresRefresh",
    "FlowFigure",
    "Grain",
    "KeyWrap",
    "Message",
    "Note",
    "Person",
    "RiskAssessment",
    "StateFigure",
    "WaitFigure",
    "in_force",
    "newest_first",
]
