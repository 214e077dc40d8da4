"""Networks of both papers, their attention modules and their cost

Book: notebooks/03-models.ipynb (the networks) and notebooks/04-attention.ipynb (attention).

    model = build_model("pb-cnn", n_classes=10, input_shape=(1, 128, 150))
    logits = model(X)                                   # X: (batch, 1, 128, frames)
    logits, weights = model(X, return_attention=True)   # weights: dict of tensors
    on_input = model.attention_on_input(weights)        # same weights on the input's grid

Names (``MODELS``):
  "valenti"  Valenti et al. DCASE 2016 CNN, PB-CNN paper's baseline        ascnb.models.valenti
  "cnn"      PB-CNN backbone without attention                              ascnb.models.pbcnn
  "tb-cnn"   ... with time attention
  "fb-cnn"   ... with frequency (sub-spectrogram) attention
  "pb-cnn"   ... with pixel-based attention (PBA)
  "crnn"     ACRNN paper's convolutional RNN (no attention)                 ascnb.models.acrnn
  "acrnn"    ... with frame attention (attention_at=10, softmax by default)
  "piczak"   PiczakCNN, ACRNN paper's baseline                              ascnb.models.piczak
"""

from __future__ import annotations

import inspect

from torch import nn

from ascnb.models.acrnn import ACRNN
from ascnb.models.attention import (FrameAttention, FrequencyAttention, PixelAttention,
                                    SqueezeExcitation, TemporalAttentionPooling, TimeAttention,
                                    upsample_weights)
from ascnb.models.pbcnn import PBCNN
from ascnb.models.piczak import PiczakCNN
from ascnb.models.valenti import ValentiCNN

# name -> (class, parameters the name fixes)
MODELS: dict[str, tuple[type, dict]] = {
    "valenti": (ValentiCNN, {}),
    "cnn": (PBCNN, {"attention": "none"}),
    "tb-cnn": (PBCNN, {"attention": "time"}),
    "fb-cnn": (PBCNN, {"attention": "frequency"}),
    "pb-cnn": (PBCNN, {"attention": "pixel"}),
    "crnn": (ACRNN, {"attention_at": None}),
    "acrnn": (ACRNN, {}),
    "piczak": (PiczakCNN, {}),
}

# (channels, bands, frames) of the feature each family is fed by default (ascnb.features)
LOGMEL_MODELS = ("valenti", "cnn", "tb-cnn", "fb-cnn", "pb-cnn")
DEFAULT_INPUT_SHAPES = {
    # log-mel 128 bands (the features' default; Valenti used 60), 3 s at 20 ms hop
    **{name: (1, 128, 150) for name in LOGMEL_MODELS},
    "crnn": (2, 128, 128),  # log-gammatone + delta, 128 frames (~1.5 s)
    "acrnn": (2, 128, 128),
    "piczak": (2, 60, 41),  # log-mel + delta, 60 bands, 41 frames at 22.05 kHz
}


def check_name(name: str) -> None:
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; known: {', '.join(MODELS)}")


def model_parameters(name: str) -> list[str]:
    """The keyword parameters ``build_model(name, ...)`` accepts (beyond n_classes, input_shape)"""
    check_name(name)
    cls, fixed = MODELS[name]
    signature = inspect.signature(cls.__init__)
    return [p for p in signature.parameters
            if p not in ("self", "n_classes", "input_shape") and p not in fixed]


def default_input_shape(name: str, **feature_params) -> tuple[int, int, int]:
    """(channels, bands, frames) a model takes by default, optionally with the feature's bands/frames

    ``default_input_shape("pb-cnn", n_mels=60)`` -> (1, 60, 150); ``frames=251`` for a whole
    5 s clip. Accepted keywords: n_mels / n_bands (bands), frames. Unknown -> ValueError
    """
    check_name(name)
    channels, bands, frames = DEFAULT_INPUT_SHAPES[name]
    unknown = sorted(set(feature_params) - {"n_mels", "n_bands", "frames"})
    if unknown:
        raise ValueError(f"default_input_shape: unknown feature parameter(s) {unknown}; "
                         "known: n_mels, n_bands, frames")
    bands = feature_params.get("n_mels", feature_params.get("n_bands", bands))
    frames = feature_params.get("frames", frames)
    return (channels, int(bands), int(frames))


def build_model(name: str, n_classes: int, input_shape: tuple[int, int, int] | None = None,
                **params) -> nn.Module:
    """The network ``name`` for ``n_classes`` classes and inputs (channels, bands, frames)

    ``input_shape`` None -> ``default_input_shape(name)``. ``params`` are the class's keyword
    parameters (``model_parameters(name)``), e.g. ``build_model("acrnn", 10, attention_at=2,
    attention_scale="sigmoid")``. Unknown name or parameter -> ValueError naming it
    """
    check_name(name)
    cls, fixed = MODELS[name]
    known = model_parameters(name)
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise ValueError(f"unknown parameter(s) {unknown} for model {name!r}; known: {known}")
    if not isinstance(n_classes, int) or n_classes < 1:
        raise ValueError(f"build_model: n_classes must be a positive integer, got {n_classes!r}")
    input_shape = default_input_shape(name) if input_shape is None else tuple(input_shape)
    if len(input_shape) != 3:
        raise ValueError(f"build_model: input_shape must be (channels, bands, frames), got {input_shape!r}")
    model = cls(n_classes, input_shape, **fixed, **params)
    model.name = name
    return model


__all__ = [
    "MODELS", "build_model", "default_input_shape", "model_parameters",
    "ACRNN", "PBCNN", "PiczakCNN", "ValentiCNN",
    "FrameAttention", "FrequencyAttention", "PixelAttention", "SqueezeExcitation",
    "TemporalAttentionPooling", "TimeAttention", "upsample_weights",
]
