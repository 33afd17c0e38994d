"""Lexical matching: exact words and names that vector search misses, in any script.

Text without spaces (Chinese, Japanese, Thai) is matched by character bigrams; other text by
words. Numbers are folded ("two" == "2") because Whisper writes either.
"""

from __future__ import annotations

import re
import unicodedata

STOPWORDS = frozenset("""
a an the and or but of to in on at by for with from into onto about as is are was were be been being
do does did doing done have has had having it its this that these those there here what when where which
who whom whose why how i me my we our you your he him his she her they them their one ones some any
video clip film movie scene part moment point time happen happens happened say says said saying tell
mention mentions mentioned talk talks talking show shows shown appear appears appearing see seen can could
would should will shall may might must just also then than so not no yes
""".split())

NUMBER_WORDS = {
    "zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
}

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u0e00-\u0e7f]")
_WORD = re.compile(r"[\w']+", re.UNICODE)


def normalise(text: str) -> str:
    """Lower case, accents kept, punctuation to spaces, NFKC."""
    text = unicodedata.normalize("NFKC", text).lower().replace("’", "'")
    return " ".join(_WORD.findall(text))


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


def best_span(query_tokens: list[str], words: list[tuple[float, float, str]]) -> tuple[float, float] | None:
    """The shortest stretch of timed words that holds the most query tokens (for narrow answers)."""
    if not query_tokens or not words:
        return None
    qset = set(query_tokens)
    marks = []
    for i, (_, _, w) in enumerate(words):
        toks = tokens(w, drop_stopwords=False)
        if any(t in qset or any(t.startswith(q[:max(4, len(q) - 2)]) for q in qset if len(q) >= 5) for t in toks):
            marks.append(i)
    if not marks:
        return None
    # widest coverage first, then the shortest window; quadratic in matches, which are few
    best: tuple[int, float, int, int] | None = None
    for i in range(len(marks)):
        for j in range(i, len(marks)):
            covered = len({t for m in marks[i:j + 1] for t in tokens(words[m][2], drop_stopwords=False)} & qset)
            span = words[marks[j]][1] - words[marks[i]][0]
            key = (covered, -span)
            if best is None or key > (best[0], best[1]):
                best = (covered, -span, marks[i], marks[j])
    assert best is not None
    return words[best[2]][0], words[best[3]][1]
