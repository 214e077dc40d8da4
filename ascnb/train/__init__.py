"""Training: one loop for every experiment, its checkpoints, the papers' recipes, augmentation

Book: book/intro.md ("How the experiments are trained") and book/reproduce.md.

    trainer = Trainer("acrnn", num_epochs=5, checkpoint_dir="runs/x")   # preset + overrides
    history = trainer.fit(model, X_train, y_train, seed=0)             # X: (n, C, F, T)
    probs = trainer.predict_proba(model, X_test)                        # (n, K)
"""

from ascnb.train.augment import augment_waveform, augmentation_params, augmented_features
from ascnb.train.presets import PRESETS, TRAIN_KEYS, TrainConfig, check_overrides, train_config
from ascnb.train.trainer import (NonFiniteLossError, Trainer, mixup_batch, resolve_device,
                                 seed_everything)

__all__ = [
    "augment_waveform", "augmentation_params", "augmented_features", "PRESETS",
    "TRAIN_KEYS", "TrainConfig", "check_overrides", "train_config", "Trainer", "mixup_batch", "resolve_device",
    "seed_everything", "NonFiniteLossError",
]
