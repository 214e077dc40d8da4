"""Paper vs ours: the tables, the claims and their verdicts, all computed from records

Book: book/intro.md ("How to read the tables"). One rule for every table: the paper's number
(and which of its columns it is) beside ours as mean ± 95 % CI over folds × seeds, with n, the
data and the profile named; "±" always means that half-width (t-distribution, over runs).
Every verdict of the book comes from ``compare`` over two rows' records:

- "supported": the 95 % CI of the paired difference (better - worse, matched folds and seeds)
  lies above 0; "contradicted": below 0; "inconclusive": it contains 0
- when every pair differs by the same amount (no spread: the interval would be a point), the
  exact sign test decides instead: supported / contradicted when p < 0.05 (at least 6 pairs
  of one sign), else inconclusive
- "one run: inconclusive" with a single matched pair; "no runs" without any
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ascnb.evaluate import mean_ci, paired_comparison


def dataset_label(dataset) -> str:
    """How tables name the data: "real ESC-10 (400 clips)" or "synthetic scenes (stand-in, …)" """
    if dataset.name == "synthetic":
        return dataset.description or "synthetic scenes (stand-in)"
    return dataset.description or dataset.name


def accuracies(records: pd.DataFrame) -> pd.Series:
    """Clip accuracy of each record in percent"""
    if records is None or len(records) == 0:
        return pd.Series(dtype=float)
    return records["accuracy"].astype(float) * 100


def learning_curve(records: pd.DataFrame) -> pd.Series:
    """Test accuracy (%) at each recorded epoch, the mean over the records that have the epoch.

    Every record keeps the test fold's accuracy at ten points of its run (``test_curve``, never
    used to choose a model); records written before it existed have none and are left out.
    Empty when no record has a curve.
    """
    if records is None or len(records) == 0 or "test_curve" not in records:
        return pd.Series(dtype=float, name="test accuracy (%)")
    points = pd.DataFrame([{"epoch": int(p["epoch"]), "accuracy": 100 * float(p["accuracy"])}
                           for curve in records["test_curve"] if isinstance(curve, list)
                           for p in curve])
    if not len(points):
        return pd.Series(dtype=float, name="test accuracy (%)")
    return points.groupby("epoch")["accuracy"].mean().rename("test accuracy (%)")


def format_ci(values_or_stats, digits: int = 1) -> str:
    """"86.2 ± 1.3 (n=20)" from a sample or a ``mean_ci`` dict; "—" when there is no run"""
    stats = values_or_stats if isinstance(values_or_stats, dict) else mean_ci(values_or_stats)
    mean, half, n = stats["mean"], stats["half"], stats["n"]
    if n == 0 or np.isnan(mean):
        return "—"
    if np.isnan(half):
        return f"{mean:.{digits}f} (n={n})"
    return f"{mean:.{digits}f} ± {half:.{digits}f} (n={n})"


def training_steps(records: pd.DataFrame) -> int | None:
    """Optimizer steps of a run (the median over the records): epochs × batches per epoch"""
    if records is None or len(records) == 0:
        return None
    steps = []
    for record in records.to_dict("records"):
        config = record.get("train_config") or {
            k.split(".", 1)[1]: v for k, v in record.items() if k.startswith("train_config.")}
        if not config or "n_train_segments" not in record:
            return None
        batches = int(np.ceil(record["n_train_segments"] / config["batch_size"]))
        if config.get("max_batches"):
            batches = min(batches, int(config["max_batches"]))
        steps.append(int(record["epochs_run"]) * batches)
    return int(np.median(steps))


def runs_label(records: pd.DataFrame) -> str:
    """"5 folds × 1 seed" """
    if records is None or len(records) == 0:
        return "—"
    folds, seeds = records["fold"].nunique(), records["seed"].nunique()
    return f"{folds} fold{'s' * (folds != 1)} × {seeds} seed{'s' * (seeds != 1)}"


def compare(better: pd.DataFrame, worse: pd.DataFrame) -> dict:
    """The verdict of a claim "better beats worse" from their records (see the module docstring)

    Returns the ``paired_comparison`` of accuracies in points (difference = better - worse),
    plus "verdict" and "difference" (formatted)
    """
    if better is None or worse is None or len(better) == 0 or len(worse) == 0:
        return {"n_pairs": 0, "verdict": "no runs", "difference": "—"}
    a = worse.assign(accuracy=accuracies(worse))[["fold", "seed", "accuracy"]]
    b = better.assign(accuracy=accuracies(better))[["fold", "seed", "accuracy"]]
    result = paired_comparison(a, b)
    n, low, high = result["n_pairs"], result["ci_low"], result["ci_high"]
    if n == 0:
        verdict = "no runs"
    elif n < 2:
        verdict = "one run: inconclusive"
    elif result.get("test") == "sign":
        sign = "supported" if result["mean_diff"] > 0 else "contradicted"
        verdict = sign if result["p_value"] < 0.05 else "inconclusive"
    elif np.isnan(low):
        verdict = "inconclusive"
    elif low > 0:
        verdict = "supported"
    elif high < 0:
        verdict = "contradicted"
    else:
        verdict = "inconclusive"
    stats = {"mean": result["mean_diff"], "half": result["half"], "n": n}
    difference = format_ci(stats)
    if result.get("test") == "sign":
        difference = f"{result['mean_diff']:.1f} in every pair (n={n}, sign test p={result['p_value']:.2f})"
    return {**result, "verdict": verdict, "difference": difference}


def results_table(table, results: dict, *, profile: str | None = None,
                  data_label: str | None = None) -> pd.DataFrame:
    """Paper vs ours for a catalogue ``table`` (``ascnb.experiment.Table``) and its
    {row: records}: the paper's number and which column it is, ours as mean ± CI with n,
    the runs, the optimizer steps per run, the data and the profile"""
    dataset = table.dataset
    column = table.spec.paper_column_name(dataset)
    rows = []
    for row, records in results.items():
        paper = table.spec.paper_value(row, dataset)
        rows.append({"": row, f"paper (%) [{column}]" if column else "paper (%)": paper,
                     "ours (%)": format_ci(accuracies(records)), "runs": runs_label(records),
                     "steps per run": training_steps(records),
                     "data": data_label or _data_of(records),
                     "profile": profile or _profile_of(records)})
    return pd.DataFrame(rows).set_index("")


def claims_table(table, results: dict) -> pd.DataFrame:
    """One row per claim of the catalogue table whose two rows have records: the paper's
    numbers, our paired difference with its CI and n, and the verdict (``compare``)"""
    return _claims(table.spec, table.dataset, results)


def _claims(spec, dataset, results: dict) -> pd.DataFrame:
    rows = []
    for claim in spec.claims:
        better, worse = claim["better"], claim["worse"]
        if better not in results or worse not in results:
            continue
        paper_better = spec.paper_value(better, dataset)
        paper_worse = spec.paper_value(worse, dataset)
        paper_gap = (None if paper_better is None or paper_worse is None
                     else round(paper_better - paper_worse, 2))
        outcome = compare(results[better], results[worse])
        rows.append({"claim (paper)": claim["claim"], "paper: difference (points)": paper_gap,
                     "ours: difference (points)": outcome["difference"],
                     "verdict": outcome["verdict"]})
    return pd.DataFrame(rows).set_index("claim (paper)") if rows else pd.DataFrame()


def _data_of(records: pd.DataFrame) -> str:
    if records is None or len(records) == 0 or "dataset_description" not in records:
        return "—"
    return str(records["dataset_description"].iloc[0])


def _profile_of(records: pd.DataFrame) -> str:
    if records is None or len(records) == 0 or "profile" not in records:
        return "—"
    return ", ".join(sorted(set(records["profile"].astype(str))))


def glue(name: str, value, display: bool = False):
    """myst_nb.glue, quiet by default (pages show the value where they refer to it)"""
    from myst_nb import glue as myst_glue

    return myst_glue(name, value, display=display)


# the columns a page shows for each paper, when records exist: (profile, dataset, heading)
PROFILE_COLUMNS = {
    "acrnn": (("paper", "esc10", "ours, paper protocol (GPU), real ESC-10"),
              ("paper", "esc50", "ours, paper protocol (GPU), real ESC-50"),
              ("cpu", "esc10", "ours, cpu protocol, real ESC-10"),
              ("cpu", "esc50", "ours, cpu protocol, real ESC-50"),
              ("quick", "synthetic", "ours, quick, synthetic scenes")),
    "pbcnn": (("paper", "dcase2016", "ours, paper protocol, DCASE 2016"),
              ("paper", "esc10", "ours, paper protocol, real ESC-10 (stand-in for DCASE)"),
              ("cpu", "esc10", "ours, cpu protocol, real ESC-10 (stand-in for DCASE)"),
              ("quick", "synthetic", "ours, quick, synthetic scenes")),
}


def profiles_side_by_side(name: str, results_dir=None, *, keep_empty: bool = False):
    """Every profile and dataset a catalogue table has records for, side by side

    Returns (table, claims): the paper's number beside ours per (profile, dataset) column —
    mean ± 95 % CI over folds × seeds with n — and each claim's verdict per column
    (``compare``). Records are found by the experiment's hash, so a reader without the data
    still sees committed records; columns without any record are left out
    (``keep_empty``: shown as "—")
    """
    from ascnb.experiment import load_records, read_table
    from ascnb.experiment.records import records_of

    spec = read_table(name)
    paper_name = spec.paper["source"].split("/")[0] if spec.paper else "acrnn"
    everything = load_records(results_dir)
    first = spec.datasets[0] if spec.datasets else "synthetic"
    values = {row: {f"paper (%) [{spec.paper_column_name(first)}]" if spec.paper else "paper (%)":
                    spec.paper_value(row, first)} for row in spec.rows}
    claims = {c["claim"]: {"paper: difference (points)": _paper_gap(spec, c, first)}
              for c in spec.claims}
    for profile, dataset, heading in PROFILE_COLUMNS.get(paper_name, ()):
        rows = spec.experiments(profile=profile, dataset=dataset)
        found = {row: records_of(exp, table=everything) for row, exp in rows.items()}
        if not keep_empty and not any(len(r) for r in found.values()):
            continue
        for row, records in found.items():
            values[row][heading] = format_ci(accuracies(records))
        for claim in spec.claims:
            outcome = compare(found[claim["better"]], found[claim["worse"]])
            claims[claim["claim"]][heading] = f"{outcome['verdict']}: {outcome['difference']}"
    table = pd.DataFrame.from_dict(values, orient="index")
    table.index.name = spec.title
    claims_frame = pd.DataFrame.from_dict(claims, orient="index")
    claims_frame.index.name = "claim (paper)"
    return table, claims_frame


def _paper_gap(spec, claim, dataset):
    better, worse = spec.paper_value(claim["better"], dataset), spec.paper_value(claim["worse"], dataset)
    return None if better is None or worse is None else round(better - worse, 2)


def claim_outcomes(name: str, results_dir=None, *, everything=None) -> pd.DataFrame:
    """Every claim of a catalogue table under every protocol with records, one row each:
    the paper's difference and ours as numbers (mean, CI half-width, n) with the verdict
    (``compare``); the long form of ``profiles_side_by_side``'s claims, for figures"""
    from ascnb.experiment import load_records, read_table
    from ascnb.experiment.records import records_of

    spec = read_table(name)
    paper_name = spec.paper["source"].split("/")[0] if spec.paper else "acrnn"
    everything = load_records(results_dir) if everything is None else everything
    first = spec.datasets[0] if spec.datasets else "synthetic"
    rows = []
    for profile, dataset, heading in PROFILE_COLUMNS.get(paper_name, ()):
        found = {row: records_of(exp, table=everything)
                 for row, exp in spec.experiments(profile=profile, dataset=dataset).items()}
        if not any(len(r) for r in found.values()):
            continue
        for claim in spec.claims:
            outcome = compare(found[claim["better"]], found[claim["worse"]])
            rows.append({"table": spec.title.split(":")[0], "claim": claim["claim"],
                         "protocol": heading, "paper": _paper_gap(spec, claim, first),
                         "mean": outcome.get("mean_diff", np.nan),
                         "half": outcome.get("half", np.nan), "n": outcome["n_pairs"],
                         "verdict": outcome["verdict"]})
    return pd.DataFrame(rows, columns=["table", "claim", "protocol", "paper", "mean", "half",
                                       "n", "verdict"])


def clip_paired_claims(name: str, results_dir=None, *, everything=None) -> pd.DataFrame:
    """Each claim of a catalogue table clip by clip, under every protocol with records

    The two rows of a claim classify the same test clips in each (fold, seed) they share; over
    those pairs, how many clips only the row said to be better gets right, how many only the
    other, the net difference in points of all clips, and the exact McNemar test of the two
    counts (``ascnb.evaluate.paired_clips``, pooled). It asks whether *these runs* differ;
    ``compare`` asks whether the *configurations* do, over folds and seeds, and only it gives
    the verdicts. Claims whose records lack their clips' classes are left out.
    """
    from ascnb.evaluate import mcnemar_exact, paired_clips
    from ascnb.experiment import load_records, read_table
    from ascnb.experiment.records import records_of

    spec = read_table(name)
    paper_name = spec.paper["source"].split("/")[0] if spec.paper else "acrnn"
    everything = load_records(results_dir) if everything is None else everything
    rows = []
    for profile, dataset, heading in PROFILE_COLUMNS.get(paper_name, ()):
        found = {row: records_of(exp, table=everything)
                 for row, exp in spec.experiments(profile=profile, dataset=dataset).items()}
        for claim in spec.claims:
            by_run = [{(r["fold"], r["seed"]): r for r in found[claim[side]].to_dict("records")}
                      for side in ("better", "worse")]
            shared = sorted(set(by_run[0]) & set(by_run[1]))
            results = [paired_clips(by_run[1][key], by_run[0][key]) for key in shared]
            if not results or any(r["only_a"] is None for r in results):
                continue
            only_better = sum(r["only_b"] for r in results)
            only_worse = sum(r["only_a"] for r in results)
            clips = sum(r["clips"] for r in results)
            p = mcnemar_exact(only_worse, only_better)
            rows.append({"protocol": heading, "claim": claim["claim"],
                         "runs paired": len(shared), "test clips": clips,
                         "clips only the claimed better row right": only_better,
                         "clips only the other row right": only_worse,
                         "net (points)": round(100 * (only_better - only_worse) / clips, 2),
                         "McNemar p": round(p, 4)})
    return pd.DataFrame(rows)


def results_summary(table, results: dict) -> str:
    """A page's summary sentence computed from its records: the data, profile and runs, the
    best and worst row (means), and how many claims are supported, contradicted or open"""
    return _summary(table.spec, table.dataset, results)


def protocols_summary(name: str, results_dir=None, *, skip=None) -> str:
    """``results_summary`` for every (profile, dataset) of ``PROFILE_COLUMNS`` that has records
    of the catalogue table ``name``, one paragraph each, in that order (the paper's protocol
    first, then the cpu protocol on real audio); ``skip``: a (profile, dataset) left out, e.g.
    the page's own run, summarised beside it. "" when no other protocol has records"""
    from ascnb.experiment import load_records, read_table
    from ascnb.experiment.records import records_of

    spec = read_table(name)
    paper_name = spec.paper["source"].split("/")[0] if spec.paper else "acrnn"
    everything = load_records(results_dir)
    texts = []
    for profile, dataset, _ in PROFILE_COLUMNS.get(paper_name, ()):
        if skip is not None and (profile, dataset) == tuple(skip):
            continue
        rows = spec.experiments(profile=profile, dataset=dataset)
        found = {row: records_of(exp, table=everything) for row, exp in rows.items()}
        if any(len(records) for records in found.values()):
            texts.append(_summary(spec, dataset, found))
    return "\n\n".join(texts)


def _near_chance(means: dict, present: dict) -> str:
    """A sentence naming the rows whose mean is under twice chance (1 / number of classes):
    networks that did not learn under this protocol, whose rows say nothing about the claims"""
    chance = {}
    for row, records in present.items():
        if "classes" in records and isinstance(records["classes"].iloc[0], (list, tuple)):
            chance[row] = 100 / len(records["classes"].iloc[0])
    low = [row for row in chance if means[row] < 2 * chance[row]]
    if not low:
        return ""
    names = ", ".join(f"{row} ({means[row]:.1f} %)" for row in low)
    level = ", ".join(sorted({f"{chance[row]:.1f} %" for row in low}))
    one = len(low) == 1
    return (f" {names} {'is' if one else 'are'} under twice chance ({level}): "
            f"{'that network' if one else 'those networks'} did not learn under this protocol, "
            f"and {'its row says' if one else 'their rows say'} nothing about the paper's claims "
            "until trained longer or with other seeds.")


NEAR_CEILING = 95.0   # % accuracy: a row at or above it has at most 5 % of its clips left to gain


def _near_ceiling(means: dict) -> str:
    """A sentence naming the rows at or above ``NEAR_CEILING``: on such data the rows have
    little room to differ, so a claim between them is weakly tested"""
    high = [row for row in means if means[row] >= NEAR_CEILING]
    if not high:
        return ""
    names = ", ".join(f"{row} ({means[row]:.1f} %)" for row in high)
    one = len(high) == 1
    return (f" {names} {'is' if one else 'are'} at or above {NEAR_CEILING:.0f} %, near the "
            f"ceiling: these data leave {'that row' if one else 'those rows'} little room to "
            "differ, so a claim about "
            f"{'it' if one else 'them'} is weakly tested here.")


def _summary(spec, dataset, results: dict) -> str:
    means = {row: float(accuracies(records).mean()) for row, records in results.items()
             if records is not None and len(records)}
    if not means:
        return "No row has records yet: nothing to summarise."
    present = {row: records for row, records in results.items() if records is not None and len(records)}
    any_records = next(iter(present.values()))
    best, worst = max(means, key=means.get), min(means, key=means.get)
    labels = {runs_label(records) for records in present.values()}
    if len(labels) == 1:
        runs = f"{labels.pop()} per row"
    else:  # rows still being run: say how far each got
        counts = sorted(len(records) for records in present.values())
        runs = f"{counts[0]} to {counts[-1]} runs (folds × seeds) per row, so far"
    missing = [row for row in results if row not in present]
    text = f"On {_data_of(any_records)}, {_profile_of(any_records)} profile, {runs}: "
    if best == worst:
        text += f"{best} scores {means[best]:.1f} %."
    else:
        text += (f"the rows span {means[worst]:.1f} % ({worst}) to {means[best]:.1f} % ({best}), "
                 f"a range of {means[best] - means[worst]:.1f} points.")
    if missing:
        text += f" No records yet for {', '.join(missing)}."
    text += _near_chance(means, present) + _near_ceiling(means)
    claims = _claims(spec, dataset, results)
    claims = claims[claims["verdict"] != "no runs"] if len(claims) else claims
    if len(claims):
        counts = claims["verdict"].str.replace(r"^one run: ", "", regex=True).value_counts()
        parts = [f"{n} {verdict}" for verdict, n in counts.items()]
        text += f" Of the paper's {len(claims)} claim(s) these rows test: {', '.join(parts)}."
        if (claims["verdict"] == "one run: inconclusive").any():
            text += " A claim with one matched run can be no more than inconclusive."
    return text


def confused_pairs(matrix: np.ndarray, classes, top: int = 5) -> pd.DataFrame:
    """The ``top`` off-diagonal cells of a (true, predicted) confusion matrix of clip counts,
    largest first, cells without a clip left out: columns true, predicted, clips"""
    off = np.asarray(matrix, dtype=float).copy()
    np.fill_diagonal(off, 0)
    order = np.argsort(off, axis=None, kind="stable")[::-1][:top]
    pairs = [(classes[i], classes[j], int(off[i, j]))
             for i, j in zip(*np.unravel_index(order, off.shape)) if off[i, j] > 0]
    return pd.DataFrame(pairs, columns=["true", "predicted", "clips"])


def confusion_summary(matrix: np.ndarray, classes, runs: str) -> str:
    """A confusion page's summary computed from its matrix: clips summed, misclassified, and
    whether any confusion repeats (a pair with one clip is one mistake, not a pattern)"""
    matrix = np.asarray(matrix)
    total, wrong = int(matrix.sum()), int(matrix.sum() - np.trace(matrix))
    pairs = confused_pairs(matrix, classes, top=matrix.size)  # every confused pair
    repeated = pairs[pairs["clips"] >= 2]
    text = (f"The matrix sums {total} test clips of {runs}; {wrong} of them "
            f"({100 * wrong / max(total, 1):.1f} %) were misclassified. ")
    if len(repeated):
        first = repeated.iloc[0]
        text += (f"The most frequent confusion is {first['true']} taken for {first['predicted']} "
                 f"({int(first['clips'])} clips); {len(repeated)} pair(s) repeat at least twice.")
    elif wrong:
        text += "No confusion repeats: every misclassified pair holds a single clip, too few to read a pattern."
    else:
        text += "No clip was misclassified."
    return text

