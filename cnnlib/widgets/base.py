"""What every widget shares: a matplotlib figure shown as a PNG image widget, and a message line."""

import base64
import html
import io

import ipywidgets as widgets
from matplotlib.figure import Figure


class FigureWidget:
    """Base for the widgets: subclasses build controls, set ``self.widget`` and implement ``update``.

    The figure is drawn off-screen and sent as PNG bytes to ``self.image``, so the picture is
    part of the widget's state: it renders the same in JupyterLab, on Binder and in tests.
    """

    def __init__(self, figsize: tuple[float, float], dpi: int = 90):
        self.figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        self.image = widgets.Image(format="png")
        self.message = widgets.HTML()
        self.widget = widgets.VBox([self.message, self.image])

    def update(self, change=None):
        raise NotImplementedError

    def show_figure(self):
        """Render the figure and send it to the image widget."""
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png")
        self.image.value = buffer.getvalue()

    def say(self, text: str = "", error: bool = False):
        """Show a line above the figure; errors in red, so a refused value is explained, not raised."""
        colour = "#b00020" if error else "inherit"
        self.message.value = f'<span style="color:{colour}">{html.escape(text)}</span>' if text else ""

    def _repr_mimebundle_(self, **kwargs):
        """The live widget, with the current picture as a still image for static pages."""
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["image/png"] = base64.b64encode(self.image.value).decode("ascii")
        return bundle
