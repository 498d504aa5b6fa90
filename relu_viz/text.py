"""Visitor text inside a message: shortened and made inert, so a message can quote a header cell, a file name or a
link's value without its markdown, HTML or length taking over the page."""

SHOWN_CHARACTERS = 40  # of visitor text, in a message


def inert(text: str, limit: int = SHOWN_CHARACTERS) -> str:
    """`text` quoted in a code span (markdown shows it literally), at most `limit` characters, no backticks."""
    text = str(text)
    text = text if len(text) <= limit else text[:limit] + "…"
    return "`" + repr(text).replace("`", "'") + "`"
