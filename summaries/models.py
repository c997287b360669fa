"""Summaries, their revisions, votes, comments and reports (issue: summaries)."""
