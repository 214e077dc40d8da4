"""``python -m ascnb models [--csv] [--n-classes N]``: the cost table of every network

Book: notebooks/03-models.ipynb. Prints parameters and FLOPs per segment beside the ACRNN
paper's Table 2 (ascnb.models.cost), then the notes on why the FLOPs differ; ``--csv`` prints
the table alone as CSV.
"""

from __future__ import annotations

import sys


def register(subparsers) -> None:
    parser = subparsers.add_parser("models", help="cost table: parameters and FLOPs of every network",
                                   description=__doc__.splitlines()[0])
    parser.add_argument("--csv", action="store_true", help="print CSV instead of a text table")
    parser.add_argument("--n-classes", type=int, default=10, help="classes of the output layer (default 10)")
    parser.set_defaults(handler=run_models)


def run_models(args) -> int:
    import pandas as pd

    from ascnb.models.cost import NOTES, cost_table

    if args.n_classes < 1:
        print(f"python -m ascnb models: --n-classes must be >= 1, got {args.n_classes}", file=sys.stderr)
        return 2
    table = cost_table(n_classes=args.n_classes)
    if args.csv:
        table.to_csv(sys.stdout, index=False)
        return 0
    shown = table.drop(columns=["n_params", "n_flops"])
    with pd.option_context("display.width", 200, "display.max_columns", None):
        print(shown.to_string(index=False, na_rep=""))
    print("\nFLOPs: forward pass of one segment (torch.utils.flop_counter, 2 per multiply-add).")
    print(NOTES)
    return 0
