"""Where the papers are silent, ambiguous or deviated from: the list behind the book's choices page

Book: notebooks/05-choices.ipynb ("Where we had to choose"). The entries live in
``ascnb/choices.yaml`` (its header explains the fields); this module reads them and checks that
every switch names a real parameter:

    model:<name>                a registered network (``ascnb.models.MODELS``)
    model:<name>:<parameter>    one of its constructor parameters (``model_parameters`` or the
                                ones its name fixes)
    features:<kind>:<field>     a field of that feature config (``ascnb.features.FEATURE_CONFIGS``)
    train:<key>                 a training recipe key (``ascnb.train.presets.TRAIN_KEYS``)
    experiment:<field>          a field of the experiment config (``experiment_config_class``)

    choices = load_choices()           # list of Choice, in the file's order
    table = choices_table()            # one row per choice, for the page
    check_switch("model:pb-cnn:pba_ws")  # ValueError naming what is unknown
"""

from __future__ import annotations

import dataclasses
import importlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

STATUSES = ("silent", "ambiguous", "deviation", "unverified")
PAPERS = ("PB-CNN", "ACRNN", "both")
SWITCH_KINDS = ("model", "features", "train", "experiment")


@dataclass(frozen=True)
class Choice:
    """One place where we had to choose (fields as in ascnb/choices.yaml)"""

    topic: str
    paper: str
    source: str
    status: str
    choice: str
    alternative: str
    switches: tuple[str, ...]
    code: str


@lru_cache(maxsize=1)
def load_choices() -> tuple[Choice, ...]:
    """Every entry of ascnb/choices.yaml; a missing field, bad status or paper -> ValueError"""
    entries = yaml.safe_load(resources.files("ascnb").joinpath("choices.yaml").read_text())
    names = [f.name for f in dataclasses.fields(Choice)]
    choices = []
    for i, entry in enumerate(entries):
        where = f"choices.yaml entry {i + 1} ({entry.get('topic', '?')!r})"
        if set(entry) != set(names):
            raise ValueError(f"{where}: fields {sorted(entry)}, expected {names}")
        if entry["status"] not in STATUSES:
            raise ValueError(f"{where}: status must be one of {STATUSES}, got {entry['status']!r}")
        if entry["paper"] not in PAPERS:
            raise ValueError(f"{where}: paper must be one of {PAPERS}, got {entry['paper']!r}")
        choices.append(Choice(**{**entry, "switches": tuple(entry["switches"])}))
    return tuple(choices)


def experiment_config_class() -> type:
    """The experiment config dataclass whose fields "experiment:NAME" switches name"""
    from ascnb.experiment.config import Experiment

    return Experiment


def check_switch(switch: str) -> None:
    """Raise ValueError naming the unknown part if ``switch`` names no real parameter"""
    kind, _, rest = switch.partition(":")
    parts = rest.split(":") if rest else []
    if kind not in SWITCH_KINDS:
        raise ValueError(f"switch {switch!r}: kind must be one of {SWITCH_KINDS}, got {kind!r}")
    if kind == "model":
        from ascnb.models import MODELS, model_parameters

        if len(parts) not in (1, 2):
            raise ValueError(f"switch {switch!r}: expected model:<name> or model:<name>:<parameter>")
        if parts[0] not in MODELS:
            raise ValueError(f"switch {switch!r}: unknown model {parts[0]!r}; known: {list(MODELS)}")
        known = model_parameters(parts[0]) + list(MODELS[parts[0]].fixed)
        if len(parts) == 2 and parts[1] not in known:
            raise ValueError(f"switch {switch!r}: model {parts[0]!r} has no parameter {parts[1]!r}; "
                             f"known: {known}")
        return
    if kind == "features":
        from ascnb.features.config import FEATURE_CONFIGS

        if len(parts) != 2:
            raise ValueError(f"switch {switch!r}: expected features:<kind>:<field>")
        if parts[0] not in FEATURE_CONFIGS:
            raise ValueError(f"switch {switch!r}: unknown feature kind {parts[0]!r}; "
                             f"known: {list(FEATURE_CONFIGS)}")
        known = [f.name for f in dataclasses.fields(FEATURE_CONFIGS[parts[0]]) if f.init]
    elif kind == "train":
        from ascnb.train.presets import TRAIN_KEYS

        known = list(TRAIN_KEYS)
    else:
        known = [f.name for f in dataclasses.fields(experiment_config_class())]
    if kind != "features" and len(parts) != 1:
        raise ValueError(f"switch {switch!r}: expected {kind}:<name>")
    if parts[-1] not in known:
        raise ValueError(f"switch {switch!r}: unknown {kind} parameter {parts[-1]!r}; known: {known}")


def check_code(path: str) -> None:
    """Raise ValueError if the dotted ``path`` (module, then attributes) does not import"""
    parts = path.split(".")
    for n in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:n]))
        except ImportError:
            continue
        for attribute in parts[n:]:
            if not hasattr(obj, attribute):
                raise ValueError(f"code {path!r}: {'.'.join(parts[:n])} has no {attribute!r}")
            obj = getattr(obj, attribute)
        return
    raise ValueError(f"code {path!r}: no importable module")


def choices_table():
    """One row per choice: topic, paper, source, status, choice, alternative, switches, code"""
    import pandas as pd

    rows = [{**dataclasses.asdict(c), "switches": ", ".join(c.switches) or "fixed in code"}
            for c in load_choices()]
    return pd.DataFrame(rows)
