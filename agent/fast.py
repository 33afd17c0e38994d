"""The fast path: answer from retrieval alone, without the LLM.

"When" questions go straight to `find_moments`; the answer names the best interval and quotes the
evidence that supports it. This is what `vidsage ask --mode fast` prints and what the agent's
router uses for "when" questions before the LLM phrases the answer.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from vidsage.types import Citation, Hit, Moment, fmt_span

# Below this fused score nothing in the library really matches the question. Scores are a blend of a
# cosine similarity and a lexical match (tools/toolbox.py), so this is a relative floor, not a tuned cut.
NOT_FOUND_SCORE = 0.30


def evidence_line(h: Hit, max_chars: int = 160) -> str:
    text = " ".join(h.text.split())
    if len(text) > max_chars:
        text = text[: max_chars - 1] + "…"
    label = {"transcript": "said", "frame": "frame tags", "clip": "frame (CLIP)"}.get(h.kind, h.kind.replace("segment:", ""))
    return f"[{label}] {text}"


def answer_when(question: str, toolbox, video: str | None = None, k: int = 5) -> dict[str, Any]:
    t0 = time.perf_counter()
    moments = toolbox.find_moments(question, video=video, k=k)
    calls = [{"tool": "find_moments", "args": {"query": question, "video": video, "k": k},
              "results": len(moments)}]
    speech = None
    if (moments and moments[0].score >= NOT_FOUND_SCORE and asks_what_is_said(question)
            and not any(h.kind == "transcript" for h in moments[0].evidence)):
        speech = toolbox.speech_in(moments[0])
        calls.append({"tool": "get_transcript", "args": {"video": moments[0].video, "start": moments[0].start,
                                                         "end": moments[0].end}, "results": int(speech is not None)})
    return build_answer(question, moments, calls, t0, speech)


def asks_what_is_said(question: str) -> bool:
    from .router import _SAID

    return bool(_SAID.search(question))


def build_answer(question: str, moments: list[Moment], calls: list[dict], t0: float,
                 speech: Hit | None = None) -> dict[str, Any]:
    if not moments or moments[0].score < NOT_FOUND_SCORE:
        answer = "Not found in your videos."
        citations: list[Citation] = []
    else:
        best = moments[0]
        ev = max(best.evidence, key=lambda h: h.score)
        # The text names the file (as the agent's evidence lines do); `citations` carry the full path.
        answer = f"{Path(best.video).name} @ {fmt_span(best.start, best.end)} — {evidence_line(ev)}"
        if speech is not None:
            answer += f" — {evidence_line(speech)}"
        citations = [Citation(best.video, best.start, best.end)]
    return {
        "question": question,
        "answer": answer,
        "citations": [c.to_json() for c in citations],
        "moments": [m.to_json() for m in moments],
        "evidence": [[h.to_json() for h in m.evidence[:3]] for m in moments],
        "tool_calls": calls,
        "mode": "fast",
        "seconds": round(time.perf_counter() - t0, 3),
    }
