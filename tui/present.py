"""Shape what the agent and the store return into what the widgets show (pure functions, tested alone).

Widgets get rows and strings from here; they never read a result dict or a store record themselves.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vidsage.types import fmt_span, fmt_time

_KIND_LABEL = {"transcript": "said", "frame": "frame tags", "clip": "frame (CLIP)"}


def _one_line(text: str, max_chars: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"


def hit_snippet(hit: dict[str, Any], max_chars: int = 120) -> str:
    kind = str(hit.get("kind", ""))
    label = _KIND_LABEL.get(kind, kind.replace("segment:", "") or "evidence")
    return f"[{label}] {_one_line(hit.get('text', ''), max_chars)}"


@dataclass(frozen=True)
class EvidenceRow:
    video: str  # the path as indexed (what citations carry)
    start: float
    end: float
    score: float | None
    snippet: str
    cited: bool = False

    @property
    def name(self) -> str:
        return Path(self.video).name

    @property
    def span(self) -> str:
        return fmt_span(self.start, self.end)

    @property
    def score_text(self) -> str:
        return "—" if self.score is None else f"{self.score:.2f}"

    @property
    def key(self) -> tuple[str, float]:
        return (self.video, round(self.start, 2))


def _overlaps(a0: float, a1: float, b0: float, b1: float, slack: float = 0.5) -> bool:
    return a0 <= b1 + slack and b0 <= a1 + slack


def _hits(result: dict[str, Any]) -> tuple[list[list[dict]], list[dict]]:
    """Evidence per moment (aligned with `moments` when the result has that shape) and all hits."""
    ev = result.get("evidence") or []
    per_moment: list[list[dict]] = []
    flat: list[dict] = []
    for item in ev:
        if isinstance(item, list):
            hits = [h for h in item if isinstance(h, dict)]
            per_moment.append(hits)
            flat.extend(hits)
        elif isinstance(item, dict):
            flat.append(item)
    return per_moment, flat


def _best_snippet(hits: list[dict], video: str, start: float, end: float) -> str:
    near = [h for h in hits if h.get("video") == video
            and _overlaps(float(h.get("start", 0)), float(h.get("end", 0)), start, end)]
    if not near:
        return ""
    best = max(near, key=lambda h: float(h.get("score") or 0.0))
    return hit_snippet(best)


def evidence_rows(result: dict[str, Any] | None) -> list[EvidenceRow]:
    """Citations first (marked), then the ranked moments not already cited."""
    if not result:
        return []
    per_moment, flat = _hits(result)
    moments = [m for m in result.get("moments") or [] if isinstance(m, dict)]
    rows: list[EvidenceRow] = []
    for c in result.get("citations") or []:
        video, start, end = str(c.get("video", "")), float(c.get("start", 0)), float(c.get("end", 0))
        score = next((float(m["score"]) for m in moments if m.get("video") == video
                      and _overlaps(float(m["start"]), float(m["end"]), start, end, 0.0) and "score" in m), None)
        rows.append(EvidenceRow(video, start, end, score, _best_snippet(flat, video, start, end), cited=True))
    cited = {(r.video, round(r.start, 1), round(r.end, 1)) for r in rows}
    for i, m in enumerate(moments):
        video, start, end = str(m.get("video", "")), float(m.get("start", 0)), float(m.get("end", 0))
        if (video, round(start, 1), round(end, 1)) in cited:
            continue
        hits = per_moment[i] if i < len(per_moment) and len(per_moment) == len(moments) else flat
        score = m.get("score")
        rows.append(EvidenceRow(video, start, end, None if score is None else float(score),
                                _best_snippet(hits, video, start, end)))
    return rows


def tool_call_line(call: dict[str, Any]) -> str:
    """`find_moments(query='…', k=5) → 5 results`: one compact line per tool call."""
    name = call.get("tool") or call.get("name") or "tool"
    args = call.get("args") or call.get("arguments") or {}
    if isinstance(args, str):
        try:
            args = json.loads(args)
        except ValueError:
            args = {"input": args}
    parts = [f"{k}={_one_line(repr(v), 48)}" for k, v in args.items() if v is not None] if isinstance(args, dict) else []
    line = f"{name}({', '.join(parts)})"
    res = call.get("results", call.get("result"))
    if call.get("ok") is False or call.get("error"):
        line += f" ✗ {_one_line(call.get('error') or 'failed', 60)}"
    elif isinstance(res, (int, float)):
        line += f" → {res} result{'s' if res != 1 else ''}"
    elif isinstance(res, list):
        line += f" → {len(res)} result{'s' if len(res) != 1 else ''}"
    elif isinstance(res, str) and res:
        line += f" → {_one_line(res, 60)}"
    if call.get("seconds") is not None:
        line += f"  ({float(call['seconds']):.1f}s)"
    return line


def answer_footer(result: dict[str, Any], deterministic: bool = False) -> str:
    """`fast · 1 citation · 0.4 s` under an answer (no time when the screen must be reproducible)."""
    parts = [str(result.get("mode") or "agent")]
    n = len(result.get("citations") or [])
    parts.append(f"{n} citation{'s' if n != 1 else ''}")
    if not deterministic and result.get("seconds") is not None:
        parts.append(f"{float(result['seconds']):.1f} s")
    return " · ".join(parts)


@dataclass(frozen=True)
class LibraryRow:
    key: str  # video id
    name: str
    duration: str
    streams: str
    status: str
    date: str
    path: str


def library_rows(videos: list[Any], deterministic: bool = False) -> list[LibraryRow]:
    rows = []
    for v in videos:
        date = "" if deterministic else (v.indexed_at or "")[:10]
        streams = (v.streams or "").replace("video ", "").replace("audio ", "♪ ").replace(", ", " ")
        rows.append(LibraryRow(v.video_id, Path(v.path).name, fmt_time(v.duration or 0), streams,
                               v.status, date, v.path))
    return rows


def stage_expectation(path: str) -> int:
    """How many pipeline stages a file of this kind reports (a progress estimate, never exact)."""
    from vidsage.index.pipeline import AUDIO_EXTS

    # audio: subtitles, decode audio, asr, store; video adds decode+keyframes and describe (+ events, clip)
    return 4 if Path(path).suffix.lower() in AUDIO_EXTS else 6
