"""Build the course's static site and slides from freshly executed notebooks.

    .venv/bin/python course/build_site.py            # every notebook, into _site/
    .venv/bin/python course/build_site.py 02 04      # only notebooks 02 and 04: a quick look

Each notebook runs top to bottom in a fresh kernel, one after the other (never from outputs stored in
git); the run's cell timings give the instructor's guide the time of each section. MathJax, reveal.js
and the styles are copied into the site, so that it reads offline: from a folder, a USB stick or a
classroom's own server. Open _site/index.html.
"""

import argparse
import copy
import os
import platform
import re
import shutil
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import jupyter_server_mathjax
import nbformat
import sphinx_revealjs
from nbclient import NotebookClient
from nbconvert import HTMLExporter, SlidesExporter
from traitlets.config import Config

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
COURSE = Path(__file__).resolve().parent
GUIDE = COURSE / "guide"
PAUSE = "**Pause and predict:**"  # the marker of a pause point (tests/test_notebook_sources.py counts them)
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
MATHJAX = "MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"
SOCKETS = Path(tempfile.gettempdir())


def published_repository() -> tuple[str, str]:
    """(owner, name) on GitHub from pyproject.toml's [project.urls]: the course's one address."""
    urls = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["urls"]
    found = re.fullmatch(r"https://github\.com/(?P<owner>[^/]+)/(?P<name>[^/]+)", urls["Repository"])
    if not found:
        raise ValueError(
            f"pyproject.toml's [project.urls] Repository should be https://github.com/OWNER/NAME, "
            f"got {urls['Repository']!r}"
        )
    return found["owner"], found["name"]


def binder_url(notebook: str) -> str:
    """Where Binder opens `notebook` (a file name in notebooks/) in JupyterLab."""
    owner, name = published_repository()
    return f"https://mybinder.org/v2/gh/{owner}/{name}/HEAD?urlpath=lab/tree/notebooks/{notebook}"


def jupyterlab_url(notebook: str) -> str:
    """The notebook in the JupyterLab that the README's first command starts (port 8888, the project root)."""
    return f"http://localhost:8888/lab/tree/notebooks/{notebook}"


@dataclass
class Section:
    title: str  # the level-2 heading's text, or "Introduction" before the first one
    first_cell: int
    code_cells: int
    seconds: float


@dataclass
class RunNotebook:
    path: Path
    notebook: nbformat.NotebookNode  # executed, with each cell's timing in its metadata
    seconds: float

    @property
    def number(self) -> str:
        return self.path.name[:2]

    @property
    def page(self) -> str:
        return self.path.with_suffix(".html").name

    @property
    def title(self) -> str:
        return self.notebook.cells[0].source.splitlines()[0].lstrip("# ").strip()


def execute(path: Path) -> RunNotebook:
    """Run the notebook top to bottom in a fresh kernel, as a learner would; stop on the first error."""
    notebook = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(
        notebook,
        timeout=900,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=True,
        store_widget_state=False,  # the pages show each widget's still picture, never a live widget
        # local socket files instead of TCP ports: nothing listens on the network, and the kernel does not
        # warn about it; their path is absolute, as the kernel runs in notebooks/ and we do not
        config=Config({"KernelManager": {"transport": "ipc", "ip": str(SOCKETS / f"kernel-{os.getpid()}")}}),
    ).execute()
    return RunNotebook(path, notebook, time.perf_counter() - start)


def cell_seconds(cell) -> float:
    timing = cell.metadata.get("execution", {})
    if "iopub.status.busy" not in timing:
        return 0.0
    busy, idle = (datetime.fromisoformat(timing[key]) for key in ("iopub.status.busy", "iopub.status.idle"))
    return (idle - busy).total_seconds()


def sections(notebook) -> list[Section]:
    """The notebook cut at its level-2 headings (## ...), with the run time of each part's code."""
    found = [Section("Introduction", 0, 0, 0.0)]
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown" and cell.source.startswith("## "):
            found.append(Section(cell.source.splitlines()[0][3:].strip(), index, 0, 0.0))
        elif cell.cell_type == "code":
            found[-1].code_cells += 1
            found[-1].seconds += cell_seconds(cell)
    return found


def section_of(notebook, cell_index: int) -> str:
    """How an instructor names the place of a cell: 'section 4' (or the heading's words)."""
    title = [s for s in sections(notebook) if s.first_cell <= cell_index][-1].title
    number = re.match(r"(\d+)\.", title)
    return f"section {number[1]}" if number else f"“{title}”"


def is_pause_point(cell) -> bool:
    return cell.cell_type == "markdown" and cell.source.startswith(PAUSE)


def still(output) -> dict:
    """A widget's output as its still picture, captioned so that a reader knows it moves elsewhere."""
    return {
        "text/html": (
            '<figure class="widget-still">'
            f'<img src="data:image/png;base64,{output.data["image/png"]}" alt="a still of the widget">'
            "<figcaption>A still of an interactive widget: open the notebook in JupyterLab or on Binder "
            "to use it.</figcaption></figure>"
        )
    }


def for_the_page(notebook):
    """A copy to publish: pause points tagged for their style, each widget replaced by its still."""
    page = copy.deepcopy(notebook)
    for cell in page.cells:
        if is_pause_point(cell):
            cell.metadata.setdefault("tags", []).append("pause-point")
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.outputs:
            data = output.get("data", {})
            if WIDGET_VIEW not in data:
                kept.append(output)
            elif "image/png" in data:  # one of cnnlib's widgets: it carries its picture
                output.data = still(output)
                kept.append(output)
            # else a control without a picture (a progress bar): nothing to show on a page
        cell.outputs = kept
    return page


def for_the_slides(page):
    """One slide per section (## ...); below it a sub-slide per step: the prose, then the code cell it
    leads to with its output. Each pause point is a slide of its own, so the class sees the question
    alone and the answer comes with the next slide."""
    slides = copy.deepcopy(page)
    previous = None
    for index, cell in enumerate(slides.cells):
        if index == 0 or cell.source.startswith("## "):
            kind = "slide"
        elif (
            is_pause_point(cell)
            or is_pause_point(previous)
            or cell.source.startswith("### ")
            or previous.cell_type == "code"  # prose after code, or a second code cell: the next step
        ):
            kind = "subslide"
        else:
            kind = "-"
        cell.metadata["slideshow"] = {"slide_type": kind}
        previous = cell
    return slides


def markdown_notebook(title: str, markdown: str, tag: str):
    """A page that is not a notebook (the index, the guide) made with the notebooks' own template."""
    notebook = nbformat.v4.new_notebook(metadata={"title": title})
    cell = nbformat.v4.new_markdown_cell(markdown)
    cell.metadata["tags"] = [tag]
    notebook.cells = [cell]
    return notebook


def page_resources(name: str, course: dict) -> dict:
    return {"metadata": {"name": name}, "course": {"assets": "assets", **course}}


def exporter(kind):
    made = kind(
        template_name=f"course_{'slides' if kind is SlidesExporter else 'page'}",
        extra_template_basedirs=[str(COURSE / "templates")],
        extra_template_paths=[str(COURSE / "templates")],  # for course_mathjax.html.j2, shared by both
    )
    made.mathjax_url = f"{'../' if kind is SlidesExporter else ''}assets/mathjax/{MATHJAX}"
    if kind is SlidesExporter:
        made.reveal_url_prefix = "../assets/reveal.js"
        made.reveal_theme = "white"  # its fonts ship with reveal.js; "simple" would fetch them from Google
    return made


def copy_assets(site: Path) -> None:
    """MathJax (from jupyter-server-mathjax), reveal.js (from sphinx-revealjs) and our styles."""
    assets = site / "assets"
    shutil.copytree(
        Path(jupyter_server_mathjax.__file__).parent / "static", assets / "mathjax", dirs_exist_ok=True
    )
    reveal = Path(sphinx_revealjs.__file__).parent / "_static" / "revealjs"
    for part in ("dist", "plugin/notes"):
        shutil.copytree(reveal / part, assets / "reveal.js" / part, dirs_exist_ok=True)
    shutil.copy(COURSE / "templates" / "course.css", assets / "course.css")


def readme_teachings() -> dict[str, str]:
    """What each notebook teaches, from the README's table (one place to say it)."""
    rows = re.findall(
        r"^\| \[[^\]]*\]\(notebooks/(?P<file>[^)]+)\) \| (?P<what>.+?) \|$",
        (ROOT / "README.md").read_text(encoding="utf-8"),
        flags=re.MULTILINE,
    )
    return dict(rows)


def study_minutes(guide_text: str, number: str) -> int:
    found = re.search(r"\*\*Study time:\*\* about (\d+) minutes", guide_text)
    if not found:
        raise ValueError(f"course/guide/{number}.md: no line '**Study time:** about N minutes ...'")
    return int(found[1])


def minutes_and_seconds(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 60 else f"{int(seconds // 60)} min {seconds % 60:.0f} s"


def section_times_table(run: RunNotebook) -> str:
    rows = ["| section | code cells | run time |", "| --- | ---: | ---: |"]
    for section in sections(run.notebook):
        link = f"[{section.title}]({run.page}#cell-id={run.notebook.cells[section.first_cell].id})"
        rows.append(f"| {link} | {section.code_cells} | {minutes_and_seconds(section.seconds)} |")
    rows.append(
        f"| **the whole notebook, kernel start included** | | **{minutes_and_seconds(run.seconds)}** |"
    )
    return "\n".join(rows)


def pause_points_list(run: RunNotebook) -> str:
    items = []
    for index, cell in enumerate(run.notebook.cells):
        if is_pause_point(cell):
            question = cell.source[len(PAUSE) :].split("<details>")[0].strip().replace("\n", " ")
            items.append(f"1. {place_link(run, index)}: {question}")
    return "\n".join(items)


def place_link(run: RunNotebook, index: int) -> str:
    """A markdown link to a cell of the notebook's page, named as an instructor would: section 4, cell 31."""
    target = f"{run.page}#cell-id={run.notebook.cells[index].id}"
    return f"[{section_of(run.notebook, index)}, cell {index + 1}]({target})"


def guide_chapter(run: RunNotebook) -> str:
    """The guide's page for one notebook, with this build's section times, pause points and cell links."""
    path = GUIDE / f"{run.number}.md"
    if not path.exists():
        raise FileNotFoundError(
            f"the instructor's guide has no chapter for notebook {run.number}: write {path}"
        )
    text = path.read_text(encoding="utf-8")
    for marker in ("[[section-times]]", "[[pause-points]]"):
        if marker not in text:
            raise ValueError(f"{path}: the marker {marker} is missing")
    ids = {cell.id: index for index, cell in enumerate(run.notebook.cells)}

    def link(match):
        if match[1] not in ids:
            raise ValueError(f"{path}: [[cell {match[1]}]] names no cell of {run.path.name}")
        return place_link(run, ids[match[1]])

    text = text.replace("[[section-times]]", section_times_table(run))
    text = text.replace("[[pause-points]]", pause_points_list(run))
    anchor = f'<a id="{guide_anchor(run)}"></a>\n\n'  # each notebook's page links to its chapter
    return anchor + re.sub(r"\[\[cell ([^\]]+)\]\]", link, text)


def guide_anchor(run: RunNotebook) -> str:
    return f"notebook-{run.number}"


def machine() -> str:
    """Where the times were measured, in the words of the pages that show them."""
    return f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}"


def index_markdown(runs: list[RunNotebook]) -> str:
    teaches = readme_teachings()
    owner, name = published_repository()
    rows = [
        "| notebook | what it teaches | study time | runs in | |",
        "| --- | --- | ---: | ---: | --- |",
    ]
    for run in runs:
        if run.path.name not in teaches:
            raise ValueError(f"README.md's table of notebooks has no row for {run.path.name}")
        minutes = study_minutes((GUIDE / f"{run.number}.md").read_text(encoding="utf-8"), run.number)
        rows.append(
            f"| [{run.title}]({run.page}) | {teaches[run.path.name]} | about {minutes} min "
            f"| {minutes_and_seconds(run.seconds)} | [slides](slides/{run.page}) · "
            f"[Binder]({binder_url(run.path.name)}) |"
        )
    return "\n\n".join(
        [
            "# CNN from scratch",
            "An interactive course on how a convolutional neural network computes and learns, built from "
            "nothing but NumPy and SciPy. These pages show every notebook as it ran when this site was "
            f"built ({datetime.now():%Y-%m-%d}, on {machine()}): every figure, and a still of every widget. "
            "To move the sliders, run the code and do the exercises, open a notebook in JupyterLab "
            "(the README's first command) or on Binder.",
            "\n".join(rows),
            "*Study time* is how long a learner on their own takes, exercises included (our estimate); "
            "*runs in* is how long the notebook took to run top to bottom for this site.",
            "**For instructors:** [the instructor's guide](instructors-guide.html): objectives, "
            "prerequisites, section times, a 50-minute plan, pause points and misconceptions for each "
            "notebook, and how to teach a room offline. Each notebook also has slides.",
            f"Source: [github.com/{owner}/{name}](https://github.com/{owner}/{name}).",
        ]
    )


def guide_markdown(runs: list[RunNotebook]) -> str:
    introduction = (GUIDE / "introduction.md").read_text(encoding="utf-8")
    measured = (
        "## Notebook by notebook\n\n"
        f"The section times below were measured while this site was built ({datetime.now():%Y-%m-%d}, "
        f"on {machine()}): each notebook ran alone in a fresh kernel, and a section's time is the sum of "
        "its code cells' run times as the kernel reported them."
    )
    chapters = "\n".join(f"- [{run.title}](#{guide_anchor(run)})" for run in runs)
    return "\n\n".join([introduction, measured, chapters, *(guide_chapter(run) for run in runs)])


def build(numbers: list[str], site: Path) -> list[RunNotebook]:
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
    unknown = set(numbers) - {path.name[:2] for path in paths}
    if unknown:
        numbered = ", ".join(path.name[:2] for path in paths)
        raise SystemExit(f"no notebook numbered {', '.join(sorted(unknown))}; the notebooks are {numbered}")
    paths = [path for path in paths if not numbers or path.name[:2] in numbers]

    runs = []
    for path in paths:
        print(f"running {path.name} ...", flush=True)
        runs.append(execute(path))
        print(f"  {minutes_and_seconds(runs[-1].seconds)}", flush=True)

    for folder in ("slides", "notebooks"):
        (site / folder).mkdir(parents=True, exist_ok=True)
    copy_assets(site)
    pages, slides = exporter(HTMLExporter), exporter(SlidesExporter)
    for position, run in enumerate(runs):
        neighbours = {
            "previous": runs[position - 1] if position > 0 else None,
            "next": runs[position + 1] if position + 1 < len(runs) else None,
        }
        course = {
            name: {"page": other.page, "title": other.title} if other else None
            for name, other in neighbours.items()
        } | {
            "binder": binder_url(run.path.name),
            "jupyterlab": jupyterlab_url(run.path.name),
            "slides": f"slides/{run.page}",
            "executed": f"notebooks/{run.path.name}",
            "guide": f"instructors-guide.html#{guide_anchor(run)}",
        }
        nbformat.write(run.notebook, site / "notebooks" / run.path.name)  # as it ran, outputs included
        page = for_the_page(run.notebook)
        html, _ = pages.from_notebook_node(page, page_resources(run.path.stem, course))
        (site / run.page).write_text(html, encoding="utf-8")
        slide_course = {"assets": "../assets", "page": run.page, "binder": course["binder"]}
        html, _ = slides.from_notebook_node(
            for_the_slides(page), {"metadata": {"name": run.path.stem}, "course": slide_course}
        )
        (site / "slides" / run.page).write_text(html, encoding="utf-8")

    for name, title, markdown, tag in [
        ("index", "CNN from scratch", index_markdown(runs), "course-index"),
        ("instructors-guide", "Instructor's guide", guide_markdown(runs), "course-guide"),
    ]:
        html, _ = pages.from_notebook_node(markdown_notebook(title, markdown, tag), page_resources(name, {}))
        (site / f"{name}.html").write_text(html, encoding="utf-8")
    return runs


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("numbers", nargs="*", help="two-digit notebook numbers (default: every notebook)")
    parser.add_argument("--out", type=Path, default=ROOT / "_site", help="the site's folder (default: _site)")
    arguments = parser.parse_args(argv)
    start = time.perf_counter()
    build(arguments.numbers, arguments.out)
    print(f"built in {minutes_and_seconds(time.perf_counter() - start)}: open {arguments.out / 'index.html'}")


if __name__ == "__main__":
    sys.exit(main())
