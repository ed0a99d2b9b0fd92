"""Every notebook once more, under another CPU's arithmetic.

A learner's laptop or Binder picks its own BLAS kernels, and the last bits of a matrix product
differ between kernels and between thread counts; a notebook that trains for thousands of steps
amplifies them. nbval (pyproject.toml) runs the notebooks here with OpenBLAS's own choice for this
CPU; this file runs each again with the kernels OpenBLAS picks on an older CPU, on one thread, so
an assert that holds only on one machine's arithmetic fails here, not in a classroom. The runs use
one thread each, so two go at a time. They take minutes, so they are marked slow: `pytest -m slow`
runs them, and CI runs that after the README's test command.
"""

import asyncio
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
# the notebook that trains for minutes first, so that the other slot runs the rest meanwhile
NOTEBOOKS = sorted(
    NOTEBOOK_DIR.glob("*.ipynb"), key=lambda path: (path.name != "08-all-ten-digits-fast.ipynb", path.name)
)
# Sandybridge: AVX without FMA (this machine's default, Haswell, fuses multiply and add), on one thread
# (so the sums of a product split differently too). OpenBLAS's most generic kernels, Prescott (SSE3),
# gave the very figures Sandybridge gives on every notebook measured (tools/sweep_seeds.py runs both),
# so CI spends its time on one other environment.
ENVIRONMENTS = {"sandybridge-1-thread": {"OPENBLAS_CORETYPE": "Sandybridge", "OPENBLAS_NUM_THREADS": "1"}}
REPORTED_AS = {"Sandybridge": "Sandybridge"}
AT_A_TIME = 2
pytestmark = pytest.mark.skipif(
    platform.machine().lower() not in ("x86_64", "amd64"),
    reason="OpenBLAS's Sandybridge kernels exist on x86-64 processors only",
)


def blas_in(environment: dict) -> list[dict]:
    """What threadpoolctl reports in a fresh Python started with ``environment``."""
    code = (
        "import json, numpy, scipy.linalg, threadpoolctl; print(json.dumps(threadpoolctl.threadpool_info()))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


@pytest.mark.parametrize("name", ENVIRONMENTS)
def test_the_environment_takes_effect(name):
    environment = ENVIRONMENTS[name]
    libraries = blas_in(environment)
    if not any(library["internal_api"] == "openblas" for library in libraries):
        pytest.skip(f"NumPy here is not linked to OpenBLAS ({libraries}): OPENBLAS_CORETYPE means nothing")
    expected = REPORTED_AS[environment["OPENBLAS_CORETYPE"]]
    for library in libraries:
        assert (library["architecture"], library["num_threads"]) == (expected, 1), library


async def run(notebook: Path, environment: dict, slots: asyncio.Semaphore) -> str:
    """What went wrong running ``notebook`` in a kernel with ``environment``: an error, warnings, or ''."""
    nb = nbformat.read(notebook, as_version=4)
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK_DIR)}}
    )
    async with slots:
        try:
            await client.async_execute(env={**os.environ, **environment})
        except CellExecutionError as error:
            return f"fails:\n{error}"
    warned = [
        f"cell {i}: {output['text'][:300]}"
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.get("name") == "stderr" and "Warning" in output["text"]
    ]
    return "warns:\n" + "\n".join(warned) if warned else ""


@pytest.fixture(scope="module")
def verdicts() -> dict:
    """Every notebook under every environment, two runs at a time: (notebook name, env name) -> verdict."""

    async def run_all():
        slots = asyncio.Semaphore(AT_A_TIME)
        pairs = [(notebook, name) for name in ENVIRONMENTS for notebook in NOTEBOOKS]
        found = await asyncio.gather(*(run(notebook, ENVIRONMENTS[name], slots) for notebook, name in pairs))
        return {(notebook.name, name): verdict for (notebook, name), verdict in zip(pairs, found)}

    return asyncio.run(run_all())


@pytest.mark.slow
@pytest.mark.parametrize("name", ENVIRONMENTS)
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def test_notebook_runs_under(verdicts, notebook, name):
    verdict = verdicts[notebook.name, name]
    assert not verdict, f"{notebook.name} under {ENVIRONMENTS[name]} {verdict}"
