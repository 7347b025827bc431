"""Which address of this laptop phones can reach, and whether a public URL only works on it.

Debian and Ubuntu map the hostname to 127.0.1.1 in /etc/hosts, so resolving the hostname alone
finds only loopback. The address of the interface that routes outward is asked of the kernel
instead: "connecting" a UDP socket chooses a route and a source address without sending a packet.
"""
import ipaddress
import socket
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

# Not routed anywhere, so asking for a route to it never leaves the machine; a /8 that venue and
# home routers usually route through their default gateway.
ROUTE_PROBE = "10.255.255.255"
PRIVATE_NETWORKS = tuple(ipaddress.ip_network(net)
                         for net in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))


def outward_address(probe: str = ROUTE_PROBE) -> str | None:
    """The source address the kernel would use towards `probe` (no packet is sent), or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        try:
            udp.connect((probe, 9))
            return udp.getsockname()[0]
        except OSError:  # no route at all: offline, or only loopback is up
            return None


def hostname_addresses(hostname: str | None = None) -> list[str]:
    """The IPv4 addresses the hostname resolves to (via /etc/hosts or DNS)."""
    try:
        found = socket.getaddrinfo(hostname or socket.gethostname(), None, socket.AF_INET)
    except OSError:
        return []
    return [sockaddr[0] for *_, sockaddr in found]


def _rank(address: str) -> int | None:
    """0 private LAN, 1 other routable, None for what phones cannot use (loopback, link-local)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if ip.version != 4 or ip.is_loopback or ip.is_link_local or ip.is_unspecified:
        return None
    return 0 if any(ip in net for net in PRIVATE_NETWORKS) else 1


def choose_address(candidates: Iterable[str]) -> str | None:
    """The best address for phones: a private-range one first, then any other routable one, in
    the order found; None when there is only loopback (or nothing)."""
    usable = [(rank, index, address) for index, address in enumerate(candidates)
              if (rank := _rank(address)) is not None]
    return min(usable)[2] if usable else None


def lan_address(outward: Callable[[], str | None] = outward_address,
                resolve: Callable[[], list[str]] = hostname_addresses) -> str | None:
    """This laptop's address on the venue network, or None when only loopback was found."""
    found = outward()
    return choose_address(([found] if found else []) + resolve())


def is_loopback_host(host: str) -> bool:
    """Whether the host name or address is this machine only (127.x, ::1, localhost)."""
    host = host.strip("[]")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_loopback_url(url: str) -> bool:
    """Whether the URL names this machine only: phones cannot open it."""
    return is_loopback_host(urlsplit(url).hostname or "")
