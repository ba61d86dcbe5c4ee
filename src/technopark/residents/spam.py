"""Spam protection of the public inquiry form, with no third-party service:

* a honeypot field (``website``) hidden from people — a bot that fills it is told "thank you"
  and nothing is stored;
* a minimum fill time — the form carries a signed timestamp (``started``); a form sent back
  sooner than ``TECHNOPARK_INQUIRY_MIN_SECONDS`` (default 3 s) or with a forged or day-old
  stamp is refused;
* a per-IP rate limit — at most ``TECHNOPARK_INQUIRY_RATE_PER_HOUR`` (default 5) inquiries per
  client address per hour, counted in Django's cache (use Redis in production so that every app
  server shares the count). The address is ``REMOTE_ADDR``: behind a proxy, have the proxy set it.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest

SALT = "technopark.residents.inquiry-form"
MAX_AGE_SECONDS = 24 * 3600


def min_seconds() -> float:
    return float(getattr(settings, "TECHNOPARK_INQUIRY_MIN_SECONDS", 3))


def rate_per_hour() -> int:
    return int(getattr(settings, "TECHNOPARK_INQUIRY_RATE_PER_HOUR", 5))


def form_token(now: float | None = None) -> str:
    """A signed stamp of when the form was shown."""
    return signing.Signer(salt=SALT).sign(f"{(time.time() if now is None else now):.3f}")


def token_age(token: str, now: float | None = None) -> float | None:
    """Seconds since the stamp was made, or None when it is missing or forged."""
    try:
        started = float(signing.Signer(salt=SALT).unsign(token or ""))
    except (signing.BadSignature, ValueError):
        return None
    return (time.time() if now is None else now) - started


def token_ok(token: str) -> bool:
    age = token_age(token)
    return age is not None and min_seconds() <= age <= MAX_AGE_SECONDS


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def rate_limited(ip: str | None) -> bool:
    """Count one attempt from ``ip``; True when it is over the hourly limit."""
    key = f"residents:inquiry-rate:{ip or 'unknown'}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    return count > rate_per_hour()
