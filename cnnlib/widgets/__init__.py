"""Interactive widgets for the notebooks, one module each.

Each widget is an object holding its controls, its state and its figure; ``update`` redraws
it from the state. Shown as the last expression of a cell, it displays itself. Tests drive
the controls without a browser and check the state and the drawn picture.
"""
