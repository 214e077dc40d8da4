"""Downloads of the official archives with pooch: progress bar, hash check, extraction

Book: notebooks/01-data.ipynb ("Real ESC-10"). ``REGISTRY`` maps a name to its
archives (URL, published checksum); ``download(name, root)`` fetches every archive of the
set into data_root(root), checks it and extracts it there. An archive whose checksum does not
match raises ``DownloadError`` and leaves nothing behind: pooch downloads into a temporary
file and only keeps it when the hash matches; the archive and its extraction (pooch's
``Unzip`` processor) live in a temporary folder whose files are moved into place only once
the whole archive is checked and extracted.

Checksums:
- DCASE 2016 (TUT Acoustic Scenes 2016, zenodo records 45739 and 165995): the md5 of every
  archive as published in the ``dcase_util`` package (datasets/tut.py,
  ``TUTAcousticScenes_2016_DevelopmentSet`` / ``_EvaluationSet``)
- ESC-50: the authors publish no checksum and no release tag; the archive is GitHub's zip of
  the ``master`` branch, unchanged since the last data commit. We pin the md5 that the
  ``soundata`` package pins for the same URL (datasets/esc50.py). Should GitHub ever
  regenerate the zip differently, the hash check fails loudly instead of accepting other data
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from ascnb.paths import data_root


class DownloadError(RuntimeError):
    """A download that failed or whose checksum did not match; nothing was left on disk"""


ZENODO_DEVELOPMENT = "https://zenodo.org/record/45739/files/"
ZENODO_EVALUATION = "https://zenodo.org/record/165995/files/"

# name -> list of archives; each archive extracts under the data root
REGISTRY: dict[str, list[dict]] = {
    "esc50": [
        {"filename": "ESC-50-master.zip",
         "url": "https://github.com/karolpiczak/ESC-50/archive/master.zip",
         "known_hash": "md5:7771e4b9d86d0945acce719c7a59305a"},
    ],
    "dcase2016-development": [
        {"filename": f"TUT-acoustic-scenes-2016-development.{part}.zip",
         "url": f"{ZENODO_DEVELOPMENT}TUT-acoustic-scenes-2016-development.{part}.zip",
         "known_hash": f"md5:{md5}"}
        for part, md5 in [
            ("doc", "f94ad46eb36325d9fbce5d60f7fc9926"),
            ("meta", "779b33da2ebbf8bde494b3c981827251"),
            ("error", "a0d3e0d81b0a36ece87d0f3a9124a386"),
            ("audio.1", "e39546e65f2e72517b6335aaf0c8323d"),
            ("audio.2", "d36cf3253e2c041f68e937a3fe804807"),
            ("audio.3", "0393a9620ab882b1c26d884eccdcffdd"),
            ("audio.4", "fb3e4e0cd7ea82120ec07031dee558ce"),
            ("audio.5", "a19cf600b33c8f88f6ad607bafd74057"),
            ("audio.6", "591aad3219d1155342572cc1f6af5680"),
            ("audio.7", "9e6c1897789e6bce13ac69c6caedb7ab"),
            ("audio.8", "c4718354f48fcc9dfc7305f6cd8325c8"),
        ]
    ],
    "dcase2016-evaluation": [
        {"filename": f"TUT-acoustic-scenes-2016-evaluation.{part}.zip",
         "url": f"{ZENODO_EVALUATION}TUT-acoustic-scenes-2016-evaluation.{part}.zip",
         "known_hash": f"md5:{md5}"}
        for part, md5 in [
            ("doc", "ef315bf912d1124050646888cc3ceba2"),
            ("meta", "0d5c131fc3f50c682de62e0e648aceba"),
            ("audio.1", "7c6c2e54b8a9c4c37a803b81446d16fe"),
            ("audio.2", "7930f1dc26707ab3ba9526073af87333"),
            ("audio.3", "17187d633d6402aee4b481122a1b28f0"),
        ]
    ],
}
# a name for both halves of DCASE 2016
ALIASES = {"dcase2016": ["dcase2016-development", "dcase2016-evaluation"]}


def merge_into(extracted: Path, destination: Path) -> None:
    """Move every file of the finished extraction ``extracted`` into ``destination``

    DCASE archives share their top folder (TUT-acoustic-scenes-2016-development/), so folders
    are merged file by file
    """
    for source in sorted(extracted.rglob("*")):
        if source.is_dir():
            continue
        target = destination / source.relative_to(extracted)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)


def download(name: str, root: str | Path | None = None, *, progress: bool = True,
             keep_archives: bool = False) -> Path:
    """Fetch, check and extract every archive of ``name`` into data_root(root); returns that folder

    names: REGISTRY keys, or "dcase2016" for development and evaluation together. An archive
    already extracted (its marker file exists) is skipped.
    """
    import pooch

    names = ALIASES.get(name, [name])
    unknown = [n for n in names if n not in REGISTRY]
    if unknown:
        raise ValueError(f"unknown dataset archive {name!r}; known: {sorted([*REGISTRY, *ALIASES])}")
    root = data_root(root).resolve()
    root.mkdir(parents=True, exist_ok=True)
    markers = root / ".downloads"
    for set_name in names:
        for entry in REGISTRY[set_name]:
            marker = markers / (entry["filename"] + ".done")
            if marker.is_file():
                continue
            archive_dir = Path(tempfile.mkdtemp(prefix=".download-", dir=root))
            try:
                try:
                    # archive and extraction both stay in archive_dir until complete
                    pooch.retrieve(
                        url=entry["url"], known_hash=entry["known_hash"], fname=entry["filename"],
                        path=archive_dir, progressbar=progress,
                        processor=pooch.Unzip(extract_dir="extracted"),
                    )
                except zipfile.BadZipFile as error:
                    raise DownloadError(f"{entry['filename']}: not a valid zip archive ({error}); "
                                        "nothing was kept") from error
                except ValueError as error:  # pooch's hash mismatch
                    raise DownloadError(
                        f"{entry['filename']} from {entry['url']}: checksum does not match the "
                        f"published {entry['known_hash']} ({error}); nothing was kept") from error
                except Exception as error:
                    raise DownloadError(
                        f"{entry['filename']}: download from {entry['url']} failed ({error})") from error
                merge_into(archive_dir / "extracted", root)
                if keep_archives:
                    os.replace(archive_dir / entry["filename"], root / entry["filename"])
            finally:
                shutil.rmtree(archive_dir, ignore_errors=True)
            markers.mkdir(exist_ok=True)
            marker.write_text(entry["known_hash"] + "\n")
    return root
