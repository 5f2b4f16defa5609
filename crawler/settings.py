"""Scrapy settings for portal-archive, and the defaults of every ``ARCHIVE_*`` setting.

The defaults are polite: robots.txt is obeyed, AutoThrottle is on, one request at a time per
host after a one-second delay, and the User-Agent names the project. Tests and benchmarks lift
the delays against loopback replicas with ``-s DOWNLOAD_DELAY=0 -s AUTOTHROTTLE_ENABLED=False``.

Project settings (all read through ``crawler.settings.get``-style lookups on Scrapy's settings):

``ARCHIVE_DB``               path of the SQLite archive (``archive.db``)
``ARCHIVE_CONTACT``          contact (URL or e-mail) put in the User-Agent
``ARCHIVE_SITE``             site profile name; empty means "pick by start URL"
``ARCHIVE_BATCH_SIZE``       results written per transaction (50)
``ARCHIVE_BATCH_SECONDS``    longest a result waits in memory before it is written (2.0)
``ARCHIVE_FOLLOW_LISTINGS``  follow home, menu and pager links (True); False follows only
                             the "Các tin đã đăng" chains from the start URLs
``ARCHIVE_REFRESH``          fetch archived articles again to check them for changes (False)
``ARCHIVE_REFRESH_SINCE``    with refresh: only articles published on or after this ISO date
``ARCHIVE_REFRESH_DAYS``     with refresh: only articles published in the last N days (0: all)
``ARCHIVE_KNOWN_RUN``        a listing stops paging after this many archived articles in a row
``ARCHIVE_MIN_BODY_RATIO``   a re-fetched article whose body shrank below this share of the
                             archived body is a problem, not a new version (0.5)
``ARCHIVE_TRAP_*``           crawl-trap limits (see crawler/traps.py)
``ARCHIVE_TEMPLATE_BUDGET``  pages of one URL template in a row without a new article after
                             which the template is cut for the run (10; crawler/templates.py)
``ARCHIVE_TEMPLATE_BUDGET_DATED``  the same for date-navigated templates: calendars (3)
``ARCHIVE_TEMPLATE_CUT_DAYS`` days a template found dead is skipped by later runs (30)
``ARCHIVE_LAYOUT_FALLBACK``  switch to the generic fallback when the profile's layout finds
                             no article and no link to one on the start pages (True)
``ARCHIVE_MAX_PAGES``        the hard cap on a run's pages (not articles or files): this many
``ARCHIVE_MAX_PAGES_PER_ARTICLE``  plus this many per article found (500 + 5 an article); a
                             run that reaches it ends degraded
``ARCHIVE_RETRY_AFTER_MAX``  longest wait a ``Retry-After`` header is obeyed for (60 s)
``ARCHIVE_CRAWL_DELAY_MAX``  longest robots.txt ``Crawl-delay`` obeyed (300 s)
``ARCHIVE_BREAKAGE_*``       when a crawl is marked degraded (see crawler/breakage.py)
``ARCHIVE_MAX_FAILURE_ATTEMPTS``  stop retrying a failed URL after this many runs (5)
``ARCHIVE_PROGRESS``         "auto" (status line on a terminal, a log line a minute otherwise),
                             "tty", "log" or "off"
``ARCHIVE_PROGRESS_INTERVAL`` seconds between plain progress lines (60)
``ARCHIVE_EXTRACT_WORKERS``  processes that parse pages beside the crawl's reactor thread:
                             a number, or "auto" (1 when politeness delays are off and the
                             machine has 2+ cores, else 0: parsing in the crawl's thread)
``ARCHIVE_WARC``             write every capture as WARC/1.1 records in ``<archive>/warc/`` (True)
``ARCHIVE_WARC_MAX_BYTES``   start a new WARC file past this size (1 GB)
``ARCHIVE_DB_BODIES``        keep capture bodies in archive.db too, for a portable single file
                             (True); when off, bodies are read back from the WARC records
``ARCHIVE_FILES``            download the photos and attachments of articles (True)
``ARCHIVE_FILES_MAX_BYTES``  larger downloads are cut and recorded as failures (50 MB)
``ARCHIVE_FILES_TYPES``      MIME patterns of downloads kept (images, PDF, office documents,
                             archives); application/octet-stream is kept for document URLs
``ARCHIVE_QUEUE``            worker mode: the queue's key prefix in Redis (``portal-archive``)
``ARCHIVE_WORKER_SITES``     worker mode: sites a worker holds at once (8)
``ARCHIVE_WORKER_HEARTBEAT`` worker mode: seconds between heartbeats (5.0)
``ARCHIVE_WORKER_TIMEOUT``   worker mode: seconds without a heartbeat before a worker's
                             requests go back to the queue and its sites to others (30.0)
``ARCHIVE_WORKER_EXIT_WHEN_IDLE``  worker mode: stop when the queue has no work left (False)
``ARCHIVE_KNOWN_DB``         worker mode: the merged archive of earlier rounds, whose articles
                             count as archived (empty: only the worker's own shard)
"""

from __future__ import annotations

from crawler import __version__

BOT_NAME = "portal-archive"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# --- portal-archive's own settings -------------------------------------------------------------
ARCHIVE_DB = "archive.db"
ARCHIVE_CONTACT = "set ARCHIVE_CONTACT to an e-mail or URL"
ARCHIVE_SITE = ""
ARCHIVE_BATCH_SIZE = 50
ARCHIVE_BATCH_SECONDS = 2.0
ARCHIVE_FOLLOW_LISTINGS = True
ARCHIVE_REFRESH = False
ARCHIVE_REFRESH_SINCE = ""
ARCHIVE_REFRESH_DAYS = 0
ARCHIVE_KNOWN_RUN = 10
ARCHIVE_MIN_BODY_RATIO = 0.5
ARCHIVE_TRAP_MAX_URL = 1024
ARCHIVE_TRAP_MAX_REPEATS = 2
ARCHIVE_TRAP_MAX_DEPTH = 15
ARCHIVE_TRAP_FUTURE_DAYS = 7
ARCHIVE_TRAP_EARLIEST = "1990-01-01"
ARCHIVE_TEMPLATE_BUDGET = 10
ARCHIVE_TEMPLATE_BUDGET_DATED = 3
ARCHIVE_TEMPLATE_CUT_DAYS = 30
ARCHIVE_MAX_PAGES = 500
ARCHIVE_LAYOUT_FALLBACK = True
ARCHIVE_MAX_PAGES_PER_ARTICLE = 5.0
ARCHIVE_RETRY_AFTER_MAX = 60.0
ARCHIVE_CRAWL_DELAY_MAX = 300.0
ARCHIVE_BREAKAGE_MIN_HISTORY = 20
ARCHIVE_BREAKAGE_MIN_SAMPLE = 5
ARCHIVE_BREAKAGE_DROP = 0.5
ARCHIVE_BREAKAGE_BODY_RATIO = 0.2
ARCHIVE_MAX_FAILURE_ATTEMPTS = 5
ARCHIVE_PROGRESS = "auto"
ARCHIVE_PROGRESS_INTERVAL = 60.0
ARCHIVE_EXTRACT_WORKERS = "auto"
ARCHIVE_WARC = True
ARCHIVE_WARC_MAX_BYTES = 1_000_000_000
ARCHIVE_DB_BODIES = True
ARCHIVE_FILES = True
ARCHIVE_FILES_MAX_BYTES = 50 * 1024 * 1024
ARCHIVE_FILES_TYPES = [
    "image/*", "application/pdf", "application/msword", "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint", "application/vnd.openxmlformats-officedocument.*",
    "application/vnd.oasis.opendocument.*", "application/zip", "application/x-rar-compressed",
    "application/vnd.rar",
]
ARCHIVE_QUEUE = "portal-archive"
ARCHIVE_WORKER_SITES = 8
ARCHIVE_WORKER_HEARTBEAT = 5.0
ARCHIVE_WORKER_TIMEOUT = 30.0
ARCHIVE_WORKER_EXIT_WHEN_IDLE = False
ARCHIVE_KNOWN_DB = ""

# --- politeness ---------------------------------------------------------------------------------
USER_AGENT = f"portal-archive/{__version__} (archival crawler; +{{contact}})"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
#: A URL given up on is one warning of the archive pipeline ("failed URL: reason", the reason
#: recorded in ``failures``); Scrapy's own "Gave up retrying" line shows with -v only.
RETRY_GIVE_UP_LOG_LEVEL = "INFO"
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REDIRECT_MAX_TIMES = 5
#: Scrapy starts this many asyncio tasks for the output of every callback (2.19,
#: ``_parallel_asyncio``); a page yields one result and a few requests, and 100 tasks a page
#: cost more than the rest of the spider's navigation.
CONCURRENT_ITEMS = 4

# --- components ---------------------------------------------------------------------------------
#: Requests of one priority wait first in, first out (breadth first). Scrapy's default, last in
#: first out, follows "Các tin đã đăng" chains deep into a portal's history and leaves the rest
#: of every related list waiting, so the queue grew with the portal: 1,946 requests at its
#: longest at 20,000 articles, 5,043 at 100,000. First in, first out it stays near 100.
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
ITEM_PIPELINES = {"crawler.pipelines.ArchivePipeline": 300}
#: Scrapy's duplicate filter in 8 bytes a request instead of about 125 (crawler/dupefilter.py).
DUPEFILTER_CLASS = "crawler.dupefilter.CompactDupeFilter"
EXTENSIONS = {"crawler.runs.RunRecorder": 100, "crawler.middlewares.CrawlDelay": 200,
              "crawler.progress.Progress": 500}
DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.OffsiteGuard": 60,
    "crawler.budget.PageBudgetGuard": 70,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.RobotsTxt": 100,
    "crawler.middlewares.ContactUserAgent": 400,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.RetryAfter": 550,
    "crawler.middlewares.MovedPortal": 560,
}

LOG_LEVEL = "INFO"
LOG_INSTALL_ROOT_HANDLER = True
#: Scrapy checks each callback for a generator that also returns a value by reading its source
#: with ``ast``, on every response, because its cache is keyed by the bound method, a new object
#: each time: 5% of the reactor thread's CPU. The spiders' callbacks never return values.
WARN_ON_GENERATOR_RETURN_VALUE = False
FEED_EXPORT_ENCODING = "utf-8"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
