"""``lib.env``: typed readers of settings from the environment."""

from __future__ import annotations

import pytest

from esup_saas.lib.env import env_bool, env_int, env_list, env_str

VAR = "ESUP_SAAS_TEST_VARIABLE"


@pytest.fixture(autouse=True)
def _unset(monkeypatch):
    monkeypatch.delenv(VAR, raising=False)


def test_env_str(monkeypatch):
    assert env_str(VAR, "défaut") == "défaut"
    monkeypatch.setenv(VAR, "")
    assert env_str(VAR, "défaut") == "défaut"
    monkeypatch.setenv(VAR, "postgres://db/esup")
    assert env_str(VAR, "défaut") == "postgres://db/esup"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", True),
        ("true", True),
        ("TRUE", True),
        (" yes ", True),
        ("on", True),
        ("oui", True),
        ("0", False),
        ("false", False),
        ("No", False),
        ("off", False),
        ("non", False),
    ],
)
def test_env_bool(monkeypatch, value, expected):
    monkeypatch.setenv(VAR, value)
    assert env_bool(VAR, not expected) is expected


def test_env_bool_default(monkeypatch):
    assert env_bool(VAR) is False
    assert env_bool(VAR, True) is True
    monkeypatch.setenv(VAR, "  ")
    assert env_bool(VAR, True) is True


@pytest.mark.parametrize("value", ["maybe", "2", "vrai", "t"])
def test_env_bool_refuses_anything_else_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv(VAR, value)
    with pytest.raises(ValueError, match=VAR) as exc:
        env_bool(VAR)
    assert repr(value) in str(exc.value)


def test_env_int(monkeypatch):
    assert env_int(VAR, 25) == 25
    monkeypatch.setenv(VAR, " 587 ")
    assert env_int(VAR, 25) == 587
    monkeypatch.setenv(VAR, "-1")
    assert env_int(VAR, 25) == -1


@pytest.mark.parametrize("value", ["10MB", "1.5", "dix", "0x10"])
def test_env_int_refuses_a_non_integer_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv(VAR, value)
    with pytest.raises(ValueError, match=VAR) as exc:
        env_int(VAR, 25)
    assert repr(value) in str(exc.value)
    assert "integer" in str(exc.value)


def test_env_list(monkeypatch):
    assert env_list(VAR) == []
    assert env_list(VAR, ["a"]) == ["a"]
    monkeypatch.setenv(VAR, " esup.example.org, ,localhost ,")
    assert env_list(VAR, ["a"]) == ["esup.example.org", "localhost"]
    monkeypatch.setenv(VAR, "   ")
    assert env_list(VAR, ["a"]) == ["a"]


def test_the_default_list_is_not_shared(monkeypatch):
    default = ["a"]
    got = env_list(VAR, default)
    got.append("b")
    assert default == ["a"]
