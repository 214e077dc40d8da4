"""ascnb.report.tables: CI formatting and the one verdict function, from records"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from ascnb.experiment import load_table
from ascnb.report.tables import claims_table, compare, format_ci, results_table, training_steps


def runs(accuracies, folds=(1, 2, 3, 4, 5), seed=0):
    return pd.DataFrame({"fold": list(folds), "seed": seed, "accuracy": accuracies,
                         "profile": "cpu", "dataset_description": "real ESC-10 (400 clips)",
                         "epochs_run": 30, "n_train_segments": 1600,
                         "train_config": [{"batch_size": 64, "max_batches": 0}] * len(folds)})


def test_format_ci_is_the_t_interval_over_runs():
    assert format_ci([80.0, 82.0, 84.0, 86.0]) == "83.0 ± 4.1 (n=4)"
    assert format_ci([81.0]) == "81.0 (n=1)"
    assert format_ci([]) == "—"


@pytest.mark.parametrize("gap, noise, verdict", [
    (0.05, 0.005, "supported"), (-0.05, 0.005, "contradicted"), (0.0, 0.03, "inconclusive")])
def test_compare_gives_the_verdict_of_the_paired_ci(gap, noise, verdict):
    rng = np.random.default_rng(1)
    worse = runs(rng.uniform(0.7, 0.8, 5))
    better = worse.assign(accuracy=worse["accuracy"] + gap + rng.normal(0, noise, 5))
    result = compare(better, worse)
    assert result["verdict"] == verdict
    assert result["n_pairs"] == 5 and result["mean_diff"] == pytest.approx(100 * gap, abs=3)


@pytest.mark.parametrize("n, verdict", [(2, "inconclusive"), (5, "inconclusive"), (6, "supported")])
def test_a_gap_without_spread_needs_the_sign_test_not_a_point_interval(n, verdict):
    """Two runs 10 points apart twice are not certainty (the t-interval would be a point)"""
    folds = tuple(range(1, n + 1))
    worse = runs([0.7] * n, folds=folds)
    result = compare(worse.assign(accuracy=0.8), worse)
    assert result["verdict"] == verdict and "sign test" in result["difference"]


def test_compare_with_too_few_runs_says_so():
    assert compare(runs([0.8], folds=(1,)), runs([0.7], folds=(1,)))["verdict"] == "one run: inconclusive"
    assert compare(runs([0.8]*5), runs([0.7]*5, seed=3))["verdict"] == "no runs"  # no matched pair
    assert compare(runs([0.8]*5), pd.DataFrame())["verdict"] == "no runs"


def test_tables_show_paper_column_runs_and_steps():
    table = load_table("acrnn-table3-attention-augmentation", dataset="esc10", profile="cpu")
    results = {"convolutional RNN": runs([0.80, 0.82, 0.85, 0.79, 0.81]),
               "+ attention": runs([0.84, 0.86, 0.88, 0.83, 0.85])}
    shown = results_table(table, results)
    assert shown.loc["+ attention", "paper (%) [ESC-10]"] == 91.7
    assert shown.loc["+ attention", "runs"] == "5 folds × 1 seed"
    assert shown.loc["+ attention", "steps per run"] == 30 * 25
    claims = claims_table(table, results)
    assert list(claims.index) == ["attention helps without augmentation"]
    assert claims.iloc[0]["verdict"] == "supported"
    assert claims.iloc[0]["paper: difference (points)"] == pytest.approx(2.5)
    assert training_steps(pd.DataFrame()) is None


def test_profiles_side_by_side_finds_committed_records_without_the_data(tmp_path):
    """Records of the cpu protocol on ESC-10 appear beside the paper's numbers from their
    experiment hash alone; a profile without records gets no column"""
    import json

    from ascnb.report.tables import profiles_side_by_side

    table = load_table("acrnn-table3-attention-augmentation", dataset="esc10", profile="cpu")
    for row, accuracy, step in (("convolutional RNN", 0.80, 0.01), ("+ attention", 0.85, 0.013)):
        exp = table.rows[row]
        for fold in range(1, 6):
            folder = tmp_path / f"key-{row[:3]}"
            folder.mkdir(exist_ok=True)
            (folder / f"fold{fold}-seed0.json").write_text(json.dumps({
                "config_hash": folder.name, "experiment_hash": exp.experiment_hash(),
                "data_fingerprint": "abc", "fold": fold, "seed": 0,
                "accuracy": accuracy + step * fold, "profile": "cpu", "dataset": "esc10"}))
    shown, claims = profiles_side_by_side("acrnn-table3-attention-augmentation", tmp_path)
    column = "ours, cpu protocol, real ESC-10"
    assert list(shown.columns) == ["paper (%) [ESC-10]", column]
    assert shown.loc["+ attention", column].startswith("88.9 ± ") and shown.loc["+ attention", column].endswith("(n=5)")
    assert shown.loc["+ augment", column] == "—"
    assert claims.loc["attention helps without augmentation", column].startswith("supported")
    assert claims.loc["augmentation helps with attention", column].startswith("no runs")


def test_claim_outcomes_are_the_paired_differences_of_the_records(tmp_path):
    """Three folds of '+ attention' 9, 10 and 11 points above the convolutional RNN under the
    cpu protocol on ESC-10: the claim 'attention helps without augmentation' gets mean 10 over
    n = 3 pairs, supported; the claims whose rows have no records say: no runs"""
    from ascnb.atomic import write_json
    from ascnb.experiment import load_table
    from ascnb.experiment.records import record_path
    from ascnb.report.tables import claim_outcomes

    table = load_table("acrnn-table3-attention-augmentation", dataset="esc10", profile="cpu")
    results = tmp_path / "results"
    for row, accuracies in (("convolutional RNN", [0.70, 0.70, 0.70]),
                            ("+ attention", [0.79, 0.80, 0.81])):
        exp = table.rows[row]
        for fold, accuracy in enumerate(accuracies, start=1):
            record = {"experiment_hash": exp.experiment_hash(), "data_fingerprint": "f" * 12,
                      "config_hash": exp.config_hash("f" * 12), "fold": fold, "seed": 0,
                      "accuracy": accuracy, "config": exp.to_dict()}
            write_json(record_path(results, record["config_hash"], fold, 0), record)
    outcomes = claim_outcomes(table.name, results)
    assert set(outcomes["protocol"]) == {"ours, cpu protocol, real ESC-10"}
    helps = outcomes.set_index("claim").loc["attention helps without augmentation"]
    assert helps["n"] == 3 and abs(helps["mean"] - 10.0) < 1e-9 and helps["verdict"] == "supported"
    assert helps["paper"] == 2.5                               # 91.7 - 89.2, the paper's ESC-10
    others = outcomes[outcomes["claim"] != "attention helps without augmentation"]
    assert (others["verdict"] == "no runs").all() and (others["n"] == 0).all()


def test_the_summary_sentence_is_computed_from_the_records():
    from ascnb.experiment import load_table
    from ascnb.report.tables import results_summary

    table = load_table("acrnn-table3-attention-augmentation", dataset="esc10", profile="cpu")

    def runs(values):
        return pd.DataFrame({"accuracy": values, "fold": range(1, len(values) + 1), "seed": 0,
                             "dataset_description": "real ESC-10", "profile": "cpu"})

    text = results_summary(table, {"convolutional RNN": runs([0.70, 0.71, 0.72]),
                                   "+ attention": runs([0.80, 0.81, 0.83])})
    assert "71.0 % (convolutional RNN) to 81.3 % (+ attention)" in text
    assert "range of 10.3 points" in text and "3 folds × 1 seed" in text
    assert "1 supported" in text
    one = results_summary(table, {"convolutional RNN": runs([0.7]), "+ attention": runs([0.6])})
    assert "1 inconclusive" in one and "one matched run can be no more than inconclusive" in one
    assert results_summary(table, {"+ attention": runs([])}).startswith("No row has records")
    # a row under twice chance (1 / classes) is named: that network did not learn
    ten = [f"c{k}" for k in range(10)]
    stalled = results_summary(table, {"convolutional RNN": runs([0.70]).assign(classes=[ten]),
                                      "+ attention": runs([0.14]).assign(classes=[ten])})
    assert "+ attention (14.0 %) is under twice chance (10.0 %): that network did not learn" in stalled
    assert "under twice chance" not in results_summary(
        table, {"convolutional RNN": runs([0.70]).assign(classes=[ten])})
    # rows at or above 95 % are named: near the ceiling, little room to differ
    high = results_summary(table, {"convolutional RNN": runs([0.96]), "+ attention": runs([0.80])})
    assert "convolutional RNN (96.0 %) is at or above 95 %, near the ceiling" in high
    assert "+ attention (80.0 %)" not in high and "near the ceiling" not in text


def test_every_other_protocol_is_summarised_from_its_records(tmp_path):
    """protocols_summary: a paragraph per (profile, dataset) with records, the page's own run
    left out; rows still being run are said to be so, and claims without runs not counted"""
    import json

    from ascnb.report.tables import protocols_summary

    name = "acrnn-table3-attention-augmentation"
    assert protocols_summary(name, tmp_path) == ""
    table = load_table(name, dataset="esc10", profile="cpu")
    folds = {"convolutional RNN": (1, 2, 3), "+ attention": (1, 2)}
    for row, accuracy in (("convolutional RNN", 0.80), ("+ attention", 0.90)):
        folder = tmp_path / f"key-{row[:3]}"
        folder.mkdir()
        for fold in folds[row]:
            (folder / f"fold{fold}-seed0.json").write_text(json.dumps({
                "config_hash": folder.name, "experiment_hash": table.rows[row].experiment_hash(),
                "data_fingerprint": "abc", "fold": fold, "seed": 0, "accuracy": accuracy + 0.01 * fold,
                "profile": "cpu", "dataset": "esc10", "dataset_description": "real ESC-10"}))
    text = protocols_summary(name, tmp_path)
    assert text.startswith("On real ESC-10, cpu profile, 2 to 3 runs (folds × seeds) per row, so far")
    assert "82.0 % (convolutional RNN) to 91.5 % (+ attention)" in text
    assert "No records yet for + augment, + attention + augment." in text
    assert "Of the paper's 1 claim(s) these rows test: 1 inconclusive." in text  # 2 pairs: too few for the sign test
    assert protocols_summary(name, tmp_path, skip=("cpu", "esc10")) == ""


def test_confusion_summary_counts_clips_and_says_when_a_confusion_repeats():
    from ascnb.report.tables import confused_pairs, confusion_summary

    classes = ["dog", "rain", "sea"]
    matrix = np.array([[8, 2, 0],    # two dogs taken for rain: a pair that repeats
                       [0, 9, 1],    # one rain clip taken for the sea: a single mistake
                       [0, 0, 10]])
    pairs = confused_pairs(matrix, classes)
    assert pairs.values.tolist() == [["dog", "rain", 2], ["rain", "sea", 1]]  # no diagonal, no zero
    text = confusion_summary(matrix, classes, "5 folds × 1 seed")
    assert "sums 30 test clips of 5 folds × 1 seed; 3 of them (10.0 %)" in text
    assert "dog taken for rain (2 clips); 1 pair(s) repeat" in text
    single = confusion_summary(np.array([[9, 1], [0, 10]]), classes[:2], "1 fold")
    assert "every misclassified pair holds a single clip" in single
    assert confusion_summary(np.eye(2, dtype=int) * 5, classes[:2], "1 fold").endswith("No clip was misclassified.")
    many = np.full((4, 4), 2) + np.eye(4, dtype=int) * 10             # 12 pairs of 2 clips each
    assert "12 pair(s) repeat" in confusion_summary(many, list("abcd"), "1 fold")   # not only the top 5


def test_learning_curve_averages_the_records_points_and_skips_records_without_one():
    from ascnb.report.tables import learning_curve

    records = pd.DataFrame({"accuracy": [0.5, 0.7, 0.9],
                            "test_curve": [[{"epoch": 1, "accuracy": 0.25}, {"epoch": 2, "accuracy": 0.5}],
                                           [{"epoch": 1, "accuracy": 0.75}, {"epoch": 2, "accuracy": 0.7}],
                                           None]})
    curve = learning_curve(records)
    assert list(curve.index) == [1, 2]
    assert curve.loc[1] == pytest.approx(50.0) and curve.loc[2] == pytest.approx(60.0)
    # records written before test_curve existed have no such column: an empty curve, no error
    assert learning_curve(records.drop(columns="test_curve")).empty
    assert learning_curve(records.iloc[[2]]).empty


def test_clip_paired_claims_pool_the_clips_each_row_alone_gets_right(tmp_path):
    """Two folds of 10 clips: '+ attention' alone right on 4 + 2 clips, the convolutional RNN
    alone on 1 + 0; pooled 6 against 1 over 20 clips, net +25 points, McNemar p = 0.125. A
    third fold the plain row lacks is not paired; records without their clips' classes
    leave the claim out"""
    from scipy import stats

    from ascnb.atomic import write_json
    from ascnb.experiment import load_table
    from ascnb.experiment.records import record_path
    from ascnb.report.tables import clip_paired_claims

    table = load_table("acrnn-table3-attention-augmentation", dataset="esc10", profile="cpu")
    truth = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    wrong = lambda clips: [(t + 1) % 10 if i in clips else t for i, t in enumerate(truth)]
    runs = {"convolutional RNN": {1: wrong({0, 1, 2, 9}), 2: wrong({4, 5})},
            "+ attention": {1: wrong({8}), 2: wrong({}), 3: wrong({})}}

    def write(results, keep_labels):
        for row, folds in runs.items():
            exp = table.rows[row]
            for fold, predictions in folds.items():
                files = [f"{fold}-{100 + i}-A-{t}.ogg" for i, t in enumerate(truth)]
                confusion = np.zeros((10, 10), dtype=int)
                for t, p in zip(truth, predictions):
                    confusion[t, p] += 1
                record = {"experiment_hash": exp.experiment_hash(), "data_fingerprint": "f" * 12,
                          "config_hash": exp.config_hash("f" * 12), "fold": fold, "seed": 0,
                          "accuracy": float(np.mean(np.equal(predictions, truth))),
                          "config": exp.to_dict(), "test_files": files,
                          "predictions": predictions, "confusion": confusion.tolist()}
                if keep_labels:
                    record["labels"] = truth
                write_json(record_path(results, record["config_hash"], fold, 0), record)

    write(tmp_path / "a", keep_labels=True)
    by_clip = clip_paired_claims(table.name, tmp_path / "a").set_index("claim")
    assert list(by_clip.index) == ["attention helps without augmentation"]
    row = by_clip.loc["attention helps without augmentation"]
    assert (row["runs paired"], row["test clips"]) == (2, 20)
    assert row["clips only the claimed better row right"] == 6
    assert row["clips only the other row right"] == 1
    assert row["net (points)"] == pytest.approx(25.0)
    assert row["McNemar p"] == pytest.approx(stats.binomtest(6, 7, 0.5).pvalue, abs=1e-4)
    # the same records without labels and with file names outside the ESC layout: left out
    runs_unnamed = tmp_path / "b"
    write(runs_unnamed, keep_labels=False)
    assert len(clip_paired_claims(table.name, runs_unnamed)) == 1   # names recover the labels
    for path in runs_unnamed.rglob("*.json"):
        record = json.loads(path.read_text())
        record["test_files"] = [f"clip{i}.wav" for i in range(10)]
        path.write_text(json.dumps(record))
    assert clip_paired_claims(table.name, runs_unnamed).empty
