"""The text of an HTML mail is read in linear time: mail in reads the body before it knows
the sender, so anyone who can write to the support address could send ``<div>`` nested a
hundred thousand deep (600 kB) and hold a worker for minutes when each tag scanned the
stack of open elements."""

from __future__ import annotations

import time

from esup_saas.lib.mailtext import html_to_text


def test_deeply_nested_html_is_read_in_linear_time():
    started = time.monotonic()
    text = html_to_text("<div>a" * 100_000)
    assert time.monotonic() - started < 5  # quadratic: about two minutes
    assert text.count("a") == 100_000


def test_nested_quotes_are_still_dropped():
    html = (
        "<p>Oui</p><blockquote><div><p>Ancien</p><blockquote>Plus ancien</blockquote>"
        "</div></blockquote><p>Fin</p>"
    )
    assert html_to_text(html) == "Oui\n\nFin"
