"""When a given language is spoken: "when is the licence read in German?", "when do they switch to French?".

Each transcript chunk carries the language of its own text (index/language.py). In a video that
mixes languages, the chunks in the language the question names form runs; the run is the answer,
bounded by its first and last chunk. A video spoken entirely in that language gives nothing here
(the language does not say *when*), and neither does a question that names no language.
"""

from __future__ import annotations

import re

from vidsage.types import Hit, Moment

from . import lexical

RUN_GAP_S = 3.0  # chunks closer than this belong to one stretch of that language
_NAMES = "|".join(sorted(lexical.LANGUAGE_NAMES, key=len, reverse=True))
# the language as the way something is said ("read in German", "switch to French", "the Spanish
# part", "speaks Italian"), not as an adjective of a topic ("the English Channel")
_AS_SPEECH = re.compile(
    rf"\b(?:in|into|to)\s+(?P<a>{_NAMES})\b|\b(?P<b>{_NAMES})\s+(?:part|parts|section|speech|speaker|version|"
    rf"translation|passage|bit)\b|\b(?:speak\w*|spoke|talk\w*|say\w*|said|read\w*)\s+(?:in\s+)?(?P<c>{_NAMES})\b|"
    rf"\b(?P<d>{_NAMES})\s+(?:(?:is|was|gets|get)\s+)?(?:being\s+)?(?:spoken|heard)\b|"
    rf"\bthe\s+(?P<e>{_NAMES})\s+(?:begins?|starts?|ends?|stops?|comes?(?: in)?|kicks? in)\b",  # "when does the German begin?"
    re.I)


def languages_spoken(question: str) -> set[str]:
    """Codes of the languages a question names as the way something is said."""
    return {lexical.LANGUAGE_NAMES[(m.group("a") or m.group("b") or m.group("c") or m.group("d") or m.group("e")).lower()]
            for m in _AS_SPEECH.finditer(question)}


def language_moment(toolbox, question: str, video: str | None, ranked: list[Moment]) -> Moment | None:
    """The stretch of speech in the named language, in the video retrieval ranks first among those
    that mix languages (or the given video); None when the question names no language."""
    langs = languages_spoken(question)
    if not langs:
        return None
    store = toolbox.store
    ids = toolbox._video_ids(video)
    hits = store.get("transcript", video_ids=ids, where={"language": {"$in": sorted(langs)}})
    by_video: dict[str, list[Hit]] = {}
    for h in hits:
        by_video.setdefault(str(h.meta.get("video_id")), []).append(h)
    done = store.done_videos()
    runs: list[tuple[int, float, Moment]] = []
    order = {m.video: i for i, m in reversed(list(enumerate(ranked)))}
    for vid, chunks in by_video.items():
        rec = done.get(vid)
        if rec is None or len(chunks) >= rec.chunks:
            continue  # all of it is in that language: the language says nothing about when
        chunks.sort(key=lambda h: h.start)
        groups: list[list[Hit]] = [[chunks[0]]]
        for h in chunks[1:]:
            if h.start <= groups[-1][-1].end + RUN_GAP_S:
                groups[-1].append(h)
            else:
                groups.append([h])
        best = max(groups, key=lambda g: g[-1].end - g[0].start)
        start, end = best[0].start, max(h.end for h in best)
        code = str(best[0].meta.get("language"))
        said = Hit(rec.path, start, end, 0.0, " ".join(h.text for h in best)[:300], "transcript",
                   {"language": code, "chunks": len(best)})
        rank = order.get(rec.path, len(ranked))
        # score 1: worked out from the language labels, not a similarity (it must not read as "not found")
        runs.append((rank, -(end - start), Moment(rec.path, start, end, 1.0, [said])))
    if not runs:
        return None
    runs.sort(key=lambda r: (r[0], r[1]))
    return runs[0][2]


__all__ = ["language_moment"]
