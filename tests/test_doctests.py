"""The examples in ssa's docstrings run as tests: every module whose source
holds a ``>>>`` example is imported and run through doctest."""
import doctest
import importlib
import importlib.util
import pkgutil
from pathlib import Path

import pytest

import ssa


def modules_with_examples() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(ssa.__path__, prefix="ssa."):
        spec = importlib.util.find_spec(info.name)
        if spec.origin and spec.origin.endswith(".py") and ">>>" in Path(spec.origin).read_text(encoding="utf-8"):
            names.append(info.name)
    return sorted(names)


MODULES = modules_with_examples()


def test_the_modules_with_examples_are_found():
    assert {"ssa.timeutil", "ssa.constants", "ssa.catalog.summary"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.attempted > 0, f"{name}: no example ran"
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples failed (doctest output above)"
