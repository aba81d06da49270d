"""The API contract in the OpenAPI document (issue 12): the problem codes of each operation, found in the
code by ``shared.contract.raises``; the headers; the catalogue of every code; and the check every test runs
(tests/contract_check.py). The walk of every operation is tests/gateway/test_contract_walk.py."""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from starlette.requests import Request

from gateway.docs.cache import proxy_problems
from services.projects.rules.eligibility import DEFAULTS, check_leader_age
from shared.concurrency import check_if_match
from shared.contract.catalogue import STATUS_ADVICE, entry
from shared.contract.document import behind_gateway, declared_codes
from shared.contract.raises import ProblemReader
from shared.errors import Conflict, Forbidden, NotFound, PreconditionFailed, PreconditionRequired
from shared.validators import parse_resident_id
from shared.workdays import today_shanghai
from shared.workflow import Workflow, transition
from tests import contract_check
from tests.problem_catalogue import DOC, catalogue, render, service_documents


@cache
def documents() -> dict[str, dict[str, Any]]:
    return service_documents()


def codes(service: str, method: str, path: str) -> dict[int, set[str]]:
    doc = documents()[service]
    return declared_codes(doc["paths"][path][method], doc)


def operation(service: str, method: str, path: str) -> dict[str, Any]:
    return documents()[service]["paths"][path][method]


# --- 1. problem codes per operation ------------------------------------------------------------------


def test_prj1_id2_submit_lists_the_codes_of_its_guards_under_their_status() -> None:
    """ID-2 / PRJ-1 / PRJ-5: the codes of the submit guards are in the document, under 422 and 409."""
    found = codes("projects", "post", "/api/v1/projects/applications/{application_id}/submit")
    assert {"leader_too_old", "budget_over_cap", "cofunding_too_low", "validation_failed"} <= found[422]
    assert {"limit_exceeded", "debarred", "invalid_transition", "call_closed"} <= found[409]
    assert {"not_found"} <= found[404] and {"forbidden"} <= found[403]
    assert {"precondition_failed"} <= found[412]
    response = operation("projects", "post", "/api/v1/projects/applications/{application_id}/submit")["responses"]
    text = str(response) + str(documents()["projects"]["components"].get("responses"))
    assert "项目负责人年龄超过限制 / The project leader is over the age limit" in text


def test_an_action_lists_its_own_guards_not_another_actions() -> None:
    found = codes("projects", "post", "/api/v1/projects/applications/{application_id}/endorse")
    assert "leader_too_old" not in found.get(422, set())
    assert "limit_exceeded" not in found.get(409, set())
    assert "invalid_transition" in found[409]


def test_wp7_permit_submit_lists_documents_incomplete_and_withdraw_does_not() -> None:
    """WP-7: documents are checked at submit, not on withdrawal."""
    submit = codes("foreign_experts", "post", "/api/v1/foreign-experts/permit-applications/{application_id}/submit")
    withdraw = codes("foreign_experts", "post", "/api/v1/foreign-experts/permit-applications/{application_id}/withdraw")
    assert "documents_incomplete" in {c for s in submit.values() for c in s}
    assert "documents_incomplete" not in {c for s in withdraw.values() for c in s}


def test_every_operation_declares_only_coded_problems() -> None:
    for name, doc in documents().items():
        for path, item in doc["paths"].items():
            for method, op in item.items():
                found = declared_codes(op, doc)
                assert found, f"{method} {path} of {name} declares no problem"
                assert all(found.values()), f"{method} {path}: a problem status without codes"
                assert "validation_failed" in found.get(422, {"validation_failed"})


# --- the reading of the code -------------------------------------------------------------------------


class _Thing:
    def __init__(self, flag: bool) -> None:
        self.flag = flag

    def check(self) -> None:
        raise Forbidden()


def _local_import() -> None:
    from shared.errors import Duplicate

    raise Duplicate()


def _catches() -> None:
    try:  # noqa: SIM105 (the reading is tested on this very shape)
        _raises_conflict()
    except NotFound:
        pass
    if isinstance(None, PreconditionFailed):
        return


def _raises_conflict() -> None:
    raise Conflict()


def _optional_etag() -> None:
    check_if_match("x", "k", 1, 1, required=False)


def _required_etag() -> None:
    check_if_match("x", "k", 1, 1)


def _closure() -> Any:
    thing = _Thing(True)

    def inner() -> None:
        thing.check()

    return inner


def _guarded(entity: Any, who: Any, context: Any) -> None:
    raise NotFound()


FLOW = Workflow("t", "a", [transition("go", "a", "b", ["x"], guards=[_guarded]), transition("stop", "a", "c", ["x"])])


def _act(action: str) -> None:
    FLOW.apply(None, None, None, action, None)  # type: ignore[arg-type]


def _go() -> None:
    _act("go")


def _stop() -> None:
    _act("stop")


KINDS: dict[str, type[Conflict]] = {"found": PreconditionFailed, "other": Forbidden}  # type: ignore[dict-item]


def _by_kind(kind: str) -> None:
    raise KINDS[kind]()


def _by_name() -> None:
    raise KINDS["found"]()


def _code_set(*functions: Any) -> set[str]:
    return {p.code for p in ProblemReader().problems(functions)[0]}


def test_the_reading_follows_closures_live_objects_and_local_imports() -> None:
    assert "forbidden" in _code_set(_closure())
    assert "duplicate" in _code_set(_local_import)


def test_the_reading_leaves_out_what_is_only_caught_or_tested() -> None:
    found = _code_set(_catches)
    assert "conflict" in found  # raised by what it calls
    assert "not_found" not in found and "precondition_failed" not in found


def test_a_constant_flag_prunes_its_branch() -> None:
    assert PreconditionRequired.code not in _code_set(_optional_etag)
    assert PreconditionRequired.code in _code_set(_required_etag)


def test_a_problem_looked_up_in_a_table_is_found() -> None:
    assert {"precondition_failed", "forbidden"} <= _code_set(_by_kind)
    assert _code_set(_by_name) == {"precondition_failed"}


def test_a_workflow_gives_the_guards_of_the_action_called() -> None:
    assert "not_found" in _code_set(_go)
    assert "not_found" not in _code_set(_stop)


# --- 2. headers --------------------------------------------------------------------------------------


def test_every_post_of_a_service_declares_idempotency_key() -> None:
    for name, doc in documents().items():
        for path, item in doc["paths"].items():
            if "post" in item:
                names = [p["name"] for p in item["post"].get("parameters", [])]
                assert "Idempotency-Key" in names, f"POST {path} of {name}"


def test_if_match_is_required_where_a_428_answers_and_etag_is_declared_where_set() -> None:
    patch = operation("projects", "patch", "/api/v1/projects/applications/{application_id}")
    if_match = next(p for p in patch["parameters"] if p["name"] == "If-Match")
    assert if_match["required"] is True
    assert "ETag" in patch["responses"]["200"]["headers"]
    submit = operation("projects", "post", "/api/v1/projects/applications/{application_id}/submit")
    assert next(p for p in submit["parameters"] if p["name"] == "If-Match")["required"] is False
    assert "Idempotent-Replayed" in submit["responses"]["200"]["headers"]
    read = operation("projects", "get", "/api/v1/projects/applications/{application_id}")
    assert "ETag" in read["responses"]["200"]["headers"]


def test_behind_the_gateway_every_call_has_rate_limits_and_the_gateways_problems() -> None:
    doc = behind_gateway(copy.deepcopy(documents()["projects"]), proxy_problems())
    op = doc["paths"]["/api/v1/projects/applications"]["get"]
    found = declared_codes(op, doc)
    assert "rate_limited" in found[429] and "service_unavailable" in found[503] and "upstream_timeout" in found[504]
    assert {"invalid_token", "token_expired", "invalid_api_key"} <= found[401]
    assert "invalid_internal_token" not in found[401]
    assert set(op["responses"]["200"]["headers"]) >= {"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"}
    shared = doc["components"]["responses"]
    too_many = op["responses"]["429"]
    too_many = shared[too_many["$ref"].rsplit("/", 1)[-1]] if "$ref" in too_many else too_many
    assert "Retry-After" in too_many["headers"]


# --- 1b. the catalogue --------------------------------------------------------------------------------


def test_the_catalogue_document_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == render(catalogue()), "stale: run `make openapi` and commit"


def test_every_code_of_the_catalogue_says_what_to_do() -> None:
    rows = catalogue()
    by_code = {e["code"]: (e, where) for e, where in rows}
    assert {"leader_too_old", "documents_incomplete", "limit_exceeded", "rate_limited"} <= set(by_code)
    assert "gateway" in by_code["rate_limited"][1]
    assert by_code["leader_too_old"][1] == ["projects"]
    for item, _ in rows:
        assert item["advice_zh"] and item["advice_en"] and item["title_zh"] and item["title_en"], item["code"]


def test_a_problem_class_may_give_its_own_advice() -> None:
    class Special(Conflict):
        code = "special_case_for_test"
        advice_zh = "换一个。"
        advice_en = "Pick another."

    assert (entry(Special).advice_zh, entry(Special).advice_en) == ("换一个。", "Pick another.")
    assert (entry(Conflict).advice_zh, entry(Conflict).advice_en) == STATUS_ADVICE[409]


# --- the check every test runs -------------------------------------------------------------------------


def _request(app: FastAPI, method: str, path: str) -> Request:
    return Request({"type": "http", "method": method, "path": path, "app": app, "headers": []})


def test_the_check_reports_a_code_the_operation_does_not_declare() -> None:
    router = APIRouter()

    @router.get("/things/{thing_id}")
    async def thing(thing_id: int) -> dict[str, int]:
        raise NotFound()

    app = FastAPI()
    app.include_router(router)
    contract_check.violations.clear()
    contract_check.check(_request(app, "GET", "/things/3"), NotFound())
    assert contract_check.violations == []
    contract_check.check(_request(app, "GET", "/things/3"), Conflict())
    assert contract_check.violations and "409 conflict" in contract_check.violations[0]
    contract_check.violations.clear()
    contract_check.check(_request(app, "GET", "/elsewhere"), Conflict())  # no operation: not checked
    assert contract_check.violations == []


# --- 13. the examples pass the rules ----------------------------------------------------------------------


def test_id2_the_documents_resident_id_example_is_within_the_leader_age_limit() -> None:
    """ID-2: an example ID number in the document must pass the age limit on submit (it was born 1949)."""
    examples: set[str] = set()

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            if "居民身份证" in str(node.get("description", "")) and node.get("examples"):
                examples.update(str(e) for e in node["examples"])
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(documents()["projects"])
    assert examples
    for number in examples:
        birth = parse_resident_id(number).birth_date
        check_leader_age(birth, today_shanghai(), DEFAULTS.leader_max_age)


def test_a_problem_raised_only_through_an_unfollowable_path_is_declared_with_problem_sources() -> None:
    def opaque(callback: Any) -> None:
        callback()

    def route() -> None:
        opaque(lambda: None)

    route.__problem_sources__ = (Forbidden,)  # type: ignore[attr-defined]
    assert "forbidden" in _code_set(route)


@pytest.mark.parametrize("status", sorted(STATUS_ADVICE))
def test_advice_exists_in_both_languages_for_each_status(status: int) -> None:
    zh, en = STATUS_ADVICE[status]
    assert zh and en and zh != en
