"""CSV formula-injection escaping."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest

from parcelsync.security.csv_export import csv_line, escape_cell


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=HYPERLINK(\"http://evil\")", "'=HYPERLINK(\"http://evil\")"),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (42, "42"),
        (-5, "'-5"),
        (date(2024, 5, 1), "2024-05-01"),
        (datetime(2024, 5, 1, 12, 0, tzinfo=UTC), "2024-05-01T12:00:00+00:00"),
    ],
)
def test_escape_cell(value: object, cell: str) -> None:
    assert escape_cell(value) == cell


def test_lines_quote_separators_and_parse_back() -> None:
    line = csv_line(["1", 'say "hi", then\nleave', "=cmd|' /C calc'!A0"])
    assert line.endswith("\r\n")
    assert next(csv.reader(io.StringIO(line))) == ["1", 'say "hi", then\nleave', "'=cmd|' /C calc'!A0"]
