"""Keep beside their records the weights of the networks the book's pages look inside

Pages 13 (PB-CNN's pixel attention), 24 (ACRNN's frame attention at l2) and 30 (localisation:
TB-CNN, PB-CNN, ACRNN l2 sigmoid and softmax) need trained networks, not only records. Weights
live in runs/, which is not committed, so a fresh clone would train these networks again
while it builds the book (``ascnb.experiment.trained_model``). This keeps a copy of each one's
weights beside its record (``results/<hash>/fold<f>-seed<s>.model.pt``, checked to be that
record's), to be committed with it:

    python book/tools/keep_weights.py                       # quick profile, synthetic scenes
    python book/tools/keep_weights.py --runs-dir /elsewhere/runs

Exit status 1 when a record's weights are not in runs/ (each named); records that are not
there yet are listed as such.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # this checkout's ascnb, not another one's

from ascnb.experiment import keep_weights, kept_weights_path, load_table  # noqa: E402
from ascnb.experiment.records import load_records, records_of, weights_path  # noqa: E402

# the rows whose networks the pages open, by catalogue table (pages 13, 24 and 30)
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
    args = parser.parse_args(argv)

    everything = load_records(args.results_dir)
    failed = 0
    for name, rows in PAGES.items():
        table = load_table(name, rows=rows, profile=args.profile, dataset=args.dataset,
                           data_root=args.data_root)
        for row, exp in table.rows.items():
            found = records_of(exp, table=everything).to_dict("records")
            if not found:
                print(f"  no record yet: {name} / {row} ({args.profile}, {args.dataset})")
            for record in found:
                where = f"{name} / {row}, fold {record['fold']}, seed {record['seed']}"
                kept = kept_weights_path(record)
                if kept.is_file() and not weights_path(record, args.runs_dir).is_file():
                    print(f"  already kept: {where} -> {kept}")
                    continue
                try:
                    path = keep_weights(record, runs=args.runs_dir)
                except (FileNotFoundError, ValueError) as error:
                    print(f"  not kept: {where}: {error}")
                    failed += 1
                else:
                    print(f"  kept: {where} -> {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
