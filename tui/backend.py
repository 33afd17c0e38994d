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
        self.closing = threading.Event()  # the app is quitting: answers stop, an indexing run is left behind
        self._index_stop = threading.Event()  # stop the indexing run at its next step
        self.indexing = False
        self._index_thread: threading.Thread | None = None

    # -- models ---------------------------------------------------------------------------------
    def warm_up(self, on_status: Callable[[str], Any] | None = None) -> str:
        """Load the query models (and the LLM unless mode is fast). Returns a status line."""
        say = on_status or (lambda text: None)
        with self._ready_lock:
            if self._ready:
                return self.status_text()
            from vidsage.agent.answer import get_toolbox

            say("loading the search models…")
            tb = get_toolbox(self.settings)
            tb.embedder
            with _OPEN_LOCK:
                tb.store  # opens the store; refuses a model mismatch here, not at the first question
            if self.mode != "fast":
                say("loading the LLM…")
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
            try:
                from vidsage.agent.loop import warm_up
            except ImportError:
                warm_up = None
            if warm_up is not None:
                warm_up(self.settings, llm)  # evaluates the system prompt once, so the first answer is quicker
        except LLMError as e:
            return f"no LLM ({str(e)[:80]}): fast answers only"
        return ""

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
        def token(tok: str) -> None:
            if self.closing.is_set():
                raise KeyboardInterrupt  # the app is closing: stop generating
            if on_token is not None:
                on_token(tok)

        kw: dict[str, Any] = {"video": video, "mode": self.mode, "on_token": token}
        if on_tool_call is not None and "on_tool_call" in inspect.signature(answer_question).parameters:
            kw["on_tool_call"] = on_tool_call
        with self._answer_lock:  # one question at a time: the LLM is not re-entrant
            return answer_question(question, self.settings, **kw)

    # -- indexing --------------------------------------------------------------------------------
    def index(self, paths: Iterable[str | Path], post: Callable[[Message], Any]) -> Any:
        """Index files/folders, posting IndexProgress / IndexFileDone / IndexDone through `post`.

        The pipeline runs in a daemon thread that this call waits for: `stop_indexing()` ends it
        cleanly at the next stage (the pipeline keeps what finished and resumes the rest next time);
        if the app quits for good instead (`close()`), this returns at once and the run is abandoned
        with the process, as if it were killed, which the pipeline also recovers from.
        """
        with self._index_lock:
            self._index_stop = stop = threading.Event()
            self.indexing = True
            box: dict[str, Any] = {}
            thread = threading.Thread(target=self._index, args=(list(paths), post, stop, box),
                                      name="vidsage-index", daemon=True)
            thread.start()
            self._index_thread = thread
            try:
                while thread.is_alive():
                    if self.closing.is_set():
                        return None
                    thread.join(0.2)
            finally:
                self.indexing = False
            return box.get("summary")

    def _index(self, paths: list, post: Callable[[Message], Any], stop: threading.Event, box: dict) -> None:
        from vidsage.index.pipeline import Indexer, index_paths

        reporter = MessageReporter(post, stop)
        try:
            if self._indexer is None:
                with _OPEN_LOCK:
                    self._indexer = Indexer(self.settings)
            summary = index_paths(paths, self.settings, indexer=self._indexer, reporter=reporter)
        except BaseException as e:  # a locked or mismatched store: say so, keep the app running
            post(IndexDone(0, 0, 0, interrupted=isinstance(e, KeyboardInterrupt),
                           error=None if isinstance(e, KeyboardInterrupt) else f"{type(e).__name__}: {e}"))
            return
        box["summary"] = summary
        post(IndexDone(summary.count("indexed"), summary.count("unchanged") + summary.count("alias"),
                       summary.count("skipped") + summary.count("failed"), summary.interrupted))

    def stop_indexing(self) -> None:
        """Stop the indexing run at its next step (between stages and files); what finished is kept."""
        self._index_stop.set()

    def index_left_running(self) -> bool:
        """True when an abandoned indexing run is still finishing its current step."""
        return self._index_thread is not None and self._index_thread.is_alive()

    def close(self) -> None:
        """The app is quitting: stop generating answers, leave any indexing run behind."""
        self._index_stop.set()
        self.closing.set()

    # -- frames ---------------------------------------------------------------------------------
    def frame(self, video: str, t: float, max_side: int = 480) -> Any | None:
        """The picture at `t` (RGB array), or None for audio-only media or an undecodable spot."""
        from vidsage.index.decode import frame_at

        return frame_at(video, t, max_side)


class MessageReporter(Reporter):
    """A pipeline `Reporter` that turns its callbacks into Textual messages (called from worker threads)."""

    def __init__(self, post: Callable[[Message], Any], stop: threading.Event | None = None):
        self.post = post
        self.stop_event = stop or threading.Event()
        self._lock = threading.Lock()
        self._files: list[Path] = []
        self._path = ""
        self._pos = 0
        self._done = 0
        self._expected = 1
        self._t0 = time.perf_counter()

    def start(self, files: list[Path]) -> None:
        self._files = list(files)

    def _check(self) -> None:
        # the pipeline treats KeyboardInterrupt as "stop here": what finished is kept, the rest resumes later
        if self.stop_event.is_set():
            raise KeyboardInterrupt

    def begin_file(self, path: Path) -> None:
        from .present import stage_expectation

        self._check()
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
        self._check()

    def _progress(self, stage: str) -> IndexProgress:
        return IndexProgress(self._path, self._pos, len(self._files), stage, self._done, self._expected,
                             time.perf_counter() - self._t0)

    def end_file(self, res: Any) -> None:
        self.post(IndexFileDone(str(res.path), res.status, res.reason, res.duration, res.seconds, dict(res.stages)))

    def stop(self) -> None: ...
