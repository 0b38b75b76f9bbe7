"""Sanitising of rich text typed by users (ticket descriptions, log entries, FAQs).

Rich text is stored as HTML restricted to a small allow-list of tags and attributes, cleaned
with ``nh3`` (the Rust ``ammonia`` sanitiser), so it can be shown with ``|safe`` in templates.
"""

from __future__ import annotations

import re

import nh3

ALLOWED_TAGS = {
    "a",
    "b",
    "blockquote",
    "br",
    "code",
    "div",
    "em",
    "h3",
    "h4",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "span",
    "strong",
    "u",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}

#: Something that looks like an HTML tag, comment or doctype. Text without one is plain text,
#: even when it holds a ``<`` ("x < 3", "merci <3", a mail's ``<https://…>``).
_TAG_RE = re.compile(r"</?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?/?>|<!--|<!doctype", re.IGNORECASE)


def sanitize_html(value: str) -> str:
    """Return ``value`` with every tag, attribute and URL scheme outside the allow-list removed.

    Plain text (nothing that looks like a tag, see ``_TAG_RE``) is escaped and kept as text,
    its line breaks turned into ``<br>``, so text typed in a plain textarea or received by
    mail keeps its layout. Scripts, styles, event handlers and ``javascript:`` links are
    dropped; links get ``rel="noopener noreferrer"``.
    """
    text = value or ""
    if not _TAG_RE.search(text):
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        text = escaped.replace("\r\n", "\n").replace("\n", "<br>")
    return nh3.clean(
        text,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
