"""Checks on the model's answers (a scripted model stands in for it), over the real sample library."""

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


def test_a_count_the_model_misreads_is_replaced_by_the_count(library, toolbox):
    """car-detection (by eye): four cars pass. A model that answers "one" from the line that counts
    four is overruled by the count; one that says four is kept."""
    from vidsage.agent.loop import numbers_in

    settings, _ = library
    wrong = '{"evidence": ["E1"], "answer": "There is one car."}'
    result = run_agent("How many cars drive through the car video?", settings, toolbox, llm=ScriptedLLM([wrong]))
    assert result["answer"].startswith("4 cars") and result["streamed"] is False, result["answer"]
    right = '{"evidence": ["E1"], "answer": "Four cars drive through."}'
    result = run_agent("How many cars drive through the car video?", settings, toolbox, llm=ScriptedLLM([right]))
    assert result["answer"] == "Four cars drive through.", result["answer"]
    assert numbers_in("There are 6 people, not seven.") == {6, 7}
