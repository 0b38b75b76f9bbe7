import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError


def test_deploy_check_refuses_the_development_secret_key(settings):
    settings.SECRET_KEY = "dev-only-insecure-secret-key-change-me-in-production"
    with pytest.raises(SystemCheckError, match=r"esup_saas\.E001"):
        call_command("check", "--deploy", "--fail-level", "ERROR")


def test_deploy_check_accepts_a_real_secret_key(settings):
    from esup_saas.lib.checks import secret_key_is_not_the_development_one

    settings.SECRET_KEY = "k9$Jq!zv3Rr8-unique-production-secret-0123456789abcdef"
    assert secret_key_is_not_the_development_one(None) == []
