"""``make bench`` is not part of ``make test``: at least everything it imports from the app
must exist, so a refactor cannot leave it broken until the next time someone measures."""

import ast
import importlib
import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"


def test_every_name_the_benchmarks_import_from_the_app_exists():
    checked = 0
    for path in sorted(BENCH.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("wellness"):
                module = importlib.import_module(node.module)
                for alias in node.names:
                    assert hasattr(module, alias.name) or importlib.util.find_spec(
                        f"{node.module}.{alias.name}"
                    ), f"{path.name}: {node.module} has no {alias.name}"
                    checked += 1
    assert checked > 10
