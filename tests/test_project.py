"""The project's own promises: pinned dependencies; `invoke build` replacing the last good site only
with one that passed, and removing what builds left behind; no circle of modules importing each
other; docstrings of a line or two. (Pelican's own command building the same site: test_plain_pelican.py.)"""

import ast
import graphlib
import importlib.util
import os
import re
import tomllib

from tests.support.sites import ROOT


def _lock():
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        name, _, version = line.partition("==")
        pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def test_every_dependency_is_pinned_and_in_the_lock():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = project["dependencies"] + [d for group in project["optional-dependencies"].values() for d in group]
    lock = _lock()
    assert len(declared) >= 10
    for requirement in declared:
        name, _, version = requirement.partition("==")
        assert version, f"{requirement} is not pinned with =="
        assert lock.get(re.sub(r"[-_.]+", "-", name).lower()) == version, requirement


def test_failed_build_leaves_the_last_good_site_untouched(tmp_path):
    from keter_tools.build import build
    from tests.support.sites import FixtureSite, page_text

    fixture = FixtureSite(tmp_path / "site")
    settings = fixture.settings_file()
    output = tmp_path / "output"
    good = build(str(settings), output, use_cache=False)
    assert good.ok, good.message
    before = {p: p.read_bytes() for p in output.rglob("*") if p.is_file()}
    fixture.write_page("en", "broken", page_text("broken", "xx"))
    bad = build(str(settings), output, use_cache=False)
    assert not bad.ok
    assert "content/en/broken.md:4: unknown language 'xx'" in bad.message
    assert {p: p.read_bytes() for p in output.rglob("*") if p.is_file()} == before
    assert not [p for p in output.parent.iterdir() if ".building-" in p.name]


def test_a_build_removes_the_folders_a_killed_build_left(tmp_path):
    from keter_tools.build import build
    from tests.support.sites import FixtureSite

    fixture = FixtureSite(tmp_path / "site")
    output = tmp_path / "output"
    # A process id no process has (above the kernel's pid_max): its folders are abandoned.
    dead = 2**22 + 1
    left = tmp_path / f".output.building-{dead}-x"
    old = tmp_path / f".output.building-{dead}-old-y" / "site"  # a replaced site it was deleting
    mine = tmp_path / f".output.building-{os.getpid()}-z"  # a build still running: kept
    for folder in [left, old, mine]:
        (folder / "en").mkdir(parents=True)
        (folder / "en" / "index.html").write_text("old")
    assert build(str(fixture.settings_file()), output, use_cache=False).ok
    assert not left.exists() and not old.parent.exists() and mine.exists()


def test_a_new_build_takes_the_old_ones_place_and_the_old_site_is_removed(tmp_path):
    import time

    from keter_tools.build import build
    from tests.support.sites import FixtureSite, page_text

    fixture = FixtureSite(tmp_path / "site")
    output = tmp_path / "output"
    assert build(str(fixture.settings_file()), output, use_cache=False).ok
    fixture.write_page("en", "added", page_text("added", "en", body="A page added after the first build."))
    fixture.write_page("he", "added", page_text("added", "he", body="עמוד שנוסף אחרי הבנייה הראשונה."))
    assert build(str(fixture.settings_file()), output, use_cache=False).ok
    assert "A page added after the first build." in (output / "en" / "added" / "index.html").read_text()
    # The replaced site is deleted by a process of its own, after the build returned.
    deadline = time.monotonic() + 60
    while [p for p in tmp_path.iterdir() if ".building-" in p.name] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [p for p in tmp_path.iterdir() if ".building-" in p.name]


def _imports_of_the_product():
    """{module: the product modules it imports, at the top or inside a function}."""
    files = {}
    for package_root, folder in ((ROOT / "plugins", ROOT / "plugins" / "keter_site"), (ROOT, ROOT / "keter_tools")):
        for path in folder.rglob("*.py"):
            parts = path.relative_to(package_root).with_suffix("").parts
            files[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph = {}
    for module, path in files.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = importlib.util.resolve_name("." * node.level + (node.module or ""), package)
                found.update(f"{base}.{alias.name}" if f"{base}.{alias.name}" in files else base for alias in node.names)
        graph[module] = {name for name in found if name in files and name != module}
    return graph


def test_the_product_modules_import_each_other_without_a_circle():
    # A circle means two modules each need the other: neither can be read, tested or moved alone.
    graph = _imports_of_the_product()
    assert "keter_site.core.build" in graph["keter_site.checks"]
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as error:
        raise AssertionError("modules that import each other: " + " -> ".join(error.args[1])) from None


def test_every_docstring_of_the_product_is_one_or_two_lines():
    # What a part is for and why, in a line or two; the detail goes beside the code it concerns.
    long = []
    for path in [*(ROOT / "plugins" / "keter_site").rglob("*.py"), *(ROOT / "keter_tools").rglob("*.py"),
                 ROOT / "tasks.py", ROOT / "pelicanconf.py", ROOT / "publishconf.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                text = ast.get_docstring(node, clean=False)
                if text and len(text.strip().splitlines()) > 2:
                    long.append(f"{path.relative_to(ROOT)}: {getattr(node, 'name', 'the module')}")
    assert not long, "\n".join(long)
