"""The localisation metric: attention mass on the ground-truth events"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ascnb.report.attention_maps import attention_mass, combined_map, event_mask

EVENTS = pd.DataFrame([
    {"filename": "a.wav", "onset": 0.10, "offset": 0.30, "fmin": 1000, "fmax": 3000, "kind": "foreground"},
    {"filename": "a.wav", "onset": 0.60, "offset": 0.70, "fmin": 200, "fmax": 400, "kind": "distractor"},
    {"filename": "b.wav", "onset": 0.00, "offset": 1.00, "fmin": 0, "fmax": 20000, "kind": "foreground"},
])
HOP = 0.05        # 20 frames over 1 s
BANDS = np.array([100, 300, 1000, 2000, 4000, 8000])


def test_event_mask_covers_the_foreground_events_of_one_clip():
    frames = event_mask(EVENTS, "a.wav", 20, HOP)
    assert frames.tolist() == [0.10 <= t * HOP < 0.30 for t in range(20)]
    cells = event_mask(EVENTS, "a.wav", 20, HOP, BANDS)
    assert cells.shape == (6, 20)
    assert cells.any(axis=1).tolist() == [False, False, True, True, False, False]
    assert cells.any(axis=0).tolist() == frames.tolist()


def test_a_map_equal_to_the_mask_scores_one_and_a_uniform_map_scores_chance():
    mask = event_mask(EVENTS, "a.wav", 20, HOP, BANDS)
    assert attention_mass(mask.astype(float), mask) == pytest.approx(1.0)
    assert attention_mass(np.ones(mask.shape), mask) == pytest.approx(mask.mean())
    assert attention_mass((~mask).astype(float), mask) == 0.0
    frames = event_mask(EVENTS, "a.wav", 20, HOP)
    assert attention_mass(np.ones((6, 20)), frames) == pytest.approx(frames.mean())  # bands summed


def test_attention_mass_refuses_what_it_cannot_score():
    mask = np.zeros(5, bool)
    with pytest.raises(ValueError, match="non-negative"):
        attention_mass(-np.ones(5), mask)
    with pytest.raises(ValueError, match="differ"):
        attention_mass(np.ones(4), mask)
    assert np.isnan(attention_mass(np.zeros(5), mask))


def test_combined_map_weights_each_layer_equally():
    frames = np.array([1.0, 0.0, 0.0, 0.0])
    pixels = np.zeros((2, 4))
    pixels[1, 3] = 5.0
    combined = combined_map({"l2": frames, "stage1.pixel": pixels}, n_bands=2)
    assert combined.shape == (2, 4) and combined.sum() == pytest.approx(1.0)
    assert combined[:, 0].sum() == pytest.approx(0.5) and combined[1, 3] == pytest.approx(0.5)


def test_energy_map_follows_loudness_and_sums_to_one():
    from ascnb.report.attention_maps import energy_map

    X = np.full((2, 3, 4), -60.0)
    X[0, 1, 2] = 0.0  # one loud cell, 60 dB above the rest
    energy = energy_map(X)
    assert energy.shape == (3, 4) and energy.sum() == pytest.approx(1.0)
    assert energy.argmax() == np.ravel_multi_index((1, 2), (3, 4)) and energy[1, 2] > 0.99
