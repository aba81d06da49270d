"""A list takes exactly the ``sort`` values its document lists (docs/api-conventions.md "Lists")."""

from __future__ import annotations

from tests.services.projects.conftest import OFFICIAL, PREFIX


def documented_sorts(client, path: str) -> list[str]:
    doc = client.app.openapi()
    (sort,) = [p for p in doc["paths"][path]["get"]["parameters"] if p["name"] == "sort"]
    (values,) = [s["enum"] for s in sort["schema"]["anyOf"] if "enum" in s]
    return values


async def test_every_documented_sort_is_taken_and_no_other(client) -> None:
    for list_path in ("/applications", "/calls", "/programmes", "/reviewers"):
        values = documented_sorts(client, PREFIX + list_path)
        assert values[0] in ("-id", "id") and {"id", "-id"} <= set(values)
        for value in values:
            r = await client.get(PREFIX + list_path, params={"sort": value}, headers=OFFICIAL)
            assert r.status_code == 200, (list_path, value, r.text)
        wrong = await client.get(PREFIX + list_path, params={"sort": "-leader_id_number"}, headers=OFFICIAL)
        assert wrong.status_code == 422 and wrong.json()["errors"][0]["code"] == "invalid_sort"
