"""Transcript chunking: timed words (ASR) or subtitle cues -> overlapping chunks of a few sentences.

A chunk is what retrieval scores and what a citation points at, so it should hold whole phrases:
chunks end at sentence ends or pauses where they can, never run across a long pause (a pause is a
natural topic/speaker boundary, and a chunk across it would get a misleading time span), and overlap
their neighbour by a few words so a phrase cut at a forced break is still whole in one of them.
"""

from __future__ import annotations

from collections.abc import Sequence

from vidsage.types import TranscriptChunk, Word

PAUSE_S = 1.0  # a silence longer than this between two words always ends a chunk
_SENTENCE_END = tuple(".?!…。？！")
_CLAUSE_END = tuple(",;:、，；：—")
_NO_SPACE_BEFORE = set(",.;:!?%)]}…»”’、。，！？；：」』）")
_NO_SPACE_AFTER = set("([{«“‘「『（¿¡")


def _no_space_char(ch: str) -> bool:
    """Characters of scripts written without spaces between words (Han, kana, Thai, ...)."""
    if not ch:
        return False
    o = ord(ch)
    return (
        0x3000 <= o <= 0x30FF  # CJK punctuation, hiragana, katakana
        or 0x3400 <= o <= 0x4DBF or 0x4E00 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF  # Han
        or 0x20000 <= o <= 0x2FFFF  # Han, supplementary planes
        or 0xFF00 <= o <= 0xFFEF  # full-width forms (，。！ etc.)
        or 0x0E00 <= o <= 0x0EFF  # Thai, Lao
        or 0x1000 <= o <= 0x109F  # Myanmar
        or 0x1780 <= o <= 0x17FF  # Khmer
        or 0x0F00 <= o <= 0x0FFF  # Tibetan
    )


# French and Italian words that elide before a vowel ("c'est", "l'homme", "dell'anno")
_ELIDING = frozenset("c d j l m n s t qu jusqu lorsqu puisqu quoiqu presqu un dell all nell sull dall quest".split())


def _elided(prev: str, w: str) -> bool:
    """An elision the recogniser split into two words ("c" "'est"): an eliding word, then one that
    starts with an apostrophe and a letter ("he said" "'hello'" keeps its space)."""
    return len(w) > 1 and w[0] in "'’" and w[1].isalpha() and prev.lower() in _ELIDING


def join_words(words: Sequence[str]) -> str:
    """Join word strings into text: spaces between words, none inside no-space scripts.

    Whisper emits Chinese/Japanese/Thai as single characters or short pieces (it splits those
    languages on unicode boundaries, not spaces), while Korean keeps spaces. Deciding per boundary
    by script, rather than per language, also gets mixed text ("用iPhone拍的") and punctuation right.
    """
    out: list[str] = []
    prev = ""
    for raw in words:
        w = raw.strip()
        if not w:
            continue
        if out:
            # no space inside no-space scripts, nor around punctuation that Whisper (or a cue)
            # emits as its own word ("Hello" "," / "(" "aside")
            space = not (_no_space_char(prev[-1]) or _no_space_char(w[0])
                         or w[0] in _NO_SPACE_BEFORE or prev[-1] in _NO_SPACE_AFTER or _elided(prev, w))
            if space:
                out.append(" ")
        out.append(w)
        prev = w
    return "".join(out)


def _ends_sentence(w: str) -> bool:
    return w.rstrip("\"'»”’)]").endswith(_SENTENCE_END)


def _ends_clause(w: str) -> bool:
    return w.rstrip("\"'»”’)]").endswith(_CLAUSE_END)


def _runs(words: Sequence[Word], max_gap: float) -> list[tuple[int, int]]:
    """[start, end) index ranges of words separated by pauses longer than max_gap."""
    runs: list[tuple[int, int]] = []
    start = 0
    for k in range(1, len(words)):
        if words[k].start - words[k - 1].end > max_gap:
            runs.append((start, k))
            start = k
    if words:
        runs.append((start, len(words)))
    return runs


def _break_score(words: Sequence[Word], b: int) -> float:
    """How good a place it is to end a chunk before words[b] (higher is better)."""
    w = words[b - 1].word
    gap = max(0.0, words[b].start - words[b - 1].end) if b < len(words) else 0.0
    return (2.0 if _ends_sentence(w) else 1.0 if _ends_clause(w) else 0.0) + min(gap, 1.0)


def _make_chunk(words: Sequence[Word], language: str | None, source: str) -> TranscriptChunk:
    return TranscriptChunk(
        start=min(w.start for w in words),
        end=max(max(w.end, w.start) for w in words),
        text=join_words([w.word for w in words]),
        source=source,
        language=language,
        words=list(words),
    )


def chunk_words(words: list[Word], size: int, overlap: int, language: str | None,
                source: str = "asr", max_gap: float = PAUSE_S) -> list[TranscriptChunk]:
    """Group timed words (in time order) into chunks of at most `size` words.

    Inside a stretch of speech with no pause > `max_gap`, a chunk that must be cut ends at the best
    break in its second half (sentence end > clause end > longer gap), and the next chunk starts at
    most `overlap` words earlier, at a phrase start when one lies in that window. Chunks never
    overlap across a pause. Every word is in at least one chunk; chunks come in time order.
    """
    if size < 1:
        raise ValueError("chunk size must be at least 1 word")
    overlap = max(0, min(overlap, size - 1))
    words = [w for w in words if w.word.strip()]
    chunks: list[TranscriptChunk] = []
    for lo, hi in _runs(words, max_gap):
        i = lo
        while i < hi:
            if hi - i <= size:
                chunks.append(_make_chunk(words[i:hi], language, source))
                break
            # candidate ends: (i + size//2, i + size]; the latest among equally good ones wins
            first = i + max(1, size // 2)
            b = max(range(first, i + size + 1), key=lambda k: (_break_score(words, k), k))
            chunks.append(_make_chunk(words[i:b], language, source))
            # start the next chunk at the earliest phrase start within the overlap window
            nxt = b - overlap
            for k in range(b - overlap, b):
                if k > lo and (_ends_sentence(words[k - 1].word) or _ends_clause(words[k - 1].word)):
                    nxt = k
                    break
            i = max(nxt, i + 1)
    return chunks


def merge_cues(cues: list[TranscriptChunk], size: int, overlap: int,
               max_gap: float = PAUSE_S) -> list[TranscriptChunk]:
    """Group short subtitle cues into chunks of at most ~`size` words, like `chunk_words`.

    Cues stay whole (they carry no word times to cut them by); a single cue longer than `size`
    is a chunk by itself. Consecutive chunks share trailing cues of up to `overlap` words. Cues
    from different sources (two subtitle files) are never mixed.
    """
    out: list[TranscriptChunk] = []
    by_source: dict[str, list[TranscriptChunk]] = {}
    for c in cues:
        if c.text.strip():
            by_source.setdefault(c.source, []).append(c)
    for source, group in by_source.items():
        group.sort(key=lambda c: (c.start, c.end))
        n = [len(c.text.split()) or 1 for c in group]  # CJK cues count as one "word" each
        i = 0
        while i < len(group):
            j, total = i + 1, n[i]
            while (j < len(group) and total + n[j] <= size
                   and group[j].start - group[j - 1].end <= max_gap):
                total += n[j]
                j += 1
            part = group[i:j]
            out.append(TranscriptChunk(
                start=min(c.start for c in part), end=max(c.end for c in part),
                text=join_words([c.text for c in part]), source=source,
                language=part[0].language, words=[w for c in part for w in c.words]))
            if j >= len(group):
                break
            # overlap: carry back whole cues from the end of this chunk, if they fit and if the
            # next cue is not after a pause (across a pause nothing is cut, so no overlap)
            # (and only if the next cue still fits beside them, so every chunk brings a new cue)
            k, carried = j, 0
            if group[j].start - group[j - 1].end <= max_gap:
                while k - 1 > i and carried + n[k - 1] <= overlap and carried + n[k - 1] + n[j] <= size:
                    k -= 1
                    carried += n[k]
            i = k
    out.sort(key=lambda c: (c.start, c.end))
    return out
