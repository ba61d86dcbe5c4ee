"""Personal API tokens: create (shown once), revoke, and authenticate a bearer token.

A token is `tp_` followed by 40 URL-safe random characters. Only its SHA-256 digest is kept,
so a leaked database does not leak usable tokens; the first characters are kept in clear as
`prefix`, to let a user tell their tokens apart.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from technopark.core.models_tokens import ApiToken

TOKEN_PREFIX = "tp_"  # noqa: S105 - a marker, not a secret
PREFIX_LENGTH = 10
# Updating last_used on every request would make every API read a write; once a minute is enough.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def token_create(
    *, user: User, name: str, expires: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token for `user`; returns the stored row and the token, which is never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(30)
    token = ApiToken(
        user=user,
        name=name.strip()[:100] or "API token",
        prefix=raw[:PREFIX_LENGTH],
        key_hash=hash_token(raw),
        expires=expires,
    )
    with transaction.atomic():
        token.full_clean()
        token.save()
    return token, raw


def token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke `token` (idempotent); a revoked token never authenticates again."""
    if token.revoked is None:
        token.revoked = timezone.now()
        token.save(update_fields=["revoked"])
    return token


def user_tokens(user: User) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user).order_by("-created"))


def authenticate_token(raw: str) -> User | None:
    """The active user a token belongs to, or None for an unknown, revoked or expired token."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(raw)).first()
    if token is None or not token.is_active or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used is None or now - token.last_used > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
    return token.user
