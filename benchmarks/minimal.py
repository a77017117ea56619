"""The stack alone doing a status row's work: the yardstick of what outagecheck adds (benchmarks/run.py).

    python benchmarks/minimal.py CONFIG.toml [--table]

Reads the benchmark's config (tomllib), loads the CA store as any verifying client must (certifi's
bundle, as httpx and outagecheck do), GETs the URLs `status --json` fetches (the benchmark's five with
`ANTHROPIC_API_KEY` set, four without, then each custom surface) concurrently on one httpx.AsyncClient
under asyncio, and prints a JSON document of what came back (or, with --table, a rich table of it), then
leaves without interpreter teardown (os._exit), as outagecheck does. No classification, no sanitising, no
notes: nothing a user could trust, only the cost of the libraries doing the same requests and output. The
floor rows measure importing the libraries; this measures using them.
"""

from __future__ import annotations

import sys

sys.modules["httpx._main"] = None  # type: ignore[assignment]  # as outagecheck does (checks/run.py)

import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import ssl  # noqa: E402
import tomllib  # noqa: E402
from typing import Any  # noqa: E402

import certifi  # noqa: E402
import httpx  # noqa: E402

KEY_HEADER = "x-api-key"


def urls(config: dict[str, dict[str, Any]], keyed: bool) -> list[str]:
    """The URLs of benchmarks/run.py's PATHS from the config's endpoints (the keyed check's only with a key),
    then each custom surface's, as `status` fetches them."""
    endpoints = config["endpoints"]
    found = [
        endpoints["claude_ai"] + "/",
        endpoints["platform"] + "/v1/oauth/hello",
        endpoints["api"] + "/api/hello",
        *([endpoints["api"] + "/v1/models?limit=1"] if keyed else []),
        endpoints["status_page"] + "/api/v2/summary.json",
    ]
    return found + [surface["url"] for surface in config.get("surfaces", {}).values()]


async def fetch(targets: list[str], context: ssl.SSLContext, key: str) -> list[dict[str, object]]:
    async with httpx.AsyncClient(verify=context, timeout=10) as client:
        # The key goes to the keyed check's URL alone, as outagecheck sends it.
        keyed = [{KEY_HEADER: key} if "/v1/models" in url else {} for url in targets]
        answers = await asyncio.gather(*(client.get(url, headers=h) for url, h in zip(targets, keyed, strict=True)))
    pairs = zip(targets, answers, strict=True)
    return [{"url": url, "status": r.status_code, "body": r.text[:200]} for url, r in pairs]


def table(rows: list[dict[str, object]]) -> None:
    from rich.console import Console  # noqa: PLC0415  # the table case only, as the floor with rich
    from rich.table import Table  # noqa: PLC0415

    out = Table("URL", "Status", "Body")
    for row in rows:
        out.add_row(str(row["url"]), str(row["status"]), str(row["body"])[:40])
    Console(emoji=False).print(out)


def main() -> None:
    with open(sys.argv[1], "rb") as f:
        config = tomllib.load(f)
    context = ssl.create_default_context(cafile=certifi.where())
    key = os.environ.get("ANTHROPIC_API_KEY", "")
    rows = asyncio.run(fetch(urls(config, bool(key)), context, key))
    if "--table" in sys.argv[2:]:
        table(rows)
    else:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
