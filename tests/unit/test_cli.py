"""The `flask translate`, `flask user` and `flask tasks` commands."""

import uuid

import pytest
import sqlalchemy as sa

import app.cli.translate
from app.extensions import db
from app.models import Permission, Task, User
from tests.support.apps import count_rows
from tests.support.factories import UserFactory


@pytest.fixture
def translations_dir(tmp_path, monkeypatch):
    """Point the translate commands at an empty folder (the real catalogues belong to the project)."""
    folder = tmp_path / "translations"
    folder.mkdir()
    monkeypatch.setattr(app.cli.translate, "TRANSLATIONS_DIR", folder)
    monkeypatch.setattr(app.cli.translate, "POT_FILE", tmp_path / "messages.pot")
    return folder


def add_task(user, name="export_posts", **fields):
    task = Task(id=str(uuid.uuid4()), name=name, description=name, user=user, **fields)
    db.session.add(task)
    db.session.commit()
    return task


# flask translate


def test_translate_compile_without_catalogues_says_so(runner, translations_dir):
    result = runner.invoke(args=["translate", "compile"])
    assert result.exit_code == 0, result.output
    assert "No catalogues to compile" in result.output
    assert list(translations_dir.iterdir()) == []


@pytest.mark.parametrize("code", ["xx!", "../etc", "x", "english", "EN", "es-ES"])
def test_translate_init_refuses_a_bad_language_code(runner, translations_dir, code):
    result = runner.invoke(args=["translate", "init", code])
    assert result.exit_code != 0
    assert "not a language code" in result.output
    assert list(translations_dir.iterdir()) == []
    assert not app.cli.translate.POT_FILE.exists()


def test_translate_init_refuses_an_existing_catalogue(runner, translations_dir):
    (translations_dir / "es").mkdir()
    result = runner.invoke(args=["translate", "init", "es"])
    assert result.exit_code != 0
    assert "exists already" in result.output


def test_translate_init_then_compile_builds_a_catalogue(runner, translations_dir):
    result = runner.invoke(args=["translate", "init", "pt_BR"])
    assert result.exit_code == 0, result.output
    po_file = translations_dir / "pt_BR" / "LC_MESSAGES" / "messages.po"
    assert po_file.exists()
    assert 'msgid "Explore"' in po_file.read_text(encoding="utf-8")
    assert not app.cli.translate.POT_FILE.exists(), "the template is a temporary file"

    result = runner.invoke(args=["translate", "compile"])
    assert result.exit_code == 0, result.output
    assert (translations_dir / "pt_BR" / "LC_MESSAGES" / "messages.mo").exists()


def test_translate_update_keeps_existing_translations(runner, translations_dir):
    assert runner.invoke(args=["translate", "init", "es"]).exit_code == 0
    po_file = translations_dir / "es" / "LC_MESSAGES" / "messages.po"
    text = po_file.read_text(encoding="utf-8")
    assert 'msgid "Explore"\nmsgstr ""' in text
    po_file.write_text(
        text.replace('msgid "Explore"\nmsgstr ""', 'msgid "Explore"\nmsgstr "Explorar"'), encoding="utf-8"
    )

    result = runner.invoke(args=["translate", "update"])
    assert result.exit_code == 0, result.output
    updated = po_file.read_text(encoding="utf-8")
    assert 'msgid "Explore"\nmsgstr "Explorar"' in updated
    assert "#~" not in updated, "no string may become obsolete"
    assert not app.cli.translate.POT_FILE.exists()


# flask user


def test_user_create_makes_an_account_that_can_log_in(runner):
    result = runner.invoke(args=["user", "create", "alice", "Alice@Example.com"], input="s3cret-pass\ns3cret-pass\n")
    assert result.exit_code == 0, result.output
    assert "Created user alice" in result.output
    user = db.session.scalar(sa.select(User).where(User.username == "alice"))
    assert user.email == "alice@example.com"
    assert user.check_password("s3cret-pass")


def test_user_create_refuses_a_taken_name_in_another_case(runner):
    UserFactory(username="alice", email="alice@example.com")
    result = runner.invoke(args=["user", "create", "ALICE", "other@example.com", "--password", "pw-123456"])
    assert result.exit_code != 0
    assert "taken" in result.output
    assert count_rows(User) == 1


def test_user_create_refuses_a_taken_email_in_another_case(runner):
    UserFactory(username="alice", email="alice@example.com")
    result = runner.invoke(args=["user", "create", "bob", "ALICE@example.com", "--password", "pw-123456"])
    assert result.exit_code != 0
    assert "taken" in result.output
    assert count_rows(User) == 1


@pytest.mark.parametrize("name", ["bad name", "a/b", "x" * 65])
def test_user_create_refuses_a_malformed_username(runner, name):
    result = runner.invoke(args=["user", "create", name, "bad@example.com", "--password", "pw-123456"])
    assert result.exit_code != 0
    assert "USERNAME" in result.output
    assert count_rows(User) == 0


def test_user_create_asks_for_matching_password_confirmation(runner):
    result = runner.invoke(args=["user", "create", "alice", "alice@example.com"], input="one-pass\ntwo-pass\n")
    assert result.exit_code != 0
    assert count_rows(User) == 0


# flask tasks


def test_tasks_list_shows_unfinished_tasks_only(runner):
    user = UserFactory()
    running = add_task(user, progress=40)
    failed = add_task(user, failed=True, error="mail server down")
    done = add_task(user, complete=True)
    result = runner.invoke(args=["tasks", "list"])
    assert result.exit_code == 0, result.output
    assert running.id in result.output and "40%" in result.output
    assert failed.id in result.output and "mail server down" in result.output
    assert done.id not in result.output


def test_tasks_list_all_includes_finished_tasks(runner):
    done = add_task(UserFactory(), complete=True)
    result = runner.invoke(args=["tasks", "list", "--all"])
    assert result.exit_code == 0, result.output
    assert done.id in result.output and "complete" in result.output


def test_tasks_list_with_no_tasks_prints_nothing(runner):
    result = runner.invoke(args=["tasks", "list"])
    assert result.exit_code == 0
    assert result.output == ""


def test_tasks_retry_refuses_a_task_that_did_not_fail(runner):
    task = add_task(UserFactory())
    result = runner.invoke(args=["tasks", "retry", task.id])
    assert result.exit_code != 0
    assert "only failed tasks" in result.output


def test_tasks_retry_refuses_an_unknown_task(runner):
    result = runner.invoke(args=["tasks", "retry", "no-such-task"])
    assert result.exit_code != 0
    assert "no task" in result.output


def test_user_create_admin_flag_makes_an_administrator(runner):
    result = runner.invoke(
        args=["user", "create", "root", "root@example.com", "--admin"], input="pw-123456\npw-123456\n"
    )
    assert result.exit_code == 0, result.output
    assert "as an administrator" in result.output
    assert db.session.scalar(User.by_username("root")).can(Permission.ADMIN)
