"""Where folio's files live: XDG folders via platformdirs, under the app name ``folio``."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "folio"


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def settings_path() -> Path:
    return config_dir() / "settings.toml"


def portfolio_path() -> Path:
    return config_dir() / "portfolio.toml"


def db_path() -> Path:
    return data_dir() / "folio.db"


def demo_data_dir() -> Path:
    """The demo keeps its own portfolio and store, so it never touches the user's."""
    return data_dir() / "demo"


def credentials_path() -> Path:
    """Tokens and passwords for the services folio talks to; read only when private."""
    return config_dir() / "credentials.toml"
