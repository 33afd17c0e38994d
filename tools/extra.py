"""Two refining tools: describe a frame, re-transcribe a span. Plain functions over a `Toolbox`.

`caption_frame` has no captioning model to use by default (none ships on PyPI, MODELS.md). It
describes the nearest stored keyframe from its frame text — ImageNet tags, on-screen text (OCR),
face count, dominant colours — plus the speech around that time, and labels the result
"description from tags (no vision-language model)" so nobody mistakes it for a caption.
When the user configures a VLM (`settings.vlm = "model.gguf,mmproj.gguf"`), the frame is decoded and
described by that model through llama-cpp-python's multimodal chat handlers, labelled with its name.

`transcribe_span` runs Whisper again on one span with word times, for exact wording.

Both take a video the store knows (the store resolves the reference) and read only that video's
indexed file; they never open a path given by the caller.
"""

from __future__ import annotations

import base64
import io
import threading
from pathlib import Path
from typing import Any

from vidsage.types import StoreError, fmt_span, fmt_time

TAGS_LABEL = "description from tags (no vision-language model)"
_SPEECH_WINDOW = 4.0  # seconds of speech either side of t quoted with a frame description
_MAX_EVENTS = 2  # events on screen at t quoted with a frame description
_EVENT_CHARS = 200
_LOCK = threading.Lock()
_TRANSCRIBERS: dict[tuple, Any] = {}
_VLMS: dict[str, Any] = {}


def _media_path(rec) -> str:
    """The indexed file of a video record that still exists (a video may be known at several paths)."""
    for p in [rec.path, *(rec.paths or [])]:
        if p and Path(p).is_file():
            return p
    raise StoreError(f"{Path(rec.path).name}: the indexed file is no longer at {rec.path}")


def caption_frame(toolbox, video: str, t: float) -> dict[str, Any]:
    """What the frame at `t` shows, with the speech around it. See the module docstring for honesty rules."""
    rec = toolbox.store.resolve_video(video)
    t = max(0.0, min(float(t), rec.duration or float(t)))
    frames = toolbox.store.get("frames", video_ids=[rec.video_id])
    near = min(frames, key=lambda h: abs(h.start - t)) if frames else None
    speech = [h.text for h in toolbox.get_transcript(rec.path, max(0.0, t - _SPEECH_WINDOW), t + _SPEECH_WINDOW)]
    said = " ".join(" ".join(speech).split())[:300]
    out: dict[str, Any] = {"video": rec.path, "t": t, "start": t, "end": t, "speech": said,
                           "frame_t": near.start if near else None, "frame_text": near.text if near else ""}
    vlm = _vlm(toolbox.settings)
    if vlm is not None:
        image = _frame_image(rec, t, toolbox.settings)
        if image is not None:
            out["label"] = f"caption by {vlm.name}"
            out["description"] = vlm.describe(image)
            return out
    parts = []
    if near is not None:
        parts.append(f"keyframe at {fmt_time(near.start)}: {near.text}")
    else:
        parts.append("no keyframe stored for this video (audio only?)")
    # on-screen texts and objects on screen at t: events have bounds, so they are known at t even
    # where the nearest keyframe is seconds away
    segments = toolbox.store.segments_of(rec.video_id)
    events = [h for h in segments
              if h.kind in ("segment:text", "segment:object") and h.start - 0.25 <= t <= h.end + 0.25]
    for h in events[:_MAX_EVENTS]:
        parts.append(f"on screen at {fmt_time(t)}: {h.text[:_EVENT_CHARS]}")
    tracked = [h for h in segments if h.kind == "segment:object"]
    if tracked and not any(h.kind == "segment:object" for h in events):
        # a static camera that tracks things saw none then: said, with the nearest ones (asked "what is
        # the car at 0:20 doing?" after the cars had gone, the model described the road as a car)
        before = max((h for h in tracked if h.end < t), key=lambda h: h.end, default=None)
        after = min((h for h in tracked if h.start > t), key=lambda h: h.start, default=None)
        from .temporal import event_label

        nearest = "; ".join(f"{w}: {event_label(h)} {fmt_span(h.start, h.end)}"
                            for w, h in (("before", before), ("after", after)) if h)
        parts.append(f"nothing tracked is on screen at {fmt_time(t)}" + (f" (the nearest {nearest})" if nearest else ""))
    if near is not None and not near.meta.get("ocr") and not any(h.kind == "segment:text" for h in events):
        parts.append("no on-screen text")  # said outright: a small model otherwise reads a tag as the text
    image = _frame_image(rec, t, toolbox.settings) if rec.keyframes else None
    if image is not None:
        # where each colour is: "what colour is the sky / the floor / the wall" needs it, and the
        # frame's overall palette cannot say it
        from vidsage.index.appearance import picture_layout

        parts.append(f"colours by area at {fmt_time(t)}: {picture_layout(image)}")
    if said:
        parts.append(f"speech around {fmt_time(t)}: {said}")
    out["label"] = TAGS_LABEL
    out["description"] = "; ".join(parts)
    return out


def transcribe_span(toolbox, video: str, start: float, end: float, language: str | None = None) -> dict[str, Any]:
    """Whisper again on `start..end` (seconds) with word times; times are in the whole file."""
    from vidsage.index.decode import decode_audio

    rec = toolbox.store.resolve_video(video)
    start, end = max(0.0, float(start)), float(end)
    if rec.duration:
        end = min(end, rec.duration)
    if end <= start:
        raise ValueError(f"empty span {start:.2f}..{end:.2f} s")
    audio = decode_audio(_media_path(rec))
    tr = _transcriber(toolbox.settings).transcribe_span(audio, start, end, language or rec.language)
    return {"video": rec.path, "start": start, "end": end, "text": tr.text, "language": tr.language,
            "words": [[round(w.start, 2), round(w.end, 2), w.word] for w in tr.words]}


def _transcriber(settings):
    from vidsage.index.asr import Transcriber

    key = (settings.whisper, settings.device, settings.threads)
    with _LOCK:
        if key not in _TRANSCRIBERS:
            _TRANSCRIBERS[key] = Transcriber(settings)
        return _TRANSCRIBERS[key]


# -- optional real captions: a GGUF vision-language model + its mmproj ---------------------------------
def _frame_image(rec, t: float, settings):
    from vidsage.index.decode import frame_at

    try:
        return frame_at(_media_path(rec), t, settings.describe_max_side)
    except StoreError:
        return None


def _vlm(settings) -> "VisionLLM | None":
    if not settings.vlm:
        return None
    with _LOCK:
        if settings.vlm not in _VLMS:
            _VLMS[settings.vlm] = VisionLLM.from_setting(settings.vlm, settings)
        return _VLMS[settings.vlm]


def _gpu_layers(settings) -> int:
    from vidsage.devices import llama_gpu_layers  # one rule for every llama.cpp model

    return llama_gpu_layers(settings)


class VisionLLM:
    """A llama.cpp vision model (LLaVA-style GGUF + mmproj). Untested here: no such weights ship on PyPI.

    The chat handler is picked from the model file name (moondream, MiniCPM-V, Qwen2.5-VL, LLaVA 1.6),
    LLaVA 1.5 otherwise; the image goes in as a PNG data URI, as llama-cpp-python expects.
    """

    def __init__(self, model: str, mmproj: str, settings):
        import llama_cpp
        from llama_cpp import llama_chat_format as fmt

        lower = Path(model).name.lower()
        handler_cls = fmt.Llava15ChatHandler
        for key, name in (("moondream", "MoondreamChatHandler"), ("minicpm", "MiniCPMv26ChatHandler"),
                          ("qwen2.5-vl", "Qwen25VLChatHandler"), ("llava-v1.6", "Llava16ChatHandler")):
            if key in lower and hasattr(fmt, name):
                handler_cls = getattr(fmt, name)
                break
        self.name = Path(model).name
        self._lock = threading.Lock()
        self.llama = llama_cpp.Llama(model_path=model, chat_handler=handler_cls(clip_model_path=mmproj, verbose=False),
                                     n_ctx=4096, n_threads=settings.threads, n_gpu_layers=_gpu_layers(settings),
                                     verbose=False)

    @classmethod
    def from_setting(cls, value: str, settings) -> "VisionLLM":
        model, _, mmproj = value.partition(",")
        if not (model and mmproj and Path(model).is_file() and Path(mmproj).is_file()):
            raise StoreError(f"vlm setting must be 'model.gguf,mmproj.gguf' with both files present, got {value!r}")
        return cls(model.strip(), mmproj.strip(), settings)

    def describe(self, image) -> str:
        from PIL import Image

        buf = io.BytesIO()
        Image.fromarray(image).save(buf, format="PNG")
        uri = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
        with self._lock:
            out = self.llama.create_chat_completion(messages=[
                {"role": "system", "content": "You describe video frames factually in one or two sentences."},
                {"role": "user", "content": [{"type": "image_url", "image_url": {"url": uri}},
                                             {"type": "text", "text": "Describe this frame: people, objects, "
                                                                      "colours, any text."}]}],
                max_tokens=96, temperature=0.0)
        return " ".join(str(out["choices"][0]["message"]["content"]).split())


__all__ = ["caption_frame", "transcribe_span", "VisionLLM", "TAGS_LABEL"]
