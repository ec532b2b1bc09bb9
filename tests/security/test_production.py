"""Production safety: no start without a real secret, no debug switch, no secret in the code."""

import ast
import os
import subprocess
import sys

import pytest

from app import create_app
from config import PLACEHOLDER_SECRET_KEYS, Config, ConfigError
from tests.support.paths import ROOT

START = "from app import create_app; create_app(); print('started')"


def production_config(secret):
    return type("Production", (Config,), {"SECRET_KEY": secret, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


@pytest.mark.parametrize("secret", [None, *sorted(PLACEHOLDER_SECRET_KEYS)])
def test_create_app_refuses_a_missing_or_placeholder_secret(secret):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(production_config(secret))


def start_in_production(**env) -> subprocess.CompletedProcess:
    """Build the app as a production process does (no debug, no testing) with this environment."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "SECRET_KEY"))}
    return subprocess.run(
        [sys.executable, "-c", START],
        cwd=ROOT,
        env={**clean, "DATABASE_URL": "sqlite://", "LOG_TO_STDOUT": "1", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_production_start_without_secret_fails_with_one_clear_line():
    result = start_in_production(SECRET_KEY="")
    assert result.returncode != 0
    assert "started" not in result.stdout
    assert "SECRET_KEY is missing or a placeholder" in result.stderr


def test_a_production_start_with_a_real_secret_works():
    result = start_in_production(SECRET_KEY="4f9c2b7e1d8a6f3c0b5e9d2a7c4f1e8b")
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_flaskenv_does_not_turn_on_debug():
    lines = [line.strip() for line in (ROOT / ".flaskenv").read_text().splitlines()]
    settings = dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))
    assert settings.get("FLASK_APP") == "microblog.py"
    assert "FLASK_DEBUG" not in settings
    assert settings.get("FLASK_ENV", "production") != "development"


def test_config_has_no_hard_coded_secrets():
    tree = ast.parse((ROOT / "config.py").read_text())
    config_class = next(node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == "Config")
    sensitive = ("SECRET", "PASSWORD", "KEY", "TOKEN")
    for node in config_class.body:
        if not isinstance(node, ast.Assign):
            continue
        names = [target.id for target in node.targets if isinstance(target, ast.Name)]
        if not any(word in name for name in names for word in sensitive):
            continue
        call = node.value
        assert isinstance(call, ast.Call) and getattr(call.func, "id", None) == "env_str", names
        assert len(call.args) == 1 and not call.keywords, f"{names} has a default value"


def test_the_secret_key_defaults_to_none():
    code = "import config; print(repr(config.Config.SECRET_KEY))"
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env["SECRET_KEY"] = ""  # blank counts as unset (and keeps a developer's .env out of the way)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "None", result.stderr


def test_the_example_environment_file_ships_no_usable_secret():
    example = ROOT / ".env.example"
    assert example.is_file(), ".env.example is part of the project"
    for line in example.read_text().splitlines():
        if line.strip().startswith("SECRET_KEY="):
            assert line.split("=", 1)[1].strip() in PLACEHOLDER_SECRET_KEYS
