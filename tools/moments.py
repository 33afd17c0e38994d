"""Fusing retrieval hits into ranked time intervals ("moments").

Each hit becomes a candidate interval: a transcript chunk is narrowed to the words that match the
query; a keyframe is widened to its shot; a segment keeps its bounds. Candidates from the same video
that overlap are one moment; agreement between signals raises its score.
"""

from __future__ import annotations

import os
import re

import numpy as np

from vidsage.types import Hit, Moment, overlap_share

from . import lexical
from .looks import agreement, looks_asked
from .toolbox import QueryIntent, hit_words

_PAD = 0.25  # seconds around a word span, so an interval holds the whole phrase
CALIBRATE = os.environ.get("VIDSAGE_CALIBRATE", "1") not in ("0", "false", "no")  # off only for ablations
CAL_SLOPE = 0.08  # a visual hit's score is multiplied by 1 + CAL_SLOPE * z (z clipped to +-CAL_ZMAX)
CAL_ZMAX = 3.0
CAL_MIN = 4  # entries a video needs in a collection before its scores say what is typical
CAL_MAX = 100  # entries per video and collection the statistics are taken over (the best-matching ones)
CAL_VIDEOS = 5  # videos calibrated per query: those with the best visual hits
CAL_SIGMA_FLOOR = 0.02  # cosine spread below this is treated as this (identical descriptions)
_ADOPT = 0.7  # a more precise candidate takes over a moment's bounds when it scores this much of its best


def _shot_bounds(store, video_id: str, cache: dict) -> list[tuple[float, float]]:
    if video_id not in cache:
        cache[video_id] = sorted((h.start, h.end) for h in store.segments_of(video_id) if h.kind == "segment:shot")
    return cache[video_id]


def _text_events(store, video_id: str, cache: dict) -> list[tuple[float, float, str]]:
    key = ("text", video_id)
    if key not in cache:
        cache[key] = sorted((h.start, h.end, str(h.meta.get("ocr", h.text)))
                            for h in store.segments_of(video_id) if h.kind == "segment:text")
    return cache[key]


def _person_events(store, video_id: str, cache: dict) -> list[tuple[float, float]]:
    key = ("person", video_id)
    if key not in cache:
        cache[key] = sorted((h.start, h.end) for h in store.segments_of(video_id)
                            if h.kind == "segment:object" and h.meta.get("class") == "person")
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
        if vid and ocr and lexical.overlap(lexical.tokens(" ".join(phrase)), ocr) > 0:
            # the query matched the frame's on-screen text: the text's own event bounds it
            for s, e, text in _text_events(store, vid, shot_cache):
                if s - 0.5 <= h.start <= e + 0.5 and lexical.overlap(lexical.tokens(text), ocr) > 0:
                    return (s, e), 2
        if vid and int(h.meta.get("faces") or 0) > 0:
            # a face in a static camera's long shot is the person who walked in: their own event
            # (enter to leave) bounds it, not the shot, which may be the whole video
            for s, e in _person_events(store, vid, shot_cache):
                if s - 0.5 <= h.start <= e + 0.5:
                    return (s, e), 2
        for s, e in _shot_bounds(store, vid, shot_cache) if vid else []:
            if s <= h.start < e:
                return (s, e), 1
        return (max(0.0, h.start - 1.0), h.start + 1.0), 0
    if h.kind in ("segment:text", "segment:object"):
        return (h.start, max(h.end, h.start + 0.5)), 2
    return (h.start, max(h.end, h.start + 0.5)), 1


class Calibrator:
    """Per-video calibration of visual similarity: how far a hit's vector score stands above the
    scores of the same query against that video's other entries of the same collection (a z-score),
    turned into a factor on its fused score.

    MiniLM cosines sit in a narrow band, and a video whose every keyframe reads "colours: grey" matches
    "a grey cardigan" everywhere equally: such a hit is not evidence of a moment. A hit that stands
    out within its own video is. The factor is 1 + CAL_SLOPE * z (z clipped to +-CAL_ZMAX), so a
    typical hit (z = 0) and a hit that cannot be calibrated (a video with fewer than CAL_MIN
    entries in that collection) keep their score."""

    COLLECTIONS = {"frame": "frames", "segment": "segments"}

    def __init__(self, store, qvec):
        self.store = store
        self.qvec = qvec
        self._stats: dict[tuple[str, str], tuple[float, float] | None] = {}
        self.videos: set[str] | None = None  # calibrate only hits of these videos (None: all)

    def _collection(self, h: Hit) -> str | None:
        return self.COLLECTIONS.get(h.kind.split(":")[0])

    def stats(self, col: str, vid: str) -> tuple[float, float] | None:
        key = (col, vid)
        if key not in self._stats:
            # the query's cosine against every entry of the video (its vectors are cached by the
            # store), then the best CAL_MAX of them: one matrix product instead of a store query
            vecs = self.store.vectors(col, vid)
            if len(vecs) < CAL_MIN:
                self._stats[key] = None
            else:
                q = np.asarray(self.qvec, np.float32)
                q = q / max(float(np.linalg.norm(q)), 1e-12)
                scores = vecs @ q
                if len(scores) > CAL_MAX:
                    scores = np.partition(scores, len(scores) - CAL_MAX)[-CAL_MAX:]
                self._stats[key] = (float(scores.mean()), float(scores.std()))
        return self._stats[key]

    def z(self, h: Hit) -> float | None:
        col, vid = self._collection(h), h.meta.get("video_id")
        if col is None or not vid or (self.videos is not None and h.video not in self.videos):
            return None
        st = self.stats(col, str(vid))
        if st is None:
            return None
        raw = float(h.meta.get("vector", h.score))
        return (raw - st[0]) / max(st[1], CAL_SIGMA_FLOOR)

    def factor(self, h: Hit) -> float:
        z = self.z(h)
        if z is None:
            return 1.0
        h.meta["z"] = round(z, 3)
        return 1.0 + CAL_SLOPE * min(CAL_ZMAX, max(-CAL_ZMAX, z))


def fuse_moments(speech: list[Hit], visual: list[Hit], intent: QueryIntent, store, k: int,
                 qvec=None) -> list[Moment]:
    """Moments from speech and visual hits. With `qvec` (the query's text vector) visual hits are
    calibrated per video (`Calibrator`); without it they are taken as scored."""
    shot_cache: dict = {}
    cal = Calibrator(store, qvec) if qvec is not None and CALIBRATE else None
    if cal is not None:  # only the videos that can win are worth the statistics (a store query each)
        best: dict[str, float] = {}
        for h in visual:
            best[h.video] = max(best.get(h.video, 0.0), h.score)
        cal.videos = set(sorted(best, key=best.get, reverse=True)[:CAL_VIDEOS])
    # "the woman with grey hair": hair and clothes must agree (VIDSAGE_LOOKS=0 only for ablations)
    looks = looks_asked(intent.text)
    cands: list[tuple[str, tuple[float, float], float, Hit, int]] = []
    for hits, weight in ((speech, intent.speech_weight), (visual, intent.visual_weight)):
        for h in hits:
            span, precision = candidate(h, intent.phrase, store, shot_cache)
            f = cal.factor(h) if cal is not None and h.kind != "transcript" else 1.0
            f *= agreement(looks, h)
            cands.append((h.video, span, h.score * weight * f, h, precision))
    cands.sort(key=lambda c: c[2], reverse=True)

    moments: list[Moment] = []
    precision_of: dict[int, int] = {}
    founder_of: dict[int, float] = {}  # the weighted score of the candidate that founded each moment
    for video, (s, e), score, hit, precision in cands:
        for m in moments:
            if m.video == video and overlap_share((m.start, m.end), (s, e)) >= 0.5:
                # a second signal agreeing raises confidence; the best candidate keeps the interval,
                # unless this one is bounded by the thing itself (an event inside a keyframe's shot)
                if all(x.kind != hit.kind for x in m.evidence):
                    m.score += 0.15 * score
                if precision > precision_of[id(m)] and score >= _ADOPT * founder_of[id(m)]:
                    m.start, m.end = s, e
                    precision_of[id(m)] = precision
                m.evidence.append(hit)
                break
        else:
            m = Moment(video, s, e, score, [hit])
            precision_of[id(m)] = precision
            founder_of[id(m)] = score
            moments.append(m)
    moments.sort(key=lambda m: m.score, reverse=True)
    return moments[:k]


def with_temporal(toolbox, query: str, video: str | None, moments: list[Moment], k: int) -> list[Moment]:
    """Put the event-list answer to an ordinal or counting question ("the second car", "how many
    people"), the speech right after/before a quoted phrase, or the stretch in a named language,
    first; similarity ranks the rest. Unchanged when the question is none of these."""
    from .relative import (questions_asked, said_by, said_count, said_during, said_relative, said_when, seen_when_said,
                           speech_at_all, who_next, who_talks)
    from .spoken_language import language_moment
    from .temporal import title_moment
    from .temporal import answer_temporal

    if os.environ.get("VIDSAGE_TEMPORAL", "1") in ("0", "false", "no"):  # off only for ablations
        return moments[:k]
    top: Moment | None = None
    try:
        top = (who_next(toolbox, query, video) or questions_asked(toolbox, query, video)
               or said_relative(toolbox, query, video) or said_by(toolbox, query, video) or said_when(toolbox, query, video)
               or said_count(toolbox, query, video) or said_during(toolbox, query, video)
               or seen_when_said(toolbox, query, video) or speech_at_all(toolbox, query, video)
               or who_talks(toolbox, query, video)
               or language_moment(toolbox, query, video, moments)
               or title_moment(toolbox, query, video, moments))
        if top is None:
            ans = answer_temporal(toolbox, query, video, prefer=[m.video for m in moments[:1]])
            top = ans.moment if ans is not None else None
    except Exception:  # a temporal parse must never break plain retrieval
        return moments[:k]
    if top is None:
        return moments[:k]
    if top.evidence:
        top.evidence[0].meta.setdefault("answer", "structured")  # worked out, not only similar
    top.score = max([top.score] + [m.score + 0.01 for m in moments])
    rest = [m for m in moments
            if not (m.video == top.video and overlap_share((m.start, m.end), (top.start, top.end)) >= 0.5)]
    return ([top] + rest)[:k]


# "when does the red car leave?", "when does the title disappear?": the end of the thing's own event
_LEAVING = re.compile(r"^\s*(?:when|(?:at )?what (?:point|time|moment))\b.*\b(?:leaves?|leaving|exits?|exiting|disappears?|"
                      r"disappearing|vanish\w*|goes away|go away|drives? (?:off|away)|walks? (?:out|off|away)|"
                      r"fades? out|goes off|go off|gone)\b", re.I)
LEAVING_S = 1.5  # the last this many seconds of an event are "when it leaves"
# "when does the second person enter and when do they leave?" asks for the whole event
_ARRIVING = re.compile(r"\b(?:enters?|entering|arriv\w*|appears?|appearing|comes? in|walks? in|drives? in|shows? up)\b",
                       re.I)


def at_leaving(query: str, moments: list[Moment]) -> list[Moment]:
    """For a question about when something leaves, each moment bounded by an object's or a text's
    own event is narrowed to that event's last LEAVING_S seconds; other moments are unchanged."""
    if not _LEAVING.search(query) or _ARRIVING.search(query):
        return moments
    for m in moments:
        first = m.evidence[0] if m.evidence else None
        if first is not None and first.kind in ("segment:object", "segment:text") \
                and abs(first.end - m.end) <= 0.1 and m.end - m.start > LEAVING_S:
            m.start = m.end - LEAVING_S
    return moments
