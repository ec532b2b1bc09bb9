"""Schemathesis against /api/openapi.json, in-process, authenticated with a real token.

Each operation gets a bounded number of generated requests, valid and invalid; every answer must be
a documented status (never a server error) whose body conforms to the documented schema.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.extensions import db
from app.tasks import TaskRunner
from tests.support.apps import make_app
from tests.support.factories import PostFactory, UserFactory

EXAMPLES_PER_OPERATION = 25
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory):
    """An app on a SQLite file with a few users and posts; exports are recorded, not run.

    Generated uploads can be real images: they are stored in a folder of the run's own.
    """
    folder = tmp_path_factory.mktemp("fuzz")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TaskRunner, "_start_thread", staticmethod(lambda *args: None))
        app = make_app(f"sqlite:///{folder / 'fuzz.db'}", UPLOAD_DIR=str(folder / "uploads"))
        with app.app_context():
            susan = UserFactory(username="susan")
            bob = UserFactory(username="bob")
            PostFactory.create_batch(3, author=susan)
            PostFactory.create_batch(3, author=bob)
            susan.follow(bob)
            app.config["FUZZ_TOKEN"] = susan.get_token(expires_in=3600)
            db.session.commit()
        yield app
        with app.app_context():
            db.drop_all()
            db.engine.dispose()


@pytest.fixture(scope="module")
def api_schema(fuzz_app):
    """The app's own OpenAPI document, loaded by Schemathesis over WSGI."""
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", fuzz_app)
    # Revoking the token would turn the rest of the run into 401s; test_tokens.py covers it.
    return schema.exclude(path="/api/tokens", method="DELETE")


def fuzz(operation, mode: GenerationMode, headers: dict[str, str]) -> None:
    """Send generated requests for one operation and check every response."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_conforms_to_its_openapi_document(api_schema, fuzz_app, mode):
    headers = {"Authorization": f"Bearer {fuzz_app.config['FUZZ_TOKEN']}"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 20
    failures = []
    for operation in operations:
        try:
            fuzz(operation, mode, headers)
        except Exception as exc:  # collect every operation's failure, then report them together
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)
