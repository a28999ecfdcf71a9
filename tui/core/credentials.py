"""Tokens and passwords: from the environment, or from an owner-only ``credentials.toml``.

A secret named ``bookmarks_token`` is read from the environment variable
``FOLIO_BOOKMARKS_TOKEN`` first, then from ``bookmarks_token = "..."`` in
``$XDG_CONFIG_HOME/folio/credentials.toml``. The file is refused, with what to do, when
anyone but its owner could read or write it (as ssh refuses a private key): a token there
is as good as the account. Secrets never come from ``portfolio.toml``, and no message here
or anywhere else shows one: errors name the key and the file, never the value.

Keys are plain names (``bookmarks_token``, ``sync_token``, ``github_token``); a token for
one host of a service adds the host, as ``mastodon_token.mastodon.social`` in the
environment's spelling ``FOLIO_MASTODON_TOKEN__MASTODON_SOCIAL`` or as a table::

    [mastodon_token]
    "mastodon.social" = "..."
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import tomli

from tui.core.config import ConfigError, toml_syntax_error
from tui.core.storage import paths

__all__ = ["Credentials", "CredentialsError", "env_name", "load_credentials"]


class CredentialsError(ConfigError):
    """credentials.toml cannot be used; ``str()`` says why and how to fix it."""


def env_name(key: str, host: str = "") -> str:
    """The environment variable for ``key`` (and ``host``): FOLIO_KEY or FOLIO_KEY__HOST."""
    name = "FOLIO_" + key.upper()
    if host:
        name += "__" + re.sub(r"[^A-Z0-9]", "_", host.upper())
    return name


@dataclass
class Credentials:
    """Secrets by key; ``get`` looks in the environment first, then in the file."""

    values: dict[str, str | dict[str, str]] = field(default_factory=dict)
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)
    path: Path | None = None
    problem: str = ""
    """Why the file could not be used (then only the environment counts); shown to the
    user by whatever needed a secret and found none."""

    def get(self, key: str, host: str = "") -> str | None:
        """The secret for ``key`` (for ``host`` when given, else the key's plain value)."""
        if host:
            found = self.environ.get(env_name(key, host))
            if found:
                return found
            table = self.values.get(key)
            if isinstance(table, dict) and table.get(host):
                return table[host]
        found = self.environ.get(env_name(key))
        if found:
            return found
        value = self.values.get(key)
        return value if isinstance(value, str) and value else None

    def __repr__(self) -> str:  # never the values, even in a traceback or a debugger
        return f"Credentials(keys={sorted(self.values)}, path={self.path})"


def _check_private(path: Path, info: os.stat_result) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise CredentialsError(path, "is not a regular file; folio reads tokens only from one")
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise CredentialsError(
            path, "belongs to another user; folio reads tokens only from a file of your own"
        )
    if info.st_mode & 0o077:
        mode = stat.filemode(info.st_mode)
        raise CredentialsError(
            path,
            f"can be read or changed by other users ({mode}), so folio will not use it: "
            f"run chmod 600 {path}",
        )


def load_credentials(
    path: Path | None = None, environ: Mapping[str, str] | None = None
) -> Credentials:
    """Read the credentials file (a missing one is empty); raises CredentialsError."""
    path = path or paths.credentials_path()
    environ = os.environ if environ is None else environ
    try:
        # Opened once and checked by its descriptor, so the file checked is the file read.
        with path.open("rb") as handle:
            _check_private(path, os.fstat(handle.fileno()))
            data = handle.read()
    except FileNotFoundError:
        return Credentials(environ=environ, path=path)
    except OSError as exc:
        raise CredentialsError(path, f"cannot read the file: {exc.strerror or exc}") from None
    try:
        raw = tomli.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise CredentialsError(path, "is not UTF-8 text") from None
    except tomli.TOMLDecodeError as exc:
        # The parser's message quotes no value, only where the mistake is.
        syntax = toml_syntax_error(path, exc)
        raise CredentialsError(path, syntax.message, line=syntax.line) from None
    values: dict[str, str | dict[str, str]] = {}
    for key, value in raw.items():
        if isinstance(value, str):
            values[key] = value
        elif isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
            values[key] = dict(value)
        else:
            raise CredentialsError(path, "expected a string, or a table of host = string", key=key)
    return Credentials(values, environ, path)
