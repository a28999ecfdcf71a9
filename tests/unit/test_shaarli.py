"""folio against a real Shaarli: Debian's ``shaarli`` package served by PHP's built-in
server on 127.0.0.1, with a data folder of the test's own (an API secret in its
config.json.php). ``.ci/run`` installs the packages; without them these tests are skipped.

Debian's Shaarli reads its configuration from /var/lib/shaarli/data (ConfigManager's
default). So that the tests never touch that folder, the router script given to ``php -S``
loads a copy of ConfigManager.php whose default points at the test's folder, before
Shaarli's own index.php runs; everything else is Shaarli as packaged.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tui.core.bookmarks import shaarli as shaarli_module
from tui.core.bookmarks.common import Bookmark, BookmarkSender
from tui.core.bookmarks.shaarli import Shaarli, jwt_token
from tui.core.config import BookmarkSettings, RefreshSettings, Settings
from tui.core.credentials import Credentials
from tui.core.models import Source
from tui.core.net.fetch import Fetcher
from tui.core.outbox.queue import Outbox
from tui.core.outbox.sender import flush
from tui.core.refresh.refresher import Refresher
from tui.core.storage.store import Store

SHAARLI = Path("/usr/share/shaarli")
SECRET = "folio-test-api-secret"
NOW = dt.datetime.now(dt.UTC)


@dataclass
class RealShaarli:
    url: str
    secret: str
    data: Path

    def links(self) -> list[dict[str, object]]:
        """Every link, read straight from Shaarli's API."""
        import urllib.request

        request = urllib.request.Request(
            self.url + "api/v1/links?limit=all",
            headers={"Authorization": "Bearer " + jwt_token(self.secret, time.time())},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            links = json.loads(answer.read())
        assert isinstance(links, list)
        return links

    def ours(self) -> dict[str, dict[str, object]]:
        """The links the tests made (Shaarli starts with a few examples of its own)."""
        return {
            str(link["url"]): link for link in self.links() if "example.org" in str(link["url"])
        }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _config(data: Path) -> str:
    resources = {
        name: str(data / file)
        for name, file in {
            "data_dir": "",
            "config": "config.php",
            "datastore": "datastore.php",
            "ban_file": "ipbans.php",
            "updates": "updates.txt",
            "log": "log.txt",
            "update_check": "lastupdatecheck.txt",
            "history": "history.php",
            "raintpl_tmp": "tmp/",
            "thumbnails_cache": "cache",
            "page_cache": "pagecache",
        }.items()
    }
    config = {
        "credentials": {"login": "folio", "hash": "unused", "salt": "unused"},
        "general": {"title": "folio test", "timezone": "UTC", "enabled_plugins": []},
        "api": {"enabled": True, "secret": SECRET},
        "resource": resources,
        "updates": {"check_updates": False},
        "privacy": {"default_private_links": False},
        "dev": {"debug": False},
    }
    return "<?php /*\n" + json.dumps(config, indent=2) + "\n*/ ?>\n"


@pytest.fixture(scope="module")
def real_shaarli(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealShaarli]:
    php = shutil.which("php")
    if php is None or not (SHAARLI / "index.php").exists():
        pytest.skip(
            "Shaarli is not installed here: apt-get install -y shaarli php-cli "
            "(.ci/run does it) to test against a real Shaarli"
        )
    root = tmp_path_factory.mktemp("shaarli")
    data = root / "data"
    for folder in (data, data / "tmp", data / "cache", data / "pagecache"):
        folder.mkdir(parents=True)
    (data / "config.json.php").write_text(_config(data))
    manager = (SHAARLI / "application/config/ConfigManager.php").read_text()
    default = "'/var/lib/shaarli/data/config'"
    assert default in manager, "Debian's Shaarli changed where it reads its configuration"
    (root / "ConfigManager.php").write_text(manager.replace(default, repr(str(data / "config"))))
    (root / "router.php").write_text(
        "<?php\n"
        f"require {json.dumps(str(root / 'ConfigManager.php'))};\n"
        f"chdir({json.dumps(str(SHAARLI))});\n"
        "$_SERVER['SCRIPT_NAME'] = '/index.php';\n"
        f"$_SERVER['SCRIPT_FILENAME'] = {json.dumps(str(SHAARLI / 'index.php'))};\n"
        f"require {json.dumps(str(SHAARLI / 'index.php'))};\n"
    )
    port = _free_port()
    log = (root / "php.log").open("wb")
    server = subprocess.Popen(
        [php, "-S", f"127.0.0.1:{port}", "-t", str(SHAARLI), str(root / "router.php")],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "PHP_CLI_SERVER_WORKERS": "1"},
    )
    shaarli = RealShaarli(f"http://127.0.0.1:{port}/", SECRET, data)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                shaarli.links()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail("Shaarli did not start: " + (root / "php.log").read_text()[-2000:])
                time.sleep(0.1)
        yield shaarli
    finally:
        server.terminate()
        try:
            server.wait(5)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture(autouse=True)
def _fresh_skews() -> Iterator[None]:
    Shaarli._skews.clear()
    yield
    Shaarli._skews.clear()


def fetcher() -> Fetcher:
    return Fetcher(RefreshSettings(timeout=15))


async def test_add_update_delete_and_again_against_real_shaarli(
    real_shaarli: RealShaarli, tmp_path: Path
) -> None:
    store = Store(tmp_path / "folio.db")
    outbox = Outbox(store)
    hostile = Bookmark(
        "https://example.org/shaarli-a",
        title="[@click=app.quit]x[/] <b>bold</b>",
        description="line one\nline two & <script>",
        tags=["hr", "remote"],
    )
    outbox.put_many("bookmarks", [("add", hostile.url, hostile.payload())] * 2, NOW)
    changed = Bookmark(hostile.url, title="Renamed", tags=["hr"], private=True)
    outbox.put("bookmarks", "add", changed.url, changed.payload(), NOW)
    async with fetcher() as client_fetcher:
        sender = BookmarkSender(Shaarli(client_fetcher, real_shaarli.url, SECRET))
        report = await flush(outbox, sender, NOW)
        assert report.sent == 3, report.errors
        ours = real_shaarli.ours()
        assert list(ours) == [hostile.url]  # looked up by URL: one link, updated
        link = ours[hostile.url]
        assert link["title"] == "Renamed" and link["tags"] == ["hr"] and link["private"] is True
        outbox.put_many(
            "bookmarks", [("delete", hostile.url, {}), ("delete", hostile.url, {})], NOW
        )
        report = await flush(outbox, sender, NOW)
    assert report.sent == 2 and real_shaarli.ours() == {}


async def test_hostile_text_arrives_as_typed(real_shaarli: RealShaarli, tmp_path: Path) -> None:
    outbox = Outbox(Store(tmp_path / "folio.db"))
    title = "[@click=app.quit]x[/] <b>bold</b> ‮evil"
    bookmark = Bookmark("https://example.org/shaarli-h", title=title, description="a < b")
    outbox.put("bookmarks", "add", bookmark.url, bookmark.payload(), NOW)
    async with fetcher() as client_fetcher:
        sender = BookmarkSender(Shaarli(client_fetcher, real_shaarli.url, SECRET))
        assert (await flush(outbox, sender, NOW)).sent == 1
        link = real_shaarli.ours()[bookmark.url]
        assert link["title"] == "[@click=app.quit]x[/] <b>bold</b> evil"  # bidi override gone
        assert link["description"] == "a < b"
        await Shaarli(client_fetcher, real_shaarli.url, SECRET).remove(bookmark.url)


async def test_the_shaarli_source_pages_and_forgets_deleted_links(
    real_shaarli: RealShaarli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shaarli_module, "PAGE", 2)  # paging, with a handful of links
    urls = [f"https://example.org/shaarli-list-{n}" for n in range(5)]
    async with fetcher() as client_fetcher:
        client = Shaarli(client_fetcher, real_shaarli.url, SECRET)
        for n, url in enumerate(urls):
            await client.save(Bookmark(url, title=f"n{n}", tags=["list"]))
        store = Store(tmp_path / "folio.db")
        settings = Settings(bookmarks=BookmarkSettings("shaarli", real_shaarli.url))
        source = Source(url=settings.bookmarks.base_url, kind="bookmarks", api="shaarli")
        refresher = Refresher(store, settings, parse_workers=0)
        refresher._credentials = Credentials({"bookmarks_token": SECRET}, environ={})
        try:
            summary = await refresher.refresh([source])
            assert summary.ok == 1, summary.results
            items = {i.link: i for i in store.items(sources=[source.url])}
            assert set(urls) <= set(items)
            assert all(items[url].bookmarked and items[url].tags == ["list"] for url in urls)
            await client.remove(urls[0])
            state = store.state(source.url)
            state.cursor = json.dumps({"full": "2000-01-01T00:00:00+00:00"})
            store.save_state(state)
            await refresher.refresh([source])
            links = {i.link for i in store.items(sources=[source.url])}
            assert urls[0] not in links and set(urls[1:]) <= links
        finally:
            await refresher.close()
            for url in urls[1:]:
                await client.remove(url)


async def test_a_clock_behind_the_servers_is_corrected_once(real_shaarli: RealShaarli) -> None:
    """A token from a clock 20 minutes slow has expired by Shaarli's clock: the server's
    Date header tells the difference, and the next token is signed with its time."""
    async with fetcher() as client_fetcher:
        client = Shaarli(client_fetcher, real_shaarli.url, SECRET)
        client.clock = lambda: time.time() - 1200  # type: ignore[method-assign]
        await client.save(Bookmark("https://example.org/shaarli-clock", title="clock"))
        assert 1190 < Shaarli._skews[client.base_url] < 1210
        await client.remove("https://example.org/shaarli-clock")
    assert real_shaarli.ours() == {}


async def test_a_refused_token_says_what_to_check_and_how_far_the_clocks_are(
    real_shaarli: RealShaarli, tmp_path: Path
) -> None:
    outbox = Outbox(Store(tmp_path / "folio.db"))
    outbox.put("bookmarks", "add", "https://example.org/shaarli-x", {}, NOW)
    async with fetcher() as client_fetcher:
        client = Shaarli(client_fetcher, real_shaarli.url, "not-the-secret")
        client.clock = lambda: time.time() + 1200  # type: ignore[method-assign]
        report = await flush(outbox, BookmarkSender(client), NOW)
    (error,) = report.errors
    assert error.startswith("Shaarli refused the token (401): check the API secret")
    assert "Shaarli's clock is 20 min" in error and "behind this computer's" in error
    assert "not-the-secret" not in error
    assert report.waiting == 1  # kept, to be sent once the secret is right
