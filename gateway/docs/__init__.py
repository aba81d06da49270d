"""One OpenAPI 3.1 document for the whole platform, and Swagger UI / ReDoc served from local assets.

``GET /openapi.json`` merges the gateway's own operations (auth, admin) with each service's
``/openapi.json``, fetched through the upstream client and cached. Component names are made unique
per source (``projects__ApplicationRead``); a component defined identically by every source that
defines it (``Problem``) keeps its plain name. A service that does not answer is left out, named in
``x-kjt-missing`` and ``info.description``, and retried soon: the merge never fails the request.

The HTML pages use relative URLs only (``openapi.json``, ``docs/static/...``), so they work behind
any path prefix, and load nothing from another origin: no CDN, no web fonts, no validator badge.
"""

from gateway.docs.cache import OpenAPICache
from gateway.docs.merge import merge_documents
from gateway.docs.pages import DOCS_HTML_PATHS, docs_router

__all__ = ["DOCS_HTML_PATHS", "OpenAPICache", "docs_router", "merge_documents"]
