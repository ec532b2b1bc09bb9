"""Read request arguments and JSON bodies with webargs, answering 415 and 400 in the API's terms."""

import typing

import flask
from webargs import core
from webargs.flaskparser import FlaskParser, abort, is_json_request


class ApiParser(FlaskParser):
    """A webargs parser that insists on a JSON body and reports bad fields with 400."""

    DEFAULT_VALIDATION_STATUS = 400

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
