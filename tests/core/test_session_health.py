"""A session with ``health_every`` yields layer health during training and findings per
epoch, without changing what is trained; without it, nothing changes."""

from __future__ import annotations

import functools

import numpy as np

from mnist_gui.core import session as session_module
from mnist_gui.core.health import HealthMonitor
from mnist_gui.core.session import HealthFindings, HealthMeasured, ModelSnapshot, TrainingSession
from mnist_gui.core.training import EpochFinished, TrainConfig

SMALL = TrainConfig(hidden=[16], epochs=2, batch_size=100, train_subset=1000, validation=200)


def final_params(events):
    return [e for e in events if isinstance(e, ModelSnapshot)][-1].model.params


def test_health_events_arrive_and_training_is_unchanged(raw_mnist, monkeypatch):
    plain = list(TrainingSession(SMALL, raw_mnist).events())
    budgeted = list(TrainingSession(SMALL, raw_mnist, health_every=3).events())
    # with the default time budget this tiny network is measured rarely, but it is
    assert any(isinstance(e, HealthMeasured) for e in budgeted)
    assert np.array_equal(final_params(plain), final_params(budgeted))
    # without the budget: every 3 batches exactly
    monkeypatch.setattr(session_module, "HealthMonitor",
                        functools.partial(HealthMonitor, budget=None))
    watched = list(TrainingSession(SMALL, raw_mnist, health_every=3).events())
    assert not any(isinstance(e, (HealthMeasured, HealthFindings)) for e in plain)
    measured = [e for e in watched if isinstance(e, HealthMeasured)]
    assert len(measured) == 20 // 3
    assert [h.layer for h in measured[-1].report.layers] == [1, 2]
    assert measured[-1].report.layers[0].histogram.sum() == 256 * 16
    findings = [e for e in watched if isinstance(e, HealthFindings)]
    assert [f.epoch for f in findings] == [1, 2]
    kinds = [type(e) for e in watched]
    after = [kinds[i - 1] for i, kind in enumerate(kinds) if kind is HealthFindings]
    assert after == [EpochFinished, EpochFinished]  # each right after its epoch's report
    assert np.array_equal(final_params(plain), final_params(watched))
