"""利用開始コード: random, grouped for typing, stored as a hash, single use, expiring,
replaced by a reissue, locked after too many wrong birth dates."""
import math
import re
from datetime import date
from urllib.parse import urlsplit

import pytest
from pins import TEST_PIN

from server.documents import activation_codes
from server.documents.activation_codes import ActivationError
from server.extensions import db
from server.models import ActivationCode

BIRTH = date(1980, 5, 15)            # 𠮷田 太郎
WRONG_BIRTH = date(1980, 5, 16)
FULL_WIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")


def digits_of(code: str) -> str:
    return code.replace("-", "")


def rejection(code: str, birth: date) -> str:
    with pytest.raises(ActivationError) as caught:
        activation_codes.check(code, birth, TEST_PIN)
    return caught.value.reason


@pytest.fixture(autouse=True)
def app_context(app):
    with app.app_context():
        yield


@pytest.fixture
def member(demo_member):
    return demo_member()


@pytest.fixture
def issued(member):
    return activation_codes.issue(member)


def test_the_code_is_20_digits_in_groups_of_four(issued):
    assert re.fullmatch(r"[0-9]{4}(-[0-9]{4}){4}", issued.code)
    assert len(digits_of(issued.code)) * math.log2(10) >= 60


def test_codes_are_random(member):
    codes = {activation_codes.issue(member).code for _ in range(5)}
    assert len(codes) == 5


def test_the_url_carries_the_code_in_its_fragment(app, issued):
    url = urlsplit(issued.url)
    public = urlsplit(app.config["PUBLIC_URL"])
    assert (url.scheme, url.netloc, url.path, url.query) == (
        public.scheme, public.netloc, "/app/activate", "")
    assert url.fragment == f"code={digits_of(issued.code)}"


def test_only_a_hash_is_stored(issued):
    code = digits_of(issued.code)
    for table in ("activation_code", "audit_entry"):
        for row in db.session.execute(db.text(f"SELECT * FROM {table}")):
            for value in row:
                assert code not in str(value) and issued.code not in str(value), table
    assert issued.record.code_hash and issued.record.code_hash != code


@pytest.mark.parametrize("typed", [
    pytest.param(lambda c: c, id="grouped"),
    pytest.param(lambda c: c.replace("-", ""), id="digits-only"),
    pytest.param(lambda c: c.translate(FULL_WIDTH), id="full-width"),
    pytest.param(lambda c: c.replace("-", " "), id="spaces"),
    pytest.param(lambda c: " " + c.replace("-", "　") + " ", id="ideographic-spaces"),
])
def test_the_right_birth_date_succeeds(issued, typed):
    record = activation_codes.check(typed(issued.code), BIRTH, TEST_PIN)
    assert record.id == issued.record.id


def test_a_wrong_birth_date_is_invalid_and_counted(issued):
    assert rejection(issued.code, WRONG_BIRTH) == "invalid"
    assert db.session.get(ActivationCode, issued.record.id).failed_attempts == 1
    assert activation_codes.check(issued.code, BIRTH, TEST_PIN).id == issued.record.id


def test_the_code_locks_after_the_maximum_of_wrong_attempts(app, issued):
    attempts = app.config["ACTIVATION_MAX_ATTEMPTS"]
    assert attempts == 5
    for _ in range(attempts - 1):
        assert rejection(issued.code, WRONG_BIRTH) == "invalid"
    assert activation_codes.check(issued.code, BIRTH, TEST_PIN).id == issued.record.id
    assert rejection(issued.code, WRONG_BIRTH) == "invalid"
    assert rejection(issued.code, BIRTH) == "locked"
    assert db.session.get(ActivationCode, issued.record.id).failed_attempts == attempts


@pytest.mark.parametrize("unknown", [
    pytest.param(lambda c: c[:-1] + str((int(c[-1]) + 1) % 10), id="one-digit-off"),
    pytest.param(lambda c: c[:-5], id="too-short"),
    pytest.param(lambda c: c + "1", id="too-long"),
    pytest.param(lambda c: "", id="empty"),
])
def test_an_unknown_code_reads_like_a_wrong_birth_date(issued, unknown):
    with pytest.raises(ActivationError) as unknown_error:
        activation_codes.check(unknown(issued.code), BIRTH, TEST_PIN)
    with pytest.raises(ActivationError) as wrong_birth:
        activation_codes.check(issued.code, WRONG_BIRTH, TEST_PIN)
    assert unknown_error.value.reason == wrong_birth.value.reason == "invalid"
    assert str(unknown_error.value) == str(wrong_birth.value)


def test_the_code_expires(app, clock, issued):
    lifetime = app.config["ACTIVATION_CODE_DAYS"] * 86400
    clock.advance(lifetime - 1)
    assert activation_codes.check(issued.code, BIRTH, TEST_PIN).id == issued.record.id
    clock.advance(1)
    assert rejection(issued.code, BIRTH) == "expired"


def test_a_reissue_replaces_the_old_code(member, issued):
    new = activation_codes.issue(member)
    assert new.code != issued.code
    assert rejection(issued.code, BIRTH) == "replaced"
    assert activation_codes.check(new.code, BIRTH, TEST_PIN).id == new.record.id


def test_a_code_is_single_use(issued):
    record = activation_codes.check(issued.code, BIRTH, TEST_PIN)
    activation_codes.consume(record)
    db.session.commit()
    assert rejection(issued.code, BIRTH) == "used"


def test_issue_and_use_are_audited(member, issued):
    activation_codes.consume(activation_codes.check(issued.code, BIRTH, TEST_PIN))
    db.session.commit()
    actions = db.session.execute(db.text(
        "SELECT action, target_id FROM audit_entry WHERE action LIKE 'activation_code.%' "
        "ORDER BY id")).all()
    assert [tuple(a) for a in actions] == [("activation_code.issue", member.id),
                                           ("activation_code.use", issued.record.id)]


def test_a_member_who_lost_eligibility_is_told_so(app, member, issued, clock):
    from datetime import datetime

    from server.clock import JST
    from server.register import members
    members.record_loss(member, datetime.fromtimestamp(clock.now, JST).date(), "retirement")
    with pytest.raises(ActivationError) as error:
        activation_codes.check(issued.code, member.birth_date, TEST_PIN)
    assert error.value.reason == "not_eligible"


def test_a_loss_is_not_revealed_without_the_birth_date(app, member, issued, clock):
    from datetime import date, datetime

    from server.clock import JST
    from server.register import members
    members.record_loss(member, datetime.fromtimestamp(clock.now, JST).date(), "retirement")
    with pytest.raises(ActivationError) as error:
        activation_codes.check(issued.code, date(1999, 1, 1), TEST_PIN)
    assert error.value.reason != "not_eligible"


def test_the_database_allows_one_live_code_per_member(app, member, issued, clock):
    import sqlalchemy

    from server.extensions import db
    from server.models import ActivationCode
    db.session.add(ActivationCode(member_id=member.id, code_hash="f" * 64, created_at=clock.now,
                                  expires_at=clock.now + 60))
    with pytest.raises(sqlalchemy.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


# -- its own key, rotation, and guesses at once -----------------------------------------

def test_rotating_the_secret_key_voids_no_printed_code(member, make_app, app):
    code = activation_codes.issue(member).code
    rotated = make_app(SECRET_KEY="a new cookie key that signs everybody out",
                       ACTIVATION_SECRET=app.config["ACTIVATION_SECRET"])
    with rotated.app_context():
        assert activation_codes.check(code, BIRTH, TEST_PIN).member_id == member.id


def test_an_old_activation_key_is_accepted_only_while_it_is_a_fallback(member, make_app, app):
    code = activation_codes.issue(member).code
    old_key = app.config["ACTIVATION_SECRET"]
    with make_app(ACTIVATION_SECRET="ab" * 32, ACTIVATION_SECRET_FALLBACKS=[old_key]).app_context():
        assert activation_codes.check(code, BIRTH, TEST_PIN).member_id == member.id
    with make_app(ACTIVATION_SECRET="ab" * 32).app_context():
        assert rejection(code, BIRTH) == "invalid"


def test_parallel_wrong_guesses_count_no_more_than_the_limit(member, app):
    """Twelve guesses at once: at most ACTIVATION_MAX_ATTEMPTS are judged as tries, the
    rest find the code locked, and the right birth date then finds it locked too."""
    import threading
    code = activation_codes.issue(member).code
    record_id = db.session.scalar(db.select(ActivationCode.id).order_by(ActivationCode.id.desc()))
    db.session.remove()
    reasons, barrier = [], threading.Barrier(12)

    def guess(day):
        with app.app_context():
            barrier.wait()
            try:
                activation_codes.check(code, date(1980, 6, day), TEST_PIN)
            except ActivationError as exc:
                reasons.append(exc.reason)
            finally:
                db.session.remove()
    threads = [threading.Thread(target=guess, args=(day,)) for day in range(1, 13)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    limit = app.config["ACTIVATION_MAX_ATTEMPTS"]
    assert reasons.count("invalid") == limit and reasons.count("locked") == 12 - limit
    assert db.session.get(ActivationCode, record_id).failed_attempts == limit
    assert rejection(code, BIRTH) == "locked"


def _refusal(code: str, birth: date, pin: str = TEST_PIN) -> ActivationError:
    with pytest.raises(ActivationError) as caught:
        activation_codes.check(code, birth, pin)
    return caught.value


@pytest.mark.parametrize("make_state", ["used", "replaced", "locked", "expired"])
def test_without_the_birth_date_every_state_reads_as_a_wrong_answer(app, member, issued, clock, make_state):
    """A used, replaced, locked or expired code and an unknown one get the same answer (and
    count a try) when the birth date is wrong; the state is told only with the right one."""
    limit = app.config["ACTIVATION_MAX_ATTEMPTS"]
    if make_state == "used":
        activation_codes.consume(activation_codes.check(issued.code, BIRTH, TEST_PIN))
        db.session.commit()
    elif make_state == "replaced":
        activation_codes.issue(member)
    elif make_state == "locked":
        db.session.get(ActivationCode, issued.record.id).failed_attempts = limit - 1
        db.session.commit()
    else:
        clock.advance(app.config["ACTIVATION_CODE_DAYS"] * 86400)
    first = _refusal(issued.code, WRONG_BIRTH)
    unknown = _refusal("9" * 20, WRONG_BIRTH)
    if make_state == "locked":
        assert (first.reason, first.attempts_left) == ("invalid", 0)   # its last try
        assert _refusal(issued.code, WRONG_BIRTH).reason == "locked"
        assert _refusal(issued.code, WRONG_BIRTH).phone is None        # no insurer told
    else:
        assert (first.reason, first.attempts_left) == (unknown.reason, unknown.attempts_left) \
            == ("invalid", limit - 1)
    told = _refusal(issued.code, BIRTH)
    assert told.reason == make_state and told.phone == "0120-000-000"


def test_an_unknown_code_locks_like_a_real_one(app):
    limit = app.config["ACTIVATION_MAX_ATTEMPTS"]
    answers = [_refusal("1" * 20, BIRTH) for _ in range(limit + 1)]
    assert [a.attempts_left for a in answers[:limit]] == list(range(limit - 1, -1, -1))
    assert answers[limit].reason == "locked" and answers[limit].phone is None


# -- the second factor: a 暗証番号 that is not on the notice ---------------------------------

def test_the_letter_alone_cannot_activate(issued):
    """Code and birth date from the notice, without the PIN from its separate sheet."""
    for pin in ("", "000000", TEST_PIN[::-1], TEST_PIN + "0"):
        assert _refusal(issued.code, BIRTH, pin).reason == "invalid"
    assert db.session.get(ActivationCode, issued.record.id).failed_attempts == 4
    assert activation_codes.check(issued.code, BIRTH, "２４６ ８１０").id == issued.record.id  # as typed


def test_a_wrong_pin_reads_like_a_wrong_birth_date(issued):
    wrong_pin = _refusal(issued.code, BIRTH, "999999")
    wrong_birth = _refusal(issued.code, WRONG_BIRTH, TEST_PIN)
    assert (wrong_pin.reason, wrong_pin.attempts_left + 1) == (wrong_birth.reason, wrong_birth.attempts_left + 2)


def test_a_new_pin_replaces_the_old_one_for_the_same_code(member, issued, monkeypatch):
    monkeypatch.setattr(activation_codes, "_new_pin", lambda: "135790")
    assert activation_codes.reissue_pin(member) == "135790"
    assert _refusal(issued.code, BIRTH, TEST_PIN).reason == "invalid"
    assert activation_codes.check(issued.code, BIRTH, "135790").id == issued.record.id


def test_real_pins_are_random_six_digits(monkeypatch):
    monkeypatch.undo()                      # the real generator, not the tests' known PIN
    pins = {activation_codes._new_pin() for _ in range(50)}
    assert len(pins) > 45 and all(re.fullmatch(r"[0-9]{6}", p) for p in pins)


def test_the_pin_is_stored_only_as_a_hash(issued):
    record = db.session.get(ActivationCode, issued.record.id)
    assert record.pin_hash and TEST_PIN not in record.pin_hash and len(record.pin_hash) == 64
