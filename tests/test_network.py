"""The address phones are given: chosen from this laptop's interfaces, loudly refused when loopback.

The lookups are injected: these tests read a hosts file of their own and never send traffic."""
import pytest

from facilitator import network

# A stock Debian/Ubuntu laptop: the hostname resolves to 127.0.1.1, never to the Wi-Fi address.
DEBIAN_HOSTS = """\
127.0.0.1\tlocalhost
127.0.1.1\tseminar-laptop.example.org seminar-laptop

# The following lines are desirable for IPv6 capable hosts
::1     localhost ip6-localhost ip6-loopback
ff02::1 ip6-allnodes
"""


def hosts_lookup(hosts_file, hostname: str):
    """Resolve `hostname` the way /etc/hosts does (IPv4 lines naming it)."""
    def resolve() -> list[str]:
        found = []
        for line in hosts_file.read_text().splitlines():
            address, *names = line.split("#")[0].split() or [""]
            if hostname in names and ":" not in address:
                found.append(address)
        return found
    return resolve


@pytest.fixture
def debian_hosts(tmp_path):
    path = tmp_path / "hosts"
    path.write_text(DEBIAN_HOSTS)
    return hosts_lookup(path, "seminar-laptop")


def test_the_debian_hosts_file_alone_finds_only_loopback(debian_hosts):
    assert debian_hosts() == ["127.0.1.1"]
    assert network.lan_address(outward=lambda: None, resolve=debian_hosts) is None


def test_the_outward_interface_wins_over_the_hostname_on_127_0_1_1(debian_hosts):
    assert network.lan_address(outward=lambda: "192.168.178.23",
                               resolve=debian_hosts) == "192.168.178.23"


def test_a_private_address_is_preferred_to_a_public_or_link_local_one(tmp_path):
    hosts = tmp_path / "hosts"
    hosts.write_text("127.0.1.1 laptop\n169.254.10.1 laptop\n10.20.0.5 laptop\n")
    resolve = hosts_lookup(hosts, "laptop")

    assert network.lan_address(outward=lambda: "203.0.113.7", resolve=resolve) == "10.20.0.5"
    assert network.choose_address(["172.31.0.9", "192.168.1.2"]) == "172.31.0.9"
    assert network.choose_address(["172.32.0.9"]) == "172.32.0.9"  # outside 172.16/12, still usable
    assert network.choose_address(["169.254.1.1", "127.0.0.1", "0.0.0.0", "nonsense"]) is None


def test_the_route_probe_answers_with_an_address_of_this_machine_or_none():
    # connect() on UDP only picks a route; 127.0.0.1 keeps even that on this machine.
    assert network.outward_address("127.0.0.1") == "127.0.0.1"


@pytest.mark.parametrize("url, loopback", [
    ("http://127.0.0.1:5000", True), ("http://127.0.1.1:5000", True), ("http://localhost:8000", True),
    ("http://[::1]:5000", True), ("http://192.168.1.20:5000", False),
    ("https://workshop.example.org", False), ("http://10.0.0.2", False)])
def test_loopback_urls_are_recognised(url, loopback):
    assert network.is_loopback_url(url) is loopback


# --- The warning on the console and the projector ---------------------------------------------

def console_and_wall(app, client, app_make, public_url: str, host: str = "0.0.0.0") -> list[str]:
    app.config.update(PUBLIC_URL=public_url, HOST=host)
    owner = app_make.facilitator()
    workshop = app_make.workshop(owner)
    client.post(f"/console/sign-in/{app_make.sign_in_secret(owner)}")
    pages = [client.get(f"/console/{workshop.id}"), client.get(f"/screen/{workshop.screen_key}")]
    assert [page.status_code for page in pages] == [200, 200]
    return [page.get_data(as_text=True) for page in pages]


def test_console_and_projector_warn_when_phones_are_sent_to_loopback(app, client, app_make):
    for html in console_and_wall(app, client, app_make, "http://127.0.0.1:5050"):
        assert "data-address-warning" in html
        assert "http://127.0.0.1:5050" in html
        assert "PUBLIC_URL=http://192.168.1.20:5050 make run" in html


def test_console_and_projector_say_nothing_with_a_lan_address(app, client, app_make):
    for html in console_and_wall(app, client, app_make, "http://192.168.1.20:5000"):
        assert "data-address-warning" not in html


def test_a_server_listening_on_loopback_only_is_local_on_purpose_and_its_pages_stay_quiet(
        app, client, app_make):
    # `serve --host 127.0.0.1`: the tests' servers, a try-out; the terminal still warns.
    for html in console_and_wall(app, client, app_make, "http://127.0.0.1:5050", "127.0.0.1"):
        assert "data-address-warning" not in html
