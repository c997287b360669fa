"""Parsers for paper metadata. Each parser is pure: bytes or text in, `PaperRecord`s out, no database.

`papers.services.papers_import` writes the records.
"""

from .records import ImportProblem, PaperRecord

__all__ = ["ImportProblem", "PaperRecord"]
