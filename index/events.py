"""Events with bounds from the picture: on-screen text that appears and disappears, and, on static
cameras, objects that enter, stay and leave. Each event is one `Segment` with start/end and a
description an LLM can count from ("object event 2 of 4 in this video: a red car ...").

Shots come from the pipeline (`shot_segments`); nothing here repeats them.

**Text events** group consecutive keyframes that show the same text (fuzzy: OCR of a fading title
reads differently from frame to frame) and then refine both bounds between the keyframe that shows
the text and its neighbour that does not, on frames decoded at `REFINE_FPS` (a binary search with
the OCR's own text detector, or a full reading when the neighbour shows other text).

**Object events** (static cameras only):
1. a first pass over low-resolution frames (`WORK_SIDE` px, `EVENT_FPS`) measures camera motion
   (phase correlation between frames) and finds *quiet stretches* (frames that barely change).
   The background is the picture that recurs in the most separate quiet stretches: an empty room
   between visitors recurs after every visit, while each visitor, however long they stay, is one
   stretch. A plain per-pixel median over time takes a person who stays most of the time for
   background; this does not. With no quiet stretches (busy traffic) the per-pixel median of
   frames across the shot is used instead.
2. a second pass takes the difference to the background (after matching exposure: cameras change
   gain when a white car drives in), thresholds it against the frame's own noise, cleans it
   (morphology), and turns it into blobs; blobs are tracked over time (overlap with each track's
   predicted box, fragments of one body joined) into tracks.
3. each track that lasts and is big enough becomes an event with its entry and exit side,
   direction, how long it stayed still, and size; the object is cropped at its biggest clear view
   (from a `describe_max_side` frame) and described: ImageNet tags of the crop, colour names of the
   object's own pixels, faces (MTCNN) in the crop, and from these a class word ("car", "person").

Costs: two extra decodes of the video at `EVENT_FPS` (decoding dominates; each is ~1-3 % of real
time) plus array work on ~200x110 frames, and one tag/face/colour call per event, not per frame.
Limits: a moving or shaking camera gets no object events (its shots are skipped); objects that
merge into one blob for a long time can become one event; a shadow moves with its object.
"""

from __future__ import annotations

import difflib
import logging
import math
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from vidsage.config import Settings
from vidsage.labels import class_table, display
from vidsage.types import FrameText, MediaInfo, Segment, Shot, fmt_time

log = logging.getLogger(__name__)

# -- object events: sampling and background ---------------------------------------------------
EVENT_FPS = 4.0  # frames per second looked at for moving objects (a car crossing in 3 s: 12 frames)
WORK_SIDE = 192  # longest side of the frames the background and masks are computed on
MIN_STATIC_SHOT = 5.0  # seconds: shorter shots cannot show an object entering and leaving
STATIC_SHIFT = 0.5  # px at WORK_SIDE: median frame-to-frame camera shift of a static camera
PIX_T = 18.0  # grey levels: a pixel change above this (after blur and exposure matching) is real
QUIET_FRAC = 0.004  # a frame is quiet when fewer pixels than this changed since the last one
MIN_QUIET = 1.0  # seconds of quiet frames that make a stretch worth remembering
SAME_SCENE = 0.006  # two pictures show the same scene when fewer pixels than this differ
MAX_CLUSTERS = 48  # scene clusters kept per shot (least-seen dropped first)
CLUSTER_KEEP = 9  # pictures kept per cluster for its median
RESERVOIR = 120  # frames kept (spread over the shot) for the median fallback
MAX_FG = 0.35  # median foreground share above which the background is judged unusable
EMPTY_FG = 0.002  # foreground share of a frame that shows the background alone
MIN_EMPTY = 0.05  # share of a unit's frames (at least 4) that must show the background alone
# -- object events: blobs, tracks, events -------------------------------------------------------
MIN_BLOB = 0.0012  # of the frame area: smaller blobs are noise (rain, compression)
MIN_EVENT_AREA = 0.004  # of the frame area: an event's object must reach this size
MIN_EVENT_S = 0.75  # seconds an object must be seen for an event
MAX_MISS_S = 1.0  # seconds a track survives without a blob (occlusion, a missed frame)
JOIN_GAP_S = 1.5  # seconds between a track's end and another's start that still join them
STILL_SPEED = 0.04  # of the frame diagonal per second: slower counts as staying still
NONRIGID = 0.08  # variation of an object's height/width above which it is a changing (walking) body
VIEWS = 3  # views of each object kept (colours are pooled over them)
TAG_VIEWS = 2  # views of each object tagged (the biggest ones)
TOP_MIN_PROB = 0.15  # a person's top named from upper-body tags, averaged over views (a black T-shirt: 0.18)
TOP_MIN_PX = 32  # upper-body crops smaller than this give the tagger too little to tell
VIEW_GAP_S = 0.75  # seconds between two views kept
# -- text events --------------------------------------------------------------------------------
TEXT_SAME = 0.5  # fuzzy similarity that makes two readings the same on-screen text
TITLE_HEIGHT = 0.12  # letters this tall (of the picture's height) make a title: 0.21 for Big Buck Bunny's
SMALL_HEIGHT = 0.035  # and these small ones a caption or sign; "The Peach Open Movie Project" is 0.07
REFINE_FPS = 4.0  # frames per second examined between two keyframes to place a text's bounds

# ---------------------------------------------------------------------------------------------
# the entry point
# ---------------------------------------------------------------------------------------------

_DESCRIBERS: dict[tuple, Any] = {}
_DESCRIBERS_LOCK = threading.Lock()


def _describer_for(settings: Settings):
    """One FrameDescriber per settings (models load once per process), for callers that have none.

    It gets the vision share of the threads, as the pipeline's own describer does: torch's thread
    count is process-wide, and speech runs beside vision (pass the pipeline's describer instead
    whenever there is one)."""
    from .vision import FrameDescriber

    total = max(1, settings.threads)
    settings = settings.model_copy(update={"threads": max(1, total - max(1, total // 2))})
    key = (settings.tagger, settings.device, settings.threads, settings.ocr, settings.faces,
           settings.describe_max_side, settings.models_dir)
    with _DESCRIBERS_LOCK:
        if key not in _DESCRIBERS:
            _DESCRIBERS[key] = FrameDescriber(settings)
        return _DESCRIBERS[key]


def detect_events(path: str | Path, info: MediaInfo, texts: list[FrameText], shots: list[Shot],
                  settings: Settings, describer: Any = None, stats: dict[str, float] | None = None) -> list[Segment]:
    """Text and object events of one video, as segments of kind "text" and "object".

    `texts` are the keyframes' descriptions (their OCR lines make the text events), `shots` the
    pipeline's shots (object events are looked for in long shots from a static camera).
    `describer` is the pipeline's FrameDescriber when it has one (else one is made, once per
    process); `stats`, when given, receives seconds per step.
    """
    stats = stats if stats is not None else {}
    dur = float(info.duration or (shots[-1].end if shots else 0.0))
    if describer is None:
        describer = _describer_for(settings)
    out: list[Segment] = []
    t0 = time.perf_counter()
    try:
        out += text_events(path, texts, shots, describer, settings, duration=dur)
    except Exception as e:  # an event kind failing must not fail the video
        log.warning("%s: text events failed: %s: %s", path, type(e).__name__, e)
    stats["text_events"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    try:
        out += object_events(path, shots, settings, describer, duration=dur, stats=stats)
    except Exception as e:
        log.warning("%s: object events failed: %s: %s", path, type(e).__name__, e)
    stats["object_events"] = time.perf_counter() - t0
    return out


# ---------------------------------------------------------------------------------------------
# text events
# ---------------------------------------------------------------------------------------------

def _norm_text(s: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", s.casefold())


def text_similarity(a: str, b: str) -> float:
    """0..1: how likely two OCR readings are the same text (letters and digits only, case-free).

    The best of the plain ratio and containment (a half-revealed title is a prefix of the whole,
    counted only when the shorter reading has 6+ characters)."""
    x, y = _norm_text(a), _norm_text(b)
    if not x or not y:
        return 0.0
    if x == y:
        return 1.0
    sm = difflib.SequenceMatcher(None, x, y, autojunk=False)
    m = sum(bl.size for bl in sm.get_matching_blocks())
    ratio = 2.0 * m / (len(x) + len(y))
    short = min(len(x), len(y))
    contain = m / short if short >= 6 else 0.0
    return max(ratio, contain)


@dataclass
class _TextTrack:
    times: list[float] = field(default_factory=list)
    readings: list[list[str]] = field(default_factory=list)  # the frame's matching lines, per time
    missed: int = 0

    @property
    def joined(self) -> str:
        return " ".join(self.readings[-1])


def _group_text(texts: list[FrameText], shots: list[Shot]) -> list[_TextTrack]:
    """Keyframes in time order -> tracks of the same text (per line, so a logo and a changing
    subtitle are separate), then tracks seen in the same keyframes merged into one event."""
    frames = sorted((f for f in texts), key=lambda f: f.t)
    active: list[_TextTrack] = []
    done: list[_TextTrack] = []
    for f in frames:
        lines = [ln for ln in f.ocr if _norm_text(ln)]
        claimed: dict[int, list[str]] = {}
        n_old = len(active)
        for line in lines:
            best, best_s = None, TEXT_SAME
            for i, tr in enumerate(active[:n_old]):
                s = max([text_similarity(line, r) for r in tr.readings[-1]] + [text_similarity(line, tr.joined)])
                if s >= best_s:
                    best, best_s = i, s
            if best is None:
                active.append(_TextTrack())
                best = len(active) - 1
            claimed.setdefault(best, []).append(line)
        keep: list[_TextTrack] = []
        for i, tr in enumerate(active):
            if i in claimed:
                tr.times.append(f.t)
                tr.readings.append(claimed[i])
                tr.missed = 0
                keep.append(tr)
            else:
                tr.missed += 1
                # one keyframe without the text (a missed reading) is forgiven within a few seconds
                if tr.missed >= 2 or (tr.times and f.t - tr.times[-1] > 4.0):
                    done.append(tr)
                else:
                    keep.append(tr)
        active = keep
    done += active
    done = [tr for tr in done if tr.times]
    # tracks that share keyframes are lines of one text (a two-line title): merge them
    done.sort(key=lambda tr: tr.times[0])
    merged: list[_TextTrack] = []
    for tr in done:
        for m in merged:
            common = set(m.times) & set(tr.times)
            if common and len(common) >= 0.5 * min(len(m.times), len(tr.times)):
                by_t = {t: list(r) for t, r in zip(m.times, m.readings)}
                for t, r in zip(tr.times, tr.readings):
                    by_t.setdefault(t, [])
                    by_t[t] += [x for x in r if x not in by_t[t]]
                m.times = sorted(by_t)
                m.readings = [by_t[t] for t in m.times]
                break
        else:
            merged.append(tr)
    return sorted(merged, key=lambda tr: tr.times[0])


def _best_reading(tr: _TextTrack) -> tuple[str, list[str]]:
    """The reading most like the others (ties: the longest), and the other distinct readings."""
    joined = [" ".join(r) for r in tr.readings]
    uniq = list(dict.fromkeys(joined))
    if len(uniq) == 1:
        return uniq[0], []
    scores = []
    for a in uniq:
        s = sum(text_similarity(a, b) * joined.count(b) for b in uniq if b != a) + joined.count(a)
        scores.append((s, len(_norm_text(a)), a))
    best = max(scores)[2]
    return best, [u for u in uniq if u != best]


def _shot_at(shots: list[Shot], t: float) -> Shot | None:
    for sh in shots:
        if sh.start <= t < sh.end:
            return sh
    return shots[-1] if shots and t >= shots[-1].start else None


def text_events(path: str | Path, texts: list[FrameText], shots: list[Shot], describer: Any,
                settings: Settings, duration: float) -> list[Segment]:
    """One "text" segment per on-screen text, bounds refined between keyframes."""
    tracks = _group_text(texts, shots)
    if not tracks:
        return []
    kf_times = sorted(f.t for f in texts)
    kf_ocr = {f.t: f.ocr for f in texts}
    heights = {(f.t, ln): h for f in texts for ln, h in zip(f.ocr, f.ocr_heights)}
    plans = []  # (track, start window, end window)
    for tr in tracks:
        first, last = tr.times[0], tr.times[-1]
        sh_first, sh_last = _shot_at(shots, first), _shot_at(shots, last)
        before = [t for t in kf_times if t < first]
        after = [t for t in kf_times if t > last]
        lo = before[-1] if before else 0.0
        if sh_first is not None and sh_first.start > lo:
            lo = sh_first.start  # text does not outlive a cut unless a keyframe shows it did
        hi = after[0] if after else duration
        if sh_last is not None and sh_last.end < hi:
            hi = sh_last.end
        plans.append((tr, (lo, first), (last, hi), before[-1] if before else None, after[0] if after else None))

    windows = []
    for tr, (a0, a1), (b0, b1), _, _ in plans:
        if a1 - a0 > 1.0 / REFINE_FPS:
            windows.append((a0, a1))
        if b1 - b0 > 1.0 / REFINE_FPS:
            windows.append((b0, b1))
    frames = _grab_windows(path, windows, REFINE_FPS, settings.describe_max_side) if windows else {}

    out: list[Segment] = []
    for tr, (a0, a1), (b0, b1), prev_kf, next_kf in plans:
        best, others = _best_reading(tr)

        def present(img: np.ndarray, other_text: bool) -> bool:
            if not other_text:
                return bool(describer.text_likely(img))
            lines = describer.read_text(img)
            return any(text_similarity(ln, best) >= TEXT_SAME for ln in lines) or (
                bool(lines) and text_similarity(" ".join(lines), best) >= TEXT_SAME)

        step = 1.0 / REFINE_FPS
        # start: the first frame in (a0, a1) where the text is present (binary search)
        cand = [(t, im) for t, im in frames.get((a0, a1), []) if a0 < t < a1]
        other = bool(prev_kf is not None and prev_kf >= a0 and kf_ocr.get(prev_kf))
        start = a1 if cand else (a0 + a1) / 2 if a1 - a0 > step else a0
        if cand:
            lo_i, hi_i = 0, len(cand)  # invariant: present from hi_i on
            while lo_i < hi_i:
                mid = (lo_i + hi_i) // 2
                if present(cand[mid][1], other):
                    hi_i = mid
                else:
                    lo_i = mid + 1
            start = cand[hi_i][0] if hi_i < len(cand) else a1
        # end: the last frame in (b0, b1) where it is present
        cand = [(t, im) for t, im in frames.get((b0, b1), []) if b0 < t < b1]
        other = bool(next_kf is not None and next_kf <= b1 and kf_ocr.get(next_kf))
        end = b0 if cand else (b0 + b1) / 2 if b1 - b0 > step else b1
        if cand:
            lo_i, hi_i = 0, len(cand)  # invariant: absent from hi_i on
            while lo_i < hi_i:
                mid = (lo_i + hi_i) // 2
                if present(cand[mid][1], other):
                    lo_i = mid + 1
                else:
                    hi_i = mid
            end = cand[hi_i - 1][0] if hi_i > 0 else b0
            end = min(b1, end + step / 2) if hi_i < len(cand) else b1
        end = max(end, start + 0.25)
        sh = _shot_at(shots, tr.times[0])
        height = max((heights.get((t, ln), 0.0) for t, r in zip(tr.times, tr.readings) for ln in r), default=0.0)
        out.append(Segment("text", round(start, 2), round(min(end, duration or end), 2), "", {
            "event": "text", "ocr": best, "readings": others[:5], "keyframes": len(tr.times),
            "shot": sh.index if sh else 0, "letter_height": round(height, 4)}))
    n = len(out)
    for i, seg in enumerate(out, 1):
        m = seg.meta
        also = f" (also read as: {'; '.join(m['readings'])})" if m["readings"] else ""
        seg.text = (f'{_text_kind(m["letter_height"])} "{m["ocr"]}"{also} appears at {fmt_time(seg.start)} '
                    f"and disappears at {fmt_time(seg.end)} ({seg.end - seg.start:.1f} s), in shot {m['shot'] + 1}; "
                    f"text event {i} of {n} in this video")
        m["index"], m["count"] = i, n
    return out


def _text_kind(letter_height: float) -> str:
    """How an on-screen text reads by the size of its letters (share of the picture's height)."""
    if letter_height >= TITLE_HEIGHT:
        return "on-screen title in large letters"
    if 0 < letter_height <= SMALL_HEIGHT:
        return "small on-screen text (a caption, label or sign)"
    return "on-screen text (title, caption or sign)"


def _grab_windows(path: str | Path, windows: list[tuple[float, float]], fps: float,
                  max_side: int) -> dict[tuple[float, float], list[tuple[float, np.ndarray]]]:
    """Frames at about `fps` inside each (start, end) window: one decode, seeking between windows
    that are far apart, so refining a few bounds costs seconds of decoding, not the whole video."""
    import av

    from .decode import _open, _origin, _packets_decoded, _rot_k, _scaled_size, _to_rgb, _video_stream

    out: dict[tuple[float, float], list[tuple[float, np.ndarray]]] = {w: [] for w in windows}
    todo = sorted(set(windows))
    if not todo:
        return out
    container = _open(path)
    try:
        stream = _video_stream(container)
        if stream is None:
            return out
        stream.thread_type = "AUTO"
        origin = _origin(container)
        sar = float(stream.sample_aspect_ratio or 1)
        step = 1.0 / fps
        i = 0
        pos = -1e9  # media time of the last decoded frame
        while i < len(todo):
            w0, w1 = todo[i]
            if w0 - pos > 4.0:  # far ahead: seek (to the keyframe before w0) instead of decoding on
                try:
                    container.seek(int((max(0.0, w0 - 0.5) + origin) / stream.time_base), stream=stream,
                                   backward=True, any_frame=False)
                except (av.error.FFmpegError, OSError, OverflowError, ZeroDivisionError, TypeError):
                    pass
            next_t = w0
            advanced = False
            for frame in _packets_decoded(container, stream):
                if frame.time is None or frame.is_corrupt:
                    continue
                t = frame.time - origin
                pos = t
                advanced = True
                # every window (sorted) that holds t takes the frame, at its own pace
                while i < len(todo) and t > todo[i][1]:
                    i += 1
                    next_t = todo[i][0] if i < len(todo) else next_t
                    if i < len(todo) and todo[i][0] - t > 4.0:
                        break
                if i >= len(todo) or todo[i][0] - t > 4.0:
                    break
                if t + 1e-3 < next_t:
                    continue
                img = None
                for w in todo[i:]:
                    if w[0] > t:
                        break
                    if w[0] <= t <= w[1]:
                        if img is None:
                            img = _to_rgb(frame, _scaled_size(frame.width, frame.height, sar, max_side), _rot_k(frame))
                        out[w].append((t, img))
                next_t = (math.floor(t / step + 1e-6) + 1) * step
            else:
                break  # end of file
            if not advanced:
                break
    finally:
        container.close()
    return out


# ---------------------------------------------------------------------------------------------
# object events
# ---------------------------------------------------------------------------------------------

def _prep(image: np.ndarray) -> np.ndarray:
    """Working copy of an RGB frame: WORK_SIDE px, float32, lightly blurred (compression, rain)."""
    h, w = image.shape[:2]
    s = WORK_SIDE / max(h, w)
    if s < 1:
        image = cv2.resize(image, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)
    return cv2.GaussianBlur(image.astype(np.float32), (3, 3), 0)


def _residual(frame: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """|frame - ref| per pixel (max over channels) after matching exposure: gain and offset per
    channel from the median, which the (minority) foreground cannot move."""
    # medians over every 3rd pixel each way: the same answer as over all of them, ~9x cheaper
    f3, r3 = frame[::3, ::3].reshape(-1, 3), ref[::3, ::3].reshape(-1, 3)
    gain = np.clip(np.median((f3 + 8.0) / (r3 + 8.0), axis=0), 0.5, 2.0)
    offset = np.median(f3 - r3 * gain, axis=0)
    d = cv2.absdiff(frame, ref * gain.astype(np.float32) + offset.astype(np.float32))
    return cv2.max(cv2.max(d[..., 0], d[..., 1]), d[..., 2])  # numpy's max over the channel axis is ~30x slower


def _diff_frac(a: np.ndarray, b: np.ndarray) -> float:
    return float((_residual(a, b) > PIX_T).mean())


@dataclass
class _Cluster:
    images: list[np.ndarray]  # up to CLUSTER_KEEP members (uint8), for the median
    runs: int  # separate quiet stretches that showed this scene
    seconds: float
    last_member: int  # index of the stretch that last joined (to count separate runs)

    @property
    def ref(self) -> np.ndarray:
        return self.images[0].astype(np.float32)


class _BackgroundModel:
    """Pass 1 for one static-camera candidate (a long shot): camera motion and the background."""

    def __init__(self, start: float, end: float):
        self.start, self.end = start, end
        self.prev: np.ndarray | None = None
        self.shifts: list[float] = []
        self.run: list[np.ndarray] = []  # frames of the current quiet stretch (decimated)
        self.run_t0: float | None = None
        self.run_t1: float = 0.0
        self.clusters: list[_Cluster] = []
        self.stretches = 0
        self.last_cluster: int | None = None
        self.reservoir: list[np.ndarray] = []
        self.res_every = 1
        self.n = 0

    def push(self, t: float, work: np.ndarray) -> None:
        self.n += 1
        if self.n % self.res_every == 0:
            self.reservoir.append(work.astype(np.uint8))
            if len(self.reservoir) >= RESERVOIR:
                self.reservoir = self.reservoir[::2]
                self.res_every *= 2
        if self.prev is not None:
            g0 = cv2.cvtColor(self.prev, cv2.COLOR_RGB2GRAY)
            g1 = cv2.cvtColor(work, cv2.COLOR_RGB2GRAY)
            (dx, dy), _ = cv2.phaseCorrelate(g0, g1)
            self.shifts.append(math.hypot(dx, dy))
            quiet = _diff_frac(work, self.prev) < QUIET_FRAC
        else:
            quiet = False
        if quiet:
            if self.run_t0 is None:
                self.run_t0 = t
                self.run = [self.prev.astype(np.uint8)] if self.prev is not None else []
            # keep at most ~12 frames of a stretch, evenly spread
            self.run.append(work.astype(np.uint8))
            if len(self.run) > 12:
                self.run = self.run[::2]
            self.run_t1 = t
        else:
            self._close_run()
        self.prev = work

    def _close_run(self) -> None:
        if self.run_t0 is not None and self.run_t1 - self.run_t0 >= MIN_QUIET and self.run:
            rep = np.median(np.stack(self.run), axis=0).astype(np.uint8)
            self._add(rep, self.run_t1 - self.run_t0)
        self.run, self.run_t0 = [], None

    def _add(self, rep: np.ndarray, seconds: float) -> None:
        self.stretches += 1
        rf = rep.astype(np.float32)
        best, best_d = None, SAME_SCENE
        for i, c in enumerate(self.clusters):
            d = _diff_frac(rf, c.ref)
            if d < best_d:
                best, best_d = i, d
        if best is None:
            if len(self.clusters) >= MAX_CLUSTERS:
                self.clusters.remove(min(self.clusters, key=lambda c: (c.runs, c.seconds)))
            self.clusters.append(_Cluster([rep], 1, seconds, self.stretches))
            best = len(self.clusters) - 1
        else:
            c = self.clusters[best]
            # a stretch right after another stretch of the same scene is the same visit (one vote)
            if self.last_cluster != best:
                c.runs += 1
            c.seconds += seconds
            if len(c.images) < CLUSTER_KEEP:
                c.images.append(rep)
            c.last_member = self.stretches
        self.last_cluster = best

    def finish(self) -> tuple[np.ndarray | None, dict[str, Any]]:
        """(background, facts) — background None when the camera moves or nothing was seen."""
        self._close_run()
        facts: dict[str, Any] = {"frames": self.n, "clusters": len(self.clusters), "stretches": self.stretches}
        if not self.shifts:
            return None, facts
        shift = float(np.median(self.shifts))
        facts["median_shift"] = round(shift, 3)
        if shift > STATIC_SHIFT:
            facts["why"] = "camera moves"
            return None, facts
        if self.clusters:
            best = max(self.clusters, key=lambda c: (c.runs, c.seconds))
            facts["background"] = f"scene seen in {best.runs} separate quiet stretches ({best.seconds:.0f} s)"
            bg = np.median(np.stack(best.images), axis=0).astype(np.float32)
        else:
            facts["background"] = "per-pixel median (no quiet stretch)"
            bg = np.median(np.stack(self.reservoir), axis=0).astype(np.float32)
        # the background must be confirmed by frames that show it alone (see object_events); the
        # frames kept across the shot tell before the second pass is paid for
        shares = [float(foreground(f.astype(np.float32), bg)[0].mean()) for f in self.reservoir]
        empty = sum(1 for x in shares if x < EMPTY_FG)
        facts["empty_frames"] = f"{empty} of {len(shares)}"
        if empty < max(2, MIN_EMPTY * len(shares)):
            facts["why"] = "never empty: no usable background"
            return None, facts
        return bg, facts


@dataclass
class _Det:
    t: float
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 (exclusive) in work pixels
    area: int

    @property
    def centre(self) -> tuple[float, float]:
        return (self.box[0] + self.box[2]) / 2.0, (self.box[1] + self.box[3]) / 2.0


@dataclass
class _Track:
    id: int
    dets: list[_Det] = field(default_factory=list)
    views: list[dict[str, Any]] = field(default_factory=list)  # crops to describe (see _keep_view)

    def predict(self, t: float) -> tuple[float, float, float, float]:
        last = self.dets[-1]
        x0, y0, x1, y1 = last.box
        if len(self.dets) >= 2:
            prev = self.dets[-2]
            dt = max(1e-3, last.t - prev.t)
            vx = (last.centre[0] - prev.centre[0]) / dt
            vy = (last.centre[1] - prev.centre[1]) / dt
            ahead = t - last.t
            x0, x1, y0, y1 = x0 + vx * ahead, x1 + vx * ahead, y0 + vy * ahead, y1 + vy * ahead
        return x0, y0, x1, y1


def _iou_like(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """Intersection over the smaller box: a fragment inside a body counts as a full match."""
    iw = min(a[2], b[2]) - max(a[0], b[0])
    ih = min(a[3], b[3]) - max(a[1], b[1])
    if iw <= 0 or ih <= 0:
        return 0.0
    inter = iw * ih
    sa = max(1e-6, (a[2] - a[0]) * (a[3] - a[1]))
    sb = max(1e-6, (b[2] - b[0]) * (b[3] - b[1]))
    return inter / min(sa, sb)


def _grow(box: tuple[float, ...], frac: float) -> tuple[float, ...]:
    w, h = box[2] - box[0], box[3] - box[1]
    return box[0] - frac * w, box[1] - frac * h, box[2] + frac * w, box[3] + frac * h


class _Tracker:
    def __init__(self, shape: tuple[int, int]):
        self.h, self.w = shape
        self.active: list[_Track] = []
        self.finished: list[_Track] = []
        self._next = 0

    def update(self, t: float, blobs: list[_Det]) -> list[tuple[_Track, _Det]]:
        """Assign blobs to tracks; a track takes every blob overlapping its predicted box (a body
        split into pieces), a blob may feed two tracks (two objects touching). Returns the
        (track, merged detection) pairs of this frame."""
        claims: dict[int, list[int]] = {}
        taken: set[int] = set()
        for ti, tr in enumerate(self.active):
            pred = _grow(tr.predict(t), 0.15)
            for bi, b in enumerate(blobs):
                if _iou_like(pred, b.box) >= 0.2:
                    claims.setdefault(ti, []).append(bi)
        # a blob claimed by several tracks: keep it for the ones it overlaps most, unless it
        # overlaps them all well (objects passing close to each other)
        owners: dict[int, list[int]] = {}
        for ti, bis in claims.items():
            for bi in bis:
                owners.setdefault(bi, []).append(ti)
        out = []
        for ti, tr in enumerate(self.active):
            mine = [bi for bi in claims.get(ti, [])
                    if len(owners[bi]) == 1 or _iou_like(_grow(tr.predict(t), 0.15), blobs[bi].box) >= 0.5]
            if not mine:
                continue
            taken.update(mine)
            x0 = min(blobs[b].box[0] for b in mine)
            y0 = min(blobs[b].box[1] for b in mine)
            x1 = max(blobs[b].box[2] for b in mine)
            y1 = max(blobs[b].box[3] for b in mine)
            area = sum(blobs[b].area for b in mine)
            shared = any(len(owners[b]) > 1 for b in mine)
            if shared:
                # two objects in one blob: keep this track's own size, moved to the blob
                px0, py0, px1, py1 = tr.predict(t)
                cx, cy = min(max((px0 + px1) / 2, x0), x1), min(max((py0 + py1) / 2, y0), y1)
                hw, hh = (px1 - px0) / 2, (py1 - py0) / 2
                box = (int(max(x0, cx - hw)), int(max(y0, cy - hh)), int(min(x1, cx + hw)), int(min(y1, cy + hh)))
                area = tr.dets[-1].area
            else:
                box = (x0, y0, x1, y1)
            det = _Det(t, box, area)
            tr.dets.append(det)
            out.append((tr, det))
        for bi, b in enumerate(blobs):
            if bi not in taken and not any(bi in v for v in claims.values()):
                tr = _Track(self._next)
                self._next += 1
                tr.dets.append(b)
                self.active.append(tr)
                out.append((tr, b))
        still = []
        for tr in self.active:
            if t - tr.dets[-1].t > MAX_MISS_S:
                self._finish(tr)
            else:
                still.append(tr)
        self.active = still
        return out

    def _finish(self, tr: _Track) -> None:
        """Keep a finished track only if it can still become an event (big enough at some point):
        a long video's rain specks and flickers must not pile up with their crops."""
        if max(d.area for d in tr.dets) >= MIN_EVENT_AREA * self.h * self.w:
            self.finished.append(tr)

    def close(self) -> list[_Track]:
        for tr in self.active:
            self._finish(tr)
        self.active = []
        return self.finished


def _blobs(mask: np.ndarray, t: float) -> list[_Det]:
    h, w = mask.shape
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    out = []
    min_area = MIN_BLOB * h * w
    for i in range(1, n):
        x, y, bw, bh, area = stats[i]
        if area >= min_area:
            out.append(_Det(t, (int(x), int(y), int(x + bw), int(y + bh)), int(area)))
    return out


_K3 = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))
_K5 = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))


def foreground(work: np.ndarray, bg: np.ndarray) -> tuple[np.ndarray, float]:
    """Foreground mask (uint8 0/1) of a working frame against the background, and its threshold.

    The threshold adapts to the frame's own noise (robust spread of the residual), never below
    PIX_T; opening removes specks (rain, compression), closing fills bodies."""
    r = _residual(work, bg)
    r3 = r[::3, ::3]
    med = float(np.median(r3))
    mad = float(np.median(np.abs(r3 - med)))
    thr = max(PIX_T, med + 6.0 * 1.4826 * mad)
    m = (r > thr).astype(np.uint8)
    m = cv2.morphologyEx(m, cv2.MORPH_OPEN, _K3)
    m = cv2.morphologyEx(m, cv2.MORPH_CLOSE, _K5)
    return m, thr


def _static_units(shots: list[Shot]) -> list[tuple[float, float, int]]:
    return [(sh.start, sh.end, sh.index) for sh in shots if sh.end - sh.start >= MIN_STATIC_SHOT]


def _unit_at(units: list[tuple[float, float, int]], t: float) -> int | None:
    for i, (s, e, _) in enumerate(units):
        if s <= t < e:
            return i
    return None


def object_events(path: str | Path, shots: list[Shot], settings: Settings, describer: Any,
                  duration: float, debug: dict | None = None, stats: dict[str, float] | None = None) -> list[Segment]:
    """Objects entering, staying and leaving in the static-camera shots of a video."""
    from .decode import iter_frames

    units = _static_units(shots) if shots else [(0.0, max(duration, 0.0), 0)]
    units = [u for u in units if u[1] - u[0] >= MIN_STATIC_SHOT]
    if not units:
        return []
    stats = stats if stats is not None else {}
    t0 = time.perf_counter()
    # pass 1: camera motion and background per unit; a unit's model is finished (and its frames
    # dropped) as soon as the scan leaves it, so memory stays that of one shot, however many there are
    bgs: list[np.ndarray | None] = [None] * len(units)
    facts_of: list[dict[str, Any]] = [{} for _ in units]
    current: tuple[int, _BackgroundModel] | None = None

    def close(cur: tuple[int, _BackgroundModel] | None) -> None:
        if cur is not None:
            bgs[cur[0]], facts_of[cur[0]] = cur[1].finish()

    for fr in iter_frames(path, fps=EVENT_FPS, max_side=WORK_SIDE):
        u = _unit_at(units, fr.t)
        if current is not None and current[0] != u:
            close(current)
            current = None
        if u is not None:
            if current is None:
                current = (u, _BackgroundModel(units[u][0], units[u][1]))
            current[1].push(fr.t, _prep(fr.image))
    close(current)
    if debug is not None:
        debug["units"] = facts_of
    stats["objects_pass1"] = time.perf_counter() - t0
    if all(b is None for b in bgs):
        return []
    t0 = time.perf_counter()
    # pass 2: foreground, blobs, tracks; the best view of each track kept at describe size
    trackers: dict[int, _Tracker] = {}
    fg_share: dict[int, list[float]] = {}
    for t, small, full in _iter_two_sizes(path, EVENT_FPS, WORK_SIDE, settings.describe_max_side):
        u = _unit_at(units, t)
        if u is None or bgs[u] is None:
            continue
        work = _prep(small)
        if work.shape != bgs[u].shape:
            continue
        mask, _ = foreground(work, bgs[u])
        gain = _exposure(work, bgs[u], mask)
        fg_share.setdefault(u, []).append(float(mask.mean()))
        tracker = trackers.setdefault(u, _Tracker(mask.shape))
        blobs = _blobs(mask, t)
        for tr, det in tracker.update(t, blobs):
            _keep_view(tr, det, full, mask, gain)
        if debug is not None and "masks" in debug:
            debug["masks"].append((t, mask.copy(), [d.box for d in blobs]))
    events: list[tuple[_Track, int]] = []
    for u, tracker in trackers.items():
        shares = np.array(fg_share.get(u, [1.0]))
        share = float(np.median(shares))
        empty = int((shares < EMPTY_FG).sum())
        if debug is not None:
            debug.setdefault("fg_share", {})[u] = (share, empty, len(shares))
        # the background must be confirmed by frames that show it alone (an empty road between
        # cars, the room between visitors); a scene that is never empty (people talking, animation,
        # dense traffic) has no usable background and its "objects" would be noise
        if share > MAX_FG or empty < max(4, MIN_EMPTY * len(shares)):
            continue
        h, w = bgs[u].shape[:2]
        for tr in _join_tracks(tracker.close()):
            if _is_event(tr, h, w):
                events.append((tr, u))
    events.sort(key=lambda e: e[0].dets[0].t)
    stats["objects_pass2"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    segs = [_describe_event(tr, units[u][2], bgs[u].shape[:2], describer) for tr, u in events]
    _borrow_classes(segs)
    _add_counts(segs)
    stats["objects_describe"] = time.perf_counter() - t0
    return segs


def _exposure(work: np.ndarray, bg: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Per-channel gain of this frame against the background, from background pixels only: cameras
    darken the whole picture when something bright comes in, which would turn a white car grey."""
    free = mask[::3, ::3] == 0
    if free.sum() < 0.2 * free.size:
        return np.ones(3, np.float32)
    w3, b3 = work[::3, ::3][free], bg[::3, ::3][free]
    return np.clip(np.median((w3 + 8.0) / (b3 + 8.0), axis=0), 0.5, 2.0).astype(np.float32)


def _iter_two_sizes(path: str | Path, fps: float, small_side: int,
                    full_side: int) -> Iterator[tuple[float, np.ndarray, Any]]:
    """Like `decode.iter_frames` (same sampling grid, same damage handling), yielding each sampled
    frame at `small_side` and a function that converts the same frame at `full_side` on demand:
    only the few frames an object is described from are ever converted at full size."""
    from functools import lru_cache

    import av

    from .decode import _rot_k, _scaled_size, _to_rgb, sampled_frames

    fixed: list[tuple[tuple[int, int], tuple[int, int], int]] = []

    def both(frame: Any, sar: float) -> tuple[np.ndarray, Any] | None:
        if not fixed:
            fixed.append((_scaled_size(frame.width, frame.height, sar, small_side),
                          _scaled_size(frame.width, frame.height, sar, full_side), _rot_k(frame)))
        small_size, full_size, k = fixed[0]
        try:
            small = _to_rgb(frame, small_size, k)
        except (av.error.FFmpegError, ValueError):
            return None

        @lru_cache(maxsize=1)
        def full() -> np.ndarray:
            return _to_rgb(frame, full_size, k)

        return small, full

    for t, (small, full) in sampled_frames(path, fps, both):
        yield t, small, full


def _keep_view(tr: _Track, det: _Det, image: Any, mask: np.ndarray, gain: np.ndarray | None = None) -> None:
    """Keep up to VIEWS views of the object to describe: the biggest ones (views cut by the frame
    edge count less), at least VIEW_GAP_S apart so they show it in different poses or places."""
    h, w = mask.shape
    x0, y0, x1, y1 = det.box
    edge = x0 <= 1 or y0 <= 1 or x1 >= w - 1 or y1 >= h - 1
    score = det.area * (0.4 if edge else 1.0)
    near = [v for v in tr.views if abs(v["t"] - det.t) < VIEW_GAP_S]
    if near and all(v["score"] >= score for v in near):
        return
    if not near and len(tr.views) >= VIEWS and min(v["score"] for v in tr.views) >= score:
        return
    if callable(image):
        image = image()  # the full-size frame, converted only now that a view is kept
    H, W = image.shape[:2]
    sx, sy = W / w, H / h
    mx, my = 0.1 * (x1 - x0), 0.1 * (y1 - y0)
    X0, Y0 = max(0, int((x0 - mx) * sx)), max(0, int((y0 - my) * sy))
    X1, Y1 = min(W, int(math.ceil((x1 + mx) * sx))), min(H, int(math.ceil((y1 + my) * sy)))
    view = {"t": det.t, "score": score, "crop": image[Y0:Y1, X0:X1].copy(), "box": det.box, "edge": edge,
            "gain": gain if gain is not None else np.ones(3, np.float32),
            "mask": cv2.resize(mask[y0:y1, x0:x1], (max(1, int((x1 - x0) * sx)), max(1, int((y1 - y0) * sy))),
                               interpolation=cv2.INTER_NEAREST),
            "inner": (int((x0 * sx) - X0), int((y0 * sy) - Y0))}
    views = [v for v in tr.views if v not in near] + [view]
    views.sort(key=lambda v: -v["score"])
    tr.views = views[:VIEWS]


def _join_tracks(tracks: list[_Track]) -> list[_Track]:
    """A track that ends where another starts soon after is one object (lost for a moment)."""
    tracks = sorted([t for t in tracks if t.dets], key=lambda t: t.dets[0].t)
    out: list[_Track] = []
    for tr in tracks:
        joined = False
        for o in out:
            gap = tr.dets[0].t - o.dets[-1].t
            if 0 <= gap <= JOIN_GAP_S and _iou_like(_grow(o.dets[-1].box, 0.3), tr.dets[0].box) > 0:
                o.dets += tr.dets
                o.views = sorted(o.views + tr.views, key=lambda v: -v["score"])[:VIEWS]
                joined = True
                break
        if not joined:
            out.append(tr)
    # a short piece that lives beside a longer track (a shadow or a limb split off for a moment)
    # is part of it, not an object of its own
    keep: list[_Track] = []
    for tr in out:
        life = tr.dets[-1].t - tr.dets[0].t
        host = None
        if life < 2.0:
            for o in out:
                if o is tr or o.dets[-1].t - o.dets[0].t <= life:
                    continue
                near = [d for d in o.dets if abs(d.t - tr.dets[0].t) <= 0.5 or abs(d.t - tr.dets[-1].t) <= 0.5]
                if any(_iou_like(_grow(d.box, 0.5), e.box) > 0 for d in near for e in tr.dets):
                    host = o
                    break
        if host is None:
            keep.append(tr)
    return keep


def _is_event(tr: _Track, h: int, w: int) -> bool:
    if len(tr.dets) < 3:
        return False
    life = tr.dets[-1].t - tr.dets[0].t
    if life < MIN_EVENT_S:
        return False
    if max(d.area for d in tr.dets) < MIN_EVENT_AREA * h * w:
        return False
    # seen in most of its life (not a flicker that comes and goes)
    return len(tr.dets) >= 0.5 * life * EVENT_FPS


def _side(box: tuple[int, int, int, int], h: int, w: int) -> str | None:
    x0, y0, x1, y1 = box
    m = 2
    touching = {"left": x0 <= m, "top": y0 <= m, "right": x1 >= w - m, "bottom": y1 >= h - m}
    sides = [s for s, v in touching.items() if v]
    if not sides:
        return None
    if len(sides) == 1:
        return sides[0]
    # a corner or a big object: the side it covers most
    cover = {"left": y1 - y0, "right": y1 - y0, "top": x1 - x0, "bottom": x1 - x0}
    return max(sides, key=lambda s: cover[s] / (h if s in ("left", "right") else w))


def _direction(dx: float, dy: float) -> str | None:
    """Direction of a displacement given as fractions of the frame (x right, y down)."""
    if math.hypot(dx, dy) < 0.15:
        return None
    horiz = "left to right" if dx > 0 else "right to left"
    vert = "top to bottom" if dy > 0 else "bottom to top"
    if abs(dy) >= 2 * abs(dx):
        return vert
    if abs(dx) >= 2 * abs(dy):
        return horiz
    return f"{vert.split(' to ')[0]}-{horiz.split(' to ')[0]} to {vert.split(' to ')[1]}-{horiz.split(' to ')[1]}"


def _size_word(frac: float) -> str:
    return "large" if frac >= 0.08 else "medium-sized" if frac >= 0.02 else "small"


def _shape_facts(tr: _Track, h: int, w: int) -> dict[str, float]:
    """Shape over the track, from the views not cut by the frame edge (or, when there are too few,
    those not cut at the left or right that show the object's full height): height/width (median)
    and how much that ratio varies (a walking body changes it with every stride; a car, a ball or a
    box keeps it, even while perspective changes its size)."""
    m = 2
    inner = [d for d in tr.dets if d.box[0] > m and d.box[1] > m and d.box[2] < w - m and d.box[3] < h - m]
    if len(inner) < 3:
        side_free = [d for d in tr.dets if d.box[0] > m and d.box[2] < w - m]
        tallest = max((d.box[3] - d.box[1] for d in side_free), default=0)
        inner = [d for d in side_free if d.box[3] - d.box[1] >= 0.8 * tallest]
    if len(inner) < 3:
        return {"aspect": 0.0, "aspect_cv": 0.0, "n": float(len(inner))}
    ratio = np.array([(d.box[3] - d.box[1]) / max(1, d.box[2] - d.box[0]) for d in inner], np.float32)
    return {"aspect": float(np.median(ratio)), "aspect_cv": float(ratio.std() / max(1e-6, ratio.mean())),
            "n": float(len(inner))}


def _object_class(per_view: list[list[tuple[str, float]]], faces: int, shape: dict[str, float]) -> tuple[str, str]:
    """(class word, what decided it) from the views' tags, faces and the track's shape.

    A class's score is the most any one view gives it (its labels' probabilities summed: vehicles,
    clothing -> person, animal groups). Order: a face; tags that are sure (>= 0.25); a tall shape
    (height >= 1.8 x width) whose proportions keep changing (a walking body), or a very tall one
    (>= 2.2, standing people) that changes a little -> person "by shape"; weaker tags (>= 0.1);
    else "object" (see `_borrow_classes`)."""
    table = class_table()
    score: dict[str, float] = {}
    for tags in per_view:
        mass: dict[str, float] = {}
        for lbl, p in tags:
            cls = table.get(lbl)
            if cls:
                mass[cls] = mass.get(cls, 0.0) + p
        for cls, m in mass.items():
            score[cls] = max(score.get(cls, 0.0), m)
    if faces:
        return "person", "face"
    best = max(score.items(), key=lambda kv: kv[1]) if score else ("", 0.0)
    if best[1] >= 0.25:
        return best[0], "tags"
    if shape["n"] >= 3 and ((shape["aspect"] >= 1.8 and shape["aspect_cv"] >= NONRIGID)
                            or (shape["aspect"] >= 2.2 and shape["aspect_cv"] >= NONRIGID / 2)):
        return "person", "shape"
    if best[1] >= 0.1:
        return best[0], "tags"
    return "object", "none"


def _borrow_classes(segs: list[Segment]) -> None:
    """An object the models could not name takes the class of a named event of the same shot that
    it resembles (size within x1.6, both rigid with height/width within 25 % or both bending within
    x2): on a static camera the same road carries the same kind of traffic. (Not across shots: in
    a compilation the road's cars say nothing about the people of a room shown later.)"""
    named = [s for s in segs if s.meta["class_from"] in ("tags", "face", "shape")]
    for s in segs:
        m = s.meta
        if m["class"] != "object" or not named:
            continue
        best, best_d = None, 1e9
        for o in named:
            if o.meta.get("shot") != m.get("shot"):
                continue
            q = o.meta
            ra = max(m["peak_area"], 1e-6) / max(q["peak_area"], 1e-6)
            if not (1 / 1.6 <= ra <= 1.6) or not m["aspect"] or not q["aspect"]:
                continue
            rs = m["aspect"] / q["aspect"]
            bends = m["aspect_cv"] >= NONRIGID
            if bends != (q["aspect_cv"] >= NONRIGID):
                continue
            # a rigid thing keeps its proportions; a walking, bending body's mean proportions vary
            # (a visitor leaning over a table), so two of them need only be alike within x2
            if not ((0.5 <= rs <= 2.0) if bends else (0.8 <= rs <= 1.25)):
                continue
            d = abs(math.log(ra)) + abs(math.log(rs))
            if d < best_d:
                best, best_d = o, d
        if best is not None:
            m["class"], m["class_from"] = best.meta["class"], f"like event {segs.index(best) + 1}"


def _may_have_face(per_view: list[list[tuple[str, float]]], shape: dict[str, float]) -> bool:
    """Look for a face only on what could be a person: upright, and not surely something else."""
    table = class_table()
    sure_other = any(sum(p for lbl, p in tags if table.get(lbl) not in (None, "person")) >= 0.25 for tags in per_view)
    return not sure_other and shape.get("aspect", 0.0) >= 1.2


def _faces(describer: Any, crop: np.ndarray) -> int:
    """Faces MTCNN finds in the upper half of an upright crop (where a head is), at most 320 px."""
    top = crop[: max(1, int(crop.shape[0] * 0.5))]
    if min(top.shape[:2]) < 24:
        return 0
    s = min(1.0, 320 / max(top.shape[:2]))
    if s < 1:
        top = cv2.resize(top, (max(1, round(top.shape[1] * s)), max(1, round(top.shape[0] * s))),
                         interpolation=cv2.INTER_AREA)
    return len(describer.faces([np.ascontiguousarray(top)])[0])


def _pool_tags(per_view: list[list[tuple[str, float]]]) -> list[tuple[str, float]]:
    """Tags of several views of one object: mean probability per label (absent = 0), best first."""
    if not per_view:
        return []
    acc: dict[str, float] = {}
    for tags in per_view:
        for lbl, p in tags:
            acc[lbl] = acc.get(lbl, 0.0) + p / len(per_view)
    return sorted(((k, round(v, 4)) for k, v in acc.items()), key=lambda kv: -kv[1])


def _describe_event(tr: _Track, shot: int, shape: tuple[int, int], describer: Any) -> Segment:
    h, w = shape
    first, last = tr.dets[0], tr.dets[-1]
    start, end = first.t, last.t
    entry, leave = _side(first.box, h, w), _side(last.box, h, w)
    c0, c1 = first.centre, last.centre
    direction = _direction((c1[0] - c0[0]) / w, (c1[1] - c0[1]) / h)
    peak = max(d.area for d in tr.dets) / float(h * w)
    # time spent still: per step speed below STILL_SPEED of the diagonal per second
    diag = math.hypot(w, h)
    still = 0.0
    for a, b in zip(tr.dets, tr.dets[1:]):
        dt = b.t - a.t
        if dt > 0 and math.hypot(b.centre[0] - a.centre[0], b.centre[1] - a.centre[1]) / diag / dt < STILL_SPEED:
            still += dt
    views = [v for v in tr.views if v["crop"].size]
    per_view: list[list[tuple[str, float]]] = []
    colours: list[str] = []
    colour_shares: list[float] = []
    faces = 0
    facts = _shape_facts(tr, h, w)
    if views:
        try:
            per_view = describer.tags([v["crop"] for v in views[:TAG_VIEWS]])
        except Exception as e:
            log.debug("tags failed: %s", e)
        try:
            if getattr(describer.settings, "faces", True) and _may_have_face(per_view, facts):
                faces = _faces(describer, views[0]["crop"])
        except Exception as e:
            log.debug("faces failed: %s", e)
        colours = _object_colours(views, shares=colour_shares)
    tags = _pool_tags(per_view)
    cls, how = _object_class(per_view, faces, facts)
    wear: dict[str, list[str]] = {}
    if cls == "person" and views:
        # a person's colours by body part: upper body (shirt, jacket), lower body (trousers, skirt)
        # (the upper band starts below the shoulders: seen from above or behind, long hair covers
        # the shoulders and would read as the colour of the top)
        wear = {"upper": _object_colours(views, 2, rows=(0.25, 0.5)),
                "lower": _object_colours(views, 2, rows=(0.55, 0.95))}
        try:
            top = _top_garment(describer, views)
        except Exception as e:
            log.debug("top tags failed: %s", e)
            top = None
    meta = {"event": "object", "class": cls, "class_from": how, "shot": shot,
            "entry": entry or "middle", "exit": leave or "middle", "direction": direction or "",
            "still_s": round(still, 1), "peak_area": round(peak, 4), "faces": faces,
            "tags": [lbl for lbl, p in tags[:4] if p >= 0.05], "colours": colours, "colour_shares": colour_shares,
            "best_t": round(views[0]["t"], 2) if views else None,
            "aspect": round(facts["aspect"], 2), "aspect_cv": round(facts["aspect_cv"], 3),
            **{f"{k}_colours": v for k, v in wear.items()},
            **({"top": top} if cls == "person" and top else {}),
            "track_frames": len(tr.dets)}
    return Segment("object", round(start, 2), round(end, 2), "", meta)


def _top_garment(describer: Any, views: list[dict[str, Any]]) -> str | None:
    """What a person wears on the upper body ("a T-shirt", "a cardigan or sweater"), from ImageNet
    tags of the upper part of each view (the whole body's tags name a poncho or a ski mask): the
    item whose probability, summed over its classes and averaged over the views, is TOP_MIN_PROB
    or more."""
    from vidsage.labels import TOPS

    from .vision import item_mass

    crops = [v["crop"][int(0.1 * v["crop"].shape[0]):int(0.55 * v["crop"].shape[0])] for v in views]
    crops = [c for c in crops if min(c.shape[:2]) >= TOP_MIN_PX]
    if not crops:
        return None
    total: dict[str, float] = {}
    for tags in describer.tags(crops):
        for item, p in item_mass(tags, TOPS).items():
            total[item] = total.get(item, 0.0) + p / len(crops)
    best = max(total.items(), key=lambda kv: kv[1], default=(None, 0.0))
    return best[0] if best[1] >= TOP_MIN_PROB else None


def event_label(m: dict[str, Any]) -> str:
    """What an object event is, in a few words: "red car", "person dressed in black". People are
    described by their clothes, never as "a black person". (Hair is not named here: on a silhouette
    from above or behind, shadow and dark roots made blonde hair read as dark.)"""
    c = str(m.get("class", "object"))
    colour = _colour_phrase(m)
    if c != "person":
        return f"{colour} {c}" if colour else c
    return f"person dressed in {colour}" if colour else "person"


def _object_pixels(view: dict[str, Any], rows: tuple[float, float] = (0.0, 1.0)) -> np.ndarray:
    """The object's own pixels in a view (under its mask), not the road around it, as the scene's
    usual exposure would show them; (N, 3) RGB uint8. `rows`: a band of the object's height
    (0 = top), e.g. (0.15, 0.5) for a person's upper body."""
    crop, mask = view["crop"], view["mask"]
    ox, oy = view["inner"]
    mh, mw = mask.shape
    region = crop[oy:oy + mh, ox:ox + mw]
    m = mask[:region.shape[0], :region.shape[1]].astype(bool)
    ys = np.nonzero(m.any(axis=1))[0]
    if len(ys) and rows != (0.0, 1.0):
        top, h = ys[0], ys[-1] - ys[0] + 1
        band = np.zeros_like(m)
        band[top + int(rows[0] * h): top + int(math.ceil(rows[1] * h))] = True
        m &= band
    px = region[m] if m.any() else region.reshape(-1, 3)
    gain = view.get("gain")
    if gain is not None:
        px = np.clip(px.astype(np.float32) / gain, 0, 255).astype(np.uint8)
    return px


def _object_colours(views: list[dict[str, Any]], max_names: int = 3, cover: float = 0.8,
                    min_share: float = 0.08, rows: tuple[float, float] = (0.0, 1.0),
                    shares: list[float] | None = None) -> list[str]:
    """Colour names of the object over its views (shares averaged), as `vision.colour_names` picks
    them: the 1-3 names that cover most of it."""
    from .vision import colour_fractions, pixel_sample

    acc: dict[str, float] = {}
    n = 0
    for v in views:
        px = _object_pixels(v, rows)
        if len(px) < 16:
            continue
        for name, share in colour_fractions(pixel_sample(px)).items():
            acc[name] = acc.get(name, 0.0) + share
        n += 1
    names: list[str] = []
    covered = 0.0
    for name, share in sorted(acc.items(), key=lambda kv: -kv[1]):
        share /= max(1, n)
        if share < min_share or len(names) >= max_names or covered >= cover:
            break
        names.append(name)
        covered += share
        if shares is not None:
            shares.append(round(share, 3))
    return names


def _add_counts(segs: list[Segment]) -> None:
    """Texts with the counts an LLM needs: this is event i of n, n of them cars, who overlaps."""
    n = len(segs)
    classes = [s.meta["class"] for s in segs]
    per_class: dict[str, int] = {}
    for c in classes:
        per_class[c] = per_class.get(c, 0) + 1
    summary = ", ".join(f"{k} {_plural(c, k)}" for c, k in sorted(per_class.items(), key=lambda kv: -kv[1]))
    seen: dict[str, int] = {}
    for i, s in enumerate(segs, 1):
        m = s.meta
        c = m["class"]
        seen[c] = seen.get(c, 0) + 1
        m.update(index=i, count=n, class_index=seen[c], class_count=per_class[c])
    for i, s in enumerate(segs, 1):
        m = s.meta
        c = m["class"]
        m["label"] = event_label(m)
        what = f"{_article(m['label'])} {m['label']}"
        if m["class_from"] == "shape":
            what += " (by its shape)"
        elif m["class_from"].startswith("like"):
            what += f" (looks {m['class_from']})"
        how = []
        if m["entry"] != "middle":
            how.append(f"enters from the {m['entry']}")
        else:
            how.append("appears in the middle of the picture")
        if m["direction"]:
            how.append(f"moves from {m['direction']}")
        if m["still_s"] >= 2.0:
            how.append(f"stays still for about {m['still_s']:.0f} s")
        how.append(f"leaves at the {m['exit']}" if m["exit"] != "middle" else "disappears in the middle of the picture")
        with_ = [o for o in segs if o is not s and o.start < s.end and o.end > s.start]
        parts = [f"object event {i} of {n} in this video: {what} {', '.join(how)}, "
                 f"{fmt_time(s.start)}-{fmt_time(s.end)} ({s.end - s.start:.1f} s)",
                 f"{_ordinal(m['class_index'])} of {m['class_count']} {_plural(c, m['class_count'])}",
                 f"size: {_size_word(m['peak_area'])}"]
        if m["tags"]:
            parts.append("tags: " + ", ".join(display(t) for t in m["tags"]))
        if m["colours"]:
            parts.append("colours: " + ", ".join(m["colours"]))
        if m.get("upper_colours") or m.get("lower_colours"):
            top = f" ({m['top']}, by its tags)" if m.get("top") else ""
            parts.append(f"wears {'/'.join(m.get('upper_colours') or ['?'])} on top{top} and "
                         f"{'/'.join(m.get('lower_colours') or ['?'])} below")
        if m["faces"]:
            parts.append(f"{m['faces']} face{'s' if m['faces'] != 1 else ''}")
        if with_:
            parts.append("at the same time as " + "; ".join(
                f"event {o.meta['index']} ({event_label(o.meta)})" for o in with_))
        parts.append(f"all object events in this video: {summary}")
        s.text = "; ".join(parts)


def _colour_phrase(m: dict[str, Any]) -> str:
    """"red", or "grey/white" when two shades of grey cover about as much of the object (a white car
    in shade): a colour wins over grey, which is mostly windows and shadow."""
    cols, shares = m.get("colours") or [], m.get("colour_shares") or []
    if not cols:
        return ""
    grey = {"white", "grey", "black"}
    if len(cols) >= 2 and len(shares) >= 2 and shares[1] >= 0.8 * shares[0] and {cols[0], cols[1]} <= grey:
        return f"{cols[0]}/{cols[1]}"
    return cols[0]


def _plural(word: str, n: int) -> str:
    if n == 1:
        return word
    if word == "person":
        return "people"
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    return word + "s"


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _ordinal(n: int) -> str:
    words = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth", 7: "seventh",
             8: "eighth", 9: "ninth", 10: "tenth"}
    return words.get(n, f"{n}th")
