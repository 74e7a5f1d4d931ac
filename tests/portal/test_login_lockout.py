"""Login lockout keys on the real client address, read from trusted proxies only."""

import pytest
from django.contrib.auth.models import User
from django.test import override_settings

pytestmark = pytest.mark.django_db

PROXY = "10.20.0.5"  # the bureau's reverse proxy, as the portal's server sees it
CLIENT_A = "192.168.8.21"
CLIENT_B = "192.168.8.34"


def _login(client, password: str, *, peer: str, forwarded_for: str | None = None):
    extra = {"REMOTE_ADDR": peer}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post("/accounts/login/", {"username": "clerk", "password": password}, **extra)


def _fail_five_times(client, **address):
    for _ in range(5):
        _login(client, "wrong", **address)  # the fifth failure is already answered 429


@override_settings(AXES_ENABLED=True, TRUSTED_PROXIES=["10.20.0.0/24"])
def test_behind_a_trusted_proxy_one_client_does_not_lock_out_another(client):
    User.objects.create_user("clerk", password="right-password-1")
    _fail_five_times(client, peer=PROXY, forwarded_for=CLIENT_A)
    locked = _login(client, "right-password-1", peer=PROXY, forwarded_for=CLIENT_A)
    assert locked.status_code == 429
    other = _login(client, "right-password-1", peer=PROXY, forwarded_for=CLIENT_B)
    assert other.status_code == 302


@override_settings(AXES_ENABLED=True, TRUSTED_PROXIES=["10.20.0.0/24"])
def test_a_client_cannot_escape_the_lockout_by_forging_x_forwarded_for(client):
    User.objects.create_user("clerk", password="right-password-1")
    # The proxy appends the address it saw; whatever the client wrote stays to the left.
    _fail_five_times(client, peer=PROXY, forwarded_for=f"1.2.3.4, {CLIENT_A}")
    forged = _login(client, "right-password-1", peer=PROXY, forwarded_for=f"5.6.7.8, {CLIENT_A}")
    assert forged.status_code == 429


@override_settings(AXES_ENABLED=True, TRUSTED_PROXIES=["10.20.0.0/24"])
def test_an_untrusted_peer_cannot_choose_its_address_with_x_forwarded_for(client):
    User.objects.create_user("clerk", password="right-password-1")
    _fail_five_times(client, peer=CLIENT_A, forwarded_for="1.2.3.4")
    forged = _login(client, "right-password-1", peer=CLIENT_A, forwarded_for="5.6.7.8")
    assert forged.status_code == 429


@override_settings(AXES_ENABLED=True)
def test_without_trusted_proxies_x_forwarded_for_is_ignored(client):
    User.objects.create_user("clerk", password="right-password-1")
    _fail_five_times(client, peer=PROXY, forwarded_for=CLIENT_A)
    other = _login(client, "right-password-1", peer=PROXY, forwarded_for=CLIENT_B)
    assert other.status_code == 429
