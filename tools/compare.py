"""Comparisons the index can work out: more X or Y, which video has more X, which is longer.

"Are there more cars or people?", "do more cars drive up or down?", "which has more speakers, grid
or friday?", "is the room video longer than the car video?". Each side is a count worked out over
the events (`temporal.count_events`, the same count "how many cars?" gets) or a length from the
video list; the answer gives both numbers and says which is more. The model had answered these
from whichever events the search showed it ("more cars than people", of 4 cars and 6 people).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from vidsage.types import fmt_time

from . import lexical
from .temporal import _ordinal_word, count_events, parse_temporal

_END = r"\s*[?.!]*\s*$"
_VIDEO = r"(?:video|clip|file|recording|one)\s+"
# "is the room video longer than the car video?"
_IS_LONGER = re.compile(r"^\s*is\s+(?P<a>.+?)\s+(?P<cmp>longer|shorter)\s+than\s+(?P<b>.+?)" + _END, re.I)
# "which is longer, the bunny video or the car video?", "which video is shorter: jfk or french?"
_WHICH_LONGER = re.compile(r"^\s*which\s+(?:" + _VIDEO + r")?is\s+(?P<cmp>longer|shorter)\s*[,:]?\s*(?P<a>.+?)\s+or\s+"
                           r"(?P<b>.+?)" + _END, re.I)
# "which has more speakers, grid or friday?"
_WHICH_MORE = re.compile(r"^\s*which\s+(?:" + _VIDEO + r")?(?:has|have|shows?|contains?|features?)\s+(?P<cmp>more|fewer|less)\s+"
                         r"(?P<x>.+?)\s*[,:]\s*(?P<a>.+?)\s+or\s+(?P<b>.+?)" + _END, re.I)
# "does the car video have more cars than the room video (has people)?"
_DOES_MORE = re.compile(r"^\s*(?:does|do|did)\s+(?P<a>.+?)\s+(?:have|show|contain|feature)\s+(?P<cmp>more|fewer|less)\s+"
                        r"(?P<x>.+?)\s+than\s+(?P<b>.+?)(?:\s+(?:has|have|shows?|does)(?:\s+(?P<y>.+?))?)?" + _END, re.I)
# "are there more cars or people (in my videos)?", "are there more people than cars?"
_MORE_THERE = re.compile(r"^\s*(?:are|were|is|was)\s+there\s+(?P<cmp>more|fewer|less)\s+(?P<x>.+?)\s+(?P<or>or|than)\s+"
                         r"(?P<y>.+?)(?:\s+(?:in|across|on)\s+(?P<where>[^?]+?))?" + _END, re.I)
# "are there more than five people (in the room video)?"
_MORE_THAN_N = re.compile(r"^\s*(?:are|were)\s+there\s+(?P<cmp>more|fewer|less)\s+than\s+(?P<n>\d+|[a-z]+)\s+(?P<x>.+?)"
                          r"(?:\s+(?:in|across|on)\s+(?P<where>[^?]+?))?" + _END, re.I)
_NUMBERS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve".split())}
# "do more cars drive up or down (in the car video)?"
_MORE_MOVING = re.compile(r"^\s*(?:do|did)\s+more\s+(?P<x>\w+)\s+(?P<verb>\w+)\s+(?P<a>up|down|left|right)(?:wards?)?\s+"
                          r"(?P<or>or|than)\s+(?P<b>up|down|left|right)(?:wards?)?(?:\s+(?:in|across|on)\s+(?P<where>[^?]+?))?"
                          + _END, re.I)
# "which video has the most people?", "which clip has the fewest shots?"
_WHICH_MOST = re.compile(r"^\s*(?:which|what)\s+(?:video|clip|file|recording|one)s?\s+(?:has|have|shows?|contains?|features?)\s+"
                         r"the\s+(?P<cmp>most|fewest|least)\s+(?P<x>.+?)" + _END, re.I)
_SHOTS = re.compile(r"^(?:shots?|scenes?|cuts?|scene changes?)$", re.I)
# "what is the most common car colour?", "how many different colours of cars are there?"
_COLOUR_STATS = re.compile(r"^\s*(?:(?P<most>what(?:'s|\s+is|\s+was)\s+the\s+most\s+common\s+)(?:colou?r\s+(?:of|for|among)\s+"
                           r"(?:the\s+)?(?P<x>\w+)|(?P<x2>\w+)\s+colou?r)|how\s+many\s+(?:different\s+)?colou?rs\s+"
                           r"(?:of|do|are|for)\s+(?:the\s+)?(?P<x3>\w+))\b.*?(?:\s+in\s+(?P<where>[^?]+?))?" + _END, re.I)
# how an event names its thing's colour: "a grey/white car enters ...", "a person dressed in black"
_EVENT_COLOUR = re.compile(r"\ba (?:person dressed in )?(?P<c>[a-z]+(?:/[a-z]+)*) (?:\w+ )?(?:enters|appears|is seen|\()")
_ASKS = (_IS_LONGER, _WHICH_LONGER, _WHICH_MORE, _DOES_MORE, _COLOUR_STATS, _WHICH_MOST, _MORE_MOVING, _MORE_THAN_N,
         _MORE_THERE)
_COUNTED = {"person", "car", "vehicle", "truck", "bus", "bicycle", "motorbike", "text"}
_SEX_WORDS = set("man men woman women male males female females boy boys girl girls lady ladies guy guys".split())
_WAY = {"up": "upwards", "down": "downwards", "left": "to the left", "right": "to the right"}
# "in my videos", "across the library": every video, not one named
_EVERY = re.compile(r"^(?:(?:all\s+)?(?:my|the|these|those|all)\s+)?(?:videos|clips|files|recordings|library)$", re.I)


@dataclass
class Side:
    """One side of a comparison: what was counted or measured, the number, how it was found."""

    what: str  # "people", "cars drive upwards", or a video's file name
    n: float
    told: list[str]  # each count's head ("4 cars in car-detection.mp4"), or the length
    cited: list[tuple[str, float, float]] = field(default_factory=list)  # (video, start, end)

    def said(self) -> str:
        if len(self.told) == 1:
            return self.told[0]
        return f"{self.n:g} {self.what} ({'; '.join(self.told)})"


@dataclass
class Comparison:
    answer: str
    sides: list[Side]


def compare(toolbox, question: str, video: str | None = None) -> Comparison | None:
    """The comparison a question asks for, worked out; None when it asks none (or a side cannot be
    counted: then the usual search answers)."""
    q = question.strip()
    if not any(p.match(q) for p in _ASKS):
        return None  # every question is asked this first: no store work for the ones that compare nothing
    records = {r.path: r for r in toolbox.store.done_videos().values()}
    done = [{"video": v} for v in records]

    def named(phrase: str) -> str | None:
        # each side is a reference to a video, so "grid" there is "the grid video"
        hit = lexical.named_video(phrase, done) or lexical.named_video(f"{phrase} video", done)
        return hit["video"] if hit else None

    if m := (_IS_LONGER.match(q) or _WHICH_LONGER.match(q)):
        a, b = named(m.group("a")), named(m.group("b"))
        if not a or not b or a == b:
            return None
        sides = [Side(Path(v).name, records[v].duration or 0.0, [fmt_time(records[v].duration or 0.0)],
                      [(v, 0.0, records[v].duration or 0.0)]) for v in (a, b)]
        return _verdict(sides, m.group("cmp").lower(), "long", yes_no=bool(_IS_LONGER.match(q)))
    if m := (_WHICH_MORE.match(q) or _DOES_MORE.match(q)):
        a, b = named(m.group("a")), named(m.group("b"))
        if not a or not b or a == b:
            return None
        y = m.groupdict().get("y") or m.group("x")
        sides = [_counted(toolbox, m.group("x"), a), _counted(toolbox, y, b)]
        if None in sides:
            return None
        for side, v in zip(sides, (a, b)):
            side.what = Path(v).name
        return _verdict(sides, m.group("cmp").lower(), "many", yes_no=bool(_DOES_MORE.match(q)), videos=True)
    if m := _COLOUR_STATS.match(q):
        return _colours_counted(toolbox, m.group("x") or m.group("x2") or m.group("x3"), bool(m.group("most")),
                                _where(m.group("where"), video, named))
    if m := _WHICH_MOST.match(q):
        return _most_of(toolbox, m.group("x").strip(), m.group("cmp").lower(), records)
    if m := _MORE_MOVING.match(q):
        where = _where(m.group("where"), video, named)
        x, verb = m.group("x"), m.group("verb")
        sides = [_counted_in(toolbox, f"{x} {verb} {_WAY[m.group(k).lower()]}", where, records) for k in ("a", "b")]
        if None in sides:
            return None
        for side, k in zip(sides, ("a", "b")):  # a count's head does not say which way: "2 cars drive upwards in X"
            side.told = [re.sub(r"^(\d+ \S+)", lambda h: f"{h.group(1)} {verb} {_WAY[m.group(k).lower()]}", t, count=1)
                         for t in side.told]
        return _verdict(sides, "more", "many", yes_no=m.group("or").lower() == "than")
    if (m := _MORE_THAN_N.match(q)) and (n := _number(m.group("n"))) is not None:
        side = _counted_in(toolbox, m.group("x"), _where(m.group("where"), video, named), records)
        if side is None:
            return None
        fewer = m.group("cmp").lower() != "more"
        yes = side.n < n if fewer else side.n > n
        return Comparison(f"{'Yes' if yes else 'No'}: {side.said()}.", [side])
    if m := _MORE_THERE.match(q):
        where = _where(m.group("where"), video, named)
        x, y = m.group("x"), m.group("y")
        if countable(x) and not countable(y) and countable(f"{x.split()[0]} {y}"):
            y = f"{x.split()[0]} {y}"  # "more people in black or in grey?": people in grey
        sides = [_counted_in(toolbox, w, where, records) for w in (x, y)]
        if None in sides:
            return None
        return _verdict(sides, m.group("cmp").lower(), "many", yes_no=m.group("or").lower() == "than")
    return None


def _number(word: str) -> int | None:
    """5 for "5" or "five"; None for a word that is no number."""
    return int(word) if word.isdigit() else _NUMBERS.get(word.lower())


def _pictured(records: dict) -> list[str]:
    """The videos with a picture, in name order: nothing is seen in audio."""
    return sorted(v for v, rec in records.items() if rec.keyframes)


def _where(phrase: str | None, video: str | None, named) -> str | None:
    """The video a comparison is in: the one named, else None for every video."""
    if video:
        return video
    if not phrase or _EVERY.match(phrase.strip()):
        return None
    # "in the room": a place no file name says; every video's count, each said, answers it
    return named(phrase)


def _most_of(toolbox, what: str, cmp: str, records: dict) -> Comparison | None:
    """The video with the most (fewest) of something countable, or of shots; the next ones after it."""
    if _SHOTS.match(what):
        sides = []
        for v, rec in sorted(records.items()):
            shots = [h for h in toolbox.store.segments_of(rec.video_id) if h.kind == "segment:shot"]
            if shots:  # audio has no shots to count
                n = len(shots)
                sides.append(Side(Path(v).name, float(n), [f"{n} shot{'s' if n != 1 else ''} in {Path(v).name}"],
                                  [(v, shots[0].start, shots[-1].end)]))
    else:
        sides = []
        for v in _pictured(records):
            side = _counted(toolbox, what, v)
            if side is not None:
                side.what = Path(v).name
                sides.append(side)
    if len(sides) < 2:
        return None
    fewest = cmp in ("fewest", "least")
    ranked = sorted(sides, key=lambda s: s.n if fewest else -s.n)
    top = [s for s in ranked if s.n == ranked[0].n]
    rest = [s for s in ranked if s.n != ranked[0].n]
    head = (f"{top[0].what} has" if len(top) == 1 else f"{', '.join(s.what for s in top[:-1])} and {top[-1].what} have") \
        + f" the {'fewest' if fewest else 'most'} {what}"
    told = "; ".join(t for s in top for t in s.told)
    rest = [s for s in rest if s.n > 0 or fewest]
    after = ("; then " + "; ".join(t for s in rest[:3] for t in s.told)) if rest else ""
    return Comparison(f"{head}: {told}{after}.", top + rest[:1])


def _colours_counted(toolbox, what: str, most: bool, video: str | None) -> Comparison | None:
    """The colours things of a class are read in, each with how many: the most common one, or how
    many different ones. Only where they are tracked as events (a static camera): a colour read is
    the event's own ("a grey/white car" reads either way, and is kept as read)."""
    if not countable(what):
        return None
    got = count_events(toolbox, f"how many {what}", video)
    events = got.get("events") or []
    colours: dict[str, list[int]] = {}
    for i, e in enumerate(events, 1):
        c = _EVENT_COLOUR.search(str(e.get("text", "")))
        if c:
            colours.setdefault(c.group("c"), []).append(i)
    if not colours or got.get("count") is None:
        return None
    where = str(got.get("video") or video or "")
    ranked = sorted(colours.items(), key=lambda kv: (-len(kv[1]), kv[1][0]))
    each = "; ".join(f"{c} {len(ns)} ({', '.join(_ordinal_word(n) for n in ns)})" for c, ns in ranked)
    head = str(got["text"]).split(":", 1)[0]
    if most:
        top = [c for c, ns in ranked if len(ns) == len(ranked[0][1])]
        said = f"{' and '.join(top)}: {each}, of {head}"
    else:
        said = f"{len(ranked)} colour{'s' if len(ranked) != 1 else ''}: {each}, of {head}"
    side = Side(what, float(len(ranked)), [said], [(where, e["start"], e["end"]) for e in events[:3]] if where else [])
    return Comparison(said[0].upper() + said[1:] + ".", [side])


def countable(what: str) -> bool:
    """Whether the index counts this: people (tracked, or faces per shot), vehicles, texts on
    screen. Not animals (tracked only by a static camera: a cartoon's bird counts 0) and not by sex
    (nothing here tells women from men), and not what it has no class for ("trees")."""
    tq = parse_temporal(f"how many {what}")
    return (tq is not None and tq.op == "count" and tq.cls in _COUNTED
            and not (set(lexical.tokens(what, drop_stopwords=False)) & _SEX_WORDS))


def _counted(toolbox, what: str, video: str) -> Side | None:
    if not countable(what):
        return None
    got = count_events(toolbox, f"how many {what}", video)
    if got.get("count") is None:
        return None
    text = str(got["text"])
    head = text.split(":", 1)[0] if ":" in text else text.split(";", 1)[0]  # "4 cars in car-detection.mp4"
    return Side(what.strip(), float(got["count"]), [head],
                [(video, e["start"], e["end"]) for e in got.get("events", [])[:3]] or [(video, 0.0, 0.0)])


def _counted_in(toolbox, what: str, video: str | None, records: dict) -> Side | None:
    """A count in one video, or summed over every video where it can be counted."""
    if video is not None:
        return _counted(toolbox, what, video)
    pictured = _pictured(records)
    if not countable(what) or not pictured:
        return None
    each = [s for v in pictured if (s := _counted(toolbox, what, v)) is not None and s.n > 0]
    if not each:
        return Side(what.strip(), 0.0, [f"0 {what.strip()}"], [])
    return Side(what.strip(), sum(s.n for s in each), [t for s in each for t in s.told],
                [c for s in each for c in s.cited[:1]])


def _verdict(sides: list[Side], cmp: str, scale: str, yes_no: bool, videos: bool = False) -> Comparison:
    """The answer: which side is more (fewer, longer, shorter), with both numbers. `yes_no` for
    "is A longer than B?", "are there more X than Y?"; `videos` when each side is a video."""
    a, b = sides
    fewer = cmp in ("fewer", "less", "shorter")
    first = (a.n > b.n) != fewer  # the first side is the answer
    if scale == "long":
        # 00:30 and 00:30 for 30.0 s and 30.2 s would not say which is longer
        length = fmt_time if fmt_time(a.n) != fmt_time(b.n) else (lambda n: f"{n:.1f} s")
        told = f"{a.what} is {length(a.n)} long, {b.what} {length(b.n)}"
        word = "shorter" if fewer else "longer"
        if a.n == b.n:
            return Comparison(f"{'No' if yes_no else 'Neither'}: both are {fmt_time(a.n)} long.", sides)
        head = ("Yes" if first else "No") if yes_no else f"{(a if first else b).what} is {word}"
        return Comparison(f"{head}: {told}.", sides)
    told = f"{a.said()} against {b.said()}"
    word = "fewer" if fewer else "more"
    if a.n == b.n:
        head = "No: the same number" if yes_no else "Neither: the same number"
    elif yes_no:
        head = "Yes" if first else "No"
    else:
        winner = a if first else b
        head = f"{winner.what} has {word}" if videos else f"{word.capitalize()} {winner.what}"
    return Comparison(f"{head}: {told}.", sides)


__all__ = ["compare", "Comparison", "Side"]
