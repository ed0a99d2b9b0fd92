"""The fast tier: the same layers for a batch at a time, with array operations instead of loops.

Shapes carry a leading batch axis N: images are (N, channels, height, width), vectors (N, features).
Arrays are float32 unless a layer is made with ``dtype=np.float64`` (the tests compare that with
the plain tier, cnnlib.layers). A layer's ``forward(x)`` keeps what ``backward`` needs;
``backward(output_gradient)`` returns dE/dX and stores dE/d(parameter) in ``gradients``, which
an optimiser (cnnlib.fast.optimizers) applies: layers never change their own parameters.
"""
