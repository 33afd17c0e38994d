"""The TUI (`vidsage chat`) driven through Textual's Pilot against a real store built from ../shared/media.

The store is the real pipeline's output for jfk.flac; answers come from the real fast path
(`mode="fast"`, no LLM). Only the player is faked: which executables exist and the launch itself.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from pathlib import Path

import pytest

from vidsage.tui.app import VidsageApp
from vidsage.tui.messages import AnswerToken, IndexProgress
from vidsage.tui.player import moment_ref, player_command
from vidsage.tui.present import evidence_rows, tool_call_line

QUESTION = "when does he say ask not what your country can do for you"
SIZE = (140, 40)

pytestmark = pytest.mark.timeout(900)


@pytest.fixture(scope="session")
def jfk_store(media, tmp_path_factory):
    """Settings for a store holding jfk.flac, indexed by the real pipeline."""
    from vidsage.config import load_settings
    from vidsage.index.pipeline import index_paths

    settings = load_settings(db=str(tmp_path_factory.mktemp("tui-db")))
    summary = index_paths([media / "jfk.flac"], settings)
    assert summary.count("indexed") == 1, summary
    return settings


class FakePlayer:
    """The player boundary: which executables 'exist', and what was launched."""

    def __init__(self, present: dict[str, str]):
        self.present = present
        self.launched: list[list[str]] = []

    def which(self, name: str) -> str | None:
        return self.present.get(name)

    def launch(self, cmd) -> None:
        self.launched.append(list(cmd))


def make_app(settings, tmp_path: Path, **kw) -> VidsageApp:
    kw.setdefault("history_path", tmp_path / "history.jsonl")
    return VidsageApp(settings, mode="fast", **kw)


async def wait_for(pilot, cond, timeout: float = 180.0, what: str = "condition") -> None:
    t0 = time.monotonic()
    while not cond():
        if time.monotonic() - t0 > timeout:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        await pilot.pause(0.1)


async def ask(pilot, app: VidsageApp, question: str = QUESTION) -> dict:
    screen = app.main_screen
    before = len(screen.results)
    await pilot.click("#question")
    await pilot.press(*question, "enter")
    await wait_for(pilot, lambda: len(screen.results) > before, what="the answer")
    await pilot.pause(0.2)
    return screen.results[max(screen.results)]


def parse_span(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"(\d+):(\d\d)–(\d+):(\d\d)", text)
    assert m, text
    a, b, c, d = map(int, m.groups())
    return a * 60 + b, c * 60 + d


# -- the whole app, on the real store -------------------------------------------------------------------

def test_ask_shows_evidence_and_opens_player(jfk_store, tmp_path, media):
    player = FakePlayer({"mpv": "/usr/bin/mpv", "vlc": "/usr/bin/vlc"})

    async def scenario():
        app = make_app(jfk_store, tmp_path, which=player.which, launcher=player.launch)
        async with app.run_test(size=SIZE) as pilot:
            result = await ask(pilot, app)
            screen = app.main_screen
            # the chat shows the answer, the evidence pane its moments
            entry = screen.query_one("#chat").entries()[-1]
            assert entry.done and entry.text == result["answer"]
            table = screen.query_one("#evidence-table")
            assert table.display and table.row_count >= 1
            cells = [str(c) for c in table.get_row_at(0)]
            assert cells[1] == "jfk.flac"
            start, end = parse_span(cells[2])
            # "ask not what your country can do for you" is spoken from 3.2 s to 7.6 s (measured on the
            # waveform: speech 3.2-3.7 "ask", 4.0-4.3 "not", pause, 5.4-7.6 "what your country can do for you")
            assert abs(start - 3.2) <= 2 and abs(end - 7.6) <= 2, cells
            assert re.fullmatch(r"\d\.\d\d", cells[3]), cells

            # select the moment and open it: the command is built for the player found (mpv first)
            await pilot.press("f4")
            assert screen.focused is table
            row = table.selected
            await pilot.press("o")
            assert player.launched == [["/usr/bin/mpv", f"--start={row.start:.2f}".rstrip("0").rstrip("."),
                                        str(media / "jfk.flac")]]
            # ... and `c` copies video@mm:ss
            await pilot.press("c")
            assert app.clipboard == f"{media / 'jfk.flac'}@{cells[2].split('–')[0]}"
            assert app.clipboard == moment_ref(row.video, row.start)

            # the status line says the models are ready
            assert screen.models_ready

        # history: the question and its answer are there in the next session
        lines = (tmp_path / "history.jsonl").read_text().splitlines()
        assert len(lines) == 1 and json.loads(lines[0])["question"] == QUESTION

        app2 = make_app(jfk_store, tmp_path, which=player.which, launcher=player.launch)
        async with app2.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: app2.main_screen.query_one("#evidence-table").row_count >= 1,
                           what="the restored answer's evidence")
            entries = app2.main_screen.query_one("#chat").entries()
            assert [e.question for e in entries] == [QUESTION]
            assert entries[0].text == result["answer"]

    asyncio.run(scenario())


def test_streamed_answer_and_tool_calls(jfk_store, tmp_path):
    """Tokens and tool calls arrive from the worker as the agent would send them; the entry shows
    the whole answer once, and each tool call once. (The real fast answer, replayed word by word: the
    LLM itself is not needed to drive the streaming UI.)"""
    from vidsage.tui.backend import Backend

    class Replaying(Backend):
        def answer(self, question, video=None, on_token=None, on_tool_call=None):
            result = super().answer(question, video=video)
            for call in result["tool_calls"]:
                on_tool_call(call)
            for i, word in enumerate(result["answer"].split(" ")):
                on_token(word if i == 0 else " " + word)
            return result

    async def scenario():
        app = make_app(jfk_store, tmp_path)
        app.backend = Replaying(jfk_store, mode="fast")
        async with app.run_test(size=SIZE) as pilot:
            result = await ask(pilot, app)
            entry = app.main_screen.query_one("#chat").entries()[-1]
            assert entry.text == result["answer"]
            assert entry.tool_lines == [tool_call_line(c) for c in result["tool_calls"]]
            assert entry.query_one(".tools").title == "1 tool call"

    asyncio.run(scenario())


def test_index_from_ui_appears_in_library(tmp_path, media):
    """ctrl+n, a path, enter: the file indexes in a worker with progress, then shows in the library."""
    from vidsage.config import load_settings

    settings = load_settings(db=str(tmp_path / "db"))
    seen_progress: list[str] = []

    async def scenario():
        app = make_app(settings, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            screen = app.main_screen
            library = screen.query_one("#library-list")
            await wait_for(pilot, lambda: "nothing indexed" in str(screen.query_one("#library-empty").render()),
                           what="the empty library")
            await pilot.press("ctrl+n")
            assert type(app.screen).__name__ == "IndexDialog"
            await pilot.press(*str(media / "jfk.flac"), "enter")
            assert app.screen is screen
            # the UI stays responsive while indexing: keys are handled, the theme flips back and forth
            theme = app.theme
            await pilot.press("ctrl+t")
            assert app.theme != theme
            await pilot.press("ctrl+t")
            while screen.indexing:
                seen_progress.extend(r.query_one(".index-detail").render().plain for r in screen.query(".index-row"))
                await pilot.pause(0.2)
            await wait_for(pilot, lambda: library.rows, what="the library to list the new video")
            rows = library.rows
            assert [r.name for r in rows] == ["jfk.flac"] and rows[0].status == "done"
            assert rows[0].duration == "00:11"
            detail = screen.query_one(".index-row .index-detail").render().plain
            assert detail.startswith("indexed: 11.0s of media") and "real time" in detail
            await pilot.press("ctrl+q")
        assert app.return_code == 0

    asyncio.run(scenario())
    # with warm models jfk.flac can finish between two polls; the row's final detail (checked above)
    # is the progress row itself, so the polled lines are informative, not required
    assert all("real time" in line or line for line in seen_progress)


def test_quit_while_indexing_stops_cleanly(tmp_path, media):
    """ctrl+q during indexing stops the run at its next step (the pipeline resumes it next time), then quits."""
    from vidsage.config import load_settings
    from vidsage.index.store import Store

    settings = load_settings(db=str(tmp_path / "db"))

    async def scenario():
        app = make_app(settings, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("ctrl+n")
            await pilot.press(*str(media / "apollo11.mp3"), "enter")
            await wait_for(pilot, lambda: app.backend.indexing, timeout=30, what="indexing to start")
            await pilot.press("ctrl+q")
            assert app.is_running or app.return_code == 0  # the first ctrl+q asks the run to stop
            await wait_for(pilot, lambda: not app.is_running, timeout=300, what="the app to quit")
        assert app.return_code == 0
        return app

    app = asyncio.run(scenario())
    assert not app.backend.index_left_running()
    assert [v.status for v in Store(settings.db).videos()] in ([], ["indexing"], ["done"])


def test_help_palette_and_theme(jfk_store, tmp_path):
    async def scenario():
        app = make_app(jfk_store, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("f1")
            assert type(app.screen).__name__ == "HelpScreen"
            await pilot.press("escape")
            assert app.screen is app.main_screen
            # `?` in the question box is text, not help
            await pilot.press("question_mark")
            assert app.main_screen.query_one("#question").value == "?"
            assert app.screen is app.main_screen
            # the command palette lists the main actions
            await pilot.press("ctrl+p")
            await pilot.press(*"index a file")
            await pilot.pause(0.5)
            await pilot.press("enter")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "IndexDialog", timeout=10, what="the dialog")
            await pilot.press("escape")
            assert app.screen is app.main_screen
            theme = app.theme
            await pilot.press("ctrl+t")
            assert app.theme != theme and app.theme in ("vidsage-dark", "vidsage-light")

    asyncio.run(scenario())


def test_main_screen_snapshot(jfk_store, tmp_path, snap_compare):
    """The main screen after answering a real question (deterministic mode: no dates, timings, tmp paths)."""

    async def run_before(pilot):
        app = pilot.app
        await wait_for(pilot, lambda: app.main_screen.models_ready and app.main_screen.videos, what="startup")
        await ask(pilot, app)
        await pilot.press("f4")
        await pilot.pause(0.3)

    app = make_app(jfk_store, tmp_path, deterministic=True)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


# -- the pure parts --------------------------------------------------------------------------------------

def test_player_command_for_each_player():
    def only(*names):
        return lambda n: f"/opt/bin/{n}" if n in names else None

    assert player_command("/v/a.mp4", 63.5, which=only("mpv", "ffplay", "vlc")) == ["/opt/bin/mpv", "--start=63.5", "/v/a.mp4"]
    assert player_command("/v/a.mp4", 63.5, which=only("ffplay", "vlc")) == ["/opt/bin/ffplay", "-ss", "63.5", "/v/a.mp4"]
    assert player_command("/v/a.mp4", 3, which=only("vlc")) == ["/opt/bin/vlc", "--start-time=3", "/v/a.mp4"]
    assert player_command("/v/a.mp4", 3, which=only("vlc", "mpv"), prefer="vlc")[0] == "/opt/bin/vlc"
    opener = player_command("/v/a.mp4", 3, which=only("xdg-open", "open"))
    assert opener is not None and opener[-1] == "/v/a.mp4" and len(opener) == 2
    assert player_command("/v/a.mp4", 3, which=only()) is None
    assert moment_ref("/v/a.mp4", 63.5) == "/v/a.mp4@01:04"


def test_evidence_rows_and_tool_lines():
    result = {
        "citations": [{"video": "/m/a.mp4", "start": 3.0, "end": 5.0}],
        "moments": [{"video": "/m/a.mp4", "start": 3.0, "end": 5.0, "score": 0.81},
                    {"video": "/m/b.mp4", "start": 70.0, "end": 75.5, "score": 0.4}],
        "evidence": [[{"video": "/m/a.mp4", "start": 2.5, "end": 6.0, "score": 0.8, "kind": "transcript",
                       "text": "ask not   what"}],
                     [{"video": "/m/b.mp4", "start": 70.0, "end": 75.0, "score": 0.4, "kind": "segment:shot",
                       "text": "shot 3; tags: car"}]],
    }
    rows = evidence_rows(result)
    assert [(r.name, r.span, r.score_text, r.cited) for r in rows] == [
        ("a.mp4", "00:03–00:05", "0.81", True), ("b.mp4", "01:10–01:16", "0.40", False)]
    assert rows[0].snippet == "[said] ask not what" and rows[1].snippet == "[shot] shot 3; tags: car"
    assert evidence_rows({"answer": "Not found in your videos."}) == []
    line = tool_call_line({"tool": "find_moments", "args": {"query": "x", "video": None, "k": 5}, "results": 3})
    assert line == "find_moments(query='x', k=5) → 3 results"


def test_token_messages_coalesce():
    a, b = AnswerToken(1, "Hel"), AnswerToken(1, "Hello")
    assert a.can_replace(b) and not a.can_replace(AnswerToken(2, "x"))
    p = IndexProgress("/a.mp4", 1, 1, "asr", 2, 4, 1.0)
    assert p.can_replace(IndexProgress("/a.mp4", 1, 1, "store", 3, 4, 2.0))
    assert not p.can_replace(IndexProgress("/b.mp4", 2, 2, "asr", 1, 4, 0.5))


def test_history_keeps_each_store_apart(tmp_path):
    from vidsage.tui.history import History

    path = tmp_path / "h.jsonl"
    History(path, "/db1").append({"question": "q1", "answer": "a1", "citations": []})
    History(path, "/db2").append({"question": "q2", "answer": "a2"})
    with path.open("a") as f:
        f.write("{not json\n")
    assert [e["question"] for e in History(path, "/db1").load()] == ["q1"]
    History(path, "/db1").clear()
    assert History(path, "/db1").load() == [] and [e["question"] for e in History(path, "/db2").load()] == ["q2"]
