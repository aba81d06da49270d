"""A record tells its caller how to make each move it allows (docs/api-conventions.md "URLs"):
``actions: [{action, method, href}]`` beside ``allowed_actions``, read off the service's own routes, so
a client calls the href and never builds a URL from an action's name."""

from __future__ import annotations

from tests.services.projects.conftest import (
    AGENCY,
    APPLICANT,
    ORG_ADMIN,
    PREFIX,
    act,
    create_application,
    create_call,
    create_programme,
)


def links(record: dict) -> dict[str, str]:
    assert all(link["method"] == "POST" for link in record["actions"]), record["actions"]
    return {link["action"]: link["href"] for link in record["actions"]}


async def test_each_allowed_action_comes_with_the_url_to_call(client) -> None:
    call = await create_call(client, (await create_programme(client))["id"])
    draft = await create_application(client, call)
    url = f"{PREFIX}/applications/{draft['id']}"
    assert draft["allowed_actions"] == ["submit", "withdraw"]
    assert draft["actions"] == [
        {"action": "submit", "method": "POST", "href": f"{url}/submit"},
        {"action": "withdraw", "method": "POST", "href": f"{url}/withdraw"},
    ]
    submitted = await client.post(links(draft)["submit"], headers=APPLICANT | {"If-Match": draft["etag"]})
    assert submitted.status_code == 200, submitted.text
    assert links(submitted.json()) == {"withdraw": f"{url}/withdraw"}
    # the same record, another caller: their own moves, hyphenated as the routes are
    seen_by_org = (await client.get(url, headers=ORG_ADMIN)).json()
    assert links(seen_by_org) == {"endorse": f"{url}/endorse", "return_by_org": f"{url}/return-by-org"}
    assert (await client.post(links(seen_by_org)["endorse"], headers=ORG_ADMIN)).status_code == 200


async def test_a_move_made_elsewhere_is_named_but_has_no_url(client) -> None:
    """In review, the agency's next move (complete_review) is made by closing a review round, not by a
    route of the application: it is in allowed_actions and has no link."""
    call = await create_call(client, (await create_programme(client))["id"])
    application = await create_application(client, call)
    for action, who in (("submit", APPLICANT), ("endorse", ORG_ADMIN), ("accept", AGENCY)):
        await act(client, application["id"], action, who)
    in_review = await act(client, application["id"], "start_review", AGENCY)
    assert in_review["status"] == "in_review"
    assert in_review["allowed_actions"] == ["complete_review"] and in_review["actions"] == []
