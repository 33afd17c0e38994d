"""Temporal language over a video's events: first / last / n-th, before / after, while, how many.

Similarity cannot say which car came *second* or how many people walked in; the event list can.
`parse_temporal` turns a question into a small query (`TemporalQuery`): an operation, the events it
is about (a class word such as "car" or "person", colour words, or failing those the words
themselves), and for before/after/while the anchor event. `answer_temporal` runs it over the
"segments" collection of each candidate video (object and text events written by
`index/events.py`), using similarity only to choose which events match when no class word does.

A question that is not temporal, or whose events are not in the store, gives None: the caller then
falls back to plain retrieval. Each event is one appearance: a person who leaves and comes back is
counted twice (nothing here recognises people), and every answer says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vidsage.labels import COLOUR_WORDS
from vidsage.types import Hit, Moment, fmt_span, fmt_time

from . import lexical

_ORDINAL_WORDS = {**{w: i for i, w in enumerate(lexical.ORDINAL_WORDS, 1)}, "last": -1, "final": -1, "penultimate": -2,
                  "earliest": 1, "latest": -1}
_ORDINAL = re.compile(r"\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last|final|"
                      r"penultimate|earliest|latest|(\d{1,3})(?:st|nd|rd|th))\b", re.I)
_SECOND_TO_LAST = re.compile(r"\b(second|2nd)[- ](to[- ])?last\b", re.I)
_COUNT = re.compile(r"\b(how many|number of|count (the|all)?)\b", re.I)
_HOW_MANY_SECONDS = re.compile(r"\bhow many (?:seconds|secs|minutes|mins)\b", re.I)
# the cuts between shots, as a question names them ("scene changes", "when does the camera cut?")
_CUTS = re.compile(r"\b(?:cuts?|scene (?:changes?|switch\w*)|changes? (?:of )?scenes?|scene transitions?|"
                   r"shot (?:changes?|transitions?)|transitions?|camera (?:cuts?|changes?|switch\w*))\b", re.I)
# a yes-no question about whether something is there or happens
_EXISTS = re.compile(r"^\s*(?:does|did|do|is|are|was|were)\s+(?:there\s+)?(?:anyone|anybody|someone|somebody|any|a|an)\b",
                     re.I)
# "is anyone in the room at 0:21?", "is there a red car on screen at 0:16?", "is there any writing?": there
# (at a time), nothing more asked
_PRESENT = re.compile(r"^\s*(?:is|are|was|were)\s+(?:there\s+)?(?:anyone|anybody|someone|somebody|(?:any|a|an)\s+"
                      r"(?:\w+\s+)?\w+)(?:\s+(?:in|on|at|inside|visible|present|there|around)\b|\s*[?.!]*\s*$)", re.I)
_ANYONE = re.compile(r"\b(?:anyone|anybody|someone|somebody)\b", re.I)
# "list the speakers in grid", "list every person in the room video": a count, which lists them
_LIST_ALL = re.compile(r"^\s*(?:list|enumerate|name)\s+(?:all\s+|every\s+|each\s+)?(?:of\s+)?(?:the\s+)?", re.I)
# "who is in it?", "who's in the friday clip?": the people seen, listed (not who is in a place at a time)
_WHO_IN = re.compile(r"^\s*who(?:'s|\s+is|\s+are|\s+was|\s+were)\s+(?:in|on|shown in|seen in|visible in|there in)\s+"
                     r"(?:it|this|that|the (?:video|clip|film|movie|recording|footage)|[\w.\- ]+?(?:video|clip|film|movie|"
                     r"footage|\.\w{2,4}))\s*\??\s*$", re.I)
_DISTINCT = re.compile(r"\b(different|distinct|separate|individual|unique)\b", re.I)
# "how many people are in the room at the same time?": the most on screen together, not all of them
_AT_ONCE = re.compile(r"\b(at the same time|at once|at one time|at a time|simultaneously|at most|at the most|"
                      r"maximum|max)\b(?!\s+(?:as|with)\b)", re.I)
_BEFORE_AFTER = re.compile(r"\b(right |just |immediately |shortly )?(before|after)\b\s+(?P<anchor>.+)$", re.I)
_WHILE = re.compile(r"\b(while|during|as long as)\b\s+(?P<anchor>.+?)(\s+(is|are)\s+(on[- ]screen|visible|shown|"
                    r"there|in (the )?(picture|frame|room|view))|\s+(appears?|drives?|passes|moves?|walks?|stands?))?"
                    r"\s*[?.!]*$", re.I)
_WHEN_MID = re.compile(r"^(?P<head>\s*(?:what|where|which|who|how|is|are|does|do)\b.+?)\s+(?:when|whenever)\s+"
                       r"(?P<anchor>.+?)\s*[?.!]*$", re.I)
# "the car that passes the red car", "who is on screen together with X": overlap with an anchor event
_WITH = re.compile(r"\b(?:that|which|who)\s+(?:passes|passed|pass|meets|met|crosses|crossed|overtakes|overtook|"
                   r"drives past|goes past|walks past)\s+(?P<anchor>.+)$|"
                   r"\b(?:together with|at the same time as|alongside|along with)\s+(?P<anchor2>.+)$", re.I)
# words that say "about speech": those questions are not about events on screen
# (not "speaker": "the shirt of the last speaker" is a person seen)
_SPEECH = re.compile(r"\b(say|says|said|saying|mention\w*|talk\w*|speak|speaks|speaking|spoke|word|words|tell\w*|"
                     r"told|quote|phrase|sentence)\b", re.I)

# class words -> event class (as index/events.py writes it); "vehicle" means any vehicle class
_CLASS_WORDS = {
    "car": "car", "cars": "car", "auto": "car", "autos": "car", "automobile": "car", "automobiles": "car",
    "sedan": "car", "sedans": "car", "hatchback": "car", "hatchbacks": "car", "taxi": "car", "taxis": "car",
    "suv": "car", "suvs": "car", "van": "car", "vans": "car",
    "vehicle": "vehicle", "vehicles": "vehicle", "traffic": "vehicle",
    "truck": "truck", "trucks": "truck", "lorry": "truck", "lorries": "truck",
    "bus": "bus", "buses": "bus", "bicycle": "bicycle", "bicycles": "bicycle", "bike": "bicycle",
    "bikes": "bicycle", "cyclist": "bicycle", "cyclists": "bicycle", "motorbike": "motorbike",
    "motorbikes": "motorbike", "motorcycle": "motorbike", "motorcycles": "motorbike", "scooter": "motorbike",
    "boat": "boat", "boats": "boat", "ship": "boat", "ships": "boat", "plane": "plane", "planes": "plane",
    "airplane": "plane", "aircraft": "plane", "train": "train", "trains": "train",
    "person": "person", "persons": "person", "people": "person", "man": "person", "men": "person",
    "woman": "person", "women": "person", "guy": "person", "guys": "person", "girl": "person",
    "girls": "person", "boy": "person", "boys": "person", "someone": "person", "somebody": "person",
    "visitor": "person", "visitors": "person", "individual": "person", "individuals": "person",
    "human": "person", "humans": "person", "lady": "person", "ladies": "person", "child": "person",
    "children": "person", "kid": "person", "kids": "person", "pedestrian": "person",
    "pedestrians": "person", "figure": "person", "figures": "person", "speaker": "person", "speakers": "person",
    "face": "person", "faces": "person", "ppl": "person",
    "dog": "dog", "dogs": "dog", "puppy": "dog", "cat": "cat", "cats": "cat", "kitten": "cat",
    "bird": "bird", "birds": "bird", "horse": "horse", "horses": "horse",
    "object": "*", "objects": "*", "thing": "*", "things": "*",
    "title": "text", "titles": "text", "text": "text", "texts": "text", "caption": "text", "writing": "text",
    "captions": "text", "sign": "text", "signs": "text", "subtitle": "text", "subtitles": "text",
    "credits": "text", "slide": "text", "slides": "text",
    "shot": "shot", "shots": "shot", "scene": "shot", "scenes": "shot", "cut": "shot", "cuts": "shot",
}
_VEHICLE_CLASSES = {"car", "truck", "bus", "motorbike", "bicycle"}
# people who face the camera and speak: counted and ordered by the shots that show their faces, not
# by the silhouettes a static camera tracks (in a compilation both exist: a room camera, then an interview)
_FACING = re.compile(r"\b(speaker|speakers|speak\w*|talk\w*|presenter\w*|narrator\w*|interview\w*|face|faces|"
                     r"to the camera|into the camera)\b", re.I)
# colour words -> the colour names the describer writes (vision.COLOURS)
_COLOUR_WORDS = COLOUR_WORDS  # colour word -> the palette names it allows


@dataclass
class TemporalQuery:
    op: str  # "nth" | "count" | "before" | "after" | "while" | "empty" | "most"
    n: int = 0  # for "nth": 1-based, negative counts from the end (-1 = last)
    cls: str | None = None  # event class the question is about ("car", "person", "text", "*" any object)
    colour_words: list[str] = field(default_factory=list)
    subject: str = ""  # the words that describe the events (for similarity when no class word)
    anchor: str | None = None  # before/after/while: the other event, in words
    distinct: bool = False  # "how many different people"
    at_once: bool = False  # "how many people at the same time": the most whose events overlap
    key: str = ""  # for "most": fastest | slowest | longest | shortest | biggest | smallest
    # for "count": "how many people are in the room at 1:00 / between 0:20 and 1:00?" counts those there then
    within: tuple[float, float] | None = None

    def to_json(self) -> dict[str, Any]:
        return {"op": self.op, "n": self.n, "class": self.cls, "colours": self.colour_words,
                "subject": self.subject, "anchor": self.anchor, **({"key": self.key} if self.key else {}),
                **({"at_once": True} if self.at_once else {}), **({"within": list(self.within)} if self.within else {})}

    def there_then(self, h: Hit) -> bool:
        """Whether an event (or shot) is on screen in the time the question names (any, if none)."""
        if self.within is None:
            return True
        a, b = self.within
        if a == b:  # a point: bounds are known to about half a second
            return h.start - AT_SLACK_S <= a <= h.end + AT_SLACK_S
        return min(h.end, b) - max(h.start, a) > AT_SLACK_S  # more than a bound's error inside the stretch

    def when(self) -> str:
        """" at 01:00", " between 00:20 and 01:00", or "" (no time named)."""
        if self.within is None:
            return ""
        a, b = self.within
        return f" at {fmt_time(a)}" if a == b else f" between {fmt_time(a)} and {fmt_time(b)}"


def _ordinal_n(text: str, m: re.Match) -> int:
    """The position an ordinal match names: 1-based, negative from the end."""
    if _SECOND_TO_LAST.search(text):
        return -2
    return int(m.group(2)) if m.group(2) else _ORDINAL_WORDS[m.group(1).lower()]


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _class_of(text: str) -> str | None:
    for w in _words(text):
        if w in _CLASS_WORDS:
            return _CLASS_WORDS[w]
    return None


def _colours_of(text: str) -> list[str]:
    return [w for w in _words(text) if w in _COLOUR_WORDS]


def asks_for_list(question: str) -> bool:
    """Whether a question asks for the things themselves, listed ("list the cars", "who is in it?")."""
    return bool(_LIST_ALL.match(question) or _WHO_IN.match(question))


def _time_named(q: str) -> tuple[float, float] | None:
    """The stretch ("between 0:20 and 1:00") or the point ("at 1:00", as (60, 60)) a question names."""
    span = lexical.time_range_in(q)
    if span is not None:
        return span
    at = lexical.time_in(q)
    return (at, at) if isinstance(at, float) else None


def parse_temporal(question: str) -> TemporalQuery | None:
    """The temporal query in a question, or None when it has none (or is about speech)."""
    q = " ".join(question.split())
    if not q:
        return None
    from .relative import parse_said_count

    if parse_said_count(q) is not None:
        return None  # "how many times does someone say now?": a count of words said (relative.said_count)
    # "how many seconds does the third person stay?" asks how long, not how many
    q = _HOW_MANY_SECONDS.sub("how long", q)
    if _CUTS.search(q) and (_COUNT.search(q) or re.match(r"\s*(?:when|at what)\b", q, re.I)):
        # "how many scene changes?", "when does the camera cut?": the cuts between shots
        return TemporalQuery("count", cls="shot", subject=q.strip(" ?.!"), key="cuts")
    listed = _LIST_ALL.match(q) or _WHO_IN.match(q)
    if _COUNT.search(q) or listed:  # "how many people speak" is still a count of people
        rest = q[(_COUNT.search(q) or listed).end():]
        cls = "person" if _WHO_IN.match(q) else (_class_of(rest) or _class_of(q))
        if cls is None:
            return None  # "how many videos", "how many times does he say ..." are not about events
        return TemporalQuery("count", cls=cls, colour_words=_colours_of(rest), subject=rest.strip(" ?.!"),
                             distinct=bool(_DISTINCT.search(q)), at_once=bool(_AT_ONCE.search(q)),
                             within=_time_named(q))
    m = _EXISTS.match(q)
    if m and not _SPEECH.search(q):
        # "does anyone walk in from the right?", "is anyone in the room at 0:21?": yes or no is a count
        # of the events that fit (the model had said yes of visitors who all came in from the bottom)
        # "anyone" is a person, whatever else is named ("is there anyone in the car video?")
        cls = "person" if _ANYONE.search(q) else _class_of(q)
        moves = _DIRECTION.search(q) or _ENTRY.search(q) or _EXIT.search(q) or _heading_of(q)
        # "is there anyone in the car video?": there at all, for what is tracked (people, vehicles);
        # other things may be seen in frames that no event holds
        there = _PRESENT.match(q) and (_time_named(q) is not None or cls == "person" or cls in _VEHICLE_CLASSES)
        if cls == "text" and _PRESENT.match(q):  # "is there any writing in the friday clip?": the texts read
            return TemporalQuery("count", cls=cls, subject=q.strip(" ?.!"), within=_time_named(q))
        if cls not in (None, "text", "shot", "*") and (moves or there):
            return TemporalQuery("count", cls=cls, colour_words=_colours_of(q), subject=q.strip(" ?.!"),
                                 within=_time_named(q))
    if _SPEECH.search(q):
        return None  # "when does the first speaker say ...": speech, not events
    m = _EMPTY.search(q)
    if m:  # "when is nobody in the room?", "when is the road empty?"
        thing = m.group("thing") or ""
        cls = "person" if m.group("nobody") else (_class_of(thing) if thing else None)
        cls = cls or next((_PLACE_CLASS[w] for w in re.findall(r"[a-z]+", q.lower()) if w in _PLACE_CLASS), "*")
        # "for the last time", "first empty": which of the empty stretches ("after the second person
        # leaves" names an event, not a stretch)
        o = _ORDINAL.search(q) if not _BEFORE_AFTER.search(q) else None
        edge = _EMPTY_EDGE.search(q)  # "how long is the road empty at the start?": the first stretch
        n = _ordinal_n(q, o) if o else (1 if edge and edge.group(1) else -1 if edge else 0)
        return TemporalQuery("empty", n=n, cls=cls, subject=q)
    m = _BEFORE_AFTER.search(q)
    if m:
        head, anchor = q[:m.start()], m.group("anchor").strip(" ?.!")
        cls = _class_of(head)
        if cls is not None or _class_of(anchor) is not None:
            return TemporalQuery(m.group(2).lower(), cls=cls, colour_words=_colours_of(head), subject=head.strip(),
                                 anchor=anchor)
    m = _WITH.search(q)
    if m:
        head, anchor = q[:m.start()], (m.group("anchor") or m.group("anchor2") or "").strip(" ?.!")
        if _class_of(head) is not None or _class_of(anchor) is not None:
            return TemporalQuery("while", cls=_class_of(head), colour_words=_colours_of(head), subject=head.strip(),
                                 anchor=anchor)
    m = _WHILE.search(q)
    if m:
        head, anchor = q[:m.start()], m.group("anchor").strip(" ?.!")
        return TemporalQuery("while", cls=_class_of(head), colour_words=_colours_of(head), subject=head.strip(),
                             anchor=anchor)
    m = _WHEN_MID.match(q)  # "where is the red car when the white car passes it?"
    if m and _class_of(m.group("head")) is not None and _class_of(m.group("anchor")) is not None:
        head, anchor = m.group("head"), m.group("anchor").strip(" ?.!")
        return TemporalQuery("while", cls=_class_of(head), colour_words=_colours_of(head), subject=head.strip(),
                             anchor=anchor)
    m = _SUPERLATIVE.search(q)
    cls = _class_of(q) or ("person" if re.match(r"\s*who\b", q, re.I) else None)  # "who stays the longest?"
    if m and cls not in (None, "text", "shot"):
        key = _SUPERLATIVE_KEY[m.group(1).lower()]
        return TemporalQuery("most", cls=cls, colour_words=_colours_of(q),
                             subject=q[:m.start()].strip() or q.strip(" ?.!"), key=key)
    m = _ORDINAL.search(q)
    if m:
        cls = _class_of(q)
        if cls is None:
            return None
        n = _ordinal_n(q, m)
        # the colours that describe the subject, not the ordinal: all colour words of the question
        subject = re.sub(_ORDINAL, " ", q)
        return TemporalQuery("nth", n=n, cls=cls, colour_words=_colours_of(q), subject=subject.strip(" ?.!"))
    return None


# ---------------------------------------------------------------------------------------------
# answering over the segments collection
# ---------------------------------------------------------------------------------------------

def _events(store, video_id: str) -> list[Hit]:
    """The video's object and text events, in time order."""
    return [h for h in store.segments_of(video_id) if h.kind in ("segment:object", "segment:text")]


def _colour_list(h: Hit, key: str = "colours") -> list[str]:
    raw = h.meta.get(key)
    if isinstance(raw, str):
        try:
            import json

            raw = json.loads(raw)
        except ValueError:
            raw = [c for c in raw.split(",") if c]
    return [str(c) for c in raw or []]


def _is_class(h: Hit, cls: str | None) -> bool:
    if cls is None:
        return True
    if cls == "text":
        return h.kind == "segment:text"
    if h.kind != "segment:object":
        return False
    if cls == "*":
        return True
    ec = str(h.meta.get("class", ""))
    return ec in _VEHICLE_CLASSES if cls == "vehicle" else ec == cls


_UPPER = re.compile(r"\b(on top|tops?|shirts?|t-shirts?|jackets?|coats?|sweaters?|jumpers?|cardigans?|hoodies?|"
                    r"blouses?|upper)\b", re.I)
_LOWER = re.compile(r"\b(below|bottoms?|trousers|pants|jeans|skirts?|shorts|leggings|lower)\b", re.I)


# what someone wears on top, in users' words -> the item an event's `top` names (labels.TOPS)
_GARMENTS = [(re.compile(r"\b(t-?shirts?|tees?)\b", re.I), "a T-shirt"),
             (re.compile(r"\b(cardigans?|sweaters?|jumpers?|knitwear)\b", re.I), "a cardigan or sweater"),
             (re.compile(r"\b(suits?|suit jackets?)\b", re.I), "a suit jacket"),
             (re.compile(r"\b(coats?|overcoats?)\b", re.I), "a coat"),
             (re.compile(r"\buniforms?\b", re.I), "a uniform"), (re.compile(r"\baprons?\b", re.I), "an apron")]


_DENIM = re.compile(r"\b(jeans|denims?)\b", re.I)


def _garment_asked(phrase: str) -> str | None:
    """The top a phrase picks someone out by ("people in T-shirts" -> "a T-shirt"), as object events
    name it from tags of the upper body; None when it names none."""
    return next((item for pat, item in _GARMENTS if pat.search(phrase)), None)


def body_part(phrase: str) -> str | None:
    """"upper" or "lower" when a phrase gives a person's colour for one part of them ("black on
    top", "blue jeans"), else None."""
    if _LOWER.search(phrase):
        return "lower"
    if _UPPER.search(phrase):
        return "upper"
    return None


def _has_colours(h: Hit, colour_words: list[str], part: str | None = None) -> bool:
    if not colour_words or h.kind != "segment:object":
        return True
    worn = _colour_list(h, f"{part}_colours") if part else []
    if worn:  # a person's colours for the part the phrase names: any of those read there
        return all(any(c in worn for c in _COLOUR_WORDS[w]) for w in colour_words)
    have = _colour_list(h)
    # the object's main colour must be one the word allows (a red car), or any of its first two
    return all(any(c in have[:2] for c in _COLOUR_WORDS[w]) for w in colour_words)


# "when is nobody in the room?", "when is the road empty?", "when are there no cars?"
_EMPTY = re.compile(r"^\s*(?:when|at what (?:point|time|moment)s?|how long)\b.*?(?:\b(?P<nobody>nobody|no one|no-one|noone|"
                    r"no people|no person)\b|\bno (?P<thing>[a-z]+)\b|\bempty\b|\bnothing (?:is )?(?:on screen|there|"
                    r"in view|happening|moving)\b)", re.I)
_EMPTY_EDGE = re.compile(r"\bat the (?:(start|beginning)|end)\b", re.I)
EMPTY_MIN_S = 1.0  # a gap between events shorter than this is not "empty"
# "when is the road empty?": a place says which events would fill it (and so which shots show it)
_PLACE_CLASS = {**dict.fromkeys("road roads street streets highway motorway lane lanes parking junction "
                                "intersection crossing traffic".split(), "vehicle"),
                **dict.fromkeys("room rooms office hall hallway corridor kitchen shop store lobby stage "
                                "classroom".split(), "person")}


# "which car is the fastest?", "who stays the longest?": one event by a measure of it
_SUPERLATIVE = re.compile(r"\b(fastest|quickest|slowest|longest|shortest|biggest|largest|smallest|"
                          r"most quickly|most slowly)\b", re.I)
_SUPERLATIVE_KEY = {"fastest": "fastest", "quickest": "fastest", "most quickly": "fastest", "slowest": "slowest",
                    "most slowly": "slowest", "longest": "longest", "shortest": "shortest", "biggest": "biggest",
                    "largest": "biggest", "smallest": "smallest"}
_OPPOSITE = {"top": "bottom", "bottom": "top", "left": "right", "right": "left"}

_SIDES = r"(top|bottom|left|right)"
_DIRECTION = re.compile(rf"\b(?:from\s+(?:the\s+)?)?{_SIDES}\s+to\s+(?:the\s+)?{_SIDES}\b", re.I)
_ENTRY = re.compile(rf"\b(?:enter\w*|comes?|came|coming|appear\w*|drives? in|walks? in)\s+(?:in\s+)?from\s+"
                    rf"(?:the\s+)?{_SIDES}\b", re.I)
_EXIT = re.compile(rf"\b(?:leav\w*|left|exit\w*|disappear\w*|goes? out|went out)\s+(?:at|to|on|through|by|from)\s+"
                   rf"(?:the\s+)?{_SIDES}\b", re.I)


# "how many cars drive downwards?", "who walks to the left?": the side an event moves towards ("drives
# up" is not here: it says as often that a car arrives)
_HEADING = re.compile(r"\b(?:(?:drives?|driving|drove|goes|go|going|went|moves?|moving|moved|heads?|heading|headed|"
                      r"travel\w*|walks?|walking|walked|runs?|running|ran)\s+(?P<verb>down|to the left|to the right)|"
                      r"(?P<ward>downwards?|upwards?|leftwards?|rightwards?)|(?P<along>down|up) the "
                      r"(?:screen|frame|picture|road|street|image))\b", re.I)
_TOWARDS = {"down": "bottom", "up": "top", "left": "left", "right": "right"}


def _heading_of(phrase: str) -> str | None:
    """The side a phrase says something moves towards, or None."""
    m = _HEADING.search(phrase)
    if not m:
        return None
    word = (m.group("verb") or m.group("ward") or m.group("along")).lower()
    return next(side for key, side in _TOWARDS.items() if key in word)


def _moves_as_said(h: Hit, phrase: str) -> bool:
    """Whether an object event moves as the phrase says ("from top to bottom", "enters from the
    left", "leaves at the right"); True when the phrase says nothing about movement."""
    if h.kind != "segment:object":
        return True
    m = _DIRECTION.search(phrase)
    if m:
        parts = str(h.meta.get("direction", "")).split(" to ")
        if len(parts) != 2 or m.group(1).lower() not in parts[0] or m.group(2).lower() not in parts[1]:
            return False
    towards = None if _DIRECTION.search(phrase) else _heading_of(phrase)
    if towards is not None:
        parts = str(h.meta.get("direction", "")).split(" to ")
        if len(parts) != 2 or towards not in parts[1] or towards in parts[0]:
            return False
    m = _ENTRY.search(phrase)
    if m and m.group(1).lower() not in str(h.meta.get("entry", "")):
        return False
    m = _EXIT.search(phrase)
    if m and m.group(1).lower() not in str(h.meta.get("exit", "")):
        return False
    return True


# "what is the name of the film?", "what is this cartoon called?", "what is the video's title?"
_TITLE_ASK = re.compile(r"\b(?:name|title)\s+of\s+(?:the|this|that)?\s*(?:[\w-]+\s+){0,2}?(?:film|movie|video|clip|"
                        r"show|episode|cartoon|programme|program|series)\b|\bwhat(?:'s| is) (?:the|this|that) "
                        r"(?:[\w-]+\s+){0,2}?(?:film|movie|video|clip|show|episode|cartoon|programme|program|series) "
                        r"called\b|\b(?:film|movie|video|clip|show|cartoon)(?:'s)? (?:name|title)\b", re.I)
TITLE_MIN_HEIGHT = 0.12  # as index/events.TITLE_HEIGHT: letters this tall make a title


def title_asked(question: str) -> bool:
    return bool(_TITLE_ASK.search(question))


def title_moment(toolbox, question: str, video: str | None, ranked: list[Moment]) -> Moment | None:
    """For "what is the name of the film?": the on-screen text in the largest letters (a title is
    set bigger than credits and captions), in the named video or the ones retrieval ranks first;
    None when the question asks no title or no text is that large."""
    if not title_asked(question):
        return None
    ids = toolbox._video_ids(video) if video else None
    order = list(dict.fromkeys(m.video for m in ranked))
    best: tuple[float, float, Hit] | None = None
    for vid in ids or list(dict.fromkeys(str(m.evidence[0].meta.get("video_id")) for m in ranked if m.evidence)):
        for h in toolbox.store.segments_of(vid):
            height = float(h.meta.get("letter_height") or 0.0)
            if h.kind != "segment:text" or height < TITLE_MIN_HEIGHT:
                continue
            rank = order.index(h.video) if h.video in order else len(order)
            key = (-rank, height)
            if best is None or key > best[:2]:
                best = (key[0], key[1], h)
    if best is None:
        return None
    h = best[2]
    return Moment(h.video, h.start, h.end, 1.0, [h])


def _empty_in(toolbox, tq: TemporalQuery, vid: str, vpath: str, events: list[Hit]) -> TemporalAnswer | None:
    """When none of a class is seen: the gaps between its events inside the shots where that class
    was tracked, or any object if it never was (a static camera's shots: only there is an empty
    scene known). The longest gap is the moment; all of them are in the text. None when the video
    has no such events."""
    objects = [h for h in events if h.kind == "segment:object"]
    mine = [h for h in objects if tq.cls == "*" or _is_class(h, tq.cls)]
    if not objects:
        return None  # no object was tracked here: an empty scene is not known
    # the shots that show where the class goes (a road: where vehicles were seen), else all tracked ones
    shots = [h for h in toolbox.store.segments_of(vid) if h.kind == "segment:shot"
             and any(h.start - 0.5 <= o.start and o.end <= h.end + 0.5 for o in (mine or objects))]
    gaps: list[tuple[float, float]] = []
    for shot in shots or [Hit(vpath, 0.0, max(h.end for h in objects), 0.0, "", "segment:shot", {})]:
        t = shot.start
        for h in sorted((h for h in mine if h.end > shot.start and h.start < shot.end), key=lambda h: h.start):
            if h.start - t >= EMPTY_MIN_S:
                gaps.append((t, h.start))
            t = max(t, h.end)
        if shot.end - t >= EMPTY_MIN_S:
            gaps.append((t, shot.end))
    what = {"person": "nobody", "*": "nothing moving"}.get(tq.cls or "*", f"no {_noun(tq, 2)}")
    name = vpath.rsplit("/", 1)[-1]
    if not gaps:
        text = f"never {what} in {name}: there is always a {_noun(tq, 1)} on screen where objects are tracked"
        return TemporalAnswer(tq, vid, vpath, mine, None, text)
    longest = max(gaps, key=lambda g: g[1] - g[0])
    pick = gaps[tq.n - 1 if tq.n > 0 else tq.n] if tq.n and -len(gaps) <= tq.n <= len(gaps) else longest
    which = (f"the {_ordinal_word(tq.n)} {fmt_span(*pick)}" if pick is not longest or tq.n
             else f"longest {fmt_span(*longest)}")
    text = (f"{what} in {name} at: " + ", ".join(fmt_span(a, b) for a, b in gaps)
            + f" (between its {len(mine)} {_noun(tq, len(mine))} events; {which})"
            if mine else f"{what} in {name} at any time: {fmt_span(*longest)} (no {_noun(tq, 2)} seen)")
    hit = Hit(video=vpath, start=pick[0], end=pick[1], score=1.0, text=text, kind="segment:count",
              meta={"video_id": vid, "gaps": [[round(a, 2), round(b, 2)] for a, b in gaps]})
    return TemporalAnswer(tq, vid, vpath, mine, Moment(vpath, pick[0], pick[1], 1.0, [hit]), text)


def _key(h: Hit) -> tuple:
    return (str(h.meta.get("video_id")), round(h.start, 2), round(h.end, 2), h.text[:60])


def _similar(toolbox, text: str, events: list[Hit], known: dict[tuple, np.ndarray] | None = None) -> np.ndarray:
    """Cosine similarity of `text` to each event's stored vector: from `known` vectors (read in bulk
    by the caller), else one store query per video (events of a video are few)."""
    if not events:
        return np.zeros(0)
    qvec = np.asarray(toolbox._qvec(text), np.float32)
    qvec = qvec / max(float(np.linalg.norm(qvec)), 1e-12)
    scores: dict[tuple, float] = {}
    by_video: dict[str, list[Hit]] = {}
    for h in events:
        vec = known.get(_key(h)) if known else None
        if vec is not None:
            scores[_key(h)] = float(vec @ qvec)
        else:
            by_video.setdefault(str(h.meta.get("video_id")), []).append(h)
    for vid, evs in by_video.items():
        kinds = sorted({h.kind.split(":", 1)[1] for h in evs})
        where = {"kind": kinds[0]} if len(kinds) == 1 else {"kind": {"$in": kinds}}
        for h in toolbox.store.query("segments", qvec, k=len(evs) + 5, video_ids=[vid], where=where):
            scores[_key(h)] = h.score
    return np.array([scores.get(_key(h), 0.0) for h in events], np.float32)


def select_events(toolbox, events: list[Hit], cls: str | None, colour_words: list[str], subject: str,
                  known: dict[tuple, np.ndarray] | None = None) -> list[Hit]:
    """The events a phrase is about: by class and colour words when it has them; otherwise those
    that stand out in similarity (z >= 0.5 against the video's other events, and near the best)."""
    part = body_part(subject) if cls == "person" else None
    if cls is not None:
        picked = [h for h in events if _is_class(h, cls) and _has_colours(h, colour_words, part)
                  and _moves_as_said(h, subject)]
        garment = _garment_asked(subject) if cls == "person" else None
        if garment is not None:
            picked = [h for h in picked if h.meta.get("top") == garment]
        if cls == "person" and not colour_words and _DENIM.search(subject):
            # "the person in jeans": jeans are blue denim, read as blue below
            picked = [h for h in picked if _has_colours(h, ["blue"], "lower")]
        return picked
    if not events:
        return []
    sims = _similar(toolbox, subject, events, known)
    if len(events) == 1:
        return events if sims[0] > 0.2 else []
    z = (sims - sims.mean()) / max(1e-6, float(sims.std()))
    keep = [h for h, s, zz in zip(events, sims, z) if zz >= 0.5 and s >= sims.max() - 0.1]
    if colour_words:
        keep = [h for h in keep if _has_colours(h, colour_words, part)]
    return keep


def _anchor(toolbox, events: list[Hit], phrase: str) -> Hit | None:
    """The one event a phrase names ("the red car", "the title"): class/colour first, then similarity."""
    ranked = _anchors(toolbox, events, phrase)
    return ranked[0] if ranked else None


def _anchors(toolbox, events: list[Hit], phrase: str) -> list[Hit]:
    """The events a phrase may name, the likeliest first (an ordinal picks exactly one)."""
    cls, colours = _class_of(phrase), _colours_of(phrase)
    cands = select_events(toolbox, events, cls, colours, phrase) if cls else events
    if len(cands) <= 1:
        return cands
    m = _ORDINAL.search(phrase)
    if m and cls:
        pick = _nth(cands, _ordinal_n(phrase, m))
        return [pick] if pick is not None else []
    sims = _similar(toolbox, phrase, cands)
    return [cands[i] for i in np.argsort(-sims, kind="stable")]


def _nth(events: list[Hit], n: int) -> Hit | None:
    ordered = sorted(events, key=lambda h: (h.start, h.end))
    if n > 0 and n <= len(ordered):
        return ordered[n - 1]
    if n < 0 and -n <= len(ordered):
        return ordered[n]
    return None


def _face_shots(store, video_id: str) -> list[Hit]:
    """Shots whose keyframes show faces: what a person count falls back on without person events."""
    return [h for h in store.segments_of(video_id) if h.kind == "segment:shot" and int(h.meta.get("faces") or 0) > 0]


def _candidate_videos(toolbox, tq: TemporalQuery, question: str, video: str | None,
                      prefer: list[str] | None = None) -> list[str]:
    """Video ids to answer over: the given one, or those whose events match the question, the video
    that plain retrieval ranks first (`prefer`, paths or ids) before the others, then by similarity."""
    if video:
        return [toolbox.store.resolve_video(video).video_id]
    kinds = ["object", "text", "shot"] if tq.op in ("count", "nth") and tq.cls in ("person", "shot") else ["object", "text"]
    # every event of the library with its vector, in one read: similarities are then matrix products,
    # not a store query per video (a 100-hour library has hundreds of videos)
    hits, vecs = toolbox.store.get_vectors("segments", where={"kind": {"$in": kinds}})
    known = {_key(h): v for h, v in zip(hits, vecs)}
    by_video: dict[str, list[Hit]] = {}
    for h in hits:
        by_video.setdefault(str(h.meta.get("video_id")), []).append(h)
    if not by_video:
        return []
    ranked = []
    # "people speaking", "the third speaker": about someone heard
    speech = bool(_SPEECH.search(question) or lexical.about_a_speaker(question))
    for vid, evs in by_video.items():
        events = [h for h in evs if h.kind != "segment:shot"]
        chosen = select_events(toolbox, events, tq.cls, tq.colour_words, tq.subject or question, known)
        if tq.op in ("before", "after", "while") and tq.cls is None:
            chosen = events  # the anchor decides
        if not chosen and tq.op in ("count", "nth") and tq.cls == "person":
            chosen = [h for h in evs if h.kind == "segment:shot" and int(h.meta.get("faces") or 0) > 0]
        if tq.cls == "shot":
            chosen = [h for h in evs if h.kind == "segment:shot"]
        if tq.op == "empty":  # a video where objects were tracked: where none of the class is, is known
            chosen = [h for h in events if h.kind == "segment:object"]
        if not chosen and tq.op == "count" and tq.cls not in (None, "person"):
            # "how many black cars?" in a video of white and red cars: it answers, with none
            chosen = [h for h in events if _is_class(h, tq.cls)]
        if not chosen:
            continue
        sims = _similar(toolbox, question, chosen, known)
        score = float(sims.max()) if len(sims) else 0.0
        rec = toolbox.store.done_videos().get(vid)
        if speech and rec is not None and rec.chunks == 0:
            score -= 1.0  # "people speaking" cannot be about a video where nobody is heard
        ranked.append((score, vid, str(chosen[0].video)))
    first = (prefer or [None])[0]
    ranked.sort(key=lambda r: (r[0] > -0.5, first is not None and first in (r[1], r[2]), r[0]), reverse=True)
    return [vid for _, vid, _ in ranked]


@dataclass
class TemporalAnswer:
    query: TemporalQuery
    video_id: str
    video: str
    events: list[Hit]  # the events the answer rests on, in time order
    moment: Moment | None  # the interval to show (None for an empty count)
    text: str  # one line, for the fast path and the LLM

    def to_json(self) -> dict[str, Any]:
        return {"query": self.query.to_json(), "video": self.video, "text": self.text,
                "count": len(self.events) if self.query.op == "count" else None,
                "events": [{"start": round(h.start, 2), "end": round(h.end, 2), "text": h.text} for h in self.events],
                "moment": self.moment.to_json() if self.moment else None}


def event_label(h: Hit) -> str:
    if h.kind == "segment:shot":
        return h.text
    if h.kind == "segment:text":
        return f"text «{h.meta.get('ocr', h.text[:40])}»"
    colours = _colour_list(h)
    cls = h.meta.get("class", "object")
    label = h.meta.get("label") or (f"{colours[0]} {cls}" if colours else str(cls))
    upper, lower = _colour_list(h, "upper_colours"), _colour_list(h, "lower_colours")
    if cls == "person" and (upper or lower):
        # a person is told apart by what they wear where: "grey on top, blue below" answers
        # "what colour are the trousers?", where the whole body's colours do not
        top = f" ({h.meta['top']})" if h.meta.get("top") else ""
        return f"person wearing {'/'.join(upper) or '?'} on top{top} and {'/'.join(lower) or '?'} below"
    return f"{label} (colours: {', '.join(colours)})" if colours else str(label)


def _motion(h: Hit) -> str:
    """Where an object event comes from and goes, in few words ("enters from the bottom, leaves at
    the right"), for answer lines that must stay short enough to be read whole."""
    if h.kind != "segment:object":
        return ""
    m = h.meta
    parts = []
    if m.get("entry") and m["entry"] != "middle":
        parts.append(f"enters from the {m['entry']}")
    if m.get("direction") and not (m.get("entry") not in (None, "middle") and m.get("exit") not in (None, "middle")):
        parts.append(f"moves from {m['direction']}")
    if float(m.get("still_s") or 0.0) >= 2.0:
        parts.append(f"stays still about {float(m['still_s']):.0f} s")
    if m.get("exit") and m["exit"] != "middle":
        parts.append(f"leaves at the {m['exit']}")
    return ", ".join(parts)


def _noun(tq: TemporalQuery, n: int) -> str:
    base = {"*": "object", "text": "on-screen text", "vehicle": "vehicle"}.get(tq.cls or "*", tq.cls or "event")
    if base == "person" and tq.colour_words:
        # people are described by what they wear, never as "black people"
        worn = "/".join(tq.colour_words)
        where = {"upper": f"wearing {worn} on top", "lower": f"wearing {worn} below"}.get(
            body_part(tq.subject) or "", f"dressed in {worn}")
        return f"{'person' if n == 1 else 'people'} {where}"
    words = " ".join(tq.colour_words + [base])
    if n == 1:
        return words
    if base == "person":
        return words[: -len("person")] + "people"
    if base.endswith("s"):
        return words + "es"
    return words + "s"


def answer_temporal(toolbox, question: str, video: str | None = None,
                    tq: TemporalQuery | None = None, prefer: list[str] | None = None) -> TemporalAnswer | None:
    """Answer a temporal question over the event list; None when it is not one or no events fit.
    `prefer`: videos (paths or ids) in the order plain retrieval ranks them, to break ties."""
    tq = tq or parse_temporal(question)
    if tq is None:
        return None
    for vid in _candidate_videos(toolbox, tq, question, video, prefer)[:3]:
        ans = _answer_in(toolbox, tq, question, vid)
        if ans is not None:
            return ans
    return None


def _at_once_in(tq: TemporalQuery, vid: str, vpath: str, chosen: list[Hit]) -> TemporalAnswer:
    """The most events of the kind on screen together, and the first stretch when there are that
    many: a sweep over their starts and ends (an end before a start at the same time)."""
    edges = sorted([(h.start, 1) for h in chosen] + [(h.end, -1) for h in chosen], key=lambda e: (e[0], e[1]))
    best, now, span = 0, 0, (chosen[0].start, chosen[0].end)
    for i, (t, step) in enumerate(edges):
        now += step
        if now > best:
            best = now
            span = (t, next(u for u, d in edges[i + 1:] if d < 0))
    together = [h for h in chosen if h.start < span[1] and h.end > span[0]]
    name = vpath.rsplit('/', 1)[-1]
    text = (f"{best} {_noun(tq, best)} at most at once in {name}, {fmt_span(*span)}: "
            + "; ".join(f"{event_label(h)} {fmt_span(h.start, h.end)}" for h in together)
            + f" ({len(chosen)} {_noun(tq, len(chosen))} in all, counted over its object events)")
    hit = Hit(video=vpath, start=span[0], end=span[1], score=1.0, text=text, kind="segment:count",
              meta={"video_id": vid, "count": best})
    return TemporalAnswer(tq, vid, vpath, together, Moment(vpath, span[0], span[1], 1.0, [hit] + together), text)


AT_SLACK_S = 0.5  # an event this close to a time asked about counts as there then (its bounds are ±0.5 s)


def _answer_in(toolbox, tq: TemporalQuery, question: str, vid: str) -> TemporalAnswer | None:
    events = _events(toolbox.store, vid)
    rec = toolbox.store.done_videos().get(vid)
    vpath = rec.path if rec else (events[0].video if events else "")
    if tq.cls == "shot" and tq.op in ("count", "nth"):
        return _shots_answer(toolbox, tq, vid, vpath)
    if tq.cls == "*" and tq.op == "nth" and not any(h.kind == "segment:object" for h in events):
        # "the first thing on screen" where nothing was tracked: the first shot, not the first title
        return _shots_answer(toolbox, tq, vid, vpath)
    if tq.cls == "person" and tq.op in ("count", "nth") and (not events or _FACING.search(question)):
        by_faces = (_count_faces if tq.op == "count" else _nth_face_shot)(toolbox, tq, vid, vpath)
        if by_faces is not None or not events:
            return by_faces
    if tq.op == "count":
        chosen = select_events(toolbox, events, tq.cls, tq.colour_words, tq.subject)
        if not chosen and tq.cls == "person" and not any(_is_class(h, "person") for h in events):
            # no one tracked: the faces are who there is (where people were tracked and none fits,
            # the answer is 0 of them, not a count of faces)
            by_faces = _count_faces(toolbox, tq, vid, vpath)
            if by_faces is not None or not events:
                return by_faces
        if not chosen and tq.cls is None:
            return None
        if tq.at_once and chosen:
            return _at_once_in(tq, vid, vpath, chosen)
        chosen = [h for h in chosen if tq.there_then(h)]  # those on screen at the time named, if one is
        when = tq.when()
        n = len(chosen)
        noun = _noun(tq, n)
        caveat = "; each event is one appearance, so someone who comes back counts twice" if tq.cls == "person" else ""
        text = f"{n} {noun} in {vpath.rsplit('/', 1)[-1]}{when}"
        if chosen:
            # in ordinal words, not "1. ...": a small model read "1. person" as "1 person"
            text += ": " + "; ".join(f"{_ordinal_word(i)} {event_label(h)} {fmt_span(h.start, h.end)}"
                                     for i, h in enumerate(chosen, 1))
        text += f" (counted over its object events{caveat})"
        moment = None
        of_class = [h for h in events if _is_class(h, tq.cls)] if tq.cls is not None else []
        if chosen:
            hit = Hit(video=vpath, start=chosen[0].start, end=chosen[-1].end, score=1.0, text=text,
                      kind="segment:count", meta={"video_id": vid, "count": n})
            moment = Moment(vpath, chosen[0].start, chosen[-1].end, 1.0, [hit] + chosen)
        elif of_class:
            # "how many black cars?" where the cars are white and red: none, said with what there is
            plural = _noun(TemporalQuery("count", cls=tq.cls), len(of_class))
            text = (f"0 {noun} in {vpath.rsplit('/', 1)[-1]}{when}; it has {len(of_class)} {plural}: "
                    + "; ".join(f"{_ordinal_word(i)} {event_label(h)} {fmt_span(h.start, h.end)}"
                                for i, h in enumerate(of_class, 1)))
            hit = Hit(video=vpath, start=of_class[0].start, end=of_class[-1].end, score=1.0, text=text,
                      kind="segment:count", meta={"video_id": vid, "count": 0})
            moment = Moment(vpath, of_class[0].start, of_class[-1].end, 1.0, [hit] + of_class)
        elif tq.cls is not None and rec is not None and (tq.cls == "text" or any(h.kind == "segment:object"
                                                                                 for h in events)):
            # "is there anyone in the car video?": none of the kind at all, said with what there is (only
            # where things are tracked, and texts, read in every video: an edited video's frames may
            # show what no event holds)
            text = f"0 {noun} in {vpath.rsplit('/', 1)[-1]}{when}; it shows {shown_phrase(shown_in(toolbox, vid))}"
            hit = Hit(video=vpath, start=0.0, end=rec.duration, score=1.0, text=text, kind="segment:count",
                      meta={"video_id": vid, "count": 0})
            moment = Moment(vpath, 0.0, rec.duration, 1.0, [hit])
        return TemporalAnswer(tq, vid, vpath, chosen, moment, text)
    if tq.op == "empty":
        return _empty_in(toolbox, tq, vid, vpath, events)
    if tq.op == "most":
        return _most_in(toolbox, tq, vid, vpath, events)
    if tq.op == "nth":
        chosen = select_events(toolbox, events, tq.cls, tq.colour_words, tq.subject)
        if not chosen and tq.cls == "person":
            return _nth_face_shot(toolbox, tq, vid, vpath)
        pick = _nth(chosen, tq.n)
        if pick is None:
            return None
        pos = sorted(chosen, key=lambda h: h.start).index(pick) + 1
        text = (f"the {_ordinal_word(tq.n)} {_noun(tq, 1)} ({pos} of {len(chosen)}), {fmt_span(pick.start, pick.end)}: "
                f"{event_label(pick)}; {_motion(pick)}; {pick.text}")
        return TemporalAnswer(tq, vid, vpath, [pick], _moment(vpath, pick, text, vid), text)
    anchors = _anchors(toolbox, events, tq.anchor or "")
    if not anchors:
        return None
    anchor = anchors[0]
    if tq.op == "while" and tq.cls is not None and len(anchors) > 1:
        # "where is the red car when the white car passes it?": of the white cars, the one that is on
        # screen together with a red car
        wanted = select_events(toolbox, [h for h in events if h not in anchors], tq.cls, tq.colour_words, tq.subject)
        anchor = next((a for a in anchors if any(h.start < a.end and h.end > a.start for h in wanted)), anchor)
    others = [h for h in events if h is not anchor]
    pool = select_events(toolbox, others, tq.cls, tq.colour_words, tq.subject) if tq.cls else \
        [h for h in others if h.kind == "segment:object"] or others
    if tq.op in ("after", "before"):
        pick = _beside(pool, anchor, tq.op)
        if pick is None and tq.cls is None:
            # no object before (after) it, but maybe a text on screen: "what happens right before the
            # first car appears?" in a compilation, where the title comes first (it had been said
            # that nothing is on screen then)
            pick = _beside(others, anchor, tq.op)
    else:  # while: everything of the kind asked for that overlaps the anchor
        over = [h for h in pool if h.start < anchor.end and h.end > anchor.start]
        if not over and tq.cls is None:  # nothing else happens then: say what the shot shows
            over = [h for h in toolbox.store.segments_of(vid)
                    if h.kind == "segment:shot" and h.start < anchor.end and h.end > anchor.start]
        if not over:
            return None
        text = (f"while {event_label(anchor)} is on screen ({fmt_span(anchor.start, anchor.end)}): "
                + "; ".join(f"{event_label(h)} {fmt_span(h.start, h.end)}" for h in over))
        s, e = max(anchor.start, min(h.start for h in over)), min(anchor.end, max(h.end for h in over))
        hit = Hit(video=vpath, start=s, end=e, score=1.0, text=text, kind="segment:while", meta={"video_id": vid})
        return TemporalAnswer(tq, vid, vpath, over, Moment(vpath, s, e, 1.0, [hit] + over), text)
    if pick is None and tq.cls is None and any(h.kind == "segment:object" for h in events):
        # "what happens before the first person enters?" where nothing tracked comes before (or after):
        # said so, with the empty stretch (the model had answered with the anchor itself)
        rec = toolbox.store.done_videos().get(vid)
        s, e = (0.0, anchor.start) if tq.op == "before" else (anchor.end, rec.duration if rec else anchor.end)
        if e - s >= EMPTY_MIN_S:
            text = (f"nothing tracked is on screen {tq.op} {event_label(anchor)} ({fmt_span(anchor.start, anchor.end)}): "
                    f"{fmt_span(s, e)} shows none of the {len(events)} events")
            hit = Hit(video=vpath, start=s, end=e, score=1.0, text=text, kind="segment:empty", meta={"video_id": vid})
            return TemporalAnswer(tq, vid, vpath, [], Moment(vpath, s, e, 1.0, [hit]), text)
    if pick is None:
        return None
    # the picked event first and whole ("then: ... at 01:32-02:00"), the anchor after it: the model
    # had given the anchor's name with the picked event's times
    motion = _motion(pick)
    text = (f"{'then' if tq.op == 'after' else 'earlier'}: {event_label(pick)} at {fmt_span(pick.start, pick.end)}"
            f"{', ' + motion if motion else ''} ({tq.op} {event_label(anchor)}, {fmt_span(anchor.start, anchor.end)}); "
            f"{pick.text}")
    return TemporalAnswer(tq, vid, vpath, [pick], _moment(vpath, pick, text, vid), text)


def _beside(events: list[Hit], anchor: Hit, op: str) -> Hit | None:
    """The event that starts nearest before (op "before") or after ("after") the anchor starts."""
    side = [h for h in events if (h.start < anchor.start if op == "before" else h.start > anchor.start)]
    if not side:
        return None
    return max(side, key=lambda h: h.start) if op == "before" else min(side, key=lambda h: h.start)


def _most_in(toolbox, tq: TemporalQuery, vid: str, vpath: str, events: list[Hit]) -> TemporalAnswer | None:
    """The one event of a class that is the fastest / slowest (time to cross the picture: only
    events that enter on one side and leave on the opposite one are compared, as the distance is
    then the same), longest / shortest (time on screen) or biggest / smallest (largest area)."""
    chosen = [h for h in select_events(toolbox, events, tq.cls, tq.colour_words, tq.subject)
              if h.kind == "segment:object"]
    if tq.key in ("fastest", "slowest"):
        crossing = [h for h in chosen if _OPPOSITE.get(str(h.meta.get("entry"))) == h.meta.get("exit")]
        chosen = crossing or chosen
        measure = {id(h): max(0.1, h.end - h.start - float(h.meta.get("still_s") or 0.0)) for h in chosen}
        unit, best = "s to cross", (min if tq.key == "fastest" else max)
    elif tq.key in ("longest", "shortest") and re.search(r"\b(still|without moving|motionless)\b", tq.subject, re.I):
        # "who stands still the longest?": the seconds the event stays still, not its time on screen
        measure = {id(h): float(h.meta.get("still_s") or 0.0) for h in chosen}
        unit, best = "s still", (max if tq.key == "longest" else min)
    elif tq.key in ("longest", "shortest"):
        measure = {id(h): h.end - h.start for h in chosen}
        unit, best = "s on screen", (max if tq.key == "longest" else min)
    else:
        measure = {id(h): float(h.meta.get("peak_area") or 0.0) * 100 for h in chosen}
        unit, best = "% of the picture", (max if tq.key == "biggest" else min)
    if not chosen:
        return None
    pick = best(chosen, key=lambda h: measure[id(h)])
    ordered = sorted(chosen, key=lambda h: h.start)
    noun = _noun(tq, 1)
    which = (f"the {noun} {'still' if unit == 's still' else 'on screen'} the {tq.key}" if tq.key in ("longest", "shortest")
             else f"the {tq.key} {noun}")
    text = (f"{which} ({measure[id(pick)]:.1f} {unit}): the {_ordinal_word(ordered.index(pick) + 1)} of "
            f"{len(chosen)}, {event_label(pick)}, {fmt_span(pick.start, pick.end)}; each, in order: " + "; ".join(
                f"{_ordinal_word(i)} {measure[id(h)]:.1f} {unit}" for i, h in enumerate(ordered, 1)))
    return TemporalAnswer(tq, vid, vpath, [pick], _moment(vpath, pick, text, vid), text)


def _shots_answer(toolbox, tq: TemporalQuery, vid: str, vpath: str) -> TemporalAnswer | None:
    """"How many shots (scenes, cuts) are there?", "what is in the third scene?": over the video's
    shots as indexing cut them (a cut is where one shot ends and the next begins)."""
    shots = [h for h in toolbox.store.segments_of(vid) if h.kind == "segment:shot"]
    if not shots:
        return None
    name = vpath.rsplit("/", 1)[-1]
    if tq.op == "nth":
        pick = _nth(shots, tq.n)
        if pick is None:
            return None
        text = f"the {_ordinal_word(tq.n)} shot of {len(shots)} in {name}, {fmt_span(pick.start, pick.end)}: {pick.text}"
        return TemporalAnswer(tq, vid, vpath, [pick], _moment(vpath, pick, text, vid), text)
    n = len(shots)
    if tq.key == "cuts":
        cuts = [h.start for h in shots[1:]]
        said = ", ".join(fmt_time(t) for t in cuts[:30]) + (", ..." if len(cuts) > 30 else "")
        text = (f"{len(cuts)} cut{'s' if len(cuts) != 1 else ''} in {name}" + (f", at {said}" if cuts else "")
                + f" (between its {n} shot{'s' if n != 1 else ''})")
        at = (cuts[0] - 0.5, cuts[0] + 0.5) if cuts else (shots[0].start, shots[-1].end)
        hit = Hit(video=vpath, start=at[0], end=at[1], score=1.0, text=text, kind="segment:count",
                  meta={"video_id": vid, "count": len(cuts), "cuts": [round(t, 2) for t in cuts]})
        return TemporalAnswer(tq, vid, vpath, shots[1:], Moment(vpath, at[0], at[1], 1.0, [hit]), text)
    listed = "; ".join(f"shot {i} {fmt_span(h.start, h.end)}" for i, h in enumerate(shots[:30], 1))
    text = (f"{n} shot{'s' if n != 1 else ''} in {name} ({n - 1} cut{'s' if n != 2 else ''} between them): {listed}"
            + ("; ..." if n > 30 else ""))
    hit = Hit(video=vpath, start=shots[0].start, end=shots[-1].end, score=1.0, text=text, kind="segment:count",
              meta={"video_id": vid, "count": n})
    return TemporalAnswer(tq, vid, vpath, shots, Moment(vpath, shots[0].start, shots[-1].end, 1.0, [hit]), text)


def _count_faces(toolbox, tq: TemporalQuery, vid: str, vpath: str) -> TemporalAnswer | None:
    """People counted from shots with faces (no person events: an edited video, a moving camera).
    Nothing here recognises faces, so this is the number of (shot, face) appearances: an upper
    bound on different people when each shows one person, and the answer says so."""
    shots = [h for h in _face_shots(toolbox.store, vid) if tq.there_then(h)]
    if not shots:
        return None
    name = vpath.rsplit("/", 1)[-1] + tq.when()
    noun = "person" if sum(int(h.meta.get("faces") or 0) for h in shots) == 1 else "people"
    if tq.colour_words:
        # "how many speakers wear red?": the shots whose faces' looks have those colours (the top
        # they wear; their hair when the question is about hair)
        hair = "hair" in tq.subject.lower()
        every = shots
        shots = [h for h in shots if _looks_have(h.text, tq.colour_words, hair=hair)]
        n = sum(int(h.meta.get("faces") or 0) for h in shots)
        noun = (f"{'person' if n == 1 else 'people'} with {'/'.join(tq.colour_words)} hair" if hair
                else _noun(tq, n))
        if not shots:
            total = sum(int(h.meta.get("faces") or 0) for h in every)
            text = (f"0 {noun} in {name}; it shows {total} {'person' if total == 1 else 'people'}, counted as faces "
                    f"per shot: " + "; ".join(f"shot {int(h.meta.get('shot', 0)) + 1} {fmt_span(h.start, h.end)}: "
                                               f"{h.text.split('; ', 1)[-1][:120]}" for h in every[:12]))
            hit = Hit(video=vpath, start=every[0].start, end=every[-1].end, score=1.0, text=text, kind="segment:count",
                      meta={"video_id": vid, "count": 0})
            return TemporalAnswer(tq, vid, vpath, [], Moment(vpath, every[0].start, every[-1].end, 1.0, [hit]), text)
    n = sum(int(h.meta.get("faces") or 0) for h in shots)
    text = (f"{n} {noun} in {name}, counted as faces per shot ({len(shots)} "
            f"{'shot shows' if len(shots) == 1 else 'shots show'} faces; "
            f"without face recognition the same person in two shots counts twice): "
            + "; ".join(f"shot {int(h.meta.get('shot', 0)) + 1} {fmt_span(h.start, h.end)}: {_faces_word(h)}"
                        for h in shots))
    hit = Hit(video=vpath, start=shots[0].start, end=shots[-1].end, score=1.0, text=text, kind="segment:count",
              meta={"video_id": vid, "count": n})
    return TemporalAnswer(tq, vid, vpath, shots, Moment(vpath, shots[0].start, shots[-1].end, 1.0, [hit] + shots), text)


def _looks_have(text: str, colour_words: list[str], hair: bool = False) -> bool:
    """Whether the face looks in a keyframe or shot text ("1 face (brown hair, wearing red on top)")
    have every colour the words allow: in what they wear on top, or in their hair."""
    from .looks import HAIR_PALETTE, said_hair, said_top

    have = {c for name in said_hair(text) for c in HAIR_PALETTE[name]} if hair else said_top(text)
    return all(any(c in have for c in _COLOUR_WORDS[w]) for w in colour_words)


def _nth_face_shot(toolbox, tq: TemporalQuery, vid: str, vpath: str) -> TemporalAnswer | None:
    """"The third speaker", "the last person" in a video without person events (an edited video of
    people taking turns): the n-th shot that shows a face."""
    shots = sorted(_face_shots(toolbox.store, vid), key=lambda h: h.start)
    pick = _nth(shots, tq.n)
    if pick is None:
        return None
    pos = shots.index(pick) + 1
    text = (f"the {_ordinal_word(tq.n)} person ({pos} of {len(shots)} shots that show faces), "
            f"{fmt_span(pick.start, pick.end)}: {pick.text}")
    return TemporalAnswer(tq, vid, vpath, [pick], _moment(vpath, pick, text, vid), text)


def _faces_word(h: Hit) -> str:
    """"1 face (brown hair, wearing red on top)": a shot's faces as its description has them."""
    n = int(h.meta.get("faces") or 0)
    m = re.search(r"\b\d+ faces? \((?:[^()]|\([^()]*\))*\)", h.text)
    return m.group(0) if m else f"{n} face{'s' if n != 1 else ''}"


def _moment(vpath: str, h: Hit, text: str, vid: str) -> Moment:
    hit = Hit(video=vpath, start=h.start, end=h.end, score=1.0, text=text, kind=h.kind,
              meta={**h.meta, "video_id": vid})
    return Moment(vpath, h.start, h.end, 1.0, [hit])


def _ordinal_word(n: int) -> str:
    if n == -1:
        return "last"
    if n == -2:
        return "second-to-last"
    for w, k in _ORDINAL_WORDS.items():
        if k == n:
            return w
    return f"{n}th"


def count_events(toolbox, query: str, video: str | None = None) -> dict[str, Any]:
    """The `count_events` tool: {"count", "text", "video", "events": [...], "query"}; count None
    when the question names nothing countable or no indexed events fit."""
    tq = parse_temporal(query)
    if tq is None or tq.op != "count":
        cls = _class_of(query)
        tq = TemporalQuery("count", cls=cls, colour_words=_colours_of(query), subject=query,
                           distinct=bool(_DISTINCT.search(query)))
    ans = answer_temporal(toolbox, query, video, tq=tq)
    if ans is None:
        return {"count": None, "text": "no indexed events match this (events exist only for on-screen text "
                                       "and for objects seen by a static camera)", "video": video, "events": [],
                "query": tq.to_json()}
    return ans.to_json()


def video_overview(toolbox, video: str, max_lines: int = 3) -> str:
    """What indexing found in a video, in one line, in time order of first appearance: its shots,
    the texts on screen, the objects tracked by class, the shots with faces, and its first words.
    The overview a summary falls back on when the model's words are not supported."""
    rec = toolbox.store.resolve_video(video)
    segs = toolbox.store.segments_of(rec.video_id)
    shots = [h for h in segs if h.kind == "segment:shot"]
    parts: list[tuple[float, str]] = []
    texts = [h for h in segs if h.kind == "segment:text"]
    if texts:
        parts.append((texts[0].start, "on screen: " + ", ".join(
            f"«{h.meta.get('ocr') or h.text[:40]}» {fmt_time(h.start)}" for h in texts[:4])))
    by_class: dict[str, list[Hit]] = {}
    for h in segs:
        if h.kind == "segment:object":
            by_class.setdefault(str(h.meta.get("class", "object")), []).append(h)
    for cls, hs in by_class.items():
        noun = _noun(TemporalQuery("count", cls=cls), len(hs))
        parts.append((hs[0].start, f"{len(hs)} {noun} tracked {fmt_span(hs[0].start, max(h.end for h in hs))}"))
    faces = [h for h in shots if int(h.meta.get("faces") or 0) > 0]
    if faces:
        parts.append((faces[0].start, f"faces in {len(faces)} shot{'s' if len(faces) != 1 else ''} "
                                      f"{fmt_span(faces[0].start, faces[-1].end)}"))
    said = [h for h in toolbox.get_transcript(rec.path) if h.text.strip()]
    subtitles = [h for h in said if str(h.meta.get("source", "")).startswith("subtitle")]
    said = subtitles or said  # a subtitled stretch is in both; people wrote the subtitles
    if said:
        parts.append((said[0].start, "said: " + " ".join(f"«{h.text.strip()}»" for h in said[:max_lines])
                      + (" …" if len(said) > max_lines else "")))
    looks = [f"{len(shots)} shot{'s' if len(shots) != 1 else ''}"] if shots else []
    if black_and_white(segs):
        looks.append("black and white")
    head = f"{rec.path.rsplit('/', 1)[-1]} ({', '.join([fmt_time(rec.duration) + ' long'] + looks)})"
    return head + ": " + "; ".join(p for _, p in sorted(parts, key=lambda p: p[0])) if parts else head


MAX_SPAN_ITEMS = 6  # events or shots named in the account of a stretch
SPAN_SHOT_REACH = 4.0  # a shot up to this many times the stretch's length is said to be on screen in it


def span_overview(toolbox, video: str, start: float, end: float) -> str:
    """What indexing found between two times of a video ("what happens between 0:10 and 0:20?"):
    the objects and texts on screen then, each with its own times and way across; where none were
    tracked, the shots then; and the words said then. Each item once, in time order."""
    rec = toolbox.store.resolve_video(video)
    name = rec.path.rsplit("/", 1)[-1]
    end = min(end, rec.duration or end)
    if end <= start:
        return f"{name} is only {fmt_time(rec.duration)} long: {fmt_time(start)} is past its end"
    every = toolbox.store.segments_of(rec.video_id)
    segs = [h for h in every if h.start < end and h.end > start]
    events = [h for h in segs if h.kind in ("segment:object", "segment:text")]
    parts = []
    for h in events[:MAX_SPAN_ITEMS]:
        motion = _motion(h)
        parts.append(f"{event_label(h)} {fmt_span(h.start, h.end)}" + (f", {motion}" if motion else ""))
    tracks = any(h.kind == "segment:object" for h in every)
    if not events:
        # what the shots then show; not a shot much longer than the stretch (a static camera's one
        # shot is described from frames far from it)
        for h in (h for h in segs if h.kind == "segment:shot"):
            if len(parts) >= MAX_SPAN_ITEMS:
                break
            inside = min(h.end, end) - max(h.start, start)
            if h.end - h.start > SPAN_SHOT_REACH * (end - start) and inside < 0.5 * (h.end - h.start):
                continue
            what = re.sub(r"^shot \d+;\s*", "", h.text)
            parts.append(f"{h.text.split(';')[0]} {fmt_span(h.start, h.end)}: {what[:160]}")
    if rec.keyframes and not parts:
        parts.append(f"nothing is on screen then (it shows {shown_phrase(shown_in(toolbox, rec.video_id))} at other times)"
                     if tracks else "nothing was tracked on screen")
    words = toolbox.words_between(rec.path, start, end) if rec.chunks else []
    from vidsage.index.chunking import join_words

    said = join_words([w for _, _, w in words])
    parts.append(f"said: «{said}»" if said else "nothing is said")
    return f"{name}, {fmt_span(start, end)}: " + "; ".join(parts)


def black_and_white(segments: list[Hit]) -> bool | None:
    """Whether every shot of a video (its segments) is black and white, as indexing decided it;
    None when it has no shots (no picture)."""
    shots = [h for h in segments if h.kind == "segment:shot"]
    return all("black-and-white picture" in h.text for h in shots) if shots else None


def shown_in(toolbox, video_id: str) -> dict[str, int]:
    """What a video shows, as indexing found it: tracked objects by class ("car": 4, "person": 6),
    "faces": the shots that show faces (the same person may be in several), "text": the texts on
    screen. {} when nothing was found. The video list says it, so "which videos show people?" is
    answered from what was seen, not from the file names."""
    found: dict[str, int] = {}
    for h in toolbox.store.segments_of(video_id):
        if h.kind == "segment:object":
            cls = str(h.meta.get("class", "object"))
            found[cls] = found.get(cls, 0) + 1
        elif h.kind == "segment:text":
            found["text"] = found.get("text", 0) + 1
        elif h.kind == "segment:shot" and int(h.meta.get("faces") or 0) > 0:
            found["faces"] = found.get("faces", 0) + 1
    return found


def shown_phrase(found: dict[str, int]) -> str:
    """"6 people, 4 cars, faces in 7 shots, 2 texts on screen" for `shown_in`'s counts; "" for none."""
    parts = [f"{n} {_noun(TemporalQuery('count', cls=cls), n)}" for cls, n in
             sorted(found.items(), key=lambda kv: -kv[1]) if cls not in ("text", "faces")]
    if found.get("faces"):
        parts.append(f"faces in {found['faces']} shot{'s' if found['faces'] != 1 else ''}")
    if found.get("text"):
        parts.append(f"{found['text']} text{'s' if found['text'] != 1 else ''} on screen")
    return ", ".join(parts)
