"""The identity admin pages open for a superuser; the bind password never goes back out."""

from esup_saas.identity.models import DirectoryConfig
from esup_saas.tenancy.models import User


def test_identity_admin_pages(client, world):
    admin = User.objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(admin)
    config = DirectoryConfig.objects.create(
        organisation=world.customer,
        url="ldap://ldap.c1.example.org",
        base_dn="dc=c1,dc=example,dc=org",
        bind_password="s3cret-bind",
    )
    assert client.get("/admin/identity/externalidentity/").status_code == 200
    page = client.get(f"/admin/identity/directoryconfig/{config.pk}/change/")
    assert page.status_code == 200
    assert 'type="password"' in page.content.decode()
    assert "s3cret-bind" not in page.content.decode()
    assert client.get("/admin/identity/directoryconfig/add/").status_code == 200
    # Saving with the password left empty keeps it.
    form = {
        "organisation": world.customer.pk,
        "url": "ldap://ldap2.c1.example.org",
        "base_dn": "dc=c1,dc=example,dc=org",
        "bind_dn": "",
        "bind_password": "",
        "people_base": "ou=people",
        "group_base": "ou=groups",
        "people_filter": "(objectClass=supannPerson)",
        "group_style": "member",
        "uid_attribute": "uid",
        "eppn_attribute": "eduPersonPrincipalName",
        "group_name_attribute": "cn",
        "mobile_attribute": "pager",
        "terms_attribute": "supannCGUAcceptee",
        "terms_value": "{SMSU}CG",
        "page_size": 200,
        "connect_timeout": 5,
        "receive_timeout": 10,
    }
    saved = client.post(f"/admin/identity/directoryconfig/{config.pk}/change/", form)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    config.refresh_from_db()
    assert (config.url, config.mobile_attribute, config.bind_password) == (
        "ldap://ldap2.c1.example.org",
        "pager",
        "s3cret-bind",
    )
