"""/api/v1/me tells a signed-in member whom to call: their insurer's telephone, for each card
(after a loss the app says what to do next and gives this number; issue 12)."""
from server.extensions import db
from server.models import Member


def _ids(app) -> dict:
    with app.app_context():
        return {m.name: m.id for m in db.session.scalars(db.select(Member))}


def test_me_gives_the_insurer_telephone_of_each_card(app, client, as_member):
    ids = _ids(app)
    as_member(ids["𠮷田 太郎"])
    body = client.get("/api/v1/me").get_json()
    assert [m["insurer_phone"] for m in body["members"]] == ["0120-000-000"] * 3
    assert body["member"]["insurer_phone"] == "0120-000-000"


def test_an_insurer_without_a_telephone_gives_null(app, client, as_member):
    ids = _ids(app)
    with app.app_context():
        insurer = db.session.get(Member, ids["髙橋 和夫"]).insurer
        insurer.phone = None
        db.session.commit()
    as_member(ids["髙橋 和夫"])
    body = client.get("/api/v1/me").get_json()
    assert "insurer_phone" in body["member"] and body["member"]["insurer_phone"] is None

