"""Drive JupyterLab in headless Chromium: run a notebook, then check that its widgets render and respond.

Used by ``tests/test_browser.py``. Everything a learner would see is checked in the page itself:

1. open the notebook in a fresh JupyterLab workspace and wait for the kernel;
2. Run > Run All Cells, and wait until every code cell shows an execution number;
3. no traceback or warning in any output, and no "Error displaying widget", "Loading widget...",
   "Error rendering" left on the page;
4. every widget output holding a picture (``.widget-image``, what every ``InteractiveFigure`` shows):
   the picture has loaded; changing its first control (a slider, else a dropdown, toggle buttons,
   a play button, a checkbox, a button; on a draw pad, a stroke drawn with the mouse) changes the
   picture, as pixels on the screen.

``check_notebook`` returns a ``Report`` whose ``problems`` list what went wrong (empty when all is
well) instead of raising, so a test can also show that a deliberately broken notebook is caught.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
ARTIFACTS = REPO / "artifacts" / "browser"
CHROMIUM = Path(os.environ.get("CNNLIB_CHROMIUM", "/usr/bin/chromium"))  # Debian's; another Chromium by env
# Flags that worked for Debian's Chromium as root in a container (see the shared RECIPES).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REQUIRE_ENV = "CNNLIB_REQUIRE_BROWSER"  # "1": a missing browser fails the tests instead of skipping
HOW_TO_ENABLE = (
    "install Chromium (`apt-get install chromium`, giving /usr/bin/chromium) and "
    "playwright (`.venv/bin/pip install -r requirements.txt`); never `playwright install`"
)

# JupyterLab user settings for the test server: never autosave (the notebooks in the repo must
# stay without outputs), keep every cell in the page, no news or update toasts over the widgets.
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
        "doNotDisturbMode": True,
    },
}
PAGE_ERRORS = ("Error displaying widget", "Loading widget", "Error rendering")
# In a stderr output, what marks a real failure rather than harmless logging (e.g. a download line)
STDERR_FAILURE = re.compile(r"Traceback|^\s*\w*(Error|Exception|Warning)\b|\w(Error|Warning): ", re.M)
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"


def missing_browser() -> str | None:
    """Why the browser tests cannot run here (a sentence saying how to enable them), or None."""
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"no Chromium at {CHROMIUM}")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the Python package playwright is not importable")
    if not missing:
        return None
    return f"browser tests need a browser: {' and '.join(missing)}; to enable them, {HOW_TO_ENABLE}"


def code_sources(notebook: Path) -> list[str]:
    """The source of each code cell of a notebook file."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]


def notebooks_with_widgets(folder: Path = NOTEBOOKS) -> list[Path]:
    """The notebooks of the course whose code uses ``cnnlib.widgets``, in order."""
    return [
        path
        for path in sorted(folder.glob("*.ipynb"))
        if any("cnnlib.widgets" in source for source in code_sources(path))
    ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class JupyterLab:
    """A JupyterLab server of this venv on 127.0.0.1, with its own token, port and settings."""

    def __init__(self, root_dir: Path, workdir: Path):
        self.root_dir, self.workdir = Path(root_dir), Path(workdir)
        self.token = secrets.token_hex(16)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = self.workdir / "jupyterlab.log"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 120):
        executable = Path(sys.executable).parent / "jupyter-lab"
        if not executable.exists():
            raise FileNotFoundError(f"{executable} is missing: install requirements.txt into this venv")
        for name, values in LAB_SETTINGS.items():
            path = self.workdir / "settings" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values), encoding="utf-8")
        env = dict(os.environ)  # the kernel inherits it, CNNLIB_DATA_DIR included
        env.update(
            JUPYTER_TOKEN=self.token,
            JUPYTER_CONFIG_DIR=str(self.workdir / "config"),
            JUPYTER_DATA_DIR=str(self.workdir / "data"),
            JUPYTER_RUNTIME_DIR=str(self.workdir / "runtime"),
            JUPYTERLAB_SETTINGS_DIR=str(self.workdir / "settings"),
            JUPYTERLAB_WORKSPACES_DIR=str(self.workdir / "workspaces"),
            IPYTHONDIR=str(self.workdir / "ipython"),
        )
        command = [
            str(executable),
            "--no-browser",
            "--allow-root",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={self.root_dir}",
            # JupyterLab saves a checkpoint of each notebook it opens: keep those out of the repository
            f"--FileCheckpoints.checkpoint_dir={self.workdir / 'checkpoints'}",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ]
        with open(self.log_path, "wb") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                command,
                cwd=self.root_dir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.api_url("/api/status"), timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.5)
        raise TimeoutError(f"JupyterLab did not answer within {timeout} s:\n{self.log_tail()}")

    def stop(self):
        """Stop the server by its PID (it shuts down its kernels); kill it if it does not exit."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.exists() else ""

    def api_url(self, path: str) -> str:
        return f"{self.base}{path}?token={self.token}"

    def api(self, method: str, path: str):
        request = urllib.request.Request(self.api_url(path), method=method)
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def notebook_url(self, notebook: Path) -> str:
        """A fresh workspace, so JupyterLab restores no old tab (whose kernel dialog would block clicks)."""
        relative = Path(notebook).resolve().relative_to(self.root_dir.resolve()).as_posix()
        return f"{self.base}/lab/workspaces/test-{secrets.token_hex(6)}/tree/{relative}?token={self.token}"

    def shutdown_sessions(self):
        """Shut down every kernel, so that one notebook's kernel at a time uses the CPU."""
        for session in self.api("GET", "/api/sessions"):
            self.api("DELETE", f"/api/sessions/{session['id']}")


@contextmanager
def jupyter_lab(root_dir: Path, workdir: Path):
    lab = JupyterLab(root_dir, workdir)
    try:
        lab.start()
        yield lab
    finally:
        lab.stop()


@contextmanager
def chromium(profile_dir: Path):
    """A headless Chromium context from Debian's /usr/bin/chromium, with a fresh profile."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile_dir),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 1000},
            device_scale_factor=1,
        )
        try:
            yield context
        finally:
            context.close()


@dataclass
class Report:
    """What checking one notebook found. ``problems`` empty means: renders and responds."""

    notebook: str
    problems: list[str] = field(default_factory=list)
    screenshots: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    widgets: int = 0
    seconds: float = 0.0
    said: dict[int, str] = field(default_factory=dict)  # widget number -> its message after the change

    def summary(self) -> str:
        lines = [f"{self.notebook}: {self.widgets} widget(s) checked in {self.seconds:.1f} s"]
        lines += [f"  problem: {problem}" for problem in self.problems]
        lines += [f"  note: {note}" for note in self.notes]
        lines += [f"  screenshot: {path}" for path in self.screenshots]
        return "\n".join(lines)


def check_notebook(
    context,
    lab: JupyterLab,
    notebook: Path,
    artifacts: Path = ARTIFACTS,
    run_timeout: float = 240,
    change_timeout: float = 20,
) -> Report:
    """Open ``notebook`` in JupyterLab, run all cells, and check its widgets; return a Report."""
    from playwright.sync_api import Error as PlaywrightError

    started = time.monotonic()
    report = Report(Path(notebook).name)
    artifacts.mkdir(parents=True, exist_ok=True)
    for old in artifacts.glob(f"{Path(notebook).stem}-*.png"):
        old.unlink()
    page = context.new_page()
    page.on("pageerror", lambda error: report.notes.append(f"JavaScript error in the page: {error}"[:300]))
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and report.notes.append(
                f"browser console error: {message.text.splitlines()[0] if message.text else ''}"[:300]
            )
        ),
    )
    try:
        _run_all_cells(page, lab, notebook, report, run_timeout)
        if not report.problems:
            _check_outputs(page, report)
            _check_widgets(page, Path(notebook).stem, artifacts, report, change_timeout)
            _check_log_console(page, report)
    except PlaywrightError as error:  # a timeout or a vanished element: a failure to report, not a crash
        report.problems.append(f"the browser check stopped: {error}".splitlines()[0])
    finally:
        if report.problems:  # the whole window, to see what went wrong
            shot = artifacts / f"{Path(notebook).stem}-page.png"
            try:
                page.screenshot(path=str(shot))
                report.screenshots.append(shot)
            except PlaywrightError:
                pass
        page.close()
        try:
            lab.shutdown_sessions()
        except OSError as error:
            report.problems.append(f"JupyterLab did not answer after the check: {error}")
        report.seconds = time.monotonic() - started
        if report.problems:
            report.notes.append(f"JupyterLab's log: {lab.log_path}")
        (artifacts / f"{Path(notebook).stem}.txt").write_text(report.summary() + "\n", encoding="utf-8")
    return report


def _run_all_cells(page, lab: JupyterLab, notebook: Path, report: Report, run_timeout: float):
    expected = sum(1 for source in code_sources(notebook) if source.strip())
    page.goto(lab.notebook_url(notebook))
    # The toolbar's indicator says idle before any kernel exists: wait for the status bar to name
    # the kernel and call it idle, and the indicator to agree, for a second in a row.
    ready = (
        "() => /\\| Idle\\b/.test(document.querySelector('#jp-main-statusbar')?.innerText || '') && "
        "!/No Kernel/.test(document.querySelector('#jp-main-statusbar').innerText) && "
        f"!!document.querySelector(\"{PANEL} .jp-Notebook-ExecutionIndicator[data-status='idle']\")"
    )
    page.wait_for_function(ready, timeout=120_000)
    time.sleep(1)
    page.wait_for_function(ready, timeout=120_000)
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    deadline = time.monotonic() + run_timeout
    quiet_since = None
    while True:
        prompts = page.eval_on_selector_all(
            f"{PANEL} .jp-CodeCell .jp-InputPrompt", "nodes => nodes.map(node => node.textContent.trim())"
        )
        numbered = sum(1 for prompt in prompts if re.fullmatch(r"\[\d+\]:", prompt))
        idle = page.locator(f"{PANEL} .jp-Notebook-ExecutionIndicator[data-status='idle']").count() > 0
        if numbered >= expected and idle:
            return
        running = any("*" in prompt for prompt in prompts)
        # Run All stops at a failing cell: nothing runs any more, yet some cells have no number
        if numbered and not running and idle:
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since > 3:
                report.problems.append(f"only {numbered} of {expected} code cells ran")
                _check_outputs(page, report)  # the reason, usually a traceback
                return
        else:
            quiet_since = None
        if time.monotonic() > deadline:
            report.problems.append(
                f"after {run_timeout:.0f} s only {numbered} of {expected} code cells had run"
            )
            return
        time.sleep(0.5)


def _check_outputs(page, report: Report):
    """Tracebacks and warnings in outputs; widgets that failed or never finished rendering."""
    panel = page.locator(PANEL)
    for _ in range(60):  # widgets need a moment after the last cell ran
        if "Loading widget" not in panel.inner_text():
            break
        time.sleep(0.5)
    text = panel.inner_text()
    for marker in PAGE_ERRORS:
        count = text.count(marker)
        if count:
            line = next(line for line in text.splitlines() if marker in line)
            report.problems.append(f"the page shows {marker!r} {count} time(s), e.g. {line.strip()[:200]!r}")
    failed = panel.locator(".jupyter-widgets-error-widget").count()  # ipywidgets' broken-file icon
    if failed:
        report.problems.append(
            f"{failed} widget(s) failed to display (ipywidgets' error icon; "
            "the browser console errors are in the notes)"
        )
    stderr = panel.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    for output in stderr.all_inner_texts():
        excerpt = " | ".join(line for line in output.strip().splitlines() if line.strip())[:400]
        if STDERR_FAILURE.search(output):
            report.problems.append(f"an output shows an error or warning: {excerpt}")
        else:
            report.notes.append(f"harmless stderr output: {excerpt}")


def _check_log_console(page, report: Report):
    """Output of widget callbacks belongs to no cell: JupyterLab counts it in its Log Console."""
    item = page.locator(".jp-LogConsoleStatusItem:not(.lm-mod-hidden)")
    count = item.inner_text().strip() if item.count() else ""
    if not count or count == "0":
        return
    item.click()  # open the Log Console to quote what the kernel said
    console = page.locator(".jp-LogConsolePanel")
    _wait_until(lambda: console.count() and console.first.inner_text().strip(), 5)
    logged = console.first.inner_text() if console.count() else ""
    lines = [line.strip() for line in logged.splitlines() if line.strip()]
    errors = [line for line in lines if re.match(r"\w*(Error|Exception|Warning)\b.*: ", line)]
    excerpt = " | ".join(errors or lines)[:400]  # the exception's own message says most
    report.problems.append(
        f"the kernel wrote {count} message(s) to JupyterLab's Log Console while the "
        f"widgets were used (e.g. an exception in a callback): {excerpt}"
    )


def _mark_widgets(page) -> int:
    """Number the outermost outputs that hold a picture widget; return how many there are."""
    return page.evaluate(
        """panel => {
            const outputs = [...document.querySelectorAll(panel + ' .jp-OutputArea-output')].filter(
                o => o.querySelector('.widget-image') && !o.parentElement.closest('.jp-OutputArea-output'));
            outputs.forEach((o, i) => o.setAttribute('data-browser-test-widget', String(i + 1)));
            return outputs.length;
        }""",
        PANEL,
    )


def _check_widgets(page, stem: str, artifacts: Path, report: Report, change_timeout: float):
    report.widgets = _mark_widgets(page)
    for number in range(1, report.widgets + 1):
        box = page.locator(f'[data-browser-test-widget="{number}"]')
        picture = box.locator(".widget-image").first
        name = f"widget {number} of {report.widgets}"
        box.scroll_into_view_if_needed()
        if not _wait_until(lambda: picture.evaluate("img => img.complete && img.naturalWidth > 0"), 10):
            report.problems.append(f"{name}: its picture is empty (no image loaded)")
            continue
        before_path, after_path = (artifacts / f"{stem}-{number}-{when}.png" for when in ("before", "after"))
        box.screenshot(path=str(before_path))
        report.screenshots.append(before_path)
        before_pixels, before_src = picture.screenshot(), picture.get_attribute("src")
        action = _change_a_control(page, box)
        if action is None:
            report.problems.append(f"{name}: found no control to change (slider, dropdown, buttons...)")
            continue
        changed = _wait_until(lambda: picture.get_attribute("src") != before_src, change_timeout)
        if changed:  # several key presses send several pictures: wait for the last one
            _wait_until(_settled(picture), change_timeout)
            time.sleep(0.3)  # let it be painted
        box.screenshot(path=str(after_path))
        report.screenshots.append(after_path)
        report.said[number] = " ".join(box.locator(".widget-html").all_inner_texts()).strip()
        if not changed:
            report.problems.append(
                f"{name}: the picture did not change within {change_timeout:.0f} s after {action}"
            )
        elif picture.screenshot() == before_pixels:
            report.problems.append(f"{name}: a new picture came after {action}, but it looks the same")


def _change_a_control(page, box) -> str | None:
    """Change the widget's first control the way a learner would; describe what was done."""
    pads = box.locator("canvas.cnnlib-draw-pad-canvas")  # cnnlib.widgets.draw_pad: draw on it
    if pads.count():
        pads.first.scroll_into_view_if_needed()
        area = pads.first.bounding_box()
        x, top, height = area["x"] + area["width"] / 2, area["y"] + 0.2 * area["height"], 0.6 * area["height"]
        page.mouse.move(x, top)
        page.mouse.down()
        for step in range(1, 13):  # a vertical stroke, a '1', drawn over about half a second
            page.mouse.move(x, top + height * step / 12)
            time.sleep(0.04)
        page.mouse.up()
        return "drawing a vertical stroke on its pad with the mouse"
    handles = box.locator(".widget-slider .noUi-handle")
    if handles.count():
        handle = handles.first
        handle.focus()
        start = handle.get_attribute("aria-valuenow")
        for key in ("ArrowRight", "ArrowLeft"):  # a slider already at its maximum goes left
            for _ in range(3):
                page.keyboard.press(key)
            if _wait_until(lambda: handle.get_attribute("aria-valuenow") != start, 2):
                return (
                    f"pressing {key} 3 times on its first slider (value {start} -> "
                    f"{handle.get_attribute('aria-valuenow')})"
                )
        # a slider that does not move (disabled): try the other controls
    selects = box.locator(".widget-dropdown select")
    if selects.count():
        select = selects.first
        options = select.locator("option").count()
        current = select.evaluate("s => s.selectedIndex")
        select.select_option(index=(current + 1) % options)
        return f"choosing option {(current + 1) % options + 1} of {options} in its first dropdown"
    for selector, what in (
        (".widget-toggle-buttons button:not(.mod-active)", "an unselected toggle button"),
        (".widget-play button", "its play button"),
        (".widget-checkbox input", "its checkbox"),
        ("button.jupyter-button", "its first button"),
    ):
        controls = box.locator(selector)
        if controls.count():
            controls.first.click()
            return f"clicking {what}"
    return None


def _settled(picture, quiet: float = 1.5):
    """A condition true once the picture has loaded and kept the same source for ``quiet`` seconds."""
    last = {"src": None, "since": time.monotonic()}

    def condition():
        src = picture.get_attribute("src")
        if src != last["src"]:
            last.update(src=src, since=time.monotonic())
        return time.monotonic() - last["since"] >= quiet and picture.evaluate(
            "img => img.complete && img.naturalWidth > 0"
        )

    return condition


def _wait_until(condition, timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)


PRESENTATION_WINDOW = {"width": 1280, "height": 720}


def check_presentation(context, lab: JupyterLab, notebook: Path, artifacts: Path = ARTIFACTS) -> Report:
    """Run a notebook whose widgets use ``cnnlib.plotting.presentation()`` in a 1280 x 720 window with
    the side bar hidden, as on a projector: each widget's picture must show at its own size (not
    narrowed) with nothing to scroll sideways. One screenshot per widget: ``presentation-<n>.png``."""
    from playwright.sync_api import Error as PlaywrightError

    started = time.monotonic()
    report = Report(Path(notebook).name)
    artifacts.mkdir(parents=True, exist_ok=True)
    for old in artifacts.glob("presentation-*.png"):
        old.unlink()
    page = context.new_page()
    page.set_viewport_size(PRESENTATION_WINDOW)
    try:
        _run_all_cells(page, lab, notebook, report, run_timeout=240)
        if not report.problems:
            _check_outputs(page, report)
            page.keyboard.press("Control+b")  # hide the left side bar (View > Appearance > Show Left Sidebar)
            _wait_until(lambda: page.locator(".jp-SideBar.jp-mod-left .lm-mod-current").count() == 0, 5)
            time.sleep(0.5)
            report.widgets = _mark_widgets(page)
            for number in range(1, report.widgets + 1):
                _check_fits(page, number, artifacts / f"presentation-{number}.png", report)
    except PlaywrightError as error:
        report.problems.append(f"the browser check stopped: {error}".splitlines()[0])
    finally:
        page.close()
        lab.shutdown_sessions()
        report.seconds = time.monotonic() - started
    return report


def _check_fits(page, number: int, path: Path, report: Report):
    box = page.locator(f'[data-browser-test-widget="{number}"]')
    box.scroll_into_view_if_needed()
    picture = box.locator(".widget-image").first
    _wait_until(lambda: picture.evaluate("img => img.complete && img.naturalWidth > 0"), 10)
    box.screenshot(path=str(path))
    report.screenshots.append(path)
    sizes = box.evaluate(
        """box => { const img = box.querySelector('.widget-image');
                    const scroller = box.closest('.jp-WindowedPanel-outer') || document.scrollingElement;
                    return {natural: img.naturalWidth, shown: img.clientWidth,
                            right: box.getBoundingClientRect().right, window: window.innerWidth,
                            overflow: scroller.scrollWidth - scroller.clientWidth}; }"""
    )
    if sizes["shown"] < sizes["natural"]:
        report.problems.append(
            f"widget {number}: its picture, {sizes['natural']} px wide, is narrowed to {sizes['shown']} px"
        )
    if sizes["overflow"] > 0 or sizes["right"] > sizes["window"]:
        report.problems.append(f"widget {number}: it does not fit the {sizes['window']} px window: {sizes}")
