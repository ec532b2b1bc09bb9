"""Read request arguments and bodies with webargs, answering 415 and 400 in the API's terms."""

import typing

import flask
from marshmallow import Schema
from webargs import core
from webargs.flaskparser import FlaskParser, abort, is_json_request
from werkzeug.datastructures import CombinedMultiDict

# The location of a multipart/form-data body, its files and fields together (an upload).
MULTIPART = "multipart"


class ApiParser(FlaskParser):
    """A webargs parser that insists on a JSON body (or a multipart one for uploads), reporting bad fields with 400."""

    DEFAULT_VALIDATION_STATUS = 400
    __location_map__ = dict(FlaskParser.__location_map__, **{MULTIPART: "load_multipart"})

    def _raw_load_json(self, req: flask.Request) -> typing.Any:
        if not is_json_request(req):
            abort(415, messages={"json": ["Send a JSON body with Content-Type: application/json."]})
        data = req.get_data(cache=True)
        if not data.strip():
            abort(400, messages={"json": ["A JSON body is required."]})
        try:
            return core.parse_json(data)
        except RecursionError:
            abort(400, messages={"json": ["The JSON body is nested too deeply."]})

    def load_multipart(self, req: flask.Request, schema: Schema) -> typing.Any:
        """Return a multipart/form-data body's files and fields as one MultiDictProxy (files first)."""
        if req.mimetype != "multipart/form-data":
            abort(415, messages={MULTIPART: ["Send a multipart/form-data body."]})
        return self._makeproxy(CombinedMultiDict([req.files, req.form]), schema)
