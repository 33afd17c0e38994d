"""CLIP image and text vectors through open_clip, only from weights already on this machine.

No PyPI package ships CLIP weights, so by default there are none and `ClipEmbedder.from_settings`
returns None; every caller must treat CLIP as optional. `settings.clip` may be:

- `ARCH/TAG`, e.g. `ViT-B-32/laion2b_s34b_b79k`: weights fetched earlier by `vidsage models pull`
  (found by `vidsage.models.resolve`); the tag's own preprocessing (mean/std) is used;
- `ARCH=/path/to/checkpoint` (a .pt/.bin/.safetensors state dict), e.g. `ViT-B-32=/data/clip.pt`;
- `/path/to/checkpoint` alone when an open_clip model name appears in the file or folder name
  (e.g. `.../ViT-B-32__laion2b_s34b_b79k/open_clip_pytorch_model.bin`);
- a folder holding `open_clip_config.json` and weights (a hub snapshot), loaded as `local-dir:`.

Loading never downloads: open_clip only downloads for a *tag*, and we always pass a file path.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from vidsage.config import Settings
from vidsage.models import ModelNotFound, resolve

log = logging.getLogger(__name__)

WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth")


def _norm(s: str) -> str:
    return s.lower().replace("_", "-")


def infer_arch(path: Path) -> str | None:
    """The open_clip model name that appears in the checkpoint's file or folder name (longest match)."""
    import open_clip

    hay = _norm(f"{path.parent.name}/{path.name}")
    found = [m for m in open_clip.list_models() if _norm(m) in hay]
    return max(found, key=len) if found else None


def _weights_file(folder: Path) -> Path | None:
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in WEIGHT_SUFFIXES)
    return files[0] if files else None


class ClipEmbedder:
    """L2-normalised CLIP vectors for RGB uint8 images and for texts."""

    def __init__(self, model_name: str, pretrained: str | None, name: str, settings: Settings,
                 tag: str | None = None):
        import open_clip
        import torch

        from vidsage.index.vision import torch_device

        torch.set_num_threads(settings.threads)
        self.device = torch_device(settings.device)
        kwargs: dict[str, Any] = {}
        if tag:  # a pulled hub tag: use its own preprocessing, which the file alone does not carry
            cfg = open_clip.get_pretrained_cfg(model_name, tag)
            for key in ("mean", "std"):
                if cfg.get(key):
                    kwargs[f"image_{key}"] = cfg[key]
        model, _, preprocess = open_clip.create_model_and_transforms(
            model_name, pretrained=pretrained, device=self.device, **kwargs)
        self.model = model.eval()
        self.preprocess = preprocess
        self.tokenizer = open_clip.get_tokenizer(model_name)
        self._name = name
        self.batch_size = 64 if self.device.startswith("cuda") else 16
        self.dim = int(getattr(model.visual, "output_dim", 0) or self.embed_texts(["x"]).shape[1])

    @property
    def name(self) -> str:
        """Identifies the weights; the store refuses to mix vectors from different names."""
        return self._name

    @classmethod
    def from_settings(cls, settings: Settings) -> ClipEmbedder | None:
        """The configured CLIP model, or None when its weights are not on this machine."""
        spec = settings.clip.strip()
        if not spec:
            return None
        arch: str | None = None
        tag: str | None = None
        target = spec
        if "=" in spec and not Path(spec).expanduser().exists():  # ARCH=PATH
            arch, _, target = (part.strip() for part in spec.partition("="))
        try:
            path = resolve(target, settings)
        except ModelNotFound as e:
            log.info("CLIP off: %s", e)
            return None
        if path.is_dir():
            if (path / "open_clip_config.json").is_file():
                return cls(f"local-dir:{path}", None, f"open_clip:{path.name}", settings)
            weights = _weights_file(path)
            if weights is None:
                log.warning("CLIP off: no weights file (%s) in %s", "/".join(WEIGHT_SUFFIXES), path)
                return None
            path = weights
        if arch is None:
            user_path = Path(target).expanduser().exists()
            if not user_path and "/" in spec:  # a registry or pulled name: ARCH/TAG
                arch, _, tag = spec.partition("/")
            else:
                arch = infer_arch(path)
            if arch is None:
                raise ValueError(f"cannot tell the open_clip architecture of {path}; "
                                 f"write clip = \"ARCH={path}\" (e.g. ViT-B-32=...)")
        size = path.stat().st_size
        name = f"open_clip:{arch}/{tag}" if tag else f"open_clip:{arch}@{path.name}:{size}"
        return cls(arch, str(path), name, settings, tag=tag)

    def embed_images(self, images: list[np.ndarray]) -> np.ndarray:
        """(N, dim) float32 unit vectors for RGB uint8 images."""
        import torch
        from PIL import Image

        if not images:
            return np.zeros((0, self.dim), np.float32)
        out = []
        with torch.inference_mode():
            for i in range(0, len(images), self.batch_size):
                x = torch.stack([self.preprocess(Image.fromarray(np.ascontiguousarray(im)))
                                 for im in images[i:i + self.batch_size]]).to(self.device)
                out.append(self._unit(self.model.encode_image(x)))
        return np.concatenate(out)

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        """(N, dim) float32 unit vectors for texts (queries)."""
        import torch

        if not texts:
            return np.zeros((0, self.dim), np.float32)
        out = []
        with torch.inference_mode():
            for i in range(0, len(texts), self.batch_size):
                tokens = self.tokenizer(texts[i:i + self.batch_size]).to(self.device)
                out.append(self._unit(self.model.encode_text(tokens)))
        return np.concatenate(out)

    @staticmethod
    def _unit(x: Any) -> np.ndarray:
        v = x.float().cpu().numpy()
        return (v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)).astype(np.float32)
