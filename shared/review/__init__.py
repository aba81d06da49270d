"""Pure review rules shared by the projects, foundation and awards reviews: NSF-3 conflicts of
interest (``conflicts``), reviewer assignment by min-cost flow (``assignment``, NSF-2), the
reproducible draw record with verify and slot replacement (``draw``), and score aggregation and
ranking (``aggregate``, NSF-4). No database, no HTTP."""
