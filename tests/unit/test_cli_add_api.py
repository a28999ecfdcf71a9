"""`folio add` with an account's address: recognised, read once through its API, kept.

The loopback "instance" answers as the Mastodon documentation says (see
tests/unit/test_api_mastodon.py for the pages cited).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

import pytest

from tui.__main__ import main
from tui.core.models import utcnow
from tui.core.storage import paths
from tui.core.storage.portfolio import load_portfolio
from tui.core.storage.store import Store

if TYPE_CHECKING:
    from tests.httpserver import Answer, Seen, TestServer

pytest_plugins = ["httpserver"]

TOKEN = "S3CRET-T0KEN-abc"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def instance(server: TestServer) -> None:
    from tests.httpserver import Answer

    account = {"id": "7", "username": "ana", "display_name": "Ana", "followers_count": 12,
               "following_count": 3, "statuses_count": 2}  # fmt: skip
    now = utcnow()

    def statuses(seen: Seen) -> Answer:
        return Answer.json(
            [
                {
                    "id": str(100 - n),
                    "url": f"https://social.example/@ana/{100 - n}",
                    "created_at": (now - dt.timedelta(hours=n + 1)).isoformat(),
                    "content": f"<p>Hello {n} #fediverse</p>",
                    "replies_count": n,
                    "reblogs_count": 0,
                    "favourites_count": 5,
                    "account": account,
                }
                for n in range(2)
            ]
        )

    def lookup(seen: Seen) -> Answer:
        if seen.query.get("acct") != ["ana"]:
            return Answer.json({"error": "Record not found"}, 404)
        return Answer.json(account)

    server.handle("/api/v1/accounts/lookup", lookup)
    server.handle("/api/v1/accounts/7/statuses", statuses)


def test_add_a_mastodon_account_through_its_api(
    http_server: TestServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    instance(http_server)
    monkeypatch.setenv("FOLIO_MASTODON_TOKEN__127_0_0_1", TOKEN)
    address = http_server.url("/@ana")
    status, out, err = run(capsys, "add", address, "--mine", "--tag", "fedi")
    assert status == 0, err
    assert out.splitlines()[0] == (
        f"Added Ana (@ana@127.0.0.1) (social) {address} through the"
        " Mastodon API (@ana@127.0.0.1) with 2 items."
    )
    [source] = load_portfolio(paths.portfolio_path()).sources
    assert (source.api, source.mine, source.tags, source.kind) == (
        "mastodon",
        True,
        ["fedi"],
        "social",
    )
    with Store(paths.db_path()) as store:
        assert len(store.items()) == 2
        assert len(store.engagement_history(address)) == 2  # the first snapshot, at once
        assert json.loads(store.state(address).cursor)["id"] == "7"
    _, listing, _ = run(capsys, "sources", "--json")
    [record] = map(json.loads, listing.splitlines())
    assert record["api"] == "mastodon"
    # The token went to the instance, and shows nowhere.
    assert (
        http_server.hits("/api/v1/accounts/lookup")[0].headers["authorization"] == f"Bearer {TOKEN}"
    )
    assert TOKEN not in out + err + listing + paths.portfolio_path().read_text()
    # The first refresh goes on from the cursor: no second lookup.
    assert run(capsys, "refresh")[0] == 0
    assert len(http_server.hits("/api/v1/accounts/lookup")) == 1
    assert "Already following" in run(capsys, "add", address)[1]


def test_an_address_that_only_looks_like_mastodon_falls_back_to_its_feed(
    http_server: TestServer, capsys: pytest.CaptureFixture[str]
) -> None:
    # A blog platform's "@user" page: no Mastodon API there, but a feed it advertises.
    page = (
        b'<html><head><link rel="alternate" type="application/rss+xml" href="/feed/@bob">'
        b"</head></html>"
    )
    http_server.route("/@bob", body=page, content_type="text/html")
    http_server.route("/feed/@bob", body=http_server.rss("Bob's posts", items=3))
    status, out, err = run(capsys, "add", http_server.url("/@bob"))
    assert status == 0, err
    assert "Added Bob's posts (blog)" in out
    [source] = load_portfolio(paths.portfolio_path()).sources
    assert source.api == "" and source.url == http_server.url("/feed/@bob")


@pytest.mark.parametrize(
    ("address", "words"),
    [
        ("https://www.reddit.com/r/humanresources/", "Reddit's API answers 403"),
        ("reddit.com/user/someone", "/.rss"),
        ("https://www.linkedin.com/in/someone", "LinkedIn offers no feed"),
        ("lnkd.in/abc", "approved partners"),
    ],
)
def test_reddit_and_linkedin_are_refused_in_words(
    capsys: pytest.CaptureFixture[str], address: str, words: str
) -> None:
    status, out, err = run(capsys, "add", address)
    assert status == 1 and out == ""
    assert err.startswith("folio: ") and words in err and "Traceback" not in err
    assert not paths.portfolio_path().exists()


def test_an_unknown_account_is_said_in_words(
    http_server: TestServer, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.httpserver import Answer

    http_server.handle("/xrpc/app.bsky.feed.getAuthorFeed", lambda seen: Answer.json(
        {"error": "InvalidRequest", "message": "Profile not found"}, 400))  # fmt: skip
    settings = paths.settings_path()
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(f'[apis]\nbluesky = "{http_server.url("")}"\n')
    status, _, err = run(capsys, "add", "@nobody.example.org")
    assert status == 1
    assert err.strip() == (
        "folio: @nobody.example.org: Bluesky API (@nobody.example.org): reading"
        " @nobody.example.org's posts: server said 400 Bad Request (Profile not found)"
    )


def test_the_demo_reads_its_own_accounts_only(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "--demo", "add", "@someone@mastodon.social")
    assert status == 1
    assert "The demo is offline" in err and "Traceback" not in err
