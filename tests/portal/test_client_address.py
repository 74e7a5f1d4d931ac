"""The client address behind reverse proxies (pure, no database)."""

import pytest

from gis_portal.client_address import client_address, trusted_networks

TRUSTED = trusted_networks(["10.20.0.0/24", "172.18.0.1", "fd00::/8"])


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "expected"),
    [
        # No proxy in front: the peer is the client, whatever it writes in the header.
        ("192.168.8.21", None, "192.168.8.21"),
        ("192.168.8.21", "1.2.3.4", "192.168.8.21"),
        # One trusted proxy: the address it appended.
        ("10.20.0.5", "192.168.8.21", "192.168.8.21"),
        ("10.20.0.5", " 1.2.3.4 ,192.168.8.21", "192.168.8.21"),
        # Two trusted hops (docker bridge behind the bureau's proxy).
        ("172.18.0.1", "192.168.8.21, 10.20.0.5", "192.168.8.21"),
        ("fd00::1", "2001:db8::7", "2001:db8::7"),
        # An IPv4 proxy seen by a server listening on [::].
        ("::ffff:10.20.0.5", "192.168.8.21", "192.168.8.21"),
        # A trusted proxy that sent no header, or garbage: the last address it vouched for.
        ("10.20.0.5", None, "10.20.0.5"),
        ("10.20.0.5", "", "10.20.0.5"),
        ("10.20.0.5", "unknown", "10.20.0.5"),
        ("172.18.0.1", "garbage, 10.20.0.5", "10.20.0.5"),
        # Every hop trusted: the left-most one.
        ("172.18.0.1", "10.20.0.9, 10.20.0.5", "10.20.0.9"),
    ],
)
def test_client_address_walks_back_through_trusted_hops_only(peer, forwarded_for, expected):
    assert client_address(peer=peer, forwarded_for=forwarded_for, trusted=TRUSTED) == expected


def test_without_trusted_proxies_the_peer_is_the_client():
    assert client_address(peer="10.20.0.5", forwarded_for="1.2.3.4", trusted=()) == "10.20.0.5"


def test_a_malformed_trusted_proxy_entry_is_named():
    with pytest.raises(ValueError, match=r"TRUSTED_PROXIES.*10\.20\.0\.300"):
        trusted_networks(["10.20.0.0/24", "10.20.0.300"])
