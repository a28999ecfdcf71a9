"""credentials.toml and the environment: secrets found, private files only, values never shown."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tui.core.credentials import CredentialsError, env_name, load_credentials
from tui.core.storage import paths

SECRET = "tok-3f9a-very-secret"


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)
    return path


def test_a_private_file_gives_its_secrets() -> None:
    path = write(
        paths.credentials_path(),
        f'bookmarks_token = "{SECRET}"\n[mastodon_token]\n"social.example" = "m-1"\n',
    )
    creds = load_credentials(environ={})
    assert creds.get("bookmarks_token") == SECRET
    assert creds.get("mastodon_token", "social.example") == "m-1"
    assert creds.get("mastodon_token", "other.example") is None
    assert creds.get("sync_token") is None
    assert SECRET not in repr(creds) and str(path) in repr(creds)


def test_the_environment_comes_first() -> None:
    write(paths.credentials_path(), f'sync_token = "{SECRET}"\n')
    environ = {"FOLIO_SYNC_TOKEN": "from-env", env_name("mastodon_token", "a.example"): "m"}
    creds = load_credentials(environ=environ)
    assert creds.get("sync_token") == "from-env"
    assert env_name("mastodon_token", "a.example") == "FOLIO_MASTODON_TOKEN__A_EXAMPLE"
    assert creds.get("mastodon_token", "a.example") == "m"


def test_no_file_is_no_secrets() -> None:
    assert load_credentials(environ={}).get("bookmarks_token") is None


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o666])
def test_a_file_others_can_read_is_refused_with_what_to_do(mode: int) -> None:
    path = write(paths.credentials_path(), f'bookmarks_token = "{SECRET}"\n', mode)
    with pytest.raises(CredentialsError) as caught:
        load_credentials(environ={})
    message = str(caught.value)
    assert str(path) in message and f"chmod 600 {path}" in message
    assert SECRET not in message


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_a_file_of_another_user_is_refused() -> None:
    path = write(paths.credentials_path(), 'sync_token = "x"\n')
    os.chown(path, 12345, -1)
    with pytest.raises(CredentialsError, match="another user"):
        load_credentials(environ={})


def test_a_broken_file_says_where_without_quoting_values() -> None:
    write(paths.credentials_path(), f'bookmarks_token = "{SECRET}"\nsync_token = {SECRET}\n')
    with pytest.raises(CredentialsError) as caught:
        load_credentials(environ={})
    assert ":2" in str(caught.value) and SECRET not in str(caught.value)
    write(paths.credentials_path(), f"bookmarks_token = 12\ntoken = '{SECRET}'\n")
    with pytest.raises(CredentialsError, match="bookmarks_token") as caught:
        load_credentials(environ={})
    assert SECRET not in str(caught.value)


def test_a_symlink_to_a_private_file_is_read_and_to_a_public_one_refused(tmp_path: Path) -> None:
    private = write(tmp_path / "secrets" / "private.toml", f'sync_token = "{SECRET}"\n')
    paths.credentials_path().parent.mkdir(parents=True, exist_ok=True)
    paths.credentials_path().symlink_to(private)
    assert load_credentials(environ={}).get("sync_token") == SECRET
    private.chmod(0o644)
    with pytest.raises(CredentialsError):
        load_credentials(environ={})
