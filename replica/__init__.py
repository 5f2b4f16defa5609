"""A generated replica of a Vietnamese provincial office portal (Văn phòng UBND tỉnh).

Deterministic from a seed, served on 127.0.0.1 for tests, the demo and the benchmarks.
Standard library only; nothing here imports from ``crawler/``.
"""

from .model import Article, Attachment, Category, Image, Portal, build_portal
from .server import ReplicaServer

__all__ = ["Article", "Attachment", "Category", "Image", "Portal", "ReplicaServer", "build_portal"]
