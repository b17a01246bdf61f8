"""Text input rules, one place for every field: no control characters anywhere, identifiers in one form.

- Every text field refuses control characters (Unicode category Cc: NUL, escapes, DEL, C1),
  except tab and line breaks in free text (a CSV title may span lines). PostgreSQL cannot store
  NUL in text at all, and any other control character is never meant; refusing them here gives
  the same 422 on SQLite and PostgreSQL. Identifiers refuse line breaks and tabs too.
- Identifiers (carrier, tracking number, order, fulfillment and payment ids) are NFKC-normalised
  (full-width `４ｐｘ` is `4px`) and lose format characters (category Cf: zero-width spaces and
  joiners, direction marks), so strings that look the same are the same. An identifier mixing
  Latin letters with Cyrillic or Greek ones (`4pх` with a Cyrillic `х`) is refused: it exists
  only to look like another one. A wholly Cyrillic or Greek identifier is kept as it is.

ASCII without control characters, nearly every real input, takes the fast path: one `isascii`
and one `isprintable` call, nothing normalised.
"""

from __future__ import annotations

import unicodedata

CONFUSABLE_SCRIPTS = frozenset({"CYRILLIC", "GREEK"})
LAYOUT_CONTROLS = frozenset("\t\n\r")
"""The control characters free text may hold."""


class UnacceptableText(ValueError):
    """The text is not acceptable."""


def _printable_ascii(value: str) -> bool:
    return value.isascii() and value.isprintable()


def check_text(value: str, *, layout: bool = True) -> str:
    """`value` when it holds no control character (but tab and line breaks, with `layout`); raises
    UnacceptableText naming the first one."""
    if _printable_ascii(value):
        return value
    allowed = LAYOUT_CONTROLS if layout else frozenset()
    for char in value:
        if unicodedata.category(char) == "Cc" and char not in allowed:
            raise UnacceptableText(f"must not contain control characters (found U+{ord(char):04X})")
    return value


def _script(char: str) -> str:
    return unicodedata.name(char, "").partition(" ")[0]


def identifier(value: str) -> str:
    """The identifier in its one form (NFKC, no format characters); raises UnacceptableText when it holds a
    control character or mixes Latin letters with Cyrillic or Greek ones."""
    if _printable_ascii(value):
        return value
    check_text(value, layout=False)
    clean = "".join(c for c in unicodedata.normalize("NFKC", value) if unicodedata.category(c) != "Cf")
    scripts = {_script(c) for c in clean if c.isalpha() and not c.isascii()}
    if scripts & CONFUSABLE_SCRIPTS and any(c.isascii() and c.isalpha() for c in clean):
        mixed = " and ".join(sorted(s.title() for s in scripts & CONFUSABLE_SCRIPTS))
        raise UnacceptableText(f"mixes Latin letters with {mixed} ones that look alike")
    return clean


def text_or_none(value: object) -> object:
    """A pydantic before-validator: strings are checked with `check_text`, anything else passes."""
    return check_text(value) if isinstance(value, str) else value


def identifier_or_none(value: object) -> object:
    """A pydantic before-validator: strings become `identifier(value)`, anything else passes."""
    return identifier(value) if isinstance(value, str) else value
