"""pyproject.toml declares exactly what the package imports: every third-party
module imported under ssa/ belongs to a declared dependency, and every declared
dependency is imported (or named below with what loads it without an import)."""
import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# declared dependencies that the code needs at run time without importing them
LOADED_WITHOUT_IMPORT = {
    "psycopg": "SQLAlchemy loads it for postgresql+psycopg:// database URLs",
    "python-multipart": "FastAPI parses the catalogue upload form (POST /v1/catalog) with it",
}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return {canonical(re.match(r"[A-Za-z0-9._-]+", dep).group()) for dep in project["dependencies"]}


def imported_modules() -> dict[str, set[str]]:
    """Top-level third-party module -> files under ssa/ that import it."""
    out: dict[str, set[str]] = {}
    for path in sorted((REPO / "ssa").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top != "ssa" and top not in sys.stdlib_module_names:
                    out.setdefault(top, set()).add(str(path.relative_to(REPO)))
    return out


def test_every_import_is_declared_and_every_declared_dependency_used():
    distributions = packages_distributions()
    imported = {}
    for module, files in imported_modules().items():
        assert module in distributions, f"{module} (imported in {sorted(files)}) is not installed"
        for dist in distributions[module]:
            imported[canonical(dist)] = files
    needed = declared()
    undeclared = {dist: sorted(files) for dist, files in imported.items() if dist not in needed}
    assert not undeclared, f"imported but not in pyproject.toml's dependencies: {undeclared}"
    unused = needed - set(imported) - set(LOADED_WITHOUT_IMPORT)
    assert not unused, f"declared in pyproject.toml but never imported under ssa/: {sorted(unused)}"
    assert set(LOADED_WITHOUT_IMPORT) <= needed
