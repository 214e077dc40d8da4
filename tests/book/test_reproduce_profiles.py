"""The profile table of book/reproduce.md says what ascnb.experiment.profiles does: each
profile's row names, per recipe, the epochs the profile gives it and the recipe's own"""

from __future__ import annotations

import re

import pytest

from ascnb.experiment.profiles import PROFILES
from ascnb.paths import REPO
from ascnb.train.presets import PRESETS

NAMES = {"acrnn": "ACRNN", "piczak": "PiczakCNN", "pbcnn": "PB-CNN family"}


def profile_rows() -> dict[str, str]:
    text = (REPO / "book" / "reproduce.md").read_text()
    return {m.group(1): m.group(0) for m in re.finditer(r"^\| `(\w+)` \|.*$", text, re.M)}


def test_the_table_has_a_row_for_every_profile():
    assert set(profile_rows()) == set(PROFILES)


@pytest.mark.parametrize("profile", [name for name, p in PROFILES.items() if p.epochs])
def test_a_profiles_row_names_the_epochs_it_gives_each_recipe(profile):
    row = profile_rows()[profile]
    for preset, epochs in PROFILES[profile].epochs.items():
        name, own = NAMES[preset], PRESETS[preset]["num_epochs"]
        found = re.search(rf"{re.escape(name)}[^;|]*?\b{epochs} of {own}\b", row)
        assert found, (f"book/reproduce.md, row `{profile}`: expected \"{name} {epochs} of {own} "
                       f"epochs\" (profiles.py); got {row}")
