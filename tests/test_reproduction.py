"""Full reproductions of every preset (minutes each): ``python -m pytest -m slow``.

Deselected by default (pyproject's addopts); scripts/reproduce.py runs the same and writes
the README's table.
"""

from __future__ import annotations

import pytest

from mnist_gui.core.presets import PRESETS


@pytest.mark.slow
@pytest.mark.parametrize("name", list(PRESETS))
def test_preset_reaches_its_target(name, raw_mnist):
    from scripts.reproduce import run_preset

    row = run_preset(name, raw_mnist)
    assert row["ok"], row
