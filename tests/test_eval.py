"""`vidsage eval`: the scoring rules, and one end-to-end run on real media through the CLI."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vidsage.evaluation import (EvalError, EvalItem, answer_matches, answer_tokens, check_fail_under, hit_within,
                                load_items, percentile, score_answer, summarise, temporal_iou)

# ---------------------------------------------------------------- temporal IoU and the hit rule


def test_iou_basic():
    assert temporal_iou((3.3, 7.5), (3.3, 7.5)) == 1.0
    assert temporal_iou((0, 2), (2, 4)) == 0.0  # touching is not overlapping
    assert temporal_iou((0, 1), (5, 6)) == 0.0
    assert temporal_iou((0, 4), (2, 6)) == pytest.approx(2 / 6)
    assert temporal_iou((2, 3), (0, 10)) == pytest.approx(0.1)  # inside: intersection / the larger
    assert temporal_iou((7.5, 3.3), (3.3, 7.5)) == 1.0  # reversed bounds are sorted


def test_iou_zero_length():
    assert temporal_iou((5, 5), (5, 5)) == 1.0
    assert temporal_iou((5, 5), (4, 6)) == 0.0  # a point has no overlap length
    assert temporal_iou((5, 5), (6, 6)) == 0.0


def test_hit_rule_inside_widened_truth():
    truth = (3.3, 7.5)
    assert hit_within((3.3, 7.5), truth)
    assert hit_within((1.3, 9.5), truth)  # both ends exactly 2 s out
    assert not hit_within((1.2, 7.5), truth)  # starts 2.1 s early
    assert not hit_within((3.3, 9.6), truth)
    assert hit_within((5.0, 5.5), truth)  # a short moment inside a long truth is a hit
    assert not hit_within((0.0, 11.0), truth)  # a moment that swallows the truth is not
    assert hit_within((0.0, 1.0), (1.5, 3.0))  # 1.5 s before the truth starts: inside the tolerance
    assert hit_within((0.0, 1.0), (1.5, 3.0), tol=0.5) is False


# ---------------------------------------------------------------- normalised answer match


def test_tokens_fold_case_punctuation_articles_numbers():
    assert answer_tokens("The Lord of the Universe!") == ["lord", "of", "universe"]
    assert answer_tokens("Yes, he's in - in a bad humor") == ["yes", "hes", "in", "in", "bad", "humor"]
    assert answer_tokens("two cars and Twenty-One people, the first one") == ["2", "car", "and", "21", "people",
                                                                             "1st", "1"]
    assert answer_tokens("Gray colours, gray color") == ["grey", "colour", "grey", "colour"]
    # a time's digits are not a count: "6 people at 1:00" does not answer "1"
    assert not answer_matches("1|one", "There are 6 people in the room at 1:00.")
    assert answer_matches("1|one", "1 person in the room at 01:00") and answer_matches("10:30", "It shows 10:30.")
    assert answer_tokens("his glass bus jewels 1990s") == ["his", "glass", "bus", "jewel", "1990"]
    assert answer_tokens("Dictée numéro un") == ["dictee", "numero", "un"]
    assert answer_tokens("砸自己的脚") == ["砸", "自", "己", "的", "脚"]


def test_match_number_words_both_ways():
    assert answer_matches("2", "There are two operators at the switchboard.")
    assert answer_matches("two", "I count 2.")
    assert answer_matches("seven", "7 different people speak")
    assert not answer_matches("6", "There are 16 people")  # tokens, not substrings
    assert not answer_matches("2", "nobody")


def test_match_all_content_tokens_and_alternatives():
    ans = "friday_his_girl_friday.mp4 @ 00:04–00:06 — [said] Somebody must've stolen the crown jewels"
    assert answer_matches("crown jewels", ans)
    assert answer_matches("the crown jewels", ans)  # articles dropped
    assert not answer_matches("crown jewels and rings", ans)  # every token must be there
    assert answer_matches("crown jewels", "somebody must have stolen the Crown Jewel.")  # plural folded
    assert answer_matches("silver|grey", "a gray car passes the red one")
    assert answer_matches("wood|wooden", "a wooden floor")
    assert not answer_matches("wood", "a wooden floor")  # no stemming
    assert answer_matches("set white in z 3 now|set white in z3 now", "Set white in Z3 now.")
    assert not answer_matches("", "anything")
    assert answer_matches("砸自己的脚", "他说：砸自己的脚。")


def test_percentile_matches_numpy_linear():
    assert percentile([], 50) is None
    assert percentile([4.0], 95) == 4.0
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile(range(1, 11), 95) == pytest.approx(9.55)


# ---------------------------------------------------------------- scoring one ask object


def _ask(moments, answer="x", citations=True):
    return {"question": "q", "answer": answer, "moments": moments, "tool_calls": [{"tool": "find_moments"}],
            "citations": [{"video": moments[0]["video"], "start": 0, "end": 1}] if citations and moments else [],
            "seconds": 0.1}


def test_score_when_question():
    item = EvalItem("a", "v.mp4", Path("/x/v.mp4"), "when?", "when", start=4.4, end=8.6)
    right = lambda v: v.endswith("v.mp4")  # noqa: E731
    s = score_answer(item, _ask([{"video": "/lib/v.mp4", "start": 4.0, "end": 8.0, "score": 1},
                                 {"video": "/lib/v.mp4", "start": 20, "end": 22, "score": 0.5}]), right)
    assert s["correct_video"] and s["r1_iou03"] and s["r1_iou05"] and s["r5_iou05"] and s["hit_2s"]
    assert s["iou"] == pytest.approx(3.6 / 4.6, abs=1e-4) and s["match"] is None
    # the right interval on the wrong video scores nothing; R@5 still sees the second moment
    s = score_answer(item, _ask([{"video": "/lib/other.mp4", "start": 4.4, "end": 8.6, "score": 1},
                                 {"video": "/lib/v.mp4", "start": 4.4, "end": 8.6, "score": 0.5}]), right)
    assert s["correct_video"] is False and s["iou"] == 0 and not s["hit_2s"] and s["r5_iou05"]
    s = score_answer(item, _ask([]), right)
    assert s["iou"] == 0 and s["correct_video"] is False and s["abstained"]


def test_score_said_question_and_summary():
    item = EvalItem("b", "f.mp4", Path("/x/f.mp4"), "what stolen?", "said", answer="crown jewels", start=4.3, end=6.0)
    ok = score_answer(item, _ask([{"video": "f.mp4", "start": 4.2, "end": 6.1, "score": 1}],
                                 answer="Somebody must've stolen the crown jewels"), lambda v: True)
    assert ok["match"] and ok["hit_2s"]
    what = EvalItem("c", "f.mp4", Path("/x/f.mp4"), "how many?", "what", answer="2")
    bad = score_answer(what, _ask([{"video": "f.mp4", "start": 0, "end": 1, "score": 1}], answer="three"),
                       lambda v: True)
    assert bad["match"] is False and bad["iou"] is None
    results = [{"id": "b", "kind": "said", "scores": ok, "latency_s": 0.2, "tool_calls": [1]},
               {"id": "c", "kind": "what", "scores": bad, "latency_s": 0.4, "tool_calls": [1, 2]}]
    summ = summarise(results)
    assert summ["overall"]["accuracy"] == 0.5 and summ["overall"]["r1_iou05"] == 1.0
    assert summ["overall"]["latency_p50_s"] == pytest.approx(0.3)
    assert summ["overall"]["tool_calls_per_question"] == 1.5
    assert set(summ["by_kind"]) == {"said", "what"}
    assert check_fail_under(summ, 0.6) == ["accuracy 0.500 < 0.600"]
    assert check_fail_under(summ, 0.5) == [] and check_fail_under(summ, None) == []


def test_cited_file_names_do_not_answer():
    item = EvalItem("t", "b.webm", Path("/m/big_buck_bunny_0_30.webm"), "what title?", "what", answer="big buck bunny")
    cited = {"video": "/m/big_buck_bunny_0_30.webm", "start": 25, "end": 30, "score": 1}
    ask = _ask([cited], answer="/m/big_buck_bunny_0_30.webm @ 00:25–00:30 — [frame tags] ox, hay")
    assert score_answer(item, ask, lambda v: True)["match"] is False
    ask = _ask([cited], answer="big_buck_bunny_0_30.webm @ 00:25 — [on-screen text] Big Buck Bunny")
    assert score_answer(item, ask, lambda v: True)["match"] is True


def test_load_items_resolves_paths_and_reports_lines(tmp_path):
    f = tmp_path / "q.jsonl"
    f.write_text('{"id": "1", "video": "sub/a.mp4", "question": "when?", "kind": "when", "start": 1, "end": 2}\n'
                 '\n# a comment\n'
                 '{"id": "2", "video": "/abs/b.mp4", "question": "what?", "kind": "what", "answer": "x"}\n')
    items = load_items(f)
    assert [i.path for i in items] == [tmp_path / "sub" / "a.mp4", Path("/abs/b.mp4")]
    assert items[0].temporal and not items[0].answerable and items[1].answerable
    f.write_text('{"id": "1", "video": "a.mp4", "question": "q", "kind": "how"}\n')
    with pytest.raises(EvalError, match=r"q.jsonl:1: kind"):
        load_items(f)
    f.write_text('{"id": "1", "video": "a.mp4", "question": "q", "kind": "when", "start": 1}\n')
    with pytest.raises(EvalError, match="both start and end"):
        load_items(f)


def test_shipped_eval_sets_parse_and_point_at_real_files():
    root = Path(__file__).resolve().parents[1] / "eval"
    samples, bundled = load_items(root / "samples.jsonl"), load_items(root / "bundled.jsonl")
    users = load_items(root / "users.jsonl")
    assert len(samples) >= 40 and len(bundled) >= 10 and len(users) >= 15
    # users.jsonl asks over the whole library ("how many videos have speech?"): it names all ten files
    assert {i.path.name for i in users} == {i.path.name for i in samples}
    for items in (samples, bundled, users):
        assert {i.kind for i in items} == {"when", "said", "what"}
        missing = [str(i.path) for i in items if not i.path.is_file()]
        assert not missing, missing


# ---------------------------------------------------------------- end to end, real media, real models


@pytest.mark.slow
def test_eval_cli_end_to_end(tmp_path, media):
    from vidsage.cli import app

    qdir = tmp_path / "questions"
    qdir.mkdir()
    rel = lambda name: os.path.relpath(media / name, qdir)  # noqa: E731  paths relative to the JSONL
    lines = [
        {"id": "jfk-ask-not", "video": rel("jfk.flac"), "kind": "when",
         "question": "when does he say ask not what your country can do for you", "start": 3.3, "end": 7.5},
        {"id": "fri-stolen", "video": rel("friday_his_girl_friday.mp4"), "kind": "said",
         "question": "what must somebody have stolen", "answer": "crown jewels", "start": 4.3, "end": 6.0},
        {"id": "fri-count", "video": rel("friday_his_girl_friday.mp4"), "kind": "what",
         "question": "how many telephone operators are at the switchboard", "answer": "2"},
    ]
    qfile = qdir / "three.jsonl"
    qfile.write_text("".join(json.dumps(x) + "\n" for x in lines))
    out = tmp_path / "out" / "report.json"
    db = str(tmp_path / "db")
    runner = CliRunner()
    res = runner.invoke(app, ["eval", str(qfile), "--db", db, "--out", str(out), "--mode", "fast"])
    assert res.exit_code == 0, res.output
    assert "overall" in res.output and "R1@.5" in res.output

    report = json.loads(out.read_text())
    assert report["complete"] is True and report["questions"] == 3
    assert report["options"]["mode"] == "fast" and report["settings"]["db"] == db
    assert {"whisper", "embedder"} <= set(report["models"]["configured"])
    assert set(report["summary"]) == {"overall", "by_kind"}
    assert set(report["summary"]["by_kind"]) == {"when", "said", "what"}
    overall = report["summary"]["overall"]
    for key in ("n", "iou_mean", "r1_iou03", "r1_iou05", "r5_iou05", "hit_2s", "correct_video", "accuracy",
                "latency_p50_s", "latency_p95_s", "tool_calls_per_question"):
        assert key in overall, key
    assert overall["n"] == 3 and overall["errors"] == 0
    by_id = {r["id"]: r for r in report["results"]}
    for r in by_id.values():  # each result is the ask object plus scores
        assert {"question", "answer", "citations", "moments", "tool_calls", "seconds", "scores"} <= set(r)
    # the speech is there, in the right file: the JFK line is found
    assert by_id["jfk-ask-not"]["scores"]["correct_video"] is True
    assert out.with_suffix(".md").read_text().startswith("# vidsage eval")

    # --resume skips every finished id: nothing is asked again
    res = runner.invoke(app, ["eval", str(qfile), "--db", db, "--out", str(out), "--mode", "fast", "--resume"])
    assert res.exit_code == 0, res.output
    again = json.loads(out.read_text())
    assert [r["latency_s"] for r in again["results"]] == [r["latency_s"] for r in report["results"]]
    assert again["indexing"] and all(v == "indexed before" for k, v in again["indexing"].items()
                                     if not k.startswith("_"))

    # resuming a report made with other options is refused, not mixed
    res = runner.invoke(app, ["eval", str(qfile), "--db", db, "--out", str(out), "--mode", "agent", "--resume"])
    assert res.exit_code == 2 and "--resume" in res.output

    # --fail-under above what was reached exits 1
    res = runner.invoke(app, ["eval", str(qfile), "--db", db, "--out", str(out), "--mode", "fast", "--resume",
                              "--fail-under", "1.01"])
    assert res.exit_code == 1, res.output
