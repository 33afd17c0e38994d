"""The LLM behind the agent: one interface over llama.cpp in-process or an OpenAI-compatible server.

`get_llm(settings)` returns one long-lived model per configuration (loading a GGUF takes seconds and
~1-2 GB; the prompt prefix it has already evaluated is what makes later calls fast, MODELS.md).

- `complete_json(messages, schema)`: output constrained to a JSON schema (llama.cpp turns the
  schema into a grammar, so a small model cannot emit malformed JSON or an unknown tool name).
- `stream(messages, schema=None)`: the text as it is generated.
- `chat_model()`: a langchain chat model over the *same* backend. It is a thin `BaseChatModel`
  rather than `ChatLlamaCpp`, because `ChatLlamaCpp` always loads its own `Llama` from a path
  (a second copy of the weights); the wrapper also serialises calls (a `Llama` is not re-entrant)
  and records token counts. `.bind(response_format=...)` works as with `ChatLlamaCpp`.
"""

from __future__ import annotations

import atexit
import json
import threading
import time
import weakref
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from vidsage.config import Settings

Message = dict[str, str]  # {"role": "system"|"user"|"assistant", "content": "..."}

# Prompt-state cache for prefix reuse across prompts (LlamaRAMCache). Each entry is a KV snapshot
# (~15 MB for a 700-token prompt with the 1.5B model) plus a copy of llama-cpp-python's logits
# buffer (n_batch x n_vocab floats: 75 MB at n_batch 128 with Qwen's 152k vocabulary). The stock
# cache counts only the KV part, so its RAM grows far past its capacity; `_BoundedRAMCache` counts
# both. Measured (2 cores): n_batch 64/128/256 -> state 52/~90/163 MB, prompt ~93/~100/~106 tok/s;
# 128 with 256 MB keeps ~2-3 prefixes and the agent's peak RSS under 3 GB.
RAM_CACHE_BYTES = 256 << 20
N_BATCH = 128  # prompt tokens per decode call; also the rows of that logits buffer


class LLMError(Exception):
    """The model could not be loaded or reached, or returned something unusable."""


@dataclass
class CallStats:
    """One generation: prompt tokens actually evaluated (a reused prefix is not), tokens generated."""

    kind: str  # "json" | "stream" | "chat"
    prompt_tokens: int
    prompt_seconds: float
    gen_tokens: int
    gen_seconds: float
    seconds: float


class LLM:
    """Backend-independent part: subclasses implement `_chat`."""

    name: str = "llm"

    def __init__(self) -> None:
        self.stats: list[CallStats] = []
        self._lock = threading.RLock()

    # -- to implement -------------------------------------------------------------------------
    def _chat(self, messages: list[Message], response_format: dict | None, max_tokens: int,
              stream: bool, temperature: float) -> Any:
        raise NotImplementedError

    # -- public ---------------------------------------------------------------------------------
    def complete(self, messages: list[Message], response_format: dict | None = None, max_tokens: int = 256,
                 temperature: float = 0.0) -> str:
        """The whole reply text (optionally constrained by `response_format`)."""
        return "".join(self._stream(messages, response_format, max_tokens, temperature, kind="chat"))

    def complete_json(self, messages: list[Message], schema: dict, max_tokens: int = 256) -> dict:
        """A reply that follows `schema` (a JSON schema), parsed."""
        fmt = {"type": "json_object", "schema": schema}
        text = "".join(self._stream(messages, fmt, max_tokens, 0.0, kind="json"))
        try:
            out = json.loads(text)
        except json.JSONDecodeError as e:  # only if generation hit max_tokens mid-object
            raise LLMError(f"model output is not JSON ({e.msg}): {text[:200]!r}") from None
        if not isinstance(out, dict):
            raise LLMError(f"model output is not a JSON object: {text[:200]!r}")
        return out

    def stream(self, messages: list[Message], schema: dict | None = None, max_tokens: int = 256,
               temperature: float = 0.0) -> Iterator[str]:
        """Text pieces as they are generated; with `schema`, the pieces of a JSON document."""
        fmt = {"type": "json_object", "schema": schema} if schema else None
        return self._stream(messages, fmt, max_tokens, temperature, kind="stream")

    def chat_model(self) -> BaseChatModel:
        return SharedChatModel(llm=self)

    def warm(self, messages: list[Message]) -> None:
        """Evaluate a fixed prompt prefix now so the first real question reuses it."""
        self.complete(messages, max_tokens=1)

    def last_stats(self, n: int = 1) -> list[CallStats]:
        return self.stats[-n:]

    # -- shared streaming with timing -----------------------------------------------------------
    def _stream(self, messages: list[Message], response_format: dict | None, max_tokens: int,
                temperature: float, kind: str) -> Iterator[str]:
        with self._lock:
            t0 = time.perf_counter()
            before = self._perf()
            first: float | None = None
            n = 0
            try:
                for piece in self._chat(messages, response_format, max_tokens, True, temperature):
                    if first is None:
                        first = time.perf_counter()
                    n += 1
                    yield piece
            finally:  # also when the caller stops early (time limit)
                t1 = time.perf_counter()
                after = self._perf()
                if before is not None and after is not None:  # exact counts from llama.cpp
                    self.stats.append(CallStats(kind, after[0] - before[0], (after[1] - before[1]) / 1e3,
                                                after[2] - before[2], (after[3] - before[3]) / 1e3, t1 - t0))
                else:  # a server: time to first piece ~ prompt time; pieces ~ tokens
                    ft = first or t1
                    self.stats.append(CallStats(kind, 0, ft - t0, n, t1 - ft, t1 - t0))

    def _perf(self) -> tuple[int, float, int, float] | None:
        return None


# ---------------------------------------------------------------------------------------------
_OPEN_MODELS: "weakref.WeakSet[LlamaCppLLM]" = weakref.WeakSet()


@atexit.register
def _close_models() -> None:
    for m in list(_OPEN_MODELS):
        m.close()


class LlamaCppLLM(LLM):
    """A GGUF model in this process (llama-cpp-python)."""

    def __init__(self, model_path: str, settings: Settings, name: str | None = None,
                 cache_bytes: int = RAM_CACHE_BYTES):
        super().__init__()
        try:
            import llama_cpp
        except ImportError as e:
            raise LLMError(f"llama-cpp-python is not installed: {e}") from None
        self._llama_cpp = llama_cpp
        self.name = name or str(model_path)
        self.gpu_layers = gpu_layers(settings)
        try:
            self.llama = llama_cpp.Llama(
                model_path=str(model_path), n_ctx=settings.llm_ctx, n_batch=N_BATCH, n_threads=settings.threads,
                n_threads_batch=settings.threads, n_gpu_layers=self.gpu_layers, seed=0, verbose=False)
        except Exception as e:  # llama.cpp says only "Failed to load model"
            raise LLMError(f"could not load the GGUF model {model_path}: {e}") from None
        if cache_bytes > 0:
            self.llama.set_cache(_bounded_cache(llama_cpp.LlamaRAMCache, cache_bytes))
        _OPEN_MODELS.add(self)

    def close(self) -> None:
        """Free the model now. Left to interpreter exit, llama-cpp-python's own finaliser runs after
        its module globals are gone and prints a TypeError traceback."""
        llama, self.llama = getattr(self, "llama", None), None
        if llama is not None:
            try:
                llama.close()
            except Exception:  # already freed
                pass

    def _perf(self) -> tuple[int, float, int, float] | None:
        try:
            p = self._llama_cpp.llama_perf_context(self.llama._ctx.ctx)
            return p.n_p_eval, p.t_p_eval_ms, p.n_eval, p.t_eval_ms
        except Exception:  # an older binding without perf counters: fall back to wall time
            return None

    def _chat(self, messages, response_format, max_tokens, stream, temperature):
        kw: dict[str, Any] = {"messages": messages, "max_tokens": max_tokens, "temperature": temperature,
                              "stream": True}
        if response_format:
            kw["response_format"] = response_format
        for chunk in self.llama.create_chat_completion(**kw):
            piece = chunk["choices"][0]["delta"].get("content") if chunk.get("choices") else None
            if piece:
                yield piece


def _bounded_cache(base: type, capacity: int):
    class _BoundedRAMCache(base):  # type: ignore[misc, valid-type]
        @property
        def cache_size(self) -> int:
            return sum(st.llama_state_size + st.scores.nbytes for st in self.cache_state.values())

    return _BoundedRAMCache(capacity_bytes=capacity)


def gpu_layers(settings: Settings) -> int:
    """Layers to offload: the configured count when llama.cpp was built with a GPU backend, else 0."""
    from vidsage.devices import llama_gpu_layers

    return llama_gpu_layers(settings)
    try:
        import llama_cpp

        return settings.llm_gpu_layers if llama_cpp.llama_supports_gpu_offload() else 0
    except Exception:
        return 0


# ---------------------------------------------------------------------------------------------
class OpenAIHTTPLLM(LLM):
    """Any OpenAI-compatible `/chat/completions` endpoint (llama.cpp server, vLLM, ...), via httpx."""

    def __init__(self, url: str, model: str, timeout: float = 120.0, api_key: str | None = None):
        super().__init__()
        import httpx

        self.url = url.rstrip("/")
        self.name = f"{model}@{self.url}"
        self.model = model
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = httpx.Client(timeout=timeout, headers=headers)
        self._format_style = "json_schema"  # switched to llama.cpp's "json_object"+schema on a 400

    def _formats(self, response_format: dict | None) -> list[dict | None]:
        if not response_format:
            return [None]
        schema = response_format.get("schema")
        if not schema:
            return [response_format]
        openai = {"type": "json_schema", "json_schema": {"name": "reply", "schema": schema, "strict": True}}
        llamacpp = {"type": "json_object", "schema": schema}
        return [openai, llamacpp] if self._format_style == "json_schema" else [llamacpp, openai]

    def _chat(self, messages, response_format, max_tokens, stream, temperature):
        import httpx

        last_error = ""
        for fmt in self._formats(response_format):
            body: dict[str, Any] = {"model": self.model, "messages": messages, "max_tokens": max_tokens,
                                    "temperature": temperature, "stream": True}
            if fmt:
                body["response_format"] = fmt
            try:
                with self._http.stream("POST", f"{self.url}/chat/completions", json=body) as r:
                    if r.status_code >= 400:
                        body_text = r.read().decode(errors="replace")
                        # a server that does not know this format style says so (400/422, or 500 from
                        # llama-cpp-python's server): try the other style
                        if fmt is not None and (r.status_code in (400, 422) or "response_format" in body_text):
                            last_error = body_text[:200]
                            continue
                        raise LLMError(f"{self.url} answered {r.status_code}: {body_text[:200]}")
                    if fmt is not None:
                        self._format_style = "json_schema" if fmt["type"] == "json_schema" else "json_object"
                    yield from _sse_content(r.iter_lines())
                    return
            except httpx.HTTPError as e:
                raise LLMError(f"cannot reach the LLM server at {self.url}: {type(e).__name__}: {e}") from None
        raise LLMError(f"{self.url} refused structured output: {last_error}")


def _sse_content(lines: Iterator[str]) -> Iterator[str]:
    """The content pieces of an OpenAI-style server-sent-event stream."""
    for line in lines:
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data == "[DONE]":
            return
        try:
            chunk = json.loads(data)
        except json.JSONDecodeError:
            continue
        for choice in chunk.get("choices") or []:
            piece = (choice.get("delta") or {}).get("content")
            if piece:
                yield piece


# ---------------------------------------------------------------------------------------------
def _to_dicts(messages: list[BaseMessage]) -> list[Message]:
    roles = {"system": "system", "human": "user", "ai": "assistant", "tool": "user"}
    return [{"role": roles.get(m.type, "user"), "content": m.text if hasattr(m, "text") and isinstance(m.text, str)
             else str(m.content)} for m in messages]


class SharedChatModel(BaseChatModel):
    """langchain chat model over a shared `LLM` (the same loaded weights, the same prefix cache).

    Extra call kwargs: `response_format` (e.g. `{"type": "json_object", "schema": ...}`),
    `max_tokens`, `temperature`, all usable through `.bind(...)`.
    """

    llm: Any
    max_tokens: int = 256
    temperature: float = 0.0

    @property
    def _llm_type(self) -> str:
        return "vidsage-shared-llm"

    def _params(self, kwargs: dict[str, Any]) -> tuple[dict | None, int, float]:
        return (kwargs.get("response_format"), int(kwargs.get("max_tokens", self.max_tokens)),
                float(kwargs.get("temperature", self.temperature)))

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        fmt, max_tokens, temp = self._params(kwargs)
        text = self.llm.complete(_to_dicts(messages), fmt, max_tokens, temp)
        usage = asdict(self.llm.stats[-1]) if self.llm.stats else {}
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))],
                          llm_output={"token_usage": usage})

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        fmt, max_tokens, temp = self._params(kwargs)
        for piece in self.llm._stream(_to_dicts(messages), fmt, max_tokens, temp, kind="stream"):
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
            if run_manager:
                run_manager.on_llm_new_token(piece, chunk=chunk)
            yield chunk


# ---------------------------------------------------------------------------------------------
_LLMS: dict[tuple, LLM] = {}
_LLMS_LOCK = threading.Lock()


def get_llm(settings: Settings) -> LLM:
    """The process-wide model for these settings (loaded on first use, then kept)."""
    key = (settings.llm_url, settings.llm_api_model) if settings.llm_url else (
        settings.llm, settings.llm_ctx, settings.threads, settings.device, settings.models_dir)
    with _LLMS_LOCK:
        llm = _LLMS.get(key)
        if llm is None:
            if settings.llm_url:
                llm = OpenAIHTTPLLM(settings.llm_url, settings.llm_api_model)
            else:
                from vidsage.models import ModelNotFound, resolve

                try:
                    path = resolve(settings.llm, settings)
                except ModelNotFound as e:
                    raise LLMError(str(e)) from None
                llm = LlamaCppLLM(str(path), settings, name=settings.llm)
            _LLMS[key] = llm
        return llm


__all__ = ["LLM", "LLMError", "CallStats", "LlamaCppLLM", "OpenAIHTTPLLM", "SharedChatModel", "get_llm",
           "gpu_layers"]
