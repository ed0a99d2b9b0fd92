"""A convolutional neural network from scratch, as the course's notebooks teach it.

Shape conventions, used everywhere in the plain tier (one sample at a time):
- a vector is a column, shape ``(n, 1)``, as in ``Y = W X + B``;
- an image block is depth first, shape ``(depth, height, width)``;
- the kernels of a convolutional layer have shape ``(depth, input_depth, k, k)``.

Each layer checks the shape of what it receives and raises a ``ValueError`` that names
the expected and the received shape.
"""
