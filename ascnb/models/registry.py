"""One spec per network: what ``build_model``, the cost table, the choices page and the tests enumerate

Book: notebooks/03-models.ipynb ("One segment through every network"). A ``ModelSpec`` names a
network and says what it is built from and what it is fed:

    ModelSpec(name="pb-cnn", cls=PBCNN, fixed={"attention": "pixel"}, input_shape=(1, 128, 150),
              features="logmel", has_attention=True, paper="pbcnn", preset="pbcnn",
              cost_rows=(({}, None), ({"pba_ws": "channel"}, None)))

Adding a network is one file (its class, an ``AudioClassifier``) and one ``register_model``
entry at the end of this module. ``MODELS`` is the registry itself (name -> spec, in book
order); ``register_model`` / ``unregister_model`` change it at run time (the tests register a
tiny network and remove it again).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field

from torch import nn

from ascnb.models.acrnn import ACRNN
from ascnb.models.pbcnn import PBCNN
from ascnb.models.piczak import PiczakCNN
from ascnb.models.valenti import ValentiCNN

PAPERS = ("pbcnn", "acrnn")


@dataclass(frozen=True, eq=False)
class ModelSpec:
    """A registered network

    name: what ``build_model`` and the configs call it; cls: its class, built as
    ``cls(n_classes, input_shape, **fixed, **params)``; fixed: the constructor parameters the
    name fixes (e.g. "cnn" is PBCNN with attention="none"); input_shape: (channels, bands,
    frames) of the feature it takes by default; features: that feature's kind
    (``ascnb.features.FEATURE_CONFIGS``); has_attention: whether it returns attention weights;
    paper: the paper whose experiments use it ("pbcnn" or "acrnn"); preset: its default
    training recipe (``ascnb.train.presets.PRESETS``); cost_rows: the rows it adds to the cost
    table, (build parameters, row of ACRNN Table 2 or None) each; description: one line
    """

    name: str
    cls: type
    input_shape: tuple[int, int, int]
    features: str
    has_attention: bool
    paper: str
    preset: str
    fixed: dict = field(default_factory=dict)
    cost_rows: tuple[tuple[dict, str | None], ...] = (({}, None),)
    description: str = ""

    def parameters(self) -> list[str]:
        """Keyword parameters of ``cls`` a caller may set (all but n_classes, input_shape, fixed)"""
        signature = inspect.signature(self.cls.__init__)
        return [p for p in signature.parameters
                if p not in ("self", "n_classes", "input_shape") and p not in self.fixed]


# name -> spec, in book order
MODELS: dict[str, ModelSpec] = {}


def register_model(spec: ModelSpec, *, replace: bool = False) -> ModelSpec:
    """Add ``spec`` to the registry; a name already taken, a bad shape or parameter -> ValueError"""
    if not isinstance(spec, ModelSpec):
        raise ValueError(f"register_model expects a ModelSpec, got {type(spec).__name__}")
    if spec.name in MODELS and not replace:
        raise ValueError(f"model {spec.name!r} is already registered (replace=True to replace it)")
    if not (isinstance(spec.cls, type) and issubclass(spec.cls, nn.Module)):
        raise ValueError(f"model {spec.name!r}: cls must be a torch.nn.Module class, got {spec.cls!r}")
    if len(tuple(spec.input_shape)) != 3:
        raise ValueError(f"model {spec.name!r}: input_shape must be (channels, bands, frames), "
                         f"got {spec.input_shape!r}")
    if spec.paper not in PAPERS:
        raise ValueError(f"model {spec.name!r}: paper must be one of {PAPERS}, got {spec.paper!r}")
    accepted = set(inspect.signature(spec.cls.__init__).parameters) - {"self", "n_classes", "input_shape"}
    unknown = sorted(set(spec.fixed) - accepted)
    if unknown:
        raise ValueError(f"model {spec.name!r}: fixed parameter(s) {unknown} are not parameters of "
                         f"{spec.cls.__name__}")
    for params, _paper_row in spec.cost_rows:
        unknown = sorted(set(params) - set(spec.parameters()))
        if unknown:
            raise ValueError(f"model {spec.name!r}: cost row parameter(s) {unknown} unknown; "
                             f"known: {spec.parameters()}")
    MODELS[spec.name] = spec
    return spec


def unregister_model(name: str) -> None:
    """Remove ``name`` from the registry (unknown -> ValueError)"""
    check_name(name)
    del MODELS[name]


def check_name(name: str) -> None:
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; known: {', '.join(MODELS)}")


def model_spec(name: str) -> ModelSpec:
    """The registered spec of ``name`` (unknown -> ValueError naming the known ones)"""
    check_name(name)
    return MODELS[name]


def model_parameters(name: str) -> list[str]:
    """The keyword parameters ``build_model(name, ...)`` accepts (beyond n_classes, input_shape)"""
    return model_spec(name).parameters()


def default_input_shape(name: str, **feature_params) -> tuple[int, int, int]:
    """(channels, bands, frames) a model takes by default, optionally with the feature's bands/frames

    ``default_input_shape("pb-cnn", n_mels=60)`` -> (1, 60, 150); ``frames=251`` for a whole
    5 s clip. Accepted keywords: n_mels / n_bands (bands), frames. Unknown -> ValueError
    """
    channels, bands, frames = model_spec(name).input_shape
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
    spec = model_spec(name)
    known = spec.parameters()
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise ValueError(f"unknown parameter(s) {unknown} for model {name!r}; known: {known}")
    if not isinstance(n_classes, int) or n_classes < 1:
        raise ValueError(f"build_model: n_classes must be a positive integer, got {n_classes!r}")
    input_shape = default_input_shape(name) if input_shape is None else tuple(input_shape)
    if len(input_shape) != 3:
        raise ValueError(f"build_model: input_shape must be (channels, bands, frames), got {input_shape!r}")
    model = spec.cls(n_classes, input_shape, **spec.fixed, **params)
    model.name = name
    return model


# the networks of both papers; log-mel 128 bands x 150 frames (3 s at 20 ms) is the features'
# default (Valenti used 60 bands); log-gammatone + delta 128 x 128 frames (~1.5 s); Piczak's
# log-mel + delta 60 bands x 41 frames at 22.05 kHz
LOGMEL_SEGMENT = (1, 128, 150)
GAMMATONE_SEGMENT = (2, 128, 128)
ACRNN_TABLE2_READING = {"padding": "valid", "axes": "time-freq"}  # the reading that meets 3.81 M

register_model(ModelSpec(
    name="valenti", cls=ValentiCNN, input_shape=LOGMEL_SEGMENT, features="logmel",
    has_attention=False, paper="pbcnn", preset="pbcnn",
    description="Valenti et al. DCASE 2016 CNN, the PB-CNN paper's baseline (Table 1)"))
register_model(ModelSpec(
    name="cnn", cls=PBCNN, fixed={"attention": "none"}, input_shape=LOGMEL_SEGMENT,
    features="logmel", has_attention=False, paper="pbcnn", preset="pbcnn",
    description="PB-CNN backbone without attention (our reading of Table 2's CNN)"))
register_model(ModelSpec(
    name="tb-cnn", cls=PBCNN, fixed={"attention": "time"}, input_shape=LOGMEL_SEGMENT,
    features="logmel", has_attention=True, paper="pbcnn", preset="pbcnn",
    description="PB-CNN backbone with time attention"))
register_model(ModelSpec(
    name="fb-cnn", cls=PBCNN, fixed={"attention": "frequency"}, input_shape=LOGMEL_SEGMENT,
    features="logmel", has_attention=True, paper="pbcnn", preset="pbcnn",
    description="PB-CNN backbone with frequency (sub-spectrogram) attention"))
register_model(ModelSpec(
    name="pb-cnn", cls=PBCNN, fixed={"attention": "pixel"}, input_shape=LOGMEL_SEGMENT,
    features="logmel", has_attention=True, paper="pbcnn", preset="pbcnn",
    cost_rows=(({}, None), ({"pba_ws": "channel"}, None)),
    description="PB-CNN: the backbone with pixel-based attention (PBA)"))
register_model(ModelSpec(
    name="crnn", cls=ACRNN, fixed={"attention_at": None}, input_shape=GAMMATONE_SEGMENT,
    features="gammatone", has_attention=False, paper="acrnn", preset="acrnn",
    cost_rows=(({}, "convolutional RNN"), (ACRNN_TABLE2_READING, "convolutional RNN")),
    description="the ACRNN paper's convolutional RNN (no attention)"))
register_model(ModelSpec(
    name="acrnn", cls=ACRNN, input_shape=GAMMATONE_SEGMENT, features="gammatone",
    has_attention=True, paper="acrnn", preset="acrnn",
    cost_rows=(({}, "ACRNN"), (ACRNN_TABLE2_READING, "ACRNN"),
               ({"attention_at": 2, "attention_scale": "sigmoid"}, None)),
    description="ACRNN: frame attention at l10 (softmax) by default, or at l2-l8"))
register_model(ModelSpec(
    name="piczak", cls=PiczakCNN, input_shape=(2, 60, 41), features="piczak",
    has_attention=False, paper="acrnn", preset="piczak",
    cost_rows=(({}, "PiczakCNN"), ({"pool_padding": "same"}, "PiczakCNN")),
    description="PiczakCNN, the ACRNN paper's baseline (Tables 1-2)"))
