"""Normalisation from the training fold only (ascnb.features.normalise)"""

from __future__ import annotations

import numpy as np
import pytest

from ascnb.features import Normaliser, extract, feature_config, segment


def test_normaliser_uses_the_training_fold_only(logmel_features, small):
    X, clip_index = segment(logmel_features, "overlap")
    fold = small.clips["fold"].to_numpy()[clip_index]
    X_train, X_test = X[fold != 1], X[fold == 1]
    normaliser = Normaliser().fit(X_train)
    assert normaliser.mean.shape == (1, 128)
    # the statistics are those of the training segments
    np.testing.assert_allclose(normaliser.mean, X_train.mean(axis=(0, 3)), rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(normaliser.std, X_train.std(axis=(0, 3)), rtol=1e-4, atol=1e-3)
    Z_train = normaliser.transform(X_train)
    np.testing.assert_allclose(Z_train.mean(axis=(0, 3)), 0, atol=1e-3)
    np.testing.assert_allclose(Z_train.std(axis=(0, 3)), 1, atol=1e-3)
    # the test fold did not enter: fitting with it gives other statistics, and changing it
    # changes nothing
    with_test = Normaliser().fit(X)
    assert np.abs(with_test.mean - normaliser.mean).max() > 0.1
    refit = Normaliser().fit(X_train)
    np.testing.assert_array_equal(refit.mean, normaliser.mean)
    Z_test = normaliser.transform(X_test)
    assert np.abs(Z_test.mean(axis=(0, 3))).max() > 0.05  # not standardised on itself
    np.testing.assert_allclose(Z_test, (X_test - normaliser.mean[:, :, None]) / normaliser.std[:, :, None],
                               rtol=1e-5, atol=1e-5)


def test_normaliser_state_dict_and_per_channel():
    X, _ = segment([extract(feature_config("gammatone"), np.random.default_rng(0).standard_normal(44100)
                            .astype(np.float32))] * 2, "acrnn")
    normaliser = Normaliser(per="channel").fit(X)
    assert normaliser.mean.shape == (2, 1)
    Z = normaliser.transform(X)
    np.testing.assert_allclose(Z.mean(axis=(0, 2, 3)), 0, atol=1e-3)
    restored = Normaliser.from_state_dict(normaliser.state_dict())
    np.testing.assert_array_equal(restored.transform(X), Z)
    with pytest.raises(RuntimeError, match="before fit"):
        Normaliser().transform(X)
    with pytest.raises(ValueError, match="per must be one of"):
        Normaliser(per="clip")
