"""Which network addresses Vigie may fetch an image from (server-side request forgery guard).

An image URL in a comment is chosen by whoever wrote the comment. Fetching it blindly would let
a commenter make the Vigie server call its own infrastructure: the cloud metadata service
(``169.254.169.254``), an admin page on ``127.0.0.1``, a database on ``10.0.0.5``. So every host
is resolved *before* connecting, every resolved address is checked, and the connection is made
to the checked address itself (never to the name again, which a hostile DNS server could answer
differently the second time: DNS rebinding).

An address is public when it is globally routable unicast: loopback, private (RFC 1918, unique
local ``fc00::/7``), shared (CGNAT ``100.64/10``), link-local, multicast, reserved, unspecified
and documentation ranges are refused, and IPv6 forms that embed an IPv4 address (mapped
``::ffff:a.b.c.d``, 6to4 ``2002::/16``, Teredo, NAT64 ``64:ff9b::/96``) are judged by the
embedded address.

Tests serve images from ``127.0.0.1``; they pass an explicit allow-list of networks
(:class:`AddressGuard`'s ``allow``). Production code never sets it.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from vigie.errors import MediaError

__all__ = [
    "AddressGuard",
    "AddressRefused",
    "IPAddress",
    "Resolver",
    "SystemResolver",
    "is_public_address",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_Network = ipaddress.IPv4Network | ipaddress.IPv6Network

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Ranges that Python's ``is_global`` still calls global but that no image host lives in.
_NOT_HOSTS = tuple(ipaddress.ip_network(n) for n in ("192.0.0.0/24", "2001:db8::/32"))


class AddressRefused(MediaError):
    """A host resolved to an address Vigie must not connect to (or did not resolve)."""


def _embedded_v4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public_address(address: IPAddress) -> bool:
    """Whether ``address`` is globally routable unicast (pure).

    IPv6 addresses that embed an IPv4 address are judged by the embedded one.
    """
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_v4(address)
        if embedded is not None:
            return is_public_address(embedded)
    if any(address in net for net in _NOT_HOSTS if net.version == address.version):
        return False
    return (address.is_global and not address.is_multicast and not address.is_reserved
            and not address.is_loopback and not address.is_link_local
            and not address.is_unspecified and not address.is_private)


class Resolver(Protocol):
    """Turns a host name into IP addresses (injected: tests use a fixed table)."""

    def resolve(self, host: str, port: int) -> list[IPAddress]:
        """Every address ``host`` resolves to.

        Raises:
            OSError: the name does not resolve.
        """
        ...


class SystemResolver:
    """The operating system's resolver (``getaddrinfo``)."""

    def resolve(self, host: str, port: int) -> list[IPAddress]:
        """Every address ``host`` resolves to, in the resolver's order (does I/O).

        Raises:
            OSError: the name does not resolve.
        """
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        out: list[IPAddress] = []
        for info in infos:
            address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
            if address not in out:
                out.append(address)
        return out


@dataclass(frozen=True, slots=True)
class AddressGuard:
    """Resolves a host and returns an address that is safe to connect to.

    Attributes:
        resolver: name resolution (the system's by default).
        allow: networks allowed even though not public. **Tests only** (a fake server on
            ``127.0.0.1``); empty in production, where only public addresses pass.
    """

    resolver: Resolver = field(default_factory=SystemResolver)
    allow: tuple[_Network, ...] = ()

    @classmethod
    def with_allowed(cls, networks: Iterable[str], resolver: Resolver | None = None
                     ) -> AddressGuard:
        """A guard that also lets ``networks`` (CIDR strings) through: for tests.

        Raises:
            ValueError: a network is malformed.
        """
        nets = tuple(ipaddress.ip_network(n, strict=False) for n in networks)
        return cls(resolver or SystemResolver(), nets)

    def allowed(self, address: IPAddress) -> bool:
        """Whether Vigie may connect to ``address`` (pure)."""
        if any(address in net for net in self.allow if net.version == address.version):
            return True
        return is_public_address(address)

    def check(self, host: str, port: int) -> IPAddress:
        """Resolve ``host`` and return the address to connect to.

        Every resolved address must be allowed: a name that resolves to a public and a private
        address at once is refused (the client could be made to use either).

        Raises:
            AddressRefused: the name does not resolve, or one of its addresses is not allowed.
        """
        try:
            literal: IPAddress | None = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            literal = None
        addresses: Sequence[IPAddress]
        if literal is not None:
            addresses = [literal]
        else:
            try:
                addresses = self.resolver.resolve(host, port)
            except (OSError, UnicodeError) as error:
                raise AddressRefused(f"host does not resolve ({type(error).__name__})") from None
        if not addresses:
            raise AddressRefused("host does not resolve")
        refused = [a for a in addresses if not self.allowed(a)]
        if refused:
            raise AddressRefused(f"host resolves to a non-public address ({_kind(refused[0])})")
        return addresses[0]


def _kind(address: IPAddress) -> str:
    """A word for why ``address`` is refused, for explanations (pure)."""
    embedded = _embedded_v4(address) if isinstance(address, ipaddress.IPv6Address) else None
    if embedded is not None:
        return "IPv6 form of an IPv4 address, " + _kind(embedded)
    for name in ("loopback", "link_local", "multicast", "private", "reserved", "unspecified"):
        if getattr(address, f"is_{name}"):
            return name.replace("_", "-")
    return "not globally routable"
