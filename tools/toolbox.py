"""The agent's tools as plain typed methods over the store.

`Toolbox` holds the store and the query-side models (loaded once, lazily). Every method takes video
references that the store knows (id, path, or file name) and never opens arbitrary paths.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from vidsage.config import Settings
from vidsage.index.chunking import join_words
from vidsage.types import Hit, Moment, StoreError

from . import lexical

TIMELINE_ITEMS = 10  # shots and events given as the overview of one video
# Words that say a question is about speech or about the picture; they steer the fusion weights.
_SPEECH = re.compile(r"\b(say|says|said|saying|mention\w*|talk\w*|speak\w*|spoke|word\w*|tell\w*|told|ask\w*|"
                     r"quote|phrase|call\w*|shout\w*|announce\w*|sentence)\b|[\"“”]", re.I)
_VISUAL = re.compile(r"\b(appear\w*|shown|show\w*|see|seen|visible|on[- ]screen|screen|title\w*|text|sign|"
                     r"enter\w*|leav\w*|walk\w*|driv\w*|car|cars|person|people|man|woman|colou?r\w*|red|blue|green|"
                     r"white|black|yellow|grey|gray|wear\w*|look\w*|frame|picture|scene|shot|cut)\b", re.I)
_QUESTION_LEAD = re.compile(
    r"^\s*(when|at what (point|time|moment)|where in the (video|clip)|what time|which part|find( the)?( moment)?|"
    r"show me( the moment)?)\b[\s,]*(does|do|did|is|are|was|were)?\s*", re.I)

# "... on screen?", "... appear?", "... in the room?": how a "when" question asks for presence, not
# what is present; left in the query, "on screen" matches every frame with on-screen text
_PRESENCE_TAIL = re.compile(
    r"\s+(?:(?:first|again|last|briefly)\s+)?(?:appears?|appeared|show(?:s|ed)? up|(?:come|comes|came) (?:on|into view)|"
    r"(?:(?:is|are|was|were)\s+)?(?:on[- ]?screen|shown|visible|seen|in (?:the )?(?:view|frame|picture|shot|room|scene)))"
    r"(?:\s+(?:first|again|for the first time))?$", re.I)

# "he says X", "someone said X", "the woman asks X": what follows the speech verb is the phrase
_SPOKEN_PHRASE = re.compile(
    r"^(?:(?:he|she|they|someone|somebody|anyone|the \w+|\w+)\s+)?"
    r"(?:say|says|said|mention|mentions|mentioned|talk about|talks about|ask|asks|asked|tell|tells|shout|shouts)"
    r"(?:\s+(?:that|the words?|the phrase|about))?\s+(.+)$", re.I)
_QUOTED = re.compile(r"[\"“]([^\"”]+)[\"”]")


@dataclass
class QueryIntent:
    text: str  # the content of the query, question words removed
    phrase: list[str]  # tokens of the spoken phrase, stopwords kept, for narrowing to words
    speech_weight: float
    visual_weight: float


def parse_intent(query: str) -> QueryIntent:
    text = _QUESTION_LEAD.sub("", query).strip(" ?.!")
    text = _PRESENCE_TAIL.sub("", text) or text
    quoted = _QUOTED.search(query)
    spoken = _SPOKEN_PHRASE.match(text)
    phrase_text = quoted.group(1) if quoted else spoken.group(1) if spoken else text
    phrase = lexical.tokens(phrase_text, drop_stopwords=False)
    speech = bool(_SPEECH.search(query))
    visual = bool(_VISUAL.search(query))
    if speech and not visual:
        return QueryIntent(text or query, phrase, 1.0, 0.35)
    if visual and not speech:
        return QueryIntent(text or query, phrase, 0.5, 1.0)
    return QueryIntent(text or query, phrase, 1.0, 0.8)


NO_SPEECH_SPEAKER = 0.5  # weight of a moment about a speaker in a video where nothing is said


class Toolbox:
    def __init__(self, settings: Settings, store=None, embedder=None):
        self.settings = settings
        self._store = store
        self._embedder = embedder
        self._clip = None
        self._clip_checked = False
        self._qvecs: dict[str, np.ndarray] = {}

    # -- lazily loaded parts -------------------------------------------------------------------
    @property
    def embedder(self):
        if self._embedder is None:
            from vidsage.index.embed import get_embedder

            self._embedder = get_embedder(self.settings)
        return self._embedder

    @property
    def store(self):
        if self._store is None:
            from vidsage.index.store import Store

            self._store = Store(self.settings.db, models={"frames": self.embedder.name,
                                                          "segments": self.embedder.name,
                                                          "transcript": self.embedder.name})
            for col in ("frames", "segments", "transcript"):
                self._store._col(col, create=False)  # raises on a model mismatch, before any query
        return self._store

    @property
    def clip(self):
        if not self._clip_checked:
            self._clip_checked = True
            stored = self.store.collection_model("clip")
            if stored:
                from vidsage.index.clip import ClipEmbedder

                clip = ClipEmbedder.from_settings(self.settings)
                # only query CLIP vectors with the model that wrote them
                self._clip = clip if clip is not None and clip.name == stored else None
        return self._clip

    def _video_ids(self, video: str | None) -> list[str] | None:
        return None if not video else [self.store.resolve_video(video).video_id]

    def _qvec(self, text: str) -> np.ndarray:
        """The query's vector; one question embeds the same text for several collections."""
        vec = self._qvecs.get(text)
        if vec is None:
            if len(self._qvecs) >= 128:
                self._qvecs.pop(next(iter(self._qvecs)))
            vec = self._qvecs[text] = self.embedder.embed_query(text)
        return vec

    # -- tools -----------------------------------------------------------------------------------
    def list_videos(self) -> list[dict[str, Any]]:
        """Every indexed video with duration, streams, language and counts."""
        return [r.to_json() for r in self.store.videos()]

    def search_transcript(self, query: str, video: str | None = None, k: int = 5) -> list[Hit]:
        """Transcript chunks that match the query by meaning and by exact words (names, numbers)."""
        return self._hybrid("transcript", query, video, k)

    def search_frames(self, query: str, video: str | None = None, k: int = 5) -> list[Hit]:
        """Keyframes whose description (tags, on-screen text, faces, colours; CLIP when present) matches.
        Someone described by hair or clothing colours must agree with what a frame says of them
        (`looks`): "what is the woman with grey hair wearing?" is about the grey-haired speaker.
        A question about someone or about a kind of thing ("the red car") also gets the events of
        that kind tracked by a static camera: they say what the keyframes inside them do not."""
        from .looks import NO_ONE_SEEN, agreement, asks_someone, looks_asked, shows_someone
        from .temporal import _CLASS_WORDS, _VEHICLE_CLASSES

        looks = looks_asked(query)
        someone = asks_someone(query)
        kinds = {_CLASS_WORDS[w] for w in re.findall(r"[a-z]+", query.lower()) if w in _CLASS_WORDS}
        kinds = (kinds | ({"person"} if someone else set())) - {"*", "shot", "text"}
        if "vehicle" in kinds:
            kinds |= _VEHICLE_CLASSES
        if looks or someone or kinds:
            hits = self._hybrid("frames", query, video, (8 if someone else 4) * k)
            if kinds:
                hits += [h for h in self._hybrid("segments", query, video, 2 * k)
                         if h.kind == "segment:object" and h.meta.get("class") in kinds]
            spans: dict[str, list[tuple[float, float]]] = {}
            for h in hits:
                h.score *= agreement(looks, h)
                if someone:
                    vid = str(h.meta.get("video_id") or "")
                    if vid not in spans:
                        spans[vid] = [(s.start, s.end) for s in (self.store.segments_of(vid) if vid else [])
                                      if s.kind == "segment:object" and s.meta.get("class") == "person"]
                    if not shows_someone(h, spans[vid]):
                        h.score *= NO_ONE_SEEN
            hits = sorted(hits, key=lambda h: h.score, reverse=True)[:k]
        else:
            hits = self._hybrid("frames", query, video, k)
        if self.clip is not None:
            vec = self.clip.embed_texts([query])[0]
            clip_hits = self.store.query("clip", vec, k=k, video_ids=self._video_ids(video))
            hits = _dedupe(hits + clip_hits, k)
        return hits

    def search_segments(self, query: str, video: str | None = None, k: int = 5) -> list[Hit]:
        """Shots and events (segments with bounds) whose description matches."""
        return self._hybrid("segments", query, video, k)

    def get_transcript(self, video: str, start: float = 0.0, end: float | None = None) -> list[Hit]:
        """The transcript of a video between two times, in order."""
        rec = self.store.resolve_video(video)
        end = rec.duration if end is None else end
        hits = self.store.get("transcript", video_ids=[rec.video_id])
        hits = [h for h in hits if h.end >= start and h.start <= end]
        return sorted(hits, key=lambda h: (h.start, h.end))

    def timeline(self, video: str, k: int = TIMELINE_ITEMS) -> list[Hit]:
        """What is seen in one video, in time order: its on-screen texts and object events, then as
        many shots as fit in `k` (the longest ones), for an overview of a video."""
        rec = self.store.resolve_video(video)
        segs = self.store.segments_of(rec.video_id)
        events = [h for h in segs if h.kind in ("segment:text", "segment:object")][:k]
        shots = sorted((h for h in segs if h.kind == "segment:shot"), key=lambda h: h.start - h.end)
        picked = events + shots[: max(0, k - len(events))]
        return sorted(picked, key=lambda h: (h.start, h.end))

    def find_moments(self, query: str, video: str | None = None, k: int = 5) -> list[Moment]:
        """Ranked time intervals where the query happens, fusing speech and picture evidence."""
        from .moments import fuse_moments

        intent = parse_intent(query)
        n = max(k * 4, 12)
        speech = self._hybrid("transcript", intent.text, video, n)
        seen = lexical.without_ordinals(intent.text)  # order is worked out over the events, not matched
        visual = self._hybrid("segments", seen, video, n) + self._hybrid("frames", seen, video, n)
        if self.clip is not None:
            vec = self.clip.embed_texts([seen])[0]
            visual += self.store.query("clip", vec, k=n, video_ids=self._video_ids(video))
        moments = fuse_moments(speech, visual, intent, self.store, k, qvec=self._qvec(intent.text))
        from .moments import at_leaving, with_temporal  # first / last / n-th / how many: over the event list

        moments = at_leaving(query, with_temporal(self, query, video, moments, k))
        if video is None and lexical.about_a_speaker(query):
            # "when does the speaker with curly hair appear?": someone heard; a video with no speech
            # holds no speaker (a silent room's visitor with dark hair had won)
            silent = {r.path for r in self.store.done_videos().values() if not r.chunks}
            for m in moments:
                if m.video in silent:
                    m.score *= NO_SPEECH_SPEAKER
            moments.sort(key=lambda m: -m.score)
        return moments

    def speech_in(self, m: Moment) -> Hit | None:
        """What is said inside a moment (found by what is seen: "what does the man in the red shirt
        say?"): the transcript words within its bounds, as one hit spanning those words (kept inside
        the moment); None when nothing is said there."""
        words = self.words_between(m.video, m.start - 0.3, m.end + 0.3)
        text = join_words([w for _, _, w in words])
        if not text:
            return None
        start, end = max(m.start, words[0][0]), min(m.end, max(w[1] for w in words))
        if end <= start:
            start, end = m.start, m.end
        return Hit(m.video, start, end, m.score, text, "transcript", {})

    def words_between(self, video: str, start: float, end: float, timed: bool = False) -> list[tuple[float, float, str]]:
        """The timed words said between two times, each once (transcript chunks overlap), in order;
        a chunk stored without word times counts as one word spanning it. Where subtitles cover the
        stretch their words are taken (written by people), unless `timed` asks for the speech
        recogniser's words, which carry a time each, when there are any."""
        seen: dict[float, tuple[float, float, str]] = {}
        chunks = self.get_transcript(video, max(0.0, start), end)
        # subtitles and ASR of one stretch say the same words at other times: keep one source
        subs = [c for c in chunks if str(c.meta.get("source", "")).startswith("subtitle")]
        asr = [c for c in chunks if c not in subs]
        for c in (asr or subs) if timed else (subs or chunks):
            times = hit_words(c)
            inside = [w for w in times if start <= (w[0] + w[1]) / 2 <= end] if times else \
                [(c.start, c.end, c.text)] if c.start < end and c.end > start else []
            for w in inside:
                seen.setdefault(round(w[0], 2), w)
        return sorted(seen.values())

    def count_events(self, query: str, video: str | None = None) -> dict[str, Any]:
        """How many times something passes or appears ("how many cars", "how many people walk in"),
        counted over the indexed object and text events, with each event's interval."""
        from .temporal import count_events

        return count_events(self, query, video)

    # -- hybrid retrieval ------------------------------------------------------------------------
    def _hybrid(self, collection: str, query: str, video: str | None, k: int) -> list[Hit]:
        ids = self._video_ids(video)
        qvec = self._qvec(query)
        n = max(k * 3, 15)
        by_vec = self.store.query(collection, qvec, k=n, video_ids=ids)
        qtok = lexical.tokens(query)
        by_word: list[Hit] = []
        if qtok:
            forms = [f for t in qtok[:8] for f in lexical.surface_forms(t)]
            by_word = self.store.query(collection, qvec, k=n, video_ids=ids, contains=forms)
        merged: dict[tuple, Hit] = {}
        for h in by_vec + by_word:
            key = (h.video, round(h.start, 2), round(h.end, 2), h.text[:40])
            if key not in merged:
                lex = lexical.overlap(qtok, h.text)
                h.meta["vector"] = round(h.score, 4)
                h.meta["lexical"] = round(lex, 4)
                h.score = _combine(h.score, lex)
                merged[key] = h
        hits = sorted(merged.values(), key=lambda h: h.score, reverse=True)
        return hits[:k]


def _combine(vector: float, lex: float) -> float:
    """Vector similarity (MiniLM cosines sit in a narrow band) blended with the lexical match."""
    return 0.55 * vector + 0.45 * lex


def _dedupe(hits: list[Hit], k: int) -> list[Hit]:
    seen, out = set(), []
    for h in sorted(hits, key=lambda h: h.score, reverse=True):
        key = (h.video, round(h.start, 1))
        if key not in seen:
            seen.add(key)
            out.append(h)
    return out[:k]


def hit_words(h: Hit) -> list[tuple[float, float, str]]:
    """A transcript hit's timed words, `(start, end, word)`, as the store keeps them (JSON)."""
    raw = h.meta.get("words")
    if not raw:
        return []
    try:
        return [(float(a), float(b), str(w)) for a, b, w in (json.loads(raw) if isinstance(raw, str) else raw)]
    except (ValueError, TypeError):
        return []


__all__ = ["Toolbox", "parse_intent", "QueryIntent", "StoreError"]
