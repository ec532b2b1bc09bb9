"""config.py's parsing helpers and the production start-up checks."""

import logging
import os
import subprocess
import sys

import pytest

from app import create_app
from config import Config, ConfigError, database_url, env_bool, env_int, env_int_list, env_list, env_str
from tests.support.paths import ROOT


class ProductionConfig(Config):
    """A production start (neither debug nor testing) on a throwaway database."""

    TESTING = False
    DEBUG = False
    SECRET_KEY = None
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    SQLALCHEMY_ENGINE_OPTIONS = {}
    REDIS_URL = None
    ELASTICSEARCH_URL = None
    MAIL_SERVER = None
    RATELIMIT_STORAGE_URI = "memory://"
    LOG_TO_STDOUT = True


@pytest.fixture
def restore_root_logger():
    """Undo the handlers a production start adds to the root logger."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


# env_str / env_int / env_list


def test_env_str_strips_and_treats_blank_as_unset(monkeypatch):
    monkeypatch.setenv("MICROBLOG_TEST_VALUE", "  hello ")
    assert env_str("MICROBLOG_TEST_VALUE") == "hello"
    monkeypatch.setenv("MICROBLOG_TEST_VALUE", "   ")
    assert env_str("MICROBLOG_TEST_VALUE", "fallback") == "fallback"


def test_env_int_reads_a_whole_number(monkeypatch):
    monkeypatch.setenv("MAIL_PORT", " 587 ")
    assert env_int("MAIL_PORT", 25) == 587


@pytest.mark.parametrize("value", [None, ""])
def test_env_int_uses_default_when_unset_or_blank(monkeypatch, value):
    if value is None:
        monkeypatch.delenv("MAIL_PORT", raising=False)
    else:
        monkeypatch.setenv("MAIL_PORT", value)
    assert env_int("MAIL_PORT", 25) == 25


@pytest.mark.parametrize("value", ["abc", "25.0", "2 5", "0x19", "25abc"])
def test_env_int_malformed_value_is_a_config_error_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv("MAIL_PORT", value)
    with pytest.raises(ConfigError) as excinfo:
        env_int("MAIL_PORT", 25)
    message = str(excinfo.value)
    assert "MAIL_PORT" in message
    assert value.strip() in message
    assert "\n" not in message


def test_env_list_splits_on_commas_and_drops_empty_items(monkeypatch):
    monkeypatch.setenv("ADMINS", " a@example.com, ,b@example.com,")
    assert env_list("ADMINS") == ["a@example.com", "b@example.com"]
    monkeypatch.delenv("ADMINS")
    assert env_list("ADMINS") == []
    assert env_list("LANGUAGES_UNSET_FOR_TEST", "en,es,zh") == ["en", "es", "zh"]


def test_env_int_list_reads_whole_numbers_and_names_a_malformed_variable(monkeypatch):
    monkeypatch.setenv("MAIL_RETRY_INTERVALS", "5, 30,120")
    assert env_int_list("MAIL_RETRY_INTERVALS", "10") == [5, 30, 120]
    monkeypatch.delenv("MAIL_RETRY_INTERVALS")
    assert env_int_list("MAIL_RETRY_INTERVALS", "10,60") == [10, 60]
    monkeypatch.setenv("MAIL_RETRY_INTERVALS", "5,soon")
    with pytest.raises(ConfigError, match="MAIL_RETRY_INTERVALS.*5,soon"):
        env_int_list("MAIL_RETRY_INTERVALS", "10")


# env_bool


@pytest.mark.parametrize("value", ["1", "true", "True", "TRUE", "yes", "YES", "on", "On", " on "])
def test_env_bool_is_true_for_1_true_yes_on(monkeypatch, value):
    monkeypatch.setenv("MAIL_USE_TLS", value)
    assert env_bool("MAIL_USE_TLS") is True


@pytest.mark.parametrize("value", ["0", "false", "no", "off", "y", "t", "2", "enabled", "truee", "-1"])
def test_env_bool_is_false_for_anything_else(monkeypatch, value):
    monkeypatch.setenv("MAIL_USE_TLS", value)
    assert env_bool("MAIL_USE_TLS", default=True) is False


def test_env_bool_uses_default_when_unset(monkeypatch):
    monkeypatch.delenv("MAIL_USE_TLS", raising=False)
    assert env_bool("MAIL_USE_TLS") is False
    assert env_bool("MAIL_USE_TLS", default=True) is True


# database_url


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db:5432/microblog", "postgresql+psycopg://u:p@db:5432/microblog"),
        ("postgresql://u:p@db/microblog", "postgresql+psycopg://u:p@db/microblog"),
        ("postgresql+psycopg://u@db/microblog", "postgresql+psycopg://u@db/microblog"),
        ("mysql://u:p@db/microblog", "mysql+pymysql://u:p@db/microblog?charset=utf8mb4"),
        ("mariadb://u:p@db/microblog", "mysql+pymysql://u:p@db/microblog?charset=utf8mb4"),
        ("mysql://u@db/microblog?ssl=true", "mysql+pymysql://u@db/microblog?ssl=true&charset=utf8mb4"),
        ("mysql+pymysql://u@db/microblog?charset=utf8mb4", "mysql+pymysql://u@db/microblog?charset=utf8mb4"),
        ("sqlite:////var/lib/microblog.db", "sqlite:////var/lib/microblog.db"),
    ],
)
def test_database_url_upgrades_schemes_and_drivers(monkeypatch, given, expected):
    monkeypatch.setenv("DATABASE_URL", given)
    assert database_url("sqlite:///default.db") == expected


def test_database_url_defaults_when_unset(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert database_url("sqlite:///default.db") == "sqlite:///default.db"


# The production secret-key check


@pytest.mark.parametrize("secret", [None, "", "change-me", "changeme", "secret", "you-will-never-guess"])
def test_production_start_refuses_missing_or_placeholder_secret_key(secret):
    config = type("Prod", (ProductionConfig,), {"SECRET_KEY": secret})
    with pytest.raises(ConfigError) as excinfo:
        create_app(config)
    message = str(excinfo.value)
    assert "SECRET_KEY" in message
    assert "\n" not in message


def test_production_start_accepts_a_real_secret_key(restore_root_logger):
    config = type("Prod", (ProductionConfig,), {"SECRET_KEY": "a3f1c9e0b7d24e6f8a1b2c3d4e5f60718293a4b5c6d7e8f9"})
    app = create_app(config)
    assert not app.testing and not app.debug
    assert app.config["SECRET_KEY"].startswith("a3f1")


def test_testing_start_is_allowed_without_secret_key():
    config = type("Testing", (ProductionConfig,), {"TESTING": True, "SECRET_KEY": None})
    app = create_app(config)
    assert app.config["SECRET_KEY"]


def test_debug_start_is_allowed_with_a_placeholder_secret_key():
    config = type("Debug", (ProductionConfig,), {"DEBUG": True, "SECRET_KEY": "change-me"})
    assert create_app(config).debug


def test_flask_start_with_malformed_mail_port_fails_naming_the_variable():
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MAIL_", "DATABASE_URL", "REDIS_URL", "ELASTICSEARCH_URL"))
    }
    env.update(MAIL_PORT="abc", FLASK_APP="microblog.py", SECRET_KEY="x" * 64)
    result = subprocess.run(
        [sys.executable, "-m", "flask", "routes"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "MAIL_PORT" in result.stderr
    assert "abc" in result.stderr
