"""End to end, in a real browser: JupyterLab opens each notebook, runs it, and its widgets render and respond.

Every notebook in notebooks/ whose code uses ``cnnlib.widgets`` is opened in JupyterLab in
headless Chromium and run with Run > Run All Cells; then each widget's first control is changed
and its picture must change on screen. Screenshots before and after each change are saved to
``artifacts/browser/<notebook>-<widget>-{before,after}.png``. A fixture notebook then makes every
widget with the presentation setting on, in a 1280 x 720 window: each must fit without sideways
scrolling (``artifacts/browser/presentation-<n>.png``).

Needs Debian's Chromium at /usr/bin/chromium and the playwright package; without them these
tests are skipped (with the reason), unless CNNLIB_REQUIRE_BROWSER=1 (set by .ci/run), which
makes a missing browser a failure.
"""

import hashlib
import json
import os

import browser
import pytest

MISSING = browser.missing_browser()
NOTEBOOKS = browser.notebooks_with_widgets()
FIXTURE = browser.REPO / "tests" / "fixtures" / "broken-widget.ipynb"
PRESENTATION = browser.REPO / "tests" / "fixtures" / "presentation.ipynb"
TEN_DIGITS = browser.NOTEBOOKS / "08-all-ten-digits-fast.ipynb"


@pytest.fixture(scope="module")
def browser_ready():
    if MISSING:
        if os.environ.get(browser.REQUIRE_ENV) == "1":
            pytest.fail(f"{browser.REQUIRE_ENV}=1 but {MISSING}")
        pytest.skip(MISSING)


@pytest.fixture(scope="module")
def lab(browser_ready, tmp_path_factory):
    """A JupyterLab server rooted at the repository; stopped by its PID even when a test fails."""
    notebooks = sorted(browser.NOTEBOOKS.glob("*.ipynb")) + [FIXTURE, PRESENTATION]
    digests = {path: digest(path) for path in notebooks}
    with browser.jupyter_lab(browser.REPO, tmp_path_factory.mktemp("jupyterlab")) as server:
        yield server
    # JupyterLab runs here with autosave off: no notebook may come back saved with its outputs
    # (an author may rewrite one meanwhile, without outputs: that is not the test's doing).
    saved = [
        path.name
        for path in notebooks
        if path.exists() and digest(path) != digests[path] and has_outputs(path)
    ]
    assert not saved, f"JupyterLab saved notebooks with their outputs into the repository: {saved}"


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def has_outputs(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return any(
        cell.get("outputs") or cell.get("execution_count") for cell in cells if cell["cell_type"] == "code"
    )


@pytest.fixture(scope="module")
def context(lab, tmp_path_factory):
    with browser.chromium(tmp_path_factory.mktemp("chromium-profile")) as context:
        yield context


def test_some_notebook_has_widgets():
    """Guards the discovery: the course has widget notebooks, so finding none means it broke."""
    assert NOTEBOOKS, "found no notebook in notebooks/ whose code uses cnnlib.widgets"


@pytest.fixture(scope="module")
def checked(context, lab):
    """check_notebook's report, once per notebook: notebook 08 trains for minutes, and two tests read it."""
    reports = {}

    def check(notebook):
        if notebook not in reports:
            reports[notebook] = browser.check_notebook(context, lab, notebook)
        return reports[notebook]

    return check


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def test_widgets_render_and_respond(checked, notebook):
    report = checked(notebook)
    print(report.summary())
    assert report.widgets, (
        f"{notebook.name} uses cnnlib.widgets but shows no widget picture\n{report.summary()}"
    )
    assert not report.problems, report.summary()


def test_a_broken_widget_is_caught(context, lab):
    """The same check, on a notebook broken on purpose, must fail, and say where."""
    report = browser.check_notebook(context, lab, FIXTURE, change_timeout=8)
    print(report.summary())
    problems = "\n".join(report.problems)
    assert report.widgets == 2, report.summary()  # the third widget never renders a picture
    assert not any(problem.startswith("widget 1 ") for problem in report.problems), (
        f"the working widget was reported broken:\n{problems}"
    )
    assert "widget 2 of 2: the picture did not change" in problems, problems
    assert "1 widget(s) failed to display" in problems, problems
    assert (
        "Log Console while the widgets were used (e.g. an exception in a callback): RuntimeError: "
        "deliberately broken: the update callback fails" in problems
    ), problems
    assert "an output shows an error or warning: " in problems and "ValueError" in problems, problems


def test_a_one_drawn_with_the_mouse_is_read_as_a_one(checked):
    """Notebook 08 trains its network in JupyterLab; the check then draws a vertical stroke on its draw
    pad with the mouse, and the trained network must name it: a 1 (screenshot draw-pad.png, after it)."""
    report = checked(TEN_DIGITS)
    assert not report.problems, report.summary()
    errors = [note for note in report.notes if note.startswith(("browser console error", "JavaScript error"))]
    assert not errors, report.summary()
    pads = [number for number, said in report.said.items() if said.startswith("The network reads a ")]
    assert len(pads) == 1, (
        f"expected one draw pad answering in notebook 08, found what each widget said: {report.said}"
    )
    assert report.said[pads[0]].startswith("The network reads a 1 "), report.said[pads[0]]
    after = browser.ARTIFACTS / f"{TEN_DIGITS.stem}-{pads[0]}-after.png"
    (browser.ARTIFACTS / "draw-pad.png").write_bytes(after.read_bytes())


def test_every_widget_fits_a_projector_in_presentation_mode(context, lab):
    """cnnlib.plotting.presentation() on, a 1280 x 720 window, the side bar hidden: every widget's
    picture shows at its own size, with nothing to scroll sideways (screenshots presentation-*.png)."""
    report = browser.check_presentation(context, lab, PRESENTATION)
    print(report.summary())
    assert report.widgets >= 12, report.summary()
    assert not report.problems, report.summary()
