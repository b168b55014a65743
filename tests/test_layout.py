"""The house rules of server/: each folder imports only from its own floor or below.

Floors, lowest first: the token core; the foundations (clock, batches, paths, extensions, instance
secrets, problems, logs); the models; the services (register, documents, keys, auth); the HTTP edge and
development helpers (views, dev); the app factory and the CLI.
"""
import ast
from pathlib import Path

import pytest

SERVER = Path(__file__).resolve().parent.parent / "server"
FLOORS = {
    "token_core": 0,
    "clock": 1, "batches": 1, "paths": 1, "extensions": 1, "instance_secrets": 1, "problems": 1, "logs": 1,
    "models": 2,
    "register": 3, "documents": 3, "keys": 3, "auth": 3,
    "views": 4, "dev": 4,
    "": 5, "cli": 5,          # "" is server/__init__.py: create_app
}
FRAMEWORKS = ("flask", "flask_sqlalchemy", "sqlalchemy", "werkzeug", "jinja2")


def _modules():
    """Python modules of the package (server/web and server/config are links to data)."""
    return sorted(p for p in SERVER.rglob("*.py")
                  if not {"migrations", "web", "config"} & set(p.relative_to(SERVER).parts))


def _dotted(path: Path) -> list[str]:
    parts = list(path.relative_to(SERVER.parent).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def _room(dotted: list[str]) -> str:
    return dotted[1] if len(dotted) > 1 else ""


def _imports(path: Path):
    """(absolute dotted name, line) of every import of the server package in ``path``."""
    here = _dotted(path)
    package = here if path.name == "__init__.py" else here[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - (node.level - 1)] + (node.module.split(".") if node.module else [])
            else:
                base = (node.module or "").split(".")
            if node.module is None or base == package[:len(base)]:
                for alias in node.names:    # `from . import x` imports the module x
                    yield [*base, alias.name], node.lineno
            else:
                yield base, node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split("."), node.lineno


def _room_of_target(target: list[str]) -> str | None:
    if target[0] != "server":
        return None
    if len(target) == 1:
        return ""
    name = target[1]
    return name if name in FLOORS else ""


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SERVER)))
def test_no_module_imports_from_a_higher_floor(path):
    room = _room(_dotted(path))
    assert room in FLOORS, f"{path}: a new folder needs its floor in tests/test_layout.py"
    for target, line in _imports(path):
        other = _room_of_target(target)
        if other is None or other == room:
            continue
        assert FLOORS[other] <= FLOORS[room] or room in ("", "cli"), (
            f"{path.relative_to(SERVER)}:{line} imports {'.'.join(target)} from a higher floor")
        assert other != "" or room == "cli", (
            f"{path.relative_to(SERVER)}:{line} imports the app factory package")


@pytest.mark.parametrize("path", sorted((SERVER / "token_core").glob("*.py")), ids=lambda p: p.name)
def test_the_token_core_stays_framework_free(path):
    for target, line in _imports(path):
        assert target[0] not in FRAMEWORKS, f"token_core/{path.name}:{line} imports {target[0]}"
        assert target[0] != "server" or target[1] == "token_core", (
            f"token_core/{path.name}:{line} imports {'.'.join(target)}")


def test_each_folder_says_what_it_holds():
    for package in sorted(p.parent for p in _modules() if p.name == "__init__.py"):
        tree = ast.parse((package / "__init__.py").read_text(encoding="utf-8"))
        assert ast.get_docstring(tree), f"{package.relative_to(SERVER.parent)}/__init__.py has no docstring"


def test_no_module_shadows_the_standard_library():
    import sys
    names = {p.stem for p in SERVER.rglob("*.py")} | {p.name for p in SERVER.rglob("*") if p.is_dir()}
    assert not names & sys.stdlib_module_names
