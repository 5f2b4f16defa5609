"""Serve the replica portal until Ctrl-C: ``python -m replica [--port 0] [--seed N] ...``."""

from __future__ import annotations

import argparse
import sys
import time

from .families import FAMILIES
from .model import build_portal
from .server import ReplicaServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m replica", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="port of the main site (0 = free)")
    parser.add_argument("--seed", type=int, default=20210420)
    parser.add_argument("--articles", type=int, default=320, help="public articles (epoch 1)")
    parser.add_argument("--epoch", type=int, default=1, choices=[1, 2])
    parser.add_argument("--log", default=None, help="append one JSON line per request here")
    parser.add_argument("--family", default="aspnet", choices=FAMILIES, help="CMS family")
    parser.add_argument("--site-traps", action="store_true",
                        help="serve the traps real portals have (calendar, month archive, tags, "
                             "sort/filter listings, offset pager, a changing home page)")
    args = parser.parse_args(argv)

    portal = build_portal(seed=args.seed, n_articles=args.articles, epoch=args.epoch)
    server = ReplicaServer(portal, log_path=args.log, port=args.port, family=args.family,
                           site_traps=args.site_traps).start()
    print(f"Replica portal at {server.url}", flush=True)
    print(f"Off-site companion at {server.offsite_url}", flush=True)
    if args.family == "aspnet":
        print(f"Seed article: {server.url}{portal.seed_article.url_path}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
