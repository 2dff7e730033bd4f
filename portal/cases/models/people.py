import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.cases.models.case import CaseOwned
from portal.cases.states import IdentityDocument, Relationship
from portal.core.db import Base, UTCDateTime, ciphertext, created_at, enum_column, uuid_pk
from portal.core.sealed import TEXT, Sealed

if TYPE_CHECKING:
    from portal.cases.models.case import Case


class Person(CaseOwned, Base):
    """The principal applicant or one family member."""

    __tablename__ = "person"

    id: Mapped[uuid_pk]
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    relation: Mapped[Relationship] = enum_column(Relationship)  # to the principal
    lives_with_principal: Mapped[bool | None]
    nationality: Mapped[str | None] = mapped_column(String(2))
    identity_document: Mapped[IdentityDocument | None] = enum_column(IdentityDocument)
    sworn_declaration: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[created_at]

    given_names_ct: Mapped[ciphertext | None] = mapped_column("given_names")
    family_name_ct: Mapped[ciphertext | None] = mapped_column("family_name")
    given_names_latin_ct: Mapped[ciphertext | None] = mapped_column("given_names_latin")
    family_name_latin_ct: Mapped[ciphertext | None] = mapped_column("family_name_latin")
    birth_date_ct: Mapped[ciphertext | None] = mapped_column("birth_date")
    place_of_birth_ct: Mapped[ciphertext | None] = mapped_column("place_of_birth")
    place_of_stay_ct: Mapped[ciphertext | None] = mapped_column("place_of_stay")
    document_number_ct: Mapped[ciphertext | None] = mapped_column("document_number")
    declaration_signature_ct: Mapped[ciphertext | None] = mapped_column("declaration_signature")
    marital_status_ct: Mapped[ciphertext | None] = mapped_column("marital_status")

    given_names = Sealed(TEXT)  # in the applicant's own script
    family_name = Sealed(TEXT)
    given_names_latin = Sealed(TEXT)
    family_name_latin = Sealed(TEXT)
    # ISO text, possibly approximate: "1990", "1990-05" or "1990-05-17".
    birth_date = Sealed(TEXT)
    place_of_birth = Sealed(TEXT)
    place_of_stay = Sealed(TEXT)  # finer than the case's country of stay
    document_number = Sealed(TEXT)
    declaration_signature = Sealed(TEXT)  # the typed name under a sworn declaration
    marital_status = Sealed(TEXT)  # "single", "married", ...: decides who is core family

    case: Mapped["Case"] = relationship(back_populates="people")

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.relation}>"

    @property
    def full_name(self) -> str:
        """The name as the person's documents write it: the given names, then the family
        name if there is one (many people have only one name)."""
        return _joined(self.given_names, self.family_name)

    @property
    def full_name_latin(self) -> str:
        """The name in Latin letters, or "" where none was given (it is optional)."""
        return _joined(self.given_names_latin, self.family_name_latin)


def _joined(*parts: str | None) -> str:
    return " ".join(part.strip() for part in parts if part and part.strip())


class Employment(CaseOwned, Base):
    """A period of work for a German institution (local staff programme)."""

    __tablename__ = "employment"

    id: Mapped[uuid_pk]
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[created_at]
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"))

    employer_ct: Mapped[ciphertext | None] = mapped_column("employer")
    place_ct: Mapped[ciphertext | None] = mapped_column("place")
    started_on_ct: Mapped[ciphertext | None] = mapped_column("started_on")
    ended_on_ct: Mapped[ciphertext | None] = mapped_column("ended_on")
    role_ct: Mapped[ciphertext | None] = mapped_column("role")
    staff_number_ct: Mapped[ciphertext | None] = mapped_column("staff_number")
    supervisor_ct: Mapped[ciphertext | None] = mapped_column("supervisor")

    # Having worked for the Bundeswehr is exactly what endangers a person: sealed too.
    employer = Sealed(TEXT)
    place = Sealed(TEXT)
    started_on = Sealed(TEXT)
    ended_on = Sealed(TEXT)
    role = Sealed(TEXT)
    staff_number = Sealed(TEXT)
    supervisor = Sealed(TEXT)

    case: Mapped["Case"] = relationship(back_populates="employments")
