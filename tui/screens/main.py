"""The main screen: library | chat over evidence, a status line and the footer.

The screen is where work happens: it runs the workers (models, library, answers, indexing,
frames) and routes their messages to the widgets, which only display.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, ListView

from vidsage.types import fmt_time

from .. import player
from ..messages import (AnswerDone, AnswerToken, IndexDone, IndexFileDone, IndexProgress, KeyframeLoaded,
                        LibraryLoaded, ModelsLoading, ModelsReady, ToolCall)
from ..present import EvidenceRow, answer_footer, evidence_rows, library_rows, tool_call_line
from ..widgets.chat import ChatEntry, ChatPane
from ..widgets.evidence import EvidencePane, EvidenceTable
from ..widgets.keyframe import KeyframeView
from ..widgets.library import LibraryItem, LibraryList, LibraryPane
from ..widgets.status import StatusLine
from .help import HelpScreen
from .index_dialog import IndexDialog


class MainScreen(Screen):
    BINDINGS = [
        Binding("ctrl+n", "index_path", "Index…"),
        Binding("ctrl+up", "prev_answer", "Prev answer", show=False),
        Binding("ctrl+down", "next_answer", "Next answer", show=False),
        Binding("f2", "focus_library", "Library", show=False),
        Binding("f3,escape", "focus_question", "Question", show=False),
        Binding("f4", "focus_evidence", "Evidence", show=False),
        Binding("ctrl+r", "refresh_library", "Refresh", show=False),
        Binding("f1,question_mark", "help", "Help"),
    ]

    def __init__(self) -> None:
        super().__init__(id="main")
        self.results: dict[int, dict[str, Any]] = {}
        self.selected_answer: int | None = None
        self.pending: set[int] = set()
        self.videos: dict[str, Any] = {}  # path -> VideoRecord
        self.models_ready = False
        self.indexing = False
        self.last_player_command: list[str] | None = None
        self._next_id = 1
        self._frame_key: tuple[str, float] | None = None
        self._frame_row: EvidenceRow | None = None

    # -- layout ----------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="▶")
        with Horizontal(id="panes"):
            yield LibraryPane(id="library")
            with Vertical(id="right"):
                yield ChatPane(id="chat")
                yield EvidencePane(id="evidence")
        yield StatusLine(id="status")
        yield Footer()

    def on_mount(self) -> None:
        app = self.app
        status = self.query_one(StatusLine)
        status.set_state("loading", "loading models…")
        status.set_store("" if app.deterministic else f"store: {app.settings.db}")
        status.set_activity(f"mode: {app.mode}")
        self.sub_title = "" if app.deterministic else app.settings.db
        self.query_one("#question", Input).focus()
        self._restore_history()
        self.load_library()
        self.load_models()

    # -- workers -----------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="models", exit_on_error=False)
    def load_models(self) -> None:
        try:
            status = self.app.backend.warm_up(on_status=lambda text: self.post_message(ModelsLoading(text)))
        except Exception as e:
            self.post_message(ModelsReady("error", f"{type(e).__name__}: {str(e)[:300]}"))
        else:
            self.post_message(ModelsReady(status))

    @work(thread=True, exclusive=True, group="library", exit_on_error=False)
    def load_library(self) -> None:
        try:
            videos = self.app.backend.videos()
        except Exception as e:
            self.post_message(LibraryLoaded([], f"{type(e).__name__}: {str(e)[:300]}"))
        else:
            self.post_message(LibraryLoaded(videos))

    @work(thread=True, group="answer", exit_on_error=False)
    def run_answer(self, answer_id: int, question: str) -> None:
        parts: list[str] = []

        def on_token(tok: str) -> None:
            parts.append(tok)
            self.post_message(AnswerToken(answer_id, "".join(parts)))

        def on_tool_call(call: dict) -> None:
            self.post_message(ToolCall(answer_id, dict(call)))

        try:
            result = self.app.backend.answer(question, on_token=on_token, on_tool_call=on_tool_call)
        except Exception as e:
            self.post_message(AnswerDone(answer_id, None, f"{type(e).__name__}: {str(e)[:500]}"))
        else:
            self.post_message(AnswerDone(answer_id, result))

    @work(thread=True, group="index", exit_on_error=False)
    def run_index(self, path: str) -> None:
        self.app.backend.index([path], post=self.post_message)

    @work(thread=True, exclusive=True, group="frame", exit_on_error=False)
    def load_frame(self, video: str, t: float) -> None:
        try:
            image = self.app.backend.frame(video, t)
            note = "" if image is not None else "no picture at this time"
        except Exception as e:
            image, note = None, f"cannot decode: {type(e).__name__}"
        self.post_message(KeyframeLoaded((video, t), image, note))

    # -- messages from workers -----------------------------------------------------------------------
    def on_models_loading(self, msg: ModelsLoading) -> None:
        if not self.models_ready:
            self.query_one(StatusLine).set_state("loading", msg.text)

    def on_models_ready(self, msg: ModelsReady) -> None:
        status = self.query_one(StatusLine)
        if msg.error:
            status.set_state("error", f"models failed: {msg.error}")
            self.notify(msg.error, title="Models failed to load", severity="error", timeout=10)
        else:
            self.models_ready = True
            if self.pending:
                status.set_state("busy", "answering…")
            else:
                status.set_state("ready", msg.status)

    def on_library_loaded(self, msg: LibraryLoaded) -> None:
        self.videos = {}
        for v in msg.videos:
            for p in v.paths or [v.path]:
                self.videos[p] = v
        self.query_one(LibraryPane).set_rows(library_rows(msg.videos, self.app.deterministic), msg.error)

    def on_answer_token(self, msg: AnswerToken) -> None:
        entry = self.query_one(ChatPane).entry(msg.answer_id)
        if entry is not None:
            entry.set_text(msg.text)
            self.query_one(ChatPane).follow()

    def on_tool_call(self, msg: ToolCall) -> None:
        entry = self.query_one(ChatPane).entry(msg.answer_id)
        if entry is not None:
            entry.add_tool_call(tool_call_line(msg.call))

    def on_answer_done(self, msg: AnswerDone) -> None:
        self.pending.discard(msg.answer_id)
        chat = self.query_one(ChatPane)
        entry = chat.entry(msg.answer_id)
        if msg.result is None:
            if entry is not None:
                entry.finish(f"error: {msg.error}", "", [], error=True)
        else:
            self.results[msg.answer_id] = msg.result
            self.app.history.append(msg.result)
            if entry is not None:
                self._finish_entry(entry, msg.result)
            self.select_answer(msg.answer_id)
        chat.follow()
        status = self.query_one(StatusLine)
        if self.models_ready:
            status.set_state("busy" if self.pending else "ready", "answering…" if self.pending else
                             self.app.backend.status_text())

    def on_index_progress(self, msg: IndexProgress) -> None:
        self.query_one(LibraryPane).show_progress(msg)
        self.query_one(StatusLine).set_activity(
            f"indexing {Path(msg.path).name} ({msg.position}/{msg.total}): {msg.stage}")

    def on_index_file_done(self, msg: IndexFileDone) -> None:
        self.query_one(LibraryPane).file_done(msg)
        if msg.status == "indexed":
            self.load_library()

    def on_index_done(self, msg: IndexDone) -> None:
        self.indexing = False
        self.app.on_index_stopped()
        if msg.error:
            text = f"indexing failed: {msg.error}"
            self.notify(msg.error, title="Indexing failed", severity="error", timeout=10)
        else:
            text = f"indexed {msg.indexed}, already indexed {msg.unchanged}, skipped {msg.skipped}"
            if msg.interrupted:
                text += " (interrupted)"
            self.notify(text, title="Indexing finished", severity="warning" if msg.skipped else "information")
        self.query_one(StatusLine).set_activity(text)
        self.load_library()

    def on_keyframe_loaded(self, msg: KeyframeLoaded) -> None:
        if msg.key != self._frame_key:
            return  # the user has moved on
        view = self.query_one(KeyframeView)
        video, t = msg.key
        caption = f"{Path(video).name} @ {fmt_time(t)}"
        if self._frame_row is not None and self._frame_row.snippet:
            caption += f"\n{self._frame_row.snippet}"
        if msg.image is not None:
            view.show_image(msg.image, caption)
        else:
            view.show_text(f"{caption}\n{msg.note}")

    # -- messages from widgets -------------------------------------------------------------------
    @on(ChatPane.QuestionSubmitted)
    def ask(self, msg: ChatPane.QuestionSubmitted) -> None:
        answer_id = self._new_id()
        self.query_one(ChatPane).add_entry(answer_id, msg.question)
        self.pending.add(answer_id)
        state = "busy" if self.models_ready else "loading"
        self.query_one(StatusLine).set_state(state, "answering…" if self.models_ready else "loading models…")
        self.run_answer(answer_id, msg.question)

    @on(ChatEntry.Selected)
    def _entry_selected(self, msg: ChatEntry.Selected) -> None:
        if msg.answer_id in self.results and msg.answer_id != self.selected_answer:
            self.select_answer(msg.answer_id)

    @on(EvidenceTable.MomentHighlighted)
    def _moment_highlighted(self, msg: EvidenceTable.MomentHighlighted) -> None:
        self.show_frame(msg.row)

    @on(EvidenceTable.OpenRequested)
    def _open_requested(self, msg: EvidenceTable.OpenRequested) -> None:
        self.open_moment(msg.row)

    @on(EvidenceTable.CopyRequested)
    def _copy_requested(self, msg: EvidenceTable.CopyRequested) -> None:
        self.copy_moment(msg.row)

    @on(ListView.Selected, "#library-list")
    def _library_row_selected(self, event: ListView.Selected) -> None:
        if not isinstance(event.item, LibraryItem):
            return
        rec = next((v for v in self.videos.values() if v.video_id == event.item.row.key), None)
        if rec is not None:
            self.notify(f"{rec.path}\n{rec.streams} · {rec.keyframes} keyframes · {rec.chunks} transcript chunks"
                        f" · language {rec.language or '-'}", title=Path(rec.path).name)

    # -- doing things ---------------------------------------------------------------------------------
    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id - 1

    def _finish_entry(self, entry: ChatEntry, result: dict[str, Any]) -> None:
        calls = [tool_call_line(c) for c in result.get("tool_calls") or [] if isinstance(c, dict)]
        entry.finish(str(result.get("answer", "")), answer_footer(result, self.app.deterministic), calls)

    def _restore_history(self) -> None:
        chat = self.query_one(ChatPane)
        last = None
        for item in self.app.history.load():
            answer_id = self._new_id()
            entry = chat.add_entry(answer_id, item.get("question", ""))
            self.results[answer_id] = item
            self._finish_entry(entry, item)
            last = answer_id
        if last is not None:
            self.call_after_refresh(self.select_answer, last)

    def select_answer(self, answer_id: int) -> None:
        result = self.results.get(answer_id)
        if result is None:
            return
        self.selected_answer = answer_id
        self.query_one(ChatPane).mark_selected(answer_id)
        note = "no moment matched this question" if not result.get("moments") else ""
        self.query_one(EvidencePane).set_rows(evidence_rows(result), note)

    def selected_moment(self) -> EvidenceRow | None:
        return self.query_one(EvidenceTable).selected

    def show_frame(self, row: EvidenceRow) -> None:
        t = round((row.start + row.end) / 2 if row.end - row.start < 4 else row.start + 1.0, 2)
        self._frame_key = (row.video, t)
        self._frame_row = row
        rec = self.videos.get(row.video)
        view = self.query_one(KeyframeView)
        caption = f"{row.name} @ {fmt_time(t)}"
        if rec is not None and not (rec.streams or "").startswith("video"):
            view.show_text(f"{caption}\n♪ audio only: no picture\n{row.snippet}")
            return
        view.show_text(f"{caption}\nloading frame…")
        self.load_frame(row.video, t)

    def open_moment(self, row: EvidenceRow | None = None) -> None:
        row = row or self.selected_moment()
        if row is None:
            self.notify("select a moment in the evidence pane first", severity="warning")
            return
        app = self.app
        cmd = player.player_command(row.video, row.start, which=app.which, prefer=os.environ.get("VIDSAGE_PLAYER"))
        if cmd is None:
            self.notify("no player found: install mpv, ffplay or vlc (or set $VIDSAGE_PLAYER)", severity="error")
            return
        self.last_player_command = cmd
        try:
            app.launcher(cmd)
        except OSError as e:
            self.notify(f"{cmd[0]}: {e}", title="Player failed", severity="error")
            return
        self.notify(f"{row.name} at {fmt_time(row.start)} in {Path(cmd[0]).name}", title="Opening")

    def copy_moment(self, row: EvidenceRow | None = None) -> None:
        row = row or self.selected_moment()
        if row is None:
            self.notify("select a moment in the evidence pane first", severity="warning")
            return
        ref = player.moment_ref(row.video, row.start)
        self.app.copy_to_clipboard(ref)
        self.notify(ref, title="Copied")

    def start_index(self, path: str | None) -> None:
        if not path:
            return
        self.indexing = True
        self.query_one(LibraryPane).clear_progress()
        self.query_one(StatusLine).set_activity(f"indexing {Path(path).name}…")
        self.run_index(path)

    # -- actions (keys and the command palette) -----------------------------------------------------
    def action_index_path(self) -> None:
        self.app.push_screen(IndexDialog(), self.start_index)

    def action_refresh_library(self) -> None:
        self.load_library()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen())

    def action_focus_library(self) -> None:
        self.query_one(LibraryList).focus()

    def action_focus_question(self) -> None:
        self.query_one("#question", Input).focus()

    def action_focus_evidence(self) -> None:
        self.query_one(EvidenceTable).focus()

    def action_open_moment(self) -> None:
        self.open_moment()

    def action_copy_moment(self) -> None:
        self.copy_moment()

    def _step_answer(self, step: int) -> None:
        ids = sorted(self.results)
        if not ids:
            return
        if self.selected_answer not in ids:
            target = ids[-1]
        else:
            i = ids.index(self.selected_answer) + step
            target = ids[max(0, min(len(ids) - 1, i))]
        self.select_answer(target)

    def action_prev_answer(self) -> None:
        self._step_answer(-1)

    def action_next_answer(self) -> None:
        self._step_answer(1)

    def action_stop_indexing(self) -> None:
        if self.indexing:
            self.app.backend.stop_indexing()
            self.query_one(StatusLine).set_activity("stopping indexing after the current step…")

    def action_clear_history(self) -> None:
        self.app.history.clear()
        self.query_one(ChatPane).clear()
        self.results.clear()
        self.selected_answer = None
        self.query_one(EvidencePane).set_rows([], "the evidence of the selected answer shows here")
