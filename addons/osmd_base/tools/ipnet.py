"""IP allowlist matching (IPv4 and IPv6 CIDR ranges)."""

import ipaddress


def parse_network(text):
    """Parse ``10.0.0.0/8``, ``192.168.1.10`` or ``2001:db8::/32``; raise ValueError."""
    return ipaddress.ip_network((text or "").strip(), strict=False)


def ip_allowed(ip, networks):
    """True when ``ip`` lies in one of ``networks`` (strings or ip_network objects).

    An empty ``networks`` means no restriction. An address that cannot be
    parsed is never allowed when a restriction exists.
    """
    networks = [n if not isinstance(n, str) else parse_network(n) for n in networks]
    if not networks:
        return True
    try:
        address = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address.version == net.version and address in net for net in networks)
