"""Tables for the CLI that stay whole on a narrow terminal: cells and headers wrap, nothing is cut to "…".

Light borders (a rule under the header, no vertical rules) leave an 80-column terminal room for every
header word. The first column names the row (a provider, a merchant) and is never broken; when the
rest is too wide, rich narrows the widest columns first, wrapping at spaces and folding a word longer
than its column (a base URL, a masked key) onto the next line instead of cutting it.
"""

from __future__ import annotations

from rich import box
from rich.table import Table


def wrapping_table(*headers: str, title: str | None = None, show_header: bool = True) -> Table:
    """A rich table whose columns wrap and fold, never truncate; the first column stays on one line."""
    table = Table(
        title=title, show_header=show_header, box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True
    )
    for index, header in enumerate(headers):
        table.add_column(header, overflow="fold", no_wrap=index == 0)
    return table
