"""Keep beside their records the attention maps of the networks the book's pages look inside

Pages 13 (PB-CNN's pixel attention), 24 (ACRNN's frame attention at l2) and 30 (localisation:
TB-CNN, PB-CNN, ACRNN l2 sigmoid and softmax) show what trained networks attend to. Weights
live in runs/, which is not committed, so a fresh clone would train these networks again
while it builds the book. This writes, beside each of their records, the attention maps of
its network over the first ``KEPT_PER_CLASS`` test clips of each class and its model-level
numbers (``ascnb.report.attention_maps.keep_attention``:
``results/<hash>/fold<f>-seed<s>.attention.npz``), to be committed with the record:

    python book/tools/keep_attention.py                       # quick profile, synthetic scenes
    python book/tools/keep_attention.py --runs-dir /elsewhere/runs

A network whose weights are not in runs/ is trained again first (``trained_model``).
Records that do not exist yet are listed as such; maps already kept are left as they are
(``--again`` rewrites them).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # this checkout's ascnb, not another one's

from ascnb.experiment import experiment_dataset, load_table  # noqa: E402
from ascnb.experiment.records import load_records, records_of  # noqa: E402
from ascnb.features import compute_features  # noqa: E402
from ascnb.report.attention_maps import RecordAttention, keep_attention  # noqa: E402

# the rows whose networks the pages look inside, by catalogue table (pages 13, 24 and 30)
PAGES = {
    "pbcnn-table2-models": ["TB-CNN", "PB-CNN"],
    "acrnn-table4-placement-scaling": ["l2 sigmoid", "l2 softmax"],
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="quick")
    parser.add_argument("--dataset", default="synthetic")
    parser.add_argument("--data-root", default=None)
    parser.add_argument("--runs-dir", default=None, help="where the weights are (default runs/)")
    parser.add_argument("--results-dir", default=None, help="where the records are (default results/)")
    parser.add_argument("--again", action="store_true", help="rewrite maps already kept")
    args = parser.parse_args(argv)

    everything = load_records(args.results_dir)
    for name, rows in PAGES.items():
        table = load_table(name, rows=rows, profile=args.profile, dataset=args.dataset,
                           data_root=args.data_root)
        for row, exp in table.rows.items():
            found = records_of(exp, table=everything).to_dict("records")
            if not found:
                print(f"  no record yet: {name} / {row} ({args.profile}, {args.dataset})")
                continue
            data = experiment_dataset(exp)
            features = compute_features(data, exp.feature_config(), progress=False)
            for record in found:
                attention = RecordAttention(exp, record, features, data, runs=args.runs_dir)
                where = f"{name} / {row}, fold {record['fold']}, seed {record['seed']}"
                if attention.path.is_file() and not args.again:
                    print(f"  already kept: {where} -> {attention.path}")
                    continue
                path = keep_attention(attention)
                print(f"  kept: {where} -> {path} ({path.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
