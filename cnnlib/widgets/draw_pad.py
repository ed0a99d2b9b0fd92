"""Notebook 08: draw a digit with the mouse (or a finger), or upload a picture of one, and watch a trained
network read it, live.

``DrawPad(network)`` shows a black pad to draw on and an upload button and, beside them, the picture
the network is given (the drawing or the picture made MNIST-like by ``cnnlib.digit_image.as_mnist``)
and its ten class probabilities.
The pad is a small front-end widget (``Canvas``, written with anywidget): it draws in the browser
and sends the drawing to the kernel as 28 x 28 grey levels, at most about ten times a second while
the learner draws and once more when the pen is lifted. ``read_drawing`` turns those grey levels,
and ``read_upload`` a file's bytes, into what is shown; both are plain code, tested on values.
"""

from dataclasses import dataclass

import anywidget
import ipywidgets as widgets
import numpy as np
import traitlets

from cnnlib.digit_image import SIZE, as_mnist, read_image
from cnnlib.fast.losses import softmax
from cnnlib.plotting import OTHER, RIGHT
from cnnlib.widgets.base import InteractiveFigure, View

PAD = 280  # the pad's side in screen pixels: ten per pixel of the 28 x 28 drawing
BRUSH = 20  # the pen's width in screen pixels: about two pixels of the drawing, as MNIST's strokes
INTERVAL_MS = 100  # while drawing, the pad sends the drawing at most once per this many milliseconds
EMPTY = "Draw a digit on the black pad with the mouse or a finger, or upload a picture of one"

# The front end. Strokes are drawn on a 280 x 280 canvas; each 10 x 10 block of it is averaged into
# one grey level (0 to 255) of the 28 x 28 drawing sent to the kernel as the trait ``value``.
ESM = f"""
const PAD = {PAD}, SMALL = {SIZE}, BRUSH = {BRUSH}, INTERVAL = {INTERVAL_MS};

function render({{ model, el }}) {{
  const box = document.createElement("div");
  box.className = "cnnlib-draw-pad";
  const canvas = document.createElement("canvas");
  canvas.className = "cnnlib-draw-pad-canvas";
  canvas.width = canvas.height = PAD;
  const context = canvas.getContext("2d", {{ willReadFrequently: true }});
  const clear = document.createElement("button");
  clear.className = "cnnlib-draw-pad-clear";
  clear.textContent = "clear";
  box.append(canvas, clear);
  el.append(box);

  function blank() {{
    context.fillStyle = "black";
    context.fillRect(0, 0, PAD, PAD);
  }}
  blank();

  // the drawing as 28 x 28 grey levels: the mean of each 10 x 10 block of the canvas (red = grey)
  function send() {{
    const rgba = context.getImageData(0, 0, PAD, PAD).data;
    const block = PAD / SMALL, sums = new Float64Array(SMALL * SMALL);
    for (let y = 0; y < PAD; y++) {{
      const row = Math.floor(y / block) * SMALL;
      for (let x = 0; x < PAD; x++) sums[row + Math.floor(x / block)] += rgba[4 * (y * PAD + x)];
    }}
    model.set("value", Array.from(sums, (sum) => Math.round(sum / (block * block))));
    model.save_changes();
    sent = performance.now();
  }}

  // at most one send per INTERVAL while drawing; a change within it is sent when it ends
  let sent = -Infinity, timer = null, last = null;
  function soon() {{
    if (timer !== null) return;
    const wait = sent + INTERVAL - performance.now();
    if (wait <= 0) send();
    else timer = setTimeout(() => {{ timer = null; send(); }}, wait);
  }}
  function now() {{
    if (timer !== null) {{ clearTimeout(timer); timer = null; }}
    send();
  }}

  function at(event) {{
    const rect = canvas.getBoundingClientRect();
    return [(event.clientX - rect.left) * PAD / rect.width, (event.clientY - rect.top) * PAD / rect.height];
  }}
  function line(from, to) {{
    context.strokeStyle = "white";
    context.lineWidth = BRUSH;
    context.lineCap = context.lineJoin = "round";
    context.beginPath();
    context.moveTo(...from);
    context.lineTo(...to);
    context.stroke();
  }}
  canvas.addEventListener("pointerdown", (event) => {{
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    last = at(event);
    line(last, last);  // a dot
    soon();
  }});
  canvas.addEventListener("pointermove", (event) => {{
    if (last === null) return;
    const point = at(event);
    line(last, point);
    last = point;
    soon();
  }});
  function lift() {{
    if (last === null) return;
    last = null;
    now();
  }}
  canvas.addEventListener("pointerup", lift);
  canvas.addEventListener("pointercancel", lift);
  clear.addEventListener("click", () => {{ blank(); now(); }});
  // the kernel emptied the drawing (DrawPad.clear): empty the pad too
  model.on("change:value", () => {{ if (model.get("value").every((grey) => grey === 0)) blank(); }});
  return () => {{ if (timer !== null) clearTimeout(timer); }};
}}

export default {{ render }};
"""

CSS = f"""
.cnnlib-draw-pad {{ display: flex; flex-direction: column; align-items: flex-start; gap: 6px; }}
.cnnlib-draw-pad-canvas {{
  width: {PAD}px; height: {PAD}px; touch-action: none; cursor: crosshair;
  border: 1px solid #888; background: black;
}}
.cnnlib-draw-pad-clear {{ padding: 2px 14px; cursor: pointer; }}
"""


class Canvas(anywidget.AnyWidget):
    """The pad: ``value`` holds the drawing as 784 grey levels (0 black to 255 white), row after row."""

    _esm = ESM
    _css = CSS
    value = traitlets.List([0] * SIZE * SIZE).tag(sync=True)


@dataclass
class DrawingState:
    """What the network makes of a drawing, or of an uploaded picture.

    drawing: the picture as given, in [0, 1] (the pad's 28 x 28; an upload's own size); image: (28, 28)
    in [0, 1], the picture made MNIST-like, what the network is given (zeros when there is no digit);
    probabilities: (10,), the softmax of the network's outputs, and answer: the most probable class
    (both None when there is no digit); message: what to tell the learner ("" when a digit was read).
    """

    drawing: np.ndarray
    image: np.ndarray
    probabilities: np.ndarray | None
    answer: int | None
    message: str = ""

    @property
    def empty(self) -> bool:
        return self.probabilities is None


def read_drawing(pixels, network) -> DrawingState:
    """The state for a pad's grey levels (28 x 28, or 784 in a row; 0 to 255) and a ``cnnlib.fast`` network.

    A pad without a digit gives a state whose message asks for one, not an exception.
    """
    grey = np.asarray(pixels, dtype=float)
    if grey.shape == (SIZE * SIZE,):
        grey = grey.reshape(SIZE, SIZE)
    if grey.shape != (SIZE, SIZE):
        raise ValueError(
            f"expected the pad's grey levels as shape ({SIZE}, {SIZE}) or ({SIZE * SIZE},), "
            f"received shape {grey.shape}"
        )
    if not np.all(np.isfinite(grey)) or grey.min() < 0 or grey.max() > 255:
        raise ValueError("expected grey levels from 0 (black) to 255 (white)")
    if not grey.any():  # nothing drawn yet: just the invitation
        return DrawingState(grey / 255, np.zeros((SIZE, SIZE)), None, None, f"{EMPTY}.")
    return read_digit(grey / 255, network, EMPTY)


def read_upload(content: bytes, network) -> DrawingState:
    """The state for an uploaded file's bytes: a picture of one digit (a photo of dark ink on light paper
    is inverted). A file that is no picture, or shows no digit, gives a state whose message says so."""
    try:
        picture = read_image(content)
    except ValueError as error:
        return DrawingState(np.zeros((SIZE, SIZE)), np.zeros((SIZE, SIZE)), None, None, f"{error}.")
    return read_digit(picture, network, "Found no digit in the uploaded picture")


def read_digit(picture: np.ndarray, network, empty: str) -> DrawingState:
    """The network's reading of a greyscale picture (h, w) in [0, 1]; ``empty`` begins the message when
    the picture holds no digit."""
    try:
        image = as_mnist(picture)
    except ValueError as error:  # a faint drawing, or a picture of nothing: nothing to read yet
        return DrawingState(picture, np.zeros((SIZE, SIZE)), None, None, f"{empty} ({error}).")
    logits = np.asarray(network.forward(image[np.newaxis, np.newaxis].astype(np.float32)), dtype=float)
    if logits.shape != (1, 10):
        raise ValueError(f"the network's output: expected shape (1, 10) for one image, got {logits.shape}")
    probabilities = softmax(logits)[0]
    return DrawingState(picture, image, probabilities, int(probabilities.argmax()))


class DrawPadView(View):
    """The picture the network is given, and its ten probabilities as bars (the answer's in green)."""

    def __init__(self, figure, state: DrawingState, presenting: bool = False):
        super().__init__(figure, state, presenting)
        image_ax, self.bars_ax = figure.subplots(1, 2, width_ratios=[1, 1.5])
        self.picture = image_ax.imshow(state.image, cmap="gray", vmin=0, vmax=1)
        image_ax.set(xticks=[], yticks=[])
        image_ax.set_title("what the network sees\n(28 x 28, centred)", fontsize="medium")
        self.bars = list(self.bars_ax.bar(range(10), np.zeros(10), color=OTHER, width=0.7))
        self.bars_ax.set_xticks(range(10))
        self.bars_ax.set(ylim=(0, 1.05), xlabel="digit", ylabel="probability")
        self.title = self.bars_ax.set_title(" ", fontsize="medium")
        self.dynamic = [self.picture, *self.bars, self.title]

    def draw(self, state: DrawingState):
        self.picture.set_data(state.image)
        probabilities = np.zeros(10) if state.empty else state.probabilities
        for k, bar in enumerate(self.bars):
            bar.set(height=probabilities[k], color=RIGHT if k == state.answer else OTHER)
        if state.empty:
            self.title.set_text("draw a digit")
        else:
            self.title.set_text(f"the network says {state.answer} ({probabilities[state.answer]:.0%})")


class DrawPad(InteractiveFigure):
    """A pad to draw a digit on, or a picture to upload, beside what a trained ``cnnlib.fast`` network makes
    of it, updated live.

    network: takes (N, 1, 28, 28) float32 images and returns (N, 10) logits. ``pad`` is the
    ``Canvas``; setting its ``value`` (784 grey levels) is what the browser does while the learner
    draws. ``upload`` is a FileUpload; the last of the two to change is what is shown. ``state`` is
    the ``DrawingState`` shown.
    """

    def __init__(self, network):
        super().__init__(figsize=(6, 3.1), presentation_figsize=(7.5, 3.9), view_class=DrawPadView)
        self.network, self.showing = network, "pad"
        self.pad = Canvas()
        self.upload = widgets.FileUpload(
            accept="image/*", description="upload a picture", multiple=False, layout={"width": "auto"}
        )
        self.watch(self.pad, handler=lambda change: self._show("pad"))
        self.watch(self.upload, handler=lambda change: self._show("upload"))
        self.message.layout.min_height = "3.2em"  # room for the request to draw: the picture stays put
        self.widget = widgets.HBox(
            [widgets.VBox([self.pad, self.upload]), widgets.VBox([self.message, self.image])],
            layout={"align_items": "flex-start"},
        )
        self.refresh()

    def _show(self, source: str):
        self.showing = source
        self.refresh()

    def compute(self) -> DrawingState:
        if self.showing == "upload" and self.upload.value:
            return read_upload(bytes(self.upload.value[-1]["content"]), self.network)
        return read_drawing(self.pad.value, self.network)

    def refresh(self):
        """Draw, and say in words what the picture shows: the answer, or what is missing."""
        super().refresh()
        state = self.state
        if state.empty:
            self.say(state.message)
        else:
            self.say(
                f"The network reads a {state.answer} (probability {state.probabilities[state.answer]:.0%})."
            )

    def clear(self):
        """Empty the pad's drawing (the pad's own "clear" button does this in the browser) and show it."""
        self.pad.value = [0] * SIZE * SIZE
        self._show("pad")
