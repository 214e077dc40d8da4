"""ascnb.evaluate: the two clip decisions, the two accuracies, statistics and paired comparison"""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ascnb.evaluate import (accuracy, clip_decisions, clip_scores, confusion_matrix,
                            evaluate_clips, mean_ci, paired_comparison, per_class_accuracy,
                            summarise_seeds)


def test_decision_rules_differ_on_a_clip_with_one_confident_dissenting_segment():
    # two segments favour class 0 mildly, one is almost sure of class 1
    probs = np.array([[0.9, 0.1], [0.9, 0.1], [0.001, 0.999]])
    clip_index = np.array([0, 0, 0])
    # mean: class 0 gets 0.6003 > 0.3997; sum of logs: 2 log .9 + log .001 < 2 log .1 + log .999
    assert clip_decisions(probs, clip_index, "mean_prob").tolist() == [0]
    assert clip_decisions(probs, clip_index, "sum_log").tolist() == [1]
    scores = clip_scores(probs, clip_index, "sum_log")
    assert scores[0] == pytest.approx([2 * np.log(0.9) + np.log(0.001), 2 * np.log(0.1) + np.log(0.999)])


def test_clip_decisions_group_segments_by_clip_index():
    probs = np.array([[0.2, 0.8], [0.7, 0.3], [0.6, 0.4], [0.1, 0.9]])
    clip_index = np.array([1, 0, 0, 1])
    for rule in ("sum_log", "mean_prob"):
        assert clip_decisions(probs, clip_index, rule).tolist() == [0, 1]
    mean = clip_scores(probs, clip_index, "mean_prob")
    assert mean[0] == pytest.approx([0.65, 0.35])


def test_a_zero_probability_does_not_give_nan():
    probs = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    assert clip_decisions(probs, np.zeros(3, int), "sum_log").tolist() == [1]


def test_clip_without_segments_and_unknown_rule_are_errors():
    probs = np.full((2, 2), 0.5)
    with pytest.raises(ValueError, match="no segment"):
        clip_scores(probs, np.array([0, 2]))
    with pytest.raises(ValueError, match="unknown clip decision 'vote'"):
        clip_scores(probs, np.array([0, 1]), "vote")


def test_accuracy_definitions_differ_on_an_unbalanced_fold():
    y_true = np.array([0, 0, 0, 1])
    y_pred = np.array([0, 0, 0, 0])
    assert accuracy(y_true, y_pred, "overall") == pytest.approx(0.75)
    assert accuracy(y_true, y_pred, "class_mean", n_classes=2) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="unknown accuracy definition"):
        accuracy(y_true, y_pred, "macro")


def test_class_mean_ignores_classes_absent_from_the_fold():
    y_true = np.array([0, 0, 2])
    y_pred = np.array([0, 1, 2])
    per_class = per_class_accuracy(y_true, y_pred, 3)
    assert per_class[0] == pytest.approx(0.5) and np.isnan(per_class[1]) and per_class[2] == 1.0
    assert accuracy(y_true, y_pred, "class_mean", 3) == pytest.approx(0.75)


def test_confusion_matrix_rows_are_true_classes():
    matrix = confusion_matrix([0, 1, 1, 2], [0, 2, 1, 2], 3)
    assert matrix.tolist() == [[1, 0, 0], [0, 1, 1], [0, 0, 1]]


def test_evaluate_clips_reports_both_accuracies_and_the_chosen_one():
    probs = np.array([[0.9, 0.1], [0.8, 0.2], [0.6, 0.4], [0.3, 0.7]])
    clip_index = np.array([0, 1, 2, 3])
    y = np.array([0, 0, 0, 1])
    result = evaluate_clips(probs, clip_index, y, 2, decision="mean_prob", definition="class_mean")
    assert result["accuracy"] == result["accuracy_class_mean"] == pytest.approx(1.0)
    y_wrong = np.array([0, 0, 1, 1])
    result = evaluate_clips(probs, clip_index, y_wrong, 2, decision="mean_prob", definition="overall")
    assert result["accuracy"] == pytest.approx(0.75)
    assert result["accuracy_class_mean"] == pytest.approx(0.75)
    assert np.sum(result["confusion"]) == 4


def test_mean_ci_uses_the_t_distribution():
    values = np.array([0.80, 0.82, 0.85, 0.79])
    ci = mean_ci(values)
    half = stats.t.ppf(0.975, 3) * values.std(ddof=1) / 2
    assert ci["mean"] == pytest.approx(values.mean())
    assert ci["ci_low"] == pytest.approx(values.mean() - half)
    assert ci["ci_high"] == pytest.approx(values.mean() + half)
    assert ci["half"] == pytest.approx(half) and ci["n"] == 4
    single = mean_ci([0.5])
    assert single["mean"] == 0.5 and np.isnan(single["ci_low"]) and np.isnan(single["half"])
    assert mean_ci([])["n"] == 0 and np.isnan(mean_ci([float("nan")])["mean"])


def records(values, folds=(1, 2, 3), seeds=(0, 1)):
    rows = [{"fold": f, "seed": s, "accuracy": v}
            for (f, s), v in zip([(f, s) for s in seeds for f in folds], values)]
    return pd.DataFrame(rows)


def test_summarise_seeds_averages_folds_first():
    table = records([0.7, 0.8, 0.9, 0.6, 0.7, 0.8])
    summary = summarise_seeds(table)
    assert summary.loc[0, "mean"] == pytest.approx(0.75)  # seeds: 0.8 and 0.7
    assert summary.loc[0, "n"] == 2 and summary.loc[0, "folds"] == 3
    assert summary.loc[0, "std"] == pytest.approx(np.std([0.8, 0.7], ddof=1))


def test_paired_comparison_finds_a_consistent_gap():
    rng = np.random.default_rng(0)
    base = rng.uniform(0.7, 0.8, size=6)
    a = records(base)
    b = records(base + 0.05 + rng.normal(0, 0.005, size=6)).sample(frac=1, random_state=1)
    result = paired_comparison(a, b)
    assert result["n_pairs"] == 6
    assert result["mean_diff"] == pytest.approx(0.05, abs=0.01)
    assert result["p_value"] < 0.001
    assert result["ci_low"] < result["mean_diff"] < result["ci_high"]
    assert result["ci_low"] > 0


def test_paired_comparison_uses_only_matched_pairs_and_checks_its_input():
    a = records([0.7, 0.8, 0.9, 0.6, 0.7, 0.8])
    b = a[a["fold"] != 3].assign(accuracy=lambda t: t["accuracy"] + 0.01)
    same_gap = paired_comparison(a, b)
    assert same_gap["n_pairs"] == 4
    # every pair 0.01 apart: no spread, no interval; the exact sign test instead (4 of 4: p = 1/8)
    assert np.isnan(same_gap["ci_low"]) and same_gap["test"] == "sign"
    assert same_gap["mean_diff"] == pytest.approx(0.01) and same_gap["p_value"] == pytest.approx(0.125)
    one = paired_comparison(a.head(1), b.head(1))
    assert one["n_pairs"] == 1 and np.isnan(one["ci_low"]) and np.isnan(one["p_value"])
    with pytest.raises(ValueError, match="several rows"):
        paired_comparison(pd.concat([a, a]), b)


def test_against_chance_pools_the_test_clips_of_the_runs():
    from ascnb.evaluate import against_chance

    def run(correct, total=100, classes=10):
        confusion = np.zeros((classes, classes), dtype=int)
        confusion[0, 0] = correct
        confusion[0, 1] = total - correct
        return {"confusion": confusion.tolist()}

    at = against_chance(pd.DataFrame([run(12), run(9)]))
    assert at["clips"] == 200 and at["accuracy"] == pytest.approx(0.105)
    assert at["verdict"] == "at chance" and at["ci_low"] < 0.1 < at["ci_high"]
    above = against_chance(pd.DataFrame([run(25)]))
    assert above["verdict"] == "above chance" and above["p_value"] < 0.001
    assert against_chance(pd.DataFrame(columns=["confusion"]))["verdict"] == "no runs"


def _record(files, predictions, labels, n_classes, keep_labels=True):
    record = {"test_files": files, "predictions": list(predictions),
              "confusion": confusion_matrix(np.asarray(labels), np.asarray(predictions),
                                            n_classes).tolist()}
    if keep_labels:
        record["labels"] = list(labels)
    return record


def test_evaluate_clips_keeps_the_true_class_of_every_clip():
    probs = np.array([[0.9, 0.1], [0.3, 0.7], [0.6, 0.4]])
    result = evaluate_clips(probs, np.arange(3), np.array([0, 1, 1]), 2, decision="mean_prob",
                            definition="overall")
    assert result["labels"] == [0, 1, 1] and result["predictions"] == [0, 1, 0]


def test_clip_labels_of_older_esc_records_come_from_the_file_names_checked_by_the_confusion():
    from ascnb.evaluate import clip_labels

    # ESC-50 targets 0, 10 and 41 are this subset's classes 0, 1 and 2 (in target order)
    files = ["1-100-A-41.ogg", "1-101-A-0.ogg", "1-102-B-10.ogg", "1-103-A-0.ogg"]
    truth = [2, 0, 1, 0]
    record = _record(files, [2, 1, 1, 0], truth, 3, keep_labels=False)
    assert clip_labels(record).tolist() == truth
    # a confusion matrix the names do not reproduce: unknown, not guessed
    record["confusion"][0][0] -= 1
    record["confusion"][0][2] += 1
    assert clip_labels(record) is None
    # names outside the ESC layout (the synthetic scenes): unknown
    assert clip_labels(_record(["scene_0001.wav", "scene_0002.wav"], [0, 1], [0, 1], 2,
                               keep_labels=False)) is None
    # records that keep their labels are read as they are
    assert clip_labels(_record(["a.wav", "b.wav"], [0, 0], [1, 0], 2)).tolist() == [1, 0]


def test_paired_clips_counts_the_discordant_clips_and_gives_the_exact_mcnemar_p():
    from ascnb.evaluate import paired_clips

    files = [f"clip{i}.wav" for i in range(12)]
    truth = [0, 1] * 6
    a = _record(files, truth[:10] + [1, 0], truth, 2)                 # wrong on the last two
    b = _record(files, [1] + truth[1:], truth, 2)                     # wrong on the first
    result = paired_clips(a, b)
    assert (result["only_a"], result["only_b"], result["net"]) == (1, 2, 1)
    assert result["p_value"] == pytest.approx(stats.binomtest(2, 3, 0.5).pvalue)
    assert paired_clips(a, a)["p_value"] == 1.0
    with pytest.raises(ValueError, match="same test clips"):
        paired_clips(a, dict(b, test_files=files[::-1]))
    unknown = {k: v for k, v in a.items() if k != "labels"}
    assert np.isnan(paired_clips(unknown, b)["p_value"])


def test_every_committed_esc10_record_gives_back_its_clip_labels():
    from ascnb.evaluate import clip_labels
    from ascnb.experiment import load_records

    records = load_records()
    esc10 = records[records["dataset"] == "esc10"] if len(records) else records
    if not len(esc10):
        pytest.skip("no committed ESC-10 record")
    for record in esc10.to_dict("records"):
        labels = clip_labels(record)
        assert labels is not None, record["config_hash"]
        assert (labels == np.asarray(record["predictions"])).mean() == pytest.approx(
            record["accuracy_overall"])
