"""``mnist-gui`` without a display ends in one line that says so and how to run it under
Xvfb (Qt aborted with its xcb message, exit 134). A real process: Qt's abort kills it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland only")


def run_app(**env_changes: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update(env_changes)
    return subprocess.run([sys.executable, "-m", "mnist_gui"], capture_output=True, text=True,
                          timeout=60, env=env)


@pytest.mark.parametrize("env", [{}, {"DISPLAY": ":987"}])
def test_no_display_is_one_line_and_exit_1(env):
    result = run_app(**env)
    assert result.returncode == 1, result.stderr
    assert "no display found" in result.stderr and "xvfb-run mnist-gui" in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_chosen_platform_is_left_to_qt():
    from mnist_gui.gui.app import display_problem

    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}) is None
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}) is None
    assert "DISPLAY" in display_problem({})
    assert "no display found" in display_problem({"DISPLAY": ""})
    assert "no X server answers on DISPLAY=unix:987.0" in display_problem({"DISPLAY": "unix:987.0"})


def test_a_display_whose_server_answers_is_accepted():
    import socket

    from mnist_gui.gui.app import display_problem

    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind("\0/tmp/.X11-unix/X988")  # Linux's abstract socket, as Xorg/Xvfb listen
        server.listen(1)
        assert display_problem({"DISPLAY": ":988"}) is None
        assert display_problem({"DISPLAY": ":988.0"}) is None
    assert display_problem({"DISPLAY": ":988"}) is not None
