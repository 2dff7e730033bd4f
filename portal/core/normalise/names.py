"""Order-free keys of people's names, for comparing names written in one script."""

from portal.core.normalise.script import fold_text

# Particles written apart or together ("Abdul Rahman", "Abdulrahman", "عبدالرحمن";
# "Sami Ullah", "سمیع‌الله"): joined to the next or the previous word before the key is made.
_JOIN_NEXT = frozenset({"al", "el", "abd", "abdul", "abdel", "abdol", "abu", "عبد", "ابو", "ال"})
_JOIN_PREVIOUS = frozenset({"ullah", "ulla", "allah", "ollah", "ulah", "الله"})


def joined_tokens(tokens: list[str]) -> list[str]:
    """Folded tokens with the particles joined to their word."""
    merged: list[str] = []
    pending = ""
    for token in tokens:
        if token in _JOIN_NEXT:
            pending += token
        elif token in _JOIN_PREVIOUS and merged and not pending:
            merged[-1] += token
        else:
            merged.append(pending + token)
            pending = ""
    if pending:
        merged.append(pending)
    return merged


def name_key(*parts: str | None, join_particles: bool = False) -> str:
    """Order-free key of a person's name: the sorted folded tokens.

    With ``join_particles``, "Abdul Rahman" and "Abdulrahman", "سیف الله" and "سیف‌الله"
    give one key (see ``latin_key``).
    """
    tokens = [token for part in parts if part for token in fold_text(part).split()]
    return " ".join(sorted(joined_tokens(tokens) if join_particles else tokens))
