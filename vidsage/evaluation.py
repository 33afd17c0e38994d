"""`vidsage eval`: scripted question/answer evaluation of the whole answering path.

Input: a JSONL file, one question per line (DESIGN.md):
    {"id", "video", "question", "kind": "when"|"said"|"what", "answer", "start", "end"}
`video` is a path relative to the JSONL file (absolute paths work too); `answer` or `start`/`end`
may be absent. Videos that are not indexed yet are indexed first.

Each question is asked exactly as `vidsage ask --json` would ask it (same function, same settings),
of the whole library unless `per_video` is set; the result is the ask object plus scores.
The scoring rules are documented in eval/README.md and implemented by the small pure functions at
the top of this module (unit-tested in tests/test_eval.py):

- temporal (kinds "when" and "said", lines with start and end): the top moment is compared with the
  truth interval [start, end] when it is on the right video (same content hash), else it scores 0.
  `iou`: intersection over union; `r1_iou03`/`r1_iou05`: top moment IoU >= 0.3 / 0.5;
  `r5_iou05`: any of the top 5 moments on the right video with IoU >= 0.5; `hit_2s`: the top
  moment lies inside [start - 2, end + 2] (HIT_RULE); `correct_video`: the top moment's video.
- answers (kinds "what" and "said", lines with an answer): `match` when, for at least one of the
  "|"-separated alternatives, every content token of the expected answer appears among the tokens
  of the answer text (see `answer_tokens`).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import platform
import re
import subprocess
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from vidsage import __version__
from vidsage.config import Settings

KINDS = ("when", "said", "what")
TEMPORAL_KINDS = ("when", "said")
ANSWER_KINDS = ("what", "said")
HIT_TOLERANCE_S = 2.0
HIT_RULE = ("the top moment is on the right video and lies inside [start - 2 s, end + 2 s] "
            "(top.start >= start - 2 and top.end <= end + 2)")
MATCH_RULE = ("case, accents and punctuation folded (apostrophes dropped, hyphens split), number words "
              "folded to digits ('two' -> '2', 'twenty one' -> '21', 'first' -> '1st'), 'gray'/'color' "
              "spellings folded to 'grey'/'colour', one plural 's' dropped from words over 3 letters, articles a/an/the dropped, CJK split into characters, "
              "a clock time ('1:00') kept as one token; "
              "match when every remaining token of the expected answer (or of one of its '|' alternatives) "
              "occurs among the tokens of the answer text")
FORMAT_VERSION = 1


class EvalError(Exception):
    """A problem with the input file or the options, reported on one line."""


# ---------------------------------------------------------------------------------------------
# scoring functions (pure)
# ---------------------------------------------------------------------------------------------


def temporal_iou(pred: tuple[float, float], truth: tuple[float, float]) -> float:
    """Intersection over union of two intervals (seconds). Zero-length intervals: 1.0 if equal."""
    ps, pe = sorted((float(pred[0]), float(pred[1])))
    ts, te = sorted((float(truth[0]), float(truth[1])))
    inter = max(0.0, min(pe, te) - max(ps, ts))
    union = max(pe, te) - min(ps, ts)
    if union <= 0:
        return 1.0 if (ps, pe) == (ts, te) else 0.0
    return inter / union


def hit_within(pred: tuple[float, float], truth: tuple[float, float], tol: float = HIT_TOLERANCE_S) -> bool:
    """The predicted interval lies inside the truth widened by `tol` seconds on both sides."""
    ps, pe = sorted((float(pred[0]), float(pred[1])))
    ts, te = sorted((float(truth[0]), float(truth[1])))
    return ps >= ts - tol and pe <= te + tol


_UNITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
          "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
          "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90}
_ORDINALS = {"first": "1st", "second": "2nd", "third": "3rd", "fourth": "4th", "fifth": "5th", "sixth": "6th",
             "seventh": "7th", "eighth": "8th", "ninth": "9th", "tenth": "10th"}
_SPELLING = {"gray": "grey", "grayish": "greyish", "color": "colour", "colors": "colours",
             "colored": "coloured"}
ARTICLES = frozenset({"a", "an", "the"})
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_CLOCK = re.compile(r"\b\d{1,2}(?::\d{2}){1,2}\b")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"['’ʼ`´]", "", text)  # don't -> dont, must've -> mustve


def answer_tokens(text: str) -> list[str]:
    """Tokens of a text under the answer-matching rule (MATCH_RULE), articles dropped."""
    raw: list[str] = []
    # a clock time is one token ("1:00" -> "1m00s"): its digits are not a count ("6 people at 1:00"
    # had matched the expected "1")
    text = _CLOCK.sub(lambda m: "m".join(m.group(0).split(":")) + "s", text)
    for w in _TOKEN.findall(_fold(text)):
        if _CJK.search(w):  # unspaced scripts: one token per character
            raw.extend(c for c in w)
        else:
            raw.append(w)
    out: list[str] = []
    i = 0
    while i < len(raw):
        w = raw[i]
        if w in _TENS:
            n = _TENS[w]
            if i + 1 < len(raw) and raw[i + 1] in _UNITS and 0 < _UNITS[raw[i + 1]] < 10:
                n += _UNITS[raw[i + 1]]
                i += 1
            out.append(str(n))
        elif w in _UNITS:
            out.append(str(_UNITS[w]))
        elif w in _ORDINALS:
            out.append(_ORDINALS[w])
        elif w not in ARTICLES:
            w = _SPELLING.get(w, w)
            if len(w) > 3 and w.endswith("s") and not w.endswith("ss") and not w.isdigit():
                w = w[:-1]  # a plain plural: "jewels" == "jewel"
            out.append(w)
        i += 1
    return out


def answer_matches(expected: str, answer_text: str) -> bool:
    """True when some '|' alternative of `expected` has all its tokens in `answer_text` (MATCH_RULE)."""
    have = set(answer_tokens(answer_text or ""))
    for alt in str(expected).split("|"):
        want = answer_tokens(alt)
        if want and all(t in have for t in want):
            return True
    return False


def percentile(values: Iterable[float], q: float) -> float | None:
    """Linear-interpolated percentile (numpy's default), None for no values."""
    xs = sorted(float(v) for v in values)
    if not xs:
        return None
    pos = (len(xs) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


# ---------------------------------------------------------------------------------------------
# input
# ---------------------------------------------------------------------------------------------


@dataclass
class EvalItem:
    id: str
    video: str  # as written in the file
    path: Path  # resolved against the JSONL file's folder
    question: str
    kind: str
    answer: str | None = None
    start: float | None = None
    end: float | None = None
    line: int = 0

    @property
    def temporal(self) -> bool:
        return self.kind in TEMPORAL_KINDS and self.start is not None and self.end is not None

    @property
    def answerable(self) -> bool:
        return self.kind in ANSWER_KINDS and bool(self.answer)

    def expected(self) -> dict[str, Any]:
        return {"video": self.video, "answer": self.answer, "start": self.start, "end": self.end}


def load_items(path: str | Path) -> list[EvalItem]:
    """Parse and check an eval JSONL file; every problem names its line."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise EvalError(f"{path}: cannot read: {e.strerror or e}") from None
    base = path.resolve().parent
    items: list[EvalItem] = []
    seen: set[str] = set()
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise EvalError(f"{path}:{n}: not JSON: {e.msg}") from None
        if not isinstance(obj, dict):
            raise EvalError(f"{path}:{n}: each line must be a JSON object")
        missing = [k for k in ("id", "video", "question", "kind") if obj.get(k) in (None, "")]
        if missing:
            raise EvalError(f"{path}:{n}: missing {', '.join(missing)}")
        iid = str(obj["id"])
        if iid in seen:
            raise EvalError(f"{path}:{n}: duplicate id {iid!r}")
        seen.add(iid)
        kind = str(obj["kind"]).lower()
        if kind not in KINDS:
            raise EvalError(f"{path}:{n}: kind must be one of {', '.join(KINDS)}, not {obj['kind']!r}")
        start, end = obj.get("start"), obj.get("end")
        if (start is None) != (end is None):
            raise EvalError(f"{path}:{n}: give both start and end, or neither")
        if start is not None:
            try:
                start, end = float(start), float(end)
            except (TypeError, ValueError):
                raise EvalError(f"{path}:{n}: start and end must be numbers (seconds)") from None
            if end < start or start < 0:
                raise EvalError(f"{path}:{n}: need 0 <= start <= end, got {start}..{end}")
        answer = obj.get("answer")
        answer = None if answer in (None, "") else str(answer)
        if start is None and answer is None:
            raise EvalError(f"{path}:{n}: nothing to score: give an answer, or start and end")
        vpath = Path(os.path.normpath(base / Path(str(obj["video"])).expanduser()))
        items.append(EvalItem(iid, str(obj["video"]), vpath, str(obj["question"]), kind, answer, start, end, n))
    if not items:
        raise EvalError(f"{path}: no questions in the file")
    return items


# ---------------------------------------------------------------------------------------------
# scoring one answer
# ---------------------------------------------------------------------------------------------


class VideoIdentity:
    """Says whether a moment's video (a path as indexed) is the expected file, by content hash."""

    def __init__(self, store):
        self.store = store
        self._by_path: dict[str, str] = {}
        self._hashes: dict[Path, str | None] = {}
        self.refresh()

    def refresh(self) -> None:
        self._by_path = {}
        for rec in self.store.videos():
            for p in {rec.path, *(rec.paths or [])}:
                self._by_path[p] = rec.video_id

    def file_id(self, path: Path) -> str | None:
        if path not in self._hashes:
            from vidsage.index.pipeline import content_hash

            try:
                self._hashes[path] = content_hash(path)
            except OSError:
                self._hashes[path] = None
        return self._hashes[path]

    def moment_id(self, video: str) -> str | None:
        vid = self._by_path.get(video)
        if vid is None:
            self.refresh()
            vid = self._by_path.get(video)
        return vid

    def same(self, moment_video: str, expected: Path) -> bool:
        want = self.file_id(expected)
        return want is not None and self.moment_id(moment_video) == want


def score_answer(item: EvalItem, ask: dict[str, Any], same_video: Callable[[str], bool]) -> dict[str, Any]:
    """The scores of one ask object against its line (None where a score does not apply)."""
    moments = ask.get("moments") or []
    top = moments[0] if moments else None
    s: dict[str, Any] = {
        "top": None if top is None else {"video": top["video"], "start": top["start"], "end": top["end"]},
        "correct_video": None if top is None else bool(same_video(top["video"])),
        "abstained": not ask.get("citations"),
        "iou": None, "r1_iou03": None, "r1_iou05": None, "r5_iou05": None, "hit_2s": None, "match": None,
    }
    if item.temporal:
        truth = (item.start, item.end)
        ious = [temporal_iou((m["start"], m["end"]), truth) if same_video(m["video"]) else 0.0
                for m in moments[:5]]
        iou = ious[0] if ious else 0.0
        s.update(iou=round(iou, 4), r1_iou03=iou >= 0.3, r1_iou05=iou >= 0.5,
                 r5_iou05=any(x >= 0.5 for x in ious),
                 hit_2s=bool(top is not None and s["correct_video"] and hit_within((top["start"], top["end"]), truth)))
        if top is None:
            s["correct_video"] = False
    if item.answerable:
        s["match"] = answer_matches(item.answer or "", answer_text_without_sources(ask))
    return s


def answer_text_without_sources(ask: dict[str, Any]) -> str:
    """The answer with cited file paths and names removed: a file called big_buck_bunny.webm must not
    answer "what is the title" by being cited."""
    text = str(ask.get("answer") or "")
    names: set[str] = set()
    for m in list(ask.get("citations") or []) + list(ask.get("moments") or []):
        v = str(m.get("video") or "")
        if v:
            names.update({v, Path(v).name})
    for n in sorted(names, key=len, reverse=True):
        text = text.replace(n, " ")
    return text


# ---------------------------------------------------------------------------------------------
# summary
# ---------------------------------------------------------------------------------------------

SUMMARY_KEYS = ("n", "errors", "n_temporal", "iou_mean", "r1_iou03", "r1_iou05", "r5_iou05", "hit_2s",
                "correct_video", "n_answer", "accuracy", "abstained", "latency_p50_s", "latency_p95_s",
                "tool_calls_per_question")


def _rate(xs: list[bool]) -> float | None:
    return round(sum(1 for x in xs if x) / len(xs), 4) if xs else None


def summarise_group(results: list[dict[str, Any]]) -> dict[str, Any]:
    temporal = [r["scores"] for r in results if r["scores"].get("iou") is not None]
    answered = [r["scores"]["match"] for r in results if r["scores"].get("match") is not None]
    lat = [r["latency_s"] for r in results if r.get("latency_s") is not None and not r.get("error")]
    calls = [len(r.get("tool_calls") or []) for r in results if not r.get("error")]
    with_top = [r["scores"]["correct_video"] for r in results if r["scores"].get("correct_video") is not None]
    p50, p95 = percentile(lat, 50), percentile(lat, 95)
    return {
        "n": len(results),
        "errors": sum(1 for r in results if r.get("error")),
        "n_temporal": len(temporal),
        "iou_mean": round(sum(s["iou"] for s in temporal) / len(temporal), 4) if temporal else None,
        "r1_iou03": _rate([s["r1_iou03"] for s in temporal]),
        "r1_iou05": _rate([s["r1_iou05"] for s in temporal]),
        "r5_iou05": _rate([s["r5_iou05"] for s in temporal]),
        "hit_2s": _rate([s["hit_2s"] for s in temporal]),
        "correct_video": _rate(with_top),
        "n_answer": len(answered),
        "accuracy": _rate(answered),
        "abstained": _rate([bool(r["scores"].get("abstained")) for r in results]),
        "latency_p50_s": None if p50 is None else round(p50, 3),
        "latency_p95_s": None if p95 is None else round(p95, 3),
        "tool_calls_per_question": round(sum(calls) / len(calls), 2) if calls else None,
    }


def summarise(results: list[dict[str, Any]]) -> dict[str, Any]:
    by_kind = {k: summarise_group([r for r in results if r["kind"] == k]) for k in KINDS
               if any(r["kind"] == k for r in results)}
    return {"overall": summarise_group(results), "by_kind": by_kind}


def check_fail_under(summary: dict[str, Any], threshold: float | None) -> list[str]:
    """Headline metrics (overall R@1@0.5 and accuracy, where measured) below the threshold."""
    if threshold is None:
        return []
    overall = summary["overall"]
    failed = []
    for key, label in (("r1_iou05", "R@1 IoU>=0.5"), ("accuracy", "accuracy")):
        v = overall.get(key)
        if v is not None and v < threshold:
            failed.append(f"{label} {v:.3f} < {threshold:.3f}")
    return failed


# ---------------------------------------------------------------------------------------------
# provenance
# ---------------------------------------------------------------------------------------------


def git_info(where: Path | None = None) -> dict[str, Any]:
    where = where or Path(__file__).resolve().parent.parent
    info: dict[str, Any] = {"commit": None, "dirty": None}
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=where, capture_output=True, text=True, timeout=5)
        if commit.returncode == 0:
            info["commit"] = commit.stdout.strip()
            st = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=where,
                                capture_output=True, text=True, timeout=10)
            info["dirty"] = bool(st.stdout.strip()) if st.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        pass
    return info


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def environment() -> dict[str, Any]:
    return {"vidsage": __version__, "git": git_info(), "python": platform.python_version(),
            "platform": platform.platform(), "cpu": cpu_model(), "cpu_count": os.cpu_count()}


def store_models(store) -> dict[str, Any]:
    cols = {}
    for name in ("frames", "segments", "transcript", "clip"):
        try:
            m = store.collection_model(name)
        except Exception:  # a store that cannot say still gets evaluated
            m = None
        if m:
            cols[name] = m
    per_video: dict[str, set[str]] = {}
    for rec in store.videos():
        for role, name in (rec.models or {}).items():
            per_video.setdefault(role, set()).add(name)
    return {"collections": cols, "indexed_with": {k: sorted(v) for k, v in sorted(per_video.items())}}


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------------------------------------
# output
# ---------------------------------------------------------------------------------------------


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{100 * v:.0f}%"


def _num(v: float | None, fmt: str = "{:.2f}") -> str:
    return "-" if v is None else fmt.format(v)


_COLUMNS = [  # header, key, formatter
    ("n", "n", str),
    ("acc", "accuracy", _pct),
    ("IoU", "iou_mean", _num),
    ("R1@.3", "r1_iou03", _pct),
    ("R1@.5", "r1_iou05", _pct),
    ("R5@.5", "r5_iou05", _pct),
    ("±2s", "hit_2s", _pct),
    ("video", "correct_video", _pct),
    ("p50", "latency_p50_s", _num),
    ("p95", "latency_p95_s", _num),
    ("tools", "tool_calls_per_question", lambda v: _num(v, "{:.1f}")),
    ("err", "errors", str),
]


def summary_rows(summary: dict[str, Any]) -> list[tuple[str, list[str]]]:
    rows = [(k, [fmt(g.get(key)) for _, key, fmt in _COLUMNS]) for k, g in summary["by_kind"].items()]
    rows.append(("overall", [fmt(summary["overall"].get(key)) for _, key, fmt in _COLUMNS]))
    return rows


def rich_table(report: dict[str, Any]):
    from rich import box
    from rich.table import Table

    opts = report["options"]
    title = f"vidsage eval — {Path(report['input']).name} — mode {opts['mode']} (latency p50/p95 in s)"
    if not report.get("complete"):
        title += f" (partial: {len(report['results'])} of {report['questions']})"
    t = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    t.add_column("kind", no_wrap=True)
    for header, _, _ in _COLUMNS:
        t.add_column(header, justify="right", no_wrap=True)
    for name, cells in summary_rows(report["summary"]):
        t.add_row(f"[bold]{name}[/]" if name == "overall" else name, *cells)
    return t


def _md_escape(s: Any) -> str:
    return str(s).replace("|", "\\|").replace("\n", " ")


def markdown(report: dict[str, Any]) -> str:
    from vidsage.types import fmt_span

    o, env = report["options"], report["environment"]
    git = env.get("git") or {}
    commit = git.get("commit") or "not a git checkout"
    if git.get("dirty"):
        commit += " (uncommitted changes)"
    lines = [
        f"# vidsage eval: `{report['input']}`", "",
        f"- created: {report['created']}" + ("" if report.get("complete") else
                                               f" — **partial**: {len(report['results'])} of {report['questions']} questions"),
        f"- mode: `{o['mode']}`, scope: {'each question on its own video' if o['per_video'] else 'the whole library'}, "
        f"db: `{report['settings'].get('db')}`",
        f"- vidsage {env.get('vidsage')}, commit {commit}; Python {env.get('python')}; {env.get('cpu')} "
        f"({env.get('cpu_count')} CPUs)",
        "- models: " + ", ".join(f"{k} `{v}`" for k, v in report["models"]["configured"].items()),
        f"- hit rule: {HIT_RULE}", f"- answer match: {MATCH_RULE}", "",
        "## Summary", "",
        "| kind | " + " | ".join(h for h, _, _ in _COLUMNS) + " |",
        "|---|" + "---:|" * len(_COLUMNS),
    ]
    for name, cells in summary_rows(report["summary"]):
        lines.append(f"| {'**overall**' if name == 'overall' else name} | " + " | ".join(cells) + " |")
    lines += ["", "## Questions", "",
              "| id | kind | question | expected | top moment | IoU | hit | match | s |",
              "|---|---|---|---|---|---:|:-:|:-:|---:|"]
    for r in report["results"]:
        e, s = r["expected"], r["scores"]
        exp = []
        if e.get("answer"):
            exp.append(f"“{e['answer']}”")
        if e.get("start") is not None:
            exp.append(fmt_span(e["start"], e["end"]) + f" ({e['start']:g}–{e['end']:g} s)")
        top = s.get("top")
        top_s = "-" if not top else f"{Path(top['video']).name} {top['start']:g}–{top['end']:g}"
        if top and s.get("correct_video") is False:
            top_s += " (other video)"
        if r.get("error"):
            top_s = f"error: {r['error']}"
        yes = {True: "✓", False: "✗", None: ""}
        lines.append("| " + " | ".join(_md_escape(x) for x in (
            r["id"], r["kind"], r["question"], " ".join(exp), top_s,
            "" if s.get("iou") is None else f"{s['iou']:.2f}", yes[s.get("hit_2s")], yes[s.get("match")],
            _num(r.get("latency_s")))) + " |")
    return "\n".join(lines) + "\n"


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


# ---------------------------------------------------------------------------------------------
# the run
# ---------------------------------------------------------------------------------------------


@dataclass
class EvalRun:
    report: dict[str, Any]
    out: Path
    markdown_path: Path
    interrupted: bool = False
    failed: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return 130
        return 1 if self.failed else 0


def default_out(input_path: Path) -> Path:
    """`report.<stem>.json` next to the input file, or in the current folder when that one is read-only."""
    name = f"report.{input_path.stem}.json"
    folder = input_path.resolve().parent
    return folder / name if os.access(folder, os.W_OK) else Path.cwd() / name


def _load_previous(out: Path, items: list[EvalItem], mode: str, per_video: bool,
                   db: str) -> dict[str, dict[str, Any]]:
    """Finished results (no error) of a previous run of the same questions, by id; a report made with
    another mode, scope or store is refused rather than mixed in."""
    if not out.is_file():
        return {}
    try:
        prev = json.loads(out.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise EvalError(f"--resume: cannot read {out}: {e}") from None
    was = (prev.get("options", {}).get("mode"), bool(prev.get("options", {}).get("per_video")),
           prev.get("settings", {}).get("db"))
    if was != (mode, per_video, db):
        raise EvalError(f"--resume: {out} was made with mode {was[0]}, per_video {was[1]}, db {was[2]}; "
                        f"resume with the same options, or write to another --out")
    by_id = {i.id: i for i in items}
    kept = {}
    for r in prev.get("results", []):
        item = by_id.get(str(r.get("id")))
        if item is None or r.get("error") or r.get("question") != item.question:
            continue
        kept[item.id] = r
    return kept


def ensure_indexed(items: list[EvalItem], settings: Settings, console=None) -> dict[str, Any]:
    """Index the question videos the store does not hold yet; returns what happened per file."""
    from vidsage.index.pipeline import RichReporter, Reporter, content_hash, index_paths
    from vidsage.index.store import Store

    store = Store(settings.db)
    status: dict[str, Any] = {}
    todo: list[Path] = []
    for p in dict.fromkeys(i.path for i in items):
        if not p.is_file():
            status[str(p)] = "missing"
            continue
        rec = store.get_video(content_hash(p))
        if rec is not None and rec.status == "done":
            status[str(p)] = "indexed before"
        else:
            todo.append(p)
    if todo:
        t0 = time.perf_counter()
        summary = index_paths(todo, settings, reporter=RichReporter(console) if console else Reporter())
        for r in summary.results:
            status[r.path] = r.status if not r.reason else f"{r.status}: {r.reason}"
        if summary.interrupted:
            raise KeyboardInterrupt
        status["_index_seconds"] = round(time.perf_counter() - t0, 2)
    return status


def run_eval(input_path: str | Path, settings: Settings, out: str | Path | None = None, mode: str = "auto",
             resume: bool = False, fail_under: float | None = None, per_video: bool = False,
             console=None, progress: bool = True) -> EvalRun:
    """Index what is missing, ask every question, score, and write the JSON and Markdown reports.

    The JSON report is rewritten after every question, so an interrupted run keeps what finished and
    `resume=True` skips the ids already answered without error.
    """
    from vidsage.agent.answer import answer_question, get_toolbox

    input_path = Path(input_path)
    if mode not in ("auto", "fast", "agent"):
        raise EvalError(f"--mode must be auto, fast or agent, not {mode!r}")
    items = load_items(input_path)
    out = Path(out) if out else default_out(input_path)
    md_path = out.with_suffix(".md")
    previous = _load_previous(out, items, mode, per_video, settings.db) if resume else {}

    report: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "input": str(input_path),
        "input_sha256": file_sha256(input_path),
        "questions": len(items),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "complete": False,
        "options": {"mode": mode, "per_video": per_video, "resume": resume, "fail_under": fail_under,
                    "hit_tolerance_s": HIT_TOLERANCE_S, "hit_rule": HIT_RULE, "match_rule": MATCH_RULE,
                    "temporal_kinds": list(TEMPORAL_KINDS), "answer_kinds": list(ANSWER_KINDS),
                    "latency": "wall time of answer_question per question, after a warm-up query that loads "
                               "the store and the query embedder"},
        "settings": settings.model_dump(),
        "environment": environment(),
        "models": {"configured": {k: getattr(settings, k) for k in ("whisper", "embedder", "tagger", "clip", "llm")}},
        "indexing": {},
        "summary": summarise([]),
        "results": [],
    }
    run = EvalRun(report, out, md_path)

    def flush() -> None:
        done = {r["id"]: r for r in report["results"]}
        report["results"] = [done[i.id] for i in items if i.id in done]
        report["summary"] = summarise(report["results"])
        write_atomic(out, json.dumps(report, ensure_ascii=False, indent=1))
        write_atomic(md_path, markdown(report))

    try:
        report["indexing"] = ensure_indexed(items, settings, console)
        toolbox = get_toolbox(settings)
        identity = VideoIdentity(toolbox.store)
        report["models"].update(store_models(toolbox.store))
        report["results"] = list(previous.values())
        flush()
        todo = [i for i in items if i.id not in previous]
        if todo:
            toolbox.find_moments("warm up", k=1)  # loads the query embedder: not part of any latency
        bar = _progress(console, len(items), len(previous)) if progress and console is not None else None
        try:
            for item in todo:
                if bar:
                    bar[0].update(bar[1], description=f"{item.id}")
                report["results"].append(_ask_one(item, settings, mode, per_video, identity, answer_question))
                flush()
                if bar:
                    bar[0].advance(bar[1])
        finally:
            if bar:
                bar[0].stop()
        report["complete"] = True
    except KeyboardInterrupt:
        run.interrupted = True
    report["summary"] = summarise(report["results"])
    run.failed = check_fail_under(report["summary"], fail_under) if report["complete"] else []
    report["fail_under_failed"] = run.failed
    flush()
    return run


def _progress(console, total: int, done: int):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    p = Progress(TextColumn("asking {task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                 console=console, transient=True)
    p.start()
    task = p.add_task("", total=total, completed=done)
    return p, task


def _ask_one(item: EvalItem, settings: Settings, mode: str, per_video: bool, identity: VideoIdentity,
             answer_question) -> dict[str, Any]:
    base = {"id": item.id, "kind": item.kind, "expected": item.expected()}
    if not item.path.is_file():
        ask: dict[str, Any] = {"question": item.question, "answer": "", "citations": [], "moments": [],
                               "tool_calls": [], "seconds": 0.0}
        return {**ask, **base, "scores": score_answer(item, ask, lambda v: False), "latency_s": None,
                "error": f"video file not found: {item.path}"}
    t0 = time.perf_counter()
    error = None
    try:
        # per_video: scoped by content hash, which the store resolves whatever path indexed the file
        scope = identity.file_id(item.path) if per_video else None
        ask = answer_question(item.question, settings, video=scope, mode=mode)
    except KeyboardInterrupt:
        raise
    except Exception as e:  # one broken question never stops the run
        error = f"{type(e).__name__}: {str(e).splitlines()[0][:300] if str(e) else ''}"
        ask = {"question": item.question, "answer": "", "citations": [], "moments": [], "tool_calls": [],
               "seconds": 0.0}
    latency = time.perf_counter() - t0
    ask = {k: v for k, v in ask.items() if k not in ("streamed",)}
    scores = score_answer(item, ask, lambda v: identity.same(v, item.path))
    return {**ask, **base, "scores": scores, "latency_s": round(latency, 4), "error": error}


def print_report(run: EvalRun, console) -> None:
    # a file or pipe gets the whole table rather than rich's 80-column default
    if not console.is_terminal and console.width < 110:
        from rich.console import Console

        console = Console(file=console.file, width=110, no_color=console.no_color)
    console.print(rich_table(run.report))
    console.print(f"report: {run.out} and {run.markdown_path}", highlight=False)
    errors = [r for r in run.report["results"] if r.get("error")]
    for r in errors[:5]:
        console.print(f"[yellow]error[/] {r['id']}: {r['error']}", highlight=False)
    if run.interrupted:
        console.print("[yellow]interrupted[/]: finished questions are kept; add --resume to continue.")
    for f in run.failed:
        console.print(f"[red]below --fail-under[/]: {f}", highlight=False)
