"""tools/ipnet.py of osmd_base: parsing and matching of the staff IP allowlist."""

import ipaddress

import pytest


@pytest.fixture(name="ipnet")
def ipnet_fixture(load_tool):
    return load_tool("osmd_base", "ipnet")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("203.0.113.0/24", "203.0.113.0/24"),
        ("  203.0.113.0/24 ", "203.0.113.0/24"),
        ("203.0.113.77/24", "203.0.113.0/24"),  # host bits are dropped
        ("192.168.1.10", "192.168.1.10/32"),
        ("2001:db8::/32", "2001:db8::/32"),
        ("2001:DB8::1", "2001:db8::1/128"),
        ("0.0.0.0/0", "0.0.0.0/0"),
    ],
)
def test_parse_network(ipnet, text, expected):
    assert str(ipnet.parse_network(text)) == expected


@pytest.mark.parametrize("text", ["", None, "   ", "office", "203.0.113.0/33", "300.1.1.1", "2001:db8::/129"])
def test_parse_network_rejects_garbage(ipnet, text):
    with pytest.raises(ValueError):
        ipnet.parse_network(text)


def test_empty_list_restricts_nothing(ipnet):
    assert ipnet.ip_allowed("198.51.100.7", [])
    assert ipnet.ip_allowed("not an address", [])


@pytest.mark.parametrize(
    ("ip", "allowed"),
    [
        ("203.0.113.0", True),
        ("203.0.113.255", True),
        (" 203.0.113.10 ", True),
        ("203.0.114.0", False),
        ("198.51.100.7", False),
        ("10.1.2.3", True),  # the single address
        ("10.1.2.4", False),
    ],
)
def test_ipv4(ipnet, ip, allowed):
    assert ipnet.ip_allowed(ip, ["203.0.113.0/24", "10.1.2.3"]) is allowed


@pytest.mark.parametrize(
    ("ip", "allowed"),
    [
        ("2001:db8::1", True),
        ("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", True),
        ("2001:db9::1", False),
        ("::1", False),
        ("203.0.113.10", False),  # an IPv4 client never matches an IPv6 range
    ],
)
def test_ipv6(ipnet, ip, allowed):
    assert ipnet.ip_allowed(ip, ["2001:db8::/32"]) is allowed


def test_ipv4_mapped_ipv6_client_matches_ipv4_range(ipnet):
    # a dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d
    assert ipnet.ip_allowed("::ffff:203.0.113.10", ["203.0.113.0/24"])
    assert not ipnet.ip_allowed("::ffff:198.51.100.7", ["203.0.113.0/24"])


def test_ipv6_client_does_not_match_ipv4_range(ipnet):
    assert not ipnet.ip_allowed("2001:db8::1", ["0.0.0.0/0"])
    assert ipnet.ip_allowed("2001:db8::1", ["0.0.0.0/0", "::/0"])


@pytest.mark.parametrize("ip", [None, "", "unknown", "203.0.113.10, 10.0.0.1", "203.0.113"])
def test_unparsable_client_is_refused_when_restricted(ipnet, ip):
    assert not ipnet.ip_allowed(ip, ["0.0.0.0/0", "::/0"])


def test_accepts_parsed_networks(ipnet):
    networks = (
        ipaddress.ip_network("203.0.113.0/24"),
        ipnet.parse_network("2001:db8::/32"),
    )
    assert ipnet.ip_allowed("203.0.113.1", networks)
    assert ipnet.ip_allowed("2001:db8::5", networks)
    assert not ipnet.ip_allowed("192.0.2.1", networks)


def test_invalid_network_in_list_raises(ipnet):
    with pytest.raises(ValueError):
        ipnet.ip_allowed("203.0.113.1", ["203.0.113.0/24", "office"])
