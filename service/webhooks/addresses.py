"""Where a webhook URL may point: the check that keeps webhooks from reaching into the
operator's network (SSRF).

With a keys file (tenants the operator does not fully trust) a URL must resolve only to public
addresses, unless WHETSTONE_WEBHOOK_ALLOW_PRIVATE_NETWORKS is set. The check runs when an
endpoint is saved (a clear 400) and again at every delivery attempt, on the addresses the
attempt then connects to: a name may resolve to a public address at create and to 127.0.0.1
a minute later (DNS rebinding), so the sender resolves once, checks, and connects to the
checked address itself rather than letting the HTTP client resolve the name a second time.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from service.core.config import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

SCHEMES = ("http", "https")


class AddressRefused(Exception):
    """A URL whose host cannot be used: unresolvable, or resolving to a refused address."""


@dataclass(frozen=True)
class Target:
    """A parsed webhook URL: what the sender connects to, and what it names."""

    scheme: str
    host: str
    port: int


def guarded(settings: Settings) -> bool:
    """Whether private addresses are refused: with a keys file, unless explicitly allowed."""
    return settings.api_keys_file is not None and not settings.webhook_allow_private_networks


def is_private(address: IPAddress) -> bool:
    """True for loopback, link-local, private, shared, reserved, multicast and unspecified
    addresses: anything but a globally routable unicast address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        # ::ffff:127.0.0.1 reaches 127.0.0.1.
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def parse_target(url: str) -> Target:
    """The scheme, host and port of an http(s) URL; ValueError naming what is wrong."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise ValueError("the URL must start with https:// or http://")
    if not parts.hostname:
        raise ValueError("the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise ValueError("the URL must not carry credentials")
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError("the URL's port is not a number from 0 to 65535") from exc
    return Target(
        scheme=parts.scheme,
        host=parts.hostname,
        port=port if port is not None else (443 if parts.scheme == "https" else 80),
    )


# getaddrinfo's entries: (family, type, proto, canonname, sockaddr); only sockaddr's host is read.
AddressInfo = tuple[object, object, object, object, tuple[object, ...]]


def _allowed(host: str, infos: Sequence[AddressInfo], *, guarded: bool) -> list[str]:
    addresses: list[str] = []
    for info in infos:
        text = str(info[4][0]).split("%", 1)[0]  # drop an IPv6 zone index
        if text not in addresses:
            addresses.append(text)
    if not addresses:
        raise AddressRefused(f"{host} resolves to no address")
    if guarded:
        refused = [text for text in addresses if is_private(ipaddress.ip_address(text))]
        if refused:
            raise AddressRefused(
                f"{host} resolves to {refused[0]}, a loopback, link-local or private address; "
                "set WHETSTONE_WEBHOOK_ALLOW_PRIVATE_NETWORKS=true to allow it"
            )
    return addresses


def resolve(target: Target, *, guarded: bool) -> list[str]:
    """The addresses of `target` (blocking), all checked; AddressRefused otherwise."""
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise AddressRefused(f"{target.host} cannot be resolved ({exc})") from exc
    return _allowed(target.host, infos, guarded=guarded)


async def resolve_async(target: Target, *, guarded: bool) -> list[str]:
    """As `resolve`, on the event loop's resolver."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise AddressRefused(f"{target.host} cannot be resolved ({exc})") from exc
    return _allowed(target.host, infos, guarded=guarded)
