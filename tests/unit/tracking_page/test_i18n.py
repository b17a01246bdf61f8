"""Languages: negotiation, complete catalogs for every message the page uses, and that they ship in the package."""

from __future__ import annotations

import re
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

from parcelsync.tracking_page.i18n import LANGUAGES, LOCALES_DIR, Localizer, buyer_zone, negotiate
from parcelsync.tracking_page.present import MARKER_LABELS, STATUS_LABELS, STEP_LABELS

ROOT = Path(__file__).resolve().parents[3]
PLACEHOLDER = re.compile(r"%\(\w+\)s")
TEMPLATES = ROOT / "src" / "parcelsync" / "tracking_page" / "templates"


def _used_messages() -> set[str]:
    found: set[str] = set()
    for path in TEMPLATES.glob("*.html"):
        with path.open("rb") as handle:
            for _, _, message, _ in babel_extract(handle, ["_"], [], {}):
                found.add(message[0] if isinstance(message, tuple) else message)
    return found | set(STATUS_LABELS.values()) | set(STEP_LABELS.values()) | set(MARKER_LABELS.values())


@pytest.mark.parametrize(
    ("chosen", "header", "expected"),
    [
        (None, "fr-CH, fr;q=0.9, en;q=0.8", "fr"),
        (None, "zh-CN,zh;q=0.9", "zh-Hans"),
        (None, "zh-TW", "en"),
        (None, "pt-BR, es;q=0.5", "es"),
        (None, "en;q=0.1, ja;q=0.9", "ja"),
        ("de", "ja", "de"),
        ("xx", "ja", "ja"),
        (None, "", "en"),
        (None, "garbage;q=abc,,;", "en"),
    ],
)
def test_negotiate(chosen: str | None, header: str, expected: str) -> None:
    assert negotiate(chosen, header) == expected


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_every_message_is_translated(lang: str) -> None:
    with (LOCALES_DIR / lang / "LC_MESSAGES" / "tracking.po").open("rb") as handle:
        catalog = read_po(handle)
    translated = {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}
    missing = _used_messages() - set(translated)
    assert missing == set()
    for message_id, text in translated.items():  # placeholders survive translation
        assert sorted(PLACEHOLDER.findall(message_id)) == sorted(PLACEHOLDER.findall(str(text)))


def test_dates_are_localised() -> None:
    moment = datetime(2026, 3, 5, 23, 30, tzinfo=UTC)
    tokyo = buyer_zone("Asia/Tokyo", None)
    assert "2026年3月6日" in Localizer("ja", tokyo).day(moment)
    assert "März" in Localizer("de", buyer_zone(None, "DE")).day(moment)
    assert buyer_zone("Not/A_Zone", "US").key == "America/New_York"
    assert buyer_zone(None, None).key == "UTC"


def test_catalogs_ship_in_the_package() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["parcelsync"]
    assert "**/*.po" in patterns and "**/*.html" in patterns and "**/*.js" in patterns and "**/*.css" in patterns
