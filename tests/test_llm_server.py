"""The agent's LLM through an OpenAI-compatible endpoint: a real `python -m llama_cpp.server` on a
loopback port serving the GGUF the resolver finds (the small 0.5B when installed, else the default),
driven through the same `get_llm(settings)` interface the agent uses with `--llm http://.../v1`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("llama_cpp.server.app", reason="llama-cpp-python's server extra (fastapi, uvicorn, "
                                                   "sse-starlette, starlette-context, pydantic-settings) is missing")

from chroma_server import free_port, stop, wait_http  # noqa: E402

pytestmark = pytest.mark.slow

ROUTE_SCHEMA = {
    "type": "object",
    "properties": {
        "tool": {"type": "string", "enum": ["find_moments", "search_transcript", "list_videos"]},
        "query": {"type": "string"},
    },
    "required": ["tool", "query"],
}
ROUTE_MESSAGES = [
    {"role": "system", "content": "You route questions about the user's videos to one tool. Tools: "
                                  "find_moments (when something happens or is said), search_transcript (what was "
                                  "said about a topic), list_videos (what videos exist). Reply with JSON only."},
    {"role": "user", "content": "When does he say ask not what your country can do for you?"},
]


def _gguf() -> tuple[str, Path]:
    from vidsage.models import ModelNotFound, resolve

    for name in ("qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"):
        try:
            return name, resolve(name)
        except ModelNotFound:
            continue
    pytest.fail("no GGUF model installed (install the default: see MODELS.md)")


@pytest.fixture(scope="module")
def llm_server(tmp_path_factory):
    """(url, model name) of a llama.cpp OpenAI-compatible server on a free loopback port."""
    name, path = _gguf()
    port = free_port()
    log = tmp_path_factory.mktemp("llm-server") / "server.log"
    with log.open("wb") as logf:
        proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(path), "--model_alias", name,
             "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--n_threads", "2",
             "--n_threads_batch", "2", "--n_gpu_layers", "0", "--verbose", "False"],
            stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}/v1"
            wait_http(f"{url}/models", 180, proc, log)
            yield url, name
        finally:
            stop(proc)


@pytest.fixture(scope="module")
def remote_llm(llm_server):
    from vidsage.agent.llm import OpenAIHTTPLLM, get_llm
    from vidsage.config import load_settings

    url, name = llm_server
    llm = get_llm(load_settings(llm_url=url, llm_api_model=name))
    assert isinstance(llm, OpenAIHTTPLLM)
    return llm


def test_schema_constrained_json_through_endpoint(remote_llm):
    out = remote_llm.complete_json(ROUTE_MESSAGES, ROUTE_SCHEMA, max_tokens=64)
    assert set(out) >= {"tool", "query"}
    assert out["tool"] in ROUTE_SCHEMA["properties"]["tool"]["enum"]
    assert isinstance(out["query"], str)
    assert remote_llm.stats[-1].kind == "json"


def test_streamed_answer_through_endpoint(remote_llm):
    messages = [
        {"role": "system", "content": "Answer in one short sentence, citing the evidence as [file @ time]."},
        {"role": "user", "content": "Evidence:\n[jfk.flac @ 00:03-00:08] said: \"ask not what your country can do "
                                    "for you, ask what you can do for your country\"\n\nQuestion: what does he ask?"},
    ]
    pieces = list(remote_llm.stream(messages, max_tokens=40))
    assert len(pieces) > 1, pieces  # really streamed, piece by piece
    text = "".join(pieces)
    assert text.strip()
    st = remote_llm.stats[-1]
    assert st.kind == "stream" and st.gen_tokens == len(pieces) and st.seconds > 0


def test_unreachable_endpoint_is_one_clear_error():
    from vidsage.agent.llm import LLMError, OpenAIHTTPLLM

    llm = OpenAIHTTPLLM(f"http://127.0.0.1:{free_port()}/v1", "default", timeout=5)
    with pytest.raises(LLMError, match="cannot reach the LLM server"):
        llm.complete([{"role": "user", "content": "hi"}], max_tokens=4)
