"""Evidence pane: the citations and moments of the selected answer, and the frame of the selected one."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from ..present import EvidenceRow
from .keyframe import KeyframeView


class EvidenceTable(DataTable):
    """Rows `video  mm:ss–mm:ss  score  snippet`; `o` opens the moment in a player, `c` copies `video@mm:ss`."""

    BINDINGS = [
        Binding("o", "open_moment", "Open in player"),
        Binding("c", "copy_moment", "Copy video@mm:ss"),
    ]

    @dataclass
    class MomentHighlighted(Message):
        row: EvidenceRow

    @dataclass
    class OpenRequested(Message):
        row: EvidenceRow

    @dataclass
    class CopyRequested(Message):
        row: EvidenceRow

    def __init__(self, **kw) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kw)
        self.rows_data: list[EvidenceRow] = []
        self._filled_width = -1

    def on_mount(self) -> None:
        self._add_columns()

    def _add_columns(self) -> None:
        self.add_column("", key="mark")
        self.add_column("video", key="video")
        self.add_column("when", key="span")
        self.add_column("score", key="score")
        self.add_column("evidence", key="snippet")

    def set_rows(self, rows: list[EvidenceRow]) -> None:
        self.rows_data = list(rows)
        self._filled_width = -1
        self._fill()
        if rows:
            self.move_cursor(row=0)
        self.call_after_refresh(self._refit)

    def _refit(self) -> None:
        if self.rows_data and self.size.width != self._filled_width:
            self._fill()

    def _fill(self) -> None:
        """(Re)write the rows, the snippet cut to the width left so a row never scrolls sideways."""
        cursor = self.cursor_row
        self.clear(columns=True)  # column widths only ever grow otherwise
        self._add_columns()
        rows = self.rows_data
        longest = max([len(r.name) for r in rows] + [5])
        avail = (self.size.width or 100) - (1 + 11 + 5 + 2 * self.cell_padding * 5) - 1
        name_w = min(longest, max(8, avail - 28))  # the snippet gets 28 columns before the name grows
        snip_w = max(12, avail - name_w)
        self._filled_width = self.size.width
        for i, r in enumerate(rows):
            snippet = r.snippet if len(r.snippet) <= snip_w else r.snippet[: snip_w - 1] + "…"
            name = r.name if len(r.name) <= name_w else r.name[: name_w - 1] + "…"
            self.add_row("★" if r.cited else " ", Text(name), r.span, r.score_text, Text(snippet), key=str(i))
        if rows and 0 <= cursor < len(rows):
            self.move_cursor(row=cursor)

    def on_resize(self) -> None:
        self._refit()

    @property
    def selected(self) -> EvidenceRow | None:
        if not self.rows_data or not (0 <= self.cursor_row < len(self.rows_data)):
            return None
        return self.rows_data[self.cursor_row]

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        if self.selected is not None:
            self.post_message(self.MomentHighlighted(self.selected))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_moment()

    def action_open_moment(self) -> None:
        if self.selected is not None:
            self.post_message(self.OpenRequested(self.selected))

    def action_copy_moment(self) -> None:
        if self.selected is not None:
            self.post_message(self.CopyRequested(self.selected))


class EvidencePane(Horizontal):
    BORDER_TITLE = "Evidence"

    def compose(self) -> ComposeResult:
        with Vertical(id="evidence-left"):
            yield EvidenceTable(id="evidence-table")
            yield Static("the evidence of the selected answer shows here", id="evidence-empty", markup=False)
        yield KeyframeView(id="keyframe")

    def on_mount(self) -> None:
        self.query_one(EvidenceTable).display = False
        self.border_subtitle = "o: open in player · c: copy video@mm:ss"

    def set_rows(self, rows: list[EvidenceRow], note: str = "") -> None:
        table = self.query_one(EvidenceTable)
        table.display = bool(rows)
        table.set_rows(rows)
        empty = self.query_one("#evidence-empty", Static)
        empty.update(note or "no moments for this answer")
        empty.display = not rows
        if not rows:
            self.query_one(KeyframeView).show_text("")
