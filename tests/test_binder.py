"""The Binder launch: the README's badge opens an existing notebook, and binder/ installs exactly our pins.

repo2docker reads only binder/ when that folder exists. There, ``requirements.txt`` includes the
root ``requirements.txt`` (pip resolves ``-r`` relative to the including file; repo2docker runs
pip from the repository root, so the root file's ``-e .`` installs cnnlib from there),
``runtime.txt`` picks Python, and ``postBuild`` prepares caches at build time, installing nothing.
"""

import os
import re
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import pytest
from build_site import published_repository

REPO = Path(__file__).resolve().parent.parent
BINDER = REPO / "binder"
BADGE = re.compile(r"\[!\[[^\]]*\]\(https://mybinder\.org/badge_logo\.svg\)\]\((?P<url>[^)\s]+)\)")
PIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*==[A-Za-z0-9.+!-]+$")
# Files that make repo2docker ignore binder/requirements.txt or install something beside it.
OTHER_CONFIG = [
    "environment.yml",
    "Pipfile",
    "Pipfile.lock",
    "setup.py",
    "pyproject.toml",
    "Dockerfile",
    "install.R",
    "DESCRIPTION",
    "Project.toml",
    "default.nix",
    "apt.txt",
]


def badge_url() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    found = BADGE.search(readme)
    assert found, (
        "README.md has no Binder badge; add one such as\n"
        "[![Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/OWNER/REPO/HEAD"
        "?urlpath=lab/tree/notebooks/00-neural-network-from-scratch-xor.ipynb)"
    )
    return found["url"]


def requirement_lines(path: Path) -> list[str]:
    """The requirement lines pip reads from ``path``, following ``-r`` relative to each file."""
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = re.sub(r"(^|\s)#.*", "", raw).strip()  # pip's comment rule
        if not line:
            continue
        option = re.match(r"^(-r|--requirement)(\s+|=)(?P<file>.+)$", line)
        if option:
            lines += requirement_lines(path.parent / option["file"])
        else:
            lines.append(line)
    return lines


def test_readme_badge_launches_jupyterlab_on_an_existing_notebook():
    url = urlparse(badge_url())
    assert (url.scheme, url.netloc) == ("https", "mybinder.org"), url.geturl()
    parts = url.path.split("/")
    assert parts[:3] == ["", "v2", "gh"] and len(parts) == 6 and all(parts[3:]), (
        f"expected https://mybinder.org/v2/gh/OWNER/REPO/REF, got {url.geturl()}"
    )
    urlpath = parse_qs(url.query).get("urlpath", [""])[0]
    assert urlpath.startswith("lab/tree/"), (
        f"the badge should open JupyterLab (urlpath=lab/tree/...): {urlpath!r}"
    )
    notebook = REPO / unquote(urlpath.removeprefix("lab/tree/"))
    assert notebook.suffix == ".ipynb" and notebook.is_file(), (
        f"the badge opens {urlpath!r}: no such notebook"
    )


def test_readme_badge_launches_the_repository_named_in_pyproject():
    """The badge, the site's launch links and the slides' (tests/test_site.py) name one repository."""
    owner, repo = published_repository()
    badge_owner, badge_repo = urlparse(badge_url()).path.split("/")[3:5]
    assert (badge_owner, badge_repo) == (owner, repo), (
        f"the README's badge launches {badge_owner}/{badge_repo}, but pyproject.toml's [project.urls] "
        f"names {owner}/{repo}: make the badge's address https://mybinder.org/v2/gh/{owner}/{repo}/HEAD?..."
    )


def test_readme_badge_names_this_repository():
    """Only where a GitHub remote is configured: the badge must launch this very repository."""
    try:
        remote = subprocess.run(
            ["git", "remote", "get-url", "origin"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("no git remote 'origin': cannot tell which GitHub repository the badge should name")
    found = re.search(r"github\.com[:/](?P<owner>[^/]+)/(?P<repo>[^/]+?)(\.git)?$", remote)
    if not found:
        pytest.skip(f"origin {remote!r} is not on GitHub")
    owner, repo = urlparse(badge_url()).path.split("/")[3:5]
    assert (owner.lower(), repo.lower()) == (found["owner"].lower(), found["repo"].lower()), (
        f"the badge launches {owner}/{repo}, but origin is {remote}"
    )


def test_binder_installs_exactly_the_projects_pins():
    """binder/requirements.txt holds no pin of its own: it includes the root requirements.txt, or
    a file that the root one includes too (say, the course's runtime pins without the test tools)."""
    own = [
        line
        for line in (
            re.sub(r"(^|\s)#.*", "", raw).strip()
            for raw in (BINDER / "requirements.txt").read_text(encoding="utf-8").splitlines()
        )
        if line
    ]
    included = re.fullmatch(r"-r \.\./(?P<file>[\w.-]+\.txt)", own[0]) if len(own) == 1 else None
    assert included, f"binder/requirements.txt should be one line, -r ../requirements.txt; it has {own}"
    root = requirement_lines(REPO / "requirements.txt")
    root_files = ["requirements.txt"] + [
        line.split(maxsplit=1)[1]
        for line in (REPO / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if line.startswith("-r ")
    ]
    assert included["file"] in root_files, (
        f"binder/ includes {included['file']}, which the README's set-up (requirements.txt) does not install"
    )
    binder = requirement_lines(BINDER / "requirements.txt")
    assert set(binder) <= set(root) and len(binder) == len(set(binder))
    unpinned = [line for line in root if line != "-e ." and not PIN.match(line)]
    assert not unpinned, f"requirements.txt must pin exact versions (name==version): {unpinned}"
    names = {line if line == "-e ." else line.split("==")[0].lower().replace("-", "_") for line in binder}
    needed = {"-e .", "jupyterlab", "ipywidgets", "jupyterlab_widgets", "ipykernel", "matplotlib"}
    assert needed <= names, f"Binder would lack {sorted(needed - names)} (cnnlib is '-e .')"


def test_binder_uses_python_311_and_nothing_overrides_pip():
    assert (BINDER / "runtime.txt").read_text(encoding="utf-8").strip() == "python-3.11"
    present = [name for name in OTHER_CONFIG if (BINDER / name).exists()]
    assert not present, f"binder/ would not be built from requirements.txt alone: remove {present}"


def test_postbuild_stops_on_error_and_installs_nothing():
    post_build = BINDER / "postBuild"
    text = post_build.read_text(encoding="utf-8")
    assert text.startswith("#!/bin/bash\n"), "postBuild needs a shebang (repo2docker executes it)"
    assert os.access(post_build, os.X_OK), "postBuild must be executable"
    commands = [
        line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
    ]
    assert commands[0].startswith("set -e"), (
        "postBuild must start with set -e, so a failed step fails the build"
    )
    installs = [
        line for line in commands if re.search(r"\b(pip|conda|mamba|apt-get|npm)\b.*\binstall\b", line)
    ]
    assert not installs, f"postBuild must not install anything (requirements.txt is the one list): {installs}"
