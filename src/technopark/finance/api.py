"""REST endpoints of the finance app (mounted under /api/v1/)."""

from ninja import Router

router = Router(tags=["finance"])
