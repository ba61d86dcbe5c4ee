"""REST endpoints of the parks app (mounted under /api/v1/)."""

from ninja import Router

router = Router(tags=["parks"])
