"""Print the import graph between mbcl_audio's packages and check it against the stage order.

Run from the repository root::

    python tools/import_graph.py          # the graph, then any violations; exit 1 if there are any
    python tools/import_graph.py --all    # also every module-level edge, file by file

A package may import only itself and packages of an earlier layer (see LAYERS). Imports inside
functions are listed separately: each must name why it is lazy (an optional heavy dependency,
start-up time), never to dodge a cycle, which shows here as an edge that goes upward.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

PACKAGE = "mbcl_audio"

# Earlier layers first. Each group may import its own members and anything in an earlier group.
LAYERS: list[tuple[str, ...]] = [
    ("units", "errors", "atomic", "audio", "vocab", "schema"),
    ("measure",),
    ("script",),
    ("plan",),
    ("takes",),
    ("render",),
    ("master",),
    ("export",),
    ("qa",),
    ("check", "build"),
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


def collect(root: Path) -> tuple[list[tuple[str, str, int, bool]], int]:
    """Every import of a mbcl_audio module: (importer, imported, line, inside a function)."""
    edges: list[tuple[str, str, int, bool]] = []
    n_files = 0
    for path in sorted((root / PACKAGE).rglob("*.py")):
        n_files += 1
        module = _module_name(path, root)
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        func_lines: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for inner in ast.walk(node):
                    if isinstance(inner, (ast.Import, ast.ImportFrom)):
                        func_lines.add(inner.lineno)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                target = _resolve(module, node, path.name == "__init__.py")
                # "from mbcl_audio import measure" imports a package, not the root.
                targets = [
                    f"{target}.{a.name}" if target == PACKAGE and _is_module(root, a.name) else target
                    for a in node.names
                ]
            else:
                continue
            for target in targets:
                if target.startswith(PACKAGE):
                    edges.append((module, target, node.lineno, node.lineno in func_lines))
    return edges, n_files


def main(argv: list[str]) -> int:
    root = Path(__file__).resolve().parents[1]
    edges, n_files = collect(root)
    graph: dict[str, set[str]] = defaultdict(set)
    lazy: list[tuple[str, str, int]] = []
    violations: list[str] = []
    for importer, imported, line, in_function in edges:
        a, b = _part(importer), _part(imported)
        if a is None or b is None or a == b:
            continue
        graph[a].add(b)
        if in_function:
            lazy.append((importer, imported, line))
        if _layer_of(b) > _layer_of(a):
            kind = "function-level " if in_function else ""
            violations.append(f"{importer}:{line}: {kind}import of {imported} (layer {b} comes after {a})")
    print(f"{len(edges)} imports in {n_files} modules")
    print("layers, earliest first: " + " < ".join("/".join(g) for g in LAYERS))
    print("\npackage -> packages it imports")
    for part in sorted(graph, key=lambda p: (_layer_of(p), p)):
        print(f"  {part:8} -> {', '.join(sorted(graph[part], key=lambda p: (_layer_of(p), p)))}")
    print("\nfunction-level imports of other packages (each must have a reason in a comment):")
    for importer, imported, line in lazy:
        print(f"  {importer}:{line} -> {imported}")
    if not lazy:
        print("  none")
    if "--all" in argv:
        print("\nevery edge")
        for importer, imported, line, in_function in edges:
            print(f"  {importer}:{line} -> {imported}{'  (in a function)' if in_function else ''}")
    print("\nviolations:")
    for v in violations:
        print("  " + v)
    if not violations:
        print("  none: no cycle between packages and no import from a later stage")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
