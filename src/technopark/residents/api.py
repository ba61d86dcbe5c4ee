"""REST endpoints of the residents app (mounted under /api/v1/)."""

from ninja import Router

router = Router(tags=["residents"])
