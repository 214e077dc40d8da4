"""Networks of both papers, their attention modules and their cost

Book: notebooks/03-models.ipynb (the networks) and notebooks/04-attention.ipynb (attention).

    model = build_model("pb-cnn", n_classes=10, input_shape=(1, 128, 150))
    logits = model(X)                                   # X: (batch, 1, 128, frames)
    logits, weights = model(X, return_attention=True)   # weights: dict of tensors
    on_input = model.attention_on_input(weights)        # same weights on the input's grid

The networks are registered in ``ascnb.models.registry`` (``MODELS``: name -> ``ModelSpec``):
  "valenti"  Valenti et al. DCASE 2016 CNN, PB-CNN paper's baseline        ascnb.models.valenti
  "cnn"      PB-CNN backbone without attention                              ascnb.models.pbcnn
  "tb-cnn"   ... with time attention
  "fb-cnn"   ... with frequency (sub-spectrogram) attention
  "pb-cnn"   ... with pixel-based attention (PBA)
  "crnn"     ACRNN paper's convolutional RNN (no attention)                 ascnb.models.acrnn
  "acrnn"    ... with frame attention (attention_at=10, softmax by default)
  "piczak"   PiczakCNN, ACRNN paper's baseline                              ascnb.models.piczak

``LOGMEL_MODELS`` (names fed log-mel) and ``DEFAULT_INPUT_SHAPES`` (name -> input shape) are
read from the registry each time they are imported.
"""

from __future__ import annotations

from ascnb.models.acrnn import ACRNN
from ascnb.models.attention import (FrameAttention, FrequencyAttention, PixelAttention,
                                    SqueezeExcitation, TemporalAttentionPooling, TimeAttention,
                                    upsample_weights)
from ascnb.models.pbcnn import PBCNN
from ascnb.models.piczak import PiczakCNN
from ascnb.models.registry import (MODELS, ModelSpec, build_model, check_name, default_input_shape,
                                   model_parameters, model_spec, register_model, unregister_model)
from ascnb.models.valenti import ValentiCNN


def __getattr__(name: str):
    # views of the registry, computed when asked for so that registered models appear in them
    if name == "LOGMEL_MODELS":
        return tuple(n for n, spec in MODELS.items() if spec.features == "logmel")
    if name == "DEFAULT_INPUT_SHAPES":
        return {n: tuple(spec.input_shape) for n, spec in MODELS.items()}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "MODELS", "ModelSpec", "build_model", "check_name", "default_input_shape", "model_parameters",
    "model_spec", "register_model", "unregister_model", "LOGMEL_MODELS", "DEFAULT_INPUT_SHAPES",
    "ACRNN", "PBCNN", "PiczakCNN", "ValentiCNN",
    "FrameAttention", "FrequencyAttention", "PixelAttention", "SqueezeExcitation",
    "TemporalAttentionPooling", "TimeAttention", "upsample_weights",
]
