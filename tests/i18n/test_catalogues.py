"""The Spanish and Chinese catalogues cover every marked string, and templates mark all their text."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import app.cli.translate
from tests.support.i18n import LANGUAGES
from tests.support.paths import TRANSLATIONS_DIR

TEMPLATES_DIR = Path(app.cli.translate.APP_DIR) / "templates"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%%")
# Words a template may show untranslated: the site's name and each language's own name.
ALLOWED_WORDS = {"Microblog", "English", "Español"}
TRANSLATABLE_ATTRIBUTES = ("aria-label", "placeholder", "alt", "title", "data-[\\w-]*text")


@pytest.fixture(scope="module")
def template_catalog(tmp_path_factory):
    """Extract the marked strings afresh, exactly as `flask translate update` does."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    original = app.cli.translate.POT_FILE
    app.cli.translate.POT_FILE = pot
    try:
        app.cli.translate.extract_messages()
    finally:
        app.cli.translate.POT_FILE = original
    with pot.open("rb") as file:
        return read_po(file)


def load_catalog(lang: str):
    with (TRANSLATIONS_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as file:
        return read_po(file, locale=lang)


def msgids(catalog) -> list:
    return [message.id for message in catalog if message.id]


def as_tuple(value) -> tuple:
    return value if isinstance(value, tuple) else (value,)


def test_extraction_finds_strings_from_python_templates_and_plurals(template_catalog):
    ids = msgids(template_catalog)
    assert len(ids) > 100
    assert "Explore" in ids  # a template
    assert "Please use a different username." in ids  # a _l() form message
    assert "[Microblog] Reset Your Password" in ids  # an email subject
    assert "Older posts" in ids  # a macro in app/templates/_macros (pybabel skips "_" folders by default)
    assert any(isinstance(message_id, tuple) for message_id in ids), "ngettext plurals are extracted"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_headers_are_ready_to_compile(lang):
    catalog = load_catalog(lang)
    assert not catalog.fuzzy, "a fuzzy header makes pybabel skip the whole catalogue"
    assert str(catalog.locale) == lang
    assert catalog.num_plurals == {"es": 2, "zh": 1}[lang]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_marked_string_is_translated_and_not_fuzzy(template_catalog, lang):
    catalog = load_catalog(lang)
    problems = []
    for message in template_catalog:
        if not message.id:
            continue
        translated = catalog.get(message.id)
        if translated is None:
            problems.append(f"missing: {message.id!r} (run `flask translate update`)")
        elif translated.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        elif not all(as_tuple(translated.string)) or len(as_tuple(translated.string)) != (
            catalog.num_plurals if translated.pluralizable else 1
        ):
            problems.append(f"untranslated: {message.id!r}")
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_every_placeholder(lang):
    catalog = load_catalog(lang)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        expected = set(PLACEHOLDER.findall(as_tuple(message.id)[-1]))
        for form in as_tuple(message.string):
            if set(PLACEHOLDER.findall(form)) != expected:
                problems.append(f"{message.id!r} -> {form!r}")
        problems.extend(f"{message.id!r}: {error}" for error in message.check(catalog))
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_has_no_stale_or_obsolete_entries(template_catalog, lang):
    catalog = load_catalog(lang)
    current = set(msgids(template_catalog))
    stale = [message_id for message_id in msgids(catalog) if message_id not in current]
    assert stale == [], "strings no longer in the code: run `flask translate update`"
    assert not catalog.obsolete


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_are_really_in_the_language(lang):
    """Guard against a msgstr copied from English: most entries must differ from their msgid."""
    catalog = load_catalog(lang)
    messages = [message for message in catalog if message.id]
    unchanged = [message.id for message in messages if as_tuple(message.string)[0] == as_tuple(message.id)[0]]
    assert unchanged == []
    if lang == "zh":
        han = [message.id for message in messages if re.search(r"[\u4e00-\u9fff]", as_tuple(message.string)[0])]
        assert len(han) == len(messages)


def visible_text(source: str) -> tuple[str, list[str]]:
    """Return a template's text outside Jinja and HTML markup, and its translatable attribute values."""
    source = re.sub(r"\{#.*?#\}", " ", source, flags=re.S)
    source = re.sub(r"<!--.*?-->", " ", source, flags=re.S)
    source = re.sub(r"<(script|style)\b.*?</\1>", " ", source, flags=re.S | re.I)
    without_jinja = re.sub(r"\{%.*?%\}|\{\{.*?\}\}", " ", source, flags=re.S)
    attributes = re.findall(
        r"""\s(?:""" + "|".join(TRANSLATABLE_ATTRIBUTES) + r""")\s*=\s*(?:"([^"]*)"|'([^']*)')""",
        without_jinja,
        flags=re.I,
    )
    values = [double or single for double, single in attributes]
    text = re.sub(r"<[^>]*>", " ", without_jinja, flags=re.S)
    text = re.sub(r"&[#\w]+;", " ", text)
    return text, values


def english_words(text: str) -> list[str]:
    return [word for word in re.findall(r"[A-Za-z][A-Za-z']+", text) if word not in ALLOWED_WORDS]


TEMPLATES = sorted(
    path.relative_to(TEMPLATES_DIR).as_posix() for path in TEMPLATES_DIR.rglob("*") if path.suffix in {".html", ".txt"}
)


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_has_no_unmarked_english(name):
    text, attributes = visible_text((TEMPLATES_DIR / name).read_text(encoding="utf-8"))
    assert english_words(text) == [], f"{name}: wrap visible text in _()"
    assert [value for value in attributes if english_words(value)] == [], f"{name}: wrap attribute text in _()"


def test_template_scan_catches_unmarked_text():
    text, attributes = visible_text(
        '{% if x %}<p class="lead" title="Hello there">Welcome {{ _("Home") }}</p>{# note #}'
        "<img alt=\"{{ _('Avatar') }}\"><span>Microblog</span>{% endif %}"
    )
    assert english_words(text) == ["Welcome"]
    assert [value for value in attributes if english_words(value)] == ["Hello there"]
