"""Turn models into the API's JSON with the API's schemas, fast.

The schemas in `app.api.schemas` are the one definition of each resource: they validate input,
make the OpenAPI document and say what a response holds. Dumping through marshmallow walks every
field's generic machinery for every item, which cost more than the queries behind a page of 100
users, so each output schema is compiled once into a plain function that reads the same
attributes and writes the same keys. `tests/api/test_representation.py` holds every compiled
dumper against marshmallow's own `dump` of the same objects.

`init_app` stores a `Representations` in `app.extensions["api"]`: the models' tutorial methods
(`to_dict`, `to_collection_dict`) reach the schemas through it, without importing the API.
"""

import operator
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, current_app
from marshmallow import Schema, fields

from app.pagination import Page

Dumper = Callable[[Any], dict[str, Any]]


def compile_schema(schema: Schema) -> Dumper:
    """Return a function that dumps one object as `schema.dump(obj)` does.

    Fields that compute their value (`get_value` overridden) are asked for it; plain fields read
    the attribute (dotted paths allowed). Nested schemas are compiled too, and date-times are
    written in ISO 8601, as marshmallow writes them. Values of other field types are taken as the
    model holds them, which the model's typed columns make the right JSON type.
    """
    readers: list[tuple[str, Callable[[Any], Any]]] = []
    for name, field in schema.dump_fields.items():
        readers.append((field.data_key or name, _compile_field(name, field)))

    def dump(obj: Any) -> dict[str, Any]:
        return {key: read(obj) for key, read in readers}

    return dump


def _compile_field(name: str, field: fields.Field) -> Callable[[Any], Any]:
    if type(field).get_value is not fields.Field.get_value:
        get = _computed(field, name)
    else:
        get = operator.attrgetter(field.attribute or name)
    if isinstance(field, fields.Nested):
        nested = compile_schema(field.schema)
        if field.many:
            return lambda obj: [nested(item) for item in get(obj)]
        return lambda obj: _none_or(get(obj), nested)
    if isinstance(field, fields.DateTime):
        return lambda obj: _none_or(get(obj), _isoformat)
    return get


def _computed(field: fields.Field, name: str) -> Callable[[Any], Any]:
    return lambda obj: field.get_value(obj, name)


def _isoformat(value: Any) -> str:
    return value.isoformat()


def _none_or(value: Any, convert: Callable[[Any], Any]) -> Any:
    return None if value is None else convert(value)


class Representations:
    """The compiled output schemas of the API's resources, by model class."""

    def __init__(self, schemas: dict[type, Schema]) -> None:
        self._dumpers = {model: compile_schema(schema) for model, schema in schemas.items()}
        self._variants: dict[tuple[type, frozenset[str]], Dumper] = {}
        self._schemas = schemas

    def dumper(self, model: type, include: Iterable[str] = ()) -> Dumper:
        """Return the dumper of `model`'s resource, with fields its schema leaves out by default `include`d."""
        include = frozenset(include)
        if not include:
            return self._dumpers[model]
        key = (model, include)
        if key not in self._variants:
            schema = self._schemas[model]
            self._variants[key] = compile_schema(type(schema)(exclude=tuple(sorted(set(schema.exclude) - include))))
        return self._variants[key]

    def dump(self, obj: Any, include: Iterable[str] = ()) -> dict[str, Any]:
        """Return `obj`'s JSON representation."""
        return self.dumper(type(obj), include)(obj)

    def collection(self, page: Page, endpoint: str, dump: Dumper | None = None, **kwargs: Any) -> dict[str, Any]:
        """Return a page of items as `{items, _meta, _links}`; `kwargs` go into the links."""
        items = page.items
        if dump is None:
            dump = self.dumper(type(items[0])) if items else None
        return {
            "items": [dump(item) for item in items] if dump else [],
            "_meta": {
                "page": page.page,
                "per_page": page.per_page,
                "total_pages": page.pages,
                "total_items": page.total,
            },
            "_links": page.links(endpoint, **kwargs),
        }


def init_app(app: Flask, schemas: dict[type, Schema]) -> None:
    """Store the compiled representations where the models find them."""
    app.extensions["api"] = Representations(schemas)


def dump(obj: Any, include: Iterable[str] = ()) -> dict[str, Any]:
    """Return `obj`'s API representation, with the current app's compiled schemas."""
    return current_app.extensions["api"].dump(obj, include)


def collection(page: Page, endpoint: str, **kwargs: Any) -> dict[str, Any]:
    """Return a page of items in the API's collection shape, with the current app's compiled schemas."""
    return current_app.extensions["api"].collection(page, endpoint, **kwargs)
