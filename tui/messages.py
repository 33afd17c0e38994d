"""The events the TUI's workers post to the screen, each a small dataclass `Message`.

High-rate messages carry cumulative state and coalesce: when a newer message of the same stream is
already waiting, Textual drops the older one (`can_replace`), so a burst of tokens or progress ticks
costs one repaint, not hundreds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from textual.message import Message


@dataclass
class ModelsLoading(Message):
    """What is loading now (a status line)."""

    text: str


@dataclass
class ModelsReady(Message):
    """The agent's models finished loading (or failed to: `error`)."""

    status: str
    error: str | None = None


@dataclass
class LibraryLoaded(Message):
    """The store's list of videos (`VideoRecord`s), read in a worker."""

    videos: list[Any]
    error: str | None = None


@dataclass
class AnswerToken(Message):
    """The answer text streamed so far (cumulative, so a newer one may replace an older one)."""

    answer_id: int
    text: str

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, AnswerToken) and message.answer_id == self.answer_id


@dataclass
class ToolCall(Message):
    """One tool call the agent made while answering."""

    answer_id: int
    call: dict[str, Any]


@dataclass
class AnswerDone(Message):
    """The finished answer: the `ask --json` object, or an error message."""

    answer_id: int
    result: dict[str, Any] | None
    error: str | None = None


@dataclass
class IndexProgress(Message):
    """Where indexing of one file stands (cumulative, coalescing per file)."""

    path: str
    position: int  # 1-based index of the file in this run
    total: int  # files in this run
    stage: str  # the last stage finished, or "starting"
    done: int  # stages finished
    expected: int  # stages expected for this kind of file
    elapsed: float  # seconds since the file started

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, IndexProgress) and message.path == self.path


@dataclass
class IndexFileDone(Message):
    """One file finished: `status` as the pipeline reports it (indexed, unchanged, skipped, ...)."""

    path: str
    status: str
    reason: str = ""
    duration: float = 0.0
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)

    @property
    def realtime_factor(self) -> float:
        return self.duration / self.seconds if self.seconds > 0 else 0.0


@dataclass
class IndexDone(Message):
    """The whole indexing run finished."""

    indexed: int
    unchanged: int
    skipped: int
    interrupted: bool = False
    error: str | None = None


@dataclass
class KeyframeLoaded(Message):
    """The frame of a selected moment, decoded in a worker (`image` None: no picture there)."""

    key: tuple[str, float]
    image: Any | None
    note: str = ""
