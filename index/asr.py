"""Speech to timed words with faster-whisper (CTranslate2), offline.

The weights come only from `vidsage.models.resolve` (a local folder): a bare size name like "base"
would make faster-whisper go to the hub. VAD (Silero, shipped inside faster-whisper) skips silence,
which is both faster and stops Whisper inventing text in quiet stretches.

Language guard: Whisper guesses the language from the first 30 s. On short or noisy clips that
guess can be wrong with low confidence (MODELS.md saw the 6 s "His Girl Friday" clip detected as
Italian, p=0.32, and half its transcript came out as Italian gibberish). So when nothing was forced
and the guess is unsure (p < 0.5), the start of the audio is decoded in the detected language and
the likeliest alternatives (English first: the commonest language and the commonest victim), and
the language whose decode the model is most sure of (mean word probability), among those that do
not loop, is kept.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vidsage.config import Settings, default_settings
from vidsage.models import resolve
from vidsage.types import Word

SAMPLE_RATE = 16000
GUARD_THRESHOLD = 0.5  # below this detected-language probability, try alternatives
GUARD_ALTERNATIVES = 2  # how many other languages to try
GUARD_PROBE_S = 30.0  # candidates are compared on this much audio from the start
LOOP_COMPRESSION = 2.4  # faster-whisper's compression_ratio_threshold
PROBE_MAX_TOKENS = 128  # per 30 s window of a probe decode
# Beam 5, not greedy: on the sample media it costs ~10-30 % more time but greedy decoding made the
# no-speech rule drop 40 s of real (noisy radio) speech on apollo11 and misheard GRID words.
DEFAULT_BEAM = 5


@dataclass
class SpeechSegment:
    start: float
    end: float
    text: str
    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float = 1.0


@dataclass
class Transcript:
    words: list[Word]
    language: str | None  # None when no speech was found (detection on silence means nothing)
    language_probability: float
    segments: list[SpeechSegment] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)  # model, beam, vad, guard decisions
    language_probs: list[tuple[str, float]] = field(default_factory=list)  # top detections, best first
    seconds: float = 0.0  # wall time spent

    @property
    def text(self) -> str:
        return " ".join(s.text.strip() for s in self.segments if s.text.strip())

    @property
    def mean_word_probability(self) -> float:
        return float(np.mean([w.probability for w in self.words])) if self.words else 0.0

    @property
    def looped(self) -> bool:
        """Whisper's own failure test: text that compresses too well is a repetition loop."""
        return any(s.compression_ratio > LOOP_COMPRESSION for s in self.segments)

    @property
    def avg_logprob(self) -> float:
        """Duration-weighted mean of the segments' average token log-probability."""
        if not self.segments:
            return -10.0
        d = np.array([max(s.end - s.start, 1e-3) for s in self.segments])
        return float(np.dot(d, [s.avg_logprob for s in self.segments]) / d.sum())


def pick_device(setting: str) -> str:
    """"cuda" when asked, or on "auto" when CTranslate2 sees a CUDA device; else "cpu"."""
    if setting in ("cpu", "cuda"):
        return setting
    try:
        import ctranslate2

        return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
    except Exception:  # a CPU-only build or a broken driver: CPU works everywhere
        return "cpu"


class Transcriber:
    """Loads the Whisper model on first use; one instance can be shared (calls are serialised)."""

    def __init__(self, settings: Settings | None = None, beam_size: int = DEFAULT_BEAM,
                 guard_threshold: float = GUARD_THRESHOLD):
        self.settings = settings or default_settings()
        self.beam_size = beam_size
        self.guard_threshold = guard_threshold
        self.device = pick_device(self.settings.device)
        self.compute_type = "float16" if self.device == "cuda" else "int8"
        self._model = None
        self._load_lock = threading.Lock()
        self._run_lock = threading.Lock()  # one decode at a time: CTranslate2 already uses all threads

    @property
    def model_name(self) -> str:
        return self.settings.whisper

    @property
    def model(self):
        if self._model is None:
            with self._load_lock:
                if self._model is None:
                    from faster_whisper import WhisperModel

                    path = resolve(self.settings.whisper, self.settings)
                    self._model = WhisperModel(
                        str(path), device=self.device, compute_type=self.compute_type,
                        cpu_threads=self.settings.threads, local_files_only=True)
        return self._model

    def transcribe(self, audio: np.ndarray, language: str | None = None) -> Transcript:
        """Timed words of 16 kHz mono float32 `audio`. `language` (ISO code) forces the language;
        otherwise `settings.language`, otherwise detection with the low-confidence guard."""
        t0 = time.perf_counter()
        audio = np.ascontiguousarray(audio, dtype=np.float32).reshape(-1)
        forced = language or self.settings.language
        best = self._run(audio, forced)
        if not forced and best.words and best.language_probability < self.guard_threshold:
            best = self._guard(audio, best)
        best.seconds = time.perf_counter() - t0
        return best

    def _guard(self, audio: np.ndarray, first: Transcript) -> Transcript:
        """Try the likeliest other languages on the start of the audio; keep the best-scored one.

        Candidates are compared on the same probe (the first GUARD_PROBE_S seconds), decoded at
        temperature 0 only: forcing a wrong language makes Whisper fall back through every
        temperature, which on a 60 s file cost minutes. Only a winner other than the detected
        language pays for a second full transcription.
        """
        probe = audio[: int(GUARD_PROBE_S * SAMPLE_RATE)]
        probs = dict(first.language_probs)
        candidates = [first.language, "en"] + [lang for lang, _ in first.language_probs]
        candidates = list(dict.fromkeys(candidates))[: GUARD_ALTERNATIVES + 1]
        scores: dict[str, tuple[float, float, float]] = {}
        for lang in candidates:
            t = self._run(probe, lang, fallback=False)
            # a forced wrong language often loops ("no, no, no, ...") with *high* word
            # probabilities, so a looping candidate loses whatever its probabilities say
            scores[lang] = (0.0 if t.looped else 1.0, round(t.mean_word_probability, 3), round(t.avg_logprob, 3))
        kept = max(candidates, key=lambda lang: scores[lang])  # ties keep the detected language
        best = first if kept == first.language else self._run(audio, kept)
        # report the detection's confidence for the kept language, not a forced run's 1.0
        best.language_probability = probs.get(kept, first.language_probability if kept == first.language else 0.0)
        best.language_probs = first.language_probs
        best.options["language_guard"] = {
            "detected": first.language, "detected_probability": round(first.language_probability, 3),
            "scores": {k: list(v) for k, v in scores.items()}, "kept": kept, "probe_s": GUARD_PROBE_S}
        return best

    def transcribe_span(self, audio: np.ndarray, start: float, end: float,
                        language: str | None = None) -> Transcript:
        """Transcribe `audio[start:end]` (seconds); times in the result are in the whole file."""
        a = max(0, int(round(start * SAMPLE_RATE)))
        b = min(len(audio), int(round(end * SAMPLE_RATE)))
        tr = self.transcribe(audio[a:b], language)
        off = a / SAMPLE_RATE
        for w in tr.words:
            w.start += off
            w.end += off
        for s in tr.segments:
            s.start += off
            s.end += off
        tr.options["span"] = [round(start, 3), round(end, 3)]
        return tr

    def _run(self, audio: np.ndarray, language: str | None, fallback: bool = True) -> Transcript:
        opts: dict[str, Any] = dict(
            language=language, beam_size=self.beam_size, vad_filter=True, word_timestamps=True,
            vad_parameters={"threshold": self.settings.vad_threshold},
            # a repetition loop in one window otherwise feeds the next; re-decoding at higher
            # temperature (the default fallback) still handles hard windows
            condition_on_previous_text=False,
            # unless a language is forced, detect it per 30 s window: a video that switches
            # language (multilingual.mp3: English, then German) is otherwise *translated* into
            # the first language. Changed nothing on the single-language samples.
            multilingual=language is None,
        )
        if not fallback:
            # probe decode: one temperature, and a token cap so that a looping wrong language
            # stops early (fast speech may be cut short too: fine, the probe only compares)
            opts.update(temperature=0.0, max_new_tokens=PROBE_MAX_TOKENS)
        model = self.model
        with self._run_lock:
            seg_iter, info = model.transcribe(audio, **opts)
            segments = list(seg_iter)  # the generator does the work: consume under the lock
        words: list[Word] = []
        out_segments: list[SpeechSegment] = []
        previous = ""
        for s in segments:
            said = " ".join(s.text.lower().split())
            if said and said == previous:
                continue  # a decoding loop ("We like to... We like to..."): the words once are enough
            previous = said
            out_segments.append(SpeechSegment(float(s.start), float(s.end), s.text, float(s.avg_logprob),
                                              float(s.no_speech_prob), float(s.compression_ratio)))
            for w in s.words or []:
                if w.word.strip():
                    words.append(Word(start=float(w.start), end=float(max(w.end, w.start)),
                                      word=w.word.strip(), probability=float(w.probability)))
        options = {"model": self.settings.whisper, "device": self.device, "compute_type": self.compute_type,
                   "beam_size": self.beam_size, "vad": True, "vad_threshold": self.settings.vad_threshold,
                   "language_forced": language,
                   "multilingual": language is None, "condition_on_previous_text": False}
        top = sorted(info.all_language_probs or [], key=lambda lp: -lp[1])[:5]
        return Transcript(words=words, language=info.language if words else None,
                          language_probability=float(info.language_probability) if words else 0.0,
                          segments=out_segments, options=options,
                          language_probs=[(lang, round(float(p), 4)) for lang, p in top])
