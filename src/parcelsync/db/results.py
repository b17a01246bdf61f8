"""What a data-changing statement reports back."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy.engine import CursorResult, Result


def rows_affected(result: Result[Any]) -> int:
    """How many rows an UPDATE, DELETE or INSERT touched.

    `AsyncSession.execute` is typed as returning a plain `Result`; for these statements it is a
    `CursorResult`, which is the type that carries `rowcount`.
    """
    return cast("CursorResult[Any]", result).rowcount
