"""Deterministic first routing: which tool a question needs, from its wording.

A regex costs microseconds and is right for the plain cases; only questions it cannot place (no cue,
or cues for both speech and picture) go to the LLM, which chooses among all tools under a JSON
schema. "When" questions go to the fast path (`find_moments`) whatever else they mention.
"""

from __future__ import annotations

import re
from pathlib import Path
from dataclasses import dataclass, field
from typing import Any

from vidsage.tools import lexical
from vidsage.tools.lexical import time_in
from vidsage.tools.relative import (asks_for_questions, parse_relative, parse_who_next, parse_said_count, parse_said_during, parse_seen_when_said,
                                    parse_who_talks, speaker_by_order, speaker_by_sight)
from vidsage.tools.temporal import parse_temporal, title_asked

_WHEN = re.compile(
    r"^\s*(when\b|at what (point|time|moment|minute|second)\b|where in the (video|clip|film|talk|recording|audio|movie)\b|"
    r"what time\b|(at )?which (point|moment|minute|second|timestamp)\b|how (far|long) into\b|"
    r"find the (moment|part|point|time)\b|(find|show me|tell me|jump to|skip to|go to|take me to) (the moment )?when\b|"
    r"show me (the moment|where)\b|timestamp\b|(in )?which part of the (video|clip|film|talk|recording|audio|movie)\b)"
    r"|\b(at what (point|time|moment)|what timestamp|at which (point|moment|time))\b", re.I)
_NOT_WHEN = re.compile(r"\bwhat time (does|is|did|was) (it|the (clock|watch))\b|\b(clock|watch) (say|show|read)|"
                       r"^\s*when\b[^?]*,\s*(what|who|which|how|is|are|does|do|did)\b", re.I)  # "when X, what Y?"
_SAID = re.compile(
    r"\b(say|says|said|saying|mention\w*|talk\w* about|talking|talked|speak\w*|spoke|tell\w*|told|ask\w*|quote\w*|words?|"
    r"announce\w*|shout\w*|discuss\w*|explain\w*|claim\w*|promis\w*|call\w* (?:out|for)|greet\w*|"
    r"opening line|first line|last line|sentence|phrase|language|dialogue|conversation|speech|voice)\b|[\"“”]", re.I)
_SEEN = re.compile(
    r"\b(colou?rs?|wear\w*|look\w* like|appear\w*|shown|on[- ]screen|see|seen|visible|in the (frame|picture|shot|image)|"
    r"how many (people|persons|cars|vehicles|faces)|sign|logo|title\w*|text|written|background|clothes|hat|shirt|"
    r"jacket|room|table|wall|animal|bird|tree|sky|weather|vehicle|car|cars)\b", re.I)
# what a written thing "says" is read on screen
_TEXT_SAYS = re.compile(r"\b(?:text|writing|sign|caption|title|slide|banner|label|board|poster|screen|subtitle)s?\b"
                        r"[^?]*?\b(?:say|says|said|read|reads)\b", re.I)
_EVENT = re.compile(r"\b(happen\w*|enter\w*|leav\w*|walk\w*|driv\w*|pass\w*|arriv\w*|cut|cuts|scene\w*|shot)\b", re.I)
_SUMMARY = re.compile(r"\b(summar\w*|overview|gist|main points?|"
                      r"what(?:'s| is| was) (?:this|the|that|my)\s+(?:[\w.\-]+\s+){0,3}?(?:video|clip|talk|recording|film|"
                      r"movie|file|audio|speech|lecture|interview|song)\s+about|"
                      r"what happens (in|during)\b(?!.{0,40}\b(after|before|when|while)\b)|what goes on\b|"
                      r"what is going on in\b|"
                      r"what (are|is) (they|he|she|it) talking about|transcript|recap)\b", re.I)
_DESCRIBE = re.compile(r"\b(describe|what('s| is) (in|on) (the )?(picture|frame|image|screen|scene|shot)|"
                       r"what (does|do) (the |this )?(video|clip|film|scene|footage|picture) show|what can (you|i|we) see|"
                       r"what is shown)\b", re.I)
_LIST = re.compile(r"\b((which|what) (?:video |audio |media |sound )?(videos|files|recordings|clips)|list (the |my |all )?(videos|files)|"
                   r"(which|what) (video|file|recording|clip|film|movie) (is|was) (the )?(longest|shortest)|"
                   r"(longest|shortest) (video|file|recording|clip|film|movie)|"
                   r"how many (videos|files|clips|(different )?languages)|what do i have|"
                   r"(what|which) languages?\b(?! (does|do|did|is|was) (the )?(\w+ )?(say|said|mean)))\b", re.I)
# "how long is the video?" (not "how long is the red car on screen?": that is an event's length)
LENGTH_ASK = re.compile(r"\bhow long (?:is|are|was|were|does)\b(?:\s+(?:the|this|that|these|each|every|my|all|it))*"
                        r"(?:\s+[\w.-]+)?\s*(?:video|videos|clip|clips|film|films|movie|recording|recordings|file|"
                        r"files|it)\b(?!\s+(?:on screen|shown|visible|take|stay))|"
                        r"\b(?:duration|length|runtime|running time) of (?:the |this |that |each |every |my |all |of )*"
                        r"(?:[\w.-]+\s+)?(?:video|videos|clip|clips|film|films|movie|recording|recordings|file|files)\b", re.I)
# "what's the resolution of the car video?": what the list says of each file (its streams)
_FILE_FACTS = re.compile(r"\b(resolution|codecs?|file (?:format|type|size)|(?:video|audio|container) format|"
                         r"what format|frame ?rate|fps|dimensions|aspect ratio|audio track|sound ?track|"
                         r"encoded|encoding)\b", re.I)
# "which video has the most speech?", "… the least talking?": the list's, from each transcript
MOST_SPEECH = re.compile(r"\b(most|least)\s+(?:speech|talking|speaking|words|dialogue|spoken)\b|"
                         r"\b(?:talks?|speaks?|said|spoken)\s+(?:the\s+)?(most|least)\b", re.I)
# "how long does the third person stay?", "how many seconds is the red car on screen?": an event's
# length (not the video's: LENGTH_ASK)
STAY_ASK = re.compile(r"\bhow (?:long|many (?:seconds|secs|minutes|mins))\b.*\b(?:stay\w*|remain\w*|on[- ]screen|"
                      r"visible|in (?:the )?(?:room|frame|shot|view|picture|scene)|there|present|last|lasts)\b", re.I)
# "which videos mention / talk about X?" asks what is said, not what the list holds
_SAYS_ABOUT = re.compile(r"\b(mention\w*|says?|said|talks? about|talked about|discuss\w*|speaks? about|refers? to)\b", re.I)
_WHICH_VIDEOS_LEAD = re.compile(r"^\s*(?:in )?(?:which|what) (?:videos?|files?|recordings?|clips?)\s+(?:do(?:es)?\s+)?", re.I)
_VIDEOS_WITH = re.compile(r"\b(?:videos?|clips?|files?|recordings?) (?:with|that|where|in which|containing)\b", re.I)


def asks_about_library(question: str) -> bool:
    """Whether a question is about the video list itself: "which videos show people?", "list the
    clips in French", "which video is the longest?", "videos with English speech"."""
    return bool(_LIST.search(question) or _WHICH_VIDEO.search(question) or _VIDEOS_WITH.search(question))


# "which video has no sound?": the list says which have an audio track and speech
SILENT_ASK = re.compile(r"\b(?:no|without(?: any)?) (?:sound|audio)\b|\b(?:silent|mute|muted)\b", re.I)
_VIDEO_WORD = re.compile(r"\b(videos?|clips?|files?|recordings?)\b", re.I)
_WHEN_ASK = re.compile(r"^\s*(?:when|where|at what)\b", re.I)
# "in which video does someone speak German?": the list says which languages each video speaks
_WHICH_VIDEO = re.compile(r"\b(which|what) (video|file|recording|clip)s?\b", re.I)

# Question scaffolding that is not content: removing it makes the search query match on content words.
_LEAD = re.compile(
    r"^\s*(please\s+)?(tell me\s+)?(what|which|who|how|why)\s+(does|did|do|is|are|was|were)\s+"
    r"(the\s+)?((speaker|narrator|presenter|host|he|she|they|it|someone|anyone|man|woman|person)\b"
    r"(?!\s+(in|with|wearing|who|that|dressed|from|at|near|next|holding|on)\b))?\s*"
    r"(?:(say|said|talk|talks|mention|mentions|speak|speaks)\b)?\s*(?:(about|of|on)\b)?\s*", re.I)


@dataclass
class Route:
    kind: str  # "when" | "said" | "said_at" | "seen" | "event" | "describe" | "summary" | "list" | "ambiguous"
    tool: str | None  # the first tool, or None when the LLM must choose
    args: dict[str, Any] = field(default_factory=dict)
    by: str = "regex"  # "regex" | "llm"

    @property
    def fast(self) -> bool:
        return self.kind == "when"


# words that point at a video or its speaker but say nothing about content
_POINTERS = frozenset("""speaker speakers narrator presenter voice clip clips video videos recording recordings audio
file track film movie footage talk say says said saying spoken speak speaks speaking language man woman person
people someone one first last talking who translate translated translation transcribe transcript mean means meaning english""".split())


def asks_for_all_speech(question: str, video: str | None = None) -> bool:
    """'What does the French speaker say?', 'What is said in the Mandarin clip?': the question names
    no content to search for, only a video (by language or name; `video`, when the question names
    one, by the words of its file name): its transcript is the answer."""
    named = set(lexical.name_words(Path(video).stem)) if video else set()
    rest = [t for t in lexical.tokens(question) if t not in _POINTERS and t not in lexical.LANGUAGE_NAMES
            and t not in named]
    return not rest


def content_query(question: str) -> str:
    """The question without its scaffolding ("what does the speaker say about"), for searching."""
    q = _LEAD.sub("", question).strip(" ?.!")
    return q if len(q) >= 2 else question.strip(" ?.!")


def route(question: str, video: str | None = None) -> Route:
    q = question.strip()
    if _WHEN.search(q) and not _NOT_WHEN.search(q):
        return Route("when", "find_moments", {"query": q, "video": video})
    if _LIST.search(q) and _SAYS_ABOUT.search(q) and not lexical.languages_named(q):
        # "which videos mention the president?": a search of what is said, over every video
        return Route("said", "search_transcript", {"query": content_query(_WHICH_VIDEOS_LEAD.sub("", q)), "video": video})
    if _LIST.search(q) or LENGTH_ASK.search(q) or _FILE_FACTS.search(q) or \
            (_WHICH_VIDEO.search(q) and (lexical.languages_named(q) or MOST_SPEECH.search(q))) or \
            (SILENT_ASK.search(q) and _VIDEO_WORD.search(q) and not _WHEN_ASK.match(q)):
        return Route("list", "list_videos", {})
    if _SUMMARY.search(q):
        # a transcript needs one video; without one, the LLM picks it after seeing the list
        if video:
            return Route("summary", "get_transcript", {"video": video, "start": 0.0, "end": None})
        return Route("summary", "list_videos", {})
    said, seen, event = bool(_SAID.search(q)), bool(_SEEN.search(q)), bool(_EVENT.search(q))
    if STAY_ASK.search(q):
        # how long something is seen: its event's bounds, which only find_moments consults
        return Route("event", "find_moments", {"query": q, "video": video})
    if parse_temporal(q) is not None:
        # "what colour is the car that drives up first?", "how many people walk in?": first / last /
        # n-th / count / while are worked out over the event list, which only find_moments consults
        return Route("event", "find_moments", {"query": q, "video": video})
    if asks_for_questions(q):
        # "what is the first question in the friday clip?": the sentences said with a question mark
        return Route("said", "find_moments", {"query": q, "video": video})
    if (said or parse_who_next(q)) and (parse_who_talks(q) or any(f(q) is not None for f in (
            parse_who_next, parse_relative, speaker_by_sight, speaker_by_order, parse_said_count, parse_said_during,
            parse_seen_when_said))):
        # "what does she ask right after how are you?", "what does the man in the red shirt say?":
        # find_moments answers these over the timed transcript and the picture
        return Route("said", "find_moments", {"query": q, "video": video})
    at = time_in(q)
    if at is not None and (said or not (seen or event or _DESCRIBE.search(q))) and not parse_relative(q) \
            and not _TEXT_SAYS.search(q):  # "what does the on-screen text say at 0:21?" is read, not heard
        # "what is said at 0:08?", "what are the last words?": the words at that point (the loop
        # picks the video and turns "start"/"end" into times)
        return Route("said_at", "get_transcript", {"video": video, "at": at})
    if _DESCRIBE.search(q) or at is not None:
        # describe a frame: at the time the question names, else the loop picks the video and time
        return Route("describe", "caption_frame", {"video": video, "t": at})
    if title_asked(q):
        # "what is the name of the film?": the on-screen text in the largest letters, which only
        # find_moments works out (over the text events)
        return Route("seen", "find_moments", {"query": q, "video": video})
    query = content_query(q)
    if said and not (seen or event):
        if asks_for_all_speech(q, video):  # the loop picks the video (named, by language, or the only one)
            return Route("summary", "get_transcript" if video else "list_videos",
                         {"video": video, "start": 0.0, "end": None} if video else {})
        return Route("said", "search_transcript", {"query": query, "video": video})
    if seen and not said:
        return Route("seen", "search_frames", {"query": query, "video": video})
    if event and not said:
        return Route("event", "search_segments", {"query": query, "video": video})
    # no cue either way (or cues for both): search speech and picture together first; the LLM
    # plans further only if that finds nothing strong (its own query words missed "stolen" for "steal")
    return Route("ambiguous", "find_moments", {"query": query, "video": video})


__all__ = ["Route", "route", "content_query", "time_in", "asks_about_library"]
