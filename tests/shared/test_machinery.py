"""The shared machinery through a sample service: idempotency, If-Match, workflow, pagination,
audit chain, problem+json errors and hostile input."""

from __future__ import annotations

import asyncio

from sqlalchemy import update

from shared import audit
from tests.conftest import principal_headers, running
from tests.shared import sample_app

ALICE = principal_headers("applicant", subject="alice")
BOB = principal_headers("applicant", subject="bob")
OFFICIAL = principal_headers("official", subject="zhang")
P = "/api/v1/sample"


async def test_idempotent_replay_creates_nothing_new(sample_db) -> None:
    async with running(sample_app.create_app(sample_db)) as c:
        headers = {**ALICE, "Idempotency-Key": "create-note-1"}
        first = await c.post(f"{P}/notes", json={"title": "长白山", "amount": "100.50"}, headers=headers)
        again = await c.post(f"{P}/notes", json={"title": "长白山", "amount": "100.50"}, headers=headers)
        assert first.status_code == again.status_code == 201
        assert again.json() == first.json()
        assert again.headers["idempotent-replayed"] == "true"
        assert again.headers["etag"] == first.headers["etag"]
        listed = (await c.get(f"{P}/notes", headers=ALICE)).json()["items"]
        assert len(listed) == 1

        other = await c.post(f"{P}/notes", json={"title": "松花江", "amount": "1"}, headers=headers)
        assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"

        # keys are per caller: Bob's same key is a new request
        bob = await c.post(
            f"{P}/notes",
            json={"title": "长白山", "amount": "100.50"},
            headers={**BOB, "Idempotency-Key": "create-note-1"},
        )
        assert bob.status_code == 201 and bob.json()["id"] != first.json()["id"]

        bad_key = await c.post(
            f"{P}/notes", json={"title": "x", "amount": "1"}, headers={**ALICE, "Idempotency-Key": "has spaces in it"}
        )
        assert bad_key.status_code == 400


async def test_idempotent_responses_are_sealed_at_rest_when_the_service_asks(sample_db) -> None:
    """A service that keeps personal information encrypted sets ``idempotency_sealer``: the stored copy of
    the answer is sealed, the replay is the answer as given; under another key it starts afresh."""
    from sqlalchemy import select

    from shared.pii import FieldCipher

    app = sample_app.create_app(sample_db)
    app.state.idempotency_sealer = FieldCipher("a" * 40)
    async with running(app) as c:
        headers = {**ALICE, "Idempotency-Key": "sealed-1"}
        body = {"title": "护照 E7654321", "amount": "1"}
        first = await c.post(f"{P}/notes", json=body, headers=headers)
        again = await c.post(f"{P}/notes", json=body, headers=headers)
        assert again.headers["idempotent-replayed"] == "true" and again.json() == first.json()
        async with sample_db.sessionmaker() as session:
            stored = (await session.execute(select(sample_app.common.idempotency.response_body))).scalar_one()
        assert stored.startswith(b"sealed:") and b"E7654321" not in stored
        app.state.idempotency_sealer = FieldCipher("b" * 40)  # the key was changed: the copy cannot be opened
        fresh = await c.post(f"{P}/notes", json=body, headers=headers)
        assert fresh.status_code == 201 and "idempotent-replayed" not in fresh.headers
        assert fresh.json()["id"] != first.json()["id"]


async def test_idempotency_does_not_keep_a_failed_validation_retry(sample_db) -> None:
    async with running(sample_app.create_app(sample_db)) as c:
        headers = {**ALICE, "Idempotency-Key": "k-422"}
        bad = await c.post(f"{P}/notes", json={"title": "", "amount": "1"}, headers=headers)
        assert bad.status_code == 422
        # the same bad body replays the same answer; nothing was created
        assert (await c.post(f"{P}/notes", json={"title": "", "amount": "1"}, headers=headers)).status_code == 422
        assert (await c.get(f"{P}/notes", headers=ALICE)).json()["items"] == []


async def test_idempotency_concurrent_same_key_creates_one(sample_committed_db) -> None:
    async with running(sample_app.create_app(sample_committed_db)) as c:
        headers = {**ALICE, "Idempotency-Key": "race"}
        body = {"title": "并发", "amount": "5"}
        results = await asyncio.gather(*[c.post(f"{P}/notes", json=body, headers=headers) for _ in range(5)])
        statuses = sorted(r.status_code for r in results)
        assert statuses.count(201) >= 1 and set(statuses) <= {201, 409}
        ids = {r.json()["id"] for r in results if r.status_code == 201}
        assert len(ids) == 1
        assert len((await c.get(f"{P}/notes", headers=ALICE)).json()["items"]) == 1


async def test_if_match_412_when_stale_and_428_when_missing(sample_db) -> None:
    async with running(sample_app.create_app(sample_db)) as c:
        created = await c.post(f"{P}/notes", json={"title": "图们江", "amount": "1"}, headers=ALICE)
        note_id, etag = created.json()["id"], created.headers["etag"]

        missing = await c.patch(f"{P}/notes/{note_id}", json={"title": "新"}, headers=ALICE)
        assert missing.status_code == 428 and missing.json()["code"] == "precondition_required"

        ok = await c.patch(f"{P}/notes/{note_id}", json={"title": "新"}, headers={**ALICE, "If-Match": etag})
        assert ok.status_code == 200 and ok.json()["version"] == 2
        assert ok.headers["etag"] != etag

        stale = await c.patch(f"{P}/notes/{note_id}", json={"title": "旧"}, headers={**ALICE, "If-Match": etag})
        assert stale.status_code == 412 and stale.json()["code"] == "precondition_failed"
        assert stale.json()["current_etag"] == ok.headers["etag"]
        assert (await c.get(f"{P}/notes/{note_id}", headers=ALICE)).json()["title"] == "新"


async def test_workflow_moves_write_history_and_illegal_moves_list_allowed_actions(sample_db) -> None:
    async with running(sample_app.create_app(sample_db)) as c:
        note = (await c.post(f"{P}/notes", json={"title": "查干湖", "amount": "1"}, headers=ALICE)).json()
        url = f"{P}/notes/{note['id']}"

        illegal = await c.post(f"{url}/publish", headers=OFFICIAL)
        assert illegal.status_code == 409
        problem = illegal.json()
        assert problem["code"] == "invalid_transition" and problem["state"] == "draft"
        assert problem["allowed_actions"] == []  # an official can do nothing on a draft

        own_illegal = await c.post(f"{url}/publish", headers=ALICE)
        assert own_illegal.status_code == 409 and own_illegal.json()["allowed_actions"] == ["submit", "withdraw"]

        submitted = await c.post(f"{url}/submit", headers=ALICE)
        assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"

        forbidden = await c.post(f"{url}/publish", headers=ALICE)
        assert forbidden.status_code == 403

        no_comment = await c.post(f"{url}/return", headers=OFFICIAL, json={})
        assert no_comment.status_code == 422 and no_comment.json()["errors"][0]["field"] == "comment"

        returned = await c.post(f"{url}/return", headers=OFFICIAL, json={"comment": "请补充预算说明"})
        assert returned.json()["status"] == "draft"

        history = (await c.get(f"{url}/history", headers=ALICE)).json()
        assert [(h["action"], h["from_state"], h["to_state"]) for h in history] == [
            ("create", None, "draft"),
            ("submit", "draft", "submitted"),
            ("return", "submitted", "draft"),
        ]
        assert history[2]["comment"] == "请补充预算说明" and history[2]["actor_role"] == "official"


async def test_workflow_guard_failure_changes_nothing(sample_db) -> None:
    async with running(sample_app.create_app(sample_db)) as c:
        note = (await c.post(f"{P}/notes", json={"title": "机密项目", "amount": "1"}, headers=ALICE)).json()
        url = f"{P}/notes/{note['id']}"
        await c.post(f"{url}/submit", headers=ALICE)
        refused = await c.post(f"{url}/publish", headers=OFFICIAL)
        assert refused.status_code == 409 and refused.json()["code"] == "conflict"
        assert (await c.get(url, headers=ALICE)).json()["status"] == "submitted"
        assert len((await c.get(f"{url}/history", headers=ALICE)).json()) == 2


async def test_other_peoples_records_are_404(sample_db) -> None:
    async with running(sample_app.create_app(sample_db)) as c:
        note = (await c.post(f"{P}/notes", json={"title": "私有", "amount": "1"}, headers=ALICE)).json()
        assert (await c.get(f"{P}/notes/{note['id']}", headers=BOB)).status_code == 404
        assert (await c.get(f"{P}/notes/999999", headers=BOB)).status_code == 404
        assert (await c.get(f"{P}/notes", headers=BOB)).json()["items"] == []


async def test_cursor_pagination_walks_every_row_once(sample_db) -> None:
    async with running(sample_app.create_app(sample_db)) as c:
        titles = [f"项目{i:02d}" for i in range(7)]
        for t in titles:
            await c.post(f"{P}/notes", json={"title": t, "amount": "1"}, headers=ALICE)
        for sort, expected in (("title", titles), ("-title", titles[::-1]), (None, titles[::-1])):
            seen, cursor = [], None
            while True:
                params = {"limit": 3, **({"sort": sort} if sort else {}), **({"cursor": cursor} if cursor else {})}
                page = (await c.get(f"{P}/notes", params=params, headers=ALICE)).json()
                seen += [n["title"] for n in page["items"]]
                cursor = page["next_cursor"]
                if not cursor:
                    break
            assert seen == expected, sort
        bad = await c.get(f"{P}/notes", params={"cursor": "!!!"}, headers=ALICE)
        assert bad.status_code == 422 and bad.json()["errors"][0]["code"] == "invalid_cursor"
        from shared.pagination import encode_cursor

        for forged in (
            encode_cursor(["x"]),
            encode_cursor([True]),
            encode_cursor([2**70]),
            encode_cursor([1, "title"]),
        ):
            r = await c.get(f"{P}/notes", params={"cursor": forged}, headers=ALICE)
            assert r.status_code == 422, (forged, r.text)
        forged_pair = encode_cursor([5, 5])  # sorted by title, the key must be text
        r = await c.get(f"{P}/notes", params={"cursor": forged_pair, "sort": "title"}, headers=ALICE)
        assert r.status_code == 422
        bad_sort = await c.get(f"{P}/notes", params={"sort": "owner"}, headers=ALICE)
        assert bad_sort.status_code == 422
        too_many = await c.get(f"{P}/notes", params={"limit": 101}, headers=ALICE)
        assert too_many.status_code == 422


async def test_audit_chain_detects_a_changed_row(sample_db) -> None:
    async with running(sample_app.create_app(sample_db)) as c:
        for t in ("一", "二", "三"):
            await c.post(f"{P}/notes", json={"title": t, "amount": "1"}, headers=ALICE)
    async with sample_db.sessionmaker() as session:
        report = await audit.verify(session, sample_app.common)
        assert report.valid and report.entries == 3
        rows = (await session.execute(sample_app.common.audit.__table__.select())).all()
        target = rows[1].id
        await session.execute(
            update(sample_app.common.audit).where(sample_app.common.audit.id == target).values(data={"title": "改"})
        )
        report = await audit.verify(session, sample_app.common)
        assert not report.valid and report.first_broken_id == target and report.entries == 1


async def test_audit_chain_detects_a_removed_row(sample_db) -> None:
    async with sample_db.sessionmaker() as session:
        for i in range(3):
            await audit.append(session, sample_app.common, "user:1", "act", "thing", i, {"i": i})
        model = sample_app.common.audit
        rows = (await session.execute(model.__table__.select().order_by(model.id))).all()
        await session.execute(model.__table__.delete().where(model.id == rows[1].id))
        report = await audit.verify(session, sample_app.common)
        assert not report.valid and report.first_broken_id == rows[2].id


async def test_problem_language_and_no_internal_detail(sample_db) -> None:
    async with running(sample_app.create_app(sample_db)) as c:
        zh = await c.get(f"{P}/notes/1", headers=ALICE)
        en = await c.get(f"{P}/notes/1", headers={**ALICE, "Accept-Language": "en-GB,en;q=0.9"})
        assert zh.json()["title"] == "资源不存在" and en.json()["title"] == "Not found"
        assert zh.json()["status"] == 404 and zh.json()["instance"] == f"{P}/notes/1"
        boom = await c.get(f"{P}/boom", headers=ALICE)
        assert boom.status_code == 500 and boom.json()["code"] == "internal_error"
        assert "hunter2" not in boom.text and "db-7" not in boom.text and "Traceback" not in boom.text
        unknown = await c.get(f"{P}/nowhere", headers=ALICE)
        assert unknown.status_code == 404 and unknown.headers["content-type"].startswith("application/problem+json")
        wrong_method = await c.delete(f"{P}/notes", headers=ALICE)
        assert wrong_method.status_code == 405 and wrong_method.json()["code"] == "method_not_allowed"


async def test_roles_and_anonymous(sample_db) -> None:
    async with running(sample_app.create_app(sample_db)) as c:
        anon = principal_headers(kind="anonymous", subject="anonymous")
        assert (await c.get(f"{P}/public", headers=anon)).json() == {"kind": "anonymous"}
        assert (await c.get(f"{P}/notes", headers=anon)).status_code == 401
        assert (await c.get(f"{P}/officials-only", headers=ALICE)).status_code == 403
        assert (await c.get(f"{P}/officials-only", headers=OFFICIAL)).status_code == 200


async def test_agency_keys_need_the_scope(sample_db) -> None:
    async with running(sample_app.create_app(sample_db)) as c:
        url = f"{P}/permits/verify"
        police = principal_headers(kind="api_key", subject="7", scopes=["foreign-experts:permits:verify"])
        tax = principal_headers(kind="api_key", subject="8", scopes=["transfer:contracts:read"])
        assert (await c.get(url, headers=police)).json() == {"kind": "api_key"}
        denied = await c.get(url, headers=tax)
        assert denied.status_code == 403 and "foreign-experts:permits:verify" in denied.json()["detail"]
        assert (await c.get(url, headers=OFFICIAL)).status_code == 200
        assert (await c.get(url, headers=ALICE)).status_code == 403


HOSTILE_BODIES = [
    ("nul byte", b'{"title": "a\\u0000b", "amount": "1"}', "application/json"),
    ("huge number", b'{"title": "a", "amount": 1' + b"0" * 5000 + b"}", "application/json"),
    ("huge exponent", b'{"title": "a", "amount": 1e999999}', "application/json"),
    ("deep nesting", b'{"title": ' + b"[" * 100000 + b"]" * 100000 + b', "amount": "1"}', "application/json"),
    ("not json", b"\xff\xfe\x00garbage", "application/json"),
    ("wrong content type", b"title=a&amount=1", "application/x-www-form-urlencoded"),
    ("text content type", b'{"title": "a", "amount": "1"}', "text/plain"),
    ("array", b"[]", "application/json"),
    ("extra field", b'{"title": "a", "amount": "1", "status": "published"}', "application/json"),
    ("empty", b"", "application/json"),
]


async def test_hostile_input_is_a_4xx_problem_never_a_500(sample_db) -> None:
    async with running(sample_app.create_app(sample_db, max_body_bytes=4_000_000)) as c:
        for name, body, ctype in HOSTILE_BODIES:
            r = await c.post(f"{P}/notes", content=body, headers={**ALICE, "Content-Type": ctype})
            assert 400 <= r.status_code < 500, (name, r.status_code, r.text[:300])
            assert r.headers["content-type"].startswith("application/problem+json"), name
            assert "code" in r.json(), name
        for path in (f"{P}/notes/1%00", f"{P}/notes/99999999999999999999999999", f"{P}/notes?status=a%00b"):
            r = await c.get(path, headers=ALICE)
            assert 400 <= r.status_code < 500, (path, r.status_code, r.text[:300])
        assert (await c.get(f"{P}/notes", headers=ALICE)).json()["items"] == []


async def test_oversized_body_is_413(sample_db) -> None:
    async with running(sample_app.create_app(sample_db, max_body_bytes=1000)) as c:
        big = b'{"title": "' + b"a" * 5000 + b'", "amount": "1"}'
        declared = await c.post(f"{P}/notes", content=big, headers={**ALICE, "Content-Type": "application/json"})
        assert declared.status_code == 413 and declared.json()["code"] == "payload_too_large"

        async def chunks():
            for _ in range(10):
                yield b"a" * 500

        streamed = await c.post(f"{P}/notes", content=chunks(), headers={**ALICE, "Content-Type": "application/json"})
        assert streamed.status_code == 413


async def test_request_id_is_echoed_once(sample_db) -> None:
    async with running(sample_app.create_app(sample_db)) as c:
        r = await c.get(f"{P}/notes/1", headers={**ALICE, "X-Request-ID": "req-42"})
        assert r.status_code == 404 and r.headers.get_list("x-request-id") == ["req-42"]
        generated = await c.get(f"{P}/public", headers={**ALICE, "X-Request-ID": "bad id with spaces"})
        ids = generated.headers.get_list("x-request-id")
        assert len(ids) == 1 and ids[0] != "bad id with spaces"


async def test_workflow_record_moves_writes_the_rows_apply_would(sample_db) -> None:
    """A bulk move's history (one INSERT) reads back exactly as ``apply`` would have written it."""
    from datetime import UTC, datetime

    from shared.principal import Principal
    from shared.workflow import load_history

    t = next(t for t in sample_app.WORKFLOW.transitions if "official" in t.roles)
    source = sorted(t.sources)[0]
    caller = Principal(kind="user", subject="zhang", roles=frozenset({"official", "auditor"}))
    at = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    async with sample_db.sessionmaker() as session:
        await sample_app.WORKFLOW.record_moves(session, sample_app.common, [7, 8], t, source, caller, at=at)
        await sample_app.WORKFLOW.record_moves(session, sample_app.common, [], t, source, caller, at=at)
        for entity_id in ("7", "8"):
            [row] = await load_history(session, sample_app.common, sample_app.WORKFLOW.entity_type, entity_id)
            assert (row.action, row.from_state, row.to_state, row.actor_id, row.actor_role) == (
                t.action,
                source,
                t.target,
                "user:zhang",
                "official",
            )
        await session.rollback()
