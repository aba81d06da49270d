"""Pure rules of the talent service: plain functions and data over plain values, no database, no web
framework (import contract "rules are pure"). Each guard raises a problem of ``services.talent.errors``
whose detail names its clause; every figure DOMAIN marks **configurable** is a dataclass default, documented
where it is declared and overridden per programme or per cycle with ``dataclasses.replace``.

* ``indicators``: TAL-1 the indicator system under the four dimensions, an expert's weighted score and
  the aggregate over experts (``shared.review``);
* ``evidence``: TAL-1 representative works (代表作);
* ``exclusivity``: TAL-2 one programme of a level at a time, national titles included;
* ``tenure``: TAL-3 tenure, tranches, annual assessment and its consequences, the final evaluation;
* ``age``: TAL-4 age limits per programme by sex, from the ID number (ID-2);
* ``programmes``: a programme's figures in one place (TAL-1, TAL-3, TAL-4, TAL-5);
* ``notices``: TAL-5 and AW-3 notice periods and objections (``shared.notices.rules``);
* ``awards``: AW-1 categories, cycles, grades, quotas and committee votes as data;
* ``nominations``: AW-2 nominators and the year's nominations;
* ``workflows``: the state machines of programmes and calls as data.
"""
