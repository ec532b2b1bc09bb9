"""`flask translate init/update/compile` run as a user would: .venv/bin/flask, any directory, no venv."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

import app.cli.translate

PROJECT_DIR = app.cli.translate.PROJECT_DIR
FLASK = Path(sys.executable).parent / "flask"


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the project's code and catalogues, so the commands can write freely."""
    copy = tmp_path / "microblog"
    shutil.copytree(PROJECT_DIR / "app", copy / "app", ignore=shutil.ignore_patterns("__pycache__", "*.mo", "*.pyc"))
    for name in ("babel.cfg", "config.py", "microblog.py"):
        shutil.copy2(PROJECT_DIR / name, copy / name)
    return copy


def flask(project: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run the venv's flask by its path, from `cwd`, with a bare environment (no activated venv)."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(cwd),
        "LANG": "C.UTF-8",
        "SECRET_KEY": "cli-test-secret-key-0123456789abcdef",
    }
    return subprocess.run(
        [str(FLASK), "--app", str(project / "microblog.py"), "translate", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def catalogue(project: Path, lang: str) -> Path:
    return project / "app" / "translations" / lang / "LC_MESSAGES" / "messages.po"


def test_the_venvs_flask_script_is_used():
    assert FLASK.exists(), "run the tests with the project's .venv/bin/python"


def test_init_update_compile_from_another_directory(project, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    result = flask(project, "init", "pt_BR", cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    po_path = catalogue(project, "pt_BR")
    with po_path.open("rb") as file:
        new = read_po(file)
    assert new.get("Explore") is not None
    assert new.get("Explore").string == ""

    # A new marked string appears in a template: update brings it into every catalogue.
    template = project / "app" / "templates" / "main" / "index.html"
    template.write_text(template.read_text(encoding="utf-8") + "{{ _('A brand new string') }}\n", encoding="utf-8")
    result = flask(project, "update", cwd=Path("/"))
    assert result.returncode == 0, result.stderr
    for lang in ("es", "zh", "pt_BR"):
        with catalogue(project, lang).open("rb") as file:
            updated = read_po(file)
        assert updated.get("A brand new string") is not None, lang
    with catalogue(project, "es").open("rb") as file:
        assert read_po(file).get("Explore").string == "Explorar", "update keeps the translations"

    result = flask(project, "compile", cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    for lang in ("es", "zh", "pt_BR"):
        mo_path = catalogue(project, lang).with_suffix(".mo")
        assert mo_path.exists(), lang
    with catalogue(project, "zh").with_suffix(".mo").open("rb") as file:
        assert read_mo(file).get("Explore").string == "发现"

    leftovers = [path for path in (project, elsewhere, Path("/")) if (path / "messages.pot").exists()]
    assert leftovers == [], "the extracted template is temporary"
    assert list(elsewhere.iterdir()) == [], "nothing is written to the current directory"


def test_compile_the_real_catalogues_from_tmp(tmp_path):
    """The command `make` runs, here from a foreign directory with the real project."""
    result = flask(PROJECT_DIR, "compile", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Catalogues compiled." in result.stdout
    for lang in ("es", "zh"):
        assert catalogue(PROJECT_DIR, lang).with_suffix(".mo").exists()


@pytest.mark.parametrize("code", ["xx!", "../es", "english", "es-ES"])
def test_a_bad_language_is_a_clear_error(project, tmp_path, code):
    result = flask(project, "init", code, cwd=tmp_path)
    assert result.returncode == 2
    assert f"Invalid value for LANG: {code!r} is not a language code" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(path.name for path in (project / "app" / "translations").iterdir()) == ["es", "zh"]


def test_an_existing_language_is_a_clear_error(project, tmp_path):
    result = flask(project, "init", "es", cwd=tmp_path)
    assert result.returncode == 1
    assert "a catalogue for 'es' exists already" in result.stderr
    assert "Traceback" not in result.stderr


def test_commands_use_no_shell():
    source = Path(app.cli.translate.__file__).read_text(encoding="utf-8")
    assert "os.system" not in source
    assert "shell=True" not in source
