"""Translations: the catalogues against the code, and the language pages are rendered in.

The text in the code (msgids) is English. German must be complete; the languages of newcomers
must cover everything a participant sees on a phone or on the projector wall; English needs no
msgstr. After adding or changing text run `make translations-update` and translate what is new
in facilitator/translations/*/LC_MESSAGES/messages.po.
"""
import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from facilitator import (CATALOGUE_LOCALES, HTML_LANG, LANGUAGE_NAMES, PARTICIPANT_LANGUAGES,
                         RTL_LANGUAGES, UI_LANGUAGES)

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "facilitator" / "translations"
# Languages of newcomers: at least the participant's screens are translated.
NEWCOMER_LANGUAGES = tuple(lang for lang in PARTICIPANT_LANGUAGES if lang not in UI_LANGUAGES)
# Where participants read text: phone pages, the projector wall everyone sees, the page frame,
# error messages, and the views and forms behind the phone pages.
PARTICIPANT_SOURCES = ("templates/base.html", "templates/_macros.html", "templates/participant/",
                       "templates/screen/", "facilitator/messages.py",
                       "facilitator/views/participant.py", "facilitator/views/working_groups_phone.py")
PARTICIPANT_FORMS = ("CodeForm", "JoinForm")
# %(name)s for gettext, {name} for the strings the JS fills in, %% for a percent sign.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%%|\{\w+\}")


def pybabel(*args: str) -> None:
    """The Babel command line, as `make translations-update` and `make translations` run it."""
    done = subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", *args],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, f"pybabel {' '.join(args)} failed:\n{done.stdout}{done.stderr}"


def catalogue_name(lang: str) -> str:
    """The catalogue directory of a language code (Dari `prs` is Babel's `fa_AF`)."""
    return CATALOGUE_LOCALES.get(lang, lang)


def po_path(lang: str) -> Path:
    return TRANSLATIONS / catalogue_name(lang) / "LC_MESSAGES" / "messages.po"


def load(lang: str):
    with po_path(lang).open("rb") as handle:
        return read_po(handle, locale=catalogue_name(lang))


def ids(catalog) -> set[str]:
    return {message.id for message in catalog if message.id}


def translated_here(message) -> bool:
    """Whether a message has its msgstr (every plural form, for ngettext strings)."""
    if isinstance(message.string, tuple):
        return all(message.string)
    return bool(message.string)


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def listing(messages) -> str:
    return "\n".join(f"  {message!r}" for message in sorted(messages))


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """What the code asks to translate right now, with where each string is used."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    pybabel("extract", "-F", "babel.cfg", "-k", "_l", "-o", str(pot), ".")
    with pot.open("rb") as handle:
        return read_po(handle)


def form_lines(names, module: str = "forms.py") -> set[int]:
    """Line numbers of a module that belong to the given classes or functions."""
    tree = ast.parse((ROOT / "facilitator" / module).read_text())
    lines = set()
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)) and node.name in names:
            lines.update(range(node.lineno, node.end_lineno + 1))
    assert len(lines) > 0, f"{module} has none of {names}"
    return lines


@pytest.fixture(scope="module")
def participant_ids(extracted) -> set[str]:
    forms = form_lines(PARTICIPANT_FORMS)
    # Count texts the browser fills in: those of phones and projector (facilitator/plurals.py).
    counts = form_lines(("_participant_texts",), "plurals.py")
    found = set()
    for message in extracted:
        for filename, line in message.locations:
            if filename.startswith(PARTICIPANT_SOURCES) or (
                    filename == "facilitator/forms.py" and line in forms) or (
                    filename == "facilitator/plurals.py" and line in counts):
                found.add(message.id)
    return found


def test_extraction_finds_python_and_templates(extracted, participant_ids):
    files = {filename for message in extracted for filename, _ in message.locations}
    for expected in ("facilitator/forms.py", "facilitator/messages.py",
                     "templates/base.html", "templates/participant/board.html"):
        assert expected in files
    # Strings inside page_data({...}) that the JS shows are extracted like any other.
    assert "You can send %(max)s ideas on this board." in ids(extracted)
    assert "Join code" in participant_ids


@pytest.mark.parametrize("lang", PARTICIPANT_LANGUAGES)
def test_every_language_has_a_catalogue(lang):
    assert po_path(lang).exists(), f"run `make translations-update` to create {lang}"
    catalog = load(lang)
    assert str(catalog.locale) == catalogue_name(lang)
    # `pybabel compile` without --use-fuzzy skips a catalogue whose header is marked fuzzy.
    assert not catalog.fuzzy, f"{po_path(lang)}: remove '#, fuzzy' from the header once reviewed"


def test_catalogues_cover_exactly_the_supported_languages():
    on_disk = {path.parent.parent.name for path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")}
    assert on_disk == {catalogue_name(lang) for lang in LANGUAGE_NAMES}


@pytest.mark.parametrize("lang", PARTICIPANT_LANGUAGES)
def test_catalogue_is_in_sync_with_the_code(extracted, lang):
    in_code, in_catalogue = ids(extracted), ids(load(lang))
    missing = in_code - in_catalogue
    assert not missing, (f"{len(missing)} strings in the code are not in {lang}/messages.po; "
                         f"run `make translations-update` and translate them:\n{listing(missing)}")
    stale = in_catalogue - in_code
    assert not stale, (f"{lang}/messages.po has strings the code no longer uses; "
                       f"run `make translations-update`:\n{listing(stale)}")


def test_german_is_complete(extracted):
    catalog = load("de")
    untranslated = {m.id for m in catalog if m.id and not translated_here(m)}
    fuzzy = {m.id for m in catalog if m.id and m.fuzzy}
    missing = ids(extracted) - ids(catalog)
    assert not (untranslated or fuzzy or missing), (
        f"German is incomplete.\nUntranslated:\n{listing(untranslated)}\n"
        f"Fuzzy (check, then remove the '#, fuzzy' line):\n{listing(fuzzy)}\n"
        f"Not in de/messages.po yet (run `make translations-update`):\n{listing(missing)}")


@pytest.mark.parametrize("lang", NEWCOMER_LANGUAGES)
def test_participant_text_is_translated(participant_ids, lang):
    catalog = load(lang)
    translated = {m.id for m in catalog if m.id and translated_here(m) and not m.fuzzy}
    missing = participant_ids - translated
    assert not missing, f"Participants would read English in {lang}:\n{listing(missing)}"


@pytest.mark.parametrize("lang", PARTICIPANT_LANGUAGES)
def test_translations_keep_placeholders_and_plain_text(lang):
    catalog = load(lang)
    broken = []
    for message in catalog:
        if not message.id or not any(message.string if isinstance(message.string, tuple)
                                     else [message.string]):
            continue
        if isinstance(message.id, tuple):
            # Plural forms: none may use a placeholder the plural msgid lacks, and the general
            # form ("other", always last) needs them all (a singular form may spell out "one").
            wanted = placeholders(message.id[1])
            forms = [form for form in message.string if form]
            ok = (all(set(placeholders(form)) <= set(wanted) for form in forms)
                  and placeholders(message.string[-1] or message.id[1]) == wanted)
        else:
            wanted = placeholders(message.id)
            forms = [message.string]
            ok = placeholders(message.string) == wanted
        if not ok:
            broken.append(f"{message.id!r} -> {message.string!r}: placeholders differ from {wanted}")
        msgid_text = "".join(message.id) if isinstance(message.id, tuple) else message.id
        for form in forms:
            # A % that is not part of a placeholder breaks the formatting of the whole string.
            if "%" in PLACEHOLDER.sub("", form):
                broken.append(f"{message.id!r} -> {form!r}: a lone % (write %% for a percent sign)")
            # Jinja marks translated text as safe HTML: markup in a msgstr would reach the page raw.
            for character in "<>&":
                if character in form and character not in msgid_text:
                    broken.append(f"{message.id!r} -> {form!r}: contains {character!r}")
    # Babel's own checks (python-format compatibility, plural forms).
    for message, errors in catalog.check():
        broken.extend(f"{message.id!r}: {error}" for error in errors)
    assert not broken, "\n".join(broken)


def test_english_needs_no_msgstr():
    """English text is the msgid itself; a msgstr there would silently override the code."""
    overridden = {m.id for m in load("en")
                  if m.id and any(m.string if isinstance(m.string, tuple) else [m.string])}
    assert not overridden, listing(overridden)


# --- Rendering --------------------------------------------------------------------------------

@pytest.fixture
def compiled(tmp_path):
    """The catalogues compiled as `make translations` does, into a directory of the test's own."""
    directory = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS, directory, ignore=shutil.ignore_patterns("*.mo", "*.pot"))
    pybabel("compile", "-d", str(directory))
    for lang in PARTICIPANT_LANGUAGES:
        assert (directory / catalogue_name(lang) / "LC_MESSAGES" / "messages.mo").exists(), (
            f"{lang} not compiled")
    return directory


@pytest.fixture
def i18n_app(compiled, tmp_path, monkeypatch):
    from facilitator import create_app
    from facilitator.database import migrate
    from facilitator.extensions import babel, db

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("SECRET_KEY", "i18n-test-secret")
    url = f"sqlite:///{tmp_path / 'facilitator.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    for name in ("PUBLIC_URL", "MESSAGE_QUEUE"):
        monkeypatch.delenv(name, raising=False)
    migrate(url)
    app = create_app({"TESTING": True, "DATABASE_URL": url, "ASYNC_MODE": "threading",
                      "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False,
                      "BABEL_TRANSLATION_DIRECTORIES": str(compiled)})
    # Flask-Babel caches loaded catalogues per language across apps: start and end clean.
    with app.app_context():
        babel.domain_instance.cache.clear()
    yield app
    with app.app_context():
        babel.domain_instance.cache.clear()
    db.session.remove()
    db.engine.dispose()


def translated(lang: str, msgid: str) -> str:
    """The msgstr as a page shows it (HTML-escaped), or the msgid where there is none."""
    from markupsafe import escape
    message = load(lang).get(msgid)
    return str(escape(message.string if message is not None and message.string else msgid))


def test_translations_are_found_where_the_app_looks(monkeypatch, tmp_path):
    """Without configuration the app reads the catalogues next to the .po files."""
    from facilitator import create_app
    from facilitator.extensions import db
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
                      "ASYNC_MODE": "threading"})
    directories = [Path(d).resolve() for d in app.extensions["babel"].translation_directories]
    db.engine.dispose()
    assert directories == [TRANSLATIONS.resolve()]


def test_start_page_is_german_for_a_german_browser(i18n_app):
    page = i18n_app.test_client().get("/", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<html lang="de" dir="ltr">' in html
    assert "Beim Workshop mitmachen" in html
    assert translated("de", "Scan the QR code in the room, or type the code you see on the screen.") in html
    assert "Zugangscode" in html
    assert "Join a workshop" not in html


def test_start_page_is_english_for_an_english_browser(i18n_app):
    page = i18n_app.test_client().get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    html = page.get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in html
    assert "Join a workshop" in html
    assert "Join code" in html
    assert "Beim Workshop mitmachen" not in html


def test_start_page_is_german_when_the_browser_asks_for_neither(i18n_app):
    html = i18n_app.test_client().get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="de" dir="ltr">' in html


def test_choosing_arabic_turns_the_page_right_to_left(i18n_app):
    client = i18n_app.test_client()
    answer = client.post("/language", data={"lang": "ar", "next": "/"},
                         headers={"Accept-Language": "de"})
    assert answer.status_code == 302
    html = client.get("/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html
    heading = translated("ar", "Join a workshop")
    assert re.search(r"[\u0600-\u06FF]", heading)
    assert f"<h1>{heading}</h1>" in html
    assert translated("ar", "Join code") in html
    assert "Beim Workshop mitmachen" not in html and "Join a workshop</h1>" not in html


@pytest.mark.parametrize("lang", NEWCOMER_LANGUAGES)
def test_each_newcomer_language_renders(i18n_app, lang):
    client = i18n_app.test_client()
    client.post("/language", data={"lang": lang, "next": "/"})
    html = client.get("/privacy").get_data(as_text=True)
    direction = "rtl" if lang in RTL_LANGUAGES else "ltr"
    assert f'<html lang="{HTML_LANG.get(lang, lang)}" dir="{direction}"' in html
    for msgid in ("Privacy", "What is stored",
                  "Please do not write names or personal data in your ideas."):
        assert translated(lang, msgid) != msgid
        assert translated(lang, msgid) in html


def test_makefile_and_the_app_ship_the_same_catalogues():
    makefile = (ROOT / "Makefile").read_text()
    listed = re.search(r"^LANGUAGES := (.*)$", makefile, re.M).group(1).split()
    assert sorted(listed) == sorted(catalogue_name(lang) for lang in LANGUAGE_NAMES)


# Easy German (Einfache Sprache): the participant texts without the words that stopped people.
JARGON = re.compile(r"Passivlösung|bepunkt|Zwischenstand|Konsensier|Priorisier|Cluster|Matrix|"
                    r"Option", re.I)


def test_easy_german_has_no_jargon_and_short_sentences(participant_ids):
    catalog = load("de@simple")
    jargon, long_sentences = [], []
    for message in catalog:
        if message.id not in participant_ids:
            continue
        for form in message.string if isinstance(message.string, tuple) else [message.string]:
            if JARGON.search(form):
                jargon.append(f"{message.id!r} -> {form!r}")
            for sentence in re.split(r"[.!?:]\s", form):
                if len(sentence.split()) > 16:
                    long_sentences.append(f"{message.id!r} -> {sentence!r}")
    assert not jargon, "\n".join(jargon)
    assert not long_sentences, "\n".join(long_sentences)


def test_easy_german_is_chosen_on_the_phone_and_read_as_german(i18n_app):
    client = i18n_app.test_client()
    client.post("/language", data={"lang": "de@simple", "next": "/"})
    html = client.get("/privacy").get_data(as_text=True)
    assert '<html lang="de" dir="ltr"' in html
    assert "Cookie ist eine kleine Datei" in html
    start = client.get("/").get_data(as_text=True)
    assert '<option value="de@simple" lang="de" selected>' in start


BROWSER_CASES = [  # Accept-Language, the page's language, its direction
    ("ar", "ar", "rtl"), ("fa-IR,fa;q=0.9", "fa", "rtl"), ("prs", "prs", "rtl"),
    ("fa-AF,fa;q=0.8", "prs", "rtl"), ("uk-UA,uk;q=0.9,en;q=0.5", "uk", "ltr"), ("ti-ER", "ti", "ltr"),
    ("tr", "tr", "ltr"), ("fr", "de", "ltr")]


def test_a_phone_gets_its_browser_language_before_the_workshop_language(i18n_app):
    # One app for all cases: compiling the catalogues is the slow part.
    client = i18n_app.test_client()
    for header, lang, direction in BROWSER_CASES:
        html = client.get("/", headers={"Accept-Language": header}).get_data(as_text=True)
        assert f'<html lang="{lang}" dir="{direction}"' in html, header


def test_the_own_choice_beats_the_browser_and_sticks(i18n_app):
    client = i18n_app.test_client()
    client.post("/language", data={"lang": "ti", "next": "/"}, headers={"Accept-Language": "ar"})
    for _ in range(2):
        html = client.get("/", headers={"Accept-Language": "ar"}).get_data(as_text=True)
        assert '<html lang="ti" dir="ltr"' in html


def test_count_texts_give_every_plural_category_its_form(i18n_app):
    from facilitator.plurals import count_texts
    from flask_babel import force_locale
    with i18n_app.test_request_context():
        with force_locale("ar"):
            arabic = count_texts("ideas")["ideas"]
        with force_locale("ru"):
            russian = count_texts("ideas")["ideas"]
        with force_locale("de"):
            german = count_texts("ideas")["ideas"]
    assert set(arabic) == {"zero", "one", "two", "few", "many", "other"}
    assert arabic["one"] == "فكرة واحدة" and arabic["few"] == "{count} أفكار"
    assert arabic["many"] == arabic["other"] == "{count} فكرة"
    assert russian == {"one": "{count} идея", "few": "{count} идеи", "many": "{count} идей"}
    assert german == {"one": "{count} Idee", "other": "{count} Ideen"}


def test_the_language_name_fonts_hold_every_language_name():
    """The language switch draws names with subset fonts (tools/web_fonts.py): a new language
    needs `make web-fonts`, or its name shows as boxes where the device lacks the script."""
    from fontTools.ttLib import TTFont
    web = ROOT / "static" / "fonts" / "web"
    covered = set()
    for face in ("LanguageNames-Arabic", "LanguageNames-Ethiopic"):
        covered |= set(TTFont(web / f"{face}.woff2").getBestCmap())
    needed = {ord(c) for name in LANGUAGE_NAMES.values() for c in name
              if "\u0600" <= c <= "\u06ff" or "\u1200" <= c <= "\u139f"}
    assert needed <= covered, f"run `make web-fonts`: {sorted(map(chr, needed - covered))}"


def test_the_script_faces_hold_what_their_unicode_range_reaches_without_hinting():
    """The WOFF2 faces phones download (tools/web_fonts.py) draw every character of the TTF the PDF
    uses within the face's unicode-range in fonts.css, and carry no hinting instructions."""
    import importlib.util
    from fontTools.ttLib import TTFont
    spec = importlib.util.spec_from_file_location("web_fonts", ROOT / "tools" / "web_fonts.py")
    web_fonts = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(web_fonts)
    for name in web_fonts.WEB:
        reach = set(web_fonts.css_unicode_ranges(name))
        whole = set(TTFont(ROOT / "static" / "fonts" / f"{name}.ttf").getBestCmap()) & reach
        web = TTFont(ROOT / "static" / "fonts" / "web" / f"{name}.woff2")
        assert set(web.getBestCmap()) == whole, f"run `make web-fonts` ({name})"
        assert not {"fpgm", "prep", "cvt "} & set(web.keys()), name


# Buttons whose accessible name adds the card's text to the visible label (WCAG 2.5.3 "label in
# name": a voice-control user says what they see).
LABEL_IN_NAME = {"Hide": "Hide: %(text)s", "Show again": "Show again: %(text)s",
                 "Edit": "Edit: %(text)s", "Move to…": "Move to…: %(text)s"}


@pytest.mark.parametrize("lang", PARTICIPANT_LANGUAGES)
def test_accessible_names_start_with_the_visible_label(lang):
    catalog = load(lang)

    def text(msgid):
        message = catalog.get(msgid)
        return (message.string if message is not None and message.string else msgid)
    wrong = [f"{text(visible)!r} is not in {text(name)!r}" for visible, name in LABEL_IN_NAME.items()
             if text(visible).lower() not in text(name).lower()]
    assert not wrong, "\n".join(wrong)


def test_easy_german_chosen_on_a_phone_leaves_the_console_in_german(i18n_app):
    client = i18n_app.test_client()
    client.post("/language", data={"lang": "de@simple", "next": "/"})
    html = client.get("/console/login").get_data(as_text=True)
    assert '<html lang="de" dir="ltr"' in html
    assert translated("de", "Sign in") in html
