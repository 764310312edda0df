"""Print the import graph between mbcl_audio's packages and check it against the stage order.

Run from the repository root::

    python tools/import_graph.py          # the graph, then any violations; exit 1 if there are any
    python tools/import_graph.py --all    # also every module-level edge, file by file

A package may import only itself and packages of an earlier layer (see LAYERS), and no module
may import itself back through others (a module cycle, counted over the imports that run at
import time). Imports inside functions are listed with the comment that says why each is lazy
(an optional heavy dependency such as torch); one without a reason is a violation, and one
that dodges a cycle shows up as an upward edge or as a cycle once moved to the top.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

PACKAGE = "mbcl_audio"

# Earlier layers first. Each group may import its own members and anything in an earlier group.
LAYERS: list[tuple[str, ...]] = [
    ("units", "errors", "atomic", "audio", "heap", "vocab", "schema"),
    ("measure",),
    ("script",),
    ("catalog",),
    ("plan",),
    ("takes",),
    ("render",),
    ("master",),
    ("export",),
    ("qa",),
    ("prepare",),
    ("check", "build", "tracks", "i18n"),
    ("set",),
    ("cli",),
]


def _layer_of(part: str) -> int:
    for i, group in enumerate(LAYERS):
        if part in group:
            return i
    raise SystemExit(f"tools/import_graph.py: {part!r} is in no layer; add it to LAYERS")


def _part(module: str) -> str | None:
    pieces = module.split(".")
    if pieces[0] != PACKAGE:
        return None
    # The package's own __init__ (SAMPLE_RATE) belongs with the leaf modules.
    return pieces[1] if len(pieces) > 1 else "units"


def _module_name(path: Path, root: Path) -> str:
    rel = path.relative_to(root).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _is_module(root: Path, name: str) -> bool:
    return (root / PACKAGE / name).is_dir() or (root / PACKAGE / f"{name}.py").is_file()


def _resolve(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _submodule(root: Path, target: str, name: str) -> str:
    """``from target import name``: the module ``target.name`` if it is one, else ``target``."""
    path = root.joinpath(*target.split("."), name)
    return f"{target}.{name}" if path.is_dir() or path.with_suffix(".py").is_file() else target


def collect(root: Path) -> tuple[list[tuple[str, str, int, bool]], int, set[int]]:
    """Every import of a mbcl_audio module: (importer, imported, line, inside a function).

    Also returns the ids of edges that sit under ``if TYPE_CHECKING:`` (never run).
    """
    edges: list[tuple[str, str, int, bool]] = []
    typing_only: set[int] = set()
    n_files = 0
    for path in sorted((root / PACKAGE).rglob("*.py")):
        n_files += 1
        module = _module_name(path, root)
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        func_lines: set[int] = set()
        checking_lines: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for inner in ast.walk(node):
                    if isinstance(inner, (ast.Import, ast.ImportFrom)):
                        func_lines.add(inner.lineno)
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                for inner in node.body:
                    for sub in ast.walk(inner):
                        if isinstance(sub, (ast.Import, ast.ImportFrom)):
                            checking_lines.add(sub.lineno)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                target = _resolve(module, node, path.name == "__init__.py")
                # "from mbcl_audio import measure" imports a package, not the root.
                targets = [_submodule(root, target, a.name) for a in node.names]
            else:
                continue
            for target in dict.fromkeys(targets):
                if target.startswith(PACKAGE):
                    if node.lineno in checking_lines:
                        typing_only.add(len(edges))
                    edges.append((module, target, node.lineno, node.lineno in func_lines))
    return edges, n_files, typing_only


def module_cycles(edges: list[tuple[str, str, int, bool]], skip: set[int]) -> list[list[str]]:
    """Cycles among modules through imports that run when a module is imported (Tarjan's SCCs).

    Importing ``a.b.c`` first imports the packages ``a`` and ``a.b``, so those count as edges too.
    """
    graph: dict[str, set[str]] = defaultdict(set)
    for k, (importer, imported, _, in_function) in enumerate(edges):
        if in_function or k in skip or importer == imported:
            continue
        graph[importer].add(imported)
        pieces = imported.split(".")
        for n in range(2, len(pieces)):
            parent = ".".join(pieces[:n])
            if parent != importer and not importer.startswith(parent + "."):
                graph[importer].add(parent)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _reason(root: Path, module: str, line: int) -> str:
    """The comment on an import's line or the line above it: why the import is lazy."""
    path = root.joinpath(*module.split("."))
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    lines = path.read_text(encoding="utf-8").splitlines()
    for text in (lines[line - 1], lines[line - 2] if line > 1 else ""):
        if "#" in text:
            return text.split("#", 1)[1].strip()
    return ""


def main(argv: list[str]) -> int:
    root = Path(__file__).resolve().parents[1]
    edges, n_files, typing_only = collect(root)
    graph: dict[str, set[str]] = defaultdict(set)
    lazy: list[tuple[str, str, int]] = []
    violations: list[str] = []
    for k, (importer, imported, line, in_function) in enumerate(edges):
        a, b = _part(importer), _part(imported)
        if in_function:
            lazy.append((importer, imported, line))
        if a is None or b is None or a == b:
            continue
        if k not in typing_only:
            graph[a].add(b)
        if _layer_of(b) > _layer_of(a):
            kind = "function-level " if in_function else ""
            violations.append(f"{importer}:{line}: {kind}import of {imported} (layer {b} comes after {a})")
    print(f"{len(edges)} imports in {n_files} modules")
    print("layers, earliest first: " + " < ".join("/".join(g) for g in LAYERS))
    print("\npackage -> packages it imports")
    for part in sorted(graph, key=lambda p: (_layer_of(p), p)):
        print(f"  {part:8} -> {', '.join(sorted(graph[part], key=lambda p: (_layer_of(p), p)))}")
    print("\nimports inside functions (each needs a reason in a comment; a missing one is a violation):")
    for importer, imported, line in lazy:
        reason = _reason(root, importer, line)
        print(f"  {importer}:{line} -> {imported}: {reason or 'NO REASON GIVEN'}")
        if not reason:
            violations.append(f"{importer}:{line}: import of {imported} inside a function without a reason")
    if not lazy:
        print("  none")
    print("\ntype-checking-only imports (never run):")
    for k in sorted(typing_only):
        importer, imported, line, _ = edges[k]
        print(f"  {importer}:{line} -> {imported}")
    if not typing_only:
        print("  none")
    for cycle in module_cycles(edges, typing_only):
        violations.append("module cycle: " + " <-> ".join(cycle))
    if "--all" in argv:
        print("\nevery edge")
        for importer, imported, line, in_function in edges:
            print(f"  {importer}:{line} -> {imported}{'  (in a function)' if in_function else ''}")
    print("\nviolations:")
    for v in violations:
        print("  " + v)
    if not violations:
        print("  none: no cycle between modules or packages, no import from a later stage")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
