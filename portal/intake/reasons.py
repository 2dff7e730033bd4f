"""Every reason code a risk assessment can carry, and the sentence staff read for it.

A reason is stored as ``{"code": ..., "points": n, "params": {...}}`` in
``RiskAssessment.reasons``, a clear column: params hold counts, scores, dates of the
programme and level names, never anything about a person (which risk category or which
employer earned the points is sealed in the assessment's ``details``). The sentences live
in the "staff" catalogue; the placeholders are named so translators can move them.
"""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from flask_babel import LazyString

from portal.cases.labels import label
from portal.cases.states import ScreeningStatus, ThreatLevel
from portal.core.i18n import _ls

# Priority and threat criteria (the published rubric, docs/screening.md).
RISK_PROFILE = "risk_profile"
RISK_PROFILE_MORE = "risk_profile_more"
WORK_EXPOSURE = "work_exposure"
WORK_YEARS = "work_years"
MINORS = "minors_in_family"
UNACCOMPANIED_MINOR = "unaccompanied_minor"
ELDERLY = "elderly_in_family"
TIME_WAITING = "time_waiting"
# Screening: the watch list and duplicates.
WATCHLIST_HIT = "watchlist_hit"
WATCHLIST_MISSING = "watchlist_missing"  # no list in force: not screened, never clear
DUPLICATE_DOCUMENT = "duplicate_document_number"
DUPLICATE_NAME = "duplicate_name_birth_year"
DUPLICATE_NAME_TRANSLITERATED = "duplicate_name_transliterated"
DUPLICATE_PHONE = "duplicate_phone"
FAMILY_IN_OTHER_CASE = "family_in_other_case"
# Consistency checks.
CHILD_OLDER_THAN_PARENT = "child_older_than_parent"
MINOR_SPOUSE = "minor_spouse"
EMPLOYMENT_OUTSIDE_WINDOW = "employment_outside_window"
EMPLOYMENT_OVERLAP = "employment_overlap"
EMPLOYMENT_REVERSED = "employment_dates_reversed"
SWORN_DECLARATION = "identity_sworn_declaration"
NO_IDENTITY_DOCUMENT = "no_identity_document"
DOCUMENT_NUMBER_REPEATED = "document_number_repeated"
BIDI_CONTROLS = "bidi_controls"
# Changes made by staff.
STAFF_THREAT_LEVEL = "staff_threat_level"
STAFF_SCREENING_STATUS = "staff_screening_status"
STAFF_PRIORITY = "staff_priority"

TEXTS: dict[str, LazyString] = {
    RISK_PROFILE: _ls("Risk profile: the highest-rated category gives %(points)s points"),
    RISK_PROFILE_MORE: _ls("Further risk categories (%(count)s): %(points)s points"),
    WORK_EXPOSURE: _ls(
        "Work for German institutions: the most exposed employer gives %(points)s points"
    ),
    WORK_YEARS: _ls("Years of work for German institutions (%(years)s): %(points)s points"),
    MINORS: _ls("Minors in the family (%(count)s): %(points)s points"),
    UNACCOMPANIED_MINOR: _ls("The principal applicant is a minor: %(points)s points"),
    ELDERLY: _ls("Family members aged %(age)s or older (%(count)s): %(points)s points"),
    TIME_WAITING: _ls("Months waited since submission (%(months)s): %(points)s points"),
    WATCHLIST_HIT: _ls(
        "Possible watch-list match: score %(score)s, threshold %(threshold)s, list version "
        "%(version)s. Only security officers see the entry."
    ),
    WATCHLIST_MISSING: _ls(
        "Not screened against a watch list: none was in force when this case was screened. "
        "A security officer must clear the screening before the case can be admitted."
    ),
    DUPLICATE_DOCUMENT: _ls(
        "The principal applicant of %(cases)s other case(s) has the same document number."
    ),
    DUPLICATE_NAME: _ls(
        "The principal applicant of %(cases)s other case(s) has the same name and year of birth."
    ),
    DUPLICATE_NAME_TRANSLITERATED: _ls(
        "The principal applicant of %(cases)s other case(s) has the same name in another "
        "script and the same year of birth."
    ),
    DUPLICATE_PHONE: _ls("%(cases)s other case(s) give the same phone number."),
    FAMILY_IN_OTHER_CASE: _ls(
        "%(people)s person(s) in this case are also listed in %(cases)s other case(s), as "
        "family members. This is shown for information and is not a concern."
    ),
    CHILD_OLDER_THAN_PARENT: _ls("A child is older than their parent (%(count)s)."),
    MINOR_SPOUSE: _ls("A spouse or partner is a minor (%(count)s)."),
    EMPLOYMENT_OUTSIDE_WINDOW: _ls(
        "%(count)s employment period(s) lie outside the programme window %(start)s to %(end)s."
    ),
    EMPLOYMENT_OVERLAP: _ls("Employment periods overlap (%(count)s)."),
    EMPLOYMENT_REVERSED: _ls("An employment period ends before it starts (%(count)s)."),
    SWORN_DECLARATION: _ls(
        "Identity given by sworn declaration instead of a document (%(count)s): identity to "
        "be clarified."
    ),
    NO_IDENTITY_DOCUMENT: _ls("No identity document and no sworn declaration (%(count)s)."),
    DOCUMENT_NUMBER_REPEATED: _ls(
        "The same document number is given for %(count)s people in this case."
    ),
    BIDI_CONTROLS: _ls(
        "A name or file name contains invisible text-direction characters (%(count)s)."
    ),
    STAFF_THREAT_LEVEL: _ls("Threat level changed by staff from %(old)s to %(new)s."),
    STAFF_SCREENING_STATUS: _ls("Screening status changed by staff from %(old)s to %(new)s."),
    STAFF_PRIORITY: _ls("Priority adjusted by staff: %(points)s points."),
}


@dataclass(frozen=True)
class Reason:
    code: str
    points: int = 0
    params: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "points": self.points, "params": dict(self.params)}


# Reasons whose ``old`` and ``new`` params are members of an enum.
LEVEL_PARAMS: dict[str, type[StrEnum]] = {
    STAFF_THREAT_LEVEL: ThreatLevel,
    STAFF_SCREENING_STATUS: ScreeningStatus,
}


def describe(reason: dict[str, Any]) -> str:
    """The staff sentence for a stored reason, in the current staff language."""
    text = TEXTS.get(reason["code"])
    if text is None:  # a code from a newer release: show it rather than fail the page
        return str(reason["code"])
    values = {"points": reason.get("points", 0), **reason.get("params", {})}
    levels = LEVEL_PARAMS.get(reason["code"])
    if levels is not None:  # stored as codes ("critical"): staff read their names
        for name in ("old", "new"):
            if values.get(name) in set(levels):
                values[name] = label(levels(values[name]))
    return str(text) % values
