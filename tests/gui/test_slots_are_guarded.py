"""No slot may raise into Qt: every function the window's views and controllers connect to a
signal is ``guard.guarded`` (or only forwards to a signal or to Qt itself).

An exception escaping a slot is not harmless: pyqtgraph raising in a slot on every epoch
ended in a segfault inside shiboken. This reads the source of ``mnist_gui/gui`` and checks
each ``.connect(...)``: a method of ours must be guarded, a lambda must only call guarded
methods or emit, and a signal (``x.emit``, or a Signal attribute) forwards without risk.
"""

from __future__ import annotations

import ast
from pathlib import Path

import mnist_gui.gui

GUI = Path(mnist_gui.gui.__file__).parent


def _is_guarded(function: ast.FunctionDef) -> bool:
    return any((isinstance(d, ast.Name) and d.id == "guarded")
               or (isinstance(d, ast.Attribute) and d.attr == "guarded")
               for d in function.decorator_list)


class _Code:
    """Our gui code: methods by name (and by class), Signal names, connect calls, functions."""

    def __init__(self) -> None:
        self.methods: dict[str, list[ast.FunctionDef]] = {}
        self.class_methods: dict[tuple[str, str], ast.FunctionDef] = {}
        self.functions: dict[str, list[ast.FunctionDef]] = {}  # every def, by name
        self.signals: set[str] = set()
        self.connects: list[tuple[Path, ast.Call, ast.FunctionDef | None, str | None]] = []
        self.calls: list[ast.Call] = []
        for path in sorted(GUI.rglob("*.py")):
            self._read(path, ast.parse(path.read_text(encoding="utf-8")))

    def _read(self, path: Path, tree: ast.Module) -> None:
        def visit(node: ast.AST, cls: str | None, function: ast.FunctionDef | None) -> None:
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if (isinstance(item, ast.Assign) and isinstance(item.value, ast.Call)
                            and getattr(item.value.func, "id", "") == "Signal"):
                        self.signals.update(t.id for t in item.targets if isinstance(t, ast.Name))
                for item in node.body:
                    visit(item, node.name, None)
                return
            if isinstance(node, ast.FunctionDef):
                self.functions.setdefault(node.name, []).append(node)
                if cls is not None and function is None:
                    self.methods.setdefault(node.name, []).append(node)
                    self.class_methods[(cls, node.name)] = node
                for item in ast.iter_child_nodes(node):
                    visit(item, cls, node)
                return
            if isinstance(node, ast.Call):
                self.calls.append(node)
                # ``<object>.<signal>.connect(slot)``: a signal is an attribute (a socket's
                # ``probe.connect(address)`` is not)
                if (isinstance(node.func, ast.Attribute) and node.func.attr == "connect"
                        and isinstance(node.func.value, ast.Attribute) and node.args):
                    self.connects.append((path, node, function, cls))
            for item in ast.iter_child_nodes(node):
                visit(item, cls, function)

        for node in tree.body:
            visit(node, None, None)

    def problem(self, target: ast.expr, function: ast.FunctionDef | None, cls: str | None,
                depth: int = 0) -> str | None:
        """Why connecting ``target`` could let an exception into Qt (None: it cannot)."""
        if isinstance(target, ast.Lambda):
            for call in (n for n in ast.walk(target.body) if isinstance(n, ast.Call)):
                if isinstance(call.func, (ast.Attribute, ast.Name)):
                    why = self.problem(call.func, function, cls, depth)
                    if why:
                        return f"lambda calling {why}"
            return None
        if isinstance(target, ast.Attribute):
            name = target.attr
            if name == "emit" or name in self.signals:
                return None  # forwarded to a signal
            own = (isinstance(target.value, ast.Name) and target.value.id == "self"
                   and cls is not None and (cls, name) in self.class_methods)
            defined = [self.class_methods[(cls, name)]] if own else self.methods.get(name, [])
            if not defined:
                return None  # Qt's own slot (thread.quit, box.deleteLater...)
            return f"{name} (not guarded)" if not all(map(_is_guarded, defined)) else None
        if isinstance(target, ast.Name):
            # a parameter of a helper (``_action(menu, text, key, slot)``): what its callers
            # pass must be safe, by the same rules
            if function is not None and depth < 3:
                names = [a.arg for a in function.args.args]
                if target.id in names:
                    return self._passed(function, names.index(target.id), target.id, depth)
            return f"{target.id} (a plain function or variable: wrap it in a guarded method)"
        return None

    def _passed(self, helper: ast.FunctionDef, index: int, name: str, depth: int) -> str | None:
        method = index > 0 and helper.args.args[0].arg == "self"
        position = index - 1 if method else index
        for call in self.calls:
            called = getattr(call.func, "attr", None) or getattr(call.func, "id", None)
            if called != helper.name:
                continue
            given = [k.value for k in call.keywords if k.arg == name]
            if not given and position < len(call.args):
                given = [call.args[position]]
            for value in given:
                where = self._enclosing(call)
                why = self.problem(value, *where, depth + 1)
                if why:
                    return f"{why}, passed to {helper.name}() as {name}"
        return None

    def _enclosing(self, call: ast.Call) -> tuple[ast.FunctionDef | None, str | None]:
        for (cls, _), function in self.class_methods.items():
            if any(n is call for n in ast.walk(function)):
                return function, cls
        for functions in self.functions.values():
            for function in functions:
                if any(n is call for n in ast.walk(function)):
                    return function, None
        return None, None


def test_every_connected_slot_of_the_window_views_and_controllers_is_guarded():
    code = _Code()
    assert len(code.connects) > 80  # the walk sees the window's wiring, not an empty folder
    problems = []
    for path, call, function, cls in code.connects:
        why = code.problem(call.args[0], function, cls)
        if why:
            problems.append(f"{path.relative_to(GUI)}:{call.lineno}: {why}")
    assert problems == [], "\n".join(problems)


def test_the_check_finds_an_unguarded_slot():
    """The check is not vacuous: an unguarded method connected in a class is found."""
    tree = ast.parse(
        "class V:\n"
        "    def __init__(self):\n"
        "        self.button.clicked.connect(self._on_clicked)\n"
        "    def _on_clicked(self):\n"
        "        raise ValueError\n")
    code = _Code.__new__(_Code)
    code.methods, code.class_methods, code.functions = {}, {}, {}
    code.signals, code.connects, code.calls = set(), [], []
    code._read(Path("v.py"), tree)
    (_path, call, function, cls), = code.connects
    assert code.problem(call.args[0], function, cls) == "_on_clicked (not guarded)"
