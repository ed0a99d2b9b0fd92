"""The notebooks as files: stored clean, code that compiles on newer Pythons, the learner's words."""

import re
import warnings
from pathlib import Path

import nbformat
import pytest
from build_site import PAUSE  # the marker an instructor, the site and the slides look for

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# "the seed" was our word for the blog post and its code; a learner knows them as "the original
# post" and "the original code", and meets "seed" only as a random seed ("random seed 0", "seed=1")
JARGON = re.compile(
    r"\bthe seed\b(?!\s*(=|\d))|\bseed's\b|\bseeds'(?=\s)|\bseed_(network|gradient|vs)"
    r"|(?-i:\bSeed[A-Z]\w*)|\bseed (code|network|post|layer|start|run)\b",
    re.IGNORECASE,
)
LEARNER_TEXTS = [
    ROOT / "README.md",
    *NOTEBOOKS,
    *sorted((ROOT / "cnnlib").rglob("*.py")),
    *sorted((ROOT / "benchmarks").glob("*.py")),
    *sorted((ROOT / "course").rglob("*.md")),
    *sorted((ROOT / "course").rglob("*.py")),
]


def cells(path):
    return nbformat.read(path, as_version=4).cells


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_without_outputs(path):
    dirty = [
        i
        for i, cell in enumerate(cells(path))
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count)
    ]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs; learners and Binder run the notebooks"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_code_cell_compiles_without_warnings(path):
    # e.g. "\p" in a string: silent on 3.11, a SyntaxWarning from 3.12 on
    for i, cell in enumerate(cells(path)):
        if cell.cell_type == "code":
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                compile(cell.source, f"{path.name} cell {i}", "exec")


@pytest.mark.parametrize("path", LEARNER_TEXTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_seed_means_a_random_seed_only(path):
    text = "\n".join(cell.source for cell in cells(path)) if path.suffix == ".ipynb" else path.read_text()
    found = [match.group(0) for match in JARGON.finditer(text)]
    assert not found, f"{path.relative_to(ROOT)}: {found}; say 'the original code' (or post, network)"


ANSWER = re.compile(r"<details><summary>Answer</summary>\n\n.+\n</details>\s*$", re.DOTALL)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_at_least_three_pause_points_each_with_its_answer_folded_before_a_code_cell(path):
    notebook = cells(path)
    pauses = [
        i for i, cell in enumerate(notebook) if cell.cell_type == "markdown" and cell.source.startswith(PAUSE)
    ]
    assert len(pauses) >= 3, f"{path.name}: {len(pauses)} pause points (markdown cells starting {PAUSE!r})"
    for i in pauses:
        question, _, _ = notebook[i].source.partition("<details>")
        assert question.strip() != PAUSE and question.rstrip().endswith("?"), (
            f"{path.name} cell {i}: no question"
        )
        assert ANSWER.search(notebook[i].source), f"{path.name} cell {i}: no folded answer"
        assert i + 1 < len(notebook) and notebook[i + 1].cell_type == "code", (
            f"{path.name} cell {i}: the cell after a pause point must be the code cell that shows the answer"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_each_heading_starts_its_own_cell_and_sections_are_numbered_1_to_n(path):
    """The site's section times and the slides cut a notebook at the cells that start with a heading,
    and an instructor says "now section 6": a heading inside a cell, or a number skipped, breaks both."""
    notebook = cells(path)
    inside = [
        f"cell {i}: {line!r}"
        for i, cell in enumerate(notebook)
        if cell.cell_type == "markdown"
        for line in cell.source.splitlines()[1:]
        if line.startswith("#")
    ]
    assert not inside, f"{path.name}: headings inside a cell, split them into their own cells: {inside}"
    numbers = [
        int(found[1])
        for cell in notebook
        if cell.cell_type == "markdown" and (found := re.match(r"## (\d+)\. ", cell.source))
    ]
    assert numbers == list(range(1, len(numbers) + 1)), f"{path.name}: sections numbered {numbers}"
