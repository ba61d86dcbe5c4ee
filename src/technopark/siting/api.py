"""REST endpoints of the siting app (mounted under /api/v1/)."""

from ninja import Router

router = Router(tags=["siting"])
