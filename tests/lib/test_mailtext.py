"""Trimming of replies: quoted text, reply headers of several clients, signatures."""

from esup_saas.lib.mailtext import html_to_text, reply_text, strip_quoted, strip_signature


def test_english_reply_header_folded_over_two_lines():
    text = (
        "Thanks, it works.\n\nOn Mon, 12 Jan 2026 at 09:00, ESUP Support <s@x.org>\nwrote:\n> old"
    )
    assert reply_text(text) == "Thanks, it works."


def test_french_reply_header_and_quoted_lines():
    text = "Merci.\n> cité\nLe lun. 12 janv. 2026 à 09:00, Support <s@x.org> a écrit :\n> ancien"
    assert strip_quoted(text) == "Merci."


def test_original_message_separators():
    assert reply_text("Oui.\n-----Original Message-----\nFrom: a") == "Oui."
    assert reply_text("Oui.\n-------- Message original --------\nDe : a") == "Oui."


def test_outlook_header_block_needs_a_following_header():
    assert reply_text("De : moi, pour info\nla suite") == "De : moi, pour info\nla suite"
    assert reply_text("Ok\nFrom: Support\nSent: Monday\nTo: me\n\nold") == "Ok"


def test_signatures():
    assert strip_signature("Bonjour\n-- \nJane\nTel") == "Bonjour"
    assert strip_signature("Vu.\n\nEnvoyé de mon iPhone") == "Vu."


def test_html_to_text_drops_quotes_scripts_and_keeps_lines():
    html = (
        "<html><head><style>p{}</style></head><body><p>Un</p><p>Deux<br>Trois</p>"
        "<blockquote>ancien</blockquote><div class='gmail_quote'>cité</div>"
        "<script>x()</script></body></html>"
    )
    assert html_to_text(html) == "Un\n\nDeux\nTrois"
    assert "ancien" in html_to_text(html, drop_quotes=False)
