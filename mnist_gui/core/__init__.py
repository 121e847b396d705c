"""The NumPy engine: layers, losses, optimisers, data, trainer, metrics, model files.

Nothing in this package imports Qt (tests/core/test_no_qt.py checks it), so it works from a
plain script, a notebook, the CLI and the GUI's worker thread alike.
"""
