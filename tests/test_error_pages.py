"""Error pages: French, with a way back, and the same 404 for a missing page as for another
tenant's object."""

from django.test import Client


def test_404_page_is_ours_with_a_way_home(db, settings):
    settings.DEBUG = False
    response = Client().get("/nowhere/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page introuvable" in html
    assert 'href="/"' in html


def test_500_page_is_standalone(db, settings):
    from django.template import loader

    html = loader.get_template("500.html").render({})
    assert "Une erreur est survenue" in html
