"""本人・家族, 性別 and 負担割合 as enums: labels in one place, enum columns, database checks."""
import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from server.extensions import db
from server.models import Member
from server.token_core.claims import Copay, DocumentKind, Relationship, Sex


def test_each_code_has_its_japanese_and_english_label():
    assert (Relationship.INSURED.ja, Relationship.DEPENDENT.ja) == ("本人", "家族")
    assert Sex.FEMALE.label == "女性 (Female)"
    assert [c.ja for c in Copay] == ["1割", "2割", "3割"]
    assert DocumentKind.CARD.ja == "資格確認書"
    assert all(c.en and c.ja for codes in (Relationship, Sex, Copay, DocumentKind) for c in codes)


def test_the_register_reads_codes_back_as_enums(app):
    with app.app_context():
        member = db.session.scalars(db.select(Member).order_by(Member.id)).first()
        assert type(member.relationship) is Relationship
        assert type(member.sex) is Sex
        assert type(member.copay_ratios[-1].ratio) is Copay


@pytest.mark.parametrize("column, value", [("relationship", 3), ("sex", 0), ("sex", 4)])
def test_the_database_refuses_a_code_outside_the_enum(app, column, value):
    with app.app_context():
        member_id = db.session.scalar(db.select(Member.id).limit(1))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(sa.text(f"UPDATE member SET {column} = :v WHERE id = :id"),
                               {"v": value, "id": member_id})
        db.session.rollback()


def test_the_database_refuses_a_ratio_in_tenths(app):
    with app.app_context():
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(sa.text("UPDATE copay_ratio SET ratio = 3"))
        db.session.rollback()


def test_the_code_migration_goes_down_and_up_keeping_every_row(app):
    with app.app_context():
        directory = app.extensions["migrate"].directory
        before = db.session.execute(sa.text("SELECT id, relationship, sex FROM member ORDER BY id")).all()
        db.session.remove()
        downgrade(directory=directory, revision="0006")
        first_id, _, first_sex = before[0]
        db.session.execute(sa.text("UPDATE member SET sex = 9 WHERE id = :id"), {"id": first_id})
        db.session.execute(sa.text("UPDATE member SET sex = :s WHERE id = :id"),   # 0006 had no check
                           {"s": int(first_sex), "id": first_id})
        db.session.commit()
        upgrade(directory=directory)
        assert db.session.execute(sa.text("SELECT id, relationship, sex FROM member ORDER BY id")).all() == before
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(sa.text("UPDATE member SET sex = 9"))
        db.session.rollback()
