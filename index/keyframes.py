"""Scene-aware keyframe selection: shot cuts, plus keyframes when the picture drifts within a shot.

One pass over the scanned frames (see `decode.iter_frames`), holding only a few tiny signatures
and the images of the keyframes chosen. Each frame gets a signature: a 16x16 luminance thumbnail
and a smoothed 8x4x4 Y/Cb/Cr colour histogram. Two frames differ by

    D = (Hellinger(histograms) + min(1, 3 * mean|thumb_a - thumb_b| / 255) + structure) / 3

where structure = (1 - correlation of the thumbnails) / 2 is blind to brightness, so fades do not
move it. D is 0 for identical frames, 0.01-0.05 for talking heads or film grain, and about
0.1-0.7 across real cuts; a `threshold` near 0.08 suits it (the spike test below does the rest).

A **cut** before frame i needs D(i-1, i) >= `threshold` *and* a spike: D(i-1, i) at least
`spike` times every change in the shot over the last `WINDOW` seconds and the change right after
it, D(i, i+1). Motion (wings flapping, a car crossing a static camera, a pan, a fade) keeps
changing the picture, so it never towers over its own recent past; a hard cut changes one pair
only. That lets a low `threshold` catch cuts between similar shots (two people in front of the same
backdrop) without cutting on motion, and it rejects flashes (the change right after is as big).
The decision waits one frame for D(i, i+1). A dip to black (fade out, blank frames, fade in) is a
cut when the pictures on both sides of the blank differ in structure.

Within a shot a frame becomes a **keyframe** when it has drifted by `drift` from the last keyframe
and `min_gap` seconds have passed, or when `max_gap` seconds would pass without one. The first
frame of each shot is a keyframe; if it is blank (black, one colour) it moves to the shot's first
frame with content, so describers are not handed the black before a fade-in. Limitation: a shot
shorter than about two scan steps cannot be told from a flash, so its cuts may be missed and it
merges into a neighbouring shot (drift keyframes still cover it).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from vidsage.types import Frame, Keyframe, Shot

SPIKE = 3.0  # a cut's change must be this many times the shot's recent changes and the next one
DRIFT = 0.1  # change from the last keyframe that makes a new one: a car in the road, a new slide
WINDOW = 2.0  # seconds of recent changes a cut is compared with
NOISE_FLOOR = 0.01  # neighbour change below this counts as this (compression noise, grain)
BLANK_STD = 6.0  # grey levels: a frame with less spread than this is blank (black, white, one colour)
DIP_STRUCTURE = 0.15  # structure change across a blank run that makes the dip to black a cut
_GRID = 16  # thumbnail side (blocks)


@dataclass
class _Sig:
    """A frame's signature: everything the distances need, a few hundred bytes."""

    thumb: np.ndarray  # (<=16, <=16) float32 block means of luminance, 0..255
    hist: np.ndarray  # (128,) float64 smoothed Y/Cb/Cr histogram, sums to 1
    blank: bool


def signature(image: np.ndarray) -> _Sig:
    """Signature of an RGB uint8 image of any size."""
    # ~160 px across is plenty for 16x16 blocks and a 128-bin histogram, and keeps this ~1 ms
    stride = max(1, round(max(image.shape[:2]) / 160))
    x = image[::stride, ::stride]
    x = x.astype(np.float32)
    y = 0.299 * x[..., 0] + 0.587 * x[..., 1] + 0.114 * x[..., 2]
    cb = 0.564 * (x[..., 2] - y)  # -128..128
    cr = 0.713 * (x[..., 0] - y)
    h, w = y.shape
    gy = np.linspace(0, h, min(_GRID, h) + 1).astype(int)
    gx = np.linspace(0, w, min(_GRID, w) + 1).astype(int)
    thumb = np.add.reduceat(np.add.reduceat(y, gy[:-1], axis=0), gx[:-1], axis=1)
    thumb /= np.outer(np.diff(gy), np.diff(gx))
    # 8 luminance x 4 x 4 chroma bins over the range natural colours occupy; smoothing each axis
    # with [1/4, 1/2, 1/4] stops pixels near a bin edge (sky gradients, grain) from reading as change
    yb = np.clip((y * (8 / 256)).astype(np.int32), 0, 7)
    cbb = np.clip(((cb + 64) * (4 / 128)).astype(np.int32), 0, 3)
    crb = np.clip(((cr + 64) * (4 / 128)).astype(np.int32), 0, 3)
    hist = np.bincount((yb * 16 + cbb * 4 + crb).ravel(), minlength=128).astype(np.float64).reshape(8, 4, 4)
    for axis in range(3):
        n = hist.shape[axis]
        padded = np.pad(hist, [(1, 1) if a == axis else (0, 0) for a in range(3)], mode="edge")
        hist = 0.25 * padded.take(range(n), axis) + 0.5 * hist + 0.25 * padded.take(range(2, n + 2), axis)
    hist = hist.ravel() / hist.sum()
    return _Sig(thumb=thumb, hist=hist, blank=float(y.std()) < BLANK_STD)


def structure(a: _Sig, b: _Sig) -> float:
    """(1 - Pearson correlation of the thumbnails) / 2: 0 same layout, 0.5 unrelated; brightness-
    and contrast-invariant. Undefined for flat thumbnails, where it is 0 (no layout to change)."""
    sa, sb = float(a.thumb.std()), float(b.thumb.std())
    if sa < 2.0 or sb < 2.0 or a.thumb.shape != b.thumb.shape:
        return 0.0
    corr = float(((a.thumb - a.thumb.mean()) * (b.thumb - b.thumb.mean())).mean()) / (sa * sb)
    return min(1.0, max(0.0, (1.0 - corr) / 2.0))


def distance(a: _Sig, b: _Sig) -> float:
    """How different two frames look, 0..1: colour distribution, pixels and layout together.

    Each term alone has blind spots (histograms ignore layout, pixel differences overreact to
    brightness, correlation ignores colour); the mean of the three is steadier than any one."""
    hel = float(np.sqrt(max(0.0, 1.0 - float(np.sqrt(a.hist * b.hist).sum()))))
    mad = float(np.abs(a.thumb - b.thumb).mean()) / 255.0 if a.thumb.shape == b.thumb.shape else 1.0
    return (hel + min(1.0, 3.0 * mad) + structure(a, b)) / 3.0


@dataclass
class _Pending:
    """A frame waiting one step for the change that follows it (the cut test looks ahead)."""

    frame: Frame
    sig: _Sig
    d_in: float | None  # change from the previous frame


class KeyframeSelector:
    """Streaming keyframe and shot selection: `push` frames in time order, then `finish`.

    Both return the keyframes that became final (a blank keyframe stays open until its shot shows
    something), so a caller can describe and drop images as it goes; `shots` is complete after
    `finish`. `select_keyframes` wraps this for the common case.
    """

    def __init__(self, *, min_gap: float, max_gap: float, threshold: float,
                 drift: float | None = None, spike: float = SPIKE):
        self.min_gap = min_gap
        self.max_gap = max(max_gap, min_gap)
        self.threshold = threshold
        self.drift = drift if drift is not None else DRIFT
        self.spike = spike
        self.shots: list[Shot] = []
        self._prev: _Sig | None = None
        self._prev_t: float | None = None
        self._recent: deque[tuple[float, float]] = deque()  # (t, change) in this shot, last WINDOW s
        self._step = 0.0  # typical time between scanned frames
        self._pending: _Pending | None = None
        self._kf: Keyframe | None = None  # last keyframe of the current shot (maybe not emitted)
        self._kf_sig: _Sig | None = None
        self._kf_open = False  # the shot's first keyframe is blank and may still be replaced
        self._before_blank: _Sig | None = None  # last frame with content in this shot
        self._last_blank = False  # the last decided frame was blank
        self._decided_t: float | None = None  # time of the last decided frame

    def push(self, frame: Frame) -> list[Keyframe]:
        sig = signature(frame.image)
        d = distance(self._prev, sig) if self._prev is not None else None
        if self._prev_t is not None and frame.t > self._prev_t:
            gap = frame.t - self._prev_t
            self._step = gap if not self._step else 0.8 * self._step + 0.2 * gap
        out: list[Keyframe] = []
        if self._pending is not None:
            out = self._decide(self._pending, d_after=d)
        self._pending = _Pending(frame, sig, d)
        self._prev, self._prev_t = sig, frame.t
        return out

    def finish(self, duration: float | None = None) -> list[Keyframe]:
        """Decide the last frame, close the last shot and return the keyframes still held.

        The last shot ends at `duration` unless frames stopped well before it (a truncated or
        damaged file): then it ends one scan step after the last frame seen."""
        out: list[Keyframe] = []
        if self._pending is not None:
            out = self._decide(self._pending, d_after=None)
            self._pending = None
        if self._kf is not None and self._kf_open:
            out.append(self._kf)
            self._kf_open = False
        if self.shots and self._prev_t is not None:
            last_t = self._prev_t
            step = self._step or 0.25
            if duration is not None and last_t < duration <= last_t + max(self.max_gap, 2 * step):
                end = duration
            else:
                end = last_t + step
            self.shots[-1].end = max(end, self.shots[-1].start)
        return out

    # -- internals ---------------------------------------------------------------------------

    def _is_cut(self, p: _Pending, d_after: float | None) -> bool:
        """A change of at least `threshold` that towers over the shot's recent changes and the
        next one: motion (wings flapping, a car crossing) keeps changing, a cut happens once."""
        if p.d_in is None or p.d_in < self.threshold:
            return False
        while self._recent and self._recent[0][0] < p.frame.t - WINDOW:
            self._recent.popleft()
        around = max([d for _, d in self._recent] + [d_after or 0.0, NOISE_FLOOR])
        return p.d_in >= self.spike * around

    def _is_dip_cut(self, p: _Pending) -> bool:
        """Leaving a blank run for a picture unlike the one before the run: a dip-to-black cut."""
        return (self._last_blank and not p.sig.blank and self._before_blank is not None
                and structure(self._before_blank, p.sig) >= DIP_STRUCTURE)

    def _decide(self, p: _Pending, d_after: float | None) -> list[Keyframe]:
        t = p.frame.t
        out: list[Keyframe] = []
        blank_to_blank = self._last_blank and p.sig.blank  # black to dark grey: a fade starting
        if not self.shots:
            self._start_shot(0.0)
            out += self._keyframe(p, score=0.0)
        elif not blank_to_blank and (self._is_cut(p, d_after) or self._is_dip_cut(p)):
            # the cut lies somewhere between the two scanned frames: the midpoint halves the error
            start = 0.5 * (t + self._decided_t) if self._decided_t is not None else t
            if self._kf is not None and self._kf_open:
                out.append(self._kf)  # a blank shot keeps its blank keyframe
                self._kf_open = False
            self.shots[-1].end = start
            self._start_shot(start)
            out += self._keyframe(p, score=p.d_in or 0.0)
        else:
            if p.d_in is not None:
                self._recent.append((t, p.d_in))
            assert self._kf is not None and self._kf_sig is not None
            since = t - self._kf.t
            if self._kf_open and not p.sig.blank:
                out += self._replace_blank_keyframe(p)
            elif (since >= self.min_gap and not p.sig.blank  # a black frame is not worth describing
                  and (drift := distance(self._kf_sig, p.sig)) >= self.drift):
                out += self._keyframe(p, score=drift)
            elif since + self._step > self.max_gap + 1e-6:
                out += self._keyframe(p, score=0.0)  # the next frame would overshoot max_gap
        if not p.sig.blank:
            self._before_blank = p.sig  # the picture before a blank run, for the dip test
        self._last_blank = p.sig.blank
        self._decided_t = t
        return out

    def _start_shot(self, start: float) -> None:
        self.shots.append(Shot(index=len(self.shots), start=start, end=start))
        self._before_blank = None  # a dip is only looked for within a shot
        self._recent.clear()  # the last shot's motion says nothing about this one's

    def _keyframe(self, p: _Pending, score: float) -> list[Keyframe]:
        """Make `p` the shot's newest keyframe; return the previous one if it is now final."""
        out: list[Keyframe] = []
        if self._kf is not None and self._kf_open:
            out.append(self._kf)
        kf = Keyframe(t=p.frame.t, shot=len(self.shots) - 1, score=round(score, 4), image=p.frame.image)
        self.shots[-1].keyframes.append(kf.t)
        self._kf, self._kf_sig = kf, p.sig
        # hold a blank first keyframe (a shot opening on black): content may follow in this shot
        self._kf_open = p.sig.blank and len(self.shots[-1].keyframes) == 1
        if not self._kf_open:
            out.append(kf)
        return out

    def _replace_blank_keyframe(self, p: _Pending) -> list[Keyframe]:
        """Move the shot's open blank keyframe to this frame, the first with content."""
        assert self._kf is not None
        shot = self.shots[-1]
        if self._kf.t in shot.keyframes:
            shot.keyframes.remove(self._kf.t)
        self._kf_open = False
        self._kf = None
        return self._keyframe(p, score=distance(self._kf_sig, p.sig) if self._kf_sig else 0.0)


def select_keyframes(frames: Iterable[Frame], *, min_gap: float, max_gap: float, threshold: float,
                     duration: float | None = None, drift: float | None = None,
                     spike: float = SPIKE) -> tuple[list[Keyframe], list[Shot]]:
    """Keyframes (with images) and shots of a stream of scanned frames, in one pass.

    `threshold` is the least change D that can be a cut (see the module docstring), `drift` the
    change from the last keyframe that makes a new one (default threshold / 2), `min_gap` and
    `max_gap` bound the time between keyframes. Shots tile [0, end of last frame]: each ends where
    the next starts; the last ends at `duration` (see `KeyframeSelector.finish`).
    """
    sel = KeyframeSelector(min_gap=min_gap, max_gap=max_gap, threshold=threshold, drift=drift, spike=spike)
    keyframes: list[Keyframe] = []
    for frame in frames:
        keyframes += sel.push(frame)
    keyframes += sel.finish(duration)
    keyframes.sort(key=lambda k: k.t)
    return keyframes, sel.shots
