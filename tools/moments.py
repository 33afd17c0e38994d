"""Fusing retrieval hits into ranked time intervals ("moments").

Each hit becomes a candidate interval: a transcript chunk is narrowed to the words that match the
query; a keyframe is widened to its shot; a segment keeps its bounds. Candidates from the same video
that overlap are one moment; agreement between signals raises its score.
"""

from __future__ import annotations

from vidsage.types import Hit, Moment

from . import lexical
from .toolbox import QueryIntent, hit_words

_PAD = 0.25  # seconds around a word span, so an interval holds the whole phrase
_ADOPT = 0.7  # a more precise candidate takes over a moment's bounds when it scores this much of its best


def _weight(h: Hit, intent: QueryIntent) -> float:
    return intent.speech_weight if h.kind == "transcript" else intent.visual_weight


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    inter = min(a[1], b[1]) - max(a[0], b[0])
    if inter <= 0:
        return 0.0
    return inter / max(1e-6, min(a[1] - a[0], b[1] - b[0]) or 1e-6)


def _shot_bounds(store, video_id: str, cache: dict) -> list[tuple[float, float]]:
    if video_id not in cache:
        hits = store.get("segments", video_ids=[video_id], where={"kind": "shot"})
        cache[video_id] = sorted((h.start, h.end) for h in hits)
    return cache[video_id]


def _text_events(store, video_id: str, cache: dict) -> list[tuple[float, float, str]]:
    key = ("text", video_id)
    if key not in cache:
        hits = store.get("segments", video_ids=[video_id], where={"kind": "text"})
        cache[key] = sorted((h.start, h.end, str(h.meta.get("ocr", h.text))) for h in hits)
    return cache[key]


def candidate_interval(h: Hit, phrase: list[str], store, shot_cache: dict) -> tuple[float, float]:
    return candidate(h, phrase, store, shot_cache)[0]


def candidate(h: Hit, phrase: list[str], store, shot_cache: dict) -> tuple[tuple[float, float], int]:
    """A hit's interval and how precise it is: 2 = bounded by the thing itself (matching words, an
    on-screen text's or an object's own event), 1 = the shot around a keyframe, 0 = a guess."""
    if h.kind == "transcript":
        span = lexical.best_span(phrase, hit_words(h))
        if span:
            return (max(0.0, span[0] - _PAD), span[1] + _PAD), 2
        return (h.start, h.end), 1
    if h.kind in ("frame", "clip"):
        vid = h.meta.get("video_id")
        ocr = str(h.meta.get("ocr") or "")
        if vid and ocr and lexical.overlap(phrase, ocr) > 0:
            # the query matched the frame's on-screen text: the text's own event bounds it
            for s, e, text in _text_events(store, vid, shot_cache):
                if s - 0.5 <= h.start <= e + 0.5 and lexical.overlap(lexical.tokens(text), ocr) > 0:
                    return (s, e), 2
        for s, e in _shot_bounds(store, vid, shot_cache) if vid else []:
            if s <= h.start < e:
                return (s, e), 1
        return (max(0.0, h.start - 1.0), h.start + 1.0), 0
    if h.kind in ("segment:text", "segment:object"):
        return (h.start, max(h.end, h.start + 0.5)), 2
    return (h.start, max(h.end, h.start + 0.5)), 1


def fuse_moments(speech: list[Hit], visual: list[Hit], intent: QueryIntent, store, k: int) -> list[Moment]:
    shot_cache: dict = {}
    cands: list[tuple[str, tuple[float, float], float, Hit, int]] = []
    for hits, weight in ((speech, intent.speech_weight), (visual, intent.visual_weight)):
        for h in hits:
            span, precision = candidate(h, intent.phrase, store, shot_cache)
            cands.append((h.video, span, h.score * weight, h, precision))
    cands.sort(key=lambda c: c[2], reverse=True)

    moments: list[Moment] = []
    precision_of: dict[int, int] = {}
    for video, (s, e), score, hit, precision in cands:
        for m in moments:
            if m.video == video and _overlap((m.start, m.end), (s, e)) >= 0.5:
                # a second signal agreeing raises confidence; the best candidate keeps the interval,
                # unless this one is bounded by the thing itself (an event inside a keyframe's shot)
                if all(x.kind != hit.kind for x in m.evidence):
                    m.score += 0.15 * score
                if precision > precision_of[id(m)] and score >= _ADOPT * m.evidence[0].score * _weight(m.evidence[0], intent):
                    m.start, m.end = s, e
                    precision_of[id(m)] = precision
                m.evidence.append(hit)
                break
        else:
            m = Moment(video, s, e, score, [hit])
            precision_of[id(m)] = precision
            moments.append(m)
    moments.sort(key=lambda m: m.score, reverse=True)
    return moments[:k]


def with_temporal(toolbox, query: str, video: str | None, moments: list[Moment], k: int) -> list[Moment]:
    """Put the event-list answer to an ordinal or counting question ("the second car", "how many
    people") first; similarity ranks the rest. Unchanged when the question is not temporal."""
    from .temporal import answer_temporal

    try:
        ans = answer_temporal(toolbox, query, video)
    except Exception:  # a temporal parse must never break plain retrieval
        return moments[:k]
    if ans is None or ans.moment is None:
        return moments[:k]
    top = ans.moment
    top.score = max([top.score] + [m.score + 0.01 for m in moments])
    rest = [m for m in moments if not (m.video == top.video and _overlap((m.start, m.end), (top.start, top.end)) >= 0.5)]
    return ([top] + rest)[:k]
