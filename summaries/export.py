"""A writer's own summaries, exported as JSON or as a zip of markdown files (/export)."""

import io
import json
import zipfile

from .models import Summary


def export_rows(author, *, absolute_url) -> list[dict]:
    """Every summary of `author`, private and anonymous ones too, oldest first; `absolute_url(path)` makes links."""
    summaries = Summary.objects.filter(author=author).select_related("paper").order_by("created_at")
    return [
        {
            "bibtex_key": s.paper.bibtex_key,
            "paper_title": s.paper.title,
            "url": absolute_url(s.get_absolute_url()),
            "private": s.is_private,
            "anonymous": s.is_anonymous,
            "score": s.score,
            "created_at": s.created_at.isoformat(),
            "edited_at": s.edited_at.isoformat(),
            "markdown": s.body,
        }
        for s in summaries
    ]


def export_json(username: str, rows: list[dict]) -> str:
    return json.dumps({"user": username, "summaries": rows}, indent=2, ensure_ascii=False)


def export_zip(rows: list[dict]) -> bytes:
    """A zip with one markdown file per summary, named after its paper's key, headed by the paper's title."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for row in rows:
            name = row["bibtex_key"].replace("/", "_").replace(":", "_") + ".md"
            header = f"# {row['paper_title']}\n\n<!-- {row['bibtex_key']} · {row['url']} -->\n\n"
            archive.writestr(f"shortscience-summaries/{name}", header + row["markdown"] + "\n")
    return buffer.getvalue()
