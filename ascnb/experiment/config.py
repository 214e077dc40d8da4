"""One experiment as a small validated config, its profiles, and the hash that keys its records

Book: book/intro.md ("How the experiments are trained") and book/reproduce.md.

    exp = Experiment(dataset="esc10", model="acrnn", profile="cpu")
    exp.resolve()          # the profile's folds, seeds and epochs, the model's recipe filled in
    exp.config_hash()      # 12 hex digits: the folder of its records, results/<hash>/

What the model decides unless told otherwise (``ascnb.models`` registry): the features, the
segmentation and the training preset of its paper, so ``Experiment(model="piczak")`` is
PiczakCNN on its own log-mel + delta segments with its own recipe. What each paper decides:
how a clip is decided and how accuracy is counted (``ascnb.evaluate.PAPER_RULES``), and the
normalisation (both papers: one mean and one standard deviation per input channel over the
training fold, ``normalise="channel"``).

Profiles only set defaults; every value given explicitly wins:
- smoke: 1 clip per class per fold, the first 2 folds, 1 epoch of 2 batches of 8 (seconds, CI)
- quick: all clips, the first fold, the recipes compressed to ``QUICK_EPOCHS`` (milestones
  scaled), PiczakCNN in batches of 100 at lr 0.01, the PB-CNN family in batches of 16 at lr
  5e-4, batch-norm statistics recalibrated after the last
  epoch, bfloat16 autocast (the book's build, synthetic scenes)
- cpu: all clips and folds, the papers' recipes compressed to ``CPU_EPOCHS`` epochs (PiczakCNN
  keeps its 300: it is cheap) with
  every learning-rate milestone scaled by the same factor, bfloat16 autocast (CPU hours)
- paper: all clips and folds, the papers' recipes as published (GPU)

The record key (``config_hash``) is a sha256 over the canonical JSON of every value that
changes a result, resolved to its full values (dataset name, features,
segmentation, normalisation, model with all its parameters, training recipe, clip decision,
accuracy definition, clips per class) AND the fingerprint of the data the run sees (names,
folds, labels and sizes of its clips: ``ascnb.experiment.fingerprint``), so the same
experiment on other data gets other records, wherever the folder lives. It leaves out what
does not change a result: name and table (labels), folds and seeds (one record each), profile
(only through the values it sets), device, data root and the dataset's loader parameters
(the generator's settings of the synthetic scenes, DCASE's protocol: what they change, the
clips and splits, is in the fingerprint). ``experiment_hash`` is the same
without the data: it finds committed records of a dataset a reader does not have.

Over 300 lines, a third of them this docstring: the Experiment's fields, checks, resolution
and hash are one frozen object (the catalogue's files are read by ``catalogue``).
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, field, fields, replace

from ascnb.experiment.profiles import PROFILES

# fields that do not change a result: left out of the hash
NOT_HASHED = ("name", "table", "folds", "seeds", "profile", "device", "data_root",
              "dataset_params")
# training fields added after records were first made: left out of the hash while they hold
# their default, so that adding a field does not orphan every existing record
LATE_TRAIN_FIELDS = {"bn_recalibrate": False}
NORMALISE = ("channel", "band")
# how each feature kind is cut unless told otherwise (ascnb.features.SEGMENT_PRESETS): PB-CNN
# 3 s with 50 % overlap, ACRNN 128 frames with 50 %, Piczak 41 frames with 50 %
DEFAULT_SEGMENTATION = {"logmel": "overlap", "gammatone": "acrnn", "piczak": "piczak"}
PAPER_NORMALISE = "channel"   # ACRNN 4.1 and PB-CNN 3.1.2: global mean and std of the training set


class ConfigError(ValueError):
    """An experiment config that cannot run: names the field (and file) and what is wrong"""


def _check_type(name: str, value, kinds, what: str) -> None:
    if value is not None and (isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds)):
        raise ConfigError(f"{name} must be {what}, got {value!r} ({type(value).__name__})")


@dataclass(frozen=True)
class Experiment:
    """What to train on what, how, over which folds and seeds (see the module docstring)

    name, table: labels (a row of a paper table and the table), not part of the hash
    dataset, data_root, dataset_params: ``ascnb.data.load_dataset(dataset, data_root, **params)``
    features, feature_params: ``ascnb.features.feature_config`` (None: the model's)
    segmentation: a preset name or {"length": .., "hop": ..} (None: the model's)
    normalise: "channel" (one mean/std per input channel, both papers) or "band" (None: paper's)
    model, model_params: ``ascnb.models.build_model`` name and parameters
    preset, overrides: ``ascnb.train.train_config`` recipe and changes (None: the model's paper's)
    decision, accuracy: clip rule and accuracy definition (None: the preset's paper's)
    clips_per_class: keep this many clips per class and fold (0 all; None the profile's)
    folds, seeds: None: the profile's (``fold_list``: the dataset's first n_folds, or all)
    profile: a name of PROFILES; device: "auto", "cpu", "cuda", …
    """

    name: str = ""
    table: str = ""
    dataset: str = "synthetic"
    data_root: str | None = None
    dataset_params: dict = field(default_factory=dict)
    features: str | None = None
    feature_params: dict = field(default_factory=dict)
    segmentation: str | dict | None = None
    normalise: str | None = None
    model: str = "acrnn"
    model_params: dict = field(default_factory=dict)
    preset: str | None = None
    overrides: dict = field(default_factory=dict)
    decision: str | None = None
    accuracy: str | None = None
    clips_per_class: int | None = None
    folds: tuple | None = None
    seeds: tuple | None = None
    profile: str = "quick"
    device: str = "auto"

    def __post_init__(self):
        _check_type("name", self.name, (str,), "a string")
        _check_type("table", self.table, (str,), "a string")
        _check_type("dataset", self.dataset, (str,), "a dataset name")
        _check_type("model", self.model, (str,), "a model name")
        _check_type("features", self.features, (str,), "a feature kind")
        _check_type("preset", self.preset, (str,), "a training preset name")
        _check_type("device", self.device, (str,), "a device name")
        _check_type("profile", self.profile, (str,), "a profile name")
        _check_type("segmentation", self.segmentation, (str, dict), "a preset name or a mapping")
        if self.data_root is not None:
            object.__setattr__(self, "data_root", str(self.data_root))
        if self.profile not in PROFILES:
            raise ConfigError(f"unknown profile {self.profile!r}; known: {', '.join(PROFILES)}")
        if self.normalise is not None and self.normalise not in NORMALISE:
            raise ConfigError(f"normalise must be one of {NORMALISE}, got {self.normalise!r}")
        for name in ("dataset_params", "feature_params", "model_params", "overrides"):
            if not isinstance(getattr(self, name), dict):
                raise ConfigError(f"{name} must be a mapping, got {getattr(self, name)!r}")
        if self.clips_per_class is not None:
            _check_type("clips_per_class", self.clips_per_class, (int,), "an integer >= 0")
            if self.clips_per_class < 0:
                raise ConfigError(f"clips_per_class must be >= 0 (0 = all), got {self.clips_per_class!r}")
        for name in ("folds", "seeds"):
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, (str, int)) and not isinstance(value, bool):
                value = (value,)
            if not isinstance(value, (list, tuple)) or not value:
                raise ConfigError(f"{name} must be a non-empty list, got {value!r}")
            for item in value:
                if name == "seeds" and (isinstance(item, bool) or not isinstance(item, int) or item < 0):
                    raise ConfigError(f"seeds must be integers >= 0, got {item!r}")
                if name == "folds" and (isinstance(item, bool) or not isinstance(item, (int, str))):
                    raise ConfigError(f"folds must be fold numbers (or 'eval'), got {item!r}")
            object.__setattr__(self, name, tuple(value))

    # -- reading and writing ------------------------------------------------------------------

    @classmethod
    def from_dict(cls, values: dict, where: str = "experiment config") -> Experiment:
        """An Experiment from a mapping of its fields; errors name ``where`` and the field"""
        if not isinstance(values, dict):
            raise ConfigError(f"{where}: expected a mapping of experiment fields, got {values!r}")
        known = [f.name for f in fields(cls)]
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {unknown}; known: {', '.join(known)}")
        try:
            return cls(**values)
        except ConfigError as error:
            raise ConfigError(f"{where}: {error}") from None

    def to_dict(self) -> dict:
        values = asdict(self)
        for name in ("folds", "seeds"):
            if values[name] is not None:
                values[name] = list(values[name])
        return values

    # -- resolution ---------------------------------------------------------------------------

    def resolve(self) -> Experiment:
        """The same experiment with the profile's defaults and the papers' rules filled in

        Idempotent: resolving a resolved experiment changes nothing.
        """
        from ascnb.evaluate import PAPER_RULES
        from ascnb.models import model_spec
        from ascnb.train import PRESETS, check_overrides

        try:
            spec = model_spec(self.model)
        except ValueError as error:
            raise ConfigError(str(error)) from None
        preset = self.preset or spec.preset
        if preset not in PRESETS:
            raise ConfigError(f"unknown training preset {preset!r}; known: {', '.join(PRESETS)}")
        try:
            check_overrides(self.overrides)
        except ValueError as error:
            raise ConfigError(str(error)) from None
        profile = PROFILES[self.profile]
        overrides = {**profile.overrides, **profile.preset_overrides.get(preset, {}),
                     **self.overrides}
        if preset in profile.epochs and "num_epochs" not in self.overrides:
            overrides["num_epochs"] = profile.epochs[preset]
        if profile.scale_schedule and "lr_step" not in self.overrides:
            full = PRESETS[preset]
            if full.get("lr_step") and "num_epochs" in overrides:
                scaled = full["lr_step"] * overrides["num_epochs"] / full["num_epochs"]
                overrides["lr_step"] = max(1, int(math.floor(scaled + 0.5)))
        rules = PAPER_RULES[preset]
        features = self.features or spec.features
        return replace(
            self,
            features=features,
            segmentation=self.segmentation if self.segmentation is not None
            else DEFAULT_SEGMENTATION.get(features, "overlap"),
            normalise=self.normalise or PAPER_NORMALISE,
            preset=preset,
            model_params=resolved_model_params(spec, self.model_params),
            clips_per_class=self.clips_per_class if self.clips_per_class is not None
            else profile.clips_per_class,
            folds=self.folds,
            seeds=self.seeds if self.seeds is not None else profile.seeds,
            overrides=overrides,
            decision=self.decision or rules["decision"],
            accuracy=self.accuracy or rules["accuracy"])

    def fold_list(self, dataset) -> tuple:
        """The folds this experiment runs on ``dataset``: its own, else the profile's first
        n_folds of the dataset's; a fold the dataset lacks is an error naming both"""
        if self.folds is not None:
            unknown = [f for f in self.folds if f not in dataset.folds]
            if unknown:
                raise ConfigError(f"unknown fold(s) {unknown} for {dataset.name}; its folds: "
                                  f"{list(dataset.folds)}")
            return tuple(self.folds)
        n = PROFILES[self.profile].n_folds
        return tuple(dataset.folds if n is None else dataset.folds[:n])

    def official_fold_list(self) -> tuple:
        """``fold_list`` without the data: its own folds, else the profile's cut of the dataset's
        official folds (``DatasetSpec.official_clips``; ("?",) where none are known)"""
        from ascnb.data import dataset_spec

        official = tuple(dataset_spec(self.dataset).official_clips) or ("?",)
        n = PROFILES[self.profile].n_folds
        return tuple(self.folds or (official if n is None else official[:n]))

    def feature_config(self):
        from ascnb.features import feature_config

        exp = self.resolve()
        try:
            return feature_config(exp.features, **exp.feature_params)
        except (TypeError, ValueError) as error:
            raise ConfigError(f"feature_params: {error}") from None

    def segment_config(self):
        from ascnb.features import segment_config

        try:
            return segment_config(self.resolve().segmentation)
        except (TypeError, ValueError) as error:
            raise ConfigError(f"segmentation: {error}") from None

    def train_config(self):
        from ascnb.train import train_config

        exp = self.resolve()
        try:
            return train_config(exp.preset, **exp.overrides)
        except (TypeError, ValueError) as error:
            raise ConfigError(f"overrides: {error}") from None

    def hashed_values(self) -> dict:
        """Everything that changes a result except the data, resolved to its full values"""
        from ascnb.data import dataset_spec
        from ascnb.evaluate import ACCURACIES, DECISIONS

        exp = self.resolve()
        try:
            dataset_spec(exp.dataset)
        except ValueError as error:
            raise ConfigError(str(error)) from None
        for value, known, what in ((exp.decision, DECISIONS, "decision"),
                                   (exp.accuracy, ACCURACIES, "accuracy")):
            if value not in known:
                raise ConfigError(f"{what} must be one of {known}, got {value!r}")
        values = {k: v for k, v in exp.to_dict().items() if k not in NOT_HASHED}
        values["feature_params"] = exp.feature_config().to_dict()
        values["segmentation"] = exp.segment_config().to_dict()
        recipe = exp.train_config()
        values["overrides"] = {k: v for k, v in recipe.to_dict().items()
                               if not (k in LATE_TRAIN_FIELDS and v == LATE_TRAIN_FIELDS[k])}
        return values

    def experiment_hash(self) -> str:
        """12 hex digits over ``hashed_values()``: the experiment whatever the data"""
        return _digest(self.hashed_values())

    def config_hash(self, fingerprint: str | None = None) -> str:
        """12 hex digits over ``hashed_values()`` and the data fingerprint: the record key

        fingerprint: the data's (``ascnb.experiment.fingerprint.data_fingerprint``); None:
        computed from the dataset (which is then loaded, or generated for synthetic scenes)
        """
        if fingerprint is None:
            from ascnb.experiment.fingerprint import experiment_fingerprint

            fingerprint = experiment_fingerprint(self)
        return _digest({**self.hashed_values(), "data_fingerprint": fingerprint})


def resolved_model_params(spec, params: dict) -> dict:
    """``params`` with every other constructor default of the model filled in (so that
    writing a default out, or leaving it, gives the same experiment and the same hash)"""
    import inspect

    known = spec.parameters()
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise ConfigError(f"unknown model parameter(s) {unknown} for model {spec.name!r}; "
                          f"known: {known}")
    signature = inspect.signature(spec.cls.__init__).parameters
    defaults = {name: signature[name].default for name in known
                if signature[name].default is not inspect.Parameter.empty}
    values = {**defaults, **params}
    return {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}


def _digest(values: dict) -> str:
    text = json.dumps(values, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]

