"""The package's layering, read from the source with ``ast``.

Pipeline order: the shared base modules (constants, time, file writes), then
catalog -> propagate -> screen -> assess -> detect -> respond, then the
orchestrator ``ssa.pipeline``, then serve, then the command line. A module
imports only from its own layer or earlier ones. No module anywhere in
``ssa/``, ``benchmarks/`` or ``tests/`` imports a private name (``_x``) of
another module, or reads one as an attribute of an imported module.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LAYERS = ["constants", "timeutil", "fileio", "catalog", "propagate", "screen", "assess", "detect", "respond",
          "pipeline", "serve", "cli"]
# one layer, below every stage: they may use one another (cli_errors: the command lines' one error style)
BASE = {"constants", "timeutil", "fileio", "cli_errors"}


def layer(module: str) -> int | None:
    """Position of an ``ssa.x...`` module in LAYERS (the base modules share one); None outside ssa."""
    parts = module.split(".")
    if parts[0] != "ssa" or len(parts) < 2:
        return None
    name = parts[1]
    assert name in BASE or name in LAYERS, f"ssa.{name} has no layer: add it to LAYERS or BASE"
    return 0 if name in BASE else LAYERS.index(name)


def sources(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (REPO / folder).rglob("*.py") if "migrations" not in p.parts)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(tree: ast.AST):
    """(line, module, name or None, local name) of every import."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, None, alias.asname or alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                yield node.lineno, node.module or "", alias.name, alias.asname or alias.name


def private(name: str | None) -> bool:
    return bool(name) and name.startswith("_") and not name.startswith("__")


def first_party(module: str) -> bool:
    """ssa, or a helper module of tests/ or benchmarks/ imported by its bare name."""
    top = module.split(".")[0]
    return top == "ssa" or (REPO / "tests" / f"{top}.py").exists() or (REPO / "benchmarks" / f"{top}.py").exists()


def test_no_stage_imports_a_later_one():
    problems = []
    for path in sources("ssa"):
        own = layer(module_name(path))
        for line, module, name, _ in imports(ast.parse(path.read_text(), str(path))):
            target = f"ssa.{name}" if module == "ssa" and name else module
            theirs = layer(target)
            if theirs is not None and own is not None and theirs > own:
                problems.append(f"{path.relative_to(REPO)}:{line}: {LAYERS[own] if own else 'base'} imports {target}")
    assert not problems, "\n".join(problems)


def test_no_private_name_crosses_a_module():
    problems = []
    for path in sources("ssa", "tests", "benchmarks"):
        tree = ast.parse(path.read_text(), str(path))
        modules = {}  # local name -> first-party module imported under it
        for line, module, name, local in imports(tree):
            if not first_party(module):
                continue
            if private(name) or any(private(part) for part in module.split(".")):
                problems.append(f"{path.relative_to(REPO)}:{line}: imports {module}.{name}")
            if name is None:
                modules[local] = module
            elif (REPO / Path(*module.split("."), f"{name}.py")).exists() \
                    or (REPO / Path(*module.split("."), name, "__init__.py")).exists():
                modules[local] = f"{module}.{name}"
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and private(node.attr) and isinstance(node.value, ast.Name) \
                    and node.value.id in modules:
                problems.append(f"{path.relative_to(REPO)}:{node.lineno}: uses {modules[node.value.id]}.{node.attr}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("module, expected", [("ssa.timeutil", 0), ("ssa.screen.table", LAYERS.index("screen")),
                                              ("ssa.serve.store", LAYERS.index("serve")), ("numpy", None)])
def test_layer_of_a_module(module, expected):
    assert layer(module) == expected
