"""outagecheck: triage a Claude outage and fall back to the raw API."""

from __future__ import annotations

__version__ = "0.1.0"
