import pytest

from otklik.env import ConfigError, env_bool, env_choice, env_int, env_list, env_str


def test_bool_values(monkeypatch: pytest.MonkeyPatch) -> None:
    for raw, expected in [("1", True), ("yes", True), ("ON", True), ("0", False), ("false", False), ("", False)]:
        monkeypatch.setenv("X_FLAG", raw)
        assert env_bool("X_FLAG", not expected) is expected
    monkeypatch.delenv("X_FLAG")
    assert env_bool("X_FLAG", True) is True


def test_bad_values_fail_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ConfigError, match="X_FLAG"):
        env_bool("X_FLAG", False)
    monkeypatch.setenv("X_NUM", "ten")
    with pytest.raises(ConfigError, match="not an integer"):
        env_int("X_NUM", 1)
    monkeypatch.setenv("X_NUM", "0")
    with pytest.raises(ConfigError, match="below the minimum"):
        env_int("X_NUM", 1, minimum=1)
    monkeypatch.setenv("X_CHOICE", "sideways")
    with pytest.raises(ConfigError, match="must be one of"):
        env_choice("X_CHOICE", "previous", ("previous", "next"))
    monkeypatch.delenv("X_REQUIRED", raising=False)
    with pytest.raises(ConfigError, match="required"):
        env_str("X_REQUIRED")


def test_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_HOSTS", " a.ru, ,b.ru ")
    assert env_list("X_HOSTS", []) == ["a.ru", "b.ru"]
