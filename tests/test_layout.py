"""The layout's rules (docs/design.md), checked on the source: who may import whom, what stays free of pygame and
torch, and how long a module may grow."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("levels", "agents", "game")
MAX_LINES = 450

# Layers, lowest first. A module may import its own layer and the layers before it, never one after it.
LAYERS = [
    ("levels", ["levels"]),
    ("simulation", ["game.world"]),
    ("learning", ["agents"]),
    ("session", ["game.session"]),
    ("screens", ["game"]),  # everything else under game/: the app, scenes, rendering, widgets, CLI
]
NO_PYGAME = ("levels", "simulation", "learning", "session")
NO_TORCH = ("levels", "simulation")


def modules():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            yield name.removesuffix(".__init__"), path


def layer_of(module: str) -> str | None:
    best = None
    for layer, prefixes in LAYERS:
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                if best is None or len(prefix) > len(best[1]):
                    best = (layer, prefix)
    return best[0] if best else None


def imports(path: Path) -> list[str]:
    """Every module a file imports, at the top or inside functions."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return found


ORDER = [name for name, _ in LAYERS]
ALL = list(modules())


@pytest.mark.parametrize("module,path", ALL, ids=[m for m, _ in ALL])
def test_no_import_points_up(module, path):
    mine = layer_of(module)
    for imported in imports(path):
        theirs = layer_of(imported)
        if theirs is not None:
            assert ORDER.index(theirs) <= ORDER.index(mine), f"{module} ({mine}) imports {imported} ({theirs})"
        if mine in NO_PYGAME:
            assert imported.split(".")[0] not in ("pygame", "pygame_gui"), f"{module} imports {imported}"
        if mine in NO_TORCH:
            assert imported.split(".")[0] != "torch", f"{module} imports {imported}"


def test_the_game_package_itself_imports_nothing():
    assert imports(ROOT / "game" / "__init__.py") == []


@pytest.mark.parametrize("module,path", [(m, p) for m, p in ALL if m.startswith("game.scenes.")])
def test_screens_do_not_import_one_another(module, path):
    """They open each other by name through the registry (game.scenes.SCENES)."""
    own = module.split(".")[2]
    for imported in imports(path):
        if imported.startswith("game.scenes"):
            parts = imported.split(".")
            assert parts[:3] in (["game", "scenes", "base"], ["game", "scenes", own]), f"{module} imports {imported}"
    assert "game.app" not in imports(path), f"{module} imports the app"


def test_no_module_is_too_long():
    files = [p for p in ROOT.rglob("*.py") if ".venv" not in p.parts and "build" not in p.parts]
    long = {str(p.relative_to(ROOT)): n for p in files if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"over {MAX_LINES} lines: {long}"
