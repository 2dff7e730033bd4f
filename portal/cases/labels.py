"""What staff screens call a case's statuses, levels and reasons, and staff roles.

In the staff language: the database and URLs keep the enum values (``in_review``);
people read these names.
Keyed by enum class first: members of different enums may share a value ("other").
"""

from enum import StrEnum

from flask_babel import LazyString, get_locale

from portal.cases.family import Reason, Verdict
from portal.cases.models import DuplicateReason
from portal.cases.states import (
    ActorKind,
    CaseStatus,
    DecisionOutcome,
    DocumentKind,
    IdentityDocument,
    Programme,
    Relationship,
    ScreeningStatus,
    ThreatLevel,
)
from portal.core.actors import Role
from portal.core.i18n import _ls, _s, kept_translation

LABELS: dict[type[StrEnum], dict[StrEnum, LazyString]] = {
    CaseStatus: {
        CaseStatus.DRAFT: _ls("draft"),
        CaseStatus.SUBMITTED: _ls("submitted"),
        CaseStatus.SCREENING: _ls("being screened"),
        CaseStatus.IN_REVIEW: _ls("in review"),
        CaseStatus.INFO_REQUESTED: _ls("information requested"),
        CaseStatus.DECISION_PROPOSED: _ls("decision proposed"),
        CaseStatus.ADMITTED: _ls("admitted"),
        CaseStatus.REJECTED: _ls("rejected"),
        CaseStatus.VISA_ISSUED: _ls("visa issued"),
        CaseStatus.ARRIVED: _ls("arrived"),
        CaseStatus.WITHDRAWN: _ls("withdrawn"),
    },
    Programme: {
        Programme.LOCAL_STAFF: _ls("local staff"),
        Programme.AT_RISK: _ls("people at risk"),
    },
    ThreatLevel: {
        ThreatLevel.UNASSESSED: _ls("not assessed"),
        ThreatLevel.LOW: _ls("low"),
        ThreatLevel.MODERATE: _ls("moderate"),
        ThreatLevel.HIGH: _ls("high"),
        ThreatLevel.CRITICAL: _ls("critical"),
    },
    ScreeningStatus: {
        ScreeningStatus.PENDING: _ls("pending"),
        ScreeningStatus.CLEAR: _ls("clear"),
        ScreeningStatus.HIT: _ls("watch-list hit"),
        ScreeningStatus.CONCERN: _ls("concern"),
        ScreeningStatus.FAILED: _ls("screening failed"),
    },
    Relationship: {
        Relationship.PRINCIPAL: _ls("principal applicant"),
        Relationship.SPOUSE: _ls("spouse"),
        Relationship.REGISTERED_PARTNER: _ls("registered partner"),
        Relationship.CHILD: _ls("child"),
        Relationship.PARENT: _ls("parent"),
        Relationship.SIBLING: _ls("sibling"),
        Relationship.OTHER: _ls("other relative"),
    },
    IdentityDocument: {
        IdentityDocument.PASSPORT: _ls("passport"),
        IdentityDocument.PAPER_TAZKIRA: _ls("paper tazkira"),
        IdentityDocument.E_TAZKIRA: _ls("e-tazkira"),
        IdentityDocument.NATIONAL_ID: _ls("national identity card"),
        IdentityDocument.OTHER: _ls("other document"),
        IdentityDocument.NONE: _ls("no document (sworn declaration)"),
    },
    DocumentKind: {
        DocumentKind.IDENTITY: _ls("identity document"),
        DocumentKind.PHOTO: _ls("photo"),
        DocumentKind.EMPLOYMENT: _ls("proof of employment"),
        DocumentKind.THREAT_EVIDENCE: _ls("evidence of threat"),
        DocumentKind.FAMILY: _ls("family document"),
        DocumentKind.OTHER: _ls("other"),
    },
    DecisionOutcome: {
        DecisionOutcome.ADMIT: _ls("admit"),
        DecisionOutcome.REJECT: _ls("reject"),
    },
    ActorKind: {
        ActorKind.APPLICANT: _ls("the applicant"),
        ActorKind.STAFF: _ls("staff"),
        ActorKind.SYSTEM: _ls("the system"),
    },
    Role: {
        Role.CASEWORKER: _ls("caseworker"),
        Role.DECIDER: _ls("decider"),
        Role.SECURITY_OFFICER: _ls("security officer"),
        Role.ENVOY: _ls("special envoy"),
        Role.ADMIN: _ls("administrator"),
    },
    DuplicateReason: {
        DuplicateReason.DOCUMENT_NUMBER: _ls("same document number"),
        DuplicateReason.NAME_BIRTH_YEAR: _ls("same name and year of birth"),
        DuplicateReason.NAME_TRANSLITERATED: _ls("same name in another script, same year of birth"),
        DuplicateReason.PHONE: _ls("same phone number"),
        DuplicateReason.FAMILY_MEMBER: _ls("same person listed as family"),
    },
    Verdict: {
        Verdict.CORE: _ls("core family"),
        Verdict.HARDSHIP: _ls("only in cases of hardship"),
        Verdict.UNCLEAR: _ls("unclear"),
    },
    Reason: {
        Reason.SPOUSE: _ls("spouse or registered partner"),
        Reason.MINOR_UNMARRIED_CHILD: _ls("minor unmarried child"),
        Reason.ADULT_CHILD: _ls("adult child"),
        Reason.MARRIED_CHILD: _ls("married child"),
        Reason.PARENT_OF_MINOR: _ls("parent of a minor applicant"),
        Reason.MINOR_SIBLING_OF_MINOR: _ls("minor sibling of a minor applicant"),
        Reason.PARENT_OF_ADULT: _ls("parent of an adult applicant"),
        Reason.SIBLING: _ls("sibling"),
        Reason.OTHER_RELATIVE: _ls("other relative"),
        Reason.AGE_UNKNOWN: _ls("age unknown"),
    },
}


# Shorter names where a queue row has little room; the full name everywhere else.
SHORT_LABELS: dict[type[StrEnum], dict[StrEnum, LazyString]] = {
    ScreeningStatus: {ScreeningStatus.HIT: _ls("list hit")},
}


# What applicants choose that is kept as plain text, not as an enum: the choices' staff names.
# The applicants' own texts for them are in portal/apply/choices.py, in their languages.
CHOICES: dict[str, dict[str, LazyString]] = {
    "employer": {
        "bundeswehr": _ls("Bundeswehr"),
        "federal_foreign_office": _ls("Federal Foreign Office or a German embassy"),
        "federal_police": _ls("German federal police project"),
        "giz": _ls("GIZ"),
        "kfw": _ls("KfW"),
        "bmz_funded": _ls("another organisation funded by the BMZ"),
        "political_foundation": _ls("a German political foundation"),
        "other": _ls("another German institution"),
    },
    "risk_profile": {
        "journalist": _ls("journalist or media worker"),
        "human_rights_defender": _ls("human rights defender"),
        "womens_rights_activist": _ls("women's rights activist"),
        "judge_prosecutor": _ls("judge or prosecutor"),
        "lgbtqi": _ls("LGBTQI+"),
        "minority": _ls("member of a religious or ethnic minority"),
        "politician_official": _ls("politician or public official"),
        "military_police": _ls("member of the military or police"),
        "academic_artist": _ls("academic or artist"),
        "other": _ls("another reason"),
    },
    "marital_status": {
        "single": _ls("not married"),
        "married": _ls("married"),
        "widowed": _ls("widowed"),
        "divorced": _ls("divorced"),
    },
    # The blind index two possible duplicates share (portal/intake/indexing.py).
    "matched_on": {
        "document_number": _ls("document number"),
        "name_birth_year": _ls("name and year of birth"),
        "name_transliterated": _ls("name written in another script"),
        "phone": _ls("phone number"),
    },
    # The sealed screening details (portal/intake/screening.py, priority.py): which risk
    # category and which employer earned the rubric's points, and how a watch-list entry
    # matched. The rubric's own codes, not the applicant's choices above.
    "rubric_risk": {
        "judge_prosecutor": _ls("judge or prosecutor"),
        "military_police": _ls("member of the military or police"),
        "lgbtqi": _ls("LGBTQI+"),
        "journalist": _ls("journalist or media worker"),
        "human_rights_defender": _ls("human rights defender"),
        "womens_rights_activist": _ls("women's rights activist"),
        "politician_official": _ls("politician or public official"),
        "minority": _ls("member of a religious or ethnic minority"),
        "academic_artist": _ls("academic or artist"),
        "other": _ls("another reason"),
    },
    "rubric_employer": {
        "bundeswehr": _ls("Bundeswehr"),
        "bundespolizei": _ls("German federal police project"),
        "auswaertiges_amt": _ls("Federal Foreign Office or a German embassy"),
        "giz": _ls("GIZ"),
        "political_foundation": _ls("a German political foundation"),
        "kfw": _ls("KfW"),
        "bmz_funded": _ls("another organisation funded by the BMZ"),
        "other": _ls("another German institution"),
    },
    "birth_agreement": {
        "same_date": _ls("same date of birth"),
        "same_year": _ls("same year of birth"),
        "near_year": _ls("year of birth one or two years apart"),
        "unknown": _ls("date of birth unknown on one side"),
        "different_year": _ls("different year of birth"),
    },
}


def choice_label(vocabulary: str, value: object) -> str:
    """The staff-language name of an applicant's choice; an employer the applicant named
    themselves ("other:Deutsche Welle") with that name; an unknown value as it is."""
    text = str(value or "")
    names = CHOICES[vocabulary]
    if text in names:
        return str(names[text])
    code, separator, own_name = text.partition(":")
    if separator and code in names:
        return _s("%(choice)s: %(name)s", choice=names[code], name=own_name)
    return text


def choice_labels(vocabulary: str, values: list[object] | None) -> str:
    return ", ".join(choice_label(vocabulary, value) for value in values or [])


def country_name(code: str | None) -> str:
    """A country's name in the staff language (CLDR's), for an ISO code; else the code."""
    locale = get_locale()
    return str(locale.territories.get(code, code)) if locale and code else str(code or "")


def lazy_label(value: object) -> object:
    """The name of an enum member, translated when shown: for messages made outside a request."""
    names = LABELS.get(type(value), {}) if isinstance(value, StrEnum) else {}
    return names.get(value, value)  # type: ignore[call-overload]


def label(value: object) -> str:
    """The staff-language name of an enum member; anything else as it is."""
    if not isinstance(value, StrEnum):
        return str(value)
    # A queue page names a few dozen members hundreds of times.
    return kept_translation(("label", type(value), value), lambda: str(lazy_label(value)))


def short_label(value: object) -> str:
    """The name of an enum member for a dense row: a shorter one where there is one."""
    names = SHORT_LABELS.get(type(value), {}) if isinstance(value, StrEnum) else {}
    return str(names[value]) if value in names else label(value)  # type: ignore[index]
