"""The feature cache (ascnb.features.cache): compute_features, cache entries, workers, bad input

On clips of the synthetic scenes, and of the real ESC-10 as the esc10 extra (``small``)
"""

from __future__ import annotations

import dataclasses
import os
import shutil

import numpy as np
import pytest
import soundfile as sf
from threadpoolctl import threadpool_limits

import ascnb.features.cache as cache_module
from ascnb.data import AudioError
from ascnb.features import (BadCacheEntryWarning, FeatureCache, NonFiniteFeaturesError, compute_features,
                            extract, feature_config)


def test_compute_features_match_extract_and_are_aligned(small, logmel_features):
    config = feature_config("logmel")
    for i in (0, len(small) // 2, len(small) - 1):
        np.testing.assert_array_equal(logmel_features[i], extract(config, small.read(i)))


def test_second_call_loads_from_the_cache(small, tmp_path, monkeypatch):
    subset = small.restrict(small.clips.iloc[:4])
    config = feature_config("gammatone")
    calls = []
    real_extract = cache_module.extract
    monkeypatch.setattr(cache_module, "extract", lambda c, x: calls.append(1) or real_extract(c, x))
    first = compute_features(subset, config, cache_dir=tmp_path, n_jobs=1, progress=False)
    assert len(calls) == 4 and len(list(tmp_path.rglob("*.npy"))) == 4
    assert [f.shape for f in first] == [(2, 128, 431)] * 4

    def fail(*args):
        raise AssertionError("extraction ran although the features are cached")

    monkeypatch.setattr(cache_module, "extract", fail)
    second = compute_features(subset, config, cache_dir=tmp_path, n_jobs=1, progress=False)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    # another config is another entry
    monkeypatch.setattr(cache_module, "extract", lambda c, x: calls.append(1) or real_extract(c, x))
    compute_features(subset, feature_config("gammatone", n_bands=64), cache_dir=tmp_path, n_jobs=1,
                     progress=False)
    assert len(calls) == 8 and len(list(tmp_path.rglob("*.npy"))) == 8


def test_a_changed_audio_file_is_extracted_again(small, tmp_path):
    audio = tmp_path / "audio"
    audio.mkdir()
    clips = small.clips.iloc[:2].copy()
    clips["path"] = [str(shutil.copy(p, audio)) for p in clips["path"]]
    dataset = dataclasses.replace(small, clips=clips.reset_index(drop=True))
    cache_dir = tmp_path / "cache"
    compute_features(dataset, "logmel", cache_dir=cache_dir, n_jobs=1, progress=False)
    stat = os.stat(clips["path"].iloc[0])
    os.utime(clips["path"].iloc[0], ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    compute_features(dataset, "logmel", cache_dir=cache_dir, n_jobs=1, progress=False)
    assert len(list(cache_dir.rglob("*.npy"))) == 3


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_corrupt_audio_raises_naming_the_file_and_leaves_no_entry(small, tmp_path, n_jobs):
    audio = tmp_path / "audio"
    audio.mkdir()
    clips = small.clips.iloc[:3].copy()
    clips["path"] = [str(shutil.copy(p, audio)) for p in clips["path"]]
    bad = clips["path"].iloc[1]
    with open(bad, "wb") as file:
        file.write(np.random.default_rng(0).bytes(5000))  # not audio
    dataset = dataclasses.replace(small, clips=clips.reset_index(drop=True))
    cache_dir = tmp_path / "cache"
    config = feature_config("logmel")
    with pytest.raises(AudioError, match=os.path.basename(bad)):
        compute_features(dataset, config, cache_dir=cache_dir, n_jobs=n_jobs, progress=False)
    bad_entry = FeatureCache(cache_dir).path(cache_module.clip_key(bad, config, clip_seconds=5.0))
    assert not bad_entry.exists()
    assert not [p for p in cache_dir.rglob("*") if p.is_file() and p.suffix != ".npy"]  # no temp files
    for entry in cache_dir.rglob("*.npy"):  # whatever was written is whole
        assert np.load(entry).shape == (1, 128, 251)


def test_missing_audio_file_names_it(small, tmp_path):
    clips = small.clips.iloc[:1].copy()
    clips["path"] = [str(tmp_path / "gone.ogg")]
    dataset = dataclasses.replace(small, clips=clips.reset_index(drop=True))
    with pytest.raises(AudioError, match="gone.ogg"):
        compute_features(dataset, "logmel", cache_dir=tmp_path / "cache", n_jobs=1, progress=False)
    assert not (tmp_path / "cache").exists() or not list((tmp_path / "cache").rglob("*.npy"))


def test_feature_cache_get_or_compute(tmp_path):
    cache = FeatureCache(tmp_path)
    calls = []
    key = {"clip": "a.wav", "augment": {"pitch": 2}}
    make = lambda: calls.append(1) or np.arange(6, dtype=np.float32).reshape(2, 3)  # noqa: E731
    a = cache.get_or_compute(key, make)
    b = cache.get_or_compute(dict(reversed(list(key.items()))), make)  # same key, other order
    np.testing.assert_array_equal(a, b)
    assert len(calls) == 1
    cache.get_or_compute({"clip": "a.wav", "augment": {"pitch": 3}}, make)
    assert len(calls) == 2
    # a failing computation stores nothing
    with pytest.raises(ZeroDivisionError):
        cache.get_or_compute({"clip": "b.wav"}, lambda: 1 / 0)
    assert not cache.path({"clip": "b.wav"}).exists()
    # an unreadable entry is recomputed
    cache.path(key).write_bytes(b"garbage")
    with pytest.warns(BadCacheEntryWarning):
        np.testing.assert_array_equal(cache.get_or_compute(key, make), a)
    assert len(calls) == 3


def test_default_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("ASCNB_CACHE", str(tmp_path))
    assert FeatureCache().cache_dir == tmp_path
    monkeypatch.delenv("ASCNB_CACHE")
    assert FeatureCache().cache_dir.parts[-2:] == ("cache", "features")


def test_sample_rate_mismatch_is_refused(small, tmp_path):
    with pytest.raises(ValueError, match="expects input at 22050 Hz"):
        compute_features(small, feature_config("logmel", sample_rate=22050), cache_dir=tmp_path)


def test_a_garbage_entry_is_named_set_aside_and_recomputed(tmp_path):
    cache = FeatureCache(tmp_path)
    key = {"clip": "a.wav"}
    make = lambda: np.ones((2, 3), dtype=np.float32)  # noqa: E731
    cache.get_or_compute(key, make)
    cache.path(key).write_bytes(b"garbage")
    with pytest.warns(BadCacheEntryWarning, match=cache.path(key).name + r".*unreadable"):
        np.testing.assert_array_equal(cache.get_or_compute(key, make), make())
    assert cache.path(key).with_name(cache.path(key).name + ".bad").read_bytes() == b"garbage"


# ---- the same features whatever the jobs and the cache (issue 12, item 5) ----

def copy_clips(dataset, clips, folder):
    """``dataset`` restricted to ``clips``, their audio copied to ``folder`` (then changeable)"""
    folder.mkdir()
    clips = clips.copy()
    clips["path"] = [str(shutil.copy(p, folder)) for p in clips["path"]]
    return dataclasses.replace(dataset, clips=clips.reset_index(drop=True))


@pytest.mark.parametrize("kind", ["logmel", "gammatone"])
def test_features_are_the_same_bits_whatever_the_jobs_and_the_cache(small, tmp_path, monkeypatch, kind):
    subset = small.restrict(small.clips.iloc[:6])
    config = feature_config(kind)

    def run(name, n_jobs):
        return compute_features(subset, config, cache_dir=tmp_path / name, n_jobs=n_jobs, progress=False)

    # a main process with several BLAS threads (the default on a multi-core machine): before
    # the fix it summed the filterbank product in another order than the 1-thread workers
    with threadpool_limits(limits=2, user_api="blas"):
        one = run("one", 1)
    forked = run("forked", 2)
    with monkeypatch.context() as patch:  # joblib's workers, as in a Dask worker
        patch.setattr(cache_module, "can_fork", lambda: False)
        loky = run("loky", 2)
    # a partly cached run: two entries deleted, recomputed by workers, the rest loaded
    for entry in sorted((tmp_path / "one").rglob("*.npy"))[:2]:
        entry.unlink()
    partly = run("one", 2)
    for name, other in (("forked", forked), ("loky", loky), ("partly cached", partly)):
        for i, (a, b) in enumerate(zip(one, other)):
            assert np.array_equal(a, b), f"clip {i}: n_jobs=1 and {name} differ by {np.abs(a - b).max()}"
    # extract itself, whatever the caller's thread count
    x = subset.read(0)
    with threadpool_limits(limits=1, user_api="blas"):
        single = extract(config, x)
    with threadpool_limits(limits=2, user_api="blas"):
        assert np.array_equal(extract(config, x), single)


# ---- non-finite features are refused (issue 12, item 4) ----

@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_clip_with_non_finite_features_is_refused_naming_it(small, tmp_path, n_jobs):
    dataset = copy_clips(small, small.clips.iloc[:3], tmp_path / "audio")
    # a float WAV of finite samples near 1e30: its power spectrum overflows float32
    loud = tmp_path / "audio" / "loud.wav"
    sf.write(loud, np.full(44100 * 5, 1e30, dtype=np.float32) * np.sign(np.sin(np.arange(44100 * 5))),
             44100, subtype="FLOAT")
    clips = dataset.clips.copy()
    clips.loc[1, "path"] = str(loud)
    dataset = dataclasses.replace(dataset, clips=clips)
    cache_dir = tmp_path / "cache"
    for kind in ("logmel", "gammatone"):
        with pytest.raises(NonFiniteFeaturesError, match=r"loud\.wav: features hold \d+ NaN or infinite"):
            compute_features(dataset, kind, cache_dir=cache_dir, n_jobs=n_jobs, progress=False)
        entry = FeatureCache(cache_dir).path(cache_module.clip_key(loud, feature_config(kind), clip_seconds=5.0))
        assert not entry.exists()
    for entry in cache_dir.rglob("*.npy"):  # what was stored is finite
        assert np.isfinite(np.load(entry)).all()


def test_extract_refuses_non_finite_input_and_features():
    config = feature_config("logmel")
    with pytest.raises(NonFiniteFeaturesError, match="peaks at 1e\\+30"):
        extract(config, np.full(44100, 1e30, dtype=np.float32))
    assert np.isfinite(extract(config, np.full(44100, 1e3, dtype=np.float32))).all()


def flip_to_nan(entry, index=100):
    """Overwrite float32 number ``index`` of a .npy file with a NaN bit pattern (it still loads)"""
    header = len(entry.read_bytes()) - np.load(entry).nbytes
    with open(entry, "r+b") as file:
        file.seek(header + 4 * index)
        file.write(np.array([np.nan], dtype=np.float32).tobytes())


def test_a_cache_entry_holding_nan_is_named_set_aside_and_recomputed(small, tmp_path):
    subset = small.restrict(small.clips.iloc[:3])
    cache_dir = tmp_path / "cache"
    first = compute_features(subset, "gammatone", cache_dir=cache_dir, n_jobs=1, progress=False)
    entry = FeatureCache(cache_dir).path(cache_module.clip_key(subset.clips["path"][1],
                                                               feature_config("gammatone"), clip_seconds=5.0))
    flip_to_nan(entry)
    assert np.isnan(np.load(entry)).sum() == 1  # the bit flip still loads
    with pytest.warns(BadCacheEntryWarning, match=entry.name + r".*1 NaN or infinite values"):
        again = compute_features(subset, "gammatone", cache_dir=cache_dir, n_jobs=1, progress=False)
    for a, b in zip(first, again):
        assert np.array_equal(a, b)
    assert entry.with_name(entry.name + ".bad").is_file()  # set aside, not deleted
    assert np.isfinite(np.load(entry)).all()  # recomputed in place


@pytest.mark.skipif(not cache_module.can_fork(), reason="forked workers: Linux only")
def test_feature_workers_end_when_their_parent_is_killed(tmp_path):
    """A run killed with SIGKILL during extraction must not leave its workers running on"""
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "parent.py"
    script.write_text(
        "import time\n"
        "from ascnb.features.cache import worker_pool\n"
        "pool = worker_pool(2)\n"
        "futures = [pool.submit(time.sleep, 120) for _ in range(2)]  # both workers busy\n"
        "print(' '.join(map(str, pool._processes)), flush=True)\n"
        "time.sleep(120)\n")
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    workers = [int(pid) for pid in parent.stdout.readline().split()]
    assert len(workers) == 2 and all(alive(pid) for pid in workers)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    survivors = [pid for pid in workers if alive(pid)]
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)
    assert not survivors, f"workers {survivors} outlived their killed parent"


def alive(pid: int) -> bool:
    """Running (a zombie, dead but not yet reaped, counts as ended)"""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
