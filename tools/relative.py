"""What is said next to something: right after (or before) a phrase ("what does she ask right after
how are you?"), or by someone described by how they look ("what does the man in the red shirt say?").

Similarity cannot answer this: the words asked for are unknown, and the anchor phrase is often all
stopwords ("how are you"). So the anchor is found by its words (stopwords kept) in the timed
transcript, and the answer is the speech that follows it up to the end of the sentence (or the one
before it). The result is one moment, put first by `find_moments`.

For a speaker described by sight, the description is searched in the picture only (its colour words
would otherwise match speech: "red" in "lay red with P9"), and the answer is the speech inside the
moment found there.
"""

from __future__ import annotations

import re

from vidsage.index.chunking import join_words
from vidsage.types import Hit, Moment, fmt_span, fmt_time

from . import lexical
from .looks import looks_asked, looks_phrase
from .toolbox import hit_words

_RELATIVE = re.compile(
    r"\b(?:say|says|said|ask|asks|asked|reply|replies|replied|answer|answers|answered|respond\w*|"
    r"is said|was said|comes?|came)\b(?:\s+\w+){0,3}?\s+(?:right |just |immediately |directly )?"
    r"(?P<dir>after|before)\s+(?P<anchor>.+?)\s*[?.!]*$", re.I)
_ANCHOR_LEAD = re.compile(r"^(?:he|she|they|someone|somebody|the \w+)\s+(?:says?|said|asks?|asked)\s+", re.I)
# "what does the man in the red shirt say?": the subject, between the question's verb and "say"
_SAID_BY = re.compile(r"^\s*(?:what|which)(?:\s+\w+)?\s+(?:(?:does|did|do)\s+(?P<subj>.+?)\s+"
                      r"(?:say|tell|ask|shout|announce|mention|read out)\b|(?:is|was|are|were)\s+(?P<subj2>.+?)\s+"
                      r"(?:saying|telling|asking|shouting|announcing|reading out)\b|"
                      r"(?:is|was|are|were)\s+(?:said|spoken|mentioned|read out)\s+by\s+(?P<subj3>.+?)\s*[?.!]*$)", re.I)
# words that describe how someone looks (what the frame descriptions can match)
_LOOKS = re.compile(r"\b(red|green|blue|yellow|white|black|grey|gray|brown|pink|purple|orange|striped|denim|"
                    r"shirt|t-shirt|top|jacket|coat|hat|cap|glasses|sunglasses|beard|moustache|mustache|hair|haired|"
                    r"blonde|blond|dress|suit|tie|uniform|sweater|jumper|cardigan|hoodie|jeans|wearing|wig|curly|bald|"
                    r"bearded|helmet|scarf|headscarf)\b", re.I)
# "when does the man in the red shirt say white?": who (described by sight) and the words said
_SAID_WHEN = re.compile(r"^\s*(?:when|at what (?:point|time|moment))\s+(?:does|did|do)\s+(?P<subj>.+?)\s+"
                        r"(?P<verb>say|ask|shout|mention|read out|pronounce|call out)\s+"
                        r"(?:the (?:words?|phrase|letter|number|name)\s+)?(?P<phrase>.+?)\s*[?.!]*$", re.I)
# "when is the word blue said (by the woman in red)?": the same, passive; "spoken" is left out
# ("when is German spoken?" asks for a language)
_SAID_WHEN_PASSIVE = re.compile(r"^\s*(?:when|at what (?:point|time|moment))\s+(?:is|was|are|were)\s+"
                                r"(?:the (?:words?|phrase|letter|number|name)\s+)?(?P<phrase>.+?)\s+"
                                r"(?P<verb>said|uttered|pronounced|read out|called out)\b(?P<rest>.*)$", re.I)
# what may follow it: "by <someone>", a video ("in grid"), "for the second time"
_PASSIVE_REST = re.compile(r"^(?:\s+by\s+(?P<subj>[^?!]+?))?(?:\s+(?:in|during)\s+[^?!]+?)?"
                           r"(?:\s+(?:for\s+)?the\s+\w+\s+time)?\s*[?.!]*$", re.I)
# "when does he first / last / finally say X?": which of the places, said as an adverb of the subject
_SUBJECT_ADVERB = re.compile(r"\s+(first|last|finally|again)$", re.I)
_OCCURRENCE = {"first": 1, "last": -1, "finally": -1, "again": 2}
# "... for the second time", "... the last time": which of several places the words are said
_NTH_TIME = re.compile(r"\s+(?:for\s+)?the\s+(?P<nth>\w+)\s+time\s*$", re.I)
SEEN_NEAR_BEST = 0.8  # a seen moment scoring under this share of the best one shows someone else
# "how many times does someone say now?", "how often does he mention the budget?"
_SAID_COUNT = re.compile(r"^\s*how (?:many times|often)\s+(?:does|did|do|is|was|are|were)\s+(?P<subj>.+?)\s+"
                         r"(?:say|said|mention|use|repeat|utter|pronounce)\w*\s+(?:the (?:words?|phrase|name)\s+)?"
                         r"(?P<phrase>.+?)\s*[?.!]*$", re.I)
_SAID_COUNT_PASSIVE = re.compile(r"^\s*how (?:many times|often)\s+(?:is|was|are|were)\s+(?:the (?:words?|phrase|name)\s+)?"
                                 r"(?P<phrase>.+?)\s+(?:said|mentioned|spoken|used|repeated|uttered)\b(?P<rest>.*)$", re.I)
# "how many times does the word now appear / come up?"
_SAID_COUNT_WORD = re.compile(r"^\s*how (?:many times|often)\s+(?:does|do|did)\s+the (?:words?|phrase|name)\s+"
                              r"(?P<phrase>.+?)\s+(?:appear|occur|come up|show up|get said|crop up)\b(?P<rest>.*)$", re.I)
_QUOTES = " \"'“”‘’"  # quote marks around a phrase in a question
MIN_COVER = 0.75  # share of the anchor's words (stopwords too) that must be found in order
MAX_WORDS = 14
MAX_GAP_S = 1.5


def parse_relative(question: str) -> tuple[str, str] | None:
    """("after" | "before", anchor phrase) for a question about speech next to a phrase, else None."""
    m = _RELATIVE.search(question.strip())
    if not m:
        return None
    anchor = _ANCHOR_LEAD.sub("", m.group("anchor").strip(_QUOTES)).strip(_QUOTES)
    if len(lexical.tokens(anchor, drop_stopwords=False)) < 2:
        return None  # one word ("after the letter p") is too weak an anchor to find by words alone
    return m.group("dir").lower(), anchor


def said_relative(toolbox, question: str, video: str | None = None) -> Moment | None:
    """The moment of speech right after/before the question's anchor phrase, or None."""
    parsed = parse_relative(question)
    if parsed is None:
        return None
    direction, anchor = parsed
    want = lexical.tokens(anchor, drop_stopwords=False)
    best: tuple[float, float, Hit, tuple[float, float]] | None = None
    for h in toolbox.search_transcript(anchor, video=video, k=8):
        words = hit_words(h)
        span = lexical.best_span(want, words)
        if span is None:
            continue
        inside = [w for s, e, w in words if span[0] - 0.01 <= s and e <= span[1] + 0.01]
        cover = _cover(want, inside)
        key = (cover, h.score)
        if cover >= MIN_COVER and (best is None or key > best[:2]):
            best = (cover, h.score, h, span)
    if best is None:
        return None
    cover, score, hit, span = best
    # the anchor was found word for word: score it as a full lexical match of the hybrid search
    from .toolbox import _combine

    score = max(score, _combine(float(hit.meta.get("vector", score)), cover))
    around = _timeline(toolbox, hit.video, span, direction)
    picked = _next_sentence(around, span, direction)
    if not picked:
        return None
    start, end = picked[0][0], picked[-1][1]
    text = join_words([w for _, _, w in picked])
    said = Hit(hit.video, start, end, score, text, "transcript",
               {"anchor": anchor, "direction": direction, "anchor_span": [round(span[0], 2), round(span[1], 2)]})
    return Moment(hit.video, start, end, score, [said])


# "when does the second speaker start talking?", "when does the woman in green speak?"
_SPEAKS_WHEN = re.compile(r"^\s*(?:when|at what (?:point|time|moment))\s+(?:(?:does|did|do)\s+(?P<subj>.+?)\s+"
                          r"(?:(?:start|begin)\s+(?:to\s+)?)?(?:speak|talk|speaking|talking)|"
                          r"(?:is|was|are|were)\s+(?P<subj2>.+?)\s+(?:speaking|talking))"
                          r"(?:\s+(?:in|on|during)\b.*)?\s*[?.!]*$", re.I)

# "who speaks first?", "who is the last speaker?", "who talks second in the grid video?"
_WHO_NTH = re.compile(r"^\s*who\s+(?:(?:speaks|talks|is speaking|is talking|spoke|talked)\s+(?P<ord>\w+)|"
                      r"is the (?P<ord2>\w+) (?:speaker|person to (?:speak|talk)))\b", re.I)


def _speaker_words(question: str) -> str | None:
    """Who speaks, in the question's words: "the third speaker" of "what does the third speaker
    say?", of "when does the third speaker start talking?" and of "who speaks third?"."""
    q = question.strip()
    m = _SAID_BY.match(q)
    if m:
        return m.group("subj") or m.group("subj2") or m.group("subj3")
    m = _SPEAKS_WHEN.match(q)
    if m:
        return m.group("subj") or m.group("subj2")
    from .temporal import _ORDINAL

    m = _WHO_NTH.match(q)
    if m and _ORDINAL.fullmatch(m.group("ord") or m.group("ord2") or ""):
        return f"the {m.group('ord') or m.group('ord2')} speaker"
    return None


def speaks_when(question: str) -> bool:
    """Whether the question asks when someone speaks (the time of their words), not what they say."""
    return bool(_SPEAKS_WHEN.match(question.strip()))


def speaker_by_sight(question: str) -> str | None:
    """"the man in the red shirt" for "what does the man in the red shirt say?"; None when the
    question does not describe who speaks by how they look."""
    subj = _speaker_words(question)
    return subj if subj and _LOOKS.search(subj) else None


_PERSON = re.compile(r"\b(speaker|person|man|woman|guy|lady|girl|boy|one|presenter|narrator|visitor)\b", re.I)


def speaker_by_order(question: str) -> tuple[str, int] | None:
    """("the third speaker", 3) for "what does the third speaker say?" (-1 for the last); None when
    the speaker is not picked out by order."""
    from .temporal import _ORDINAL, _ordinal_n

    subj = _speaker_words(question)
    if not subj or not _PERSON.search(subj):
        return None
    o = _ORDINAL.search(subj)
    return (subj, _ordinal_n(subj, o)) if o else None


def said_by(toolbox, question: str, video: str | None = None) -> Moment | None:
    """The speech of someone the question describes by sight (found in the picture) or by order
    ("the third speaker": the third person seen), or None."""
    by_order = speaker_by_order(question)
    if by_order is not None:
        from .temporal import TemporalQuery, answer_temporal

        ans = answer_temporal(toolbox, question, video, tq=TemporalQuery("nth", n=by_order[1], cls="person",
                                                                         subject=by_order[0]))
        if ans is not None and ans.moment is not None:
            speech = toolbox.speech_in(ans.moment)
            if speech is not None:
                speech.meta.update({"speaker": by_order[0], "seen": ans.text[:160]})
                first = [speech]
                people = _people_seen(ans.text.split(": ", 1)[-1])
                if _WHO_NTH.match(question.strip()) and people:
                    # "who speaks first?": who it is is how they look, with what they say
                    first = [Hit(speech.video, speech.start, speech.end, 1.0,
                                 f"{by_order[0]}, seen as {people}, says «{speech.text}»", "frame",
                                 {"speaker": by_order[0]}), speech]
                return Moment(ans.moment.video, speech.start, speech.end, 1.0, first + ans.moment.evidence)
    subject = speaker_by_sight(question)
    if subject is None:
        return None
    for moment in seen_moments(toolbox, subject, video, 3):
        speech = toolbox.speech_in(moment)
        if speech is not None:
            speech.meta.update({"speaker": subject, "seen": moment.evidence[0].text[:160] if moment.evidence else ""})
            return Moment(moment.video, speech.start, speech.end, moment.score, [speech] + moment.evidence)
    return None


# "which speaker wears red?", "who is wearing a green top?", "which person has grey hair?"
_WHO_LOOKS = re.compile(r"^\s*(?:(?:which|what)\s+(?P<who>speaker|person|man|woman|guy|lady|girl|boy|one|visitor|"
                        r"presenter)|who|(?P<yes_no>(?:does|did|do|is|was)\s+(?:anyone|anybody|someone|somebody)))\s+"
                        r"(?:is\s+|was\s+)?(?P<look>(?:wears?|wearing|wore|has|have|had|with|(?:is\s+)?dressed\s+in|in)\s+.+?)"
                        r"\s*[?.!]*$", re.I)


def who_by_sight(toolbox, question: str, video: str | None = None) -> tuple[Moment, str] | None:
    """"Which speaker wears red?": the people seen that way (faces in shots, or people tracked by a
    static camera), where, which ones in order, and what they say then. None unless the question
    picks someone out by hair or clothing colours and a seen moment states them (a search answers
    otherwise). The transcript's "lay red with P9" had been the answer: speech matched "red"."""
    m = _WHO_LOOKS.match(question.strip())
    if not m:
        return None
    found = _who_by_sight(toolbox, m, video)
    if found is None or not m.group("yes_no"):
        return found
    moment, told = found  # "does anyone wear a hat?": yes or no, then who
    return moment, (f"No: {told}" if told.startswith(("no one", "vidsage")) else f"Yes: {told}")


def _who_by_sight(toolbox, m: re.Match, video: str | None) -> tuple[Moment, str] | None:
    who = (m.group("who") or "person").lower()
    # "wears red" is asked as the index words it: "wearing red"
    look = re.sub(r"^(?:wears?|wore|(?:is\s+)?dressed\s+in|in)\b", "wearing", m.group("look").strip(), flags=re.I)
    look = re.sub(r"^have\b", "has", look, flags=re.I)
    description = f"{who} {look}"
    worn = next((item for word, item in _WORN_ASKED.items() if re.search(rf"\b{word}\b", look, re.I)), None)
    if worn is not None and m.group("look").lower().startswith(("wear", "wore", "with", "has", "have", "had")):
        return _wearing(toolbox, worn, video)
    looks = looks_asked(description)
    if not (looks.hair or looks.top or looks.lower):
        return None
    from .looks import agreement

    speaking = {r.video_id for r in toolbox.store.done_videos().values() if r.chunks}
    found: list[tuple[Hit, Moment]] = []
    for moment in seen_moments(toolbox, description, video, 6):
        seen = next((h for h in moment.evidence if h.kind != "transcript" and agreement(looks, h) > 1.0), None)
        if seen is None or (who in ("speaker", "presenter") and seen.meta.get("video_id") not in speaking):
            continue  # a speaker is someone in a video with speech
        seen = _shot_of(toolbox, seen)
        if found and seen.video != found[0][0].video:
            continue  # the people of the best video only
        if all((h.start, h.end) != (seen.start, seen.end) for h, _ in found):
            found.append((seen, moment))
    if not found:
        return _nobody_like(toolbox, looks, video) if bool(looks.hair) != bool(looks.top) and not looks.lower else None
    parts = []
    for seen, moment in sorted(found[:3], key=lambda f: f[0].start):
        which = _which_person(toolbox, seen)
        told = f"{which + ' ' if which else ''}({seen.video.rsplit('/', 1)[-1]}, {fmt_span(seen.start, seen.end)}): " \
               f"{_looks_of(seen.text)}"
        speech = toolbox.speech_in(Moment(seen.video, seen.start, seen.end, 1.0, [seen]))
        if speech is not None and speech.text.strip():
            told += f", says «{speech.text.strip()}»"
        parts.append(told)
    best = found[0][0]
    return Moment(best.video, best.start, best.end, 1.0, [f[0] for f in found[:3]]), "; ".join(parts)


# what a question calls a thing worn on the head or face -> how the index words it (labels.WORN)
_WORN_ASKED = {"(?<!sun)(?:eye)?glasses|spectacles": "glasses", "hats?": "a hat", "caps?": "a cap",
               "helmets?": "a helmet", "sunglasses": "sunglasses", "shades": "sunglasses", "bow ?ties?": "a bow tie",
               "(?:neck)?ties?": "a tie", "ski masks?": "a ski mask"}


def _videos_of(toolbox, video: str | None) -> list:
    """The store's records of the video named, or of every video, in name order."""
    if video:
        return [toolbox.store.resolve_video(video)]
    return sorted(toolbox.store.done_videos().values(), key=lambda r: r.path)


def _face_shots(toolbox, video_id: str) -> list[Hit]:
    """A video's shots that show faces, in order: the people seen, one speaker a shot."""
    return [h for h in toolbox.store.segments_of(video_id) if h.kind == "segment:shot" and int(h.meta.get("faces") or 0) > 0]


def _wearing(toolbox, item: str, video: str | None) -> tuple[Moment, str] | None:
    """"Which speaker wears a hat?": the shots whose faces are read as wearing it, or that none is
    (the model had said "the speaker wearing a hat is the one in the first moment" of GRID, where no
    one wears one). None when no face was seen at all."""
    recs = _videos_of(toolbox, video)
    if item == "glasses":
        # no shipped model reads ordinary glasses off a face (ImageNet names only sunglasses): said,
        # where the model had said "the speaker in E1 wears glasses, and the speaker in E2"
        if not recs:
            return None
        return (Moment(recs[0].path, 0.0, recs[0].duration or 0.0, 1.0, []),
                "vidsage does not read glasses off faces (of things worn on the face it names only sunglasses, "
                "from tags of the head), so who wears glasses is not known")
    faced = [h for rec in recs for h in _face_shots(toolbox, rec.video_id)]
    wearing = [h for h in faced if f"wearing {item}" in h.text]
    if not faced:
        return None
    if not wearing:
        return (Moment(faced[0].video, faced[0].start, faced[0].end, 1.0, faced[:3]),
                f"no one seen is read as wearing {item} (in {len(faced)} shot{'s' if len(faced) != 1 else ''} with "
                f"faces; {item} {'are' if item.endswith('es') else 'is'} named from tags of the head, which can miss one)")
    parts = [f"{_which_person(toolbox, h) or 'someone'} ({h.video.rsplit('/', 1)[-1]}, {fmt_span(h.start, h.end)}): "
             f"{_looks_of(h.text)}" for h in wearing[:3]]
    return Moment(wearing[0].video, wearing[0].start, wearing[0].end, 1.0, wearing[:3]), "; ".join(parts)


def _nobody_like(toolbox, looks, video: str | None) -> tuple[Moment, str] | None:
    """"Who has blonde hair?", "who is in red?" where no one seen is read so: said, with what was
    read (the model had given a visitor whose hair was never read "blonde hair", and answered "who
    is in red?" of black-and-white film with its tags)."""
    from .looks import said_hair, said_top

    part, asked, read_of = (("hair", looks.hair, said_hair) if looks.hair else
                            ("on top", "/".join(looks.top), said_top))
    read: dict[str, list[str]] = {}  # video name -> the colours read in it
    seen: list[Hit] = []
    for rec in _videos_of(toolbox, video):
        people = _face_shots(toolbox, rec.video_id) + [
            h for h in toolbox.store.segments_of(rec.video_id) if h.kind == "segment:object" and h.meta.get("class") == "person"]
        for h in people:
            if colours := sorted(read_of(h.text)):
                seen.append(h)
                got = read.setdefault(rec.path.rsplit("/", 1)[-1], [])
                got += [c for c in colours if c not in got]
    if not seen:
        return None  # nothing of the kind was read anywhere: nothing to say either way
    told = "; ".join(f"{', '.join(cs)} in {name}" for name, cs in read.items())
    said = f"having {asked} hair" if part == "hair" else f"wearing {asked} on top"
    return (Moment(seen[0].video, seen[0].start, seen[0].end, 1.0, seen[:3]),
            f"no one seen is read as {said} (read {'around faces' if part == 'hair' else 'on top'}: {told})")


def _shot_of(toolbox, seen: Hit) -> Hit:
    """A keyframe's shot (its bounds, its faces' looks), or the hit itself if it is no keyframe."""
    if not seen.kind.startswith("frame"):
        return seen
    mid = (seen.start + seen.end) / 2
    vid = str(seen.meta.get("video_id") or "")
    return next((h for h in (_face_shots(toolbox, vid) if vid else []) if h.start <= mid < h.end), seen)


def _looks_of(text: str) -> str:
    """How a seen person looks, from a shot's text ("1 face (grey (white) hair, wearing ...)") or an
    object event's ("a person dressed in grey ...; wears grey on top ... and blue/grey below")."""
    faces = _people_seen(text)
    if faces:
        return faces
    who = re.search(r"\ba person dressed in \w+(?:/\w+)?", text)
    wears = re.search(r"\bwears [^;]+", text)
    return ", ".join(p.group(0) for p in (who, wears) if p) or text[:160]


def _which_person(toolbox, seen: Hit) -> str:
    """"The seventh person seen" for a shot with a face (its place among the video's shots with
    faces), "the second of 6 people" for a tracked person (as its event says), else ""."""
    from .temporal import _ordinal_word

    said = re.search(r"\b(\w+ of \d+ people)\b", seen.text)
    if said:
        return f"the {said.group(1)}"
    vid = str(seen.meta.get("video_id") or "")
    if seen.kind != "segment:shot" or not vid:
        return ""
    mid = (seen.start + seen.end) / 2
    at = next((i for i, h in enumerate(_face_shots(toolbox, vid), 1) if h.start <= mid < h.end), None)
    return f"the {_ordinal_word(at)} person seen" if at else ""


def parse_said_when(question: str) -> tuple[str, str] | None:
    """(who, words) for "when does <someone> say <words>?", else None. Who may be described by sight
    ("the man in the red shirt"), by order ("the first speaker") or not at all ("someone", "he")."""
    m = _SAID_WHEN.match(question.strip())
    subject = m.group("subj") if m else None
    if not m:
        m = _SAID_WHEN_PASSIVE.match(question.strip())
        rest = _PASSIVE_REST.match(m.group("rest")) if m else None
        if rest is None:
            return None
        # "by the woman in red": the whole rest is who, but for a video named at its end
        by = re.search(r"\bby\s+(.+?)\s*[?.!]*$", m.group("rest"), re.I)
        subject = _NTH_TIME.sub("", _VIDEO_TAIL.sub("", by.group(1))) if by else "someone"
    phrase = _NTH_TIME.sub("", _VIDEO_TAIL.sub("", m.group("phrase"))).strip(_QUOTES)
    return (subject, phrase) if lexical.tokens(phrase, drop_stopwords=False) else None


def said_when(toolbox, question: str, video: str | None = None) -> Moment | None:
    """When someone says some words, at the words themselves: every place the words are said is
    found in the timed transcript. Who says them narrows the places: someone described by sight is
    looked for in the picture (the best seen moment, or one nearly as good, that holds the words),
    the n-th speaker is the n-th person seen. Anyone else: the place said most like the question's
    word order, the first of equals. None when the words are not found (or, for "mention", which
    asks about a topic rather than words, when nobody is described)."""
    parsed = parse_said_when(question)
    if parsed is None:
        return None
    subject, phrase = parsed
    spans = places_said(toolbox, phrase, video)
    if not spans:
        return None
    adverb = _SUBJECT_ADVERB.search(subject)  # "when does the narrator first say Houston?"
    occurrence = _OCCURRENCE[adverb.group(1).lower()] if adverb else None
    subject = subject[:adverb.start()] if adverb else subject
    if _LOOKS.search(subject):
        return _said_when_seen(toolbox, subject, phrase, spans)
    from .temporal import _ORDINAL

    if _ORDINAL.search(subject) and _PERSON.search(subject):
        return _said_when_nth(toolbox, question, subject, phrase, spans)
    said = _SAID_WHEN.match(question.strip()) or _SAID_WHEN_PASSIVE.match(question.strip())
    if said.group("verb").lower() == "mention":
        return None
    return _said_anywhere(toolbox, question, phrase, spans, video, occurrence)


def _said_when_seen(toolbox, subject: str, phrase: str, spans: dict[str, list[tuple[float, float]]]) -> Moment | None:
    for vid in list(spans)[:3]:  # the videos where the words are said best
        seen_all = seen_moments(toolbox, subject, vid, 3)
        # only moments that match the description about as well as the best: a weaker one is
        # someone else, and their saying the words is not an answer
        for seen in [m for m in seen_all if m.score >= SEEN_NEAR_BEST * seen_all[0].score]:
            inside = _spans_inside(spans[vid], seen)
            if not inside:
                continue
            return _said_moment(toolbox, vid, inside[0], seen.score, phrase, subject, seen)
    return None


def _said_when_nth(toolbox, question: str, subject: str, phrase: str,
                   spans: dict[str, list[tuple[float, float]]]) -> Moment | None:
    """"when does the first speaker say soon?": the words inside the n-th person's shot."""
    from .temporal import _ORDINAL, TemporalQuery, _ordinal_n, answer_temporal

    n = _ordinal_n(subject, _ORDINAL.search(subject))
    for vid in list(spans)[:3]:
        ans = answer_temporal(toolbox, question, vid, tq=TemporalQuery("nth", n=n, cls="person", subject=subject))
        if ans is None or ans.moment is None:
            continue
        inside = _spans_inside(spans[vid], ans.moment)
        if inside:
            return _said_moment(toolbox, vid, inside[0], 1.0, phrase, subject, ans.moment)
    return None


def _spans_inside(spans: list[tuple[float, float]], seen: Moment) -> list[tuple[float, float]]:
    """The places words are said that fall inside a moment where the speaker is seen."""
    return [sp for sp in spans if seen.start - 0.3 <= sp[0] and sp[1] <= seen.end + 0.3]


def _said_anywhere(toolbox, question: str, phrase: str, spans: dict[str, list[tuple[float, float]]],
                   video: str | None, occurrence: int | None = None) -> Moment | None:
    """The place the words are said by anyone: said in the question's word order beats the same
    words in another order ("ask what you can do for your country" is not "ask not what your country
    can do for you"); then the video that matches best, then the earliest. A phrase said again right
    away ("okay, no problem. Okay, no problem") is one place."""
    want = lexical.tokens(phrase, drop_stopwords=False)
    named = lexical.named_video(question, [{"video": v} for v in spans]) if video is None else None
    vids = [named["video"]] if named else list(spans)[:3]
    places: list[tuple[float, int, str, tuple[float, float]]] = []
    for rank, vid in enumerate(vids):
        for span in spans[vid]:
            said = [w for _, _, w in toolbox.words_between(vid, span[0] - 0.01, span[1] + 0.01, timed=True)]
            places.append((lexical.in_order(want, lexical.tokens(" ".join(said), drop_stopwords=False)),
                           rank, vid, span))
    if not places:
        return None
    top_order = max(p[0] for p in places)
    exact = sorted((p for p in places if p[0] >= top_order - 1e-6), key=lambda p: (p[1], p[3][0]))
    vid = exact[0][2]
    in_video = _merge_repeats([p[3] for p in exact if p[2] == vid])
    nth = _NTH_TIME.search(_VIDEO_TAIL.sub("", question.strip().rstrip("?.! ")))
    n = occurrence
    if nth:
        from .temporal import _ORDINAL, _ordinal_n

        o = _ORDINAL.search(nth.group("nth"))
        n = _ordinal_n(nth.group("nth"), o) if o else n
    pick = in_video[0]
    if n and -len(in_video) <= (n if n < 0 else n - 1) < len(in_video):
        pick = in_video[n if n < 0 else n - 1]
    moment = _said_moment(toolbox, vid, pick, 1.0, phrase, "", None)
    if len(in_video) > 1:
        said = moment.evidence[0]
        if pick is in_video[0] and not n:
            said.text += f" (said {len(in_video)} times: at {', '.join(fmt_time(a) for a, _ in in_video[:12])})"
        else:  # the one asked for, alone: a list of times invites the model to read out another
            from .temporal import _ordinal_word

            which = "last" if pick is in_video[-1] else _ordinal_word(in_video.index(pick) + 1)
            said.text += f" (the {which} of the {len(in_video)} times it is said)"
        said.meta["times"] = [round(a, 2) for a, _ in in_video]
    return moment



def _merge_repeats(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for s, e in spans:
        if merged and s - merged[-1][1] <= MAX_GAP_S:
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def _said_moment(toolbox, vid: str, span: tuple[float, float], score: float, phrase: str, subject: str,
                 seen: Moment | None) -> Moment:
    start, end = span
    heard = join_words([w for _, _, w in toolbox.words_between(vid, start - 0.01, end + 0.01, timed=True)])
    want = lexical.tokens(phrase, drop_stopwords=False)
    if lexical.in_order(want, lexical.tokens(heard, drop_stopwords=False)) < 0.75:
        heard = phrase  # found in the subtitles, timed by a recogniser that heard other words there
    meta: dict = {"phrase": phrase}
    if subject:
        meta.update({"speaker": subject, "seen": seen.evidence[0].text[:160] if seen and seen.evidence else ""})
    said = Hit(vid, start, end, score, heard or phrase, "transcript", meta)
    return Moment(vid, start, end, score, [said] + (seen.evidence if seen else []))


# "how many speakers say now?": speakers, not times
_SPEAKERS_COUNT = re.compile(r"^\s*how many (?:of the )?(?:speakers|people|persons|men|women|of them)\s+(?:say|said|mention|use)\w*"
                             r"\s+(?:the (?:words?|phrase|name)\s+)?(?P<phrase>.+?)\s*[?.!]*$", re.I)


def parse_said_count(question: str) -> str | None:
    """The words to count in "how many times does <someone> say <words>?" (or "how many speakers
    say <words>?"), else None."""
    m = _SAID_COUNT_PASSIVE.match(question.strip()) or _SAID_COUNT_WORD.match(question.strip()) or \
        _SAID_COUNT.match(question.strip()) or _SPEAKERS_COUNT.match(question.strip())
    if not m:
        return None
    phrase = _VIDEO_TAIL.sub("", m.group("phrase")).strip(_QUOTES)
    return phrase if lexical.tokens(phrase, drop_stopwords=False) else None


_VIDEO_TAIL = re.compile(r"\s+(?:in|during|throughout)\s+(?:the|this|that|my)\s+[\w.\- ]*?"
                         r"(?:video|clip|film|recording|audio|file|movie|talk)\s*$", re.I)


def said_count(toolbox, question: str, video: str | None = None) -> Moment | None:
    """How many times some words are said, per video (the one said most often first): every place
    the words are found in the timed transcript. None when the question is no such count or the
    words are never found."""
    phrase = parse_said_count(question)
    if phrase is None:
        return None
    places = places_said(toolbox, phrase, video)
    tail = re.search(r"\s+(?:in|from)\s+\S+$", phrase)
    if not places and tail and video is not None and lexical.named_video(question, [{"video": video}]):
        # "how many speakers say country in jfk?": the last words name the video, not the words said
        phrase = phrase[:tail.start()]
        places = places_said(toolbox, phrase, video)
    if not places:
        return None
    named = lexical.named_video(question, [{"video": v} for v in places]) if video is None else None
    vid = named["video"] if named else max(places, key=lambda v: len(places[v]))
    spans = places[vid]
    n = len(spans)
    times = ", ".join(f"{fmt_time(a)}" for a, _ in spans[:20])
    text = f'"{phrase}" is said {n} time{"s" if n != 1 else ""} in {vid.rsplit("/", 1)[-1]}: at {times}'
    if _SPEAKERS_COUNT.match(question.strip()):
        # speakers, as the shots with faces they are said in: the same face may speak in two shots
        rec = toolbox.store.resolve_video(vid)
        shots = [h for h in toolbox.store.segments_of(rec.video_id)
                 if h.kind == "segment:shot" and int(h.meta.get("faces") or 0) > 0]
        said_in = {i for a, b in spans for i, h in enumerate(shots) if h.start <= (a + b) / 2 < h.end}
        if shots:
            k = len(said_in)
            text = (f'count: {k} speaker{"s" if k != 1 else ""} say "{phrase}" in {vid.rsplit("/", 1)[-1]} '
                    f'(the shots with faces it is said in: {k} of {len(shots)}); it is said at {times}')
        else:
            text = (f'speakers are not counted in {vid.rsplit("/", 1)[-1]}: no faces are seen to tell them apart; '
                    f'the words "{phrase}" are said {n} time{"s" if n != 1 else ""}, at {times}')
    said = Hit(vid, spans[0][0], spans[-1][1], 1.0, text, "transcript", {"count": n, "phrase": phrase})
    return Moment(vid, spans[0][0], spans[-1][1], 1.0, [said])


def places_said(toolbox, phrase: str, video: str | None = None) -> dict[str, list[tuple[float, float]]]:
    """Every place a phrase is said, per video, in the videos whose transcript matches it best first."""
    want = lexical.tokens(phrase, drop_stopwords=False)
    spans: dict[str, list[tuple[float, float]]] = {}
    for h in toolbox.search_transcript(phrase, video=video, k=12):
        if h.video not in spans:
            words = toolbox.words_between(h.video, 0.0, float("inf"))
            found = [lexical.trim_span(want, words, sp) for sp in lexical.phrase_spans(want, words)]
            if found:
                # a subtitle cue is timed as a whole: where the recogniser heard the words inside
                # it, its word times say when they were said
                timed = toolbox.words_between(h.video, 0.0, float("inf"), timed=True)
                heard = [lexical.trim_span(want, timed, sp) for sp in lexical.phrase_spans(want, timed)]
                found = [next((a for a in heard if s - 0.5 <= a[0] and a[1] <= e + 0.5), (s, e)) for s, e in found]
            spans[h.video] = found
    return {v: s for v, s in spans.items() if s}


# "what is on screen when he says ask not?": something seen, at the time some words are said
_WHEN_SAID = re.compile(
    r"^\s*(?P<ask>.+?)\s+(?:when|while|as|just as|right when)\s+(?P<subj>he|she|they|someone|somebody|anyone|"
    r"the [\w ]+?|[A-Z]\w+)\s+(?:says?|said|mentions?|mentioned|talks? about|talked about|speaks? about|spoke about|"
    r"asks?|asked|reads?)\s+(?P<phrase>.+?)\s*[?.!]*$", re.I)
# "what is on screen when "set white" is said?": the same, with the words said in the passive
_WHEN_SAID_PASSIVE = re.compile(
    r"^\s*(?P<ask>.+?)\s+(?:when|while|as|just as|right when)\s+(?:the (?:words?|phrase|name)\s+)?(?P<phrase>.+?)\s+"
    r"(?:is|are|was|were|gets?|got)\s+(?:being\s+)?(?:said|spoken|mentioned|heard|read out|uttered)\b"
    r"(?:\s+(?:in|during|by)\b.*)?\s*[?.!]*$", re.I)
_SEEN_ASK = re.compile(r"\b(on[- ]screen|shown|show|showing|visible|see|seen|slide|picture|frame|image|wear\w*|"
                       r"colou?r|written|displayed|in view|look like)\b", re.I)
# "what does she say when the title appears?": what is said at the time something is seen
_SAY_DURING = re.compile(r"^\s*what\s+(?:does|did|do|is|was)\s+(?P<subj>.+?)\s+(?:say|said|saying|ask|asking|tell|"
                         r"telling|shout|shouting)\w*\s+(?:when|while|as|just as|right when)\s+(?P<event>.+?)\s*[?.!]*$",
                         re.I)
SEEN_FLOOR = 0.3  # a visual match under this (fused score) is too weak to say when something is seen


_SAY_VERB = (r"(?:says?|said|asks?|asked|shouts?|shouted|mentions?|mentioned|yells?|yelled|whispers?|whispered|"
             r"calls? out|called out)")
# "who says crown jewels?": the speaker is whoever is seen while the words are said
_WHO_SAYS = re.compile(r"^\s*who\s+(?:is it that\s+|was it that\s+)?" + _SAY_VERB + r"\s+(?P<phrase>.+?)\s*[?.!]*$", re.I)
# "what colour is the shirt of the person who says bin blue?": something about how the speaker looks
_OF_WHO_SAYS = re.compile(r"^\s*(?P<ask>.+?)\s+(?:of\s+)?(?:the\s+)?(?:person|man|woman|one|speaker|guy|lady|girl|boy|"
                          r"someone|somebody)\s+(?:who|that)\s+" + _SAY_VERB + r"\s+(?P<phrase>.+?)\s*[?.!]*$", re.I)
_LOOK_ASK = re.compile(r"\b(colou?r|wear\w*|hair|shirt|top|jacket|look\w*|dressed|clothes)\b", re.I)
# "what does the man who says lay red look like?": the question's own end, not the words said
_LOOK_TAIL = re.compile(r"\s+(?:look(?:s)? like|wear(?:s|ing)?|ha(?:ve|s) on)\s*$", re.I)


def _asks_who(question: str) -> re.Match | None:
    """A match when the question asks who says some words, or how the one who says them looks."""
    q = question.strip()
    m = _WHO_SAYS.match(q)
    if m:
        return m
    m = _OF_WHO_SAYS.match(q)
    if m and (_LOOK_ASK.search(m.group("ask")) or _LOOK_TAIL.search(m.group("phrase").rstrip("?.! "))):
        return m
    return None


def _people_seen(frame_text: str) -> str:
    """The faces part of a frame's description ("1 face (dark hair, wearing red on top)"), or ""."""
    parts, depth, cur = [], 0, ""
    for ch in frame_text:
        depth += ch == "("
        depth -= ch == ")"
        if ch == ";" and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    parts.append(cur.strip())
    return "; ".join(p for p in parts if re.match(r"\d+ faces?\b", p))


def parse_seen_when_said(question: str) -> str | None:
    """The words said, for "what is on screen / what does the slide show when he says <words>?",
    "who says <words>?" and "what colour is the shirt of the man who says <words>?"."""
    q = question.strip()
    m = _WHEN_SAID.match(q) or _WHEN_SAID_PASSIVE.match(q)
    if m and _SEEN_ASK.search(m.group("ask")):
        phrase = m.group("phrase")
    elif (m := _asks_who(q)):
        phrase = _LOOK_TAIL.sub("", _VIDEO_TAIL.sub("", m.group("phrase")))
    else:
        return None
    phrase = phrase.strip(_QUOTES)
    return phrase if lexical.tokens(phrase, drop_stopwords=False) else None


def parse_said_during(question: str) -> str | None:
    """What is seen, for "what does she say when <something is seen>?"."""
    m = _SAY_DURING.match(question.strip())
    return m.group("event") if m else None


def seen_when_said(toolbox, question: str, video: str | None = None) -> Moment | None:
    """What the picture shows at the moment some words are said: the words found in the timed
    transcript, then the frame (and the events on screen) at that time; or None."""
    phrase = parse_seen_when_said(question)
    if phrase is None:
        return None
    from .extra import caption_frame

    want = lexical.tokens(phrase, drop_stopwords=False)
    done = toolbox.store.done_videos()
    for h in toolbox.search_transcript(phrase, video=video, k=5):
        rec = done.get(str(h.meta.get("video_id")))
        if rec is not None and not rec.keyframes:
            continue  # audio only: nothing is seen there
        words = hit_words(h)
        span = lexical.best_span(want, words)
        if span is None or _cover(want, [w for a, b, w in words if span[0] - 0.01 <= a and b <= span[1] + 0.01]) < MIN_COVER:
            continue
        d = caption_frame(toolbox, h.video, (span[0] + span[1]) / 2)
        text = d["description"]
        if _asks_who(question):
            # who said it is whoever is seen saying it: the faces on screen, not the speech around
            # (names in it are whom the words address as often as who says them) nor the wall's colours
            people = _people_seen(d.get("frame_text") or "")
            one = re.fullmatch(r"1 face \((.+)\)", people)
            text = (f"the one person on screen while the words are said: {one.group(1)}" if one
                    else f"on screen while the words are said: {people}" if people
                    else "no face is seen while the words are said (the speaker may be off screen)")
        seen = Hit(h.video, span[0], span[1], h.score, text, "frame", {"label": d["label"], "words": phrase})
        said = Hit(h.video, span[0], span[1], h.score, join_words([w for a, b, w in words
                                                                  if span[0] - 0.01 <= a and b <= span[1] + 0.01]),
                   "transcript", {})
        return Moment(h.video, span[0], span[1], h.score, [seen, said])
    return None


def said_during(toolbox, question: str, video: str | None = None) -> Moment | None:
    """What is said while something is seen ("what does she say when the title appears?"): the best
    visual moment of the description, and the words said inside it, or that nothing is said then."""
    event = parse_said_during(question)
    if event is None:
        return None
    seen = seen_moments(toolbox, event, video, 1)
    if not seen or seen[0].score < SEEN_FLOOR:
        return None
    m = seen[0]
    speech = toolbox.speech_in(m) or Hit(m.video, m.start, m.end, m.score,
                                          f"nothing is said between {fmt_time(m.start)} and {fmt_time(m.end)}",
                                          "transcript", {})
    speech.meta.update({"while": event, "seen": m.evidence[0].text[:160] if m.evidence else ""})
    return Moment(m.video, m.start, m.end, m.score, [speech] + m.evidence)


def seen_moments(toolbox, description: str, video: str | None, k: int) -> list[Moment]:
    """Where a description is seen, best first: searched in the picture only (keyframes and
    segments), never in speech, whose words would match the description's colours and nouns."""
    from .moments import fuse_moments
    from .toolbox import QueryIntent

    visual = toolbox._hybrid("segments", description, video, 12) + toolbox._hybrid("frames", description, video, 12)
    said_as = looks_phrase(looks_asked(description))
    if said_as:
        # someone described by looks, also asked in the index's own words ("1 face (wearing blue/cyan
        # on top)" for "the man in the denim shirt"): the question's nouns ("denim") matched a room's
        # "jean (jeans, denim)" tag, and the shot of the man in a denim shirt was not among the hits
        best: dict[tuple, Hit] = {}
        for h in visual + toolbox._hybrid("segments", said_as, video, 12) + toolbox._hybrid("frames", said_as, video, 12):
            key = (h.video, h.start, h.end, h.kind)
            if key not in best or h.score > best[key].score:
                best[key] = h
        visual = list(best.values())
    intent = QueryIntent(description, lexical.tokens(description, drop_stopwords=False), 0.0, 1.0)
    return fuse_moments([], visual, intent, toolbox.store, k, qvec=toolbox._qvec(description))


def _cover(want: list[str], words: list[str]) -> float:
    got = [t for w in words for t in lexical.tokens(w, drop_stopwords=False)]
    left = list(got)
    n = 0
    for t in want:
        if t in left:
            left.remove(t)
            n += 1
    return n / len(want) if want else 0.0


def _timeline(toolbox, video: str, span: tuple[float, float], direction: str) -> list[tuple[float, float, str]]:
    """Timed words near the anchor, on the side the question asks about."""
    lo, hi = (span[0] - 1.0, span[1] + 20.0) if direction == "after" else (span[0] - 20.0, span[1] + 1.0)
    return toolbox.words_between(video, lo, hi)


def _next_sentence(words: list[tuple[float, float, str]], span: tuple[float, float],
                   direction: str) -> list[tuple[float, float, str]]:
    if direction == "after":
        out: list[tuple[float, float, str]] = []
        last_end = span[1]
        for w in (w for w in words if w[0] >= span[1] - 0.01):
            if w[0] - last_end > MAX_GAP_S and out:
                break
            out.append(w)
            last_end = w[1]
            if w[2].strip().endswith(lexical.SENTENCE_END) or len(out) >= MAX_WORDS:
                break
        return out
    before = [w for w in words if w[1] <= span[0] + 0.01]
    out = []
    for w in reversed(before):
        # going back: stop at the end of the sentence before, or of the clause once a few words are in
        if out and (w[2].strip().endswith(lexical.SENTENCE_END) or out[0][0] - w[1] > MAX_GAP_S
                    or (len(out) >= 3 and w[2].strip().endswith((",", ";", ":")))):
            break
        out.insert(0, w)
        if len(out) >= MAX_WORDS:
            break
    return out




# "when is someone talking?", "when does the speaking start?", "when is there speech in the bunny
# video?": when there is speech at all, not when some words are said
_SPEECH_AT_ALL = re.compile(r"^\s*(?:when|at what (?:point|time|moment))\b.*\b(?:talk|talks|talking|speak|speaks|"
                            r"speaking|speech|spoken|voices?|says? anything|said anything)\b", re.I)
# "how long does the jfk speech last?", "how long does he talk?": the length of the speech
_SPEECH_HOW_LONG = re.compile(r"^\s*(?:how long|for how long|how many (?:seconds|minutes))\b.*\b(?:talk|talks|talking|"
                              r"speak|speaks|speaking|speech|spoken|voices?)\b", re.I)
_GENERIC_SPEECH = frozenset("""someone somebody anyone anybody people person voice voices speech speaking speak speaks
talk talking talks spoken start starts started begin begins began stop stops stopped end ends ended first last
anything say says said video clip recording file audio film movie sound long last lasts seconds minutes speaker""".split())
SPEECH_GAP_S = 2.0  # pauses shorter than this do not split a stretch of speech


def _record(toolbox, video: str):
    """The store's record of a video, or None for one it does not know."""
    try:
        return toolbox.store.resolve_video(video)
    except Exception:
        return None


def _videos_with_speech(toolbox) -> list:
    """The records of the indexed videos that have speech, by path: a question about what is said
    that names no video is about one of these."""
    return sorted((r for r in toolbox.store.done_videos().values() if r.chunks), key=lambda r: r.path)


def _spoken_chunks(toolbox, rec) -> list[Hit]:
    """A video's transcript chunks that have words, in time order."""
    return sorted((c for c in toolbox.get_transcript(rec.path) if c.text.strip()), key=lambda c: c.start)


def speech_at_all(toolbox, question: str, video: str | None = None) -> Moment | None:
    """When there is speech in a video, from its transcript: the first stretch for "when does the
    talking start?", the last for "... stop / end?", else from the first words to the last, with
    every stretch listed; that no speech was found when none was. Only for a question that names
    no words, no speaker and no language (those are `said_when`, `said_by`, `language_moment`).
    With no video named: the one video with speech, or each video's speech, listed."""
    how_long = bool(_SPEECH_HOW_LONG.match(question))
    if not (_SPEECH_AT_ALL.match(question) or how_long) or lexical.languages_named(question):
        return None
    if video is None:
        spoken = _videos_with_speech(toolbox)
        if len(spoken) > 1:
            return _speech_in_each(toolbox, question, spoken)
        if not spoken:
            return None
        video = spoken[0].path
    rec = _record(toolbox, video)
    if rec is None:
        return None
    named = set(lexical.name_words(rec.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]))
    if [t for t in lexical.tokens(question) if t not in _GENERIC_SPEECH and t not in named]:
        return None
    name = rec.path.rsplit("/", 1)[-1]
    chunks = _spoken_chunks(toolbox, rec)
    if not chunks:
        why = "it has no audio track" if "audio" not in str(rec.streams) else "its sound has no words"
        hit = Hit(rec.path, 0.0, rec.duration, 0.0, f"no speech found in {name}: {why}", "transcript",
                  {"answer": "structured"})
        return Moment(rec.path, 0.0, rec.duration, 0.0, [hit])
    stretches: list[list[float]] = []
    for c in chunks:
        if stretches and c.start - stretches[-1][1] < SPEECH_GAP_S:
            stretches[-1][1] = max(stretches[-1][1], c.end)
        else:
            stretches.append([c.start, c.end])
    q = question.lower()
    if re.search(r"\b(start|starts|started|begin|begins|began|first)\b", q):
        start, end = stretches[0]
        what = "speech starts"
    elif re.search(r"\b(stop|stops|stopped|end|ends|ended|last)\b", q):
        start, end = stretches[-1]
        what = "the last stretch of speech"
    else:
        start, end = stretches[0][0], stretches[-1][1]
        what = "speech"
    listed = ", ".join(f"{fmt_time(a)}–{fmt_time(b)}" for a, b in stretches[:8])
    text = (f"{what} in {name} at {fmt_time(start)}–{fmt_time(end)}; speech in {len(stretches)} "
            f"stretch{'es' if len(stretches) != 1 else ''}: {listed}")
    if how_long:
        text = (f"the speech in {name} lasts {end - start:.1f} s, from {fmt_time(start)} to {fmt_time(end)}"
                + (f", in {len(stretches)} stretches: {listed}" if len(stretches) > 1 else ""))
    first = next(c for c in chunks if c.end > start)
    hit = Hit(rec.path, start, end, 1.0, text, "transcript", {"answer": "structured", "said": first.text[:120]})
    return Moment(rec.path, start, end, 1.0, [hit])


# "who speaks after the woman with grey hair?", "who talks right before the third speaker?"
_WHO_NEXT = re.compile(r"^\s*who\s+(?:speaks|talks|is speaking|is talking|spoke|talked|comes)\s+"
                       r"(?:right |just |immediately |directly )?(?P<dir>after|before)\s+(?P<subj>.+?)\s*[?.!]*$", re.I)


def parse_who_next(question: str) -> tuple[str, str] | None:
    """("after", "the woman with grey hair") for "who speaks after the woman with grey hair?": a
    speaker described by sight or by order; else None."""
    m = _WHO_NEXT.match(question.strip())
    if not m:
        return None
    from .temporal import _ORDINAL

    subj = m.group("subj")
    if not (_LOOKS.search(subj) or (_ORDINAL.search(subj) and _PERSON.search(subj))):
        return None  # "who speaks after ask not?": words, not a speaker (said_relative)
    return m.group("dir").lower(), subj


def who_next(toolbox, question: str, video: str | None = None) -> Moment | None:
    """The speaker seen just after (before) someone described by sight or order: the next (previous)
    shot with a face and speech, with how they look and what they say. None when the question is
    not such, or no one is found."""
    parsed = parse_who_next(question)
    if parsed is None:
        return None
    direction, subj = parsed
    from .temporal import _ORDINAL, TemporalQuery, _face_shots, _ordinal_n, answer_temporal

    o = _ORDINAL.search(subj)
    if o and _PERSON.search(subj):
        ans = answer_temporal(toolbox, subj, video, tq=TemporalQuery("nth", n=_ordinal_n(subj, o), cls="person",
                                                                      subject=subj))
        anchor = ans.moment if ans is not None else None
    else:
        seen = seen_moments(toolbox, subj, video, 1)
        anchor = seen[0] if seen else None
    if anchor is None:
        return None
    rec = _record(toolbox, anchor.video)
    if rec is None:
        return None
    shots = sorted(_face_shots(toolbox.store, rec.video_id), key=lambda h: h.start)
    mid = (anchor.start + anchor.end) / 2
    pool = [h for h in shots if h.start > mid] if direction == "after" else [h for h in reversed(shots) if h.end < mid]
    for shot in pool:
        speech = toolbox.speech_in(Moment(rec.path, shot.start, shot.end, 1.0, [shot]))
        if speech is None:
            continue
        people = _people_seen(shot.text) or "no face described"
        text = (f"{direction} {subj} ({fmt_span(anchor.start, anchor.end)}): the speaker seen as {people} "
                f"({fmt_span(speech.start, speech.end)}) says «{speech.text}»")
        hit = Hit(rec.path, speech.start, speech.end, 1.0, text, "frame", {"answer": "structured"})
        return Moment(rec.path, speech.start, speech.end, 1.0, [hit, speech])
    return None


# "what question is asked in friday?", "what is the first question?", "how many questions does she ask?"
_QUESTIONS_ASK = re.compile(r"^\s*(?:(?:what|which)\s+(?:is|was)\s+the\s+(?P<ord>\w+)\s+question\b|"
                            r"(?:what|which)\s+questions?\b.*\b(?:asked|ask|asks)\b|how many questions\b)", re.I)


def asks_for_questions(question: str) -> bool:
    """Whether a question asks for the questions said ("what is the first question?")."""
    return bool(_QUESTIONS_ASK.match(question.strip()))


def sentences_said(toolbox, rec) -> list[tuple[float, float, str]]:
    """The sentences said in a video (its store record), timed: its words up to each . ? ! (a
    subtitle cue, one timed item of several words, ends one of its own); none without speech."""
    out: list[tuple[float, float, str]] = []
    current: list[tuple[float, float, str]] = []
    for a, b, w in (toolbox.words_between(rec.path, 0.0, rec.duration or 1e9) if rec.chunks else []):
        current.append((a, b, w))
        if w.rstrip().endswith(lexical.SENTENCE_END) or " " in w.strip():
            out.append((current[0][0], current[-1][1], join_words([x[2] for x in current])))
            current = []
    if current:
        out.append((current[0][0], current[-1][1], join_words([x[2] for x in current])))
    return out


def questions_asked(toolbox, question: str, video: str | None = None) -> Moment | None:
    """The questions said in a video: its sentences that end with a question mark, the one asked
    for by order ("the first question") or all of them; the video named, or the one with speech.
    None when the question is not such, or no question is said."""
    m = _QUESTIONS_ASK.match(question.strip())
    if not m:
        return None
    if video is None:
        spoken = _videos_with_speech(toolbox)
        if len(spoken) != 1:
            return None
        video = spoken[0].path
    rec = _record(toolbox, video)
    if rec is None:
        return None
    asked = [s for s in sentences_said(toolbox, rec) if s[2].rstrip().endswith(("?", "？"))]
    name = rec.path.rsplit("/", 1)[-1]
    if not asked:
        hit = Hit(rec.path, 0.0, rec.duration, 0.0, f"no question is said in {name}", "transcript", {})
        return Moment(rec.path, 0.0, rec.duration, 0.0, [hit])
    from .temporal import _ORDINAL, _ordinal_n

    o = _ORDINAL.search(m.group("ord") or "")
    pick = asked[0]
    if o:
        n = _ordinal_n(m.group("ord"), o)
        if not -len(asked) <= (n if n < 0 else n - 1) < len(asked):
            return None
        pick = asked[n if n < 0 else n - 1]
    listed = "; ".join(f"«{q}» {fmt_time(a)}" for a, _, q in asked[:10])
    text = f"{len(asked)} question{'s' if len(asked) != 1 else ''} said in {name}: {listed}"
    if o:
        text = f"{pick[2]} (the {m.group('ord').lower()} of the {len(asked)} questions said in {name})"
    hit = Hit(rec.path, pick[0], pick[1], 1.0, text, "transcript", {"answer": "structured", "count": len(asked)})
    return Moment(rec.path, pick[0], pick[1], 1.0, [hit])


MAX_LISTED_VIDEOS = 8
CLAUSE_REACH_S = 3.0  # "what is said at 0:12?" in a pause: the nearest clause this close


def clause_span(toolbox, video: str, t: float) -> tuple[float, float] | None:
    """The span of the clause said at `t` (words up to a comma or a sentence end), or of the nearest
    one within CLAUSE_REACH_S; None when nothing is said there. (A ±5 s window of a GRID recording
    held four sentences, and the model read them all out.)"""
    words = toolbox.words_between(video, max(0.0, t - 2 * CLAUSE_REACH_S), t + 2 * CLAUSE_REACH_S)
    if not words or min(max(a - t, t - b, 0.0) for a, b, _ in words) > CLAUSE_REACH_S:
        return None
    return lexical.clause_at(words, t)




def _speech_in_each(toolbox, question: str, spoken: list) -> Moment | None:
    """"When is someone talking?" over a library: each video's speech, from its first words to its
    last; the moment is the first video's."""
    if [t for t in lexical.tokens(question) if t not in _GENERIC_SPEECH]:
        return None
    spans = []
    for rec in spoken[:MAX_LISTED_VIDEOS]:
        chunks = _spoken_chunks(toolbox, rec)
        if chunks:
            spans.append((rec, chunks[0].start, max(c.end for c in chunks)))
    if not spans:
        return None
    more = f"; and {len(spoken) - MAX_LISTED_VIDEOS} more" if len(spoken) > MAX_LISTED_VIDEOS else ""
    text = (f"speech in {len(spoken)} videos: "
            + "; ".join(f"{r.path.rsplit('/', 1)[-1]} {fmt_time(a)}–{fmt_time(b)}" for r, a, b in spans) + more)
    rec, a, b = spans[0]
    return Moment(rec.path, a, b, 1.0, [Hit(rec.path, a, b, 1.0, text, "transcript", {"answer": "structured"})])


# "who is talking in the friday clip?", "who speaks at 0:03?", "who is the speaker?": no words given
_WHO_TALKS = re.compile(r"^\s*who(?:'s|\s+is|\s+was|\s+are|\s+were)?\s+(?:(?:is|was)\s+)?(?:talking|speaking|talks|speaks|"
                        r"the (?:speaker|narrator|voice))\b(?P<rest>.*)$", re.I)
_WHO_REST = re.compile(r"^\s*(?:(?:in|on|at|during)\b.*)?[?.!]*\s*$", re.I)
MAX_LOOKS_LISTED = 4  # different looks of the faces on screen while someone speaks, listed


def parse_who_talks(question: str) -> bool:
    """Whether a question asks who speaks without giving their words ("who is talking in the
    friday clip?"): not "who says X" (`seen_when_said`) nor "who speaks first" (`said_by`)."""
    m = _WHO_TALKS.match(question.strip())
    return bool(m and _WHO_REST.match(m.group("rest")))


def who_talks(toolbox, question: str, video: str | None = None) -> Moment | None:
    """Who speaks, as far as the index can tell: the faces on screen while there is speech (at the
    time the question names, else over all of it), with the first words; for a recording with no
    picture, or speech with no face on screen, that the speaker is not seen. None without one video
    with speech to look in. (Names in the speech are as often whom it addresses as who speaks.)"""
    if not parse_who_talks(question):
        return None
    if video is None:
        spoken = [v for v in toolbox.list_videos() if v.get("chunks")]
        if len(spoken) != 1:
            return None
        video = spoken[0]["video"]
    rec = _record(toolbox, video)
    if rec is None:
        return None
    chunks = _spoken_chunks(toolbox, rec)
    if not chunks:
        hit = Hit(rec.path, 0.0, rec.duration, 1.0, f"no speech found in {rec.path.rsplit('/', 1)[-1]}: nobody is "
                  "heard talking", "frame", {"answer": "structured"})
        return Moment(rec.path, 0.0, rec.duration, 1.0, [hit])
    at = lexical.time_in(question)
    if isinstance(at, float):
        near = [c for c in chunks if c.start - 1.0 <= at <= c.end + 1.0] or [min(chunks, key=lambda c: abs(c.start - at))]
        start, end = near[0].start, near[-1].end
    else:
        start, end = chunks[0].start, chunks[-1].end
    name = rec.path.rsplit("/", 1)[-1]
    words = join_words([w for _, _, w in toolbox.words_between(rec.path, start, end)])
    said = f"; the words: «{words[:160]}»" if words else ""
    if not rec.keyframes:
        text = f"who speaks in {name} is not seen (a recording with no picture) and not named by the index{said}"
    else:
        looks: list[str] = []
        for h in toolbox.store.segments_of(rec.video_id):
            if h.kind == "segment:shot" and h.start < end and h.end > start and int(h.meta.get("faces") or 0) > 0:
                seen = _people_seen(h.text)
                if seen and seen not in looks:
                    looks.append(seen)
        text = (f"on screen in {name} while someone speaks ({fmt_time(start)}–{fmt_time(end)}): "
                + "; ".join(looks[:MAX_LOOKS_LISTED]) + (f" (and {len(looks) - MAX_LOOKS_LISTED} more)"
                                                         if len(looks) > MAX_LOOKS_LISTED else "")
                if looks else f"no face is seen in {name} while someone speaks (the speaker may be off screen)") + said
    hit = Hit(rec.path, start, end, 1.0, text, "frame", {"answer": "structured"})
    return Moment(rec.path, start, end, 1.0, [hit])


__all__ = ["asks_for_questions", "questions_asked", "parse_who_next", "who_next", "parse_relative", "said_relative", "said_by", "speaker_by_sight", "parse_said_when", "said_when", "parse_said_count", "said_count", "places_said", "speaker_by_order",
           "parse_seen_when_said", "seen_when_said", "parse_said_during", "said_during", "speech_at_all", "parse_who_talks", "who_talks"]
