"""Public notices (公示) with real-name objections as shared machinery: the pure rules (``rules``), the
tables (``models``), the use cases (``service.PublicNotices``), the routes (``router.notice_router``)
and what a service plugs in (``scope.NoticeScope``)."""
