"""API keys for scripts: ``Authorization: Token <key>``, stored only as a digest.

django-rest-knox keeps a SHA-512 digest of each key and the key's first 15 characters
(an index to find the row; 49 random hex characters, ~196 bits, stay secret), and compares
digests in constant time. Chosen over DRF's ``authtoken`` behind a hashing model of our own
because knox already does what such a model would have to grow: several keys per account
(one per script, revoked one by one), an expiry per key, deletion of expired keys on use,
and a drf-spectacular security scheme; it is maintained under Jazzband and small enough to
read. A plain hash suffices here (no slow password hash): a key is 256 random bits, not a
guessable password. Nobody, the administrator included, can read a key back: it is printed
once by ``manage.py issue_token``.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication
from knox.models import AuthToken
from rest_framework.exceptions import AuthenticationFailed

from gis_portal.demo_accounts import DEMO_ACCOUNT_REFUSED, demo_accounts_refused, demo_user_is
from gis_portal.models import ApiKeyScope

KEY_REFUSED = "认证令牌无效、已过期或已吊销"

# What a key may be issued for beyond its account's role (``issue_token --scope``), with
# what each grants. A key holds scopes only when issued with them (gis_portal.models.ApiKeyScope).
SCOPES = {
    "ogc:read": "经 OGC API 读取账户可读的内部图层（界线、界桩等）",
}
OGC_READ = "ogc:read"


def key_scopes(auth) -> frozenset[str]:
    """Return the scopes of the API key a request was authenticated with (``request.auth``):
    none for an anonymous or session request, or a key issued without scopes."""
    if not isinstance(auth, AuthToken):
        return frozenset()
    row = ApiKeyScope.objects.filter(token_id=auth.pk).values_list("scopes", flat=True).first()
    return frozenset(row.split()) if row else frozenset()


class ApiKeyAuthentication(TokenAuthentication):
    """knox's key check, refusing in Chinese without saying which check failed; outside
    development the keys of demo accounts are refused too (gis_portal.demo_accounts)."""

    def authenticate(self, request):
        try:
            result = super().authenticate(request)
        except AuthenticationFailed:
            raise AuthenticationFailed(KEY_REFUSED) from None
        if result is not None and demo_accounts_refused() and demo_user_is(result[0]):
            raise AuthenticationFailed(DEMO_ACCOUNT_REFUSED)
        return result


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """The OpenAPI security scheme of ``ApiKeyAuthentication`` (knox's, for the subclass)."""

    target_class = ApiKeyAuthentication
    name = "tokenAuth"  # the name DRF's token scheme had: the API docs read as before

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=self.target.authenticate_header(None)
        )
