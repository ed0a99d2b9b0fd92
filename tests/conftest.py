"""For the whole suite: no test may reach the network (loopback servers are fine), and the files that take
minutes start first."""

import socket

import pytest

LOOPBACK = {"127.0.0.1", "::1", "localhost"}


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Fail a test loudly when it looks up or connects to any host beyond this machine."""
    real_connect, real_getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def connect(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in LOOPBACK:
            pytest.fail(f"a test tried to connect to {address}; tests must not use the network")
        return real_connect(sock, address)

    def getaddrinfo(host, *args, **kwargs):
        if host not in LOOPBACK | {None, ""}:
            pytest.fail(f"a test tried to look up {host!r}; tests must not use the network")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


# The test files that take minutes, longest first. pytest-xdist hands whole files to its workers in
# the order collected; a long file collected last would keep one worker busy while the others idle.
SLOW_FIRST = (
    "test_browser.py",  # JupyterLab runs every widget notebook, 08's training included
    "test_notebooks_elsewhere.py",  # every notebook again, under other BLAS kernels
    "test_site.py",  # every notebook once more, to build the course site, then read in Chromium
    "08-all-ten-digits-fast.ipynb",  # trains on all 60,000 digits
    "06-mnist-zeros-and-ones.ipynb",
)


def pytest_collection_modifyitems(items):
    rank = {name: place for place, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(SLOW_FIRST)))  # stable: others keep their order
