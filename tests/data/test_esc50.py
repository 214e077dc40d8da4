"""ESC-50/ESC-10 reader: the layout on the synthetic scenes and the real ESC-10, and every bad input

The reader's properties run on the synthetic scenes (written in the ESC-50 layout) and, as the
esc10 extra, on the real ESC-10 (``audio_dataset``); what only the real ESC-10 has (its counts,
its class names, its Ogg clips of odd lengths) is tested on it alone, marked esc10.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from ascnb.data import AudioError, DatasetError, load_dataset, load_esc50, read_audio

CLIP_SAMPLES = 220_500


# ---- the reader on the scenes and on the real ESC-10 ----

def test_source_files_stay_in_one_fold(audio_dataset):
    folds_per_source = audio_dataset.clips.groupby("src_file")["fold"].nunique()
    assert folds_per_source.max() == 1


def test_labels_are_contiguous_with_names_in_target_order(audio_dataset):
    clips, classes = audio_dataset.clips, audio_dataset.classes
    assert sorted(clips["label"].unique()) == list(range(len(classes)))
    assert all(classes[label] == category for label, category in zip(clips["label"], clips["category"]))
    # labels follow the ESC-50 target order
    target_of_label = clips.groupby("label")["target"].first()
    assert target_of_label.is_monotonic_increasing


def test_split_tests_one_fold_and_trains_on_the_others(audio_dataset):
    clips = audio_dataset.clips
    train, test = audio_dataset.split(3)
    assert len(test) == (clips["fold"] == 3).sum() > 0 and len(train) + len(test) == len(clips)
    assert set(train.index).isdisjoint(test.index)
    assert (test["fold"] == 3).all() and (train["fold"] != 3).all()
    with pytest.raises(ValueError, match="unknown fold"):
        audio_dataset.split(max(audio_dataset.folds) + 1)


def test_restrict_keeps_the_classes_and_renumbers_the_clips(audio_dataset):
    train, _ = audio_dataset.split(1)
    smaller = audio_dataset.restrict(train.head(7))
    assert len(smaller.clips) == 7 and smaller.classes == audio_dataset.classes
    assert list(smaller.clips.index) == list(range(7))
    np.testing.assert_array_equal(smaller.read(0), audio_dataset.read(int(train.index[0])))


def test_clips_read_as_their_nominal_length(audio_dataset):
    for i in (0, len(audio_dataset.clips) - 1):
        x = audio_dataset.read(i)
        assert x.shape == (round(audio_dataset.clip_seconds * 44100),) and x.dtype == np.float32


def test_unknown_names_are_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown dataset 'esc100'.*esc50"):
        load_dataset("esc100", tmp_path)
    with pytest.raises(ValueError, match=r"unknown parameter\(s\) \['subset'\] for dataset 'esc50'"):
        load_dataset("esc50", tmp_path, subset="esc20")
    with pytest.raises(ValueError, match=r"unknown parameter\(s\) \['protocol'\]"):
        load_dataset("esc50", tmp_path, protocol="eval")


# ---- what only the real ESC-10 has ----

@pytest.fixture(scope="module")
def esc10(esc10_root):
    return load_dataset("esc10", esc10_root)


@pytest.mark.esc10
def test_esc10_counts(esc10):
    clips = esc10.clips
    assert esc10.name == "esc10" and len(clips) == 400
    assert esc10.folds == (1, 2, 3, 4, 5)
    assert clips["category"].value_counts().tolist() == [40] * 10
    assert clips["fold"].value_counts().sort_index().tolist() == [80] * 5
    assert clips.groupby(["fold", "category"]).size().eq(8).all()
    train, test = esc10.split(3)
    assert len(train) == 320 and len(test) == 80


@pytest.mark.esc10
def test_esc10_classes_are_the_ten_in_esc50_target_order(esc10):
    assert len(esc10.classes) == 10
    assert esc10.classes[0] == "dog" and esc10.classes[-1] == "chainsaw"


@pytest.mark.esc10
def test_esc10_clips_read_as_five_seconds(esc10):
    frames = np.array([sf.info(path).frames for path in esc10.clips["path"]])
    # Ogg Vorbis rounds to its block size (5.00 s decodes as 220,544 samples); 6 clips are
    # clearly not 5 s long (3.6 s to 7.3 s)
    odd = np.flatnonzero(np.abs(frames - CLIP_SAMPLES) > 0.05 * 44100)
    assert len(odd) == 6
    short, long = odd[np.argmin(frames[odd])], odd[np.argmax(frames[odd])]
    assert frames[short] < CLIP_SAMPLES < frames[long]
    for i in (0, short, long):
        x = esc10.read(int(i))
        assert x.shape == (CLIP_SAMPLES,) and x.dtype == np.float32
    raw_short = sf.read(esc10.clips["path"].iloc[short], dtype="float32")[0]
    x_short = esc10.read(int(short))
    np.testing.assert_array_equal(x_short[: len(raw_short)], raw_short)
    assert not x_short[len(raw_short):].any()  # zero padded
    raw_long = sf.read(esc10.clips["path"].iloc[long], dtype="float32")[0]
    np.testing.assert_array_equal(esc10.read(int(long)), raw_long[:CLIP_SAMPLES])


# ---- a tiny ESC-50 folder in the official WAV layout, and bad inputs ----

def write_clip(path: Path, seconds=0.5, sample_rate=44100, seed=0):
    rng = np.random.default_rng(seed)
    sf.write(path, 0.1 * rng.standard_normal(int(seconds * sample_rate)), sample_rate)


@pytest.fixture()
def tiny_esc50(tmp_path) -> Path:
    """Official WAV layout: 3 classes × 2 folds, with 2 non-ESC-10 rows"""
    (tmp_path / "audio").mkdir()
    (tmp_path / "meta").mkdir()
    rows = []
    for i, (target, category, esc10) in enumerate([(0, "dog", True), (12, "crackling_fire", True),
                                                   (5, "cat", False)]):
        for fold in (1, 2):
            filename = f"{fold}-{1000 + i}-A-{target}.wav"
            write_clip(tmp_path / "audio" / filename, seconds=0.5 + 0.1 * fold, seed=i * 10 + fold)
            rows.append(dict(filename=filename, fold=fold, target=target, category=category,
                             esc10=esc10, src_file=1000 + i, take="A"))
    pd.DataFrame(rows).to_csv(tmp_path / "meta" / "esc50.csv", index=False)
    return tmp_path


def test_official_wav_layout(tiny_esc50):
    esc50 = load_esc50(tiny_esc50)
    assert esc50.classes == ("dog", "cat", "crackling_fire")  # ESC-50 target order 0, 5, 12
    assert esc50.read(0).shape == (CLIP_SAMPLES,)
    esc10 = load_esc50(tiny_esc50, subset="esc10")
    assert esc10.classes == ("dog", "crackling_fire") and len(esc10.clips) == 4
    assert sorted(esc10.clips["label"].unique()) == [0, 1]


def test_extracted_archive_folder_is_found(tiny_esc50, tmp_path_factory):
    parent = tmp_path_factory.mktemp("root")
    shutil.copytree(tiny_esc50, parent / "ESC-50-master")
    assert len(load_esc50(parent).clips) == 6


def test_esc50_and_esc10_are_two_datasets_found_where_the_download_puts_them(
        tiny_esc50, tmp_path_factory, monkeypatch):
    """`data download esc50` extracts DATA/ESC-50-master: both names find it there, esc50
    means all its classes and esc10 the ten, and they are two experiments"""
    from ascnb.experiment import Experiment

    data = tmp_path_factory.mktemp("data")
    shutil.copytree(tiny_esc50, data / "ESC-50-master")
    monkeypatch.setenv("ASCNB_DATA", str(data))
    monkeypatch.setenv("ASCNB_SHARED", str(data / "no-shared"))
    esc50, esc10 = load_dataset("esc50"), load_dataset("esc10")
    assert len(esc50.classes) == 3 and esc50.name == "esc50"
    assert len(esc10.classes) == 2 and esc10.name == "esc10"
    assert Experiment(dataset="esc50").config_hash() != Experiment(dataset="esc10").config_hash()


def test_a_missing_dataset_names_where_it_was_looked_for(tmp_path, monkeypatch):
    monkeypatch.setenv("ASCNB_DATA", str(tmp_path))
    monkeypatch.setenv("ASCNB_SHARED", str(tmp_path / "shared"))
    with pytest.raises(DatasetError) as error:
        load_dataset("esc10")
    message = str(error.value)
    assert str(tmp_path / "ESC-10") in message and str(tmp_path / "ESC-50-master") in message
    assert "data download esc50" in message


def test_listed_but_missing_file(tiny_esc50):
    (tiny_esc50 / "audio" / "2-1001-A-12.wav").unlink()
    with pytest.raises(DatasetError, match=r"missing:\n.*2-1001-A-12\.wav"):
        load_esc50(tiny_esc50)


@pytest.mark.parametrize("column", ["fold", "category", "src_file"])
def test_metadata_missing_a_column(tiny_esc50, column):
    csv = tiny_esc50 / "meta" / "esc50.csv"
    pd.read_csv(csv).drop(columns=column).to_csv(csv, index=False)
    with pytest.raises(DatasetError, match=rf"esc50\.csv: missing column\(s\) \['{column}'\]"):
        load_esc50(tiny_esc50)


@pytest.mark.parametrize("fold", [0, 6, "x"])
def test_bad_fold(tiny_esc50, fold):
    csv = tiny_esc50 / "meta" / "esc50.csv"
    meta = pd.read_csv(csv)
    meta["fold"] = meta["fold"].astype(object)
    meta.loc[2, "fold"] = fold
    meta.to_csv(csv, index=False)
    with pytest.raises(DatasetError, match=r"esc50\.csv.*fold.*1-1001-A-12\.wav"):
        load_esc50(tiny_esc50)


def test_no_metadata(tmp_path):
    with pytest.raises(DatasetError, match="no meta/esc50.csv"):
        load_esc50(tmp_path)


def corrupt(path: Path):
    path.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunkjunk" + bytes(range(256)) * 4)


def empty(path: Path):
    path.write_bytes(b"")


def truncate(path: Path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def not_audio(path: Path):
    path.write_text("this is not audio\n" * 100)


@pytest.mark.parametrize("damage, message", [
    (corrupt, "cannot decode audio"),
    (empty, "empty"),
    (truncate, "truncated"),
    (not_audio, "cannot decode audio"),
])
def test_bad_audio_file_names_the_file(tiny_esc50, damage, message):
    dataset = load_esc50(tiny_esc50)
    position = 3
    path = Path(dataset.clips["path"].iloc[position])
    damage(path)
    with pytest.raises(AudioError, match=rf"{path.name}: .*{message}"):
        dataset.read(position)
    dataset.read(0)  # other clips still read


def test_truncated_ogg(tmp_path):
    path = tmp_path / "clip.ogg"
    sf.write(path, 0.1 * np.random.default_rng(0).standard_normal(44100), 44100, format="OGG",
             subtype="VORBIS")
    assert read_audio(path).shape == (44100,)
    truncate(path)
    with pytest.raises(AudioError, match=r"clip\.ogg: audio file is truncated"):
        read_audio(path)


def test_wrong_sample_rate_is_refused_or_resampled(tiny_esc50):
    dataset = load_esc50(tiny_esc50)
    path = Path(dataset.clips["path"].iloc[1])
    write_clip(path, seconds=1.0, sample_rate=22050)
    with pytest.raises(AudioError, match=rf"{path.name}: sample rate is 22050 Hz, expected 44100 Hz"):
        dataset.read(1)
    resampled = load_esc50(tiny_esc50, resample=True).read(1)
    assert resampled.shape == (CLIP_SAMPLES,)
    assert 0.9 * 44100 < np.flatnonzero(resampled).max() < 1.1 * 44100  # 1 s of signal at 44.1 kHz


def test_audio_info_names_a_corrupt_header(tiny_esc50):
    dataset = load_esc50(tiny_esc50)
    info = dataset.audio_info()
    assert (info["sample_rate"] == 44100).all() and len(info) == 6
    corrupt(Path(dataset.clips["path"].iloc[2]))
    with pytest.raises(AudioError, match=dataset.clips["filename"].iloc[2]):
        dataset.audio_info()
