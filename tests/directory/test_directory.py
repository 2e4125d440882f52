"""The officer chooses (issue 17), through the web: the public peer-team page, a counselor's own
profile and photo, picking and excluding supporters on a request, families and retirees, the
public resources and the wellness library. Nothing on these pages needs signing in, and
nothing is written when someone looks."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from sqlalchemy import func, select

from tests.attacks.conftest import dump_tables
from tests.factories import login, make_case, make_unit, make_user, post, reader
from wellness.accounts import service as accounts
from wellness.accounts.models import CounselorProfile, Role
from wellness.cases import lifecycle
from wellness.cases import service as cases
from wellness.cases.models import Case
from wellness.directory import service as directory
from wellness.extensions import db
from wellness.library.models import Article
from wellness.program.models import Resource


@pytest.fixture
def team(ctx):
    north, south = make_unit("North"), make_unit("South")
    people = {
        "officer": make_user("jordan", Role.OFFICER, unit=north),
        "kelly": make_user("kelly", Role.COUNSELOR, unit=south),
        "luis": make_user("luis", Role.COUNSELOR, unit=south),
        "north_peer": make_user("nora", Role.COUNSELOR, unit=north),
        "quiet": make_user("quinn", Role.COUNSELOR),
        "coordinator": make_user("maria", Role.COORDINATOR),
    }
    for name, serves in (("kelly", ["members"]), ("luis", ["members", "families"])):
        accounts.save_counselor_profile(people[name], caseload_cap=5)
        publish(people[name], f"{name.title()} R.", serves)
    accounts.save_counselor_profile(people["north_peer"], caseload_cap=5)
    publish(people["north_peer"], "Nora N.", ["members"])
    accounts.save_counselor_profile(people["quiet"], caseload_cap=5)  # never publishes
    db.session.commit()
    people["north"] = north
    return people


def publish(user, name, serves):  # type: ignore[no-untyped-def]
    background = f"MARKER-BACKGROUND of {name}: years on patrol."
    directory.save_profile(user, directory.ProfileFields(True, name, background, serves))


def count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count()).select_from(model))


def ask_anonymously(client, **fields):  # type: ignore[no-untyped-def]
    data = {"urgency": "routine", "unit": 0, "topics": ["stress"], "text": "MARKER-TEXT"}
    return post(client, "/help/anonymous", data | fields, token_from="/help/anonymous")


def photo_bytes(fmt: str = "JPEG") -> bytes:
    """A photo full of detail (about 300 KB: above the app's usual 256 KiB request limit,
    which the photo form raises), with EXIF and a GPS position."""
    image = Image.effect_noise((1000, 750), 40).convert("RGB")
    exif = Image.Exif()
    exif[0x010F] = "MARKER-CAMERA-MAKER"
    exif[0x8825] = {2: (51.0, 30.0, 0.0)}  # a GPS position
    out = io.BytesIO()
    image.save(out, fmt, exif=exif, quality=70)
    return out.getvalue()


# --- "Our peer team" -------------------------------------------------------------------------


def test_the_peer_team_page_shows_published_profiles_to_anyone_and_writes_nothing(app, team):
    directory.set_photo(team["kelly"], photo_bytes())
    db.session.add(Resource(name="City EAP", kind="EAP", public=True, phone="555 0100"))
    db.session.add(Article(slug="rest", title="Rest", topic="sleep", body="Sleep."))
    db.session.commit()
    before = dump_tables()
    visitor = app.test_client()
    for path in (
        "/resources",
        "/resources?topic=sleep",
        "/library/",
        "/library/?topic=sleep",
        "/library/rest",
        f"/peer-team/{team['kelly'].id}/photo",
        "/manifest.webmanifest",
        "/sw.js",
    ):
        assert visitor.get(path).status_code == 200, path
    page = visitor.get("/peer-team").get_data(as_text=True)
    assert "Kelly R." in page
    assert "Luis R." in page
    assert "MARKER-BACKGROUND of Kelly R." in page
    assert "quinn" not in page.lower()  # never published
    assert page.count("can take a request now") == 3
    assert dump_tables() == before  # nobody's visit to any of them is recorded


def test_a_full_or_away_counselor_is_shown_as_not_taking_requests(app, team):
    accounts.save_counselor_profile(team["kelly"], available=False)
    db.session.commit()
    page = app.test_client().get("/peer-team").get_data(as_text=True)
    kelly = page[page.index("Kelly R.") : page.index("Luis R.")]
    assert "not taking new requests right now" in kelly
    assert "Ask Kelly R." not in kelly


def test_the_coordinator_can_hide_a_profile(app, team):
    maria = app.test_client()
    login(maria, team["coordinator"])
    hidden = post(
        maria,
        f"/coordinator/team/{team['kelly'].id}/public-profile",
        {"hidden": "1"},
        token_from="/coordinator/team/",
    )
    assert hidden.status_code == 302
    assert "Kelly R." not in app.test_client().get("/peer-team").get_data(as_text=True)
    officer = app.test_client()
    login(officer, team["officer"])
    refused = post(
        officer,
        f"/coordinator/team/{team['luis'].id}/public-profile",
        {"hidden": "1"},
        token_from="/account",
    )
    assert refused.status_code == 403


def test_a_counselor_edits_their_own_profile(app, team):
    kelly = app.test_client()
    login(kelly, team["kelly"])
    saved = post(
        kelly,
        "/account/profile",
        {
            "public_name": "Kelly Reyes",
            "background": "Eight years in traffic.",
            "serves": ["retirees"],
        },
        token_from="/account/profile",
    )
    assert saved.status_code == 302
    page = app.test_client().get("/peer-team").get_data(as_text=True)
    assert "Kelly Reyes" not in page  # the box was not ticked: unpublished
    post(
        kelly,
        "/account/profile",
        {"public_name": "Kelly Reyes", "background": "Eight years in traffic.", "published": "y"},
        token_from="/account/profile",
    )
    assert "Eight years in traffic." in app.test_client().get("/peer-team").get_data(as_text=True)
    too_long = post(
        kelly,
        "/account/profile",
        {"public_name": "K", "background": "x" * 601, "published": "y"},
        token_from="/account/profile",
    )
    assert too_long.status_code == 200
    assert 'class="error"' in too_long.get_data(as_text=True)


def test_a_photo_is_redrawn_without_its_metadata_and_a_non_image_is_refused(app, team):
    kelly = app.test_client()
    login(kelly, team["kelly"])
    upload = photo_bytes()
    assert b"MARKER-CAMERA-MAKER" in upload
    assert len(upload) > app.config["MAX_CONTENT_LENGTH"]
    sent = post(
        kelly,
        "/account/profile/photo",
        {"photo": (io.BytesIO(upload), "me.jpg")},
        token_from="/account/profile",
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302
    served = app.test_client().get(f"/peer-team/{team['kelly'].id}/photo")
    assert served.mimetype == "image/jpeg"
    assert b"MARKER" not in served.data
    image = Image.open(io.BytesIO(served.data))
    assert max(image.size) <= 256
    assert not image.getexif()
    assert len(served.data) < 60_000

    refused = post(
        kelly,
        "/account/profile/photo",
        {"photo": (io.BytesIO(b"%PDF-1.7 MARKER not a photo"), "cv.pdf")},
        token_from="/account/profile",
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400
    assert "not a photo we can use" in refused.get_data(as_text=True)
    assert db.session.get(CounselorProfile, team["kelly"].id).photo == served.data  # kept


def test_photos_of_unpublished_people_are_not_served(app, team):
    directory.set_photo(team["quiet"], photo_bytes())
    assert app.test_client().get(f"/peer-team/{team['quiet'].id}/photo").status_code == 404


# --- Picking and excluding -----------------------------------------------------------------------


def test_an_anonymous_officer_asks_a_person_from_the_directory_and_gets_them(app, team):
    for _ in range(2):  # Luis is the busiest: without the pick, routing would not choose him
        busy = make_case(team["officer"], team["luis"])
        busy.assignee_id = team["luis"].id
    db.session.commit()
    before = set(db.session.scalars(select(Case.id)))
    client = app.test_client()
    directory_page = client.get("/peer-team").get_data(as_text=True)
    assert f'name="ask_for" value="{team["luis"].id}"' in directory_page  # posted, no URL
    assert "ask_for=" not in directory_page
    page = post(
        client,
        "/help/anonymous",
        {"start": "1", "ask_for": team["luis"].id},
        token_from="/peer-team",
    ).get_data(as_text=True)
    assert re.search(rf'<option selected value="{team["luis"].id}">Luis R\.', page)
    assert count(Case) == 2  # opening the form sent nothing
    sent = ask_anonymously(client, ask_for=team["luis"].id)
    assert sent.status_code == 302
    case = db.session.scalars(select(Case).where(Case.id.not_in(before))).one()
    assert case.assignee_id == team["luis"].id  # not Kelly, who is freer
    assert case.routing_summary == "Routed to the supporter the officer asked for."


def test_a_pick_that_cannot_be_honoured_sends_nothing_and_asks_again(app, team):
    accounts.save_counselor_profile(team["luis"], available=False)
    db.session.commit()
    client = app.test_client()
    asked = ask_anonymously(client, ask_for=team["luis"].id, text="MARKER-WAITING")
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert "Luis R. cannot take a new request right now. Nothing has been sent." in page
    assert "MARKER-WAITING" in page  # what they wrote is still in the form
    assert count(Case) == 0
    # The same words whatever the reason (away, full, or a conflict: the officer's own unit).
    accounts.save_counselor_profile(team["luis"], available=True)
    db.session.commit()
    conflict = ask_anonymously(client, ask_for=team["north_peer"].id, unit=team["north"].id)
    assert "Nora N. cannot take a new request right now." in conflict.get_data(as_text=True)
    assert "unit" not in conflict.get_data(as_text=True).split("cannot take")[1][:80]
    assert count(Case) == 0
    team_choice = ask_anonymously(client, ask_for=0)
    assert team_choice.status_code == 302
    assert count(Case) == 1


def test_people_not_wanted_are_never_given_the_request_nor_handed_it_later(app, team):
    accounts.save_counselor_profile(team["quiet"], available=False)  # Luis or Kelly, then
    db.session.commit()
    client = app.test_client()
    not_them = [team["kelly"].id, team["north_peer"].id]
    for _ in range(3):  # Kelly is as free as Luis: without the exclusion she would get some
        ask_anonymously(client, not_wanted=not_them)
    found = db.session.scalars(select(Case)).all()
    assert {c.assignee_id for c in found} == {team["luis"].id}
    case = found[0]
    with pytest.raises(lifecycle.LifecycleError, match="asked not to have"):
        lifecycle.transfer(case.id, reader(team["luis"]), team["kelly"])
    content = cases.open_case(case.id, reader(team["luis"]), "test")
    assert content["choice"]["not_wanted"] == not_them


def test_not_wanted_is_bounded_and_cannot_contradict_the_pick(app, team):
    client = app.test_client()
    both = ask_anonymously(client, ask_for=team["kelly"].id, not_wanted=[team["kelly"].id])
    assert "also said you would rather not" in both.get_data(as_text=True)
    stranger = ask_anonymously(client, ask_for=team["quiet"].id)  # not in the directory
    assert stranger.status_code == 200
    assert count(Case) == 0


def test_a_family_member_is_routed_to_someone_who_serves_families(app, team):
    accounts.save_counselor_profile(team["luis"], caseload_cap=9)
    db.session.commit()
    for _ in range(3):  # whatever the caseloads, Luis is the one serving families
        ask_anonymously(app.test_client(), asker="families")
    assert set(db.session.scalars(select(Case.assignee_id))) == {team["luis"].id}
    case = db.session.scalars(select(Case)).first()
    assert cases.open_case(case.id, reader(team["luis"]), "test")["asker"] == "families"
    assert "famil" not in case.routing_summary.lower()  # the clear column does not say


def test_someone_outside_my_unit_needs_the_unit(app, team):
    refused = ask_anonymously(app.test_client(), outside_unit="y")
    assert "Choose your unit above" in refused.get_data(as_text=True)
    sent = ask_anonymously(app.test_client(), outside_unit="y", unit=team["north"].id)
    assert sent.status_code == 302
    assert db.session.scalars(select(Case.assignee_id)).one() != team["north_peer"].id


def test_a_named_request_may_ask_for_someone_too(app, team):
    officer = app.test_client()
    login(officer, team["officer"])
    sent = post(
        officer,
        "/help/self",
        {"urgency": "routine", "contact_method": "here", "ask_for": team["kelly"].id},
        token_from="/help/self",
    )
    assert sent.status_code == 302
    assert db.session.scalars(select(Case.assignee_id)).one() == team["kelly"].id


# --- Resources and the library -------------------------------------------------------------------


def test_public_resources_by_topic_with_call_and_text_links(app, team):
    db.session.add_all(
        [
            Resource(name="City EAP", kind="EAP", public=True, phone="555 0100", topics=[]),
            Resource(
                name="Sleep clinic",
                kind="clinician",
                public=True,
                topics=["sleep"],
                text_number="555-0111",
            ),
            Resource(name="Private list", kind="other", public=False),
        ]
    )
    db.session.commit()
    client = app.test_client()
    everything = client.get("/resources").get_data(as_text=True)
    assert "City EAP" in everything
    assert "Sleep clinic" in everything
    assert "Private list" not in everything
    assert 'href="tel:5550100"' in everything
    assert 'href="sms:555-0111"' in everything
    grief = client.get("/resources?topic=grief").get_data(as_text=True)
    assert "City EAP" in grief
    assert "Sleep clinic" not in grief
    assert client.get("/resources?topic=<script>").status_code == 200


def test_the_library_renders_markdown_safely_and_hides_drafts(app, team):
    maria = app.test_client()
    login(maria, team["coordinator"])
    body = (
        "## Rest\n\nTry [988](tel:988).\n\n<script>alert('MARKER')</script>\n\n"
        "[x](javascript:alert(1))"
    )
    saved = post(
        maria,
        "/coordinator/library/",
        {"title": "Sleep on nights", "topic": "sleep", "body": body, "published": "y"},
        token_from="/coordinator/library/",
    )
    assert saved.status_code == 302
    page = app.test_client().get("/library/sleep-on-nights").get_data(as_text=True)
    assert "<h2>Rest</h2>" in page
    assert '<a href="tel:988" rel="noopener noreferrer">988</a>' in page
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page  # shown as the words typed, never run
    assert 'href="javascript' not in page
    assert "Ask the peer team" in page  # every article ends with the ways to ask
    post(
        maria,
        "/coordinator/library/",
        {"title": "Draft on money", "topic": "money", "body": "Not yet."},
        token_from="/coordinator/library/",
    )
    assert app.test_client().get("/library/draft-on-money").status_code == 404
    for odd in ("%00", "x" * 300, "Sleep-On-Nights", "%E2%80%AE"):
        assert app.test_client().get(f"/library/{odd}").status_code == 404, odd
    assert "Draft on money" not in app.test_client().get("/library/").get_data(as_text=True)
    assert count(Article) == 2


def test_a_refused_pick_leaves_the_same_form_usable_once(app, team):
    """The form's one-time token is spent only by a request that was stored."""
    from tests.test_daily_work import form_data

    accounts.save_counselor_profile(team["luis"], available=False)
    db.session.commit()
    client = app.test_client()
    data = form_data(client.get("/help/anonymous").get_data(as_text=True), "/help/anonymous")
    data |= {"urgency": "routine", "unit": "0", "topics": "stress", "ask_for": team["luis"].id}
    assert client.post("/help/anonymous", data=data).status_code == 200  # asked again
    data["ask_for"] = "0"
    assert client.post("/help/anonymous", data=data).status_code == 302
    assert "receipt-code" in client.get("/help/sent").get_data(as_text=True)
    assert client.post("/help/anonymous", data=data).status_code == 302  # a third time
    assert count(Case) == 1


def test_a_crisis_is_never_sent_back_for_a_pick_and_the_officer_is_told(app, team):
    accounts.save_counselor_profile(team["luis"], available=False)
    db.session.commit()
    client = app.test_client()
    sent = ask_anonymously(client, ask_for=team["luis"].id, urgency="crisis")
    assert sent.status_code == 302  # paged at once, not asked to choose again
    page = client.get("/help/sent").get_data(as_text=True)
    assert "The person you asked for could not take it right now" in page
    case = db.session.scalars(select(Case)).one()
    assert case.assignee_id not in (team["luis"].id, None)
