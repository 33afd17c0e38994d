"""The TUI's one door to the rest of vidsage: the store's read API, the agent, the indexing pipeline
and frame decoding. Everything here blocks and is called from worker threads, never from widgets.

Heavy imports (Chroma, the models) happen on first use, so the app draws its screen at once.
"""

from __future__ import annotations

import inspect
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from textual.message import Message

from vidsage.config import Settings
from vidsage.index.pipeline import Reporter

from .messages import IndexDone, IndexFileDone, IndexProgress

# Chroma's client cache is not safe when two threads open the same store for the first time at once
# (KeyError from SharedSystemClient): every store this process opens is opened under this lock.
_OPEN_LOCK = threading.Lock()


class Backend:
    def __init__(self, settings: Settings, mode: str = "auto"):
        self.settings = settings
        self.mode = mode
        self._ready_lock = threading.Lock()
        self._answer_lock = threading.Lock()
        self._index_lock = threading.Lock()
        self._ready = False
        self._indexer = None
        self._store = None
        self.llm_note = ""

    # -- models ---------------------------------------------------------------------------------
    def warm_up(self) -> str:
        """Load the query models (and the LLM unless mode is fast). Returns a status line."""
        with self._ready_lock:
            if self._ready:
                return self.status_text()
            from vidsage.agent.answer import get_toolbox

            tb = get_toolbox(self.settings)
            tb.embedder
            with _OPEN_LOCK:
                tb.store  # opens the store; refuses a model mismatch here, not at the first question
            if self.mode != "fast":
                self.llm_note = self._load_llm()
            self._ready = True
            return self.status_text()

    def _load_llm(self) -> str:
        """Load the LLM now rather than at the first question; '' when it loaded, else why not."""
        try:
            from vidsage.agent.llm import LLMError, get_llm
        except ImportError:
            return "no agent: fast answers only"
        try:
            llm = get_llm(self.settings)
        except LLMError as e:
            return f"no LLM ({str(e)[:80]}): fast answers only"
        return "" if llm is not None else "no LLM: fast answers only"

    def status_text(self) -> str:
        if self.mode == "fast":
            return "ready (fast mode: no LLM)"
        return f"ready ({self.llm_note})" if self.llm_note else "ready"

    # -- store (read API) ---------------------------------------------------------------------------
    def videos(self) -> list[Any]:
        from vidsage.index.store import Store

        with _OPEN_LOCK:
            if self._store is None:
                self._store = Store(self.settings.db)
        return self._store.videos()

    # -- the agent --------------------------------------------------------------------------------
    def answer(self, question: str, video: str | None = None, on_token: Callable[[str], None] | None = None,
               on_tool_call: Callable[[dict], None] | None = None) -> dict[str, Any]:
        from vidsage.agent.answer import answer_question

        self.warm_up()
        question = question[: self.settings.max_question_chars]
        kw: dict[str, Any] = {"video": video, "mode": self.mode, "on_token": on_token}
        if on_tool_call is not None and "on_tool_call" in inspect.signature(answer_question).parameters:
            kw["on_tool_call"] = on_tool_call
        with self._answer_lock:  # one question at a time: the LLM is not re-entrant
            return answer_question(question, self.settings, **kw)

    # -- indexing --------------------------------------------------------------------------------
    def index(self, paths: Iterable[str | Path], post: Callable[[Message], Any]) -> Any:
        """Index files/folders, posting IndexProgress / IndexFileDone / IndexDone through `post`."""
        from vidsage.index.pipeline import Indexer, index_paths

        with self._index_lock:
            reporter = MessageReporter(post)
            try:
                if self._indexer is None:
                    with _OPEN_LOCK:
                        self._indexer = Indexer(self.settings)
                summary = index_paths(list(paths), self.settings, indexer=self._indexer, reporter=reporter)
            except Exception as e:  # a locked or mismatched store: say so, keep the app running
                post(IndexDone(0, 0, 0, error=f"{type(e).__name__}: {e}"))
                return None
            post(IndexDone(summary.count("indexed"), summary.count("unchanged") + summary.count("alias"),
                           summary.count("skipped") + summary.count("failed"), summary.interrupted))
            return summary

    # -- frames ---------------------------------------------------------------------------------
    def frame(self, video: str, t: float, max_side: int = 480) -> Any | None:
        """The picture at `t` (RGB array), or None for audio-only media or an undecodable spot."""
        from vidsage.index.decode import frame_at

        return frame_at(video, t, max_side)


class MessageReporter(Reporter):
    """A pipeline `Reporter` that turns its callbacks into Textual messages (called from worker threads)."""

    def __init__(self, post: Callable[[Message], Any]):
        self.post = post
        self._lock = threading.Lock()
        self._files: list[Path] = []
        self._path = ""
        self._pos = 0
        self._done = 0
        self._expected = 1
        self._t0 = time.perf_counter()

    def start(self, files: list[Path]) -> None:
        self._files = list(files)

    def begin_file(self, path: Path) -> None:
        from .present import stage_expectation

        with self._lock:
            self._path, self._done, self._t0 = str(path), 0, time.perf_counter()
            self._pos += 1
            self._expected = stage_expectation(str(path))
            msg = self._progress("starting")
        self.post(msg)

    def stage(self, name: str, seconds: float) -> None:
        with self._lock:  # vision and speech report from two threads
            self._done += 1
            self._expected = max(self._expected, self._done + 1)
            msg = self._progress(name)
        self.post(msg)

    def _progress(self, stage: str) -> IndexProgress:
        return IndexProgress(self._path, self._pos, len(self._files), stage, self._done, self._expected,
                             time.perf_counter() - self._t0)

    def end_file(self, res: Any) -> None:
        self.post(IndexFileDone(str(res.path), res.status, res.reason, res.duration, res.seconds, dict(res.stages)))

    def stop(self) -> None: ...
