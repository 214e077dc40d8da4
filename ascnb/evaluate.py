"""Clip decisions, the papers' accuracies, statistics over seeds and paired comparisons

Book: book/intro.md ("How to read the tables"; "How the experiments are trained"). A network scores fixed-length segments; a clip's class comes from the
scores of all its segments, and each paper does this, and counts accuracy, its own way:

- clip decision "sum_log" (PB-CNN eq. 20-21): argmax over classes of sum_i log P(y(i) = j)
- clip decision "mean_prob" (ACRNN section 4.1): argmax of the mean segment probability
- accuracy "class_mean" (PB-CNN section 3.1.1): the mean of the per-class accuracies of a fold
- accuracy "overall" (ACRNN): correct clips over all clips of a fold

Accuracies are fractions in [0, 1] (multiply by 100 for the papers' percent).
Across folds and seeds: mean, standard deviation (ddof=1) and a 95% confidence interval from
the t-distribution; two configurations are compared on matched (fold, seed) pairs: the mean
difference with its t-interval, and the paired t-test. This is the book's one home for
statistics (``ascnb.report`` formats what is computed here).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

DECISIONS = ("sum_log", "mean_prob")
ACCURACIES = ("class_mean", "overall")
# how each paper decides a clip and counts accuracy, by training preset
PAPER_RULES: dict[str, dict] = {
    "pbcnn": {"decision": "sum_log", "accuracy": "class_mean"},    # PB-CNN eq. 20-21, 3.1.1
    "acrnn": {"decision": "mean_prob", "accuracy": "overall"},     # ACRNN 4.1
    "piczak": {"decision": "mean_prob", "accuracy": "overall"},    # as ACRNN reports it
}
# smallest probability whose log is taken (a segment that gives a class exactly 0)
TINY = 1e-300


def summed_confusion(records) -> np.ndarray:
    """Sum of the records' confusion matrices (rows: true class, columns: predicted)"""
    return np.sum([np.asarray(c) for c in records["confusion"]], axis=0)


def check_choice(value: str, known: tuple, what: str) -> None:
    if value not in known:
        raise ValueError(f"unknown {what} {value!r}; known: {known}")


def clip_scores(probs: np.ndarray, clip_index: np.ndarray, rule: str = "sum_log",
                n_clips: int | None = None) -> np.ndarray:
    """Per-clip class scores from segment probabilities

    probs (n_segments, K) rows summing to 1; clip_index (n_segments,) ints in 0..n_clips-1.
    rule "sum_log": sum over the clip's segments of log P (PB-CNN eq. 21);
    "mean_prob": mean of P over the clip's segments (ACRNN). Returns (n_clips, K)
    """
    check_choice(rule, DECISIONS, "clip decision")
    probs = np.asarray(probs, dtype=np.float64)
    clip_index = np.asarray(clip_index, dtype=np.int64)
    if probs.ndim != 2 or clip_index.shape != (probs.shape[0],):
        raise ValueError(f"clip_scores expects probs (n, K) and clip_index (n,), got "
                         f"{probs.shape} and {clip_index.shape}")
    n_clips = int(clip_index.max()) + 1 if n_clips is None else n_clips
    counts = np.bincount(clip_index, minlength=n_clips)  # segments per clip
    if (counts == 0).any():
        raise ValueError(f"clip_scores: clip(s) {np.flatnonzero(counts == 0)[:5].tolist()} "
                         "have no segment")
    values = np.log(np.maximum(probs, TINY)) if rule == "sum_log" else probs
    scores = np.zeros((n_clips, probs.shape[1]))
    np.add.at(scores, clip_index, values)  # sum over each clip's segments
    if rule == "mean_prob":
        scores /= counts[:, np.newaxis]
    return scores


def clip_decisions(probs: np.ndarray, clip_index: np.ndarray, rule: str = "sum_log",
                   n_clips: int | None = None) -> np.ndarray:
    """Predicted class of every clip (n_clips,): argmax of ``clip_scores``"""
    return clip_scores(probs, clip_index, rule, n_clips).argmax(axis=1)


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """(K, K) counts: row = true class, column = predicted class (scikit-learn's, every class kept)"""
    from sklearn.metrics import confusion_matrix as sklearn_confusion

    y_true, y_pred = np.asarray(y_true, dtype=np.int64), np.asarray(y_pred, dtype=np.int64)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true {y_true.shape} and y_pred {y_pred.shape} differ in shape")
    return sklearn_confusion(y_true, y_pred, labels=np.arange(n_classes)).astype(np.int64)


def per_class_accuracy(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """(K,) fraction of each class's clips predicted correctly; NaN for a class with no clip"""
    matrix = confusion_matrix(y_true, y_pred, n_classes)
    support = matrix.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(support > 0, np.diag(matrix) / support, np.nan)


def accuracy(y_true: np.ndarray, y_pred: np.ndarray, definition: str = "overall",
             n_classes: int | None = None) -> float:
    """Accuracy of one fold: "class_mean" (PB-CNN: mean of per-class accuracies over the
    classes present) or "overall" (ACRNN: correct / all)"""
    check_choice(definition, ACCURACIES, "accuracy definition")
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if len(y_true) == 0:
        raise ValueError("accuracy of an empty fold")
    if definition == "overall":
        return float(np.mean(y_true == y_pred))
    n_classes = int(max(y_true.max(), y_pred.max())) + 1 if n_classes is None else n_classes
    return float(np.nanmean(per_class_accuracy(y_true, y_pred, n_classes)))


def evaluate_clips(probs: np.ndarray, clip_index: np.ndarray, y_clips: np.ndarray,
                   n_classes: int, *, decision: str = "sum_log",
                   definition: str = "class_mean") -> dict:
    """Everything a result record holds about one fold's test clips

    Returns accuracy (by ``definition``), accuracy_class_mean, accuracy_overall,
    per_class_accuracy (list, NaN -> None), confusion (list of lists), predictions and labels
    (the decided and the true class of each clip, lists), decision, accuracy_definition
    """
    check_choice(definition, ACCURACIES, "accuracy definition")
    y_clips = np.asarray(y_clips, dtype=np.int64)
    y_pred = clip_decisions(probs, clip_index, decision, n_clips=len(y_clips))
    per_class = per_class_accuracy(y_clips, y_pred, n_classes)
    both = {name: accuracy(y_clips, y_pred, name, n_classes) for name in ACCURACIES}
    return {
        "accuracy": both[definition],
        "accuracy_class_mean": both["class_mean"],
        "accuracy_overall": both["overall"],
        "per_class_accuracy": [None if np.isnan(a) else float(a) for a in per_class],
        "confusion": confusion_matrix(y_clips, y_pred, n_classes).tolist(),
        "predictions": y_pred.tolist(),
        "labels": y_clips.tolist(),
        "decision": decision,
        "accuracy_definition": definition,
    }


def mean_ci(values, confidence: float = 0.95) -> dict:
    """mean, std (ddof=1), n, the half-width ``half`` and bounds of the t-distribution
    confidence interval of the mean; NaN values are dropped. n = 0: mean NaN; n = 1: no interval"""
    values = np.asarray(pd.Series(values, dtype="float64").dropna(), dtype=np.float64)
    n = len(values)
    mean = float(values.mean()) if n else float("nan")
    if n < 2:
        return {"mean": mean, "std": float("nan"), "n": n, "half": float("nan"),
                "ci_low": float("nan"), "ci_high": float("nan")}
    std = float(values.std(ddof=1))
    half = float(stats.t.ppf(0.5 + confidence / 2, df=n - 1)) * std / np.sqrt(n)
    return {"mean": mean, "std": std, "n": n, "half": half, "ci_low": mean - half,
            "ci_high": mean + half}


def fold_means(records: pd.DataFrame, value: str = "accuracy",
               by: list[str] | None = None) -> pd.DataFrame:
    """Average over folds per seed (and per ``by`` columns, e.g. ["config_hash"])"""
    by = list(by or [])
    return (records.groupby(by + ["seed"], dropna=False)[value]
            .agg(["mean", "count"]).rename(columns={"mean": value, "count": "folds"})
            .reset_index())


def summarise_seeds(records: pd.DataFrame, value: str = "accuracy",
                    by: list[str] | None = None, confidence: float = 0.95) -> pd.DataFrame:
    """Mean over folds for each seed, then mean, std and CI over seeds (one row per ``by`` group)"""
    by = list(by or [])
    per_seed = fold_means(records, value, by)
    groups = per_seed.groupby(by, dropna=False) if by else [((), per_seed)]
    rows = []
    for key, group in groups:
        key = key if isinstance(key, tuple) else (key,)
        rows.append({**dict(zip(by, key)), **mean_ci(group[value], confidence),
                     "folds": int(group["folds"].max())})
    return pd.DataFrame(rows)


def paired_comparison(a: pd.DataFrame, b: pd.DataFrame, value: str = "accuracy", *,
                      confidence: float = 0.95) -> dict:
    """Is configuration ``b`` better than ``a``? Records matched on (fold, seed)

    a, b: records (columns fold, seed, ``value``). Differences d = b - a over the matched
    pairs: their mean, the t-distribution CI of the mean (``mean_ci``) and the paired t-test
    (scipy.stats.ttest_rel). Fewer than 2 pairs: t, p and the CI are NaN. Every pair
    differing by the same non-zero amount (no spread, common with accuracies of few clips):
    no interval, and p from the exact sign test instead ("test": "sign"). Returns n_pairs,
    mean_a, mean_b, mean_diff, half, ci_low, ci_high, t, p_value, test
    """
    keys = ["fold", "seed"]
    for name, table in (("a", a), ("b", b)):
        missing = [c for c in keys + [value] if c not in table.columns]
        if missing:
            raise ValueError(f"paired_comparison: records {name} lack column(s) {missing}")
        if table.duplicated(keys).any():
            raise ValueError(f"paired_comparison: records {name} hold several rows for one "
                             "(fold, seed); filter them to one configuration first")
    pairs = a[keys + [value]].merge(b[keys + [value]], on=keys, suffixes=("_a", "_b"))
    x, y = pairs[f"{value}_a"].to_numpy(float), pairs[f"{value}_b"].to_numpy(float)
    d = y - x
    ci = mean_ci(d, confidence)
    t = p = float("nan")
    test = "none"
    if len(d) >= 2 and not np.allclose(d, d[0]):
        t, p = (float(v) for v in stats.ttest_rel(y, x))
        test = "paired t"
    elif len(d) >= 2 and d[0] != 0:
        # every pair differs by the same amount: the t-interval collapses to a point, which
        # would claim certainty from two runs; the exact sign test says how unlikely n
        # differences of one sign are when neither configuration is better
        p = float(stats.binomtest(len(d), len(d), 0.5).pvalue)
        ci.update(half=float("nan"), ci_low=float("nan"), ci_high=float("nan"))
        test = "sign"
    return {"n_pairs": len(pairs), "mean_a": float(x.mean()) if len(x) else float("nan"),
            "mean_b": float(y.mean()) if len(y) else float("nan"), "mean_diff": ci["mean"],
            "half": ci["half"], "ci_low": ci["ci_low"], "ci_high": ci["ci_high"], "t": t,
            "p_value": p, "test": test}


def clip_labels(record: dict) -> np.ndarray | None:
    """The true class of each test clip of a record, in the order of its ``predictions``

    Records keep them as ``labels``. Records written before that, whose clips are named in the
    ESC-50 layout (ESC-50, ESC-10 and the synthetic scenes), get them back from the file names
    (``{fold}-{source}-{take}-{target}.ogg``: labels are contiguous in the order of the
    target, as ``ascnb.data.esc50`` numbers them),
    accepted only when they reproduce the record's confusion matrix cell for cell. None when
    neither way gives them.
    """
    labels = record.get("labels")
    # a table of records mixes both kinds: those without labels hold NaN there
    if isinstance(labels, (list, tuple, np.ndarray)) and len(labels):
        return np.asarray(labels, dtype=np.int64)
    files, predictions = record.get("test_files"), record.get("predictions")
    confusion = np.asarray(record.get("confusion") or [], dtype=np.int64)
    if not files or predictions is None or len(files) != len(predictions) or confusion.ndim != 2:
        return None
    try:
        targets = [int(str(name).rsplit(".", 1)[0].rsplit("-", 1)[1]) for name in files]
    except (IndexError, ValueError):
        return None
    order = sorted(set(targets))
    if len(order) != confusion.shape[0]:
        return None                  # a class without test clips: the numbering is unknown
    labels = np.asarray([order.index(t) for t in targets], dtype=np.int64)
    rebuilt = confusion_matrix(labels, np.asarray(predictions, dtype=np.int64), confusion.shape[0])
    return labels if np.array_equal(rebuilt, confusion) else None


def paired_clips(a: dict, b: dict) -> dict:
    """Is record ``b`` right on more test clips than record ``a``? The exact McNemar test

    Both records must hold the same test clips in the same order (one fold). Only the
    discordant clips count: ``only_a`` right in a and wrong in b, ``only_b`` the reverse; p is
    the two-sided exact binomial test of ``only_b`` among them at 1/2 (1.0 when there are
    none). Returns clips, only_a, only_b, net (only_b - only_a) and p_value; p_value is NaN
    when the true classes are unknown (``clip_labels``).
    """
    if list(a.get("test_files") or []) != list(b.get("test_files") or []):
        raise ValueError("paired_clips: the two records do not hold the same test clips "
                         "in the same order; compare records of one fold")
    labels_a, labels_b = clip_labels(a), clip_labels(b)
    if labels_a is None or labels_b is None:
        n = len(a.get("test_files") or [])
        return {"clips": n, "only_a": None, "only_b": None, "net": None, "p_value": float("nan")}
    if not np.array_equal(labels_a, labels_b):
        raise ValueError("paired_clips: the two records give the same clips different classes")
    right_a = np.asarray(a["predictions"]) == labels_a
    right_b = np.asarray(b["predictions"]) == labels_b
    only_a, only_b = int((right_a & ~right_b).sum()), int((~right_a & right_b).sum())
    return {"clips": len(labels_a), "only_a": only_a, "only_b": only_b,
            "net": only_b - only_a, "p_value": mcnemar_exact(only_a, only_b)}


def mcnemar_exact(only_a: int, only_b: int) -> float:
    """Two-sided exact McNemar p from the discordant counts (clips only a, only b gets right):
    the binomial test of ``only_b`` among them at 1/2; 1.0 when there are none"""
    discordant = only_a + only_b
    return float(stats.binomtest(only_b, discordant, 0.5).pvalue) if discordant else 1.0


def against_chance(records: pd.DataFrame, confidence: float = 0.95) -> dict:
    """Is the accuracy of these runs above chance (1 / classes)? Pooled over their test clips:
    correct, clips, accuracy, its Wilson interval and the one-sided exact binomial test
    (scipy.stats.binomtest) against chance. For checks that expect chance (a network trained
    without the signal it needs): "at chance" unless p < 0.05"""
    correct = total = 0
    n_classes = None
    for record in records.to_dict("records"):
        confusion = np.asarray(record["confusion"])
        correct += int(np.trace(confusion))
        total += int(confusion.sum())
        n_classes = confusion.shape[0]
    if total == 0:
        return {"clips": 0, "verdict": "no runs"}
    chance = 1.0 / n_classes
    test = stats.binomtest(correct, total, chance, alternative="greater")
    interval = test.proportion_ci(confidence_level=confidence, method="wilson")
    return {"correct": correct, "clips": total, "accuracy": correct / total, "chance": chance,
            "ci_low": float(interval.low), "ci_high": float(interval.high),
            "p_value": float(test.pvalue),
            "verdict": "above chance" if test.pvalue < 0.05 else "at chance"}
