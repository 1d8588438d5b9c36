"""The library must stay usable without Django: no module of it may import django."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import openbadges

ROOT = Path(openbadges.__file__).resolve().parent.parent


def library_modules() -> list[str]:
    names = ["openbadges"]
    for info in pkgutil.walk_packages(openbadges.__path__, prefix="openbadges."):
        if info.name.startswith("openbadges.tests") or info.name == "openbadges.__main__":
            continue
        names.append(info.name)
    return names


def run_clean(script: str) -> subprocess.CompletedProcess:
    """Run Python in isolated mode (no PYTHONPATH, no DJANGO_SETTINGS_MODULE, no user site)."""
    prelude = f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n"
    return subprocess.run(
        [sys.executable, "-I", "-c", prelude + script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin"},
        timeout=120,
        check=False,
    )


def test_the_module_list_covers_the_library():
    names = library_modules()
    for expected in (
        "openbadges.fetch",
        "openbadges.status",
        "openbadges.verify",
        "openbadges.cli",
    ):
        assert expected in names


def test_importing_every_module_does_not_import_django():
    result = run_clean(
        "import importlib\n"
        f"for name in {library_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] == 'django')))\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"django was imported: {result.stdout.strip()}"


def test_the_command_line_runs_without_django():
    result = run_clean(
        "import runpy\n"
        "sys.argv = ['openbadges', '--help']\n"
        "try:\n"
        "    runpy.run_module('openbadges', run_name='__main__')\n"
        "except SystemExit as exit_:\n"
        "    assert exit_.code == 0, exit_.code\n"
        "print('django' in sys.modules)\n"
    )
    assert result.returncode == 0, result.stderr
    assert "verify" in result.stdout
    assert result.stdout.strip().endswith("False")
