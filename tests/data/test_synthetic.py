"""Synthetic scenes: seeded determinism, ESC-50 layout, ground truth consistent with the audio"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
import scipy.signal
import soundfile as sf

from ascnb.data import ensure_synthetic, generate_synthetic, load_dataset, load_esc50
from ascnb.data import synthetic as synthetic_module

SMALL = dict(classes=4, clips_per_class=4, duration=2.0, folds=2, seed=7)


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return generate_synthetic(tmp_path_factory.mktemp("synth") / "set", **SMALL)


def test_layout_and_folds(small):
    clips = small.clips
    assert small.name == "synthetic" and "synthetic" in small.description
    assert len(clips) == 16 and small.folds == (1, 2)
    assert clips.groupby(["fold", "label"]).size().eq(2).all()
    assert small.classes == tuple(list(synthetic_module.SHAPES)[:4])
    # the plain ESC-50 loader reads it: same layout
    assert len(load_esc50(small.root, valid_folds=None).clips) == 16
    info = sf.info(clips["path"].iloc[0])
    assert info.samplerate == 44100 and info.frames == 2 * 44100
    assert small.read(3).shape == (2 * 44100,)


def test_events_table(small):
    events = small.events
    assert set(events["filename"]) == set(small.clips["filename"])
    for column in ["filename", "onset", "offset", "fmin", "fmax", "label", "kind"]:
        assert column in events.columns
    foreground = events[events["kind"] == "foreground"]
    per_clip = foreground.groupby("filename").size()
    assert len(per_clip) == len(small.clips) and per_clip.between(1, synthetic_module.DEFAULTS["events_max"]).all()
    label_of = dict(zip(small.clips["filename"], small.clips["category"]))
    assert (foreground["label"] == foreground["filename"].map(label_of)).all()
    assert (events.loc[events["kind"] == "distractor", "label"] == "distractor").all()
    assert ((events["onset"] >= 0) & (events["offset"] <= 2.0) & (events["onset"] < events["offset"])).all()
    assert (events["fmin"] < events["fmax"]).all()


def test_seeded_determinism(tmp_path, small):
    again = generate_synthetic(tmp_path / "again", **SMALL)
    assert digest(again.root) == digest(small.root)  # bitwise identical files
    other = generate_synthetic(tmp_path / "other", **{**SMALL, "seed": 8})
    audio = [name for name in digest(other.root) if name.startswith("audio/")]
    assert all(digest(other.root)[name] != digest(small.root)[name] for name in audio)


def band_margins(dataset) -> list[float]:
    """Per foreground event: dB of power in its band during the event over away from all events"""
    events = dataset.events
    margins = []
    for i, row in dataset.clips.iterrows():
        f, t, S = scipy.signal.stft(dataset.read(i), 44100, nperseg=1024)
        power = np.abs(S) ** 2  # (freq, time)
        clip_events = events[events["filename"] == row["filename"]]
        busy = np.zeros(len(t), dtype=bool)
        for e in clip_events[clip_events["kind"] != "texture"].itertuples():
            busy |= (t >= e.onset - 0.03) & (t <= e.offset + 0.03)
        for e in clip_events[clip_events["kind"] == "foreground"].itertuples():
            band = (f >= e.fmin) & (f <= e.fmax)
            during = (t >= e.onset + 0.02) & (t <= e.offset - 0.02)
            margins.append(10 * np.log10(power[band][:, during].mean() / power[band][:, ~busy].mean()))
    return margins


def test_ground_truth_matches_the_audio(tmp_path):
    """Each event's band holds more energy during the event than away from events, and more so
    at a higher SNR (same seed: same events, only their level changes)"""
    quiet = generate_synthetic(tmp_path / "quiet", **{**SMALL, "snr_min": -6.0, "snr_max": -6.0})
    loud = generate_synthetic(tmp_path / "loud", **{**SMALL, "snr_min": 6.0, "snr_max": 6.0})
    assert quiet.events[["onset", "offset"]].equals(loud.events[["onset", "offset"]])
    quiet_margins, loud_margins = np.array(band_margins(quiet)), np.array(band_margins(loud))
    assert len(quiet_margins) >= len(quiet.clips)
    assert quiet_margins.min() > 0.5, f"an event is hidden in its band: {quiet_margins.min():.1f} dB"
    assert loud_margins.min() > 6.0
    assert (loud_margins > quiet_margins + 3.0).all()


def test_the_class_lives_in_the_events_alone_by_default(small):
    assert not (small.events["kind"] == "texture").any()


def test_without_events_only_the_foreground_is_gone(tmp_path):
    """events=False: the same clips minus their foreground events, sample for sample"""
    full = generate_synthetic(tmp_path / "full", **SMALL)
    bare = generate_synthetic(tmp_path / "bare", **SMALL, events=False)
    assert "removed" in bare.description and not (bare.events["kind"] == "foreground").any()
    assert bare.events.equals(full.events[full.events["kind"] != "foreground"].reset_index(drop=True))
    for i in range(len(full.clips)):
        a, b = full.read(i), bare.read(i)
        fg = full.events[(full.events["filename"] == full.clips["filename"].iloc[i])
                         & (full.events["kind"] == "foreground")]
        inside = np.zeros(len(a), dtype=bool)
        for e in fg.itertuples():
            inside[int(e.onset * 44100):int(np.ceil(e.offset * 44100)) + 1] = True
        assert np.array_equal(a[~inside], b[~inside]) and not np.array_equal(a[inside], b[inside])


def test_texture_band_is_class_specific(tmp_path):
    textured = generate_synthetic(tmp_path / "textured", **SMALL, texture_snr=-12.0)
    texture = textured.events[textured.events["kind"] == "texture"]
    assert len(texture) == len(textured.clips)
    bands = texture.groupby("label")[["fmin", "fmax"]].first()
    assert bands["fmin"].is_unique
    assert (texture.groupby("label")["fmin"].nunique() == 1).all()


def test_parameters_are_checked(tmp_path):
    with pytest.raises(ValueError, match="classes must be between 2 and 12"):
        generate_synthetic(tmp_path / "a", classes=13)
    with pytest.raises(ValueError, match="snr_min"):
        generate_synthetic(tmp_path / "b", snr_min=5, snr_max=0)
    with pytest.raises(ValueError, match=r"unknown synthetic-scenes parameter\(s\) \['colour'\]"):
        generate_synthetic(tmp_path / "c", colour="pink")


def test_never_half_written(tmp_path, monkeypatch):
    out = tmp_path / "set"
    written = []

    def failing_write(path, *args, **kwargs):
        if len(written) == 3:
            raise OSError("disk full")
        written.append(path)
        return sf.write(path, *args, **kwargs)

    monkeypatch.setattr(synthetic_module.sf, "write", failing_write)
    with pytest.raises(OSError, match="disk full"):
        generate_synthetic(out, **SMALL)
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_refuses_to_overwrite_other_data(tmp_path):
    out = tmp_path / "precious"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    with pytest.raises(FileExistsError, match="not empty"):
        generate_synthetic(out, overwrite=True, **SMALL)
    assert (out / "notes.txt").read_text() == "keep me"


def test_ensure_synthetic_generates_once(tmp_path):
    first = ensure_synthetic(tmp_path, **SMALL)
    assert first.root.parent == tmp_path and first.root.name.startswith("synthetic-")
    stamp = (first.root / "meta" / "esc50.csv").stat().st_mtime_ns
    second = ensure_synthetic(tmp_path, **SMALL)
    assert second.root == first.root
    assert (second.root / "meta" / "esc50.csv").stat().st_mtime_ns == stamp
    assert ensure_synthetic(tmp_path, **{**SMALL, "seed": 1}).root != first.root
    # load_dataset: a data root plus parameters, or the set itself
    assert load_dataset("synthetic", tmp_path, **SMALL).root == first.root
    assert len(load_dataset("synthetic", first.root).clips) == 16


def test_data_root_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("ASCNB_DATA", str(tmp_path))
    dataset = ensure_synthetic(**SMALL)
    assert dataset.root.parent == tmp_path
