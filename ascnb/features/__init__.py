"""Features: the papers' spectrograms, segments, normalisation and the disk cache

Book: notebooks/02-features.ipynb. Data flows ``compute_features`` (per clip, cached) ->
``segment`` (fixed-length pieces + which clip each came from) -> ``Normaliser`` (training
fold statistics) -> models.

    config = feature_config("logmel", n_mels=128)      # PB-CNN; "gammatone" (ACRNN), "piczak"
    features = compute_features(dataset, config)        # list of (C, F, T), one per clip
    X, clip_index = segment(features, "overlap")        # (n, C, F, 150), (n,)
"""

from ascnb.features.cache import (BadCacheEntryWarning, FeatureCache, compute_features,
                                  default_cache_dir, library_versions)
from ascnb.features.config import (FEATURE_CONFIGS, FeatureConfig, GammatoneConfig, LogMelConfig,
                                   PiczakConfig, feature_config)
from ascnb.features.extract import (NonFiniteFeaturesError, band_frequencies, extract,
                                    gammatone_filterbank, mel_filterbank)
from ascnb.features.normalise import Normaliser
from ascnb.features.segment import SEGMENT_PRESETS, SegmentConfig, segment, segment_config

__all__ = [
    "BadCacheEntryWarning", "FeatureCache", "compute_features", "default_cache_dir",
    "library_versions", "NonFiniteFeaturesError",
    "FEATURE_CONFIGS", "FeatureConfig", "GammatoneConfig", "LogMelConfig", "PiczakConfig",
    "feature_config", "band_frequencies", "extract", "gammatone_filterbank", "mel_filterbank",
    "Normaliser", "SEGMENT_PRESETS", "SegmentConfig", "segment", "segment_config",
]
