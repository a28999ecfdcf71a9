"""One episode downloaded over real HTTP from a loopback server (tests/audioserver.py)
through folio's transport: resumed with Range, restarted when the server does not
resume, refused when it is a web page, an error, compressed, short or too big."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from tui.core.config import Settings
from tui.core.net.fetch import make_transport
from tui.core.podcasts.download import (
    DownloadError,
    fetch_to_file,
    looks_like_markup,
    parse_content_range,
)

if TYPE_CHECKING:
    from tests.audioserver import AudioServer

pytest_plugins = ["audioserver"]

SIZE = 300_000


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=make_transport(Settings()),
        timeout=httpx.Timeout(5.0),
    ) as made:
        yield made


@pytest.fixture
def audio(audio_server: AudioServer) -> bytes:
    made: bytes = audio_server.audio_bytes(SIZE)
    return made


async def test_a_whole_download(
    audio_server: AudioServer, audio: bytes, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    url = audio_server.add("/ep.mp3", audio)
    partial = tmp_path / "show" / "ep.mp3.partial"
    seen: list[tuple[int, int | None]] = []
    size = await fetch_to_file(client, url, partial, on_progress=lambda d, t: seen.append((d, t)))
    assert size == SIZE
    assert partial.read_bytes() == audio
    assert seen[-1] == (SIZE, SIZE)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    request = audio_server.seen("/ep.mp3")[0]
    assert request.range is None
    headers = {name.lower(): value for name, value in request.headers.items()}
    assert headers["accept-encoding"] == "identity"
    assert "transfer-encoding" not in headers and "content-length" not in headers


async def test_a_partial_file_resumes_with_range(
    audio_server: AudioServer, audio: bytes, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    url = audio_server.add("/ep.mp3", audio)
    partial = tmp_path / "ep.mp3.partial"
    partial.write_bytes(audio[:123_456])
    assert await fetch_to_file(client, url, partial) == SIZE
    assert partial.read_bytes() == audio
    assert [r.range for r in audio_server.seen("/ep.mp3")] == ["bytes=123456-"]


async def test_a_server_that_ignores_range_gets_the_file_from_zero(
    audio_server: AudioServer, audio: bytes, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    url = audio_server.add("/ep.mp3", audio, ranges=False)
    partial = tmp_path / "ep.mp3.partial"
    partial.write_bytes(b"\xff" * 200_000)  # even bytes that are not the file's
    assert await fetch_to_file(client, url, partial) == SIZE
    assert partial.read_bytes() == audio
    assert len(audio_server.seen("/ep.mp3")) == 1


async def test_a_content_range_that_starts_elsewhere_means_starting_again(
    audio_server: AudioServer, audio: bytes, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    url = audio_server.add("/ep.mp3", audio, range_start=1000)
    partial = tmp_path / "ep.mp3.partial"
    partial.write_bytes(audio[:5000])
    assert await fetch_to_file(client, url, partial) == SIZE
    assert partial.read_bytes() == audio
    assert [r.range for r in audio_server.seen("/ep.mp3")] == ["bytes=5000-", None]


async def test_a_complete_partial_is_recognised_by_416(
    audio_server: AudioServer, audio: bytes, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    url = audio_server.add("/ep.mp3", audio)
    partial = tmp_path / "ep.mp3.partial"
    partial.write_bytes(audio)
    assert await fetch_to_file(client, url, partial) == SIZE
    assert partial.read_bytes() == audio


async def test_a_partial_longer_than_the_file_starts_again(
    audio_server: AudioServer, audio: bytes, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    url = audio_server.add("/ep.mp3", audio)
    partial = tmp_path / "ep.mp3.partial"
    partial.write_bytes(audio + b"junk")
    assert await fetch_to_file(client, url, partial) == SIZE
    assert partial.read_bytes() == audio


async def test_a_cut_connection_keeps_the_bytes_and_the_next_try_resumes(
    audio_server: AudioServer, audio: bytes, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    url = audio_server.add("/ep.mp3", audio, cut_after=100_000)
    partial = tmp_path / "ep.mp3.partial"
    with pytest.raises(DownloadError) as caught:
        await fetch_to_file(client, url, partial)
    assert caught.value.transient
    kept = partial.stat().st_size
    assert 0 < kept <= 100_000
    assert partial.read_bytes() == audio[:kept]
    assert await fetch_to_file(client, url, partial) == SIZE
    assert partial.read_bytes() == audio
    assert audio_server.seen("/ep.mp3")[1].range == f"bytes={kept}-"


async def test_fewer_bytes_than_content_length_is_an_error_not_an_episode(
    audio_server: AudioServer, audio: bytes, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    url = audio_server.add("/ep.mp3", audio, claimed_length=SIZE + 50_000)
    partial = tmp_path / "ep.mp3.partial"
    with pytest.raises(DownloadError) as caught:
        await fetch_to_file(client, url, partial)
    assert caught.value.transient
    assert partial.stat().st_size == SIZE  # kept, for a resume, but not called done


async def test_an_html_error_page_with_status_200_is_refused(
    audio_server: AudioServer, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    page = b"<!DOCTYPE html><html><body><h1>Episode not found</h1></body></html>"
    url = audio_server.add("/ep.mp3", page, content_type="text/html; charset=utf-8")
    partial = tmp_path / "ep.mp3.partial"
    with pytest.raises(DownloadError, match="web page or text"):
        await fetch_to_file(client, url, partial)
    assert not partial.exists() or partial.stat().st_size == 0


async def test_an_html_page_served_as_audio_is_refused_by_its_bytes(
    audio_server: AudioServer, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    page = b"\n  <html><head><title>Error</title></head><body>" + b"x" * 500 + b"</body></html>"
    url = audio_server.add("/ep.mp3", page, content_type="audio/mpeg")
    partial = tmp_path / "ep.mp3.partial"
    with pytest.raises(DownloadError, match="web page, not audio"):
        await fetch_to_file(client, url, partial)
    assert not partial.exists() or partial.stat().st_size == 0
    short = audio_server.add("/short.mp3", b"<p>gone</p>", content_type="audio/mpeg")
    with pytest.raises(DownloadError, match="web page, not audio"):
        await fetch_to_file(client, short, tmp_path / "short.partial")


@pytest.mark.parametrize(
    ("status", "transient"), [(404, False), (403, False), (503, True), (429, True)]
)
async def test_error_statuses_are_refused(
    audio_server: AudioServer,
    client: httpx.AsyncClient,
    tmp_path: Path,
    status: int,
    transient: bool,
) -> None:
    url = audio_server.add("/ep.mp3", b"nope", status=status, content_type="audio/mpeg")
    with pytest.raises(DownloadError, match=f"answered {status}") as caught:
        await fetch_to_file(client, url, tmp_path / "ep.partial")
    assert caught.value.transient is transient


async def test_a_compressed_answer_is_refused(
    audio_server: AudioServer, audio: bytes, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    url = audio_server.add("/ep.mp3", audio, headers={"Content-Encoding": "gzip"})
    with pytest.raises(DownloadError, match="compressed"):
        await fetch_to_file(client, url, tmp_path / "ep.partial")


async def test_no_room_on_the_disk_is_said_before_a_byte_is_written(
    audio_server: AudioServer, audio: bytes, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    # A Content-Length of a petabyte: no disk here has room for it.
    url = audio_server.add("/ep.mp3", audio, claimed_length=10**15)
    partial = tmp_path / "ep.partial"
    with pytest.raises(DownloadError, match="not enough room on the disk"):
        await fetch_to_file(client, url, partial)
    assert not partial.exists() or partial.stat().st_size == 0
    # And the same with a disk that is nearly full.
    small = audio_server.add("/small.mp3", audio)
    with pytest.raises(DownloadError, match="not enough room"):
        await fetch_to_file(client, small, partial, room=lambda _: SIZE, reserve=1)


async def test_redirects_are_followed_and_capped(
    audio_server: AudioServer, audio: bytes, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    target = audio_server.add("/real.mp3", audio)
    hop = audio_server.add("/hop", b"", status=302, headers={"Location": target})
    partial = tmp_path / "ep.partial"
    assert await fetch_to_file(client, hop, partial) == SIZE
    redirected = audio_server.seen("/real.mp3")[0].headers
    assert "Transfer-Encoding" not in redirected  # a GET has no body, redirected or not
    loop = audio_server.add("/loop", b"", status=302, headers={"Location": "/loop"})
    with pytest.raises(DownloadError, match="redirects"):
        await fetch_to_file(client, loop, tmp_path / "loop.partial")
    elsewhere = audio_server.add("/ftp", b"", status=302, headers={"Location": "ftp://x/a.mp3"})
    with pytest.raises(DownloadError, match="redirect"):
        await fetch_to_file(client, elsewhere, tmp_path / "ftp.partial")


async def test_a_stalled_server_times_out(
    audio_server: AudioServer, audio: bytes, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    url = audio_server.add("/slow.mp3", audio, rate=2000)  # one 8 KB piece every 4 s
    with pytest.raises(DownloadError) as caught:
        await fetch_to_file(client, url, tmp_path / "slow.partial", stall_timeout=0.5)
    assert caught.value.transient


async def test_only_http_urls_are_downloaded(client: httpx.AsyncClient, tmp_path: Path) -> None:
    for url in ("file:///etc/passwd", "ftp://x/a.mp3", "javascript:alert(1)"):
        with pytest.raises(DownloadError, match="only http"):
            await fetch_to_file(client, url, tmp_path / "x.partial")
    assert not (tmp_path / "x.partial").exists()


def test_content_range_and_markup_helpers() -> None:
    assert parse_content_range("bytes 100-199/1000") == (100, 199, 1000)
    assert parse_content_range("bytes 0-9/*") == (0, 9, None)
    assert parse_content_range("items 1-2/3") is None
    assert looks_like_markup(b"\xef\xbb\xbf  <!doctype html>")
    assert not looks_like_markup(b"ID3\x04")
    assert not looks_like_markup(b"\xff\xfb\x90")
