"""For the checkers' tests: a notebook's worked solutions (so tests check the very code a learner unfolds),
a checker's hint, and an exercise left unanswered."""

import json
import re
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
SOLUTION = re.compile(r"<details>.*?```python\n(.*?)```.*?</details>", re.DOTALL)


def load_solutions(notebook_name: str) -> dict[str, object]:
    """Run every ```python block inside a <details> block of the notebook's markdown cells.

    notebook_name: a file in notebooks/, e.g. "01-cross-correlation.ipynb".
    Returns the names the solutions define (their functions, by name).
    """
    cells = json.loads((NOTEBOOKS / notebook_name).read_text())["cells"]
    namespace: dict[str, object] = {}
    blocks = [
        block
        for cell in cells
        if cell["cell_type"] == "markdown"
        for block in SOLUTION.findall("".join(cell["source"]))
    ]
    if not blocks:
        raise LookupError(f"{notebook_name} has no worked solution (a ```python block inside <details>)")
    for block in blocks:
        exec(compile(block, f"{notebook_name} solution", "exec"), namespace)
    return namespace


def hint_of(result) -> str:
    """The checker's hint, the text after 'hint: ' ('' when it gave none)."""
    return result.message.partition("hint: ")[2]


def unanswered(*args):
    """An exercise as the notebook hands it out."""
    raise NotImplementedError


def assert_right_answers_pass_and_the_stub_is_unanswered(check, solution) -> None:
    """An exercise's checker passes its reference and the notebook's worked solution, and reports the
    notebook's stub (``raise NotImplementedError``) as not answered yet, not as wrong."""
    for right in (check.reference, solution):
        result = check(right)
        assert result.status == "passed" and bool(result), result.message
    stub = check(unanswered)
    assert stub.status == "unanswered" and "not answered yet" in repr(stub)
