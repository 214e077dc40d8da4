"""Execute every notebook of the book with ``ascnb.runner`` (what ``make book`` runs)

    python book/tools/run_notebooks.py --profile quick             # make book
    python book/tools/run_notebooks.py --profile smoke --esc10 DIR  # make book-smoke (CI)

Notebooks run in book order into book/_generated/. With ``--esc10`` (smoke, CI) the notebooks
about ESC run twice: on the real ESC-10 (the copy the book shows) and on the synthetic scenes
(into _build/smoke-synthetic/, a check that they run there too). Without it every notebook
runs on the synthetic scenes, named explicitly (04-attention would otherwise look for
ESC-10, its default, and fail where there is none). Timings are printed and written to
_build/notebook-timings.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # this checkout's ascnb, not another one's

from ascnb.paths import REPO  # noqa: E402
from ascnb.runner import (GENERATED_DIR, NotebookError, ParameterError,  # noqa: E402
                          notebook_parameters, run_notebook)

# book order; the value says whether the notebook is about ESC (runs on real ESC-10 in CI),
# or "records" for a page that shows committed records of its own profile (it gets no
# --profile and trains nothing)
NOTEBOOKS = {
    "01-data": False,
    "02-features": True,
    "03-models": False,
    "04-attention": True,
    "05-choices": False,
    "10-pbcnn-mel-bands": False,
    "11-pbcnn-models": False,
    "12-pbcnn-segmentation": False,
    "13-pbcnn-attention-overlay": False,
    "20-acrnn-comparison-cost": True,
    "21-acrnn-attention-augmentation": True,
    "22-acrnn-placement-scaling": True,
    "23-acrnn-confusion": True,
    "24-acrnn-frame-attention": True,
    "25-how-long-is-long-enough": "records",
    "30-attention-localisation": False,
    "40-claims": "records",       # last: it reads the records every other page has written
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="quick", choices=["smoke", "quick", "cpu", "paper"])
    parser.add_argument("--esc10", default=None, help="real ESC-10 folder (ESC notebooks run on it too)")
    parser.add_argument("--only", nargs="*", default=None, help="run only these notebooks")
    parser.add_argument("--results-dir", default=None,
                        help="where records are read and written (default: results/, but "
                             "_build/smoke-results/ for the smoke profile, never committed)")
    args = parser.parse_args(argv)
    results_dir = args.results_dir or (str(REPO / "_build" / "smoke-results")
                                       if args.profile == "smoke" else None)

    esc10 = Path(args.esc10).resolve() if args.esc10 else None
    if esc10 is not None and not (esc10 / "meta" / "esc50.csv").is_file():
        print(f"run_notebooks: no ESC-10 at {esc10}; ESC notebooks run on synthetic scenes only")
        esc10 = None
    timings = []
    names = [n for n in NOTEBOOKS if args.only is None or n in args.only]
    for name in names:
        kind = NOTEBOOKS[name]
        synthetic = {"dataset": "synthetic"} if kind is True else {}
        runs = [("synthetic", synthetic, GENERATED_DIR)]
        if kind == "records":
            runs = [("committed records", {}, GENERATED_DIR)]
        elif esc10 is not None and kind:
            runs = [("synthetic", synthetic, REPO / "_build" / "smoke-synthetic"),
                    ("esc10", {"dataset": "esc10", "data_root": str(esc10)}, GENERATED_DIR)]
        if results_dir is not None and "results_dir" in notebook_parameters(name):
            runs = [(label, {**extra, "results_dir": results_dir}, output_dir)
                    for label, extra, output_dir in runs]
        for label, extra, output_dir in runs:
            start = time.perf_counter()
            try:
                profile = {} if kind == "records" else {"profile": args.profile}
                run_notebook(name, {**profile, **extra}, output_dir=output_dir)
            except (NotebookError, ParameterError, FileNotFoundError) as error:
                print(f"run_notebooks: {name} ({label}) failed:\n{error}", file=sys.stderr)
                return 1
            seconds = time.perf_counter() - start
            timings.append({"notebook": name, "dataset": label, "profile": args.profile,
                            "seconds": round(seconds, 1)})
            print(f"{seconds:7.1f} s  {name} ({label}, {args.profile})", flush=True)
    total = sum(t["seconds"] for t in timings)
    print(f"{total:7.1f} s  all notebooks")
    out = REPO / "_build" / "notebook-timings.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"total_seconds": round(total, 1), "runs": timings}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
