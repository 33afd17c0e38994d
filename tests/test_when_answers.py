"""How a "when" answer is chosen among ranked moments, over the real sample library."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from agent_fixtures import ScriptedLLM  # noqa: E402

from vidsage.agent.loop import run_agent  # noqa: E402


def test_a_when_answer_keeps_the_best_ranked_moment_unless_the_model_sees_why(library, toolbox):
    """car-detection (by eye): the red car passes 15-19 s, and it is the best-ranked moment. A model
    that answers with another car names none of the asked words in it: the best-ranked moment is the
    answer, and the answer and the listed moments agree."""
    settings, _ = library
    other = '{"evidence": ["E2"], "answer": "00:05"}'
    result = run_agent("When does the red car appear?", settings, toolbox, llm=ScriptedLLM([other]),
                       mode="auto")
    (cited,) = result["citations"]
    assert Path(cited["video"]).name == "car-detection.mp4" and 14.5 <= cited["start"] <= 15.5, result
    assert "red car" in result["answer"] and result["streamed"] is False, result["answer"]
    first = result["moments"][0]
    assert (first["video"], first["start"], first["end"]) == (cited["video"], cited["start"], cited["end"])
