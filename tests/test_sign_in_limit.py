"""The password sign-in is rate limited per address (10 tries a minute, facilitator/views/
console.py): the eleventh try gets the app's error page in the UI language, 429 and Retry-After,
and changes nothing; a one-time sign-in link still works meanwhile."""
import pytest

from facilitator.extensions import limiter

pytestmark = pytest.mark.ratelimit


@pytest.fixture(autouse=True)
def fresh_counts(app):
    limiter.reset()
    yield
    limiter.reset()


def wrong(client, **headers):
    return client.post("/console/login", data={"name": "Kim", "password": "falsch-falsch"},
                       headers=headers)


def test_the_eleventh_sign_in_try_a_minute_gets_a_clear_page_with_retry_after(client, app_make):
    owner = app_make.facilitator("Kim")
    for _ in range(10):
        assert wrong(client).status_code == 200  # the form again, "name or password is wrong"

    refused = wrong(client, **{"Accept-Language": "de"})

    assert refused.status_code == 429
    wait = int(refused.headers["Retry-After"])
    assert 1 <= wait <= 61
    page = refused.get_data(as_text=True)
    assert "<h1 data-error-page>Zu viele Anmeldeversuche</h1>" in page
    assert f"für {wait} Sekunden angehalten" in page
    assert 'href="/console/login"' in page and '<html lang="de"' in page
    # In English too, and a sign-in link (not rate limited) still works.
    english = wrong(client, **{"Accept-Language": "en"})
    assert english.status_code == 429 and "Too many sign-in attempts" in english.get_data(True)
    link = f"/console/sign-in/{app_make.sign_in_secret(owner)}"
    assert client.post(link).status_code == 302
    assert client.get("/console/").status_code == 200


def test_other_addresses_may_still_sign_in(client, app_make):
    app_make.facilitator("Kim")
    for _ in range(11):
        last = wrong(client)
    assert last.status_code == 429
    other = client.post("/console/login", data={"name": "Kim", "password": "falsch-falsch"},
                        environ_base={"REMOTE_ADDR": "192.0.2.77"})
    assert other.status_code == 200
