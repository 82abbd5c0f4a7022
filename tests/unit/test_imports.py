"""Layers, checked on the source: production code does not import dev code, the engine
does not load the reply layer, logging does not load the BIN table.

The rule, checked on the syntax tree of every production module (every ``.py`` under
``bot/`` outside ``bot/devtools/``, under ``handlers/``, and ``worker.py``):

- no import of ``tests`` or anything under it, anywhere in the module;
- no import of ``bot.devtools`` or anything under it (``from bot import devtools``
  included), except inside the body of one of the functions in ``DEV_ENTRY_POINTS``:
  commands that start dev tools, whose import runs only when that command runs.

A module-level import, or one in any other function, fails. The test reads the source:
it cannot tell a guarded import from an unguarded one inside an allowed function, so
that list stays short and each entry says why. Imports by string (``importlib``) are
not seen; the code has none.

The layer tests follow the imports that run when a module is imported (outside function
bodies), transitively.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

DEV_ENTRY_POINTS = {
    ("bot/cli.py", "emulator"): "`ocrbot emulator` serves the WeChat API emulator",
    ("bot/cli.py", "dev"): "`ocrbot dev` runs the whole bot with the emulator",
    ("bot/__init__.py", "create_app"): "mounts the simulator page, only under ENV=development",
}


def production_modules() -> list[Path]:
    found = [ROOT / "worker.py", *(ROOT / "handlers").rglob("*.py")]
    found += [p for p in (ROOT / "bot").rglob("*.py") if "devtools" not in p.parts]
    return sorted(found)


def imported_names(node: ast.Import | ast.ImportFrom, module: str) -> list[str]:
    """Every dotted name the statement may load (``from a import b`` may load ``a.b``)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:  # relative: resolved against the importing module's package
        package = module.split(".")[: -node.level]
        base = ".".join([*package, base] if base else package)
    return [base, *(f"{base}.{alias.name}" for alias in node.names)]


def is_dev(name: str) -> bool:
    return any(name == root or name.startswith(root + ".") for root in ("bot.devtools", "tests"))


def dev_imports(source: str, module: str) -> list[tuple[int, str, str | None]]:
    """(line, name, enclosing function or None) of every import of dev code in ``source``,
    the text of the dotted ``module``."""
    found: list[tuple[int, str, str | None]] = []

    def visit(node: ast.AST, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, function or child.name)  # nested: the outermost function counts
                continue
            if isinstance(child, ast.Import | ast.ImportFrom):
                found.extend(
                    (child.lineno, name, function)
                    for name in imported_names(child, module)
                    if is_dev(name)
                )
            visit(child, function)

    visit(ast.parse(source), None)
    return found


def dev_imports_of(path: Path) -> list[tuple[int, str, str | None]]:
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    return dev_imports(path.read_text(encoding="utf-8"), module)


def allowed(path: Path, name: str, function: str | None) -> bool:
    where = (path.relative_to(ROOT).as_posix(), function)
    return name.startswith("bot.devtools") and where in DEV_ENTRY_POINTS


@pytest.mark.parametrize("path", production_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_production_module_does_not_import_dev_code(path: Path) -> None:
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        + (f" in {function}()" if function else " at module level")
        for line, name, function in dev_imports_of(path)
        if not allowed(path, name, function)
    ]
    assert wrong == []


def test_the_allowed_entry_points_exist_and_do_import_dev_code() -> None:
    """An entry that no longer imports dev code is stale: drop it from the list."""
    for file, function in DEV_ENTRY_POINTS:
        functions = {f for _, _, f in dev_imports_of(ROOT / file)}
        assert function in functions, f"{file}:{function}() imports no dev code"


def test_the_check_sees_every_way_of_importing() -> None:
    """The rule's own test: each form below is caught, and only the entry point allowed."""
    source = (
        "import bot.devtools.emulator\n"
        "from bot import devtools\n"
        "from tests.samples import find\n"
        "def dev():\n    from bot.devtools.dev import run\n"
        "def other():\n    if True:\n        from bot.devtools import simulator\n"
        "from .devtools import peer\n"
    )
    cli = ROOT / "bot" / "cli.py"
    seen = [(*found, allowed(cli, *found[1:])) for found in dev_imports(source, "bot.cli")]
    assert (1, "bot.devtools.emulator", None, False) in seen
    assert (2, "bot.devtools", None, False) in seen
    assert (3, "tests.samples", None, False) in seen
    assert (5, "bot.devtools.dev", "dev", True) in seen
    assert (8, "bot.devtools", "other", False) in seen
    assert (9, "bot.devtools", None, False) in seen


# -- layers: what the engine and logging may load -----------------------------------------


def module_file(name: str) -> Path | None:
    base = ROOT.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def loads(*start: str) -> set[str]:
    """Every module of ours that importing the ``start`` modules loads: its imports outside function
    bodies, followed transitively (a package loads its ``__init__`` first)."""
    seen: set[str] = set()
    todo = list(start)
    while todo:
        name = todo.pop()
        path = module_file(name)
        if name in seen or path is None:
            continue
        seen.add(name)
        parts = name.split(".")
        todo += [".".join(parts[:i]) for i in range(1, len(parts))]  # parent packages
        module = name if path.name != "__init__.py" else f"{name}.__init__"
        for node in module_level(parsed(path)):
            if isinstance(node, ast.Import | ast.ImportFrom):
                todo += imported_names(node, module)
    return seen


@cache
def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def module_level(tree: ast.AST) -> list[ast.AST]:
    """The nodes that run when the module is imported (function bodies left out)."""
    found = []
    for child in ast.iter_child_nodes(tree):
        found.append(child)
        if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            found += module_level(child)
    return found


def test_the_engine_does_not_load_the_reply_layer() -> None:
    """bot.ocr reads documents; bot.cards words the answer. Number rules both need are
    in bot.numbers."""
    engine = loads(*(_name(f) for f in (ROOT / "bot" / "ocr").rglob("*.py")))
    assert {m for m in engine if m.startswith("bot.cards")} == set()


def test_logging_loads_neither_the_reply_layer_nor_the_bin_table() -> None:
    loaded = loads("bot.logs")
    assert "bot.masking" in loaded and "bot.numbers" in loaded
    assert {m for m in loaded if m.startswith("bot.cards")} == set()


def _name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


# -- RapidOCR's insides: one module only ---------------------------------------------------

RAPIDOCR_GATEWAY = "bot/ocr/local/models.py"
# Attributes of RapidOCR's objects that only the gateway may touch: its private loaders,
# its stages (``Models.det``/``cls``/``rec``) and what they hold and return.
RAPIDOCR_ATTRIBUTES = {
    "_load_det_model", "_load_cls_model", "_load_rec_model",
    "text_det", "text_cls", "text_rec",
    "det", "cls", "rec",
    "postprocess_op", "rec_image_shape", "resize_norm_img", "rec_batch_num",
    "cls_res", "txts", "word_results",
}  # fmt: skip


def rapidocr_uses(source: str, module: str) -> list[tuple[int, str]]:
    """(line, what) of every import of ``rapidocr`` and every use of one of
    ``RAPIDOCR_ATTRIBUTES`` in ``source``, the text of the dotted ``module``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import | ast.ImportFrom):
            found += [
                (node.lineno, f"imports {name}")
                for name in imported_names(node, module)
                if name == "rapidocr" or name.startswith("rapidocr.")
            ]
        elif isinstance(node, ast.Attribute) and node.attr in RAPIDOCR_ATTRIBUTES:
            found.append((node.lineno, f"uses .{node.attr}"))
    return found


def bot_modules() -> list[Path]:
    return sorted((ROOT / "bot").rglob("*.py"))


@pytest.mark.parametrize("path", bot_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_only_the_models_module_touches_rapidocr(path: Path) -> None:
    """RapidOCR is pinned, and its insides change between versions: whoever upgrades it
    reads one module (``bot.ocr.local.models``), whose ``Models`` the others call."""
    if path.relative_to(ROOT).as_posix() == RAPIDOCR_GATEWAY:
        return
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    wrong = [
        f"{path.relative_to(ROOT)}:{line} {what}"
        for line, what in rapidocr_uses(path.read_text(encoding="utf-8"), module)
    ]
    assert wrong == []


def test_the_rapidocr_check_sees_imports_and_internals() -> None:
    source = (
        "import rapidocr\n"
        "from rapidocr.utils.process_img import get_rotate_crop_image\n"
        "from rapidocr import RapidOCR\n"
        "def f(models):\n    return models.rec.postprocess_op.character\n"
        "def g(models):\n    return models.recognize([])\n"
    )
    seen = rapidocr_uses(source, "bot.ocr.local.reader")
    assert (1, "imports rapidocr") in seen
    assert (2, "imports rapidocr.utils.process_img") in seen
    assert (3, "imports rapidocr.RapidOCR") in seen
    assert (5, "uses .rec") in seen and (5, "uses .postprocess_op") in seen
    assert not [found for found in seen if found[0] == 7]  # the gateway's own methods
    gateway = rapidocr_uses((ROOT / RAPIDOCR_GATEWAY).read_text(encoding="utf-8"), "x")
    assert any(what == "imports rapidocr" for _, what in gateway)  # the gateway does
