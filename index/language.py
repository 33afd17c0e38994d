"""The language of each transcript chunk, from its text (py3langid: a small model inside the wheel).

Whisper decides one language per file (`TranscriptionInfo.language`), so a recording that switches
from English to German stores German chunks labelled "en". A text classifier on each chunk labels
them by what they say, which is what "when is it read in German?" needs. Short or ambiguous chunks
("Bin red by K7 now.") keep the file's language: only a confident reading replaces it.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from vidsage.types import TranscriptChunk

MIN_PROB = 0.9  # langid's normalised probability; short English commands score 0.3-0.7
MIN_CHARS = 12  # fewer characters say too little (CJK: a few characters are a sentence)
MIN_CHARS_CJK = 3

_IDENT: Any = None
_LOCK = threading.Lock()


def _identifier() -> Any:
    global _IDENT
    with _LOCK:
        if _IDENT is None:
            import py3langid.langid as langid

            _IDENT = langid.LanguageIdentifier.from_modelpath(Path(langid.MODEL_DIR) / langid.MODEL_FILE,
                                                              norm_probs=True)
        return _IDENT


def text_language(text: str) -> tuple[str | None, float]:
    """(ISO 639-1 code, probability) of a text, or (None, 0.0) when it is too short to say."""
    text = " ".join(text.split())
    cjk = sum(1 for ch in text if "\u3040" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af")
    if len(text) < MIN_CHARS and cjk < MIN_CHARS_CJK:
        return None, 0.0
    try:
        code, prob = _identifier().classify(text)
    except Exception:  # the package missing or broken: keep what whisper said
        return None, 0.0
    return str(code), float(prob)


def label_languages(chunks: list[TranscriptChunk]) -> list[TranscriptChunk]:
    """Set each chunk's language from its own text where that reading is confident."""
    for c in chunks:
        code, prob = text_language(c.text)
        if code and prob >= MIN_PROB:
            c.language = code
    return chunks
