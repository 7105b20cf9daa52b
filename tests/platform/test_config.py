from bot.brain.endpoints import render_endpoints, tracker_store_url
from bot.config import load_settings


def test_defaults_are_embedded_sqlite_and_local_rasa(monkeypatch) -> None:
    for var in ("DATABASE_URL", "RASA_URL", "ACTION_URL", "TELEGRAM_BOT_TOKEN", "BOT_DATA_DIR"):
        monkeypatch.delenv(var, raising=False)
    settings = load_settings()
    assert settings.database_url.startswith("sqlite:///") and settings.database_url.endswith(
        "data/bot.db"
    )
    assert settings.rasa_url == "http://127.0.0.1:5905"
    assert settings.rasa_port not in (5432, 6379) and settings.action_port not in (5432, 6379)
    assert settings.telegram_token == ""


def test_tracker_store_shares_the_bots_database(monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://bot@127.0.0.1:5432/jzz")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/2")
    endpoints = render_endpoints(load_settings())
    assert endpoints["tracker_store"] == {
        "type": "bot.brain.tracker_store.LeanSQLTrackerStore",
        "url": "postgresql://bot@127.0.0.1:5432/jzz",
    }
    assert endpoints["lock_store"]["db"] == 2
    assert tracker_store_url("sqlite:///data/bot.db").startswith("sqlite:////")


def test_a_numeric_setting_that_is_not_a_number_falls_back_to_its_default(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from bot.config import load_settings

    monkeypatch.setenv("RASA_SERVERS", "two")
    monkeypatch.setenv("RASA_TIMEOUT", "soon")
    settings = load_settings()
    assert settings.rasa_servers == 1
    assert settings.rasa_timeout_s == 2.0
