"""Each allowed move of a permit application comes with the URL to call (docs/api-conventions.md "URLs")."""

from __future__ import annotations

from tests.services.foreign_experts.conftest import CLERK, PREFIX, make_application, make_employer


async def test_each_allowed_action_comes_with_the_url_to_call(fe) -> None:
    draft = await make_application(fe, (await make_employer(fe))["id"])
    url = f"{PREFIX}/permit-applications/{draft['id']}"
    assert [link["action"] for link in draft["actions"]] == draft["allowed_actions"] != []
    for link in draft["actions"]:
        assert link == {"action": link["action"], "method": "POST", "href": f"{url}/{link['action'].replace('_', '-')}"}
    submit = next(link["href"] for link in draft["actions"] if link["action"] == "submit")
    submitted = await fe.client.post(submit, headers=CLERK | {"If-Match": draft["etag"]})
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] != draft["status"]
