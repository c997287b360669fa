"""papers.bulk.copy_format: Postgres's COPY text format."""

import json

import pytest

from papers.bulk.copy_format import copy_json, copy_text


@pytest.mark.parametrize(
    "value",
    [
        [],
        ["cs.LG"],
        ["https://arxiv.org/abs/0704.0001", "hep-ph"],
        ['a "quoted" word'],
        ["back\\slash"],
        ["Müller"],
        ["line\nbreak"],
        ["tab\there"],
        [1, 2],
        ["a", None],
    ],
)
def test_copy_json_writes_what_json_dumps_writes(value):
    assert copy_json(value) == copy_text(json.dumps(value))
