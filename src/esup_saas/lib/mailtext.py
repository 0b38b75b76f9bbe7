"""Text of incoming mail: HTML to text, quoted replies and signatures trimmed.

Pure helpers for the service desk's mail in (specs/platform.md item 22). A reply to a
notification carries the whole previous conversation; only what the person wrote is kept:

- HTML-only mails are turned into text (block elements become lines); the quoted part that
  mail clients wrap in ``<blockquote>`` or ``<div class="gmail_quote">`` is dropped.
- The text is cut at the first reply header, whatever the client and language: "On … wrote:"
  and "Le … a écrit :" (possibly folded over two lines), "-----Original Message-----",
  "-------- Message original --------", an Outlook header block ("From:/De :" followed by
  "Sent:/Envoyé :/Date :"), or a line of underscores; remaining lines quoted with ``>`` go.
- The signature goes from the delimiter line ``-- `` (RFC 3676 section 4.3) or a mobile
  client's "Sent from my …" / "Envoyé de mon …".
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCK = {
    "p",
    "div",
    "br",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "pre",
    "table",
    "ul",
    "ol",
    "hr",
}
_SKIP = {"script", "style", "head", "title"}
_QUOTE_CLASSES = ("gmail_quote", "moz-cite-prefix", "yahoo_quoted", "protonmail_quote")
_VOID = {"br", "hr", "img", "meta", "link", "input", "col", "area", "base", "wbr"}


class _TextExtractor(HTMLParser):
    def __init__(self, drop_quotes: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.drop_quotes = drop_quotes
        self.parts: list[str] = []
        self.stack: list[bool] = []  # per open element: does it hide its content?
        self.hiding = 0  # how many of them do: no scan of the stack per tag (linear time)

    @property
    def hidden(self) -> bool:
        return self.hiding > 0

    def _newline(self, tag: str) -> None:
        """``<br>`` always breaks; other blocks start a line unless one is started; a
        paragraph ends with a blank line (Gmail writes one ``<div>`` per line)."""
        if self.hidden:
            return
        at_line_start = not self.parts or self.parts[-1].endswith("\n")
        if tag == "br" or not at_line_start:
            self.parts.append("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK:
            self._newline(tag)
        if tag in _VOID:
            return
        classes = dict(attrs).get("class") or ""
        ident = dict(attrs).get("id") or ""
        hide = tag in _SKIP or (
            self.drop_quotes
            and (
                tag == "blockquote"
                or any(c in classes for c in _QUOTE_CLASSES)
                or ident in ("divRplyFwdMsg", "appendonsend")
            )
        )
        self.stack.append(hide)
        self.hiding += hide

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        if self.stack:
            self.hiding -= self.stack.pop()
        if tag in _BLOCK:
            self._newline(tag)
            if tag == "p" and not self.hidden:
                self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str, *, drop_quotes: bool = True) -> str:
    """Readable text of an HTML mail body; quoted parts dropped unless ``drop_quotes=False``."""
    parser = _TextExtractor(drop_quotes)
    parser.feed(html)
    parser.close()
    lines = [line.strip() for line in "".join(parser.parts).split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


_REPLY_HEADERS = [
    re.compile(r"^\s*On\b.*\bwrote\s*:\s*$", re.I),
    re.compile(r"^\s*Le\b.*\ba\s+écrit\s*:\s*$", re.I),
    re.compile(r"^\s*-{2,}\s*(Original Message|Message d'origine|Message original)\s*-{2,}", re.I),
    re.compile(r"^\s*_{10,}\s*$"),
]
_OUTLOOK_FROM = re.compile(r"^\s*\*?(From|De)\s*\*?\s*:", re.I)
_OUTLOOK_NEXT = re.compile(r"^\s*\*?(Sent|Envoyé|Date|To|À)\s*\*?\s*:", re.I)
_SIGNATURE = [
    re.compile(r"^-- ?$"),
    re.compile(r"^\s*(Sent from my|Envoyé de mon|Envoyé depuis mon)\b", re.I),
]


def _reply_header_at(lines: list[str], i: int) -> bool:
    line = lines[i]
    if any(p.match(line) for p in _REPLY_HEADERS):
        return True
    nxt = lines[i + 1] if i + 1 < len(lines) else ""
    joined = f"{line.rstrip()} {nxt.strip()}"
    if line.strip() and any(p.match(joined) for p in _REPLY_HEADERS[:2]):
        return True
    if _OUTLOOK_FROM.match(line):
        return any(_OUTLOOK_NEXT.match(following) for following in lines[i + 1 : i + 4])
    return False


def strip_quoted(text: str) -> str:
    """``text`` cut at the first reply header, without the lines quoted with ``>``."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for i in range(len(lines)):
        if _reply_header_at(lines, i):
            lines = lines[:i]
            break
    return "\n".join(line for line in lines if not line.lstrip().startswith(">")).strip()


def strip_signature(text: str) -> str:
    """``text`` without its signature (from the ``-- `` delimiter or "Sent from my …")."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if any(p.match(line) for p in _SIGNATURE):
            return "\n".join(lines[:i]).strip()
    return text.strip()


def reply_text(text: str) -> str:
    """What the person wrote: quoted text and signature removed, blank runs collapsed."""
    return re.sub(r"\n{3,}", "\n\n", strip_signature(strip_quoted(text))).strip()
