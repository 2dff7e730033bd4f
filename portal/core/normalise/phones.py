"""Phone numbers in E.164, however they were written."""

import phonenumbers

from portal.core.normalise.script import fold_letters


def phone_key(number: str, *regions: str | None) -> str | None:
    """E.164 form of a phone number, or None if it is not one.

    A number written without its country code is read in each of ``regions`` in turn
    (say, the country of stay, then the nationality); the first reading that gives a valid
    number wins, else the first that gives a possible one.
    """
    folded = fold_letters(number)
    possible = []
    for region in regions or (None,):
        try:
            parsed = phonenumbers.parse(folded, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        if phonenumbers.is_possible_number(parsed):
            possible.append(parsed)
    if not possible:
        return None
    return phonenumbers.format_number(possible[0], phonenumbers.PhoneNumberFormat.E164)
