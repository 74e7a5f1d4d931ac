"""The client's address behind reverse proxies, trusting X-Forwarded-For only from them.

Each proxy appends the address it received the request from to ``X-Forwarded-For``, so
the header reads client-written entries first and proxy-written ones last. Walking it
from the right while the hop is a trusted proxy ends at the first address no trusted
proxy would have made up: the client. Anything further left was written by the client
and is ignored, so a client cannot choose its address (and escape a login lockout).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_networks(entries: Iterable[str | Network]) -> tuple[Network, ...]:
    """Return the networks of TRUSTED_PROXIES entries (addresses or CIDR blocks)."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(
                f"TRUSTED_PROXIES: {entry!r} is neither an IP address nor a CIDR block"
            ) from None
    return tuple(networks)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    # A server listening on [::] sees IPv4 peers as ::ffff:a.b.c.d.
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def client_address(
    *, peer: str | None, forwarded_for: str | None, trusted: tuple[Network, ...]
) -> str | None:
    """Return the client address of a request from ``peer`` carrying ``forwarded_for``.

    With no trusted proxies, or a peer that is not one, the peer is the client. A hop that
    is not an IP address (``unknown``, garbage) ends the walk at the last address a trusted
    proxy vouched for.
    """
    current = _address(peer or "")
    if current is None:
        return peer
    hops = (forwarded_for or "").split(",")
    while any(current in network for network in trusted) and hops:
        previous = _address(hops.pop())
        if previous is None:
            break
        current = previous
    return str(current)


@lru_cache(maxsize=8)
def _trusted(entries: tuple) -> tuple[Network, ...]:
    return trusted_networks(entries)


def request_client_address(request) -> str | None:
    """Return the client address of ``request`` (django-axes' AXES_CLIENT_IP_CALLABLE)."""
    return client_address(
        peer=request.META.get("REMOTE_ADDR"),
        forwarded_for=request.META.get("HTTP_X_FORWARDED_FOR"),
        trusted=_trusted(tuple(settings.TRUSTED_PROXIES)),
    )
