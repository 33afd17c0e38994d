"""Words for how people and pictures look, from pixels alone: hair, clothes, black-and-white.

No shipped model names hair or clothing, but where a face box (MTCNN) or a person's silhouette (an
object event) says where the head and body are, the colour of the band above the face is the hair
and the band below the chin is the top someone wears. These are cheap (<1 ms) and approximate; the
words are chosen so that questions users ask ("the woman with blonde hair", "the man in the green
shirt", "is it in colour or black and white") find them.
"""

from __future__ import annotations

import cv2
import numpy as np

from .vision import colour_names, fit_side, pixel_sample

# hue bands in degrees (OpenCV hue x 2); a band of these hues with real saturation is background
# or clothing, never hair
_NOT_HAIR_HUES = (70.0, 330.0)


def _hsv_of(pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hue in degrees, saturation and value (0-255) of (N, 3) RGB uint8 pixels, as float arrays."""
    px = np.asarray(pixels, np.uint8).reshape(-1, 1, 3)
    hsv = cv2.cvtColor(px, cv2.COLOR_RGB2HSV).reshape(-1, 3).astype(np.float32)
    return hsv[:, 0] * 2.0, hsv[:, 1], hsv[:, 2]


def _hue_gap(a: float, b: float) -> float:
    d = abs(a - b) % 360.0
    return min(d, 360.0 - d)


def _like(pixels: np.ndarray, sample: np.ndarray) -> np.ndarray:
    """Which of `pixels` have the colour of a `sample` (skin, a wall): hue, saturation and value close."""
    h, s, v = _hsv_of(pixels)
    kh, ks, kv = (float(np.median(a)) for a in _hsv_of(sample))
    gap = np.minimum(np.abs(h - kh) % 360.0, 360.0 - np.abs(h - kh) % 360.0)
    return (gap < 14) & (np.abs(v - kv) < 60) & (np.abs(s - ks) < 70)


def hair_word(pixels: np.ndarray, skin: np.ndarray | None = None) -> str | None:
    """"dark", "brown", "blonde", "red" or "grey" for (N, 3) RGB uint8 pixels of a head's top, or
    None when they are not hair: a background colour (a bald head against a blue wall) or the
    colour of the face's own `skin` pixels (forehead, scalp)."""
    if len(np.asarray(pixels).reshape(-1, 3)) < 12:
        return None
    h, s, v = _hsv_of(pixels)
    # the hair is the darker part of the band: drop the brightest quarter (wall, highlights)
    keep = v <= np.percentile(v, 75)
    h, s, v = h[keep], s[keep], v[keep]
    coloured = (s >= 70) & (v >= 60)
    if coloured.mean() > 0.5 and _NOT_HAIR_HUES[0] <= float(np.median(h[coloured])) < _NOT_HAIR_HUES[1]:
        return None
    vm, sm = float(np.median(v)), float(np.median(s))
    hm = float(np.median(h[coloured])) if coloured.any() else 30.0
    if skin is not None and len(np.asarray(skin).reshape(-1, 3)) >= 12:
        kh, ks, kv = _hsv_of(skin)
        khm = float(np.median(kh))
        if _hue_gap(hm, khm) < 14 and abs(vm - float(np.median(kv))) < 45 and abs(sm - float(np.median(ks))) < 60:
            return None
    if vm < 70:
        return "dark"
    if sm < 75:  # little colour: grey when light (grey hair in warm light still reads S ~60), else dark
        return "grey" if vm >= 110 else "dark"
    if (hm < 14 or hm >= 340) and sm >= 110:
        return "red"
    if vm >= 135 and 18 <= hm < 60:
        return "blonde"
    return "dark" if vm < 95 else "brown"


HAIR_PHRASE = {"dark": "dark (black or dark brown) hair", "brown": "brown hair",
               "blonde": "blonde (fair) hair", "red": "red (ginger) hair", "grey": "grey (white) hair"}


def face_look(frame: np.ndarray, box: tuple[float, float, float, float]) -> str:
    """A phrase for the person around a face box (x0, y0, x1, y1) in an RGB frame: hair, then the
    colours of what they wear below the chin; "" when neither can be seen."""
    fh, fw = frame.shape[:2]
    x0, y0, x1, y1 = box
    bw, bh = max(1.0, x1 - x0), max(1.0, y1 - y0)
    parts = []
    # hair: a band over the top of the face box (MTCNN boxes start at the brow line)
    hy0, hy1 = int(max(0, y0 - 0.3 * bh)), int(max(0, y0 + 0.02 * bh))
    hx0, hx1 = int(max(0, x0 + 0.15 * bw)), int(min(fw, x1 - 0.15 * bw))
    if hy1 - hy0 >= max(3, 0.12 * bh) and hx1 > hx0:
        skin = frame[int(y0 + 0.45 * bh):int(y0 + 0.7 * bh), hx0:hx1]
        hair = hair_word(frame[hy0:hy1, hx0:hx1].reshape(-1, 3), skin.reshape(-1, 3))
        if hair:
            parts.append(HAIR_PHRASE[hair])
    # clothes: from just under the chin down about one face height, a little wider than the face;
    # the neck and chest skin (the face's own colour) are left out, so a collar low in the frame counts
    cy0, cy1 = int(y1 + 0.1 * bh), int(min(fh, y1 + 1.3 * bh))
    cx0, cx1 = int(max(0, x0 - 0.3 * bw)), int(min(fw, x1 + 0.3 * bw))
    if cy1 - cy0 >= 3 and cx1 > cx0:
        band = frame[cy0:cy1, cx0:cx1].reshape(-1, 3)
        skin = frame[int(y0 + 0.45 * bh):int(y0 + 0.7 * bh), hx0:hx1].reshape(-1, 3)
        keep = ~_like(band, skin) if len(skin) >= 12 else np.ones(len(band), bool)
        # and so is the wall behind: sampled beside the face, left and right
        for bx0, bx1 in ((x0 - 0.7 * bw, x0 - 0.15 * bw), (x1 + 0.15 * bw, x1 + 0.7 * bw)):
            side = frame[int(y0):int(y1), int(max(0, bx0)):int(min(fw, max(0, bx1)))].reshape(-1, 3)
            if len(side) >= 12:
                keep &= ~_like(band, side)
        cloth = band[keep]
        if len(cloth) >= max(20, 0.25 * len(band)):
            cols = colour_names(cloth.reshape(-1, 1, 3), max_names=2, cover=0.7, min_share=0.15)
            if cols:
                parts.append(f"wearing {'/'.join(cols)} on top")
    return ", ".join(parts)


def background_colours(frame: np.ndarray, boxes: list[tuple[float, float, float, float]]) -> list[str]:
    """The colours behind the people whose face boxes (x0, y0, x1, y1) are given: the frame with
    each person left out, their head (the face box with hair around it) and, from the chin down to
    the bottom of the frame, their shoulders and body (wider). [] when too little is left to tell,
    so a wall is only named when it is seen."""
    if not boxes:
        return []
    fh, fw = frame.shape[:2]
    keep = np.ones((fh, fw), bool)
    for x0, y0, x1, y1 in boxes:
        bw, bh = max(1.0, x1 - x0), max(1.0, y1 - y0)
        keep[int(max(0, y0 - 0.6 * bh)):int(y1), int(max(0, x0 - 0.3 * bw)):int(min(fw, x1 + 0.3 * bw))] = False
        keep[int(y1):, int(max(0, x0 - 0.9 * bw)):int(min(fw, x1 + 0.9 * bw))] = False
    if keep.mean() < 0.08:
        return []
    return colour_names(pixel_sample(frame[keep]), max_names=2, cover=0.7, min_share=0.15)


def picture_layout(frame: np.ndarray) -> str:
    """The colours of the top, middle and bottom thirds of a frame ("top: pink/white; middle:
    green; bottom: green"): the sky or a ceiling is usually at the top, the ground or a floor at the
    bottom, which a whole-frame palette cannot tell apart."""
    h = frame.shape[0]
    parts = []
    for name, (a, b) in (("top", (0, h // 3)), ("middle", (h // 3, 2 * h // 3)), ("bottom", (2 * h // 3, h))):
        names = colour_names(frame[a:b], max_names=2, cover=0.7, min_share=0.15)
        if names:
            parts.append(f"{name}: {'/'.join(names)}")
    return "; ".join(parts)


def chroma(frame: np.ndarray) -> float:
    """How much colour a frame has at most: the 99.5th percentile of saturation (0-255) over its lit
    pixels. Old film and monochrome cameras stay under ~20 everywhere; a colour video has some frame
    with a coloured thing in it (one red car on a grey road is enough)."""
    small = fit_side(frame, 96)
    hsv = cv2.cvtColor(np.ascontiguousarray(small), cv2.COLOR_RGB2HSV)
    lit = hsv[..., 2] >= 40
    if lit.mean() < 0.2:
        return -1.0  # a black frame says nothing either way
    return float(np.percentile(hsv[..., 1][lit], 99.5))


MONO_CHROMA = 40.0


def black_and_white(chromas: list[float]) -> bool:
    """A video (or shot) is black and white when none of its lit keyframes shows colour."""
    lit = [c for c in chromas if c >= 0.0]
    return bool(lit) and max(lit) < MONO_CHROMA
