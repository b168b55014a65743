"""Steps the member-app browser tests share: find a demo member, issue their activation link,
choose a birth date in the 和暦 picker."""
from server.documents import activation_codes
from server.extensions import db
from server.models import Insurer, Member


def member_by_number(number: str, branch: str) -> Member:
    return db.session.scalar(db.select(Member).join(Insurer).where(
        Member.number == number, Member.branch == branch))


def activation_url(server, number: str, branch: str) -> str:
    with server.app.app_context():
        return activation_codes.issue(member_by_number(number, branch)).url


def choose_birth_date(page, birth) -> None:
    era, year, month, day = birth
    page.locator("#birth-era").select_option(era)
    page.locator("#birth-year").select_option(year)
    page.locator("#birth-month").select_option(month)
    page.locator("#birth-day").select_option(day)
