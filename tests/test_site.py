"""The course site and slides (course/build_site.py): built from fresh runs, complete, and offline.

The fast tests read the notebooks and the guide's sources. The slow ones (`pytest -m slow`) run the
README's build command into a temporary folder, serve it on 127.0.0.1 and read every page and every deck
in headless Chromium with every request beyond the server refused: each notebook has a page; each page
shows as many pictures as its run drew (counted in the executed notebook the site keeps); math is typeset
with no raw TeX and no MathJax error left; no console error; pause points are styled and on their own
slides; solutions stay folded; launch links name pyproject.toml's repository. Screenshots land in
artifacts/site/.
"""

import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import browser
import nbformat
import pytest
from build_site import (
    GUIDE,
    NOTEBOOKS,
    PAUSE,
    ROOT,
    WIDGET_VIEW,
    RunNotebook,
    binder_url,
    for_the_page,
    for_the_slides,
    guide_chapter,
    is_pause_point,
    study_minutes,
)

PATHS = sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
ARTIFACTS = ROOT / "artifacts" / "site"


def unexecuted(path):
    return RunNotebook(path, nbformat.read(path, as_version=4), seconds=0.0)


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_the_guide_has_a_chapter_for_each_notebook_with_every_part(path):
    run = unexecuted(path)
    source = (GUIDE / f"{run.number}.md").read_text(encoding="utf-8")
    assert source.startswith(f"## {run.title}\n"), f"{run.number}.md should start with '## {run.title}'"
    assert 10 <= study_minutes(source, run.number) <= 180
    for label in (
        "**Objectives.**",
        "**Prerequisites.**",
        "**A 50-minute class.**",
        "**Three common misconceptions.**",
    ):
        assert label in source, f"{run.number}.md: no {label}"
    chapter = guide_chapter(run)  # every [[cell ID]] names a cell of the notebook, or this raises
    left = re.findall(r"\[\[[^]]*]]", chapter)
    assert not left, f"{run.number}.md: markers left: {left}"
    misconceptions = source.split("**Three common misconceptions.**")[1]
    assert len(re.findall(r"^\d\. \*\*", misconceptions, flags=re.MULTILINE)) == 3
    assert len(re.findall(r"\[\[cell ", misconceptions)) >= 3, (
        "each misconception names the cell that meets it"
    )
    plan = source.split("**A 50-minute class.**")[1].split("**Pause points.**")[0]
    spans = [(int(a), int(b)) for a, b in re.findall(r"^\| (\d+)-(\d+) \|", plan, flags=re.MULTILINE)]
    assert spans and spans[0][0] == 0 and spans[-1][1] == 50, f"{run.number}.md: the plan spans {spans}"
    assert all(end == start for (_, end), (start, _) in zip(spans, spans[1:])), f"gaps or overlaps: {spans}"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_slides_give_each_section_a_slide_and_each_pause_point_a_slide_of_its_own(path):
    notebook = for_the_slides(for_the_page(nbformat.read(path, as_version=4)))
    kinds = [cell.metadata["slideshow"]["slide_type"] for cell in notebook.cells]
    for index, cell in enumerate(notebook.cells):
        if cell.source.startswith("## "):
            assert kinds[index] == "slide", f"cell {index} starts a section"
        if is_pause_point(cell):
            assert kinds[index] == "subslide" and kinds[index + 1] in ("slide", "subslide"), f"cell {index}"
            assert "pause-point" in cell.metadata["tags"]


def test_a_page_shows_a_widget_as_its_still_and_leaves_out_a_control_without_a_picture():
    view = {"model_id": "abc", "version_major": 2, "version_minor": 0}
    cell = nbformat.v4.new_code_cell("...")
    cell.outputs = [
        nbformat.v4.new_output("display_data", {"text/plain": "HBox()", WIDGET_VIEW: view}),
        nbformat.v4.new_output(
            "display_data", {"text/plain": "Explorer", "image/png": "iVBORw0KGgo=", WIDGET_VIEW: view}
        ),
        nbformat.v4.new_output("stream", name="stdout", text="trained\n"),
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(f"{PAUSE} why?"), cell])
    page = for_the_page(notebook)
    outputs = page.cells[1].outputs
    assert [output.output_type for output in outputs] == ["display_data", "stream"]
    assert set(outputs[0].data) == {"text/html"}
    assert 'src="data:image/png;base64,iVBORw0KGgo="' in outputs[0].data["text/html"]
    assert page.cells[0].metadata["tags"] == ["pause-point"]
    assert len(notebook.cells[1].outputs) == 3, "the executed notebook itself is left as it ran"


# ---- the built site, in a browser ------------------------------------------------------------------

MISSING = browser.missing_browser()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The README's build command, run as an instructor would, into a temporary folder."""
    if MISSING:
        if os.environ.get(browser.REQUIRE_ENV) == "1":
            pytest.fail(f"{browser.REQUIRE_ENV}=1 but {MISSING}")
        pytest.skip(MISSING)
    folder = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [sys.executable, str(ROOT / "course" / "build_site.py"), "--out", str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert done.returncode == 0, f"the site's build failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return folder


@pytest.fixture(scope="module")
def served(site):
    """The site on a static server of our own on 127.0.0.1, stopped by its PID."""
    port = browser.free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "--directory", str(site), str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/index.html", timeout=2).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the static server did not start"
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


class Visit:
    """One page read in Chromium: what it asked for beyond the server, and what it logged as an error."""

    def __init__(self, context, base):
        self.base, self.outside, self.errors = base, [], []
        self.page = context.new_page()
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("requestfailed", lambda request: self.errors.append(f"failed: {request.url}"))

    def open(self, path):
        self.page.goto(f"{self.base}/{path}", wait_until="load")
        typeset = (
            "() => new Promise(done => window.MathJax ? MathJax.Hub.Queue(() => done(true)) : done(false))"
        )
        assert self.page.evaluate(typeset), f"{path}: MathJax did not load"
        return self.page


@pytest.fixture(scope="module")
def chromium(served, tmp_path_factory):
    with browser.chromium(tmp_path_factory.mktemp("profile")) as context:
        outside = []

        def only_local(route):
            if route.request.url.startswith(served + "/"):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        context.route("**/*", only_local)
        yield context, outside


PICTURES = "document.querySelectorAll('.jp-OutputArea-output img')"
RAW_TEX = """() => [...document.querySelectorAll('.jp-RenderedMarkdown')].map(cell => {
    const copy = cell.cloneNode(true);
    copy.querySelectorAll('code, pre, script').forEach(node => node.remove());
    return copy.innerText;
}).join('\\n')"""


def figures_in(executed: Path) -> int:
    """Outputs of the executed notebook that hold a picture: a figure, or a widget with its still."""
    notebook = nbformat.read(executed, as_version=4)
    return sum(
        "image/png" in output.get("data", {})
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )


def check_typeset(page, path):
    assert page.evaluate("document.querySelectorAll('.MathJax').length") > 0, f"{path}: no math typeset"
    assert page.evaluate("document.querySelectorAll('.MathJax .merror, .MathJax_Error').length") == 0, (
        f"{path}: MathJax could not read some TeX"
    )
    text = page.evaluate(RAW_TEX)
    left = re.findall(r"\$\$|\$[^$\s][^$]*\$|\\(?:frac|partial|sum|mathbf|star)\b", text)
    assert not left, f"{path}: TeX left untypeset: {left[:5]}"


def check_pictures(page, path, expected):
    count = page.evaluate(f"{PICTURES}.length")
    assert count == expected, f"{path}: {count} pictures on the page, the notebook's run drew {expected}"
    broken = page.evaluate(f"[...{PICTURES}].filter(img => !(img.complete && img.naturalWidth > 0)).length")
    assert broken == 0, f"{path}: {broken} pictures did not load"


@pytest.mark.slow  # builds the whole site: every notebook runs once more
def test_every_notebook_has_a_page_with_its_figures_typeset_math_and_nothing_from_outside(
    site, served, chromium
):
    context, outside = chromium
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    visit = Visit(context, served)

    index = visit.open("index.html")
    hrefs = index.evaluate("[...document.querySelectorAll('a')].map(a => a.getAttribute('href'))")
    for path in PATHS:
        assert path.with_suffix(".html").name in hrefs, f"the index does not link {path.name}"

    for position, path in enumerate(PATHS):
        name = path.with_suffix(".html").name
        page = visit.open(name)
        check_typeset(page, name)
        check_pictures(page, name, figures_in(site / "notebooks" / path.name))
        pauses = sum(is_pause_point(cell) for cell in nbformat.read(path, as_version=4).cells)
        styled = page.evaluate("document.querySelectorAll('.celltag_pause-point').length")
        assert styled == pauses >= 3, f"{name}: {styled} pause points styled, the notebook has {pauses}"
        assert page.evaluate("document.querySelectorAll('details[open]').length") == 0, (
            f"{name}: an answer is unfolded"
        )
        links = page.evaluate(
            "[...document.querySelectorAll('.course-nav-top a')].map(a => a.getAttribute('href'))"
        )
        assert binder_url(path.name) in links and f"slides/{name}" in links, f"{name}: launch links {links}"
        if position + 1 < len(PATHS):
            assert PATHS[position + 1].with_suffix(".html").name in links, (
                f"{name}: no link to the next notebook"
            )
        if path.name.startswith("04"):
            page.screenshot(path=ARTIFACTS / "page-04.png")

    guide = visit.open("instructors-guide.html")
    check_typeset(guide, "instructors-guide.html")
    text = guide.inner_text("body")
    for path in PATHS:
        title = unexecuted(path).title
        assert title in text, f"the guide has no chapter for {title}"
    measured = guide.evaluate(
        "[...document.querySelectorAll('td')].filter(td => td.innerText.includes('kernel start')).length"
    )
    assert measured == len(PATHS), f"{measured} notebooks' section times in the guide, {len(PATHS)} notebooks"
    guide.screenshot(path=ARTIFACTS / "guide.png")

    assert not outside, f"pages asked for files beyond 127.0.0.1: {outside[:5]}"
    assert not visit.errors, f"console errors: {visit.errors[:5]}"


@pytest.mark.slow  # builds the whole site: every notebook runs once more
def test_every_notebook_has_slides_offline_with_each_pause_point_on_a_slide_of_its_own(
    site, served, chromium
):
    context, outside = chromium
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    visit = Visit(context, served)
    for path in PATHS:
        name = f"slides/{path.with_suffix('.html').name}"
        page = visit.open(name)
        assert page.evaluate("Reveal.isReady()"), f"{name}: reveal.js did not start"
        sections = page.evaluate("document.querySelectorAll('.reveal .slides > section').length")
        headings = sum(cell.source.startswith("## ") for cell in nbformat.read(path, as_version=4).cells)
        assert sections == headings + 1, f"{name}: {sections} slides for {headings} sections and the title"
        check_typeset(page, name)
        check_pictures(page, name, figures_in(site / "notebooks" / path.name))
        alone = page.evaluate(
            "[...document.querySelectorAll('.celltag_pause-point')]"
            ".map(cell => cell.closest('section').querySelectorAll('.jp-Cell').length)"
        )
        assert len(alone) >= 3 and set(alone) == {1}, f"{name}: cells on each pause point's slide: {alone}"
        links = page.evaluate(
            "[...document.querySelectorAll('.course-slides-nav a')].map(a => a.getAttribute('href'))"
        )
        assert binder_url(path.name) in links, f"{name}: no launch link to {binder_url(path.name)}"
        if path.name.startswith("04"):
            first_pause = page.evaluate(
                "Reveal.getIndices(document.querySelector('.celltag_pause-point').closest('section'))"
            )
            page.evaluate(f"Reveal.slide({first_pause['h']}, {first_pause['v']})")
            page.wait_for_timeout(500)
            page.screenshot(path=ARTIFACTS / "slide-04-pause.png")
    assert not outside, f"slides asked for files beyond 127.0.0.1: {outside[:5]}"
    assert not visit.errors, f"console errors: {visit.errors[:5]}"
