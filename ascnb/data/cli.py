"""``python -m ascnb data …``: summary of a dataset, synthetic scenes, downloads

Book: notebooks/01-data.ipynb. Commands:
  data summary --dataset esc10|esc50|dcase2016|dcase2016-eval|synthetic [--data-root PATH]
  data synth --out DIR [--classes N --clips-per-class N --duration S --snr-min DB --snr-max DB
                        --seed N --folds N --distractors N --texture-snr DB --no-events]
  data download NAME [--data-root PATH]
--data-root is the flag of run-experiment and sweep too; --root is its older name here.
"""

from __future__ import annotations

import argparse
import os
import sys


def register(subparsers) -> None:
    from ascnb.data.downloads import ALIASES, REGISTRY
    from ascnb.data.registry import DATASETS
    from ascnb.data.synthetic import DEFAULTS

    parser = subparsers.add_parser("data", help="datasets: summary, synthetic scenes, downloads",
                                   description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="data_command", metavar="SUBCOMMAND")
    commands.required = True

    summary = commands.add_parser("summary", help="clips per class and fold, duration, sample rates")
    summary.add_argument("--dataset", required=True, choices=list(DATASETS))
    summary.add_argument("--data-root", "--root", dest="root",
                         help="dataset folder (default: found under $ASCNB_DATA or ./data)")
    summary.add_argument("--check", action="store_true",
                         help="decode every clip and name each problem (truncated, NaN, silent, …)")
    summary.set_defaults(handler=run_summary)

    synth = commands.add_parser("synth", help="write a synthetic-scenes set (ESC-50 layout)")
    synth.add_argument("--out", required=True, help="folder to write (must be new or empty)")
    for option, value in DEFAULTS.items():
        if isinstance(value, bool):
            synth.add_argument("--no-" + option.replace("_", "-"), dest=option, action="store_false",
                               help=f"write the clips without their foreground {option}")
        else:
            synth.add_argument("--" + option.replace("_", "-"), default=value,
                               type=float if value is None else type(value),
                               help=f"(default {value})")
    synth.add_argument("--overwrite", action="store_true", help="replace an existing synthetic set")
    synth.set_defaults(handler=run_synth)

    download = commands.add_parser("download", help="fetch, check and extract official archives")
    download.add_argument("name", choices=sorted([*REGISTRY, *ALIASES]))
    download.add_argument("--data-root", "--root", dest="root",
                          help="data root (default: $ASCNB_DATA or ./data)")
    download.set_defaults(handler=run_download)


def run_summary(args: argparse.Namespace) -> int:
    from ascnb.data import AudioError, DatasetError, load_dataset, summarise
    from ascnb.data.dataset import check_audio

    try:
        dataset = load_dataset(args.dataset, args.root)
        info = dataset.audio_info(errors="collect")
        text = summarise(dataset, info)
        problems = check_audio(dataset) if args.check else []
        unreadable = info["problem"].notna().any()  # named in the text: an error without --check too
    except (DatasetError, AudioError, ValueError, OSError) as error:
        print(f"data summary: {error}", file=sys.stderr)
        return 1
    if args.check:
        text += f"\n\ndecoded every clip: {len(problems)} problem(s)\n" + "\n".join(problems)
    try:
        print(text, flush=True)
    except BrokenPipeError:  # `data summary … | head`: the reader has enough
        sys.stdout = open(os.devnull, "w")
    return 1 if problems or unreadable else 0


def run_synth(args: argparse.Namespace) -> int:
    import time

    from ascnb.data.synthetic import DEFAULTS, generate_synthetic

    params = {name: getattr(args, name) for name in DEFAULTS}
    start = time.perf_counter()
    try:
        dataset = generate_synthetic(args.out, overwrite=args.overwrite, progress=True, **params)
    except (ValueError, FileExistsError) as error:
        print(f"data synth: {error}", file=sys.stderr)
        return 1
    print(f"wrote {len(dataset.clips)} clips and {len(dataset.events)} events to {dataset.root} "
          f"in {time.perf_counter() - start:.1f} s")
    return 0


def run_download(args: argparse.Namespace) -> int:
    from ascnb.data.downloads import DownloadError, download

    try:
        root = download(args.name, args.root)
    except DownloadError as error:
        print(f"data download: {error}", file=sys.stderr)
        return 1
    print(f"{args.name}: extracted under {root}")
    return 0
