"""portal-archive: an archival crawler for Vietnamese provincial government portals."""

__version__ = "0.1.0"
