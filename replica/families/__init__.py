"""CMS families the replica can be served as, besides the default ASP.NET office site.

Each module renders the same portal model (replica.model) with its own URL scheme, markup and
quirks, and defines ``route(server, method, target, headers, form) -> server.Response``.
``ReplicaServer(family="<module name>")`` serves it. Nothing here imports from ``crawler/``.
"""

FAMILIES = ("aspnet", "sharepoint", "liferay", "php", "modern")
