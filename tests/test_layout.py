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


def _project_imports() -> dict[str, set[str]]:
    """module -> the project's modules it imports (at the top or inside functions); a package's own parents are
    left out (importing a module runs its packages' __init__ first, as Python does)."""
    names = {m for m, _ in ALL}
    graph = {}
    for module, path in ALL:
        found = set()
        for imported in imports(path):
            while imported and imported not in names:
                imported = imported.rpartition(".")[0]
            if imported and imported != module and not module.startswith(imported + "."):
                found.add(imported)
        graph[module] = found
    return graph


def test_no_two_modules_import_each_other_even_through_others():
    """No import cycles, counting imports inside functions: a cycle kept from failing by a late import is still a
    cycle (two modules that cannot be understood, or changed, apart)."""
    graph, order, low, stack, cycles = _project_imports(), {}, {}, [], []

    def visit(module):  # Tarjan's strongly connected components
        order[module] = low[module] = len(order)
        stack.append(module)
        for other in graph[module]:
            if other not in order:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], order[other])
        if low[module] == order[module]:
            component = []
            while not component or component[-1] != module:
                component.append(stack.pop())
            if len(component) > 1:
                cycles.append(sorted(component))
    for module in graph:
        if module not in order:
            visit(module)
    assert not cycles, f"import cycles: {cycles}"


def test_agent_kinds_and_optimizers_are_compared_by_their_constants_not_their_names():
    """An agent kind's or an optimizer's name is written once (agents/kinds.py); elsewhere `kind == PLANNER`, never
    `== "planner"`, and `optimizer == EVOLUTION`."""
    from agents.kinds import AGENT_KINDS, OPTIMIZERS
    names = AGENT_KINDS + OPTIMIZERS
    found = []
    for module, path in ALL:
        if module == "agents.kinds":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Compare):
                continue
            for op, left, right in zip(node.ops, [node.left] + node.comparators, node.comparators):
                sides = [left, right] if isinstance(op, (ast.Eq, ast.NotEq)) else [right] if isinstance(
                    op, (ast.In, ast.NotIn)) else []
                for side in sides:
                    items = side.elts if isinstance(side, (ast.Tuple, ast.List, ast.Set)) else [side]
                    if any(isinstance(i, ast.Constant) and i.value in names for i in items):
                        found.append(f"{module}:{node.lineno}: {ast.unparse(node)}")
    assert not found, "compare with agents.kinds' constants:\n" + "\n".join(found)


def test_the_home_screen_and_its_lessons_load_without_torch():
    """Home lists every lesson (checking each file, the steering ones too) without loading torch: the window opens
    at once, and torch loads when a screen that trains or plays an agent opens."""
    import os
    import subprocess
    import sys
    code = ("import sys\nfrom game.paths import asset\nfrom game.session.lesson import lessons_in\n"
            "import game.scenes.home\nassert lessons_in(asset('lessons'))\nprint('torch' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "SDL_VIDEODRIVER": "dummy"})
    assert done.stdout.strip() == "False", done.stderr[-2000:]


def test_nothing_in_the_game_imports_the_developer_scripts():
    """agents/dev/ holds scripts for the project's developers (shipped agents, tables): the game runs without them."""
    found = [f"{module} imports {imported}" for module, path in ALL if not module.startswith("agents.dev")
             for imported in imports(path) if imported == "agents.dev" or imported.startswith("agents.dev.")]
    assert not found, found
