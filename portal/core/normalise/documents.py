"""Identity document numbers as people type them."""

from portal.core.normalise.script import fold_letters


def document_number_key(number: str) -> str:
    """Letters and digits only, upper-case, Persian and Arabic-Indic digits as ASCII."""
    return "".join(char for char in fold_letters(number).upper() if char.isalnum())
