"""Segments of clip features (ascnb.features.segment): counts, contents, padding, presets"""

from __future__ import annotations

import numpy as np
import pytest

from ascnb.features import SegmentConfig, segment, segment_config


def starts(n_frames, length, hop):
    """Start frames of the full segments, by enumeration"""
    return [s for s in range(0, n_frames, hop) if s + length <= n_frames] or [0]


@pytest.mark.parametrize("preset, n_frames", [
    ("overlap", 251), ("no-overlap", 251), ("acrnn", 431), ("acrnn", 251), ("piczak", 216),
    ("overlap", 1501), ("acrnn", 128), ("acrnn", 129), ("acrnn", 192),
])
def test_segment_counts_and_contents(preset, n_frames):
    config = segment_config(preset)
    rng = np.random.default_rng(n_frames)
    features = [rng.standard_normal((2, 8, n_frames)).astype(np.float32) for _ in range(3)]
    X, clip_index = segment(features, config)
    expected_starts = starts(n_frames, config.length, config.step)
    assert config.n_segments(n_frames) == len(expected_starts)
    assert X.shape == (3 * len(expected_starts), 2, 8, config.length) and X.dtype == np.float32
    assert clip_index.tolist() == [c for c in range(3) for _ in expected_starts]
    for i, (c, s) in enumerate((c, s) for c in range(3) for s in expected_starts):
        np.testing.assert_array_equal(X[i], features[c][..., s:s + config.length])


def test_segment_counts_on_clips(logmel_features, small):
    X, clip_index = segment(logmel_features, "overlap")
    per_clip = np.bincount(clip_index, minlength=len(small))
    assert per_clip.tolist() == [len(starts(251, 150, 75))] * len(small)  # 2 segments of 3 s
    assert X.shape[1:] == (1, 128, 150)
    # segment k of clip c starts at frame 75 k
    second = np.flatnonzero(clip_index == 4)[1]
    np.testing.assert_array_equal(X[second], logmel_features[4][..., 75:225])


def test_short_clip_is_zero_padded_to_one_segment():
    clip = np.ones((1, 4, 100), dtype=np.float32)
    X, clip_index = segment([clip], "overlap")
    assert X.shape == (1, 1, 4, 150) and clip_index.tolist() == [0]
    assert (X[0, ..., :100] == 1).all() and (X[0, ..., 100:] == 0).all()


def test_no_split_keeps_whole_clips_and_pads_to_the_longest():
    a, b = np.ones((1, 4, 251), np.float32), np.full((1, 4, 200), 2, np.float32)
    X, clip_index = segment([a, b], "no-split")
    assert X.shape == (2, 1, 4, 251) and clip_index.tolist() == [0, 1]
    assert (X[1, ..., 200:] == 0).all() and (X[1, ..., :200] == 2).all()


def test_segment_presets_and_errors():
    assert segment_config("overlap") == SegmentConfig(150, 75)
    assert segment_config("no-overlap") == SegmentConfig(150, 150)
    assert segment_config("no-split") == SegmentConfig(None, None)
    assert segment_config("acrnn") == SegmentConfig(128, 64)
    assert segment_config("piczak") == SegmentConfig(41, 20)
    assert segment_config({"length": 10}) == SegmentConfig(10, None)
    with pytest.raises(ValueError, match="unknown segmentation 'halves'"):
        segment_config("halves")
    with pytest.raises(ValueError, match="hop must be a positive integer"):
        SegmentConfig(10, 0)
    with pytest.raises(ValueError, match="same channels"):
        segment([np.zeros((1, 4, 10)), np.zeros((1, 5, 10))], SegmentConfig(5))
