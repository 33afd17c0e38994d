"""Records shared by every part of vidsage.

Times are seconds as floats; people see `mm:ss` (see `fmt_time`). Records that a run produces echo
the options that produced them (model names, thresholds), so each one describes itself.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .labels import display


class MediaError(Exception):
    """A file that cannot be indexed: the message names the file and the reason, on one line."""

    def __init__(self, path: str, reason: str):
        self.path = str(path)
        self.reason = " ".join(str(reason).split())  # one line, always
        super().__init__(f"{self.path}: {self.reason}")


class StoreError(Exception):
    """The store cannot be used as asked (model mismatch, locked, unknown video)."""


def fmt_time(seconds: float) -> str:
    """`mm:ss` below an hour, `h:mm:ss` from an hour on; negative times clamp to 0; NaN/inf show `--:--`."""
    if seconds != seconds or seconds in (float("inf"), float("-inf")):
        return "--:--"  # a damaged file's timestamps must not crash whatever prints them
    s = max(0, int(round(seconds)))
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m:02d}:{sec:02d}"


def fmt_span(start: float, end: float) -> str:
    return f"{fmt_time(start)}–{fmt_time(end)}"


def overlap_share(a: tuple[float, float], b: tuple[float, float]) -> float:
    """How much two intervals overlap, as a share of the shorter one (0 = apart, 1 = one inside the other)."""
    point, other = (a, b) if a[1] - a[0] <= b[1] - b[0] else (b, a)
    if point[1] - point[0] <= 0:  # a point in time (a keyframe): inside the other interval, or the same point
        p = point[0]
        return 1.0 if other[0] < p < other[1] or other[0] == p == other[1] else 0.0
    inter = min(a[1], b[1]) - max(a[0], b[0])
    if inter <= 0:
        return 0.0
    return inter / max(1e-6, min(a[1] - a[0], b[1] - b[0]) or 1e-6)


def same_moment(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Two `{"video", "start", "end"}` references point at one moment (same video, mostly overlapping)."""
    return a["video"] == b["video"] and overlap_share((a["start"], a["end"]), (b["start"], b["end"])) >= 0.5


@dataclass
class StreamInfo:
    index: int
    kind: str  # "video" | "audio" | "subtitle"
    codec: str
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    sample_rate: int | None = None
    channels: int | None = None
    language: str | None = None
    rotation: int = 0


@dataclass
class MediaInfo:
    path: str
    duration: float
    streams: list[StreamInfo]
    size_bytes: int

    @property
    def video(self) -> StreamInfo | None:
        return next((s for s in self.streams if s.kind == "video"), None)

    @property
    def audio(self) -> StreamInfo | None:
        return next((s for s in self.streams if s.kind == "audio"), None)

    @property
    def subtitles(self) -> list[StreamInfo]:
        return [s for s in self.streams if s.kind == "subtitle"]

    def streams_summary(self) -> str:
        parts = []
        if self.video:
            v = self.video
            parts.append(f"video {v.codec} {v.width}x{v.height}")
        if self.audio:
            parts.append(f"audio {self.audio.codec}")
        if self.subtitles:
            parts.append(f"{len(self.subtitles)} subtitle")
        return ", ".join(parts) or "no streams"


@dataclass
class Frame:
    """A decoded frame: `image` is an RGB uint8 numpy array (H, W, 3) at reduced resolution."""

    t: float
    image: Any


@dataclass
class Keyframe:
    t: float
    shot: int
    score: float  # how much the picture changed to make this a keyframe (0 for forced/spacing picks)
    image: Any = None  # RGB array while indexing; never stored


@dataclass
class Shot:
    index: int
    start: float
    end: float
    keyframes: list[float] = field(default_factory=list)


@dataclass
class FrameText:
    """What the shipped models see in a frame. Tags, not a caption: say so wherever it is shown."""

    t: float
    tags: list[tuple[str, float]] = field(default_factory=list)  # (ImageNet label, prob)
    ocr: list[str] = field(default_factory=list)
    ocr_heights: list[float] = field(default_factory=list)  # per ocr line: letter height / picture height
    faces: int = 0
    colours: list[str] = field(default_factory=list)
    clip: list[float] | None = None  # image vector when CLIP weights are present
    people: list[str] = field(default_factory=list)  # per face: hair, what they wear ("" when unseen)
    background: list[str] = field(default_factory=list)  # colours behind the people (faces), when seen
    chroma: float = -1.0  # most saturation in the frame (appearance.chroma); -1 for a black frame
    mono: bool = False  # set per video: no keyframe of it shows colour (old film)
    objects: list[tuple[str, float, str]] = field(default_factory=list)  # (label, prob, where) in parts of the picture

    def text(self) -> str:
        """The frame as one line of text for the text embedder and for the LLM."""
        parts = []
        if self.tags:
            parts.append("tags: " + ", ".join(display(lbl) for lbl, _ in self.tags))
        if self.ocr:
            parts.append("on-screen text: " + " | ".join(self.ocr))
        if self.faces:
            looks = [p for p in self.people if p]
            parts.append(f"{self.faces} face{'s' if self.faces != 1 else ''}"
                         + (" (" + "; ".join(looks) + ")" if looks else ""))
        if self.background:
            parts.append("background behind them: " + "/".join(self.background))
        if self.mono:
            parts.append("black-and-white picture (no colour)")
        if self.objects:  # after the surer facts: a search result's line is cut short
            parts.append(things_seen(self.objects))
        if self.colours:
            parts.append("colours: " + ", ".join(self.colours))
        return "; ".join(parts) or "no description"


def things_seen(objects: list[tuple[str, float, str]]) -> str:
    """The things a window scan found, as text: "things seen in parts of the picture: analog clock
    (clock) at the top left"."""
    return "things seen in parts of the picture: " + ", ".join(f"{display(label)} at the {where}"
                                                             for label, _, where in objects)


@dataclass
class Word:
    start: float
    end: float
    word: str
    probability: float = 1.0


@dataclass
class TranscriptChunk:
    start: float
    end: float
    text: str
    source: str = "asr"  # "asr" | "subtitle:<file or stream>"
    language: str | None = None
    words: list[Word] = field(default_factory=list)


@dataclass
class Segment:
    """A stretch of a video with bounds: a shot, an on-screen-text event, an object event."""

    kind: str  # "shot" | "text" | "object" | "speech"
    start: float
    end: float
    text: str  # description used for retrieval and shown to the LLM
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class VideoRecord:
    video_id: str  # content hash
    path: str  # path as first indexed (absolute)
    paths: list[str]
    duration: float
    streams: str
    status: str  # "indexing" | "done" | "failed"
    keyframes: int = 0
    chunks: int = 0
    segments: int = 0
    language: str | None = None
    languages: list[str] = field(default_factory=list)  # of its speech, most spoken first (per chunk)
    models: dict[str, str] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    indexed_at: str = ""
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "video": self.path,
            "video_id": self.video_id,
            "paths": self.paths,
            "duration": self.duration,
            "streams": self.streams,
            "status": self.status,
            "keyframes": self.keyframes,
            "chunks": self.chunks,
            "segments": self.segments,
            "language": self.language,
            "languages": self.languages or ([self.language] if self.language else []),
            "models": self.models,
            "indexed_at": self.indexed_at,
        }


@dataclass
class Hit:
    """One retrieval result from the store."""

    video: str
    start: float
    end: float
    score: float  # higher is better, in [0, 1] for cosine similarity
    text: str
    kind: str  # "frame" | "transcript" | "segment:<kind>" | "clip"
    meta: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["start"] = round(self.start, 2)
        d["end"] = round(self.end, 2)
        d["score"] = round(self.score, 4)
        return d


@dataclass
class Moment:
    video: str
    start: float
    end: float
    score: float
    evidence: list[Hit] = field(default_factory=list)

    def to_json(self, with_evidence: bool = False) -> dict[str, Any]:
        d: dict[str, Any] = {
            "video": self.video,
            "start": round(self.start, 2),
            "end": round(self.end, 2),
            "score": round(self.score, 4),
        }
        if with_evidence:
            d["evidence"] = [h.to_json() for h in self.evidence]
        return d


@dataclass
class Citation:
    video: str
    start: float
    end: float

    def to_json(self) -> dict[str, Any]:
        return {"video": self.video, "start": round(self.start, 2), "end": round(self.end, 2)}

    def __str__(self) -> str:
        return f"{self.video} @ {fmt_span(self.start, self.end)}"
