"""Run a notebook with other random seeds and other BLAS kernels, to size its asserts' margins.

A notebook's asserts must hold on every learner's machine, where the last bits of each matrix
product differ, and a long training run amplifies them. A run from another random seed moves
much further than another machine's rounding does, so an assert that holds for every seed here
and under every BLAS environment below has a margin to spare. The notebook's ``SEED = <n>`` line
is replaced by each seed in turn (the notebook itself is not changed); each run reports its
failing cells, if any: every cell runs, so a claim about the notebook's own seed before any
training (which other seeds may well break; such a claim carries a margin assert instead) does
not hide the claims after it.

    python tools/sweep_seeds.py notebooks/06-mnist-zeros-and-ones.ipynb --seeds 0-9 \
        [--environments default sandybridge]
"""

import argparse
import os
import re
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ENVIRONMENTS = {
    "default": {},
    "sandybridge": {"OPENBLAS_CORETYPE": "Sandybridge", "OPENBLAS_NUM_THREADS": "1"},
    "prescott": {"OPENBLAS_CORETYPE": "Prescott", "OPENBLAS_NUM_THREADS": "1"},
}
SEED_LINE = re.compile(r"^SEED = \d+$", re.MULTILINE)
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def seeds(text: str) -> list[int]:
    """'0-9' or '0,3,5' -> the seeds."""
    if "-" in text:
        first, last = map(int, text.split("-"))
        return list(range(first, last + 1))
    return [int(seed) for seed in text.split(",")]


def with_seed(path: Path, seed: int) -> nbformat.NotebookNode:
    notebook = nbformat.read(path, as_version=4)
    cells = [cell for cell in notebook.cells if cell.cell_type == "code" and SEED_LINE.search(cell.source)]
    if len(cells) != 1:
        raise SystemExit(f"{path.name}: expected one code cell with a line 'SEED = <n>', found {len(cells)}")
    cells[0].source = SEED_LINE.sub(f"SEED = {seed}", cells[0].source)
    return notebook


def run(path: Path, seed: int, environment: dict) -> str:
    """'ok', or for each failing cell its number and the line that failed."""
    notebook = with_seed(path, seed)
    client = NotebookClient(
        notebook,
        timeout=1800,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute(env={**os.environ, **environment})
    failures = [
        f"cell {i}: {failed_line(cell.source, output)}"
        for i, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "error"
    ]
    return "FAILED " + "; ".join(failures) if failures else "ok"


def failed_line(source: str, error) -> str:
    """The line of the cell the traceback points at (IPython marks it with an arrow), and the error's name."""
    plain = ANSI.sub("", "\n".join(error.traceback))
    numbers = [int(n) for n in re.findall(r"-+> (\d+)", plain)]  # "----> 7", "---> 12"
    line = source.splitlines()[numbers[0] - 1].strip() if numbers else "?"  # the first arrow is in the cell
    return f"{error.ename} at `{line}`"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--seeds", type=seeds, default=seeds("0-9"))
    parser.add_argument("--environments", nargs="+", choices=list(ENVIRONMENTS), default=list(ENVIRONMENTS))
    args = parser.parse_args()
    failures = 0
    for name in args.environments:
        for seed in args.seeds:
            start = time.perf_counter()
            verdict = run(args.notebook.resolve(), seed, ENVIRONMENTS[name])
            failures += verdict != "ok"
            print(f"{name:>12}  seed {seed:>3}  {time.perf_counter() - start:5.0f} s  {verdict}", flush=True)
    print(f"{failures} of {len(args.environments) * len(args.seeds)} runs failed")
    raise SystemExit(1 if failures else 0)


if __name__ == "__main__":
    main()
