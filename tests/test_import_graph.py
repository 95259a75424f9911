"""The import graph of skulab.* (ast over src/skulab): no module-level import circle, and no chapter imports the CLI.

Run as a script to print every circle: `python tests/test_import_graph.py [SRC]` (SRC defaults to src/skulab).
Module-level imports are what runs on `import`; imports inside functions run later, when the function runs, and
imports under `if TYPE_CHECKING:` never run: both are listed apart. An import of skulab.x.y counts as one of the
package skulab.x too (its __init__ runs first), except from a module inside skulab.x.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "skulab"
KINDS = ("module", "function", "type-checking")


def modules(src: Path = SRC) -> dict[str, Path]:
    """Every module of the package under `src`: dotted name -> file (a package is its __init__.py)."""
    out = {}
    for path in sorted(src.rglob("*.py")):
        parts = path.relative_to(src.parent).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def edges(src: Path = SRC) -> dict[str, set[tuple[str, str]]]:
    """Per kind of import ('module', 'function', 'type-checking'), the (importer, imported) pairs within skulab."""
    known = modules(src)
    out: dict[str, set[tuple[str, str]]] = {k: set() for k in KINDS}
    for name, path in known.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        _visit(ast.parse(path.read_text()), name, package, known, out, "module")
    return out


def cycles(pairs: set[tuple[str, str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (or a module importing itself), sorted."""
    graph: dict[str, set[str]] = {}
    for a, b in pairs:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def connect(v: str) -> None:  # Tarjan's algorithm
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while True:
                w = stack.pop()
                on.discard(w)
                part.append(w)
                if w == v:
                    break
            if len(part) > 1 or v in graph[v]:
                found.append(sorted(part))

    sys.setrecursionlimit(10_000)
    for v in sorted(graph):
        if v not in index:
            connect(v)
    return sorted(found)


def test_no_module_level_import_circle() -> None:
    assert cycles(edges()["module"]) == []


def test_no_chapter_imports_the_cli() -> None:
    every = set().union(*edges().values())
    assert sorted((a, b) for a, b in every if b.startswith("skulab.cli") and not a.startswith("skulab.cli")) == []


def _visit(node: ast.AST, name: str, package: str, known: dict[str, Path], out: dict[str, set[tuple[str, str]]],
           kind: str) -> None:
    for child in ast.iter_child_nodes(node):
        inner = kind
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) and kind == "module":
            inner = "function"
        elif isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
            for sub in child.body:
                _visit(ast.Module(body=[sub], type_ignores=[]), name, package, known, out, "type-checking")
            for sub in child.orelse:
                _visit(ast.Module(body=[sub], type_ignores=[]), name, package, known, out, kind)
            continue
        if isinstance(child, ast.Import):
            for alias in child.names:
                _add(alias.name, name, known, out[kind])
        elif isinstance(child, ast.ImportFrom):
            base = child.module or ""
            if child.level:
                base = ".".join([*package.split(".")[:len(package.split(".")) - child.level + 1], *filter(None, [base])])
            for alias in child.names:
                target = f"{base}.{alias.name}"
                _add(target if target in known else base, name, known, out[kind])
        _visit(child, name, package, known, out, inner)


def _add(target: str, importer: str, known: dict[str, Path], pairs: set[tuple[str, str]]) -> None:
    """The imported module and the packages above it (Python runs skulab.x's __init__ before skulab.x.y), except
    the importer's own packages."""
    while target and target not in known:  # `import skulab.x.y` of a name inside a module: the module
        target = target.rpartition(".")[0]
    parts = target.split(".")
    for i in range(2, len(parts) + 1):
        name = ".".join(parts[:i])
        if parts[0] == "skulab" and name in known and name != importer and not importer.startswith(name + "."):
            pairs.add((importer, name))


if __name__ == "__main__":
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else SRC
    found = edges(src)
    for kind in KINDS:
        print(f"{kind}-level imports: {len(found[kind])} edges")
    for label, pairs in (("module-level imports", found["module"]),
                         ("module-level and function-local imports", found["module"] | found["function"])):
        circles = cycles(pairs)
        print(f"circles through {label}: {len(circles) or 'none'}")
        for circle in circles:
            print("  " + " <-> ".join(circle))
    cli = sorted((a, b) for a, b in set().union(*found.values()) if b.startswith("skulab.cli")
                 and not a.startswith("skulab.cli"))
    print("modules outside skulab.cli importing it: " + (", ".join(f"{a} -> {b}" for a, b in cli) or "none"))
