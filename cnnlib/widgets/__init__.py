"""Interactive widgets for the notebooks, one module each; ``base`` wires controls, state and picture.

Shown as the last expression of a cell, a widget displays itself; tests drive its controls without a browser.
"""
