"""The widget architecture: a plain state, a view that draws it, and the base that wires them.

A widget's **state** is computed by plain code from its controls' values (NumPy, no drawing):
it is what the learner looks at, and what tests check. Its **view** makes the figure's artists
once for a layout and afterwards only sets their data. ``InteractiveFigure`` owns the rest:
the controls' observers, a guard against the widget's own changes to its controls, the layout
frozen after its first pass, Play linked to a slider, and the cycle state -> view -> PNG.

Speed: a step redraws only the few artists that change (``View.dynamic``; text is the expensive
artist) over a background rendered once, and encodes the PNG with fast compression.
"""

import base64
import html
import io
import math
import time
from contextlib import contextmanager

import ipywidgets as widgets
import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from cnnlib import plotting

Size = tuple[float, float]  # a figure's width and height in inches
INLINE = {"description_width": "initial", "button_width": "90px"}  # names at their own width, compact buttons


class View:
    """Draws one layout of a state. Subclasses make their artists in ``__init__`` and fill ``dynamic``.

    dynamic: the artists ``draw`` changes at every step, in drawing order (an artist drawn over
    a dynamic one must be dynamic too); everything else is drawn once into the background. A view
    may replace its artists, dynamic ones included, when its ``background`` key changes.
    """

    dynamic: list = []
    layout_passes = 1  # constrained layout may need a second pass to settle around fixed-aspect panels
    backgrounds_kept = 1  # more: going back to a recent background key (a mode) restores it, not draws it

    def __init__(self, figure: Figure, state, presenting: bool = False):
        self.figure, self.presenting = figure, presenting

    def fits(self, state) -> bool:
        """Whether this layout can still show ``state``; if not, the widget builds a new view."""
        return True

    def background(self, state):
        """A key of what the static artists show; when it changes, the background is drawn again."""
        return None

    def draw(self, state) -> None:
        """Set every artist's data from ``state`` (static and dynamic)."""
        raise NotImplementedError


class InteractiveFigure:
    """A figure drawn off-screen and shown as a PNG image widget, driven by controls.

    Subclasses: make their controls, call ``watch`` and ``show_controls``, implement ``compute``
    (controls -> state), and give a ``view_class`` or implement ``make_view`` (figure, state -> View).
    ``refresh`` runs the cycle; ``state`` and ``view`` hold the latest. ``figsize`` is used as given,
    ``presentation_figsize`` instead when ``cnnlib.plotting.presentation()`` is on.
    """

    def __init__(
        self, figsize: Size, presentation_figsize: Size | None = None, view_class: type[View] | None = None
    ):
        self.presenting = presenting = plotting.presenting()
        size = presentation_figsize if presenting and presentation_figsize else figsize
        self.figure = Figure(figsize=size, dpi=plotting.DPI)
        self.canvas = FigureCanvasAgg(self.figure)
        # shown at its own size (a column of widgets would stretch it), narrowed only where space lacks
        layout = widgets.Layout(width=f"{round(size[0] * plotting.DPI)}px", max_width="100%", height="auto")
        self.image = widgets.Image(format="png", layout=layout)
        self.message = widgets.HTML()
        self.widget = widgets.VBox([self.message, self.image])
        self.state, self.view, self.view_class = None, None, view_class
        self.seconds = 0.0  # how long the last refresh took: compute, draw and PNG
        self._backgrounds = {}  # background key -> the rendered background, the latest last
        self._quiet = False
        self._play_syncs = []  # after each refresh, each linked Play follows its slider
        self._rc = plotting.PRESENTATION_RC if presenting else {}

    # --- controls -------------------------------------------------------------------------------
    def show_controls(self, *rows):
        """Lay out the controls, one row each (a list is a row of several), above the message and picture."""
        rows = [widgets.HBox(row) if isinstance(row, list | tuple) else row for row in rows]
        self.widget = widgets.VBox([*rows, self.message, self.image])

    def watch(self, *controls, handler=None):
        """Call ``handler(change)`` (default: ``refresh``) when a control's value changes, unless the
        widget itself made the change (see ``quietly``)."""

        def observer(change):
            if not self._quiet:
                handler(change) if handler else self.refresh()

        for control in controls:
            control.observe(observer, names="value")

    @contextmanager
    def quietly(self):
        """Changes to controls made inside this block do not call the observers."""
        outer, self._quiet = self._quiet, True
        try:
            yield
        finally:
            self._quiet = outer

    def link_play(self, play: widgets.Play, slider: widgets.IntSlider | widgets.SelectionSlider, step=1):
        """Play moves the slider ``step`` positions per frame (a number, or a function giving it now);
        moving the slider moves Play's position. A position: an IntSlider's value, a SelectionSlider's index.

        A frame the kernel cannot draw in time would queue behind the others: after each frame
        Play's interval grows to 1.5 times the time the frame took, if that is longer.
        """
        trait = "index" if isinstance(slider, widgets.SelectionSlider) else "value"

        def frame_step() -> int:
            return step() if callable(step) else step

        def span() -> tuple[int, int]:
            return (0, len(slider.options) - 1) if trait == "index" else (slider.min, slider.max)

        def sync():
            low, high = span()
            with self.quietly():
                play.max = math.ceil((high - low + 1) / frame_step()) - 1
                play.value = (getattr(slider, trait) - low) // frame_step()

        def on_play(change):
            low, high = span()
            setattr(slider, trait, min(low + change["new"] * frame_step(), high))
            play.interval = max(play.interval, 50 * math.ceil(1.5 * self.seconds * 1000 / 50))

        self._play_syncs.append(sync)
        self.watch(play, handler=on_play)
        sync()

    # --- the cycle ------------------------------------------------------------------------------
    def compute(self):
        """The state shown for the controls' current values."""
        raise NotImplementedError

    def make_view(self, figure: Figure, state) -> View:
        """A new layout for ``state``: by default ``view_class(figure, state, presenting)``."""
        return self.view_class(figure, state, self.presenting)

    def refresh(self):
        """Compute the state, draw it (a new layout only when needed), and send the PNG."""
        started = time.perf_counter()
        self.state = state = self.compute()
        with matplotlib.rc_context(self._rc):
            if self.view is None or not self.view.fits(state):
                self.figure.clear()
                self.figure.set_layout_engine("constrained")
                self.view = self.make_view(self.figure, state)
                self.view.draw(state)
                for _ in range(self.view.layout_passes):  # lay the panels out, then keep them still
                    self.figure.draw_without_rendering()
                self.figure.set_layout_engine("none")
                self._backgrounds = {}
            else:
                self.view.draw(state)
            key = self.view.background(state)
            if key not in self._backgrounds:
                for artist in self.view.dynamic:  # marked here: a view may make new ones with a new key
                    artist.set_animated(True)
                self.canvas.draw()  # everything but the dynamic artists
                earlier = self.view.backgrounds_kept - 1  # the latest ones, besides this one
                latest = list(self._backgrounds.items())[len(self._backgrounds) - earlier :]
                self._backgrounds = dict(latest) | {key: self.canvas.copy_from_bbox(self.figure.bbox)}
            else:
                self.canvas.restore_region(self._backgrounds[key])
            for artist in self.view.dynamic:
                self.figure.draw_artist(artist)
        self.image.value = self._png()
        for sync in self._play_syncs:
            sync()
        self.seconds = time.perf_counter() - started

    def _png(self) -> bytes:
        rgba = np.asarray(self.canvas.buffer_rgba())  # (h, w, 4)
        # Pillow drops the alpha faster than a strided (h, w, 3) view is copied: the same bytes, sooner
        rgb = Image.frombuffer("RGBA", rgba.shape[1::-1], rgba, "raw", "RGBA", 0, 1).convert("RGB")
        buffer = io.BytesIO()
        rgb.save(buffer, format="png", compress_level=1)  # fast: a step is sent, not kept
        return buffer.getvalue()

    # --- messages and display -------------------------------------------------------------------
    def say(self, text: str = "", error: bool = False):
        """Show a line above the figure; errors in red, so a refused value is explained, not raised."""
        colour = plotting.ERROR_TEXT if error else "inherit"
        self.message.value = f'<span style="color:{colour}">{html.escape(text)}</span>' if text else ""

    def _repr_mimebundle_(self, **kwargs):
        """The live widget, with the current picture as a still image for static pages."""
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["image/png"] = base64.b64encode(self.image.value).decode("ascii")
        return bundle
