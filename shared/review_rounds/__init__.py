"""Review rounds as shared machinery (NSF-2 to NSF-4): the tables (``models``), the use cases
(``service.ReviewRounds``), the routes (``router.review_router``) and what a service plugs in
(``scope.RoundScope``, ``scope.RoundDefaults``). The pure rules they apply are ``shared.review``."""
