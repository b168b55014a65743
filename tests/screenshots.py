"""Key screens: checked by axe-core every time (serious or critical violations fail the test),
and photographed for people to look at when MEMBER_APP_SHOTS names a folder."""
import os

from accessibility import check_accessibility


def keep_screenshot(page, name: str) -> None:
    check_accessibility(page, name)
    folder = os.environ.get("MEMBER_APP_SHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)
