"""Routes: the ways this machine can reach Claude (API, Bedrock, Vertex, Foundry, gateways), as data.

Shared by the config parser (routes/config.py), the reader of the route Claude Code uses now
(routes/current.py) and the free probes (routes/check.py and the per-provider modules).
"""

from __future__ import annotations

# The route types live in the kernel (surfaces.py) since a Report carries route results; this is their
# name inside routes/, where every module and test imports them from.
from outagecheck.surfaces import (
    CLOUD_KINDS,
    MODEL_ROLES,
    SWITCHES,
    Blocker,
    Kind,
    Route,
    RouteResult,
)

__all__ = ["CLOUD_KINDS", "MODEL_ROLES", "SWITCHES", "Blocker", "Kind", "Route", "RouteResult"]
