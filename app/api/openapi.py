"""Build the OpenAPI document from the API's routes and schemas, and serve it with a browsable page."""

from pathlib import Path

import flask_swagger_ui
from flask import Blueprint, Flask, abort, current_app, render_template, send_from_directory
from flask_smorest import Api

from app.api.schemas import Error
from config import VERSION

# Swagger UI's files, shipped inside the flask-swagger-ui package (the page itself is ours).
SWAGGER_UI_DIR = Path(flask_swagger_ui.__file__).parent / "dist"
SWAGGER_UI_FILES = frozenset({"swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"})

docs_bp = Blueprint("api_docs", __name__, static_folder="static", template_folder="templates")


class OpenAPIDocument(Api):
    """flask-smorest's spec builder, without its error handlers (the API and the site have their own)."""

    ERROR_SCHEMA = Error
    # Every error status is listed per operation, so clients (and tests) can rely on the list.
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self) -> None:
        pass


def init_openapi(app: Flask, blueprint) -> None:
    """Document `blueprint` (already registered on `app`) and mount the document and docs page."""
    document = OpenAPIDocument(
        app,
        spec_kwargs={
            "title": "Microblog API",
            "version": VERSION,
            "openapi_version": "3.0.3",
            "info": {
                "description": (
                    "Post, follow, message, search and export, as on the site. Where the site requires "
                    "confirmed accounts, an account that has not confirmed its email address yet is refused "
                    "a token and every authenticated call with 403. Blocks and mutes "
                    "(`/users/{id}/block`, `/users/{id}/mute`, `/blocks`, `/mutes`) hold on every endpoint: "
                    "posts by people you block or mute, by people who block you and by suspended accounts "
                    "are left out of timelines, search, tags and threads, and answer 404 on their own."
                )
            },
        },
    )
    document.spec.components.security_scheme("basicAuth", {"type": "http", "scheme": "basic"})
    document.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    app.extensions["flask-smorest"]["blp_name_to_api"][blueprint.name] = document
    blueprint.register_views_in_doc(document, app, document.spec, name=blueprint.name, parameters=None)
    document.spec.tag({"name": blueprint.name, "description": blueprint.description})
    app.extensions["microblog_openapi"] = document
    app.register_blueprint(docs_bp, url_prefix="/api")


@docs_bp.route("/openapi.json")
def openapi_json():
    """Return the OpenAPI 3 document of the API."""
    return current_app.extensions["microblog_openapi"].spec.to_dict()


@docs_bp.route("/docs")
def docs():
    """Show the API's documentation, browsable and tryable (Swagger UI, served from this site)."""
    return render_template("api/docs.html")


@docs_bp.route("/docs/swagger-ui/<name>")
def swagger_ui_file(name: str):
    """Serve one of Swagger UI's files."""
    if name not in SWAGGER_UI_FILES:
        abort(404)
    return send_from_directory(SWAGGER_UI_DIR, name, max_age=86400)
