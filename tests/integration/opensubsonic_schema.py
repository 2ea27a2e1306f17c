# SPDX-License-Identifier: GPL-3.0-or-later
"""The OpenSubsonic API's published schemas (tests/data/opensubsonic/:
the OpenAPI description of the opensubsonic/open-subsonic-api repository,
its endpoints and JSON schemas; see tests/data/SOURCES.md), to check the
JSON answers of mediamon's /rest against: check(method, answer) raises
jsonschema.ValidationError when answer, a whole {"subsonic-response":
...} object, is not what the specification says method answers."""

import functools
import json
import os

import jsonschema

SPEC = os.path.realpath(os.path.join(os.path.dirname(__file__), "..",
                                     "data", "opensubsonic", "openapi"))


def load(path):
    with open(path) as f:
        return json.load(f)


@functools.lru_cache(maxsize=None)
def validator(method):
    """The validator of the answer of GET /rest/method (its 200's
    application/json schema), or None when the specification gives
    method no JSON answer (no such method, or a file's bytes)."""
    path = os.path.join(SPEC, "endpoints", method + ".json")
    if "/" in method or not os.path.exists(path):
        return None
    answer = load(path)["get"]["responses"]["200"]
    if "$ref" in answer:
        path = os.path.realpath(os.path.join(os.path.dirname(path),
                                             answer["$ref"]))
        answer = load(path)
    schema = answer.get("content", {}).get("application/json", {}).get(
        "schema")
    if schema is None:
        return None
    resolver = jsonschema.RefResolver("file://" + path, schema)
    return jsonschema.Draft7Validator(schema, resolver=resolver)


def check(method, answer):
    """Raise jsonschema.ValidationError unless answer is what the
    specification says GET /rest/method answers (METHOD.view too)."""
    if method.endswith(".view"):
        method = method[:-len(".view")]
    v = validator(method)
    if v is not None:
        v.validate(answer)
