"""The code's layout as the README says it: the module map matches the folders, the CLI
package has no import cycle, and writers reach files only through the asset reader."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "drafter"


def _module_map() -> str:
    readme = (ROOT / "README.md").read_text("utf-8")
    return readme.split("## Layout of the code", 1)[1].split("\n## ", 1)[0]


def test_the_readme_module_map_names_every_package_and_module_there_is():
    table = _module_map()
    named = set(re.findall(r"`(drafter/[\w/.]+?)/?`", table))
    real = {f"drafter/{p.name}" for p in PACKAGE.iterdir()
            if (p.is_dir() and (p / "__init__.py").exists())
            or (p.suffix == ".py" and p.name not in ("__init__.py", "__main__.py"))}
    assert real - named == set(), "not in the README's module map"
    assert named - real == set(), "in the README's module map but not in the code"
    for package in (p for p in PACKAGE.iterdir() if (p / "__init__.py").exists()):
        row = next(line for line in table.splitlines() if f"`drafter/{package.name}/`" in line)
        for module in package.glob("*.py"):
            if module.name != "__init__.py" and package.name not in ("signon", "cli"):
                assert module.stem in row, f"{package.name}/{module.name} not in its README row"


def _imports(path: Path) -> list[tuple[int, str | None, list[str]]]:
    tree = ast.parse(path.read_text("utf-8"))
    return [(node.level, node.module, [a.name for a in node.names])
            for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]


def test_cli_modules_import_no_sibling_but_the_shared_one():
    for path in (PACKAGE / "cli").glob("*.py"):
        for level, module, names in _imports(path):
            if level == 1:  # `from .x import ...` or `from . import x`
                target = module or names[0]
                if path.name == "__init__.py" and target in ("signatories", "translations",
                                                              "rounds", "feedback", "serve",
                                                              "common"):
                    continue  # the package registers its command groups
                assert target == "common", f"{path.name} imports .{target}"


def test_writers_open_no_file_themselves():
    # Renderers get a Rendition and read logos, images and fonts through its asset reader.
    for name in ("docx.py", "html.py", "txt.py", "flow.py"):
        source = (PACKAGE / "formats" / name).read_text("utf-8")
        for call in ("open(", "read_bytes(", "read_text(", "os.stat("):
            assert call not in source.replace("docx.Document(", ""), f"{name}: {call}"
