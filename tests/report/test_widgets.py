"""The audio players a page puts beside its clips (ascnb.report.widgets.audio_players)"""

import base64
import io
import re

import numpy as np
import pytest
import soundfile as sf

from ascnb.report.widgets import audio_players


def embedded_wavs(html: str):
    """The WAV files embedded in the players, decoded"""
    return [sf.read(io.BytesIO(base64.b64decode(b64)))
            for b64 in re.findall(r"data:audio/wav;base64,([A-Za-z0-9+/=]+)", html)]


def test_one_player_per_clip_named_and_playable(audio_dataset):
    positions = [0, len(audio_dataset.clips) - 1]
    html = audio_players(audio_dataset, positions, rate=8000).data
    assert html.count("<audio") == 2
    for i in positions:
        clip = audio_dataset.clips.iloc[i]
        assert f"{clip['category']} ({clip['filename']})" in html
    wavs = embedded_wavs(html)
    assert [rate for _, rate in wavs] == [8000, 8000]
    for (audio, _), i in zip(wavs, positions):
        # the clip as the pipeline reads it, resampled: its length and its loudness survive
        clip = audio_dataset.read(i)
        assert len(audio) == pytest.approx(len(clip) * 8000 / audio_dataset.sample_rate, abs=2)
        assert np.abs(audio).max() > 0.0


def test_label_names_the_clip_otherwise(audio_dataset):
    html = audio_players(audio_dataset, [0], label=lambda clip: f"fold {clip['fold']} clip").data
    assert f"fold {audio_dataset.clips.iloc[0]['fold']} clip" in html


def test_a_position_outside_the_dataset_is_named(audio_dataset):
    n = len(audio_dataset.clips)
    with pytest.raises(IndexError, match=rf"no clip at position {n} \(the dataset has {n} clips\)"):
        audio_players(audio_dataset, [0, n])
