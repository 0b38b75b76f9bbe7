"""``lib.html.sanitize_html``: rich text allow-list, plain text kept with its line breaks."""

from __future__ import annotations

import pytest

from esup_saas.lib.html import sanitize_html


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("<p>Bonjour</p><script>alert(1)</script>", "<p>Bonjour</p>"),
        ('<img src="x" onerror="alert(1)">Texte', "Texte"),
        ('<p onclick="steal()">Cliquez</p>', "<p>Cliquez</p>"),
        ('<svg onload="alert(1)"></svg>ok', "ok"),
        ('<iframe src="https://evil.example"></iframe>ok', "ok"),
        ('<style>p { color: red }</style><p style="color: red">t</p>', "<p>t</p>"),
        ('<a href="javascript:alert(1)">lien</a>', '<a rel="noopener noreferrer">lien</a>'),
        ('<A HREF="JaVaScRiPt:alert(1)">lien</A>', '<a rel="noopener noreferrer">lien</a>'),
        ('<a href="data:text/html,x">lien</a>', '<a rel="noopener noreferrer">lien</a>'),
        ('<a href="ftp://e.org/f">lien</a>', '<a rel="noopener noreferrer">lien</a>'),
    ],
)
def test_dangerous_markup_is_removed(dirty, clean):
    assert sanitize_html(dirty) == clean


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        (
            '<a href="https://esup-portail.org" target="_blank" rel="opener">ESUP</a>',
            '<a href="https://esup-portail.org" rel="noopener noreferrer">ESUP</a>',
        ),
        (
            '<a href="mailto:support@example.org" title="Écrire">support</a>',
            '<a href="mailto:support@example.org" title="Écrire" rel="noopener noreferrer">'
            "support</a>",
        ),
    ],
)
def test_links_keep_their_url_and_get_rel(dirty, clean):
    assert sanitize_html(dirty) == clean


def test_allowed_formatting_is_kept():
    html = "<p><strong>Important</strong> : <em>lire</em></p><ul><li>un</li></ul><pre>code</pre>"
    assert sanitize_html(html) == html
    assert sanitize_html("<p>a</p>\n<p>b</p>") == "<p>a</p>\n<p>b</p>"  # HTML: no <br> added
    assert sanitize_html("<h1>Titre</h1>") == "Titre"  # not in the allow-list: text kept


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("Bonjour,\n\nle service est en panne.", "Bonjour,<br><br>le service est en panne."),
        ("ligne 1\r\nligne 2", "ligne 1<br>ligne 2"),
        ("Tom & Jerry", "Tom &amp; Jerry"),
        # Plain text holding a "<" is still plain text (it was parsed as HTML and cut).
        ("Erreur si x < 3\nMerci", "Erreur si x &lt; 3<br>Merci"),
        ("x<y\nz", "x&lt;y<br>z"),
        ("Merci <3\nà bientôt", "Merci &lt;3<br>à bientôt"),
        (
            "Voir <https://e.org/doc>\nCordialement",
            "Voir &lt;https://e.org/doc&gt;<br>Cordialement",
        ),
        ("Écrire à <support@example.org>", "Écrire à &lt;support@example.org&gt;"),
        ("", ""),
    ],
)
def test_plain_text_keeps_its_text_and_line_breaks(text, html):
    assert sanitize_html(text) == html


def test_none_gives_empty_text():
    assert sanitize_html(None) == ""  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "dirty",
    [
        "<script>alert(1)</script>\nsuite",
        "<!-- commentaire --><script>alert(1)</script>",
        "<img src=x onerror=alert(1)>\n",
        "avant <SCRIPT>alert(1)</SCRIPT> après",
    ],
)
def test_markup_is_never_passed_through(dirty):
    out = sanitize_html(dirty)
    assert "<script" not in out.lower()
    assert "onerror" not in out
