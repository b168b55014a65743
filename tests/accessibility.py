"""axe-core (npm, a dev dependency in web/) over one screen in the real browser.

``check_accessibility`` fails the test on any serious or critical violation, naming the rule,
the elements and axe's help text (minor and moderate ones are left to review), and on any run
of text in a language its ``lang`` does not say (``lang_mismarks``: axe checks only that a
``lang`` is valid, not that it is true). Every screen the
browser suite photographs is checked (``tests/screenshots.keep_screenshot`` calls it), and
``tests/test_accessibility_browser.py`` walks the screens no other test photographs.
"""
from __future__ import annotations

from functools import cache

from server.paths import WEB_ROOT

AXE = WEB_ROOT / "node_modules" / "axe-core" / "axe.min.js"
FAILING = ("serious", "critical")


@cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def violations(page) -> list[dict]:
    """axe's violations on the page as it is now (injected through DevTools, so the page's
    Content-Security-Policy, which forbids inline scripts, does not stop it)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    return page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => n.target.join(' ') + ' — ' + n.failureSummary.split('\\n').slice(0, 3).join(' ')),
        }));
    }""")


def check_accessibility(page, screen: str) -> None:
    mismarked = lang_mismarks(page)
    assert not mismarked, f"lang on {screen}: " + "; ".join(mismarked[:10])
    found = [v for v in violations(page) if v["impact"] in FAILING]
    assert not found, f"axe-core on {screen}:\n" + "\n".join(
        f"- {v['impact']} {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"][:5]) for v in found)


#: Text the page shows in a language its closest ``lang`` does not say: Japanese (kana or kanji)
#: inside an English element, or English words (3+ letters, not an all-capitals acronym such as
#: QR or CSV) inside a Japanese one, in text nodes with no script of the other kind (code, file
#: names and addresses are not a language). Screen
#: readers pick a voice by ``lang``: a mismarked run is read as noise.
_MISMARKED = r"""() => {
    const japanese = /[\u3040-\u30fa\u30fc-\u30ff\u3400-\u9fff\uf900-\ufaff\u{20000}-\u{3134f}]/u;
    const english = /\b(?![A-Z]+\b)[A-Za-z]{3,}\b/;
    const found = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent.trim();
        const element = node.parentElement;
        if (!text || !element || element.closest('script, style, template, [hidden], [aria-hidden=true], code, kbd, samp, pre')) continue;
        if (!element.getClientRects().length) continue;
        const lang = (element.closest('[lang]')?.getAttribute('lang') || '').toLowerCase();
        const ja = japanese.test(text), en = english.test(text.replace(/https?:\S+|\S+@\S+|[\w.-]+\.(js|json|csv|html)\b/g, ''));
        if (ja && !en && !lang.startsWith('ja')) found.push(`"${text.slice(0, 40)}" in lang=${lang || '(none)'}`);
        if (en && !ja && !lang.startsWith('en')) found.push(`"${text.slice(0, 40)}" in lang=${lang || '(none)'}`);
    }
    return found;
}"""


def lang_mismarks(page) -> list[str]:
    return page.evaluate(_MISMARKED)
