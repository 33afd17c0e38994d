"""Does a described person look like the one a question asks for: hair and clothing colours.

Users pick people out by how they look ("the woman with curly grey hair", "the man in the black
T-shirt"). Text similarity alone weighs those words like any others, so a frame that says "dark
hair ... colours: grey" matches "grey hair" about as well as one that says "grey hair". Here the
colours the question gives for hair, for what is worn on top and below are compared with the ones a
frame, shot or object event states for them (`index/appearance.py` and `index/events.py` write
those phrases): agreeing raises a hit's score, disagreeing lowers it, saying nothing leaves it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from vidsage.labels import COLOUR_WORDS
from vidsage.types import Hit

AGREE = 1.2
DISAGREE = 0.75  # hair and clothes: lighting and pose often misread them, so a clash only weighs
DISAGREE_THING = 0.5  # a vehicle or animal of another colour than asked is not the one asked about
_VEHICLE_CLASSES = {"car", "truck", "bus", "bicycle", "motorbike", "boat", "plane", "train"}

# question words for colours ("dark" is read as hair here, not as a colour of clothes or things)
_COLOUR = {w: names for w, names in COLOUR_WORDS.items() if w != "dark"}
_HAIR = {"black": "dark", "dark": "dark", "brown": "brown", "brunette": "brown", "blonde": "blonde", "blond": "blonde",
         "fair": "blonde", "red": "red", "ginger": "red", "auburn": "red", "grey": "grey", "gray": "grey",
         "white": "grey", "silver": "grey"}
_NEAR_HAIR = {frozenset(("dark", "brown"))}  # the indexer's own boundary is soft here: neither agrees nor clashes
_TOP = r"(?:shirt|t-shirt|tshirt|top|jacket|coat|sweater|jumper|cardigan|hoodie|blouse|dress|suit|vest|jersey|uniform)"
_LOWER_WORDS = "trousers|pants|jeans|skirt|shorts|leggings"
_LOWER = r"(?:" + _LOWER_WORDS + ")"
_JEANS = re.compile(r"\b(?:jeans|denims)\b", re.I)
_WORD = r"(?:[\w-]+\s+){0,2}?"  # up to two words between a colour and its noun: "grey striped top"

_ASK_HAIR = re.compile(r"\b(" + "|".join(_HAIR) + r")(?:[- ]haired\b|\s+" + _WORD + r"hair\b)", re.I)
_ASK_HAIR_AFTER = re.compile(r"\bhair\s+(?:that is|which is|is)?\s*(" + "|".join(_HAIR) + r")\b", re.I)
# hair words that stand alone before a person: "the blonde woman", "a ginger boy"
_ASK_HAIR_PERSON = re.compile(r"\b(blonde|blond|brunette|ginger|redheaded|redhead)\b", re.I)
_ASK_TOP = re.compile(r"\b(" + "|".join(_COLOUR) + r")\s+" + _WORD + _TOP + r"s?\b", re.I)
_ASK_LOWER = re.compile(r"\b(" + "|".join(_COLOUR) + r")\s+" + _WORD + _LOWER + r"\b", re.I)
_ASK_WEARING = re.compile(r"\b(?:wearing|dressed in|in)\s+(?:all\s+)?(" + "|".join(_COLOUR) + r")\b(?!\s+" + _WORD
                          + r"(?:" + _LOWER_WORDS + r"|hair|car|light|wall|room))", re.I)

# what the index says
def _colours(word: str) -> list[str]:
    return _COLOUR[word]
_SAYS_HAIR = re.compile(r"\b(dark|brown|blonde|red|grey)(?: \([^)]*\))? hair\b")
_SAYS_TOP = re.compile(r"\b(?:wearing|wears) ([a-z/]+) on top\b")
_SAYS_LOWER = re.compile(r"\b([a-z/]+) below\b")
_SAYS_DRESSED = re.compile(r"\bperson dressed in ([a-z/]+)")


# an object event's own words ("object event 3 of 4 in this video: a red car enters ...")
_SAYS_THING = re.compile(r"\bin this video: an? ([a-z/]+) ([a-z]+)\b")


@dataclass
class Looks:
    hair: str | None = None
    top: list[str] = field(default_factory=list)
    lower: list[str] = field(default_factory=list)
    things: dict[str, list[str]] = field(default_factory=dict)  # event class -> colours ("car": ["blue"])

    def __bool__(self) -> bool:
        return bool(self.hair or self.top or self.lower or self.things)


def looks_asked(question: str) -> Looks:
    """`asked_looks`, unless the looks check is switched off (VIDSAGE_LOOKS=0, for ablations)."""
    import os

    return asked_looks(question if os.environ.get("VIDSAGE_LOOKS", "1") not in ("0", "false", "no") else "")


def asked_looks(question: str) -> Looks:
    """The hair colour and clothing colours a question describes someone by (empty when none)."""
    q = question.lower()
    looks = Looks()
    m = _ASK_HAIR.search(q) or _ASK_HAIR_AFTER.search(q)
    if m:
        looks.hair = _HAIR[m.group(1)]
    elif (m := _ASK_HAIR_PERSON.search(q)):
        looks.hair = _HAIR.get(m.group(1), "red")
    looks.top = list(dict.fromkeys(x for c in _ASK_TOP.findall(q) for x in _colours(c)))
    looks.lower = list(dict.fromkeys(x for c in _ASK_LOWER.findall(q) for x in _colours(c)))
    if not looks.lower and _JEANS.search(q):
        looks.lower = ["blue"]  # "the man in jeans": jeans with no colour given are blue denim
    if not looks.top:
        worn = [c for c in _ASK_WEARING.findall(q)
                if _COLOUR[c][0] not in looks.lower and not (looks.hair and _HAIR.get(c) == looks.hair)][:1]
        looks.top = [x for c in worn for x in _colours(c)]
    from .temporal import _CLASS_WORDS

    words = re.findall(r"[a-z][\w-]*", q)
    for i, w in enumerate(words):
        if w not in _COLOUR:
            continue
        # "the blue car", "a red sports car": the thing is the next word or the one after
        cls = next((_CLASS_WORDS[n] for n in words[i + 1:i + 3] if n in _CLASS_WORDS), None)
        if cls and cls not in ("person", "text", "*"):
            looks.things.setdefault(cls, []).extend(_colours(w))
    return looks


# the palette names a hair word of the index can be asked by ("dark" hair is black or dark brown)
HAIR_PALETTE = {"dark": ["black", "brown"], "brown": ["brown"], "blonde": ["yellow", "white"], "red": ["red", "orange"],
                "grey": ["grey", "white"]}


def said_hair(text: str) -> set[str]:
    """The hair words a frame, shot or event text states ("brown hair", "grey (white) hair")."""
    return set(_SAYS_HAIR.findall(text))


def said_top(text: str) -> set[str]:
    """The colours a text states for what someone wears on top ("wearing red/black on top", or for
    an object event "person dressed in black")."""
    said = {c for group in _SAYS_TOP.findall(text) for c in group.split("/")}
    return said or {c for group in _SAYS_DRESSED.findall(text) for c in group.split("/")}


def agreement(looks: Looks, hit: Hit) -> float:
    """A factor for a hit's score: AGREE or DISAGREE per described part the hit also states."""
    if not looks or hit.kind == "transcript":
        return 1.0
    text = hit.text
    factor = 1.0
    if looks.hair:
        said = said_hair(text)
        if said:
            if looks.hair in said:
                factor *= AGREE
            elif not any(frozenset((looks.hair, s)) in _NEAR_HAIR for s in said):
                factor *= DISAGREE
    for asked, said in ((looks.top, said_top(text) if looks.top else set()),
                        (looks.lower, {c for group in _SAYS_LOWER.findall(text) for c in group.split("/")})):
        if asked and said:
            factor *= AGREE if any(c in said for c in asked) else DISAGREE
    thing = _SAYS_THING.search(text) if looks.things else None
    if thing:
        from .temporal import _CLASS_WORDS

        cls = _CLASS_WORDS.get(thing.group(2), thing.group(2))
        asked = looks.things.get(cls) or (looks.things.get("vehicle") if cls in _VEHICLE_CLASSES else None)
        if asked:
            # a car's colour is read from many pixels of it: another colour is another car
            factor *= AGREE if set(asked) & set(thing.group(1).split("/")) else DISAGREE_THING
    return factor


# a frame that shows nobody (no face, no clothing tags, no tracked person), for a question about
# someone: it matched on colours or words alone ("colours: grey" of a road for "the grey shirt")
NO_ONE_SEEN = 0.5


def looks_phrase(looks: Looks) -> str:
    """Someone's looks as the index words them for a face ("1 face (grey hair, wearing blue/cyan on
    top)"), to search with; "" when no hair or clothes are given."""
    parts = ([f"{looks.hair} hair"] if looks.hair else []) + \
        ([f"wearing {'/'.join(looks.top)} on top"] if looks.top else [])
    if looks.lower:
        parts.append(f"{'/'.join(looks.lower)} below")
    return f"1 face ({', '.join(parts)})" if parts else ""


# "the person in the grey shirt", "the man with glasses", "who": the question is about someone
_SOMEONE = re.compile(r"\b(who|whom|person|persons|people|man|men|woman|women|guy|guys|girl|boy|lady|someone|somebody|"
                      r"anyone|anybody|speaker|speakers|visitor|visitors|he|she|his|her|they|them|child|kid)\b", re.I)
_SHOWS_SOMEONE = re.compile(r"\bfaces?\b|\bperson\b|\bpeople\b", re.I)


def asks_someone(question: str) -> bool:
    """Whether a question is about a person ("what is the person in the grey shirt doing?")."""
    return bool(_SOMEONE.search(question))


def shows_someone(hit: Hit, person_spans: list[tuple[float, float]]) -> bool:
    """Whether a frame shows someone: a face, clothing tags (a jersey, a suit, jeans), or a time
    inside a tracked person's event (`person_spans`, of the hit's video)."""
    from vidsage.labels import PERSON_LABELS

    text = hit.text.lower()
    if _SHOWS_SOMEONE.search(text) or any(re.search(rf"\b{re.escape(lbl.lower())}\b", text) for lbl in PERSON_LABELS):
        return True
    return any(a - 0.5 <= hit.start <= b + 0.5 for a, b in person_spans)


__all__ = ["Looks", "asked_looks", "looks_asked", "agreement", "said_hair", "said_top", "HAIR_PALETTE", "AGREE",
           "DISAGREE", "DISAGREE_THING", "NO_ONE_SEEN", "asks_someone", "shows_someone", "looks_phrase"]
