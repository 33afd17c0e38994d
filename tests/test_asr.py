"""Speech recognition on the real sample media with the shipped Whisper base weights (CPU, int8)."""

from __future__ import annotations

import re
import unicodedata

import av
import numpy as np
import pytest

from vidsage.index.asr import SAMPLE_RATE, Transcriber, Transcript
from vidsage.index.chunking import chunk_words

_DIGITS = "zero one two three four five six seven eight nine".split()


def load_audio(path) -> np.ndarray:
    """16 kHz mono float32 with PyAV (kept here so these tests do not depend on index.decode)."""
    parts = []
    with av.open(str(path)) as c:
        rs = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
        for frame in c.decode(audio=0):
            parts += [f.to_ndarray().reshape(-1) for f in rs.resample(frame)]
        parts += [f.to_ndarray().reshape(-1) for f in rs.resample(None)]
    return np.concatenate(parts).astype(np.float32)


def norm_words(text: str) -> list[str]:
    """Lower case, no punctuation, digits spelled out ("K7" -> "k seven"), accents kept."""
    text = re.sub(r"\d", lambda m: f" {_DIGITS[int(m.group())]} ", text.lower())
    return re.findall(r"[\w']+", unicodedata.normalize("NFC", text))


def norm(text: str) -> str:
    return " ".join(norm_words(text))


@pytest.fixture(scope="session")
def transcriber(settings) -> Transcriber:
    t = Transcriber(settings)
    t.model  # load once, here, so a broken model shows up as an error in one place
    return t


@pytest.fixture(scope="session")
def jfk(media, transcriber) -> Transcript:
    return transcriber.transcribe(load_audio(media / "jfk.flac"))


def _check_words(tr: Transcript, duration: float) -> None:
    assert tr.words, "no words"
    for w in tr.words:
        assert 0.0 <= w.start <= w.end <= duration + 0.5 and w.word == w.word.strip() and w.word
        assert 0.0 <= w.probability <= 1.0
    starts = [w.start for w in tr.words]
    assert starts == sorted(starts)


def test_jfk_text_and_timing(jfk):
    assert jfk.language == "en" and jfk.language_probability > 0.5
    assert "ask not what your country can do for you" in norm(jfk.text)
    assert "ask not what your country can do for you" in norm(" ".join(w.word for w in jfk.words))
    (americans,) = [w for w in jfk.words if norm(w.word) == "americans"]
    # openai/whisper's own test: "Americans" is spoken around t = 1.8 s
    assert abs((americans.start + americans.end) / 2 - 1.8) <= 0.7
    _check_words(jfk, 11.0)
    assert jfk.options["model"] == "whisper-base" and jfk.options["vad"] is True
    assert jfk.options["compute_type"] in ("int8", "float16")


def test_transcribe_span_offsets(media, transcriber):
    audio = load_audio(media / "jfk.flac")
    tr = transcriber.transcribe_span(audio, 7.8, 11.0, language="en")
    assert "ask what you can do for your country" in norm(tr.text)
    assert all(w.start >= 7.8 - 1e-6 for w in tr.words)
    country = [w for w in tr.words if norm(w.word) == "country"][-1]
    assert 9.5 <= country.start <= 10.6  # ~9.9-10.3 in the whole file, not ~2 s into the slice
    assert tr.options["span"] == [7.8, 11.0] and tr.options["language_forced"] == "en"


def test_grid_third_sentence_in_its_slot(media, transcriber):
    audio = load_audio(media / "grid_seven_speakers.mp4")
    tr = transcriber.transcribe(audio)
    assert tr.language == "en"
    # words may come as "K7": expand each word with its timing, then look for the sentence
    timed = [(t, w.start, w.end) for w in tr.words for t in norm_words(w.word)]
    target = "bin red by k seven now".split()
    hits = [i for i in range(len(timed)) if [t for t, _, _ in timed[i:i + len(target)]] == target]
    assert hits, norm(tr.text)
    seg = timed[hits[0]:hits[0] + len(target)]
    assert seg[0][1] >= 6.0 - 0.3 and seg[-1][2] <= 9.0 + 0.3
    _check_words(tr, 21.0)


def test_french_detected(media, transcriber):
    tr = transcriber.transcribe(load_audio(media / "french.aiff"))
    assert tr.language == "fr" and tr.language_probability > 0.8
    assert "dictée numéro" in norm(tr.text)


def test_chinese_detected_and_chunked_without_spaces(media, transcriber):
    tr = transcriber.transcribe(load_audio(media / "chinese.flac"))
    assert tr.language == "zh"
    assert "自己的" in tr.text  # reference 砸自己的脚; base hears 扎 for 砸
    (chunk,) = chunk_words(tr.words, size=40, overlap=10, language=tr.language)
    assert " " not in chunk.text and "自己的" in chunk.text


def test_friday_clip_comes_out_english(media, transcriber):
    """MODELS.md saw this 6 s clip detected as Italian (p 0.32). Here, after VAD, detection says
    English (p ~0.7), so the guard does not even run. Whisper base hears "Lord of the
    Universities" (beam 5; "University" with beam 1) for "lord of the universe": the exact phrase
    is only in the sidecar subtitles (tests/test_text.py), which the pipeline prefers."""
    tr = transcriber.transcribe(load_audio(media / "friday_his_girl_friday.mp4"))
    assert tr.language == "en"
    text = norm(tr.text)
    assert "lord of the univers" in text and "crown jewel" in text


@pytest.mark.parametrize("name,expected", [("friday_his_girl_friday.mp4", "en"), ("french.aiff", "fr")])
def test_language_guard_keeps_the_right_language(media, transcriber, name, expected):
    """Run the guard on every clip (threshold above 1): it must keep the true language, so it can
    rescue a misdetection without breaking a right one. For the friday clip a forced Portuguese
    decode loops ("olha lá, e olha lá, ...") with word probabilities *higher* than English:
    the loop check is what keeps English."""
    old = transcriber.guard_threshold
    transcriber.guard_threshold = 1.01
    try:
        tr = transcriber.transcribe(load_audio(media / name))
    finally:
        transcriber.guard_threshold = old
    guard = tr.options["language_guard"]
    assert tr.language == expected and guard["kept"] == expected
    assert len(guard["scores"]) == 3 and expected in guard["scores"]
    assert not tr.looped


def test_forced_language(media, transcriber):
    tr = transcriber.transcribe(load_audio(media / "french.aiff"), language="fr")
    assert tr.language == "fr" and tr.options["language_forced"] == "fr"
    assert "language_guard" not in tr.options


def test_switching_language_is_not_translated(media, transcriber):
    """multilingual.mp3: the MIT licence in English (0-29 s), then German (31-60 s). Detected once,
    Whisper would *translate* the German half into English; per-window detection keeps it German."""
    tr = transcriber.transcribe(load_audio(media / "multilingual.mp3"))
    english = norm(" ".join(w.word for w in tr.words if w.end < 29.5))
    german = norm(" ".join(w.word for w in tr.words if w.start > 30.0))
    assert "permission is hereby granted" in english
    assert "software" in german and sum(g in german.split() for g in ("die", "der", "und", "zu", "mit")) >= 3


def test_noisy_radio_keeps_its_speech(media, transcriber):
    """apollo11.mp3 (8 kHz radio) is hard for base; greedy decoding lost 0-40 s entirely here.
    The "helmet" talk (~20-47 s in the reference) must be found, and nothing in the silent tail."""
    audio = load_audio(media / "apollo11.mp3")
    tr = transcriber.transcribe(audio)
    assert tr.language == "en"
    assert any(norm(w.word) == "helmet" and 15 <= w.start <= 50 for w in tr.words), tr.text
    assert "houston" in norm(tr.text)
    assert not [w for w in tr.words if w.start > 80.0]  # 79-89 s is silence
    _check_words(tr, len(audio) / SAMPLE_RATE)


def test_noisy_radio_speech_is_mostly_heard(media, transcriber):
    """Against the whisper-large reference words shipped with the sample: our words must reach at
    least 70 % of the reference's speech time (within 1 s). Silero VAD at faster-whisper's default
    threshold (0.5) cut a third of this radio speech (60 %); the configured 0.3 reaches 75 %."""
    import json

    ref = json.loads((media / "apollo11.reference.large.words.json").read_text())
    starts = [w["start"] for s in ref["segments"] for w in s.get("words", [])]
    tr = transcriber.transcribe(load_audio(media / "apollo11.mp3"))
    heard = sum(1 for t in starts if any(w.start - 1.0 <= t <= w.end + 1.0 for w in tr.words))
    assert heard / len(starts) >= 0.7, (heard, len(starts))
    assert tr.options["vad_threshold"] == 0.3


def test_silence_gives_no_words(media, transcriber):
    tr = transcriber.transcribe(load_audio(media / "car-detection.mp4"))  # digital silence
    assert tr.words == [] and tr.text == "" and tr.language is None
