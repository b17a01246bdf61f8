"""The client address: forwarded headers count only from trusted proxies, right-most untrusted hop wins."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from parcelsync.security.client_address import (
    TrustedProxies,
    TrustedProxiesError,
    client_address,
    forwarded_scheme,
)

NONE = TrustedProxies()
LOCAL = TrustedProxies.parse("127.0.0.1")
CHAIN = TrustedProxies.parse("127.0.0.1, 10.0.0.0/8, 2001:db8:ff::/48")
SRC = Path(__file__).resolve().parents[3] / "src" / "parcelsync"


def test_by_default_nobody_is_trusted() -> None:
    assert client_address("127.0.0.1", ["203.0.113.7"], NONE) == "127.0.0.1"
    assert forwarded_scheme("127.0.0.1", ["https"], NONE) is None


def test_an_untrusted_peer_is_the_client_whatever_it_forwards() -> None:
    assert client_address("198.51.100.4", ["203.0.113.7"], LOCAL) == "198.51.100.4"


def test_a_trusted_peer_gives_the_right_most_untrusted_hop() -> None:
    assert client_address("127.0.0.1", ["203.0.113.7"], LOCAL) == "203.0.113.7"
    spoofed = ["1.1.1.1, 203.0.113.7", "10.1.2.3"]  # the client wrote 1.1.1.1; our proxies added the rest
    assert client_address("127.0.0.1", spoofed, CHAIN) == "203.0.113.7"
    assert client_address("127.0.0.1", ["2001:db8::5, 2001:db8:ff::1"], CHAIN) == "2001:db8::5"


def test_hops_with_ports_brackets_and_junk() -> None:
    assert client_address("127.0.0.1", ["203.0.113.7:5123"], LOCAL) == "203.0.113.7"
    assert client_address("127.0.0.1", ["[2001:db8::9]:443"], LOCAL) == "2001:db8::9"
    assert client_address("127.0.0.1", ["not-an-ip, 10.0.0.2"], CHAIN) == "10.0.0.2"
    assert client_address("127.0.0.1", [], LOCAL) == "127.0.0.1"
    assert client_address("127.0.0.1", ["10.0.0.2, 10.0.0.3"], CHAIN) == "10.0.0.2"  # all trusted: the left-most
    assert client_address(None, ["203.0.113.7"], LOCAL) == "unknown"


def test_forwarded_scheme_only_from_a_trusted_proxy() -> None:
    assert forwarded_scheme("127.0.0.1", ["https"], LOCAL) == "https"
    assert forwarded_scheme("198.51.100.4", ["https"], LOCAL) is None
    assert forwarded_scheme("127.0.0.1", ["gopher"], LOCAL) is None


def test_the_setting_is_parsed_strictly() -> None:
    assert TrustedProxies.parse("") == NONE and TrustedProxies.parse(" , ") == NONE
    assert len(CHAIN.networks) == 3
    with pytest.raises(TrustedProxiesError, match=r"'proxy\.local'"):
        TrustedProxies.parse("127.0.0.1,proxy.local")


def test_uvicorn_never_believes_forwarded_headers_itself() -> None:
    """Every uvicorn.run / uvicorn.Config call in the package passes proxy_headers=False."""
    calls = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                target = node.func.value
                if isinstance(target, ast.Name) and target.id == "uvicorn" and node.func.attr in ("run", "Config"):
                    keywords = {k.arg: k.value for k in node.keywords}
                    flag = keywords.get("proxy_headers")
                    ok = isinstance(flag, ast.Constant) and flag.value is False
                    calls.append((f"{path.relative_to(SRC)}:{node.lineno}", ok))
    assert len(calls) >= 3
    assert [where for where, ok in calls if not ok] == []
