"""``python -m ascnb run NOTEBOOK -p name value …``: papermill with strict parameters

Book: "Reproduce it yourself" (book/reproduce.md). Every notebook in ``notebooks/`` has a
cell tagged ``parameters``; this runner

- refuses a parameter the notebook does not declare (papermill itself only warns),
- executes the notebook with papermill and writes the executed copy into the book tree
  (``book/_generated/NAME.ipynb`` by default), atomically: a failed run leaves the previous
  copy untouched and the failed one beside it as ``NAME.failed.ipynb``,
- fails with the notebook's own error (exception name, message and the failing cell).

Values given on the command line are read as YAML, so ``-p folds "[1, 2]"`` is a list,
``-p epochs 3`` an int and ``-p device cpu`` a string.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from pathlib import Path

import yaml

from ascnb.paths import REPO, generated_dir

NOTEBOOKS_DIR = REPO / "notebooks"
GENERATED_DIR = generated_dir()


class ParameterError(ValueError):
    """A parameter the notebook does not declare in its ``parameters`` cell"""


class NotebookError(RuntimeError):
    """A cell of the notebook raised; the message carries the notebook's own error"""


def find_notebook(notebook: str | Path) -> Path:
    """A path as given, or a name looked up in notebooks/ (with or without .ipynb)"""
    path = Path(notebook)
    candidates = [path, path.with_suffix(".ipynb"), NOTEBOOKS_DIR / path.name,
                  NOTEBOOKS_DIR / path.with_suffix(".ipynb").name]
    for candidate in candidates:
        if candidate.is_file() and candidate.suffix == ".ipynb":
            return candidate
    known = sorted(p.stem for p in NOTEBOOKS_DIR.glob("*.ipynb"))
    raise FileNotFoundError(f"notebook {str(notebook)!r} not found; notebooks/ holds: {known}")


def notebook_parameters(notebook: str | Path) -> dict:
    """The parameters a notebook declares: name -> {"default": source text, "type": inferred}"""
    import papermill

    path = find_notebook(notebook)
    declared = papermill.inspect_notebook(str(path))
    if not declared:
        raise ParameterError(f"{path}: no cell tagged 'parameters'")
    return {name: {"default": info["default"], "type": info["inferred_type_name"]}
            for name, info in declared.items()}


def check_parameters(notebook: str | Path, parameters: dict) -> None:
    """Raise ParameterError naming every parameter the notebook does not declare, and every
    value whose type differs from its default's (a default of None accepts anything)"""
    import ast

    declared = notebook_parameters(notebook)
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise ParameterError(
            f"{find_notebook(notebook)}: unknown parameter(s) {unknown}; "
            f"the parameters cell declares: {sorted(declared)}")
    for name, value in parameters.items():
        try:
            default = ast.literal_eval(declared[name]["default"])
        except (ValueError, SyntaxError):
            continue
        if default is None or value is None:
            continue
        kinds = (int, float) if isinstance(default, float) else (type(default),)
        if isinstance(value, bool) != isinstance(default, bool) or not isinstance(value, kinds):
            raise ParameterError(
                f"{find_notebook(notebook)}: parameter {name!r} expects a {type(default).__name__} "
                f"(its default is {declared[name]['default']}), got {value!r} ({type(value).__name__})")


def remove_stale_partials(output: Path) -> list[Path]:
    """Delete ``.NAME.running-PID.ipynb`` files left beside ``output`` by runs that were killed
    (their process is gone); returns what was removed"""
    removed = []
    for partial in output.parent.glob(f".{output.stem}.running-*.ipynb"):
        try:
            pid = int(partial.stem.rsplit("-", 1)[1].split(".")[0])
            os.kill(pid, 0)  # alive: another run is writing it
        except ProcessLookupError:
            partial.unlink(missing_ok=True)
            removed.append(partial)
        except (ValueError, IndexError, PermissionError):
            continue
    return removed


def parse_value(text: str):
    """A command-line value read as YAML ("3" -> 3, "[1, 2]" -> list, "cpu" -> "cpu")"""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def notebook_error_message(error) -> str:
    """The notebook's own error from a papermill PapermillExecutionError"""
    source = "\n".join("    " + line for line in error.source.splitlines()[-6:])
    return (f"cell #{error.cell_index} (execution count {error.exec_count}): "
            f"{error.ename}: {error.evalue}\n  in:\n{source}")


def run_notebook(notebook: str | Path, parameters: dict | None = None, *,
                 output_dir: str | Path | None = None, output_name: str | None = None,
                 cwd: str | Path | None = None, kernel_name: str | None = None,
                 progress: bool = False, timeout: float | None = None) -> Path:
    """Execute ``notebook`` with ``parameters``; return the path of the executed copy

    The copy goes to ``output_dir`` (default book/_generated/) as ``output_name`` (default the
    notebook's file name). The notebook runs with ``cwd`` (default the repository root) as its
    working directory. Raises ParameterError before running anything for an undeclared
    parameter, and NotebookError with the notebook's error when a cell fails.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    path = find_notebook(notebook)
    parameters = dict(parameters or {})
    check_parameters(path, parameters)

    output_dir = Path(output_dir) if output_dir is not None else GENERATED_DIR
    output_dir.mkdir(parents=True, exist_ok=True)
    output = output_dir / (output_name or path.name)
    remove_stale_partials(output)
    partial = output.with_name(f".{output.stem}.running-{os.getpid()}.ipynb")
    failed = output.with_name(f"{output.stem}.failed.ipynb")
    try:
        with inline_figures():
            papermill.execute_notebook(
                str(path), str(partial), parameters=parameters,
                cwd=str(cwd if cwd is not None else REPO), kernel_name=kernel_name,
                progress_bar=progress, report_mode=False, execution_timeout=timeout)
    except PapermillExecutionError as error:
        os.replace(partial, failed)
        raise NotebookError(f"{path.name} failed in {notebook_error_message(error)}\n"
                            f"(the executed notebook with the error: {failed})") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    failed.unlink(missing_ok=True)
    fold_set_up(partial)
    os.replace(partial, output)
    return output


INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


@contextlib.contextmanager
def inline_figures():
    """The kernel draws its figures into the notebook whatever MPLBACKEND the caller has

    The kernel inherits our environment, and ipykernel keeps an MPLBACKEND it finds; with
    ``MPLBACKEND=Agg`` (usual on a headless machine or in CI) ``plt.show()`` would then draw
    nothing into the notebook and the book's pages would have no figures.
    """
    before = os.environ.get("MPLBACKEND")
    os.environ["MPLBACKEND"] = INLINE_BACKEND
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("MPLBACKEND", None)
        else:
            os.environ["MPLBACKEND"] = before


def fold_set_up(path: Path) -> None:
    """What a reader of the rendered page does not need to see: papermill's injected-parameters
    cell is removed from the page (myst-nb tag "remove-cell"); the parameters cell and cells
    tagged "fold" keep their code behind a toggle ("hide-input")"""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        tags = cell.metadata.setdefault("tags", [])
        if "injected-parameters" in tags and "remove-cell" not in tags:
            tags.append("remove-cell")
        elif ("parameters" in tags or "fold" in tags) and "hide-input" not in tags:
            tags.append("hide-input")
    nbformat.write(nb, path)


def parse_parameters(pairs: list[list[str]] | None) -> dict:
    return {name: parse_value(value) for name, value in (pairs or [])}


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "run", help="execute a notebook with papermill (strict parameters) into the book tree",
        description=__doc__.splitlines()[0])
    p.add_argument("notebook", help="path, or a name in notebooks/ (e.g. 01-data)")
    p.add_argument("-p", "--parameter", nargs=2, action="append", metavar=("NAME", "VALUE"),
                   help="a parameter of the notebook's parameters cell, value read as YAML")
    p.add_argument("--output-dir", default=None,
                   help=f"where the executed copy goes (default {GENERATED_DIR.relative_to(REPO)})")
    p.add_argument("--output-name", default=None,
                   help="file name of the executed copy (default: the notebook's)")
    p.add_argument("--list", action="store_true", help="list the notebook's parameters and exit")
    p.add_argument("--progress", action="store_true", help="show papermill's progress bar")
    p.set_defaults(handler=run_command)


def run_command(args: argparse.Namespace) -> int:
    try:
        if args.list:
            for name, info in notebook_parameters(args.notebook).items():
                print(f"{name} = {info['default']}  ({info['type']})")
            return 0
        parameters = parse_parameters(args.parameter)
        start = time.perf_counter()
        output = run_notebook(args.notebook, parameters, output_dir=args.output_dir,
                              output_name=args.output_name, progress=args.progress)
    except (ParameterError, NotebookError, FileNotFoundError) as error:
        print(f"python -m ascnb run: {error}", file=sys.stderr)
        return 1
    print(f"{output} ({time.perf_counter() - start:.1f} s)")
    return 0
