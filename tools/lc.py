"""The tools as langchain `StructuredTool`s, with pydantic argument schemas and short evidence lines.

Every tool result becomes numbered evidence the model can cite: `[E3] jfk.flac @ 00:03–00:10 (said):
«...»`. Text that comes from the videos (speech, on-screen text, tags) is quoted between « and » and
is data: the prompts tell the model never to follow instructions found there, and the quote marks
are removed from the text itself so it cannot close the quote early. Citations are later built from
these items only (their video and interval), never from the model's free text.

Arguments are validated by the pydantic models below before anything runs (`extra="forbid"`: an
unknown key is an error, not silently ignored). Video references must name a video the store knows;
`Store.resolve_video` refuses anything else, so no tool ever opens an arbitrary path.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.tools import StructuredTool
from pydantic import BaseModel, ConfigDict, Field, model_validator

from vidsage.index.chunking import join_words
from vidsage.types import Hit, Moment, StoreError, fmt_span, fmt_time

from . import lexical
from .temporal import shown_in, shown_phrase
from .toolbox import hit_words

MAX_TEXT = 180  # characters of quoted text per evidence line: short evidence keeps prompts fast
K = 4  # results per search: the answer prompt shows only the best few anyway
MAX_CHUNKS = 12  # transcript chunks given for a whole video (spread over it), ~700 tokens
NARROW_S = 60.0  # a transcript stretch this short is given word by word, not as the chunks around it


# -- evidence ---------------------------------------------------------------------------------------
@dataclass
class Evidence:
    id: str  # "E1", ...
    video: str  # path as indexed (what citations carry)
    start: float
    end: float
    kind: str  # said | frame tags | shot | moment | video | description from tags | re-transcribed
    text: str
    score: float | None = None  # retrieval score; None for items that are not a similarity match
    tool: str = ""
    words: list | None = field(default=None, repr=False)  # timed words of speech: [[start, end, word], ...]

    def line(self) -> str:
        name = Path(self.video).name if self.video else "library"
        where = f"{name} @ {fmt_span(self.start, self.end)}" if self.end > self.start else f"{name} @ {fmt_time(self.start)}"
        return f"[{self.id}] {where} ({self.kind}): «{quote(self.text)}»"

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "video": self.video, "start": round(self.start, 2), "end": round(self.end, 2),
                "kind": self.kind, "text": self.text, "score": None if self.score is None else round(self.score, 4),
                "tool": self.tool}


def quote(text: str, max_chars: int = MAX_TEXT) -> str:
    """One line of untrusted text, shortened, with the quote delimiters removed."""
    text = " ".join(str(text).replace("«", '"').replace("»", '"').split())
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"


class EvidenceLog:
    """All evidence of one question, numbered in the order found; the same item is kept once."""

    def __init__(self) -> None:
        self.items: list[Evidence] = []
        self._keys: dict[tuple, Evidence] = {}

    def add(self, video: str, start: float, end: float, kind: str, text: str, score: float | None,
            tool: str, words: list | None = None) -> Evidence:
        key = (video, round(start, 1), round(end, 1), kind, text[:60])
        if key in self._keys:
            ev = self._keys[key]
            if score is not None and (ev.score is None or score > ev.score):
                ev.score = score
            return ev
        ev = Evidence(f"E{len(self.items) + 1}", video, float(start), float(end), kind, text, score, tool, words)
        self.items.append(ev)
        self._keys[key] = ev
        return ev

    def add_hit(self, h: Hit, tool: str) -> Evidence:
        return self.add(h.video, h.start, h.end, hit_kind(h), h.text, h.score, tool, hit_words(h) or None)

    def get(self, ev_id: str) -> Evidence | None:
        return next((e for e in self.items if e.id == ev_id), None)

    def best_score(self) -> float | None:
        scores = [e.score for e in self.items if e.score is not None]
        return max(scores) if scores else None


def hit_kind(h: Hit) -> str:
    return {"transcript": "said", "frame": "frame tags", "clip": "frame (CLIP)"}.get(h.kind, h.kind.replace("segment:", ""))


def render(items: list[Evidence]) -> str:
    return "\n".join(e.line() for e in items) if items else "(no results)"


# -- argument schemas -------------------------------------------------------------------------------
class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoArgs(_Args):
    pass


class SearchArgs(_Args):
    query: str = Field(min_length=1, max_length=200, description="what to look for, in a few words")
    video: str | None = Field(None, max_length=300, description="an indexed video's file name, or null for all")


class TranscriptArgs(_Args):
    video: str = Field(min_length=1, max_length=300, description="an indexed video's file name")
    start: float = Field(0.0, ge=0, description="seconds")
    end: float | None = Field(None, ge=0, description="seconds, or null for the end")


class VideoArgs(_Args):
    video: str = Field(min_length=1, max_length=300, description="an indexed video's file name")


class FrameArgs(_Args):
    video: str = Field(min_length=1, max_length=300, description="an indexed video's file name")
    t: float = Field(ge=0, description="time in seconds")


class SpanArgs(_Args):
    video: str = Field(min_length=1, max_length=300, description="an indexed video's file name")
    start: float = Field(ge=0, description="seconds")
    end: float = Field(gt=0, description="seconds")

    @model_validator(mode="after")
    def _span(self) -> "SpanArgs":
        if self.end <= self.start:
            raise ValueError("end must be after start")
        if self.end - self.start > 120:
            raise ValueError("a span is at most 120 seconds")
        return self


# name -> (args model, one-line description for the prompt); the order is the prompt's order
TOOL_SPECS: dict[str, tuple[type[_Args], str]] = {
    "search_transcript": (SearchArgs, "find what is SAID: transcript passages matching the query"),
    "search_frames": (SearchArgs, "find what is SEEN: keyframes whose tags, on-screen text, faces, colours match"),
    "search_segments": (SearchArgs, "find shots and visual events (something enters, leaves, text appears)"),
    "find_moments": (SearchArgs, "WHEN something happens: ranked time intervals from speech and picture"),
    "get_transcript": (TranscriptArgs, "the transcript of one video between two times (for summaries)"),
    "get_timeline": (VideoArgs, "what is SEEN in one video, in order: shots, on-screen text, things entering and leaving"),
    "list_videos": (NoArgs, "the indexed videos with duration and language"),
    "caption_frame": (FrameArgs, "describe the frame at time t (from tags/OCR, plus nearby speech)"),
    "transcribe_span": (SpanArgs, "re-transcribe start..end seconds for the exact words"),
}
TOOL_NAMES: tuple[str, ...] = tuple(TOOL_SPECS)


def spread(items: list, n: int) -> list:
    """At most `n` of `items`, evenly spaced from the first to the last: a summary of an hour-long
    talk must see its middle and its end, not only its first minutes."""
    if len(items) <= n:
        return items
    if n <= 1:
        return items[:n]
    step = (len(items) - 1) / (n - 1)
    return [items[round(i * step)] for i in range(n)]


# -- the tools ----------------------------------------------------------------------------------------
def make_tools(toolbox, log: EvidenceLog) -> dict[str, StructuredTool]:
    """The tools for one question; their evidence goes into `log` and comes back as numbered lines."""

    def _hits(name: str, hits: list[Hit]) -> tuple[str, list[Evidence]]:
        evs = [log.add_hit(h, name) for h in hits]
        return render(evs), evs

    def search_transcript(query: str, video: str | None = None) -> tuple[str, list[Evidence]]:
        return _hits("search_transcript", toolbox.search_transcript(query, video=video, k=K))

    def search_frames(query: str, video: str | None = None) -> tuple[str, list[Evidence]]:
        return _hits("search_frames", toolbox.search_frames(query, video=video, k=K))

    def search_segments(query: str, video: str | None = None) -> tuple[str, list[Evidence]]:
        return _hits("search_segments", toolbox.search_segments(query, video=video, k=K))

    def find_moments(query: str, video: str | None = None) -> tuple[str, list[Evidence]]:
        moments = toolbox.find_moments(query, video=video, k=K)
        if moments and moments[0].evidence and moments[0].evidence[0].meta.get("answer"):
            # an answer worked out over the event list or the timed transcript ("the last car",
            # "what she asks after X"): the other, merely similar moments would only mislead the model
            moments = moments[:1]
        evs = [moment_evidence(log, m, "find_moments") for m in moments]
        return render(evs), evs

    def get_transcript(video: str, start: float = 0.0, end: float | None = None) -> tuple[str, list[Evidence]]:
        if end is not None and end - start <= NARROW_S:
            # a short stretch ("what is said at 0:08?"): exactly its words, not the chunks around it
            rec = toolbox.store.resolve_video(video)
            words = toolbox.words_between(rec.path, start, end)
            text = join_words([w for _, _, w in words])
            evs = [log.add(rec.path, words[0][0], words[-1][1], "said", text, None, "get_transcript",
                           [(float(a), float(b), str(w)) for a, b, w in words])] if text else []
            return render(evs) if evs else "nothing is said there", evs
        hits = spread(toolbox.get_transcript(video, start, end), MAX_CHUNKS)
        evs = [log.add(h.video, h.start, h.end, "said", h.text, None, "get_transcript", hit_words(h) or None) for h in hits]
        return render(evs), evs

    def get_timeline(video: str) -> tuple[str, list[Evidence]]:
        # what the video holds, not a similarity match: no score (as for a transcript)
        evs = [log.add(h.video, h.start, h.end, hit_kind(h), h.text, None, "get_timeline") for h in toolbox.timeline(video)]
        return render(evs), evs

    def list_videos() -> tuple[str, list[Evidence]]:
        evs = []
        for v in toolbox.list_videos()[:20]:
            langs = [lexical.language_name(c) for c in v.get("languages") or []]
            speech = (f"speech in {' and '.join(langs)}" if langs
                      else "speech in an unknown language" if v.get("chunks") else "no speech found")
            streams = str(v.get("streams", ""))
            if "audio" not in streams:
                streams += ", no audio track (silent)"  # "which videos have no sound?"
            desc = f"{Path(v['video']).name}: {fmt_time(float(v['duration'] or 0.0))} long, {streams}, {speech}"
            if "video" in streams:
                shows = shown_phrase(shown_in(toolbox, v["video_id"]))
                desc += f"; shows {shows}" if shows else "; no people or objects found in the picture"
            evs.append(log.add(v["video"], 0.0, float(v["duration"] or 0.0), "video", desc, None, "list_videos"))
        return render(evs), evs

    def caption_frame(video: str, t: float) -> tuple[str, list[Evidence]]:
        from .extra import caption_frame as _caption

        d = _caption(toolbox, video, t)
        ev = log.add(d["video"], d["start"], d["end"], d["label"], d["description"], None, "caption_frame")
        return render([ev]), [ev]

    def transcribe_span(video: str, start: float, end: float) -> tuple[str, list[Evidence]]:
        from .extra import transcribe_span as _transcribe

        d = _transcribe(toolbox, video, start, end)
        ev = log.add(d["video"], d["start"], d["end"], "re-transcribed", d["text"] or "(no speech)", None,
                     "transcribe_span")
        return render([ev]), [ev]

    funcs = {f.__name__: f for f in (search_transcript, search_frames, search_segments, find_moments,
                                     get_transcript, get_timeline, list_videos, caption_frame, transcribe_span)}
    return {name: StructuredTool.from_function(func=funcs[name], name=name, description=desc, args_schema=model,
                                               response_format="content_and_artifact")
            for name, (model, desc) in TOOL_SPECS.items()}


def moment_evidence(log: EvidenceLog, m: Moment, tool: str) -> Evidence:
    """A moment as one evidence item: its interval, and the text of the hit that answers (a worked-out
    answer's own line) or else of its strongest supporting hit."""
    worked = [h for h in m.evidence if h.meta.get("answer")]
    best = worked[0] if worked else max(m.evidence, key=lambda h: h.score) if m.evidence else None
    text = f"{hit_kind(best)}: {best.text}" if best else "(no description)"
    return log.add(m.video, m.start, m.end, "moment", text, m.score, tool)


def run_tool(tools: dict[str, StructuredTool], name: str, args: dict[str, Any]) -> dict[str, Any]:
    """Validate and run one tool call. Never raises: errors come back as `ok: False` with a reason."""
    t0 = time.perf_counter()
    rec: dict[str, Any] = {"tool": name, "args": args, "ok": False}
    tool = tools.get(name)
    if tool is None:
        rec["error"] = f"unknown tool {name!r}"
    else:
        try:
            model = TOOL_SPECS[name][0]
            clean = model.model_validate(args).model_dump()
            rec["args"] = clean
            msg = tool.invoke({"name": name, "args": clean, "id": f"call_{name}", "type": "tool_call"})
            rec["ok"] = True
            rec["evidence"] = [e.id for e in (msg.artifact or [])]
            rec["results"] = len(msg.artifact or [])
            rec["content"] = msg.content
        except StoreError as e:
            rec["error"] = str(e)
        except Exception as e:  # a validation error, a decoding problem: reported, never fatal
            rec["error"] = f"{type(e).__name__}: {' '.join(str(e).split())[:300]}"
    rec["seconds"] = round(time.perf_counter() - t0, 3)
    return rec


__all__ = ["Evidence", "EvidenceLog", "TOOL_SPECS", "TOOL_NAMES", "make_tools", "run_tool", "render", "quote",
           "moment_evidence", "SearchArgs", "TranscriptArgs", "FrameArgs", "SpanArgs", "NoArgs"]
