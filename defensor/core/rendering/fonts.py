"""The fonts documents are set in, from Python packages: nothing is fetched or read from the system.

IBM Plex Serif (body) and IBM Plex Sans (headings) both cover Latin, Cyrillic and Greek. The
folders come from the installed `fontpkg_*` packages, found through importlib.resources, so
they work in a virtualenv, a wheel or a container alike.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

BODY_FAMILY = "IBM Plex Serif"
HEADING_FAMILY = "IBM Plex Sans"
FONT_PACKAGES = ("fontpkg_ibm_plex_serif", "fontpkg_ibm_plex_sans")


@functools.cache
def font_paths() -> tuple[Path, ...]:
    """The folders holding the font files, one per font package."""
    folders = []
    for package in FONT_PACKAGES:
        folder = Path(str(resources.files(package).joinpath("files")))
        if not folder.is_dir() or not any(folder.glob("*.ttf")):
            raise RuntimeError(f"the font package {package} has no font files; reinstall it")
        folders.append(folder)
    return tuple(folders)
