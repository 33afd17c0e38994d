"""The agent: route -> (fast path | plan, call tools, read evidence) -> answer with citations.

- Routing: a regex router (agent/router.py) places most questions; the LLM chooses only when it
  cannot. "When" questions take the fast path: `find_moments`, then the LLM only phrases the answer
  from the top moments (re-checking the best two with `caption_frame` / `transcribe_span` when their
  scores are too close to call). A routed search that finds nothing strong is widened once to
  `find_moments` (speech + picture) without an LLM call; questions the router cannot place go
  through the LLM loop, which stops as soon as a call returns strong evidence.
- Tool calls: the LLM's reply is constrained by llama.cpp to a JSON schema that is the union of every
  tool's argument schema (`action_schema()`), parsed with langchain's `PydanticOutputParser` and
  validated with the tool's pydantic model. An invalid reply gets one retry that quotes the error,
  then is reported in `tool_calls`; it never raises.
- Answer: "not found" is decided from retrieval scores (the 1.5B model judges it poorly, MODELS.md),
  not by the model. Otherwise the model writes `{"evidence": [ids], "answer": text}` from numbered
  evidence, the ids limited by the schema to the ids shown; citations are the chosen items'
  intervals, so a citation is always a tool result, never free text. An answer whose content words
  are mostly absent from its cited evidence (`grounding`) is replaced by that evidence, saying so.
  The answer text streams to `on_token` as it is generated.
- Limits: `settings.agent_max_steps` tool calls and `settings.agent_timeout_s` seconds per question.
"""

from __future__ import annotations

import functools
import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import numpy as np
from langchain_core.exceptions import OutputParserException
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.output_parsers import PydanticOutputParser
from pydantic import BaseModel, ValidationError

from vidsage import prompts
from vidsage.config import Settings
from vidsage.tools import lexical
from vidsage.index.chunking import join_words
from vidsage.labels import display
from vidsage.tools.lexical import named_video
from vidsage.tools.compare import compare
from vidsage.tools.relative import sentences_said, who_by_sight
from vidsage.tools.temporal import asks_for_list
from vidsage.tools.lc import TOOL_NAMES, TOOL_SPECS, Evidence, EvidenceLog, make_tools, quote, render, run_tool
from vidsage.types import StoreError, fmt_span, fmt_time, overlap_share, same_moment

from .fast import NOT_FOUND_SCORE
from .llm import LLM, LLMError, get_llm
from .router import LENGTH_ASK, MOST_SPEECH, SILENT_ASK, STAY_ASK, Route, asks_about_library, content_query, route

NOT_FOUND = "Not found in your videos."
SHOW_FLOOR = 0.67 * NOT_FOUND_SCORE  # weaker retrieval lines are not shown to the model at all
MAX_SHOWN = 4  # retrieval lines in the answer prompt: short evidence keeps the answer call fast
GROUNDED = 0.5  # below this share of supported content words, the model's answer is not used
# a summary says in other words what a whole transcript says ("he urges people to serve their
# country"): a third of its content words must still come from the evidence
SUMMARY_GROUNDED = 0.3
REFINE_GAP = 0.05  # top-two moment scores closer than this are re-checked before answering
ACTION_TOKENS = 96
ANSWER_TOKENS = 120
_NEGATIVE = re.compile(r"\b(not found|no (evidence|mention|information)|(does|do|did) not (say|mention|appear|show)|"
                       r"(doesn't|don't|didn't) (say|mention|appear|show)|not mentioned|cannot find|can't find|"
                       r"no such)\b", re.I)

ToolName = Literal[TOOL_NAMES + ("answer",)]  # type: ignore[valid-type]


class Action(BaseModel):
    """The model's next step: a tool (or "answer") and its arguments."""

    tool: ToolName
    args: dict[str, Any] = {}


def action_schema(allow_answer: bool = True) -> dict[str, Any]:
    """JSON schema for one action: the union over tools of {"tool": name, "args": <that tool's args>}.

    Without evidence yet, "answer" is left out: a small model otherwise "answers" before searching."""
    variants = []
    for name, (model, _) in TOOL_SPECS.items():
        variants.append({"type": "object", "properties": {"tool": {"const": name}, "args": _inline(model)},
                         "required": ["tool", "args"], "additionalProperties": False})
    if allow_answer:
        variants.append({"type": "object", "properties": {"tool": {"const": "answer"},
                                                      "args": {"type": "object", "properties": {},
                                                                   "additionalProperties": False}},
                         "required": ["tool", "args"], "additionalProperties": False})
    return {"anyOf": variants}


def _inline(model: type[BaseModel]) -> dict[str, Any]:
    """A tool's argument schema, trimmed to what the grammar needs (no titles or descriptions)."""
    s = model.model_json_schema()
    props = {k: {kk: vv for kk, vv in v.items() if kk not in ("title", "description", "default")}
             for k, v in s.get("properties", {}).items()}
    return {"type": "object", "properties": props, "required": list(props),  # every key, explicit nulls
            "additionalProperties": False}


def answer_schema(ids: list[str], max_ids: int = 2) -> dict[str, Any]:
    """The answer object; "evidence" first so the model commits to its source before writing."""
    return {"type": "object", "properties": {
        "evidence": {"type": "array", "items": {"type": "string", "enum": ids}, "minItems": 1,
                     "maxItems": max_ids},
        "answer": {"type": "string"}}, "required": ["evidence", "answer"], "additionalProperties": False}


def validate_action(raw: str | dict[str, Any]) -> tuple[Action | None, str | None]:
    """Parse and validate one model reply. Returns (action, None) or (None, reason); never raises."""
    try:
        if isinstance(raw, dict):
            action = Action.model_validate(raw)
        else:
            action = PydanticOutputParser(pydantic_object=Action).parse(raw)
    except (OutputParserException, ValidationError, ValueError, TypeError) as e:
        return None, _short_error(e)
    if action.tool == "answer":
        return Action(tool="answer", args={}), None
    try:
        clean = TOOL_SPECS[action.tool][0].model_validate(action.args or {})
    except ValidationError as e:
        return None, f"arguments of {action.tool}: {_short_error(e)}"
    return Action(tool=action.tool, args=clean.model_dump()), None


def _short_error(e: Exception) -> str:
    if isinstance(e, ValidationError):
        return "; ".join(f"{'.'.join(map(str, err['loc'])) or 'value'}: {err['msg']}" for err in e.errors()[:4])
    text = re.sub(r"\s*For troubleshooting, visit:\s*\S+", "", " ".join(str(e).split()))
    return text[:300]


def _found_in(cited: list[Evidence], question: str) -> Callable[[str], bool]:
    """Whether a word of an answer is in the cited evidence lines (times included) or the question,
    by stem (first 4+ letters), so "asks" matches "ask"."""
    source = set(lexical.tokens(" ".join(e.line() for e in cited) + " " + question, drop_stopwords=False))
    # prefixes only of words of four letters or more: "a" or the "1" of "E1" would begin every word
    stems = {w[:max(4, len(w) - 2)] for w in source if len(w) >= 4}
    roots = {lexical.stem(w) for w in source}  # "asks" is "ask"

    def found(w: str) -> bool:
        return w in source or lexical.stem(w) in roots or \
            (len(w) >= 4 and any(w.startswith(s) or s.startswith(w[:max(4, len(w) - 2)]) for s in stems))

    return found


def grounding(answer: str, cited: list[Evidence], question: str) -> float:
    """Share of the answer's content words found in the cited evidence lines (times included) or the
    question. Words match by stem (first 4+ letters), so "asks" matches "ask". An answer that uses a
    word of the prompts' examples that neither the evidence nor the question has ("she asks about the
    budget") copied it from the prompt: 0."""
    words = lexical.tokens(answer)
    if not words:
        return 1.0
    found = _found_in(cited, question)
    if any(w in _example_words() and not found(w) for w in words):
        return 0.0
    return sum(found(w) for w in words) / len(words)


INVENTED_RUN = 4  # content words in a row that no cited line has: words made up, not reported


def invented_run(answer: str, cited: list[Evidence], question: str) -> int:
    """The longest run of consecutive content words of an answer found in no cited line nor the
    question. An answer about what was said that half quotes and half invents ("the above copyright
    notice shall not be used in any manner which is infringing on the rights of others", where the
    recording says "shall be included in all copies") passes the share of `grounding`, not this."""
    found = _found_in(cited, question)
    run = best = 0
    for w in lexical.tokens(answer):
        run = 0 if found(w) else run + 1
        best = max(best, run)
    return best


@functools.lru_cache(maxsize=1)
def _example_words() -> frozenset[str]:
    """Content words of the prompts' worked examples (their "Question: ..." lines), which the small
    model sometimes echoes as if they were evidence."""
    lines = [ln for name in ("system", "answer", "answer_when") for ln in prompts.load(name).splitlines()
             if ln.lstrip().lower().startswith("question:")]
    # the questions' words, not the tool calls' JSON ("search_transcript", "null", "0")
    asked = " ".join(ln.split("->")[0].split(":", 1)[1] for ln in lines)
    return frozenset(w for w in lexical.tokens(asked) if w.isalpha() and len(w) >= 3)


# "is there a person in the car video?", "is anyone wearing a hat?", "does anyone carry a bag?"
_PRESENCE = re.compile(
    r"^\s*(?:(?:is|are|was|were) there (?:any(?:one|body)? |a |an |some |more than one )?(?P<a>.+?)|"
    r"(?:is|are|was|were|does|did|do) (?:any(?:one|body)|some(?:one|body)|any \w+) (?:\w+ing|wears?|has|have|hold|"
    r"holds|carry|carries|use|uses)(?: a| an| any| some)? (?P<b>.+?))"
    r"(?:\s+(?:in|on|at|during|near|inside|throughout|anywhere)\b.*)?\s*[?.!]*$", re.I)
_SEEN_AS = {"person": ("person", "people", "face", "faces", "man", "woman")}


def presence_asked(question: str) -> list[str]:
    """The words of the thing a yes/no question asks to be present ("person" for "is there a
    person in the car video?"); [] for other questions."""
    m = _PRESENCE.match(question.strip())
    return lexical.tokens(m.group("a") or m.group("b")) if m else []


def mentions(thing: list[str], cited: list[Evidence]) -> bool:
    """Whether the cited evidence names the thing: its words (by stem), or a word of the same class
    ("car" for a "cab (taxi, car)" tag, a face for a person)."""
    from vidsage.tools.temporal import _CLASS_WORDS

    have = set(lexical.tokens(" ".join(e.text for e in cited), drop_stopwords=False))
    for w in thing:
        cls = _CLASS_WORDS.get(w)
        if w in have or any(h.startswith(w[:max(4, len(w) - 2)]) for h in have if len(w) >= 4):
            return True
        if cls and (have & set(_SEEN_AS.get(cls, (cls,))) or any(_CLASS_WORDS.get(h) == cls for h in have)):
            return True
    return False


def reply_text(out: "AnswerStream") -> str:
    try:
        return str(json.loads(out.raw).get("answer", ""))
    except (json.JSONDecodeError, AttributeError):
        return out.text


# -- streaming the answer text out of a JSON reply -------------------------------------------------------
class AnswerStream:
    """Feeds `on_token` with the *content* of the "answer" string while the JSON reply is generated."""

    _KEY = re.compile(r'"answer"\s*:\s*"')

    def __init__(self, on_token: Callable[[str], None] | None):
        self.on_token = on_token
        self.raw = ""
        self.text = ""  # decoded answer text sent so far
        self._pos: int | None = None  # index in raw where the answer string's content starts
        self._done = False

    def feed(self, piece: str) -> None:
        self.raw += piece
        if self._done:
            return
        if self._pos is None:
            m = self._KEY.search(self.raw)
            if not m:
                return
            self._pos = m.end()
        body = self.raw[self._pos:]
        out, i = [], 0
        while i < len(body):
            c = body[i]
            if c == '"':
                self._done = True
                break
            if c == "\\":
                if i + 1 >= len(body):
                    break  # escape not complete yet
                nxt = body[i + 1]
                if nxt == "u":
                    if i + 6 > len(body):
                        break
                    try:
                        out.append(chr(int(body[i + 2:i + 6], 16)))
                    except ValueError:
                        pass
                    i += 6
                    continue
                out.append({"n": "\n", "t": "\t", "r": "", "b": "", "f": ""}.get(nxt, nxt))
                i += 2
                continue
            out.append(c)
            i += 1
        self._pos += i
        new = "".join(out)
        if new:
            self.text += new
            if self.on_token:
                self.on_token(new)


# -- the run ----------------------------------------------------------------------------------------------
class _Run:
    """State of one question."""

    def __init__(self, question: str, settings: Settings, toolbox, video: str | None,
                 on_token: Callable[[str], None] | None, llm: LLM | None, asked: str | None = None):
        self.t0 = time.perf_counter()
        self.question = question  # as parsed ("the fifth speaker" for "speaker 5")
        self.asked = asked or question  # as the user wrote it, for the result
        self.settings = settings
        self.toolbox = toolbox
        self.video = video
        self.on_token = on_token
        self._llm = llm
        self.llm_error: str | None = None
        self.log = EvidenceLog()
        self.tools = make_tools(toolbox, self.log)
        self.calls: list[dict[str, Any]] = []
        self.llm_calls: list[dict[str, Any]] = []
        self.deadline = self.t0 + settings.agent_timeout_s
        self.queue: list[tuple[str, dict[str, Any], str]] = []  # the router's further calls, in order

    # LLM access: loaded lazily so the retrieval-only answers never wait for it
    @property
    def llm(self) -> LLM | None:
        if self._llm is None and self.llm_error is None:
            try:
                self._llm = get_llm(self.settings)
            except LLMError as e:
                self.llm_error = str(e)
        return self._llm

    def time_left(self) -> float:
        return self.deadline - time.perf_counter()

    def system(self) -> str:
        return prompts.load("system")

    def call_tool(self, name: str, args: dict[str, Any], by: str) -> dict[str, Any]:
        if self.video and name in TOOL_SPECS and "video" in TOOL_SPECS[name][0].model_fields:
            args = {**args, "video": self.video}  # a question scoped to one video stays there
        rec = run_tool(self.tools, name, args)
        rec["by"] = by
        self.calls.append(rec)
        return rec

    def _llm_stat(self, step: str, t0: float, **extra: Any) -> None:
        st = self._llm.stats[-1] if self._llm and self._llm.stats else None
        d: dict[str, Any] = {"step": step, "seconds": round(time.perf_counter() - t0, 3), **extra}
        if st:
            d.update(prompt_tokens=st.prompt_tokens, prompt_seconds=round(st.prompt_seconds, 3),
                     gen_tokens=st.gen_tokens, gen_seconds=round(st.gen_seconds, 3))
        self.llm_calls.append(d)

    # -- choosing actions ----------------------------------------------------------------------------
    def choose_action(self, constrained: bool = True) -> tuple[Action | None, str | None]:
        """Ask the model for the next action; one retry with the error if the reply is invalid."""
        llm = self.llm
        if llm is None:
            return None, f"no LLM: {self.llm_error}"
        user = self._action_prompt()
        messages: list[BaseMessage] = [SystemMessage(self.system()), HumanMessage(user)]
        model = llm.chat_model()
        bound = model.bind(max_tokens=ACTION_TOKENS, **(
            {"response_format": {"type": "json_object", "schema": action_schema(bool(self.log.items))}}
            if constrained else {}))
        error = None
        for attempt in range(2):
            t0 = time.perf_counter()
            try:
                raw = str(bound.invoke(messages).content)
            except LLMError as e:
                return None, str(e)
            action, error = validate_action(raw)
            self._llm_stat("action", t0, valid=action is not None, attempt=attempt, raw=raw[:300],
                           constrained=constrained)
            if action is not None:
                return action, None
            if self.time_left() <= 0:
                break
            messages += [AIMessage(raw), HumanMessage(
                f"That reply was invalid: {error}. Reply again with one JSON object "
                '{"tool": ..., "args": {...}} using only the tools and arguments listed.')]
        return None, error

    def _action_prompt(self) -> str:
        lines = [prompts.load("tool_use"), "", f"Question: {self.question}"]
        if self.video:
            lines.append(f"Video: {self.video}")
        if self.calls:
            lines.append("Tool calls so far:")
            for c in self.calls:
                res = f"{c.get('results', 0)} results" if c["ok"] else f"error: {c.get('error')}"
                lines.append(f"- {c['tool']} {json.dumps(c['args'], ensure_ascii=False)} -> {res}")
        lines += ["Evidence so far:", render(self._shown())]
        return "\n".join(lines)

    # -- evidence and answers ------------------------------------------------------------------------
    def _shown(self, items: list[Evidence] | None = None) -> list[Evidence]:
        """What the model sees: the best retrieval lines (best first), then the non-retrieval ones."""
        items = self.log.items if items is None else items
        scored = sorted((e for e in items if e.score is not None and e.score >= SHOW_FLOOR),
                        key=lambda e: e.score or 0.0, reverse=True)[:MAX_SHOWN]
        other = [e for e in items if e.score is None]
        content = [e for e in other if e.kind != "video"]
        # the video list only helped choose a video: once there is content, it is noise to the answer
        return scored + (content if (scored or content) else other)[:12]

    def _translation(self, answer: str, cited: list[Evidence], llm: LLM) -> str | None:
        """For "translate the Chinese clip": the cited words and their English, when the answer is
        not English yet (the 1.5B model copied the Chinese words as its answer). None otherwise."""
        if not _TRANSLATE_ASK.search(self.question) or not cited:
            return None
        from vidsage.index.language import text_language

        # CJK words as written, not as the tokeniser spaced them ("扎 自己 的 脚" reads as names)
        words = re.sub(r"(?<=[\u3040-\u9fff])\s+(?=[\u3040-\u9fff])", "",
                       _LINE_LABEL.sub("", cited[0].text, count=1).strip())
        if text_language(words)[0] in (None, "en") or text_language(answer)[0] == "en":
            return None
        t0 = time.perf_counter()
        try:
            english = llm.complete([{"role": "system", "content": prompts.load("translate")},
                                    {"role": "user", "content": words}], max_tokens=TRANSLATION_TOKENS)
        except LLMError as e:
            self.llm_error = str(e)
            return None
        self._llm_stat("translate", t0)
        english = " ".join(english.split()).strip("«»\"' ")
        return f"«{words}» in English: {english}" if english else None

    def not_found(self, listing: bool = False, floor: float = NOT_FOUND_SCORE) -> bool:
        """Decided from retrieval, not by the model: nothing, or only similarity matches under `floor`.
        The video list counts as evidence only for questions about the library itself (`listing`)."""
        items = [e for e in self.log.items if listing or e.kind != "video"]
        if not items:
            return True
        if any(e.score is None for e in items):
            return False  # a transcript, a description: evidence without a similarity score
        best = self.log.best_score()
        return best is None or best < floor

    def answer(self, when: bool = False, listing: bool = False, said: bool = False,
               summary: bool = False, words: bool = False) -> dict[str, Any]:
        """The final answer, from the evidence gathered so far. With a model to read it, evidence
        between SHOW_FLOOR and NOT_FOUND_SCORE is shown too and the model may still say it is not
        there: a question ("what does he say you should ask instead?") matches its answer's words
        less closely than a search phrase does, and the grounding check below still applies.
        `said`: a question about what is said (the words as said are added to a paraphrase);
        `words`: about the words at a point ("what are the last words?"). For both, an answer that
        invents a run of words is replaced by the cited words."""
        reader = self.llm is not None and self.time_left() > 0
        if self.not_found(listing, floor=SHOW_FLOOR if reader else NOT_FOUND_SCORE):
            return self._finish(NOT_FOUND, [], streamed=False)
        shown = self._shown()
        if not shown:
            return self._finish(NOT_FOUND, [], streamed=False)
        counted = worked_out_count(self.question, shown[:1]) if _YES_NO.match(self.question) else None
        if counted is not None:
            # "does anyone walk in from the right?" over a count worked out over the events: yes or no
            # is whether it is above 0, with the count said (the model's "no one does" had read as
            # not found, and its "yes" had been made up); no model is asked
            return self._finish(f"{'Yes' if counted[0] else 'No'}: {counted[1]}.", shown[:1], streamed=False)
        if asks_for_list(self.question) and _COUNT_LINE.search(shown[0].text):
            # "list every person in the room video": the list worked out over the events, whole (the
            # model had kept two of six); no model is asked
            listed = shown[0].text.split("count: ", 1)[-1]
            return self._finish(listed[0].upper() + listed[1:] + ".", shown[:1], streamed=False)
        most = _MOST_LINE.search(shown[0].text)
        if most and _WHICH_ONE.match(self.question):
            # "which car is on screen the longest?": the one worked out over the events, said whole
            # (the model had said "the car on screen is the longest, lasting 4.5 seconds": which one?)
            told = most.group("told")
            return self._finish(told[0].upper() + told[1:] + ".", shown[:1], streamed=False)
        llm = self.llm if self.time_left() > 0 else None
        if llm is None:  # no model (or no time): say what retrieval found, plainly
            best = shown[0]
            return self._finish(f"{best.line().split('] ', 1)[1]}", [best], streamed=False, degraded=True)
        ids = [e.id for e in shown]
        user = "\n".join([prompts.load("answer_when" if when else "answer"), "", "Evidence:", render(shown), "",
                          f"Question: {self.question}"])
        messages = [{"role": "system", "content": self.system()}, {"role": "user", "content": user}]
        out = AnswerStream(self.on_token)
        t0 = time.perf_counter()
        pieces = llm.stream(messages, schema=answer_schema(ids, 1 if when else 2), max_tokens=ANSWER_TOKENS)
        try:
            for piece in pieces:
                out.feed(piece)
                if self.time_left() < -10:  # hard stop well past the limit; keep what was written
                    break
        except LLMError as e:
            self.llm_error = str(e)
        finally:
            pieces.close()  # stops generation now and releases the model's lock
        self._llm_stat("answer", t0)
        try:
            reply = json.loads(out.raw)
            chosen = [str(i) for i in reply.get("evidence", [])]
            text = _LABEL_COPIED.sub(r"\1", " ".join(str(reply.get("answer", "")).split()))
        except (json.JSONDecodeError, AttributeError):  # cut off: keep the streamed text, cite the best line
            chosen, text = [shown[0].id], " ".join(out.text.split())
        cited = [e for e in (self.log.get(i) for i in dict.fromkeys(chosen)) if e is not None and e in shown]
        if not text or _NEGATIVE.search(text):
            return self._finish(NOT_FOUND, [], streamed=False)
        if not cited:
            cited = [shown[0]]  # the schema forbids this; kept for servers that ignore schemas
        if _DANGLING.search(text):
            # the model closed its string to open a quote ("... is described as "): what it meant to
            # quote is in the line it cites
            return self._finish(f"{text.rstrip(' :,')}: {words_said(cited[0], '')}", cited[:1], streamed=False,
                                model_answer=reply_text(out))
        support = grounding(text, cited, self.question)
        translated = self._translation(text, cited, llm)
        if translated is not None:
            return self._finish(translated, cited[:1], streamed=False, grounding=support, model_answer=reply_text(out))
        thing = presence_asked(self.question)
        if thing and not _NO.match(text) and not mentions(thing, cited):
            # "yes, there is a person" resting on a frame tagged "cab (taxi, car)": the question's
            # own words made it look grounded; nothing cited shows the thing, so it was not found
            return self._finish(NOT_FOUND, [], streamed=False, grounding=support, model_answer=reply_text(out))
        if said and grounding(text, [], self.question) == 1.0:
            # asked what was said, the model only restated the question ("she asks right after how
            # are you?"): the cited words themselves are the answer
            best = cited[0]
            return self._finish(words_said(best, self.question), [best], streamed=False, grounding=support,
                                model_answer=reply_text(out))
        for check in INDEX_FACTS:
            # what the index holds exactly (a text as read on screen, which videos are silent, a
            # length, black and white, the wall's colour) stands instead of the model's wording
            fact = check(self.question, text, shown, self.toolbox)
            if fact is not None:
                return self._finish(fact[0], fact[1], streamed=False, grounding=support, model_answer=reply_text(out))
        counted = worked_out_count(self.question, cited)
        if counted is not None and counted[0] not in numbers_in(text):
            # "one person leaves at the right" from a line that counts 6: the count was worked out
            # over the events; the model misread it, so the count itself is the answer
            best = next(e for e in cited if counted[1] in e.text)
            return self._finish(counted[1], [best], streamed=False, grounding=support, model_answer=reply_text(out))
        if summary and support < SUMMARY_GROUNDED:
            # a summary the evidence does not support: what indexing found in the video, in order,
            # is a truer overview than one line of its evidence
            from vidsage.tools.temporal import video_overview

            try:
                rec = self.toolbox.store.resolve_video(cited[0].video)
                found = video_overview(self.toolbox, rec.path)
            except Exception:
                found = None
            if found:
                whole = self.log.add(rec.path, 0.0, rec.duration, "video", found, None, "overview")
                return self._finish(f"What was found in it (the model's summary was not supported): {found}",
                                    [whole], streamed=False, grounding=support, model_answer=reply_text(out))
        if support < (SUMMARY_GROUNDED if summary else GROUNDED) or \
                ((said or words) and invented_run(text, cited, self.question) >= INVENTED_RUN):
            # the model added what its evidence does not say (MODELS.md: it mixes lines, adds world
            # knowledge): answer with the cited evidence itself instead, and say so
            best = cited[0]
            if words:  # "what are the last words?": the words said then are the answer, whole
                text = f"Said in {Path(best.video).name} @ {fmt_span(best.start, best.end)}: “{best.text.strip()}”"
            else:
                text = f"The evidence does not support more than this: {best.line().split('] ', 1)[1]}"
            return self._finish(text, [best], streamed=False, grounding=support, model_answer=reply_text(out))
        model_text = text
        if said:
            text = with_quote(text, cited[0])
        streamed = bool(self.on_token) and out.text.strip() == model_text.strip()
        if streamed and text != model_text:
            self.on_token(text[len(model_text):])  # the words as said, streamed after the model's
        return self._finish(text, cited, streamed=streamed, narrow_by=model_text, grounding=support)

    def _finish(self, text: str, cited: list[Evidence], streamed: bool, degraded: bool = False,
                narrow_by: str | None = None, **extra: Any) -> dict[str, Any]:
        """The result; citations narrowed to the words of `narrow_by` (default: the answer text)."""
        citations: list[dict[str, Any]] = []
        for e in cited:  # one moment cited twice (its subtitle cue and its ASR chunk) is one citation
            start, end = narrowed(e, narrow_by or text)
            ref = {"video": e.video, "start": round(start, 2), "end": round(end, 2)}
            if not any(same_moment(ref, c) for c in citations):
                citations.append(ref)
        # the cited evidence first (what the answer rests on), then the other strong retrieval lines
        best = max((e.score for e in self.log.items if e.score is not None), default=1.0)
        moments = [{**c, "score": round(best, 4)} for c in citations]  # ranked first, at the top score
        for e in sorted((e for e in self.log.items if e.score is not None and e.score >= SHOW_FLOOR),
                        key=lambda e: e.score or 0.0, reverse=True):
            if len(moments) >= 5:
                break
            ref = {"video": e.video, "start": round(e.start, 2), "end": round(e.end, 2)}
            if e not in cited and not any(same_moment(ref, m) for m in moments):
                moments.append({**ref, "score": round(e.score, 4)})
        out: dict[str, Any] = {
            "question": self.asked, "answer": text, "citations": citations, "moments": moments,
            "tool_calls": self.calls, "seconds": round(time.perf_counter() - self.t0, 3),
            "streamed": streamed, "evidence": [e.to_json() for e in self.log.items],
            "cited": [e.id for e in cited], "llm_calls": self.llm_calls,
            "llm": getattr(self._llm, "name", None),
        }
        out.update({k: (round(v, 3) if isinstance(v, float) else v) for k, v in extra.items()})
        if degraded or self.llm_error:
            out["llm_error"] = self.llm_error or "time limit reached before the answer"
        return out


# an evidence line's kind copied into a quote ("she says 'said: lay white by S0 again'")
# "translate the Chinese clip", "what does it mean in English?"
_TRANSLATE_ASK = re.compile(r"\b(translat\w*|in english|into english|what does (?:it|that|this|he|she|they) mean|"
                            r"meaning)\b", re.I)
TRANSLATION_TOKENS = 120
_LABEL_COPIED = re.compile(r"((?:^|[\"'“‘«])\s*)(?:said|frame tags|frame|shot|object|text|count|while|moment): ", re.I)
_NO = re.compile(r"^\W*no\b", re.I)


# "what does the text / the sign / the title say?", "what is written on the board?"
_READ_ASK = re.compile(r"\b(?:text|sign|title|caption|banner|slide|board|label|subtitle|writing|words? on (?:the )?screen)"
                       r"\b.*\b(?:say|says|said|read|reads|show|shows)\b|\bwhat(?:'s| is| was) written\b|"
                       r"\bwhat does it say on\b|\bwhat text\b", re.I)
_QUOTED_TEXT = re.compile(r'"([^"]{2,})"')
_OCR_PART = re.compile(r"on-screen text: ([^;«»]+)")
_EVENT_READING = re.compile(r'on-screen text \(title, caption or sign\) "([^"]{2,})"')


def screen_texts(e: Evidence) -> list[str]:
    """The on-screen texts an evidence line reads: a text event's quoted reading, or a frame's OCR."""
    if e.kind in ("text", "moment") and "on-screen" in e.text:
        quoted = _QUOTED_TEXT.findall(e.text)
        if quoted:
            return [quoted[0]]
    # a frame described at a time also gives the text events on screen then, read over many frames
    found = _EVENT_READING.findall(e.text)
    for part in _OCR_PART.findall(e.text):
        lines = [ln.strip(" …") for ln in part.split("|") if ln.strip(" …")]
        found.append(max(lines, key=len) if lines else "")
    return [f for f in found if f]


Fact = tuple[str, list[Evidence]]  # an answer the index states exactly, and the evidence it rests on


def screen_text_answer(question: str, answer: str, shown: list[Evidence], toolbox=None) -> Fact | None:
    """For a question about what a text on screen says: None when the answer quotes an on-screen
    text of the evidence; else the reading of the evidence that shows a text and holds most of the
    question's other words ("next to the bird": the shot tagged bird), with that evidence. (The
    model names a tag instead, "king penguin (bird)", or paraphrases.)"""
    if not _READ_ASK.search(question):
        return None
    with_text = [(e, t) for e in shown for t in screen_texts(e)]
    if not with_text:
        return None
    said = set(lexical.tokens(answer))
    quoted = [(e, t) for e, t in with_text if len(set(lexical.tokens(t)) & said) >= max(1, len(set(lexical.tokens(t))) // 2)]
    if quoted:
        # one frame's partial reading ("THE PEACH OPE") where the text event, read over its frames,
        # has it whole ("THE PEACH OPEN MOVIE PROJECT PRESENTS"): the whole reading
        e, part = quoted[0]
        whole = next((t for _, t in with_text if len(t) > len(part) + 2 and t.lower().startswith(part.lower().strip())), None)
        if whole is None or whole.lower() in answer.lower():
            return None
        return f'The text on screen reads "{whole}" ({Path(e.video).name} @ {fmt_time(e.start)}).', [e]
    asked = lexical.tokens(question)
    e, t = max(with_text, key=lambda et: lexical.overlap(asked, et[0].text))  # max keeps the first of equals
    return f'The text on screen reads "{t}" ({Path(e.video).name} @ {fmt_time(e.start)}).', [e]


_ALL_TOGETHER = re.compile(r"\b(total|in all|altogether|all together|combined|overall|sum|together)\b", re.I)


def length_answer(question: str, answer: str, shown: list[Evidence], toolbox=None) -> Fact | None:
    """For "how long is the video?": the length of the videos the listing shows (a listed video's
    evidence spans it whole), the one the question names when it names one. (The model's "2 minutes
    and 36 seconds" was right, but its words were not the evidence's.)"""
    if not LENGTH_ASK.search(question):
        return None
    listed = [e for e in shown if e.kind == "video"]
    if not listed:
        return None
    named = named_video(question, [{"video": e.video} for e in listed])
    if named is not None:
        listed = [e for e in listed if e.video == named["video"]]
    each = "; ".join(f"{Path(e.video).name} is {fmt_time(e.end)} long" for e in listed) + "."
    if len(listed) > 1 and _ALL_TOGETHER.search(question):  # "what's the total length of my videos?"
        return f"{len(listed)} videos, {fmt_time(sum(e.end for e in listed))} long in all: {each}", listed
    return each, listed


def stay_answer(question: str, answer: str, shown: list[Evidence], toolbox=None) -> Fact | None:
    """For "how long does the third person stay?": the length of the event the answer rests on, from
    its bounds. (The model gave 16 s for a 20 s visit, reading how long the visitor stood still.)"""
    if not STAY_ASK.search(question) or LENGTH_ASK.search(question) or not shown:
        return None
    event = shown[0]
    if "object event" not in event.text and "text event" not in event.text or event.end <= event.start:
        return None
    d = event.end - event.start
    if any(abs(n - d) <= max(1.5, 0.1 * d) for n in numbers_in(answer)):
        return None
    return f"About {round(d)} seconds: {fmt_span(event.start, event.end)} in {Path(event.video).name}.", [event]


def silent_answer(question: str, answer: str, shown: list[Evidence], toolbox) -> Fact | None:
    """For "which videos have no sound?": of the videos the listing shows, those with no audio track,
    then those whose audio has no speech in it. (The model named the ones with sound but no speech.)"""
    listed = [e for e in shown if e.kind == "video"]
    if not SILENT_ASK.search(question) or not listed:
        return None
    records = {v["video"]: v for v in toolbox.list_videos()}
    streams = {e.video: str(records.get(e.video, {}).get("streams", "")) for e in listed}
    mute = [e for e in listed if "audio" not in streams[e.video]]
    quiet = [e for e in listed if e not in mute and not records.get(e.video, {}).get("chunks")]
    parts = []
    if mute:
        parts.append("No audio track: " + ", ".join(Path(e.video).name for e in mute) + ".")
    if quiet:
        parts.append("Sound but no speech found: " + ", ".join(Path(e.video).name for e in quiet) + ".")
    if not parts:
        return "Every listed video has sound.", listed[:1]
    return " ".join(parts), mute + quiet


_MUSIC_ASK = re.compile(r"\b(music|musical|songs?|singing|sings?|sung|soundtrack|melody|tune|instrumental|"
                        r"(?:background|any) (?:sound|noise)s?)\b", re.I)


def music_answer(question: str, answer: str, shown: list[Evidence], toolbox) -> Fact | None:
    """For "is there music in the bunny video?": what indexing heard, which is speech only. A video
    with no audio track has no music; one with sound but no speech may have music, which vidsage
    cannot tell from other sound. (The model said "no music" of the bunny clip, which has a score.)
    A video with speech is the model's: songs may be in its words."""
    if not _MUSIC_ASK.search(question) or not shown:
        return None
    videos = toolbox.list_videos()
    named = named_video(question, videos)
    record = named or next((v for v in videos if v["video"] == shown[0].video), None)
    if record is None:
        return None
    # a video with speech: a song may be in its words, but "no music" is not something it heard
    said = music_unheard(record, speech_too=bool(re.search(r"^\W*no\b|\bno music\b|\bnot? (?:any )?music\b",
                                                            answer, re.I)))
    return (said, [next((e for e in shown if e.video == record["video"]), shown[0])]) if said else None


# "how many of the speakers are women?", "how many men walk in?": a count by sex, which nothing here sees
_SEX_COUNT = re.compile(r"\bhow many\b(?:.*\b(?:are|were)\s+(?P<a>women|men|female|male|girls|boys)\b|"
                        r"(?:\s+of\s+(?:the|them|these)(?:\s+\w+)?)?\s+(?P<b>women|men|females|males|girls|boys|"
                        r"ladies|guys)\b)", re.I)


def sex_count_answer(question: str, answer: str, shown: list[Evidence], toolbox=None) -> Fact | None:
    """For "how many of the speakers are women?": no model here tells women from men, so the count
    is of every person, and that is said. (The answer had been "1 person in friday…" as if it were
    the number of women.)"""
    m = _SEX_COUNT.search(question)
    if not m or not shown:
        return None
    word = (m.group("a") or m.group("b")).lower()
    counted = next(((e, c) for e in shown for c in [_COUNT_LINE.search(e.text)] if c), None)
    if counted is None:
        return f"vidsage does not tell women from men, so how many are {word} is not known.", shown[:1]
    e, c = counted
    return (f"vidsage does not tell women from men, so how many are {word} is not known; it counts "
            f"{c.group('head').strip()}, of every sex.", [e])


# "is the third speaker a man or a woman?", "what gender is the presenter?", "is the speaker female?"
_SEX_ASK = re.compile(r"\b(?:man|male|boy|guy)\s+or\s+(?:an?\s+)?(?:woman|female|girl|lady)\b|"
                      r"\b(?:woman|female|girl|lady)\s+or\s+(?:an?\s+)?(?:man|male|boy|guy)\b|"
                      r"\b(?:what|which)\s+(?:is\s+(?:the|their|his|her)\s+)?(?:sex|gender)\b|"
                      r"^\s*(?:is|was|are|were)\s+(?:the|this|that)\s+[^?]+?\s+(?:an?\s+)?(?:man|woman|male|female|"
                      r"boy|girl)\s*\??\s*$", re.I)


def sex_answer(question: str, answer: str, shown: list[Evidence], toolbox=None) -> Fact | None:
    """For "is the third speaker a man or a woman?": no model here tells women from men, so that is
    said, with what is seen of the person. (The model had said "a man" of a woman.)"""
    if not _SEX_ASK.search(question) or not shown:
        return None
    e = shown[0]
    return (f"vidsage does not tell women from men, so it cannot say. What it sees there "
            f"({Path(e.video).name} @ {fmt_span(e.start, e.end)}): {quote(e.text, 200)}"), [e]


_HAIR_ASK = re.compile(r"\bcolou?r\b[^?]*\bhair\b|\bhair\b[^?]*\bcolou?r\b", re.I)
_HAIR_READ = re.compile(r"\b(?P<c>[a-z]+(?: \([^()]*\))?(?:/[a-z]+)*) hair\b")


def hair_answer(question: str, answer: str, shown: list[Evidence], toolbox=None) -> Fact | None:
    """For "what colour hair does the last speaker have?": the hair colour the index read around
    the face the answer cites, or that none was read. (The model had answered "red hair" from the
    man's red shirt, where no hair colour was read: he is bald.)"""
    if not _HAIR_ASK.search(question) or not shown:
        return None
    from vidsage.labels import COLOUR_WORDS

    e = shown[0]
    read = _HAIR_READ.search(e.text)
    said = {w for w in re.findall(r"[a-z]+", answer.lower()) if w in COLOUR_WORDS}
    if read is not None:
        if said and said <= set(re.findall(r"[a-z]+", read.group("c"))):
            return None  # the model's colour is the one read
        return f"{read.group('c')[0].upper() + read.group('c')[1:]} hair ({Path(e.video).name} @ {fmt_span(e.start, e.end)}).", [e]
    if re.search(r"\b\d+ faces? \(", e.text):
        return (f"No hair colour was read for them ({Path(e.video).name} @ {fmt_span(e.start, e.end)}): "
                f"{quote(e.text, 200)}"), [e]
    return None


_NOTHING_TRACKED = re.compile(r"nothing tracked is on screen at (?P<t>[\d:]+)(?: \(the nearest (?P<near>[^()]*(?:\([^()]*\)[^()]*)*)\))?")


_NOTHING_AROUND = re.compile(r"\bnothing tracked is on screen ((?:before|after) .+ shows none of the \d+ events)")


def nothing_there_answer(question: str, answer: str, shown: list[Evidence], toolbox=None) -> Fact | None:
    """For "what is the car at 0:20 doing?" when the frame there shows no tracked thing: that none is
    on screen then, with the nearest before and after. (The model had described the empty road as
    a car "on the left side".)"""
    from vidsage.tools.temporal import _class_of

    for e in shown[:1]:  # "what happens after the last car leaves?" where nothing tracked does
        m = _NOTHING_AROUND.search(e.text)
        if m:
            return f"Nothing tracked is on screen {m.group(1)} ({Path(e.video).name}).", [e]
    cls = _class_of(question)
    if cls in (None, "*", "shot", "text") or not isinstance(lexical.time_in(question), float):
        return None
    for e in shown[:1]:
        m = _NOTHING_TRACKED.search(e.text)
        if m:
            near = f"; the nearest {m.group('near')}" if m.group("near") else ""
            return f"Nothing tracked is on screen at {m.group('t')} in {Path(e.video).name}{near}.", [e]
    return None


def music_unheard(record: dict[str, Any], speech_too: bool = False) -> str | None:
    """What can be said of music in a listed video: none without an audio track; that vidsage cannot
    tell in sound without speech, and (`speech_too`) in a video with speech. None otherwise: a
    video with speech is the model's, as songs may be in its words."""
    name = Path(record["video"]).name
    if "audio" not in str(record.get("streams", "")):
        return f"{name} has no audio track, so no music."
    if not record.get("chunks"):
        return (f"{name} has sound, but no speech was found in it; vidsage hears speech only, so it cannot "
                f"tell whether that sound is music.")
    return f"vidsage hears speech only, so it cannot tell whether there is music in {name}." if speech_too else None


_PICTURE_ASK = re.compile(r"\b(black[- ]and[- ]white|black ?& ?white|b ?& ?w|monochrome|gr[ae]yscale)\b|"
                          r"\bin (full )?colou?rs?\b|\bcolou?r (film|video|footage|picture)\b", re.I)


def picture_answer(question: str, answer: str, shown: list[Evidence], toolbox) -> Fact | None:
    """For "is it in colour or black and white?": whether the shot of the best evidence is black and
    white, as indexing decided it (per video: no lit keyframe shows colour), with that evidence.
    (The model said "yes, black and white" of a colour video whose evidence never mentions colour.)"""
    if not _PICTURE_ASK.search(question) or not shown or asks_about_library(question):
        return None  # "which videos are in black and white?" is the list's (library_answer)
    best = shown[0]
    try:
        rec = toolbox.store.resolve_video(best.video)
    except StoreError:
        return None
    shots = [h for h in toolbox.store.segments_of(rec.video_id) if h.kind == "segment:shot"]
    shot = next((h for h in shots if h.start <= best.start < h.end), shots[-1] if shots else None)
    if shot is None:
        return None
    where = f"{Path(best.video).name} @ {fmt_time(shot.start)}–{fmt_time(shot.end)}"
    if "black-and-white picture" in shot.text:
        return f"Black and white: {where} shows no colour.", [best]
    return f"In colour: {where} is a colour picture, not black and white.", [best]


_BACKDROP_ASK = re.compile(r"\bcolou?rs?\b.*\b(wall|background|backdrop|behind)\b|"
                           r"\b(wall|background|backdrop)\b.*\bcolou?r", re.I)
_BACKDROP_LINE = re.compile(r"background behind them: ([a-z/]+)")


def backdrop_answer(question: str, answer: str, shown: list[Evidence], toolbox=None) -> Fact | None:
    """For "what colour is the wall behind the speakers?": None when the answer names the colour
    the background reads most often in the shown evidence of the first video that has one; else
    that colour, with the moments that read it. A moment's first colour counts twice its second.
    (The model took one teal moment's "green", or a shirt's colour.)"""
    read = [(e, m.group(1).split("/")) for e in shown for m in [_BACKDROP_LINE.search(e.text)] if m]
    if not _BACKDROP_ASK.search(question) or not read:
        return None
    video = read[0][0].video
    read = [(e, cols) for e, cols in read if e.video == video]
    votes: dict[str, float] = {}
    for _, cols in read:
        for rank, c in enumerate(cols[:2]):
            votes[c] = votes.get(c, 0.0) + (2.0 if rank == 0 else 1.0)
    ranked = sorted(votes, key=lambda c: -votes[c])  # sorted is stable: ties keep their first order
    top = ranked[0]
    if re.search(rf"\b{top}\b", answer, re.I):
        return None
    with_top = [e for e, cols in read if top in cols]
    also = f" (also {ranked[1]} in places)" if len(ranked) > 1 and votes[ranked[1]] >= 0.5 * votes[top] else ""
    text = (f"The background behind the people reads {top}{also} in {Path(video).name}: "
            f"in {len(with_top)} of the {len(read)} moments shown.")
    return text, with_top


_EXTREME = re.compile(r"\b(longest|shortest)\b", re.I)
# "how many languages are spoken?", "what languages are in my videos?" (not "what language does he
# say 'hello' in", which is about some words)
_LANGUAGES_ASK = re.compile(r"\b(?:how many (?:different )?languages|(?:what|which) languages?)\b(?!.*\b(?:say|said|mean|means)\b)", re.I)
_NEGATED = re.compile(r"\b(?:no|without|not)\b", re.I)
_SPEECH_ASK = re.compile(r"\b(?:speech|spoken|talking|speaking|dialogue|voices?|narration|someone (?:speaks|talks))\b", re.I)
# words of a question about the library that name no content ("which videos have people in them?")
_LIBRARY_WORDS = frozenset("""which what videos video clips clip files file recordings recording films film movies
movie list show shows shown showing have has having contain contains containing feature features appear appears
appearing seen see visible screen there any some in them it all my me one ones most how many""".split())


# "which videos are longer than 30 seconds?", "… shorter than 2 minutes?"
_LONGER = re.compile(r"\b(longer|shorter|more|less|over|under)\s+(?:than\s+)?(\d+(?:\.\d+)?)\s*"
                     r"(seconds?|secs?|s|minutes?|mins?|m|hours?|h)\b", re.I)
# "which files are audio only?", "which recordings have no picture?"
_AUDIO_ONLY = re.compile(r"\baudio[- ]only\b|\b(?:only|just) (?:audio|sound)\b|\bsound only\b|"
                         r"\b(?:no|without(?: a| any)?) (?:picture|image|video stream|visuals?)\b", re.I)
_HOW_MANY_VIDEOS = re.compile(r"^\s*how many (?:of (?:my|the) )?(?:videos|files|clips|recordings)\b", re.I)


def _speech_seconds(toolbox, video: str) -> float:
    """How long there is speech in a video: its transcript chunks' spans, overlaps counted once."""
    total, end = 0.0, 0.0
    for c in sorted(toolbox.get_transcript(video), key=lambda c: c.start):
        if c.text.strip():
            total += max(0.0, c.end - max(c.start, end))
            end = max(end, c.end)
    return total


def _library_filters(question: str, listed: list[Evidence], records: dict[str, dict[str, Any]], toolbox) -> Fact | None:
    """The video list filtered by what the question names: a length ("longer than 30 seconds"),
    audio only, black and white (or colour), the most or least speech. (The model named the bunny
    clip, 30.0 s long, as longer than 30 s; the car video as black and white; two of five audio files
    as audio only.)"""
    from vidsage.tools.temporal import black_and_white

    def names(hit: list[Evidence]) -> str:
        return ", ".join(Path(e.video).name for e in hit)

    m = _LONGER.search(question)
    if m:
        unit = m.group(3).lower()
        limit = float(m.group(2)) * (3600 if unit.startswith("h") else 60 if unit.startswith("m") else 1)
        longer = m.group(1).lower() in ("longer", "more", "over")
        # by whole seconds: a 30.003 s clip is not "longer than 30 seconds"
        hit = [e for e in listed if ((e.end - e.start) >= limit + 0.5 if longer else (e.end - e.start) <= limit - 0.5)]
        what = f"{'longer' if longer else 'shorter'} than {fmt_time(limit)}"
        if not hit:
            return f"No listed video is {what}.", listed
        return f"{what[0].upper() + what[1:]}: " + ", ".join(
            f"{Path(e.video).name} ({fmt_time(e.end - e.start)})" for e in hit) + ".", hit
    if _AUDIO_ONLY.search(question):
        hit = [e for e in listed if "video" not in str(records.get(e.video, {}).get("streams", ""))]
        return (f"Audio only (no picture): {names(hit)}." if hit else "Every listed video has a picture."), hit or listed
    if _PICTURE_ASK.search(question):
        bw = {e.video: black_and_white(toolbox.store.segments_of(records[e.video]["video_id"]))
              for e in listed if e.video in records}
        colour = bool(re.search(r"\bcolou?r", question, re.I)) and not re.search(r"black|white|b ?& ?w|mono|gr[ae]y", question, re.I)
        hit = [e for e in listed if bw.get(e.video) is (not colour)]
        what = "in colour" if colour else "black and white"
        return (f"{what[0].upper() + what[1:]}: {names(hit)}." if hit else f"No listed video is {what}."), hit or listed
    m = MOST_SPEECH.search(question)
    if m:
        spoken = {e.video: _speech_seconds(toolbox, e.video) for e in listed}
        pool = [e for e in listed if spoken[e.video] > 0]
        if not pool:
            return "No listed video has speech.", listed
        most = (m.group(1) or m.group(2)).lower() == "most"
        e = (max if most else min)(pool, key=lambda e: spoken[e.video])
        return (f"{Path(e.video).name} has the {'most' if most else 'least'} speech: about "
                f"{fmt_time(spoken[e.video])} of {fmt_time(e.end - e.start)}."), [e]
    return None


def library_answer(question: str, answer: str, shown: list[Evidence], toolbox) -> Fact | None:
    """A fact over the video list (`_library_fact`); "how many videos …" says how many it names."""
    fact = _library_fact(question, answer, shown, toolbox)
    if fact is None or not _HOW_MANY_VIDEOS.search(question):
        return fact
    text, hit = fact
    listed = [e for e in shown if e.kind == "video"]
    named = [e for e in hit if Path(e.video).name in text]
    if not named or len(named) == len(listed) and text.startswith(("No ", "Every ")):
        return fact
    return f"{len(named)} of {len(listed)} videos. {text}", hit


def _library_fact(question: str, answer: str, shown: list[Evidence], toolbox) -> Fact | None:
    """For a question over the video list: which is the longest or shortest, which have speech in a
    language, which show people, cars or text (as indexing found them: `temporal.shown_in`). None
    when the question asks more than that ("which video has a man in a hat?" is the model's).
    (The model named the French and Mandarin clips for "videos with English speech", and the two
    audio files for "videos where a person appears".)"""
    from vidsage.tools.temporal import _CLASS_WORDS, _VEHICLE_CLASSES, shown_in, shown_phrase

    listed = [e for e in shown if e.kind == "video"]
    if not listed or not asks_about_library(question):
        return None
    records = {v["video"]: v for v in toolbox.list_videos()}
    extreme = _EXTREME.search(question)
    if extreme:
        pick = max if extreme.group(1).lower() == "longest" else min
        # "the shortest video with speech": of those with speech
        pool = [e for e in listed if records.get(e.video, {}).get("chunks")] if _SPEECH_ASK.search(question) else listed
        e = pick(pool or listed, key=lambda e: e.end - e.start)
        return f"{Path(e.video).name} is the {extreme.group(1).lower()}, at {fmt_time(e.end - e.start)}.", [e]
    filtered = _library_filters(question, listed, records, toolbox)
    if filtered is not None:
        return filtered
    negated = bool(_NEGATED.search(question))
    langs = lexical.languages_named(question)
    if _LANGUAGES_ASK.search(question) and not langs:
        return _languages_answer(question, listed, records)
    if langs:
        names = " or ".join(lexical.language_name(c) for c in sorted(langs))
        hit = [e for e in listed if negated != bool(langs & set(records.get(e.video, {}).get("languages") or []))]
        if not hit:
            return f"No listed video has {'no ' if negated else ''}speech in {names}.", listed
        return f"{'No s' if negated else 'S'}peech in {names}: " + ", ".join(Path(e.video).name for e in hit) + ".", hit
    if _SPEECH_ASK.search(question):
        rest = [w for w in lexical.tokens(_SPEECH_ASK.sub(" ", question)) if w not in _LIBRARY_WORDS
                and not _NEGATED.fullmatch(w)]
        if rest:
            return None
        hit = [e for e in listed if negated != bool(records.get(e.video, {}).get("chunks"))]
        if not hit:
            return f"{'Every' if negated else 'No'} listed video has speech.", listed
        return f"{'No speech found in' if negated else 'Speech in'}: " + ", ".join(
            Path(e.video).name for e in hit) + ".", hit
    words = [w for w in re.findall(r"[a-z]+", question.lower())]
    classes = {_CLASS_WORDS[w] for w in words if w in _CLASS_WORDS and not w.startswith("speaker")} - {"*", "shot"}
    rest = [w for w in lexical.tokens(question) if w not in _LIBRARY_WORDS and w not in _CLASS_WORDS
            and not _NEGATED.fullmatch(w)]
    if rest or len(classes) > 1:
        return None
    if not classes:
        # "what videos are there?": the list itself
        return f"{len(listed)} video{'s' if len(listed) != 1 else ''}: " + "; ".join(
            quote(e.text) for e in listed) + ".", listed
    cls = classes.pop()
    pictures = [e for e in listed if "video" in str(records.get(e.video, {}).get("streams", ""))]
    found = {e.video: shown_in(toolbox, records[e.video]["video_id"]) for e in pictures if e.video in records}

    def has(f: dict[str, int]) -> bool:
        if cls == "person":
            return bool(f.get("person") or f.get("faces"))
        if cls == "vehicle":
            return any(f.get(c) for c in _VEHICLE_CLASSES)
        return bool(f.get(cls))

    hit = [e for e in pictures if e.video in found and negated != has(found[e.video])]
    if "most" in words and hit and not negated:
        def count(f: dict[str, int]) -> int:
            if cls == "vehicle":
                return sum(f.get(c, 0) for c in _VEHICLE_CLASSES)
            return max(f.get(cls, 0), f.get("faces", 0)) if cls == "person" else f.get(cls, 0)

        best = max(hit, key=lambda e: count(found[e.video]))
        return f"{Path(best.video).name} shows the most: {shown_phrase(found[best.video])}.", [best]
    noun = {"person": "people", "vehicle": "vehicles", "text": "text on screen"}.get(cls, f"{cls}s")
    if not hit:
        return f"Indexing found {'' if negated else 'no '}{noun} in {'every' if negated else 'any'} listed video.", listed
    if negated:
        return f"No {noun} found in: " + ", ".join(Path(e.video).name for e in hit) + ".", hit
    return f"{noun[0].upper() + noun[1:]} found in: " + "; ".join(
        f"{Path(e.video).name} ({shown_phrase(found[e.video])})" for e in hit) + ".", hit


def _languages_answer(question: str, listed: list[Evidence], records: dict[str, dict[str, Any]]) -> Fact:
    """"How many languages are spoken in multilingual.mp3 / across my videos?": the languages the
    transcriber found, in the video named or over the list. (The model counted 2 of the library's 4.)"""
    named = named_video(question, [{"video": e.video} for e in listed])
    over = [e for e in listed if named is None or e.video == named["video"]]
    per_video = {e.video: [c.split("-")[0] for c in (records.get(e.video, {}).get("languages")
                                                      or [records.get(e.video, {}).get("language") or ""]) if c]
                 for e in over}
    found: dict[str, list[str]] = {}
    for video, codes in per_video.items():
        for c in codes:
            found.setdefault(c, []).append(Path(video).name)
    where = Path(over[0].video).name if named else f"{len(over)} video{'s' if len(over) != 1 else ''}"
    if not found:
        return f"No speech found in {where}, so no language.", over
    names = [lexical.language_name(c) for c in found]
    said = ", ".join(names) if named else "; ".join(
        f"{lexical.language_name(c)} ({', '.join(vs)})" for c, vs in found.items())
    cited = [e for e in over if per_video.get(e.video)]
    if named and len(found) == 1:
        return f"{where} is spoken in {names[0]}.", cited
    return f"{len(found)} language{'s' if len(found) != 1 else ''} spoken in {where}: {said}.", cited


_WHO_TALKS_LINE = re.compile(r"(?:on screen in |no face is seen in |who speaks in |no speech found in )\S.*")


def who_talks_answer(question: str, answer: str, shown: list[Evidence], toolbox=None) -> Fact | None:
    """For "who is talking in the friday clip?": what the index can tell (the faces on screen while
    there is speech, or that the speaker is not seen), as `relative.who_talks` worked it out. (The
    model named "Hildy", whom the speech addresses, as the speaker.)"""
    from vidsage.tools.relative import parse_who_talks

    if not parse_who_talks(question):
        return None
    for e in shown:
        m = _WHO_TALKS_LINE.search(e.text)
        if m:
            line = m.group(0)
            return line[0].upper() + line[1:] + ".", [e]
    return None


_UNCOUNTED_LINE = re.compile(r"speakers are not counted in \S.*")


def uncounted_answer(question: str, answer: str, shown: list[Evidence], toolbox=None) -> Fact | None:
    """For "how many speakers say country?" over a recording with no picture: that speakers are not
    told apart there, and how often the words are said. (The model said "2 speakers" of one
    man saying the word twice.)"""
    for e in shown[:1]:
        m = _UNCOUNTED_LINE.search(e.text)
        if m and _HOW_MANY.search(question):
            line = m.group(0)
            return line[0].upper() + line[1:] + ".", [e]
    return None


_SEQUENCE_LINE = re.compile(r"\b(?:then|earlier): (?P<what>.+?) \((?P<op>after|before) (?P<anchor>.+?)\); ")


def sequence_answer(question: str, answer: str, shown: list[Evidence], toolbox=None) -> Fact | None:
    """For "what happens after the fourth person leaves?": the event worked out over the event list
    (`temporal`: the one right after or before the anchor), said as it was found. (The model gave
    the anchor's name with the next event's times: "the fourth person leaves at 01:32-02:00".)"""
    for e in shown[:1]:
        m = _SEQUENCE_LINE.search(e.text)
        if m:
            what = m.group("what")
            return f"{what[0].upper() + what[1:]} ({m.group('op')} {m.group('anchor')}).", [e]
    return None


# "what letter does he say?" (not "what number is on the shirt?": that is seen, not said)
_LETTER_ASK = re.compile(r"\b(?:what|which) (?:letter|number|digit)s?\b(?=.*\b(?:say|says|said|saying|spell\w*|read\w* out|call\w* out)\b)",
                         re.I)
# a letter said on its own ("F"), or with a digit as in a code ("F2", "K7"); "I" and "A" are words
_SAID_LETTER = re.compile(r"(?<![\w'])([B-HJ-Z])(\d*)(?![\w'])")


def letter_answer(question: str, answer: str, shown: list[Evidence], toolbox=None) -> Fact | None:
    """For "what letter (number) does he say?": the one letter (number) said on its own in the words
    of the best evidence that has speech, when the answer does not give it. (The model gave the
    first letter of the first word: "B" for "Bin blue F2 now.")"""
    m = _LETTER_ASK.search(question)
    said = next((e for e in shown if e.kind in ("said", "moment", "re-transcribed") and
                 (e.kind != "moment" or e.text.startswith("said:"))), None)
    if not m or said is None:
        return None
    text = said.text.split(":", 1)[1] if said.text.startswith("said:") else said.text
    found = _SAID_LETTER.findall(text)
    number = "letter" not in m.group(0).lower()
    picks = list(dict.fromkeys(d for _, d in found if d)) if number else list(dict.fromkeys(x for x, _ in found))
    if len(picks) != 1 or re.search(rf"(?<![\w']){picks[0]}(?![A-Za-z'])", answer):
        return None
    return f"{picks[0]} (“{text.strip()}”)", [said]


INDEX_FACTS = (sex_count_answer, sex_answer, hair_answer, nothing_there_answer, screen_text_answer, silent_answer, music_answer, length_answer, stay_answer, picture_answer, backdrop_answer, library_answer,
               who_talks_answer, sequence_answer, letter_answer, uncounted_answer)


# questions about a person's race or ethnicity (not "who wins the race")
_TRAITS = re.compile(r"\bwhat (?:race|ethnicity)\b|\b(?:race|ethnicity|skin colou?r|skin tone) of\b|\bethnic\w*\b|"
                     r"\bskin (?:colou?r|tone)\b|\bwhat colou?r is (?:his|her|their) skin\b", re.I)
_HOW_MANY = re.compile(r"\b(how many|number of)\b", re.I)
# a "most" line worked out over the events (tools/temporal._most_in), and a question asking which one
_MOST_LINE = re.compile(r"^(?:object: )?(?P<told>the (?:[^;]+? )?(?:the (?:longest|shortest)|(?:fastest|slowest|biggest|"
                        r"smallest)\b)[^;]*?: the \w+ of \d+, [^;]+); each, in order:")
_WHICH_ONE = re.compile(r"^\s*(?:which|who|whose)\b|^\s*what(?:'s|\s+is|\s+was)\s+the\s+(?:fastest|slowest|biggest|"
                        r"smallest|longest|shortest)\b", re.I)
# the head ends at a colon that opens a list (not one inside a time, "at 00:12"), a bracket or the end
_COUNT_LINE = re.compile(r"\bcount: (?P<head>(?P<n>\d+) [^(;]+?)(?::(?!\d)|;| \(|$)")
_NUMBER_WORDS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve "
                                            "thirteen fourteen fifteen sixteen seventeen eighteen nineteen "
                                            "twenty".split())}


def worked_out_count(question: str, cited: list[Evidence]) -> tuple[int, str] | None:
    """(n, "6 people in v.mp4") when a "how many" question (or a yes-no one: "does anyone walk in
    from the right?") cites a count worked out over the events."""
    if not (_HOW_MANY.search(question) or _YES_NO.match(question)):
        return None
    for e in cited:
        m = _COUNT_LINE.search(e.text)
        if m:
            return int(m.group("n")), m.group("head").strip()
    return None


# an answer cut where a quote would start: it ends on a word that must be followed by more
_DANGLING = re.compile(r"\b(?:as|is|was|are|were|says?|said|asks?|asked|reads?|of|the|a|an|that|like|called|named|"
                       r"by|with|to|and)\s*[:,]?\s*$|:\s*$", re.I)
_YES_NO = re.compile(r"^\s*(?:does|did|do|is|was|are|were|has|have)\b", re.I)


def words_said(e: Evidence, question: str) -> str:
    """The words of a cited line as an answer: «…» (video, time); "Yes: …" to a yes-no question
    (the line was cited as saying it)."""
    words = _LABEL_COPIED.sub(r"\1", quote(e.text, 300))
    where = fmt_span(e.start, e.end) if e.end > e.start else fmt_time(e.start)
    return f"{'Yes: ' if _YES_NO.match(question) else ''}«{words}» ({Path(e.video).name}, {where})"


def numbers_in(text: str) -> set[int]:
    """The numbers an answer states, in digits or words ("6", "six"); not the parts of a time
    ("at 0:21" states no 0)."""
    text = re.sub(r"\b\d{1,2}(?::\d{2}){1,2}(?:\.\d+)?\b", " ", text)
    found = {int(d) for d in re.findall(r"\b\d+\b", text)}
    found |= {_NUMBER_WORDS[w] for w in re.findall(r"[a-z]+", text.lower()) if w in _NUMBER_WORDS}
    if re.search(r"\b(no|none|not any|nobody|no one)\b", text, re.I):
        found.add(0)  # "there are no black cars"
    return found


def with_quote(answer: str, e: Evidence) -> str:
    """An answer about what was said, with the words as said when it paraphrased them ("he tells
    people to ask what they can do for their country" + the clause itself, in quotes)."""
    if not e.words:
        return answer
    start, end = narrowed(e, answer)
    quote = " ".join(str(w) for a, b, w in e.words if float(a) >= start - 1e-6 and float(b) <= end + 1e-6).strip()
    if not quote or " ".join(lexical.tokens(quote, drop_stopwords=False)) in " ".join(
            lexical.tokens(answer, drop_stopwords=False)):
        return answer
    return f"{answer} (“{quote}”)"


def narrowed(e: Evidence, answer: str) -> tuple[float, float]:
    """A cited transcript chunk shrunk to the clause holding the words the answer quotes ("ask what
    you can do for your country" inside a 10 s chunk; "the crown jewels" grows to "somebody must
    have stolen the crown jewels"), when its word times are known; else its own bounds."""
    if e.words and answer:
        words = [(float(a), float(b), str(w)) for a, b, w in e.words]
        span = lexical.best_span(lexical.tokens(answer, drop_stopwords=False), words)
        if span and e.start - 0.5 <= span[0] <= span[1] <= e.end + 0.5:
            first = next(i for i, w in enumerate(words) if w[0] >= span[0] - 1e-6)
            last = max(i for i, w in enumerate(words) if w[1] <= span[1] + 1e-6)
            first, last = lexical.grow_to_clauses(words, first, last)
            return words[first][0], words[last][1]
    return e.start, e.end


def warm_up(settings: Settings, llm: LLM | None = None) -> None:
    """Load the model and evaluate the fixed system prompt, so the first question reuses it."""
    (llm or get_llm(settings)).warm([{"role": "system", "content": prompts.load("system")}])


def run_agent(question: str, settings: Settings, toolbox, video: str | None = None, mode: str = "auto",
              on_token: Callable[[str], None] | None = None, llm: LLM | None = None) -> dict[str, Any]:
    """Answer one question; returns DESIGN.md's `ask --json` object plus `mode`, `streamed`, `route`.

    mode: "auto" (route), "fast" (always the fast path), "agent" (always the tool loop).
    When `streamed` is True, `on_token` has received the whole answer text; otherwise print `answer`.
    """
    asked = " ".join(question.split())[: settings.max_question_chars]
    question = lexical.numbered_as_ordinal(asked)
    if video is None:
        # "when does the title appear in the bunny video?": every search keeps to the video named
        named = named_video(question, [{"video": r.path} for r in toolbox.store.done_videos().values()])
        video = named["video"] if named else None
    run = _Run(question, settings, toolbox, video, on_token, llm, asked=asked)
    if _TRAITS.search(question):
        # no model sees race or ethnicity, and none should guess it from a face
        result = run._finish(prompts.load("traits"), [], streamed=False)
        result.update(mode="declined", route={"kind": "declined", "tool": None, "by": "regex"})
        return result
    known = (_past_the_end(run) or _sound_told(run) or _music_unheard_in(run) or _span_told(run)
             or _language_told(run) or _language_at(run) or _words_counted(run) or _nth_sentence(run) or _length_told(run)
             or _speakers_uncounted(run) or _things_told(run) or _compared(run) or _who_seen(run))
    if known is not None:
        return known
    r = route(question, video)
    if r.kind == "summary" and (known := _silent_overview(run)) is not None:
        return known
    if mode == "fast" or (mode == "auto" and r.fast):
        result = _fast(run)
    else:
        result = _loop(run, r)
    result["mode"] = "fast" if (mode == "fast" or (mode == "auto" and r.fast)) else "agent"
    result["route"] = {"kind": r.kind, "tool": r.tool, "by": r.by}
    return result


def _past_the_end(run: _Run) -> dict[str, Any] | None:
    """"What happens at 0:40 in his girl friday?" of a 6 s clip: the time is past its end, and so
    said (the frame at its end had been described as if it were at 0:40)."""
    at = lexical.time_in(run.question)
    if not run.video or not isinstance(at, float):
        return None
    rec = run.toolbox.store.resolve_video(run.video)
    if lasts_until({"duration": rec.duration}, at):
        return None
    return _known(run, rec.path, rec.duration, f"{Path(rec.path).name} is only {fmt_time(rec.duration)} long: "
                                               f"{fmt_time(at)} is past its end.", "past_end")


# "what happens between 0:10 and 0:20?", "what is said in the first 30 seconds?", "describe 1:00-1:30"
_SPAN_ASK = re.compile(r"^\s*(?:what(?:'s| is| was| are| were| does| did| do)?\b|describe|tell me|summari[sz]e|list|"
                       r"give me)(?!.*\b(?:how many|when|which one|first (?:car|person|one|thing)|colou?r)\b)", re.I)
_WORDS_ASK = re.compile(r"\b(?:say|says|said|saying|spoken|talk\w*|speak\w*|words|dialogue|transcript)\b", re.I)


def _span_told(run: _Run) -> dict[str, Any] | None:
    """"What happens between 0:10 and 0:20 in the car video?": what indexing found in that stretch
    (the things on screen with their own times, and the words said), or, asked what is said, the
    words. (The model had described one car and cited another at 00:05-00:09, outside the stretch.)"""
    span = lexical.time_range_in(run.question)
    last = lexical.last_stretch_in(run.question)
    if last is not None and span is None and (rec := _the_video(run)) is not None:
        span = (max(0.0, rec.duration - last), rec.duration)  # "in the last 5 seconds" of the video meant
    if span is None or not _SPAN_ASK.match(run.question):
        return None
    if run.video is None:
        # the videos that last into the stretch ("between 1:30 and 2:00 in the room video": one)
        done = sorted((r for r in run.toolbox.store.done_videos().values() if (r.duration or 0.0) > span[0]),
                      key=lambda r: r.path)
        if len(done) == 1:
            return _span_in(run, done[0].path, span)
        longest = max(run.toolbox.store.done_videos().values(), key=lambda r: r.duration or 0.0, default=None)
        if not done and longest is not None:  # "between 10 and 20 minutes" of a library of short clips
            return _known(run, longest.path, longest.duration, f"No video lasts past {fmt_time(span[0])}: the longest, "
                          f"{Path(longest.path).name}, is {fmt_time(longest.duration)} long.", "past_end")
        if not 2 <= len(done) <= MAX_OVERVIEWS:
            return None  # which video is meant is for the search to find
        each = [_span_in(run, r.path, span) for r in done]  # each of a few, as an overview would
        return _worked_out(run, "; ".join(r["answer"].rstrip(".") for r in each) + ".",
                           [e for e in run.log.items if e.tool == "list_videos"], "span")
    return _span_in(run, run.video, span)


_HOW_LONG_IS = re.compile(r"^\s*(?:how long is|what is the (?:length|duration) of)\s+(?:the |this |that |my )?(?P<rest>.+?)"
                         r"\s*[?.!]*\s*$", re.I)


def _length_told(run: _Run) -> dict[str, Any] | None:
    """"How long is the compilation?": the length of the video named, when the question names it
    and nothing else (the router's length question needs a word for a video after the name; the
    model had said 2:15 of a 2:36 video)."""
    m = _HOW_LONG_IS.match(run.question)
    if not m or not run.video:
        return None
    rec = run.toolbox.store.resolve_video(run.video)
    named = set(lexical.name_words(Path(rec.path).name)) | lexical.VIDEO_NOUNS
    if not set(lexical.name_words(m.group("rest"))) <= named:
        return None  # "how long is the red car on screen?" asks about an event
    return _known(run, rec.path, rec.duration, f"{Path(rec.path).name} is {fmt_time(rec.duration)} long.", "length")


def _listed(run: _Run, path: str) -> dict[str, Any] | None:
    """The video list's record of one video (its streams, languages, chunks), or None."""
    return next((v for v in run.toolbox.list_videos() if v["video"] == path), None)


def _language_codes(record: dict[str, Any]) -> list[str]:
    """["en", "de"]: the languages found in a listed video's speech (its one language if no list)."""
    return [c.split("-")[0] for c in (record.get("languages") or [record.get("language") or ""]) if c]


def _language_names(record: dict[str, Any]) -> str:
    """"English and German": the languages found in a listed video's speech."""
    return " and ".join(lexical.language_name(c) for c in _language_codes(record))


def _the_video(run: _Run, spoken: bool = False):
    """The store's record of the video the question is about: the one named, or the only one (the
    only one with speech, for a question about what is said)."""
    if run.video:
        return run.toolbox.store.resolve_video(run.video)
    done = [r for r in run.toolbox.store.done_videos().values() if r.chunks or not spoken]
    return done[0] if len(done) == 1 else None


_SOUND_ASK = re.compile(r"^\s*(?:is|are|was|were|does|do|did|has|have)\b[^?]*\b(?:sound|audio|speech|talking|speaking|"
                        r"voices?|dialogue|narration)\b", re.I)
_MUSIC_WORD = re.compile(r"\b(music\w*|songs?|sing\w*|sung|soundtrack|melody|tune|instrumental)\b", re.I)
_SAID_ASK = re.compile(r"^\s*what(?:'s| is| was| are| were| do| does| did)\b[^?]*\b(?:said|say|says|saying|talk\w*|"
                       r"speak\w*|spoken)\b|\btranscri\w+\b", re.I)


def _sound_told(run: _Run) -> dict[str, Any] | None:
    """Of the video named (or the only one): "is there any sound?" from its streams and transcript,
    and "what is said?" of a video with no speech. (The first had been "not found"; the second was
    answered with a person walking in.)"""
    asks_sound = (_SOUND_ASK.match(run.question) and not _MUSIC_WORD.search(run.question)
                  and not lexical.languages_named(run.question))  # "is jfk speaking French?" is _language_told's
    if not (asks_sound or _SAID_ASK.search(run.question)):
        return None
    rec = _the_video(run)
    if rec is None:
        return None
    record = _listed(run, rec.path)
    if record is None:
        return None
    name, audio = Path(rec.path).name, "audio" in str(record.get("streams", ""))
    if not record.get("chunks"):
        said = (f"No speech: {name} has no audio track." if not audio
                else f"{name} has an audio track, but no speech was found in it.")
        if asks_sound and audio:
            said = "Yes: " + said
        elif asks_sound:
            said = "No: " + said.split(": ", 1)[1]
        return _known(run, rec.path, rec.duration, said, "sound")
    if not asks_sound:
        return None  # what is said is the transcript's, for the search to read
    langs = _language_names(record)
    return _known(run, rec.path, rec.duration, f"Yes: {name} has speech{' in ' + langs if langs else ''}.", "sound")


_SPEAKERS_ASK = re.compile(r"^\s*how many (?:different |distinct |separate )?(?:speakers|voices|narrators|people (?:are )?"
                           r"(?:speak|talk)\w*)\b", re.I)


def _speakers_uncounted(run: _Run) -> dict[str, Any] | None:
    """"How many speakers are in the multilingual recording?" of a recording with no picture:
    speakers are told apart here only by the faces seen, so they are not counted; what is known of
    its speech is said. (It had been "not found".)"""
    from vidsage.tools.relative import parse_said_count

    if not _SPEAKERS_ASK.match(run.question) or not run.video or parse_said_count(run.question) is not None:
        return None  # "how many speakers say country?" is counted with the words (relative.said_count)
    rec = run.toolbox.store.resolve_video(run.video)
    if rec.keyframes:
        return None  # the faces seen are counted (temporal)
    langs = _language_names(_listed(run, rec.path) or {})
    said = (f"Speakers are not counted in {Path(rec.path).name}: it has no picture, and vidsage tells speakers "
            f"apart only by the faces it sees" + (f"; its speech is in {langs}." if langs and rec.chunks else "."))
    return _known(run, rec.path, rec.duration, said, "speakers")


def _silent_overview(run: _Run) -> dict[str, Any] | None:
    """A summary of a video with no speech is what indexing found in its picture, in order (the
    model had told only the first of six visitors)."""
    rec = _the_video(run)
    if rec is None or rec.chunks or not rec.keyframes or lexical.time_in(run.question) is not None \
            or lexical.last_stretch_in(run.question) is not None:
        return None  # a part of the video is asked about, not all of it
    from vidsage.tools.temporal import video_overview

    return _known(run, rec.path, rec.duration, video_overview(run.toolbox, rec.path), "overview")


def _span_in(run: _Run, video: str, span: tuple[float, float]) -> dict[str, Any]:
    """What `_span_told` says of one video."""
    rec = run.toolbox.store.resolve_video(video)
    start, end = span[0], min(span[1], rec.duration or span[1])
    if rec.duration and start >= rec.duration:
        return _known(run, rec.path, rec.duration, f"{Path(rec.path).name} is only {fmt_time(rec.duration)} long: "
                                                   f"{fmt_time(start)} is past its end.", "past_end")
    if _WORDS_ASK.search(run.question):
        words = run.toolbox.words_between(rec.path, start, end) if end > start else []
        said = join_words([w for _, _, w in words])
        told = (f"Said in {Path(rec.path).name} @ {fmt_span(start, end)}: “{said}”" if said
                else f"Nothing is said in {Path(rec.path).name} between {fmt_time(start)} and {fmt_time(end)}.")
    else:
        from vidsage.tools.temporal import span_overview

        told = span_overview(run.toolbox, rec.path, start, max(end, start))
    return _known(run, rec.path, max(end, start), told, "span", start=start)


_SPOKEN_ASK = re.compile(r"\b(?:speak\w*|spoke|spoken|speech|talk\w*|say\w*|said|language|in)\b", re.I)


def _language_told(run: _Run) -> dict[str, Any] | None:
    """"Is jfk speaking French?" of a video named: yes or no, from the languages the transcriber
    found in it. (It had been "not found": the words "speaking French" match nothing said.)"""
    asked = lexical.languages_named(run.question)
    if not run.video or not asked or not _YES_NO.match(run.question) or not _SPOKEN_ASK.search(run.question):
        return None
    rec = run.toolbox.store.resolve_video(run.video)
    record = _listed(run, rec.path)
    if record is None:
        return None
    found = _language_codes(record)
    if not record.get("chunks") or not found:
        said = f"No: no speech was found in {Path(rec.path).name}."
    else:
        said = f"{'Yes' if asked & set(found) else 'No'}: {Path(rec.path).name} is spoken in {_language_names(record)}."
    return _known(run, rec.path, rec.duration, said, "language")


_WHICH_LANGUAGE = re.compile(r"\b(?:what|which)\s+language\b", re.I)
_LANGUAGE_EDGE = re.compile(r"\b(?:spoken|speak|used|heard)\s+(?:(?P<start>first|initially)|(?P<end>last|finally))\b", re.I)


def _language_at(run: _Run) -> dict[str, Any] | None:
    """"What language is spoken at the end of the multilingual clip?", "... at 0:10?": the language
    of what is said then (each transcript chunk carries the language it was heard in). It had been
    "2 languages spoken in multilingual.mp3: English, German", which does not say which is when.
    With no time, of a video named: the languages found in it ("what language is the french clip
    in?" had been "not found" after 71 s)."""
    if not _WHICH_LANGUAGE.search(run.question) or (rec := _the_video(run, spoken=True)) is None:
        return None
    at = lexical.time_in(run.question)
    if at is None and (edge := _LANGUAGE_EDGE.search(run.question)):  # "what language is spoken first?"
        at = "start" if edge.group("start") else "end"
    if at is None:  # "what language is the french clip in?": the languages found in it
        record = _listed(run, rec.path) or {}
        if not run.video or not _language_codes(record):
            return None
        return _known(run, rec.path, rec.duration, f"{Path(rec.path).name} is spoken in {_language_names(record)}.",
                      "language")
    said = [h for h in run.toolbox.get_transcript(rec.path) if h.text.strip() and h.meta.get("language")]
    if not said:
        return None
    if at == "start":
        i = 0
    elif at == "end":
        i = len(said) - 1
    else:  # the chunk said then, or else the nearest
        i = min(range(len(said)), key=lambda j: 0.0 if said[j].start <= at <= said[j].end
                else min(abs(said[j].start - at), abs(said[j].end - at)))
    code = str(said[i].meta["language"])
    a = b = i
    while a > 0 and str(said[a - 1].meta["language"]) == code:  # the whole stretch in that language
        a -= 1
    while b < len(said) - 1 and str(said[b + 1].meta["language"]) == code:
        b += 1
    h = said[i]
    told = (f"{lexical.language_name(code.split('-')[0])}: «{quote(h.text, 120)}» ({Path(rec.path).name}, spoken in it "
            f"{fmt_span(said[a].start, said[b].end)})")
    stretch = run.log.add(rec.path, said[a].start, said[b].end, "said", f"{code}: {quote(h.text, 120)}", None,
                          "get_transcript")
    return _worked_out(run, told, [stretch], "language")


_HOW_MANY_WORDS = re.compile(r"^\s*how many (?P<unit>words|sentences)\b(?!.*\b(?:on screen|written|shown)\b)", re.I)


# "what's the fifth sentence in grid?", "what is the second thing he says?", "the last sentence"
_NTH_SAID = re.compile(r"^\s*(?:what(?:'s| is| was)|tell me|read me|give me)\s+the\s+(?P<ord>\w+)\s+(?:sentence|line|"
                       r"thing (?:that is |that's )?(?:said|he says|she says|they say|someone says|spoken))\b", re.I)


def _nth_sentence(run: _Run) -> dict[str, Any] | None:
    """The n-th sentence said in the video named (or the only one with speech), with its times.
    (The fifth sentence of GRID had been "not found".)"""
    m = _NTH_SAID.match(run.question)
    if not m:
        return None
    from vidsage.tools.temporal import _ORDINAL, _ordinal_n

    word = m.group("ord").lower()
    o = _ORDINAL.fullmatch(word)  # "fifth", "12th", "last"
    if o is None:
        return None
    n = _ordinal_n(word, o)
    rec = _the_video(run, spoken=True)
    if rec is None:
        return None
    said = sentences_said(run.toolbox, rec)
    name = Path(rec.path).name
    if not -len(said) <= n <= len(said):
        told = f"{name} has {len(said)} sentence{'s' if len(said) != 1 else ''} said, so no {word} one."
        return _known(run, rec.path, rec.duration, told, "nth_sentence")
    a, b, text = said[n - 1] if n > 0 else said[n]
    return _known(run, rec.path, b, f"«{text}» ({name}, {fmt_span(a, b)})", "nth_sentence", start=a)


def _words_counted(run: _Run) -> dict[str, Any] | None:
    """"How many words does jfk say?", "how many sentences are in the friday clip?": counted over the
    video's transcript (the words as the recogniser or the subtitles give them); with no video
    named, over the one video with speech. (It had been "not found".)"""
    m = _HOW_MANY_WORDS.match(run.question)
    if not m:
        return None
    rec = _the_video(run, spoken=True)
    if rec is None:
        return None
    sentences = sentences_said(run.toolbox, rec)
    name = Path(rec.path).name
    if m.group("unit").lower() == "words":
        n = sum(lexical.word_count(text) for _, _, text in sentences)
        said = f"{n} word{'s' if n != 1 else ''} said in {name}."
    else:
        n = len(sentences)
        said = f"{n} sentence{'s' if n != 1 else ''} said in {name}."
    return _known(run, rec.path, rec.duration, said, "words_counted")


def _music_unheard_in(run: _Run) -> dict[str, Any] | None:
    """"Is there music in the bunny video?" of a video named: what can be said, with no search (a
    video without audio has nothing to search for music in; "is there music?" of one with speech
    is not something vidsage hears either)."""
    if not _MUSIC_ASK.search(run.question):
        return None
    rec = _the_video(run)
    if rec is None:
        return None
    record = _listed(run, rec.path)
    said = music_unheard(record, speech_too=bool(_YES_NO.match(run.question))) if record else None
    return _known(run, rec.path, rec.duration, said, "unheard") if said else None


# "what hangs on the wall?", "what's on the table?", "what objects are in the room?"
_THINGS_ASK = re.compile(
    r"^\s*(?:what|which)(?:'s|\s+(?:\w+\s+){0,2}?(?:hangs?|hung|is hanging|are hanging|sits?|is sitting|stands?|"
    r"is standing|lies|is lying|is|are|was|were))\s+(?:on|above|over|against|upon)\s+(?:the|a|that|this)\s+"
    r"(?:wall|walls|table|desk|shelf|shelves|counter|ceiling|mantel\w*)\b|"
    r"^\s*(?:what|which)\s+(?:objects?|things?|items?|furniture)\b|"
    r"^\s*(?:is|are)\s+there\s+(?:any\s+)?(?:objects|things|furniture)\b", re.I)

# "the room video", "this clip": a video meant but not named in words its file name has
_SOME_VIDEO = re.compile(r"\b(?:the|this|that)\s+(?:[\w-]+\s+){0,3}?(?:video|clip|film|movie|recording|footage)\b", re.I)


def _things_told(run: _Run) -> dict[str, Any] | None:
    """"What hangs on the wall of the newspaper office?", "what objects are in the room?": the things
    the tagger saw in parts of the picture (index/vision.FrameDescriber.objects), in the video named
    or in any. Similarity search had found friday's "analog clock ... at the top left" at 0.11, under
    the not-found floor. Where these are is only "top left"; that it is a wall is not seen, and the
    answer does not say it. None when no such thing was seen (the usual search answers)."""
    if not _THINGS_ASK.search(run.question) or (not run.video and _SOME_VIDEO.search(run.question)):
        return None  # "what objects are in the room video?" names a video that was not found by name
    store = run.toolbox.store
    recs = [store.resolve_video(run.video)] if run.video else sorted(store.done_videos().values(), key=lambda r: r.path)
    seen = []
    for rec in recs:
        for h in store.segments_of(rec.video_id):
            raw = h.meta.get("things") if h.kind == "segment:shot" else None
            things = json.loads(raw) if isinstance(raw, str) else raw
            if things:
                told = ", ".join(f"{display(label)} at the {where}" for label, where in things)
                seen.append(run.log.add(rec.path, h.start, h.end, "moment", f"things seen in parts of the picture: {told}",
                                        None, "find_moments"))
    if not seen:
        return None
    if len(seen) > 1:  # the shot most like the question first ("... of the newspaper office": friday's)
        emb = run.toolbox.embedder
        likeness = np.asarray(emb.embed_passages([e.text for e in seen])) @ np.asarray(emb.embed_query(run.question))
        seen = [seen[i] for i in np.argsort(-likeness, kind="stable")]
    said = "; ".join(f"{e.text.split(': ', 1)[1]} ({Path(e.video).name} @ {fmt_span(e.start, e.end)})" for e in seen)
    return _worked_out(run, f"Seen by the tagger in parts of the picture: {said}.", seen, "things")


def _who_seen(run: _Run) -> dict[str, Any] | None:
    """"Which speaker wears red?": who is seen that way, which one, and what they say
    (tools/relative.who_by_sight). The model had named the words "lay red with P9 again"."""
    found = who_by_sight(run.toolbox, run.question, run.video)
    if found is None:
        return None
    moment, told = found
    cited = [run.log.add_hit(h, "find_moments") for h in moment.evidence]
    return _worked_out(run, (told if told.startswith("vidsage") else told[0].upper() + told[1:]) + ".", cited, "who_seen")


def _compared(run: _Run) -> dict[str, Any] | None:
    """"Are there more cars or people?", "which has more speakers, grid or friday?", "is the room
    video longer than the car video?": both sides worked out (tools/compare.py), each number said.
    The model had answered from whichever events the search showed it ("more cars than people",
    of 4 cars and 6 people; "not found")."""
    done = compare(run.toolbox, run.question, run.video)
    if done is None:
        return None
    cited = [run.log.add(v, a, b, "moment", f"{side.what}: {'; '.join(side.told)}", None, "count_events")
             for side in done.sides for v, a, b in side.cited[:2]]
    return _worked_out(run, done.answer, cited, "compare")


def _known(run: _Run, video: str, duration: float, said: str, kind: str, start: float = 0.0) -> dict[str, Any]:
    """An answer the index knows before any search, cited as the whole video (or the stretch from
    `start` to `duration` that it is about)."""
    whole = run.log.add(video, start, duration, "video", f"{Path(video).name}: {said}", None, "list_videos")
    return _worked_out(run, said, [whole], kind)


def _worked_out(run: _Run, said: str, cited: list[Evidence], kind: str) -> dict[str, Any]:
    """An answer worked out from the index with no model, citing what it was worked out from."""
    result = run._finish(said, cited, streamed=False)
    result.update(mode="fast", route={"kind": kind, "tool": None, "by": "regex"})
    return result


def _fast(run: _Run) -> dict[str, Any]:
    rec = run.call_tool("find_moments", {"query": run.question, "video": run.video}, by="router")
    moments = [e for e in run.log.items if e.id in rec.get("evidence", [])]
    if rec["ok"] and len(moments) >= 2 and not run.not_found() and moments[0].score is not None \
            and moments[1].score is not None and moments[0].score - moments[1].score < REFINE_GAP:
        for m in moments[:2]:  # too close to call: look again at both
            if m.text.startswith("said"):
                run.call_tool("transcribe_span", {"video": m.video, "start": max(0.0, m.start - 0.5),
                                                  "end": m.end + 0.5}, by="refine")
            else:
                run.call_tool("caption_frame", {"video": m.video, "t": (m.start + m.end) / 2}, by="refine")
    result = run.answer(when=True)
    model_text = result["answer"]
    # a "when" answer cites moments: map a chosen re-check item back to the moment it looked at
    if result["citations"]:
        result["citations"] = [_moment_of(c, moments) for c in result["citations"]]
        result = _keep_best_ranked(run, result, moments)
        result["answer"] = plain_times(result["answer"], result["citations"][0])
        cited = next((m for m in moments if same_moment({"video": m.video, "start": m.start, "end": m.end},
                                                         result["citations"][0])), None)
        if cited is not None and (_SAID_AS_IS.search(cited.text) or not times_agree(result["answer"], cited)):
            # "no speech found" is the answer, not a time in it; and an answer whose times are not
            # the cited moment's ("between 00:20 and 00:23" citing 00:00-00:06) says the moment itself
            result["answer"] = moment_said(cited)
    if result["answer"] != model_text:
        result["streamed"] = False  # what was streamed is not the answer: it is printed again
    ranked = [{"video": m.video, "start": round(m.start, 2), "end": round(m.end, 2),
               "score": round(m.score or 0.0, 4)} for m in moments]
    # the moment the answer gives comes first: the list and the answer must agree
    cited = [m for m in ranked if result["citations"] and same_moment(m, result["citations"][0])]
    result["moments"] = cited[:1] + [m for m in ranked if m not in cited[:1]]
    return result


_CLOCK = re.compile(r"\b(\d{1,2}):(\d{1,2}):(\d{2})(?:\.\d+)?\b(?: ?s\b)?")
_MM_SS = re.compile(r"\b(\d{1,2}):(\d{2})\b")
# a worked-out answer that is the answer as it stands: no speech in a video, or each video's speech
_SAID_AS_IS = re.compile(r"^said: (?:no speech found in |speech in \d+ videos: )")


_SPAN_SAID = re.compile(r"\b(\d{1,2}):(\d{2})\s*(?:–|—|-|to|and|until|till)\s*(\d{1,2}):(\d{2})\b")


def times_agree(answer: str, cited: Evidence) -> bool:
    """Whether a "when" answer's mm:ss times include one inside the cited moment (within 2 s), or it
    states none. Another time may be named beside it ("after the white car at 00:05"), but an
    answer with only other times contradicts its citation. A span the answer gives must overlap the
    moment by half (of the shorter): "00:25–00:30" does not state 00:19–00:25."""
    spans = [(int(a) * 60 + int(b) - 0.5, int(c) * 60 + int(d) + 0.5) for a, b, c, d in _SPAN_SAID.findall(answer)]
    if spans:
        return any(overlap_share(sp, (cited.start, cited.end)) >= 0.5 for sp in spans)
    times = [int(a) * 60 + int(b) for a, b in _MM_SS.findall(answer)]
    return not times or any(cited.start - 2.0 <= t <= cited.end + 2.0 for t in times)


_LINE_LABEL = re.compile(r"^(?:[a-z ]+: )?(?:object event \d+ of \d+ in this video: )?")


def moment_said(cited: Evidence) -> str:
    """A "when" answer that is the cited moment itself: its times and what it is, in words
    ("00:05–00:09 in car-detection.mp4: a grey/white car enters from the bottom, …"); a moment
    that says nothing was found is said as it is ("no speech found in …")."""
    what = _LINE_LABEL.sub("", cited.text, count=1).split("; all object events", 1)[0].strip()
    if _SAID_AS_IS.search(cited.text):
        return what[0].upper() + what[1:] + "."
    what = what if len(what) <= 200 else what[:200].rsplit(" ", 1)[0] + " …"
    return f"{fmt_span(cited.start, cited.end)} in {Path(cited.video).name}: {what}"


def plain_times(answer: str, cited: dict[str, Any]) -> str:
    """A "when" answer's h:mm:ss times as the cited moment means them: the model wrote "00:00:12"
    for 12 s, and "01:23:19 s" for a moment at 01:23 lasting 19 s. Without hours it is mm:ss; with
    hours that the cited moment does not reach, it is the moment's start. (mm:ss times are kept:
    an answer may name another moment, "after the white car at 00:05".)"""
    lo, hi = float(cited["start"]), float(cited["end"])

    def fix(m: re.Match) -> str:
        h, mm, ss = int(m.group(1)), int(m.group(2)), int(m.group(3))
        t = h * 3600 + mm * 60 + ss
        if h == 0:
            return fmt_time(t)
        return m.group(0) if lo - 2.0 <= t <= hi + 2.0 else fmt_time(lo)

    return _CLOCK.sub(fix, answer)


def _keep_best_ranked(run: _Run, result: dict[str, Any], moments: list[Evidence]) -> dict[str, Any]:
    """The model may answer a "when" question with another moment than retrieval's best only for a
    reason it can see: more of the question's words in that moment's evidence. Measured on the
    sample questions, its other picks were coin flips between lines that name none of the asked
    words ("the little stream with flowers": a shot's colours against a title's tags), wrong more
    often than right; in that case the best-ranked moment is the answer."""
    if not moments:
        return result
    top, chosen = moments[0], result["citations"][0]
    ref = {"video": top.video, "start": top.start, "end": top.end}
    if same_moment(ref, chosen):
        return result
    picked = next((m for m in moments if same_moment({"video": m.video, "start": m.start, "end": m.end}, chosen)), None)
    asked = lexical.tokens(run.question)
    if picked is not None and lexical.overlap(asked, picked.text) > lexical.overlap(asked, top.text):
        return result
    answer = moment_said(top)
    return {**result, "answer": answer, "streamed": False, "model_answer": result["answer"],
            "citations": [{"video": top.video, "start": round(top.start, 2), "end": round(top.end, 2)}],
            "cited": [top.id]}


def _moment_of(c: dict[str, Any], moments: list[Evidence]) -> dict[str, Any]:
    for m in moments:
        if m.video == c["video"] and m.start - 0.6 <= c["start"] <= m.end + 0.6:
            return {"video": m.video, "start": round(m.start, 2), "end": round(m.end, 2)}
    return c


def lasts_until(video: dict[str, Any], t: float) -> bool:
    """Whether a listed video lasts until `t` seconds (a second's slack: "at 0:30" of a 29.6 s clip)."""
    return float(video.get("duration") or 0.0) + 1.0 >= t


def pick_video(question: str, videos: list[dict[str, Any]], need_picture: bool = False,
               at: float | None = None, need_speech: bool = False) -> dict[str, Any] | None:
    """The one video a question must be about: named in it ("the JFK clip", "the one-by-one video"),
    or the one in the language it names, or the only candidate. `at`: a time the question names
    ("at 1:40"); only a video that lasts that long can be the one. `need_speech`: only a video with
    speech can answer ("what is the first thing said?")."""
    if at is not None:
        videos = [v for v in videos if lasts_until(v, at)]
    qset = set(lexical.tokens(question))
    qtext = f" {' '.join(lexical.name_words(question))} "

    def named_by(v: dict[str, Any]) -> int:
        parts = lexical.name_words(Path(v["video"]).stem)
        words = len(qset & {t for t in parts if len(t) >= 3})
        # or a run of two or more of its name's words, in order, stopwords too ("one by one")
        run = max((n for i in range(len(parts)) for n in range(2, len(parts) - i + 1)
                   if f" {' '.join(parts[i:i + n])} " in qtext and not all(p.isdigit() for p in parts[i:i + n])),
                  default=0)  # digits alone are a time as often ("at 0:30" is not big_buck_bunny_0_30)
        return max(words, run)

    scores = [(named_by(v), v) for v in videos]
    best = max((n for n, _ in scores), default=0)
    named = [v for n, v in scores if best and n == best]
    if len(named) > 1 and need_picture:
        named = [v for v in named if v.get("keyframes")] or named
    if len(named) == 1:
        return named[0]
    langs = lexical.languages_named(question)  # "the French speaker": the one video in French
    spoken = [v for v in (named or videos)
              if langs and {c.split("-")[0] for c in (v.get("languages") or [v.get("language") or ""])} & langs]
    if len(spoken) == 1:
        return spoken[0]
    pool = [v for v in videos if v.get("keyframes")] if need_picture else videos
    if need_speech:
        pool = [v for v in pool if v.get("chunks")]
    return pool[0] if len(pool) == 1 else None


def _first_action(run: _Run, r: Route) -> tuple[str, dict[str, Any], str] | None:
    """The router's first call, with the video filled in where the route needs one."""
    if r.tool is None:
        return None
    if r.kind in ("summary", "describe", "said_at"):
        v = None
        at = r.args.get("t") if r.kind == "describe" else r.args.get("at")
        if run.video:
            rec = run.toolbox.store.resolve_video(run.video)
            v = {"video": rec.path, "duration": rec.duration}
        else:
            v = pick_video(run.question, run.toolbox.list_videos(), need_picture=r.kind == "describe",
                           at=at if isinstance(at, (int, float)) else None, need_speech=r.kind == "said_at")
        if v is None and r.kind == "describe":
            # "what colour are the clouds at the start?" with a few videos to look at: look at each
            # (the model, shown only the list, searched frames for "clouds" and lost the time)
            candidates = [c for c in run.toolbox.list_videos()
                          if c.get("keyframes") and (not isinstance(at, (int, float)) or lasts_until(c, at))]
            looks = [_caption_action(run, c, r.args.get("t")) for c in _showing_what_is_asked(run, candidates)]
            if 1 <= len(looks) <= MAX_LOOKS:
                run.queue = looks[1:]
                return looks[0]
        if v is None:  # several candidates: show the model the list and let it choose
            return ("list_videos", {}, "router")
        duration = float(v.get("duration") or 0.0)
        if r.kind == "summary":
            langs = lexical.languages_named(run.question)
            chunks = [c for c in run.toolbox.get_transcript(v["video"])
                      if str(c.meta.get("language") or "").split("-")[0] in langs] if langs else []
            if chunks:  # "what does the German speaker say?" of a video that mixes languages: that stretch
                return ("get_transcript", {"video": v["video"], "start": chunks[0].start,
                                           "end": max(c.end for c in chunks)}, "router")
            return ("get_transcript", {"video": v["video"], "start": 0.0, "end": None}, "router")
        if r.kind == "said_at":
            chunks = run.toolbox.get_transcript(v["video"])
            langs = lexical.languages_named(run.question)
            if r.args.get("at") in ("start", "end") and langs:
                # "the first words of the German part": the edge of the stretch in that language
                chunks = [c for c in chunks if str(c.meta.get("language") or "").split("-")[0] in langs] or chunks
            spoken = (chunks[0].start, max(c.end for c in chunks)) if chunks else (0.0, duration)
            start, end = said_window(r.args.get("at"), spoken)
            if isinstance(r.args.get("at"), (int, float)):
                from vidsage.tools.relative import clause_span

                start, end = clause_span(run.toolbox, v["video"], float(r.args["at"])) or (start, end)
            return ("get_transcript", {"video": v["video"], "start": start, "end": end}, "router")
        return _caption_action(run, v, r.args.get("t"))
    return (r.tool, dict(r.args), "router")


MAX_LOOKS = 3  # videos looked at for a question about the picture that names none


def _showing_what_is_asked(run: _Run, videos: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Of the videos a question about the picture may be about, those in which indexing saw the kind
    of thing it asks about ("who is in the room at 0:30?": people, tracked or as faces); all of
    them when it names no such thing or none shows it. (The bunny cartoon's title had answered.)"""
    from vidsage.tools.temporal import _class_of, shown_in

    cls = _class_of(run.question) or ("person" if re.match(r"\s*who\b", run.question, re.I) else None)
    if cls in (None, "*", "shot"):
        return videos
    kinds = {"person": ("person", "faces")}.get(cls, (cls,))
    showing = [v for v in videos if any(shown_in(run.toolbox, v["video_id"]).get(k) for k in kinds)]
    return showing or videos


def _caption_action(run: _Run, v: dict[str, Any], t: float | str | None) -> tuple[str, dict[str, Any], str]:
    """The router's caption_frame call for one video at the question's time ("start", "end", a
    time, or the middle)."""
    duration = float(v.get("duration") or 0.0)
    if t in ("start", "end"):
        t = picture_at_edge(run.toolbox, v["video"], t, duration)
    t = duration / 2 if t is None else float(t)
    return ("caption_frame", {"video": v["video"], "t": round(min(t, duration), 2)}, "router")


EDGE_PICTURE_S = 5.0  # "at the start": this far into the opening shot (or its middle, if shorter)


def picture_at_edge(toolbox, video: str, edge: str, duration: float) -> float:
    """The time to look at for "what is on screen at the start / at the end": inside the opening
    (closing) shot, not its first (last) frame, which is often a fade from (to) black."""
    try:
        rec = toolbox.store.resolve_video(video)
        shots = [h for h in toolbox.store.segments_of(rec.video_id) if h.kind == "segment:shot"]
    except Exception:
        shots = []
    if shots:
        shot = shots[0] if edge == "start" else shots[-1]
        s, e = shot.start, shot.end
    else:
        s, e = (0.0, min(duration, 2 * EDGE_PICTURE_S)) if edge == "start" else \
            (max(0.0, duration - 2 * EDGE_PICTURE_S), duration)
    step = min(EDGE_PICTURE_S, (e - s) / 2)
    return s + step if edge == "start" else e - step


AT_WINDOW_S = 5.0  # seconds either side of a named time whose words are read ("what is said at 0:08?")
EDGE_WINDOW_S = 12.0  # seconds read at the start or the end ("the first thing said", "the last words")


def said_window(at: float | str | None, spoken: tuple[float, float]) -> tuple[float, float]:
    """The stretch whose words answer "what is said at <at>?"; `spoken` is when the video's speech
    begins and ends (the first words may come long after the video starts)."""
    if at == "start":
        return spoken[0], min(spoken[1], spoken[0] + EDGE_WINDOW_S)
    if at == "end":
        return max(spoken[0], spoken[1] - EDGE_WINDOW_S), spoken[1]
    t = float(at or 0.0)
    return max(0.0, t - AT_WINDOW_S), t + AT_WINDOW_S


def _loop(run: _Run, r: Route) -> dict[str, Any]:
    next_action = _first_action(run, r)
    seen_calls: set[str] = set()
    for _ in range(run.settings.agent_max_steps):
        if run.time_left() <= 0:
            break
        if next_action is None:
            action, error = run.choose_action()
            if action is None:
                run.calls.append({"tool": None, "args": {}, "ok": False, "seconds": 0.0, "by": "llm",
                                  "error": f"invalid tool call after retry: {error}"})
                break
            if action.tool == "answer":
                break
            next_action = (action.tool, action.args, "llm")
        name, args, by = next_action
        next_action = None
        key = f"{name}:{json.dumps(args, sort_keys=True)}"
        if key in seen_calls:
            break  # the model repeats itself: answer with what there is
        seen_calls.add(key)
        rec = run.call_tool(name, args, by)
        if run.queue:
            next_action = run.queue.pop(0)
            continue
        if by == "router" and r.kind == "summary" and name == "get_transcript" and rec["ok"]:
            # an overview needs what is seen too (a video may have no speech at all)
            try:
                has_picture = bool(run.toolbox.store.resolve_video(args["video"]).keyframes)
            except Exception:
                has_picture = False
            if has_picture:
                rec = run.call_tool("get_timeline", {"video": args["video"]}, by)
        if rec["ok"] and rec.get("results") and not run.not_found(r.kind == "list"):
            break  # strong evidence (or the transcript asked for): answer now, no further planning call
        if by == "router" and name.startswith("search_"):
            # the routed search found nothing strong: widen once to speech + picture together, without
            # an LLM call (a planning call costs seconds and the 1.5B model mostly repeats the search)
            next_action = ("find_moments", {"query": args.get("query") or content_query(run.question),
                                            "video": args.get("video")}, "fallback")
            continue
        if by == "fallback":
            break  # still nothing strong: "not found", decided from the scores
    result = run.answer(listing=r.kind == "list", said=r.kind == "said", summary=r.kind == "summary",
                        words=r.kind == "said_at")
    if r.kind == "summary" and not result["citations"] and not run.video:
        # "what is this video about?" with several videos and none named: what indexing found in
        # each, so the user sees them all and can name one (the model had said "not found")
        result = _overviews(run) or result
    at = r.args.get("at")
    if r.kind == "said_at" and isinstance(at, float) and result["citations"]:
        # "what is said at 0:09?": the citation is the clause spoken at that time
        for e in run.log.items:
            c = result["citations"][0]
            if e.tool == "get_transcript" and e.words and e.video == c["video"] and c["start"] <= at <= c["end"]:
                span = lexical.clause_at([(float(a), float(b), str(w)) for a, b, w in e.words], at)
                if span:
                    first = result["moments"][0] if result["moments"] else None
                    if first is not None and same_moment(first, c):  # the listed moment is the citation
                        first["start"], first["end"] = round(span[0], 2), round(span[1], 2)
                    c["start"], c["end"] = round(span[0], 2), round(span[1], 2)
                break
    return result


MAX_OVERVIEWS = 5  # videos overviewed for a summary that names no video


def _overviews(run: _Run) -> dict[str, Any] | None:
    """The answer to a summary question that names no video: each listed video's overview (the
    first MAX_OVERVIEWS of the list), cited as whole videos; None if there is none."""
    from vidsage.tools.temporal import video_overview

    videos = run.toolbox.list_videos()[:MAX_OVERVIEWS]
    parts, cited = [], []
    for v in videos:
        try:
            found = video_overview(run.toolbox, v["video"])
        except Exception:
            continue
        parts.append(found)
        cited.append(run.log.add(v["video"], 0.0, float(v.get("duration") or 0.0), "video", found, None, "overview"))
    if not cited:
        return None
    more = len(run.toolbox.list_videos()) - len(cited)
    head = (f"Which video? You have {len(cited) + more}; what was found in "
            + ("each" if not more else f"{len(cited)} of them") + ": ")
    return run._finish(head + " | ".join(parts), cited, streamed=False)


__all__ = ["run_agent", "warm_up", "Action", "action_schema", "answer_schema", "validate_action", "AnswerStream", "NOT_FOUND",
           "content_query"]
