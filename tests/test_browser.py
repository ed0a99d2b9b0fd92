"""End to end, in a real browser: JupyterLab opens each notebook, runs it, and its widgets render and respond.

Every notebook in notebooks/ whose code uses ``cnnlib.widgets`` (but 08: see TRAINS_FOR_MINUTES) is
opened in JupyterLab in headless Chromium and run with Run > Run All Cells; then each widget's first
control is changed and its picture must change on screen. Screenshots before and after each change
are saved to ``artifacts/browser/<notebook>-<widget>-{before,after}.png``. A fixture notebook then
makes every widget with the presentation setting on, in a 1280 x 720 window: each must fit without
sideways scrolling (``artifacts/browser/presentation-<n>.png``); another draws a digit on the pad.

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
# Notebook 08 trains on all 60,000 digits for minutes; nbval and tests/test_notebooks_elsewhere.py run
# it already, and a third run here would be the suite's longest file. Its two widgets are checked in
# JupyterLab all the same: the draw pad by draw-pad.ipynb (with a trained network), both by
# presentation.ipynb.
TRAINS_FOR_MINUTES = {"08-all-ten-digits-fast.ipynb"}
NOTEBOOKS = [path for path in browser.notebooks_with_widgets() if path.name not in TRAINS_FOR_MINUTES]
FIXTURE = browser.REPO / "tests" / "fixtures" / "broken-widget.ipynb"
PRESENTATION = browser.REPO / "tests" / "fixtures" / "presentation.ipynb"
DRAW_PAD = browser.REPO / "tests" / "fixtures" / "draw-pad.ipynb"


@pytest.fixture(scope="module")
def browser_ready():
    if MISSING:
        if os.environ.get(browser.REQUIRE_ENV) == "1":
            pytest.fail(f"{browser.REQUIRE_ENV}=1 but {MISSING}")
        pytest.skip(MISSING)


@pytest.fixture(scope="module")
def lab(browser_ready, tmp_path_factory):
    """A JupyterLab server rooted at the repository; stopped by its PID even when a test fails."""
    notebooks = sorted(browser.NOTEBOOKS.glob("*.ipynb")) + [FIXTURE, PRESENTATION, DRAW_PAD]
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


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def test_widgets_render_and_respond(context, lab, notebook):
    report = browser.check_notebook(context, lab, notebook)
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


def test_a_one_drawn_with_the_mouse_is_read_as_a_one(context, lab):
    """The fixture trains a small network on all MNIST for one epoch; the check then draws a vertical stroke
    on its draw pad with the mouse, and the network must name it: a 1 (screenshot draw-pad.png, after it)."""
    report = browser.check_notebook(context, lab, DRAW_PAD)
    print(report.summary())
    assert report.widgets == 1 and not report.problems, report.summary()
    errors = [note for note in report.notes if note.startswith(("browser console error", "JavaScript error"))]
    assert not errors, report.summary()
    assert report.said[1].startswith("The network reads a 1 "), report.said
    after = browser.ARTIFACTS / "draw-pad-1-after.png"
    (browser.ARTIFACTS / "draw-pad.png").write_bytes(after.read_bytes())


def test_every_widget_fits_a_projector_in_presentation_mode(context, lab):
    """cnnlib.plotting.presentation() on, a 1280 x 720 window, the side bar hidden: every widget's
    picture shows at its own size, with nothing to scroll sideways (screenshots presentation-*.png)."""
    report = browser.check_presentation(context, lab, PRESENTATION)
    print(report.summary())
    assert report.widgets >= 12, report.summary()
    assert not report.problems, report.summary()
