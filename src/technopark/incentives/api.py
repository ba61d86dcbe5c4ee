"""REST endpoints of the incentives app (mounted under /api/v1/)."""

from ninja import Router

router = Router(tags=["incentives"])
