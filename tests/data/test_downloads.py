"""Downloads: archives served from 127.0.0.1 (never the internet), checked and extracted"""

from __future__ import annotations

import functools
import hashlib
import http.server
import threading
import zipfile
from pathlib import Path

import pytest

from ascnb.data import downloads as download_module
from ascnb.data.downloads import REGISTRY, DownloadError, download


@pytest.fixture()
def server(tmp_path, monkeypatch):
    """(folder served, base URL, list of requested paths)"""
    for variable in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    served = tmp_path / "served"
    served.mkdir()
    requested = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            requested.append(self.path)
            super().do_GET()

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(served)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield served, f"http://127.0.0.1:{httpd.server_address[1]}", requested
    httpd.shutdown()
    httpd.server_close()


def make_zip(path: Path, files: dict[str, bytes]) -> str:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return "md5:" + hashlib.md5(path.read_bytes()).hexdigest()


def register(monkeypatch, name, entries):
    monkeypatch.setitem(REGISTRY, name, entries)


TOP = "TUT-acoustic-scenes-2016-development"


def test_good_archives_extract_and_merge(server, tmp_path, monkeypatch):
    served, url, requested = server
    hash_meta = make_zip(served / "set.meta.zip", {f"{TOP}/meta.txt": b"audio/a.wav\tbus\n"})
    hash_audio = make_zip(served / "set.audio.1.zip", {f"{TOP}/audio/a.wav": b"RIFF-not-checked"})
    register(monkeypatch, "test-set", [
        {"filename": "set.meta.zip", "url": f"{url}/set.meta.zip", "known_hash": hash_meta},
        {"filename": "set.audio.1.zip", "url": f"{url}/set.audio.1.zip", "known_hash": hash_audio},
    ])
    root = tmp_path / "data"
    assert download("test-set", root, progress=False) == root.resolve()
    assert (root / TOP / "meta.txt").read_bytes() == b"audio/a.wav\tbus\n"
    assert (root / TOP / "audio" / "a.wav").is_file()
    # nothing else left: no archive, no temporary folder
    assert sorted(p.name for p in root.iterdir()) == [".downloads", TOP]
    # a second call finds both archives done and fetches nothing
    download("test-set", root, progress=False)
    assert len(requested) == 2


def test_wrong_checksum_leaves_nothing(server, tmp_path, monkeypatch):
    served, url, requested = server
    make_zip(served / "esc.zip", {"ESC-50-master/meta/esc50.csv": b"filename,fold\n"})
    register(monkeypatch, "test-bad", [
        {"filename": "esc.zip", "url": f"{url}/esc.zip", "known_hash": "md5:" + "0" * 32},
    ])
    root = tmp_path / "data"
    with pytest.raises(DownloadError, match=r"esc\.zip.*checksum does not match.*md5:0{32}"):
        download("test-bad", root, progress=False)
    assert requested == ["/esc.zip"]
    assert list(root.iterdir()) == []  # no archive, no half-extracted folder, no marker


def test_second_archive_failing_keeps_the_first_whole(server, tmp_path, monkeypatch):
    served, url, _ = server
    good = make_zip(served / "a.zip", {"set/a.txt": b"a"})
    make_zip(served / "b.zip", {"set/b.txt": b"b"})
    register(monkeypatch, "test-two", [
        {"filename": "a.zip", "url": f"{url}/a.zip", "known_hash": good},
        {"filename": "b.zip", "url": f"{url}/b.zip", "known_hash": "md5:" + "1" * 32},
    ])
    root = tmp_path / "data"
    with pytest.raises(DownloadError, match=r"b\.zip.*checksum"):
        download("test-two", root, progress=False)
    assert sorted(str(p.relative_to(root)) for p in root.rglob("*")) == [
        ".downloads", ".downloads/a.zip.done", "set", "set/a.txt"]


def test_unreachable_server(tmp_path, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    register(monkeypatch, "test-gone", [
        {"filename": "x.zip", "url": "http://127.0.0.1:9/x.zip", "known_hash": "md5:" + "2" * 32},
    ])
    with pytest.raises(DownloadError, match=r"x\.zip: download from http://127\.0\.0\.1:9/x\.zip failed"):
        download("test-gone", tmp_path, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_unknown_name():
    with pytest.raises(ValueError, match=r"unknown dataset archive 'esc100'.*dcase2016-development"):
        download("esc100")


def test_registry_holds_every_official_archive():
    development = [entry["filename"] for entry in REGISTRY["dcase2016-development"]]
    assert development == [f"TUT-acoustic-scenes-2016-development.{part}.zip" for part in
                           ["doc", "meta", "error", *[f"audio.{i}" for i in range(1, 9)]]]
    evaluation = [entry["filename"] for entry in REGISTRY["dcase2016-evaluation"]]
    assert evaluation == [f"TUT-acoustic-scenes-2016-evaluation.{part}.zip" for part in
                          ["doc", "meta", "audio.1", "audio.2", "audio.3"]]
    entries = [entry for entries in REGISTRY.values() for entry in entries]
    hashes = [entry["known_hash"] for entry in entries]
    assert len(set(hashes)) == len(hashes)
    assert all(h.startswith("md5:") and len(h) == 36 and int(h[4:], 16) >= 0 for h in hashes)
    assert all(entry["url"].startswith("https://") and entry["url"].endswith(".zip") for entry in entries)
    assert download_module.ALIASES["dcase2016"] == ["dcase2016-development", "dcase2016-evaluation"]
