"""Library pane: the indexed videos, and a progress bar per file while indexing runs."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Label, ListItem, ListView, ProgressBar, Static

from ..messages import IndexFileDone, IndexProgress
from ..present import LibraryRow


_STATUS_ICON = {"done": "✓", "indexing": "…", "failed": "✗"}


def library_card(row: LibraryRow) -> Table:
    """Two lines per video: name and duration; status, streams and date."""
    grid = Table.grid(expand=True)
    grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    grid.add_column(justify="right", no_wrap=True)
    grid.add_row(Text(row.name, style="bold"), Text(row.duration))
    status = Text(f"{_STATUS_ICON.get(row.status, '?')} {row.status}",
                  style={"done": "green", "failed": "red"}.get(row.status, "yellow"))
    details = Text.assemble(status, ("  " + row.streams, "dim"), ("  " + row.date if row.date else "", "dim"))
    details.no_wrap, details.overflow = True, "ellipsis"
    grid.add_row(details, "")
    return grid


class LibraryItem(ListItem):
    def __init__(self, row: LibraryRow) -> None:
        super().__init__(Static(library_card(row), classes="library-card"), classes="library-item")
        self.row = row


class LibraryList(ListView):
    """The indexed videos; `a` indexes a file or folder, `r` reads the list again."""

    BINDINGS = [Binding("a", "screen.index_path", "Index…"), Binding("r", "screen.refresh_library", "Refresh")]

    @property
    def rows(self) -> list[LibraryRow]:
        return [item.row for item in self.query(LibraryItem)]


class IndexProgressRow(Vertical):
    """One file being indexed: its name, a bar of pipeline stages and the stage / real-time factor."""

    def __init__(self, path: str) -> None:
        super().__init__(classes="index-row")
        self.path = path

    def compose(self) -> ComposeResult:
        yield Label(Path(self.path).name, classes="index-name", markup=False)
        yield ProgressBar(total=None, show_eta=False, show_percentage=True, classes="index-bar")
        yield Static("waiting…", classes="index-detail", markup=False)

    def update_progress(self, msg: IndexProgress) -> None:
        self.query_one(ProgressBar).update(total=msg.expected, progress=min(msg.done, msg.expected - 0.5))
        where = f"{msg.position}/{msg.total}" if msg.total > 1 else ""
        stage = "starting" if msg.stage == "starting" else f"{msg.stage} done"
        self.query_one(".index-detail", Static).update(f"{stage} · {msg.elapsed:.0f}s {where}".rstrip())

    def finish(self, msg: IndexFileDone) -> None:
        bar = self.query_one(ProgressBar)
        bar.update(total=1, progress=1)
        self.set_class(msg.status not in ("indexed", "unchanged", "alias"), "failed")
        self.add_class("done")
        if msg.status == "indexed":
            detail = (f"indexed: {msg.duration:.1f}s of media in {msg.seconds:.1f}s "
                      f"({msg.realtime_factor:.1f}× real time)")
        elif msg.status in ("unchanged", "alias"):
            detail = "already indexed" + (f" ({msg.reason})" if msg.reason else "")
        else:
            detail = f"{msg.status}: {msg.reason}"
        self.query_one(".index-detail", Static).update(detail)


class LibraryPane(Vertical):
    """Indexed videos (name, duration, streams, status, date) above the indexing progress."""

    BORDER_TITLE = "Library"

    def compose(self) -> ComposeResult:
        yield LibraryList(id="library-list")
        yield Static("loading library…", id="library-empty", markup=False)
        yield VerticalScroll(id="index-progress")

    def on_mount(self) -> None:
        self.border_subtitle = "a: index a file or folder"

    def set_rows(self, rows: list[LibraryRow], error: str | None = None) -> None:
        lst = self.query_one(LibraryList)
        index = lst.index
        lst.clear()
        lst.extend(LibraryItem(r) for r in rows)
        if rows:
            lst.index = min(index or 0, len(rows) - 1)
        empty = self.query_one("#library-empty", Static)
        if error:
            empty.update(f"cannot read the store: {error}")
        elif not rows:
            empty.update("nothing indexed yet: press ctrl+n (or a here) to index a file or folder")
        empty.display = bool(error) or not rows
        lst.display = bool(rows)
        self.border_title = f"Library ({len(rows)})" if rows else "Library"

    # -- indexing progress -----------------------------------------------------------------------
    def _row(self, path: str) -> IndexProgressRow:
        box = self.query_one("#index-progress", VerticalScroll)
        for row in box.query(IndexProgressRow):
            if row.path == path:
                return row
        row = IndexProgressRow(path)
        box.mount(row)
        box.add_class("active")
        return row

    def clear_progress(self) -> None:
        box = self.query_one("#index-progress", VerticalScroll)
        box.remove_children()
        box.remove_class("active")

    def show_progress(self, msg: IndexProgress) -> None:
        row = self._row(msg.path)
        if row.is_mounted:
            row.update_progress(msg)
        else:
            self.call_after_refresh(row.update_progress, msg)

    def file_done(self, msg: IndexFileDone) -> None:
        row = self._row(msg.path)
        if row.is_mounted:
            row.finish(msg)
        else:
            self.call_after_refresh(row.finish, msg)
