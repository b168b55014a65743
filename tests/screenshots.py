"""Screenshots of key screens for people to look at: written when MEMBER_APP_SHOTS names a folder."""
import os


def keep_screenshot(page, name: str) -> None:
    folder = os.environ.get("MEMBER_APP_SHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)
