"""Plain text from data files as blocks: paragraphs, numbered lists and bulleted lists."""
import re

from flask import Flask

NUMBERED = re.compile(r"^\d+[.)]\s+")
BULLET = re.compile(r"^[-*•]\s+")


def text_blocks(text: str) -> list[tuple[str, str | list[str]]]:
    """Split ``text`` into ("p", text), ("ol", items) and ("ul", items) blocks.

    Blank lines separate blocks; a block whose lines all start "1." / "2)" is a numbered list,
    one whose lines all start "- " or "* " a bulleted list; other lines join into a paragraph.
    """
    blocks: list[tuple[str, str | list[str]]] = []
    for chunk in re.split(r"\n\s*\n", (text or "").strip()):
        lines = [line.strip() for line in chunk.splitlines() if line.strip()]
        if not lines:
            continue
        if all(NUMBERED.match(line) for line in lines):
            blocks.append(("ol", [NUMBERED.sub("", line) for line in lines]))
        elif all(BULLET.match(line) for line in lines):
            blocks.append(("ul", [BULLET.sub("", line) for line in lines]))
        else:
            blocks.append(("p", " ".join(lines)))
    return blocks


def init_app(app: Flask) -> None:
    """Register the ``text_blocks`` template filter."""
    app.add_template_filter(text_blocks)
