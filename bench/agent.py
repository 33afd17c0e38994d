"""Agent benchmark: latency by question kind, tokens/s, tool calls, peak RSS, routing, tool-call validity.

    .venv/bin/python bench/agent.py [--db DIR] [--threads N] [--llm NAME] [--tool-call-cases 12]

Builds a store of the bundled media (tests/agent_fixtures.build_store: the real pipeline, or the
temporary MANIFEST fill while the pipeline is unfinished) unless --db names one. Prints a table and
writes bench/results/agent.json. Timings depend on what else runs on the machine: the JSON records
the load average before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
REF_PROMPT_TOK_S, REF_GEN_TOK_S = 89.0, 25.0  # MODELS.md, Qwen2.5-Coder-1.5B Q4_K_M, 2 cores, no contention
sys.path.insert(0, str(ROOT / "tests"))

from agent_fixtures import BENCH_QUESTIONS, ROUTING_CASES, build_store  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from vidsage.agent.llm import get_llm  # noqa: E402
from vidsage.agent.loop import NOT_FOUND, _Run, action_schema, run_agent, validate_action, warm_up  # noqa: E402
from vidsage.agent.router import route  # noqa: E402
from vidsage.config import load_settings  # noqa: E402


def pct(xs: list[float], q: float) -> float | None:
    if not xs:
        return None
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, max(0, round(q * (len(xs) - 1))))], 2)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # ru_maxrss is KiB on Linux


def tool_call_validity(settings, toolbox, llm, cases: list[tuple[str, tuple[str, ...]]]) -> dict[str, Any]:
    """One action per question, free-text JSON vs schema-constrained: valid rate and right-tool rate."""
    out: dict[str, Any] = {}
    for label, fmt in (("unconstrained", None), ("constrained", {"type": "json_object", "schema": action_schema(False)})):
        valid = right = 0
        secs = []
        for q, ok in cases:
            run = _Run(q, settings, toolbox, None, None, llm)
            messages = [{"role": "system", "content": run.system()}, {"role": "user", "content": run._action_prompt()}]
            t0 = time.perf_counter()
            raw = llm.complete(messages, fmt, max_tokens=96)
            secs.append(time.perf_counter() - t0)
            action, _ = validate_action(raw)
            valid += action is not None
            right += action is not None and action.tool in ok
        out[label] = {"valid": valid, "right_tool": right, "n": len(cases), "p50_s": pct(secs, 0.5)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", help="an existing store (default: build one of the bundled media in a temp dir)")
    ap.add_argument("--media", default=str(ROOT.parent / "shared" / "media"))
    ap.add_argument("--threads", type=int)
    ap.add_argument("--llm")
    ap.add_argument("--tool-call-cases", type=int, default=12, help="questions for the valid-tool-call count")
    ap.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)  # child process: build --db, exit
    ap.add_argument("--no-llm-routing", action="store_true", help="skip the LLM on the router's open questions")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "agent.json"))
    a = ap.parse_args()
    console = Console()
    load_before = os.getloadavg()
    db = a.db or tempfile.mkdtemp(prefix="vidsage-bench-agent-")
    settings = load_settings(db=db, threads=a.threads, llm=a.llm, agent_timeout_s=600.0)
    if a.build_only:
        print(build_store(db, Path(a.media), settings))
        return
    store = "given"
    if not a.db:  # indexing loads the vision and speech models: keep them out of this process's peak RSS
        cmd = [sys.executable, __file__, "--build-only", "--db", db, "--media", a.media]
        store = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    rss = {"start": rss_mb()}
    from vidsage.tools.toolbox import Toolbox

    toolbox = Toolbox(settings)
    t0 = time.perf_counter()
    llm = get_llm(settings)
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    warm_up(settings, llm)
    warm_s = time.perf_counter() - t0
    rss["llm_loaded"] = rss_mb()
    toolbox.find_moments("warm up the embedder")  # first query loads the embedder: not a question's cost

    rows, per_kind = [], {}
    for kind, q, expect in BENCH_QUESTIONS:
        r = run_agent(q, settings, toolbox)
        cited = [Path(c["video"]).name for c in r["citations"]]
        correct = (r["answer"] == NOT_FOUND) if expect is None else (expect in cited)
        rows.append({"kind": kind, "question": q, "seconds": r["seconds"], "mode": r["mode"], "correct": correct,
                     "tool_calls": [c["tool"] for c in r["tool_calls"]], "answer": r["answer"],
                     "citations": r["citations"], "llm_calls": r["llm_calls"], "route": r["route"],
                     "tool_call_records": [{k: c.get(k) for k in ("tool", "ok", "seconds", "by", "error")}
                                           for c in r["tool_calls"]]})
        per_kind.setdefault(kind, []).append(rows[-1])
        console.print(f"[dim]{kind:5} {r['seconds']:6.2f}s {r['mode']:5} {'ok ' if correct else 'BAD'} {q} -> "
                      f"{r['answer'][:90]}[/]", highlight=False)

    rss["after_questions"] = rss_mb()
    # routing: the regex first, the LLM for what it leaves open
    regex_right = llm_right = undecided = 0
    llm_routes: list[dict[str, Any]] = []
    for q, ok in ROUTING_CASES:
        r = route(q)
        if r.tool is not None:
            regex_right += r.tool in ok
            continue
        undecided += 1
        if a.no_llm_routing:
            continue
        run = _Run(q, settings, toolbox, None, None, llm)
        action, _ = run.choose_action()
        llm_right += action is not None and action.tool in ok
        llm_routes.append({"question": q, "tool": action.tool if action else None, "expected": list(ok)})
    routing = {"n": len(ROUTING_CASES), "regex_decided": len(ROUTING_CASES) - undecided, "regex_right": regex_right,
               "llm_decided": undecided, "llm_right": llm_right,
               "accuracy": round((regex_right + llm_right) / len(ROUTING_CASES), 3), "llm_routes": llm_routes}
    non_when = [c for c in ROUTING_CASES if c[1] != ("find_moments",)]
    validity = tool_call_validity(settings, toolbox, llm, non_when[: a.tool_call_cases])

    def tok_rate(kind_rows: list[dict], key: str, secs: str) -> float | None:
        n = sum(c.get(key) or 0 for r in kind_rows for c in r["llm_calls"])
        s = sum(c.get(secs) or 0 for r in kind_rows for c in r["llm_calls"])
        return round(n / s, 1) if s else None

    def at_reference_rates(r: dict) -> float:
        """The question's time if its LLM calls ran at MODELS.md's uncontended 2-core rates
        (89 prompt tok/s, 25 gen tok/s); tools at their measured time. An estimate for loaded machines."""
        llm_s = sum((c.get("prompt_tokens") or 0) / REF_PROMPT_TOK_S + (c.get("gen_tokens") or 0) / REF_GEN_TOK_S
                    for c in r["llm_calls"])
        return llm_s + sum(c.get("seconds") or 0 for c in r["tool_call_records"])

    kinds = {}
    for kind, rs in per_kind.items():
        secs = [r["seconds"] for r in rs]
        est = [at_reference_rates(r) for r in rs]
        kinds[kind] = {"n": len(rs), "p50_s": pct(secs, 0.5), "p95_s": pct(secs, 0.95), "correct": sum(r["correct"] for r in rs),
                       "tool_calls_per_answer": round(statistics.mean(len(r["tool_calls"]) for r in rs), 2),
                       "llm_calls_per_answer": round(statistics.mean(len(r["llm_calls"]) for r in rs), 2),
                       "prompt_tok_s": tok_rate(rs, "prompt_tokens", "prompt_seconds"),
                       "gen_tok_s": tok_rate(rs, "gen_tokens", "gen_seconds"),
                       "est_p50_s_at_reference_rates": pct(est, 0.5), "est_p95_s_at_reference_rates": pct(est, 0.95),
                       "prompt_tokens_evaluated_mean": round(statistics.mean(
                           sum(c.get("prompt_tokens") or 0 for c in r["llm_calls"]) for r in rs), 1)}
    result = {"model": settings.llm if not settings.llm_url else settings.llm_url, "threads": settings.threads,
              "gpu_layers": getattr(llm, "gpu_layers", None), "store": store, "load_s": round(load_s, 2),
              "warm_system_prompt_s": round(warm_s, 2), "peak_rss_mb": round(rss_mb(), 1),
              "peak_rss_mb_by_phase": {k: round(v, 1) for k, v in rss.items()}, "kinds": kinds,
              "routing": routing, "tool_call_validity": validity, "questions": rows,
              "loadavg_before": [round(x, 2) for x in load_before], "loadavg_after": [round(x, 2) for x in os.getloadavg()],
              "cpus": os.cpu_count()}

    t = Table(title=f"agent: {result['model']}, {settings.threads} threads, store={store}")
    for col in ("kind", "n", "p50 s", "p95 s", "est p50/p95 s", "correct", "tools/answer", "LLM calls", "prompt tok/s",
                "gen tok/s"):
        t.add_column(col, justify="right")
    for kind, k in kinds.items():
        t.add_row(kind, str(k["n"]), str(k["p50_s"]), str(k["p95_s"]),
                  f"{k['est_p50_s_at_reference_rates']}/{k['est_p95_s_at_reference_rates']}", f"{k['correct']}/{k['n']}",
                  str(k["tool_calls_per_answer"]), str(k["llm_calls_per_answer"]), str(k["prompt_tok_s"]), str(k["gen_tok_s"]))
    console.print(t)
    console.print(f"load {load_s:.1f}s, system prompt {warm_s:.1f}s, peak RSS {result['peak_rss_mb']:.0f} MB; routing "
                  f"{regex_right + llm_right}/{len(ROUTING_CASES)} (regex {regex_right}/{routing['regex_decided']}, "
                  f"LLM {llm_right}/{undecided}); valid tool calls unconstrained "
                  f"{validity['unconstrained']['valid']}/{validity['unconstrained']['n']}, constrained "
                  f"{validity['constrained']['valid']}/{validity['constrained']['n']}; load avg {result['loadavg_after']}",
                  highlight=False)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(result, indent=1, ensure_ascii=False))
    console.print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
