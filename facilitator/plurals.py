"""Count texts the browser fills in ("{count} ideas"), in every plural form of the language.

gettext numbers a language's plural forms in its own order (Arabic has six); the browser names
them by CLDR category (`Intl.PluralRules`: zero, one, two, few, many, other). Each category gets
the form gettext chooses for a number of that category, so `static/js/plural.js` picks the right
one without knowing the catalogue's formula. The msgids are here, in one place, so that the
extraction finds them as ordinary `ngettext` calls.
"""
from flask_babel import get_locale, ngettext

# Enough numbers to meet every category of every CLDR language (Arabic "many" starts at 11).
_SAMPLES = range(0, 200)


def _texts(n: int) -> dict[str, str]:
    """Every count text, for the number n (placeholders stay `{name}` for the browser)."""
    return {**_participant_texts(n), **_console_texts(n)}


def _participant_texts(n: int) -> dict[str, str]:
    """What phones and the projector count: translated into every language (tests/test_i18n.py)."""
    return {
        # Phones
        "ideas_collected": ngettext("%(count)s idea collected so far.",
                                    "%(count)s ideas collected so far.", n, count="{count}"),
        "ideas_left": ngettext("%(left)s of %(max)s ideas left.", "%(left)s of %(max)s ideas left.",
                               n, left="{left}", max="{max}"),
        "options_rated": ngettext("You have rated %(count)s of %(total)s option.",
                                  "You have rated %(count)s of %(total)s options.", n,
                                  count="{count}", total="{total}"),
        "people_voted": ngettext("%(voters)s of %(eligible)s has voted.",
                                 "%(voters)s of %(eligible)s have voted.", n,
                                 voters="{voters}", eligible="{eligible}"),
        "people_answered": ngettext("%(voters)s of %(eligible)s has answered.",
                                    "%(voters)s of %(eligible)s have answered.", n,
                                    voters="{voters}", eligible="{eligible}"),
        # Projector
        "ideas_concealed": ngettext("%(count)s idea collected (hidden until revealed)",
                                    "%(count)s ideas collected (hidden until revealed)", n,
                                    count="{count}"),
        # Console (also on the projector's board headings)
        "ideas": ngettext("%(count)s idea", "%(count)s ideas", n, count="{count}"),
        "cards": ngettext("%(count)s card", "%(count)s cards", n, count="{count}"),
    }


def _console_texts(n: int) -> dict[str, str]:
    """What only the console counts (German and English, like the rest of the console)."""
    return {
        "authors": ngettext("%(count)s author", "%(count)s authors", n, count="{count}"),
        "from_cards": ngettext("from %(count)s card", "from %(count)s cards", n, count="{count}"),
        "origin_cluster": ngettext("Made from the cluster “%(text)s” and its %(count)s card.",
                                   "Made from the cluster “%(text)s” and its %(count)s cards.",
                                   n, text="{text}", count="{count}"),
        "photos_added": ngettext("%(count)s photo added.", "%(count)s photos added.", n,
                                 count="{count}"),
    }


def category_samples(locale) -> dict[str, int]:
    """The smallest whole number of each plural category of the locale."""
    samples: dict[str, int] = {}
    for n in _SAMPLES:
        samples.setdefault(locale.plural_form(n), n)
    return samples


def count_texts(*names: str) -> dict[str, dict[str, str]]:
    """For each named count text: {CLDR category: text} in the current language."""
    by_category = {category: _texts(n) for category, n in category_samples(get_locale()).items()}
    return {name: {category: texts[name] for category, texts in by_category.items()}
            for name in names}
