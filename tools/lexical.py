"""Lexical matching: exact words and names that vector search misses, in any script.

Text without spaces (Chinese, Japanese, Thai) is matched by character bigrams; other text by
words. Numbers are folded ("two" == "2") because Whisper writes either.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path
from typing import Any

STOPWORDS = frozenset("""
a an the and or but of to in on at by for with from into onto about as is are was were be been being
do does did doing done have has had having it its this that these those there here what when where which
who whom whose why how i me my we our you your he him his she her they them their one ones some any
video clip film movie scene part moment point time happen happens happened say says said saying tell
mention mentions mentioned talk talks talking show shows shown appear appears appearing see seen can could
would should will shall may might must just also then than so not no yes
someone somebody anyone anybody speaker narrator
""".split())

NUMBER_WORDS = {
    "zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
}

# Language names a question may use for a video ("the French speaker", "the Mandarin clip") ->
# the ISO 639-1 codes the transcriber stores
LANGUAGE_NAMES = {
    "english": "en", "french": "fr", "german": "de", "spanish": "es", "italian": "it", "portuguese": "pt",
    "dutch": "nl", "russian": "ru", "polish": "pl", "ukrainian": "uk", "turkish": "tr", "arabic": "ar",
    "hebrew": "he", "hindi": "hi", "chinese": "zh", "mandarin": "zh", "cantonese": "yue", "japanese": "ja",
    "korean": "ko", "vietnamese": "vi", "thai": "th", "indonesian": "id", "swedish": "sv", "norwegian": "no",
    "danish": "da", "finnish": "fi", "greek": "el", "czech": "cs", "romanian": "ro", "hungarian": "hu",
}


_NAME_SPLIT = re.compile(r"[\W_]+|(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")


def name_words(text: str) -> list[str]:
    """Words of a file name or a question, split at punctuation and between letters and digits
    ("apollo11" -> apollo, 11; "one-by-one-person" -> one, by, one, person), stopwords kept."""
    return [w for w in _NAME_SPLIT.split(text.lower()) if w]


VIDEO_NOUNS = frozenset("video videos clip clips recording recordings file files film movie footage track audio "
                         "talk interview speech".split())


def named_video(question: str, videos: list[dict]) -> dict | None:
    """The one video the question names explicitly, else None. A video is named by its file name
    ("jfk.flac"); by words of its name followed by a word for a video ("the car video", "the
    one-by-one clip"); by the one word of a one-word name ("what does jfk say?", "apollo" for
    apollo11.mp3); by a run of its name's words with a word of 4 letters or more ("in his girl
    friday"); or by its name's words after "in"/"from", ending the question ("count the faces in
    grid") or with a word of 4 letters or more ("what is the woman in friday wearing?"). A name
    word used as content ("when does the red car appear?") names nothing. Of videos named alike,
    the one whose name has fewest words left over ("grid" is grid_seven_speakers.mp4, not
    grid_seven_speakers_audio_only.m4a)."""
    words = name_words(question)
    low = question.lower()
    best: tuple[int, list[dict[str, Any]]] = (0, [])
    for v in videos:
        name = Path(v["video"]).name.lower()
        parts = name_words(Path(v["video"]).stem)
        n_best = len(parts) + 1 if name in low else 0
        # a name of one word (and digits) is named by that word: "what does jfk say?", "apollo" (not a
    # language's name: "is jfk speaking french?" names jfk.flac, not french.aiff)
        whole = [p for p in parts if not p.isdigit()]
        for i in range(len(words)):
            for n in range(1, len(parts) + 1):
                run = words[i:i + n]
                if len(run) < n or (n == 1 and len(run[0]) < 3) or not _is_run_of(run, parts):
                    continue
                after = words[i + n:i + n + 2]
                if (VIDEO_NOUNS & set(after)
                        or (run == whole and run[0] not in STOPWORDS and run[0] not in LANGUAGE_NAMES)
                        or (n >= 2 and any(len(w) >= 4 and w not in STOPWORDS for w in run))
                        or (i > 0 and words[i - 1] in ("in", "from")
                            and (not after or any(len(w) >= 4 and w not in STOPWORDS for w in run)))):
                    n_best = max(n_best, n)
        if n_best > best[0]:
            best = (n_best, [v])
        elif n_best and n_best == best[0]:
            best[1].append(v)
    if len(best[1]) > 1:
        left = sorted((len(name_words(Path(v["video"]).stem)), i) for i, v in enumerate(best[1]))
        return best[1][left[0][1]] if left[0][0] < left[1][0] else None
    return best[1][0] if best[1] else None


def _is_run_of(run: list[str], parts: list[str]) -> bool:
    return any(parts[j:j + len(run)] == run for j in range(len(parts) - len(run) + 1))


_NUMBERED = re.compile(r"\b(?:the\s+)?(speaker|person|visitor|car|vehicle|man|woman|guy|face|shot|title)\s+"
                       r"(?:no\.?\s*|number\s+|#\s*)?(\d{1,2})\b(?![:.]\d|\s*(?:s|secs?|seconds?|mins?|minutes?)\b)", re.I)
ORDINAL_WORDS = "first second third fourth fifth sixth seventh eighth ninth tenth".split()


_ORDINAL_WORD = re.compile(r"\b(?:" + "|".join(ORDINAL_WORDS + ["last"]) + r")\b\s*", re.I)


def without_ordinals(text: str) -> str:
    """A query with its ordinal words taken out, to search the picture with: event texts say "first
    of 6 people", so "when do we first see the rabbit?" had matched the first visitor of a room."""
    return _ORDINAL_WORD.sub("", text).strip() or text


_ABOUT_A_SPEAKER = re.compile(r"\b(speakers?|speaking|talking|narrators?|presenters?)\b", re.I)


def about_a_speaker(question: str) -> bool:
    """Whether a question is about someone heard ("the third speaker", "when is he talking?"): a
    video with no speech holds no answer to it."""
    return bool(_ABOUT_A_SPEAKER.search(question))


def numbered_as_ordinal(question: str) -> str:
    """"what does speaker 5 say?" -> "what does the fifth speaker say?": a thing numbered in order
    is the n-th of its kind (the form every order question is parsed in)."""
    def spell(m: re.Match) -> str:
        n = int(m.group(2))
        return f"the {ORDINAL_WORDS[n - 1] if 1 <= n <= 10 else f'{n}th'} {m.group(1)}" if n >= 1 else m.group(0)

    return _NUMBERED.sub(spell, question)


def language_name(code: str) -> str:
    """"de" -> "German"; an unknown code is returned as it is."""
    for name, c in LANGUAGE_NAMES.items():
        if c == code and name != "mandarin":
            return name.capitalize()
    return code


def languages_named(text: str) -> set[str]:
    """Language codes of the language names in `text` ("in French" -> {"fr"})."""
    return {LANGUAGE_NAMES[t] for t in _WORD.findall(text.lower()) if t in LANGUAGE_NAMES}


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u0e00-\u0e7f]")


def word_count(text: str) -> int:
    """Words in a text as said: "he's" is one word; in Chinese or Japanese, written without spaces,
    each character counts as one."""
    return len(_CJK.findall(text)) + len(re.findall(r"\w+(?:['’][^\W\d]+)?", _CJK.sub(" ", text)))
_WORD = re.compile(r"[\w']+", re.UNICODE)


def normalise(text: str) -> str:
    """Lower case, accents kept, punctuation to spaces, NFKC."""
    text = unicodedata.normalize("NFKC", text).lower().replace("’", "'")
    return " ".join(_WORD.findall(text))


_LETTER_DIGITS = re.compile(r"([a-z]{1,2})(\d+)")


def tokens(text: str, drop_stopwords: bool = True) -> list[str]:
    """Content tokens: words (numbers folded), or character bigrams for unspaced scripts."""
    out: list[str] = []
    for w in _WORD.findall(unicodedata.normalize("NFKC", text).lower()):
        if _CJK.search(w):
            chars = [c for c in w if c.strip()]
            out.extend(a + b for a, b in zip(chars, chars[1:])) if len(chars) > 1 else out.extend(chars)
            continue
        w = w.strip("'")
        if w.endswith("'s"):
            w = w[:-2]
        w = NUMBER_WORDS.get(w, w)
        if not w or (drop_stopwords and w in STOPWORDS):
            continue
        code = _LETTER_DIGITS.fullmatch(w)
        if code:  # "K7" is said "K seven": a letter (or two) and a number, matched as two words
            out.extend(code.groups())
            continue
        out.append(w)
    return out


def surface_forms(token: str) -> list[str]:
    """Spellings to look for in stored (unnormalised) text: Chroma's $contains is case-sensitive."""
    forms = {token, token.capitalize(), token.upper()}
    for word, digit in NUMBER_WORDS.items():
        if token == digit:
            forms.update({word, word.capitalize()})
    return sorted(forms)


def overlap(query_tokens: list[str], text: str) -> float:
    """Share of the query's tokens found in the text, with a bonus for keeping their order (a phrase)."""
    if not query_tokens:
        return 0.0
    doc = tokens(text, drop_stopwords=False)
    if not doc:
        return 0.0
    docset = set(doc)
    # stems: "americans" matches "american", "passes" matches "pass"
    def present(q: str) -> bool:
        return q in docset or any(d.startswith(q[:max(4, len(q) - 2)]) for d in docset if len(q) >= 5)

    found = [q for q in query_tokens if present(q)]
    coverage = len(found) / len(query_tokens)
    # longest run of query tokens appearing consecutively in the document
    best = run = 0
    content_doc = [w for w in doc if w not in STOPWORDS]
    for a, b in zip(query_tokens, query_tokens[1:]):
        if a in docset and b in docset and _adjacent(content_doc, a, b):
            run += 1
            best = max(best, run)
        else:
            run = 0
    phrase = best / max(1, len(query_tokens) - 1)
    return min(1.0, 0.8 * coverage + 0.2 * phrase)


def _adjacent(doc: list[str], a: str, b: str) -> bool:
    return any(x == a and y == b for x, y in zip(doc, doc[1:]))


def best_span(query: list[str], words: list[tuple[float, float, str]]) -> tuple[float, float] | None:
    """The stretch of timed words that best matches the query phrase (for narrow answers).

    `query` is the phrase's tokens with stopwords kept ("ask not what your country"): a window of
    words scores by the query tokens it holds (content words 1, stopwords 0.3, each counted as often
    as the query has it); the best score wins, then the shorter window, then the earlier one.
    """
    if not query or not words:
        return None
    want: dict[str, int] = {}
    for q in query:
        want[q] = want.get(q, 0) + 1
    toks = [tokens(w, drop_stopwords=False) for _, _, w in words]
    starts = [i for i, ts in enumerate(toks) if any(_match(t, want) for t in ts)]
    if not starts:
        return None
    max_len = 2 * len(query) + 2
    best: tuple[float, float, int, int] | None = None
    for i in starts:
        left = dict(want)
        score = 0.0
        for j in range(i, min(len(words), i + max_len)):
            for t in toks[j]:
                q = _match(t, left)
                if q:
                    left[q] -= 1
                    score += 0.3 if q in STOPWORDS else 1.0
            key = (round(score, 3), -(words[j][1] - words[i][0]))
            if best is None or key > (best[0], best[1]):
                best = (key[0], key[1], i, j)
    if best is None or best[0] <= 0.3:
        return None
    return words[best[2]][0], words[best[3]][1]


def phrase_spans(query: list[str], words: list[tuple[float, float, str]],
                 min_cover: float = 0.75) -> list[tuple[float, float]]:
    """Every place the phrase is said: windows of timed words holding at least `min_cover` of the
    query's weight (content words 1, stopwords 0.3), no longer than the phrase plus two words, in
    time order and not overlapping ("white" said by three speakers is three spans). Where windows
    overlap, the one holding more of the phrase wins, then the one saying it in the phrase's order
    ("Bin blue F2 now. Bin red by K7" holds the words of "bin red by k seven now" too, out of
    order), then the shorter."""
    if not query or not words:
        return []
    want: dict[str, int] = {}
    for q in query:
        want[q] = want.get(q, 0) + 1
    total = sum((0.3 if q in STOPWORDS else 1.0) * n for q, n in want.items())
    toks = [tokens(w, drop_stopwords=False) for _, _, w in words]
    cands: list[tuple[float, float, int, int, int]] = []
    for i in range(len(words)):
        if not any(_match(t, dict(want)) for t in toks[i]):
            continue
        left, score, best = dict(want), 0.0, None
        for j in range(i, min(len(words), i + len(query) + 2)):
            for t in toks[j]:
                q = _match(t, left)
                if q:
                    left[q] -= 1
                    score += 0.3 if q in STOPWORDS else 1.0
            if score >= min_cover * total and best is None:
                best = j
            if score >= total:
                best = j
                break
        if best is not None:
            said = [t for k in range(i, best + 1) for t in toks[k]]
            cands.append((round(score, 3), round(in_order(query, said), 3), i - best, i, best))
    chosen: list[tuple[int, int]] = []
    for _, _, _, i, j in sorted(cands, reverse=True):
        if all(j < a or i > b for a, b in chosen):
            chosen.append((i, j))
    return [(words[a][0], words[b][1]) for a, b in sorted(chosen)]


def trim_span(query: list[str], words: list[tuple[float, float, str]], span: tuple[float, float]) -> tuple[float, float]:
    """`span` without the words at either end that the phrase does not need: a window found by its
    words ("for you, ask what you can do for your country") starts where the phrase does."""
    inside = [w for w in words if span[0] - 0.01 <= w[0] and w[1] <= span[1] + 0.01]
    if not inside:
        return span

    def score(ws: list[tuple[float, float, str]]) -> float:
        return in_order(query, [t for _, _, w in ws for t in tokens(w, drop_stopwords=False)])

    full = score(inside)
    while len(inside) > 1 and score(inside[1:]) >= full:
        inside = inside[1:]
    while len(inside) > 1 and score(inside[:-1]) >= full:
        inside = inside[:-1]
    return inside[0][0], inside[-1][1]


def in_order(query: list[str], said: list[str]) -> float:
    """Share of the query's tokens said in the query's order (longest common subsequence, with the
    same loose matching as the spans): the same words in another order score lower."""
    if not query:
        return 0.0
    row = [0] * (len(said) + 1)
    for q in query:
        prev_diag = 0
        for j, t in enumerate(said, 1):
            keep = row[j]
            row[j] = prev_diag + 1 if _match(t, {q: 1}) else max(row[j], row[j - 1])
            prev_diag = keep
    return row[-1] / len(query)


def _match(token: str, left: dict[str, int]) -> str | None:
    """The query token that `token` satisfies (exact, or the same word with another ending: their
    stems share all but their last letter, four letters at least), if any is left. ("asked" and
    "asking" match, "countries" and "country" match; "could" does not match "country".)"""
    if left.get(token, 0) > 0:
        return token
    if len(token) >= 5:
        a = stem(token)
        for q, n in left.items():
            if n > 0 and len(q) >= 5:
                b = stem(q)
                shared = len(os.path.commonprefix([a, b]))
                if shared >= max(4, min(len(a), len(b)) - 1) or (a == b):
                    return q
    return None


_ENDINGS = ("ing", "ed", "es", "er", "ly", "s")


def stem(word: str) -> str:
    """The word less an inflection ending ("asked", "asking" -> "ask"), when three letters remain."""
    for end in _ENDINGS:
        if word.endswith(end) and len(word) - len(end) >= 3:
            return word[: -len(end)]
    return word


# A point in the video the question names: "at 1:23", "at 0:08", "after 90 seconds", "at 2 minutes"
_CLOCK = re.compile(r"(?:\b(?:at|around|about|near|after|by|from|until|till)\s+|@\s*)(?:(\d{1,2}):)?(\d{1,2}):(\d{2})"
                    r"(?:\.\d+)?\b", re.I)
_UNITS = re.compile(r"\b(?:at|around|about|near|after|by|from)\s+(?:(\d+)\s*(?:minutes?|mins?|m)\s*(?:and\s+)?)?"
                    r"(?:(\d+(?:\.\d+)?)\s*(?:seconds?|secs?|s)\b)?(?:\s*in)?", re.I)
# "of the video" or nothing may follow; "at the end of the table" is a place, not a time
_OF_PLACE = (r"(?!\s+of\s+(?:the|a|an|his|her|their|this|that)\s+(?!(?:[\w.\-]+\s+){0,3}?(?:video|clip|recording|film|"
             r"movie|talk|speech|audio|file)\b))")
_AT_START = re.compile(r"\b(?:at|in) the (?:very )?(?:start|beginning|opening)\b" + _OF_PLACE + r"|\bfirst (?:(?:two|three|four|five|few|\d+) )?(?:thing|words?|line|sentence)"
                       r"\b|\bopening (?:line|words|sentence)\b|\b(?:begins?|starts?|opens?) with\b|\b(?:say|says|said) first\b|"
                       r"\bhow (?:does|did|do) [^?]{0,60}?\b(?:start|begin|open)\b", re.I)
_AT_END = re.compile(r"\b(?:at|in) the (?:very )?end\b" + _OF_PLACE + r"|\blast (?:thing|words?|line|sentence)\b|"
                     r"\b(?:closing|final) (?:line|words?|sentence)\b|\b(?:ends?|closes?) with\b|"
                     r"\b(?:say|says|said) (?:last|at the end)\b|\bhow (?:does|did|do) [^?]{0,60}?\b(?:end|finish|conclude)\b", re.I)


def time_in(question: str) -> float | str | None:
    """The point in a video the question is about: seconds ("at 1:23" -> 83.0), "start" ("the first
    thing said", "at the beginning"), "end" ("the last words"), or None."""
    m = _CLOCK.search(question)
    if m:
        h, mi, sec = m.groups()
        return float(int(h or 0) * 3600 + int(mi) * 60 + int(sec))
    for m in _UNITS.finditer(question):
        if m.group(1) or m.group(2):
            return float(m.group(1) or 0) * 60 + float(m.group(2) or 0)
    if _AT_END.search(question):
        return "end"
    if _AT_START.search(question):
        return "start"
    return None


_T = r"(?:(?:\d{1,2}:)?\d{1,2}:\d{2}|\d+(?:\.\d+)?)"
_UNIT = r"(?:\s*(?P<{}>seconds?|secs?|s|minutes?|mins?|m)\b)?"
# "between 10 and 20 seconds", "from 0:10 to 0:20", "0:10-0:20", "in the first 30 seconds"
_RANGE = re.compile(r"(?:\b(?:between|from)\s+)?(?<![\d:.])(?P<a>" + _T + r")" + _UNIT.format("ua")
                    + r"\s*(?:and|to|until|till|through|-|–|—)\s*(?P<b>" + _T + r")" + _UNIT.format("ub"), re.I)
# "in the first 30 seconds", "in the last 5 seconds"
_EDGE_N = re.compile(r"\b(?:in|during|within|over)\s+the\s+(?P<edge>first|last|final)\s+(?P<b>\d+(?:\.\d+)?)\s*"
                     r"(?P<ub>seconds?|secs?|s|minutes?|mins?|m)\b", re.I)


def _edge_stretch(question: str, first: bool) -> float | None:
    """The length of the stretch at the start (`first`) or the end a question names, or None."""
    m = _EDGE_N.search(question)
    if m is None or (m.group("edge").lower() == "first") != first:
        return None
    return _seconds(m.group("b"), m.group("ub"))


def last_stretch_in(question: str) -> float | None:
    """The length of the end stretch a question names ("in the last 5 seconds" -> 5.0), or None."""
    return _edge_stretch(question, first=False)


def _seconds(value: str, unit: str | None) -> float:
    if ":" in value:
        parts = [int(p) for p in value.split(":")]
        return float(sum(p * 60 ** i for i, p in enumerate(reversed(parts))))
    return float(value) * (60.0 if unit and unit.lower().startswith("m") else 1.0)


def time_range_in(question: str) -> tuple[float, float] | None:
    """The stretch of a video a question names: "between 10 and 20 seconds" -> (10.0, 20.0), "from
    1:00 to 1:30", "in the first 30 seconds" -> (0.0, 30.0); None when it names none. Bare numbers
    need "between"/"from" or a unit ("bin blue at f two now" names no time)."""
    for m in _RANGE.finditer(question):
        a, b = m.group("a"), m.group("b")
        unit = m.group("ub") or m.group("ua")
        clock = ":" in a or ":" in b
        if not clock and not unit:
            continue
        if not clock and not re.search(r"\b(?:between|from)\s+$", question[:m.start("a")]):
            continue  # "2 to 3 seconds long" is a length, not a stretch
        start, end = _seconds(a, m.group("ua") or unit), _seconds(b, unit)
        if end != start:
            return min(start, end), max(start, end)  # "between 0:20 and 0:10" is the same stretch
    first = _edge_stretch(question, first=True)
    return (0.0, first) if first is not None else None


# a sentence ends at one of these; a clause also at the rest (or is a subtitle cue: one timed item
# of several words)
SENTENCE_END = (".", "?", "!", "。", "？", "！")
CLAUSE_END = SENTENCE_END + (",", ";", ":", "…", "，", "；", "：")


def grow_to_clauses(words: list[tuple[float, float, str]], first: int, last: int) -> tuple[int, int]:
    """words[first..last] grown to whole clauses: back to the end of the clause before, on to the
    end of this one. A subtitle cue (one timed item of several words) is a clause of its own."""
    def ends(w: str) -> bool:
        return w.rstrip().endswith(CLAUSE_END) or " " in w.strip()

    while first > 0 and not ends(words[first - 1][2]) and " " not in words[first][2].strip():
        first -= 1
    while last < len(words) - 1 and not ends(words[last][2]):
        last += 1
    return first, last


def clause_at(words: list[tuple[float, float, str]], t: float) -> tuple[float, float] | None:
    """The clause (between , . ? ! ; :) being said at `t`, or the one nearest to it."""
    if not words:
        return None
    i = min(range(len(words)), key=lambda k: 0.0 if words[k][0] <= t <= words[k][1]
            else min(abs(words[k][0] - t), abs(words[k][1] - t)))
    first, last = grow_to_clauses(words, i, i)
    return words[first][0], words[last][1]
