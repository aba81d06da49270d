"""Pure rules of the Foreign Experts Bureau (外国专家局): no I/O, no database, no HTTP.

* ``parameters``   the configurable figures of a year (WP-1, WP-2, WP-4, WP-5, WP-6, WP-7) as data
* ``facts``        what an employer states about the foreigner and the post (the input of WP-1..WP-3)
* ``points``       WP-1 计点积分, a table per factor, every factor explained
* ``conditions``   WP-3 the basic conditions of class B (age waiver, language-teacher path)
* ``classes``      WP-2 the A/B/C classification with every route that qualified, C approvability
* ``deadlines``    WP-4 the decision deadline in working days (CAL-1), pauses for documents (补正)
* ``validity``     WP-5 valid-until and the passport check, WP-6 notice and residence-permit dates
* ``documents``    WP-7 the checklist as data and what is missing or invalid
* ``permit_number`` WP-8 the lifelong 18-digit number with its ISO 7064 MOD 11-10 check digit
* ``labels``       zh/en labels of every enum
* ``problems``     the refusals as ``AppError`` subclasses with stable codes
* ``workflows``    state machines as data (kept by the persistence side)
"""
