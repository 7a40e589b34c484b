"""The policy's ``replies`` section: validated at load with errors that name the place and the
valid choices; the first matching template suggested; placeholders filled."""

from __future__ import annotations

import pytest

from factories import TEST_POLICY
from vigie.errors import PolicyError
from vigie.policy import REPLY_PLACEHOLDERS, load_policy, parse_policy, placeholders_of
from web_support import REPLIES

# The web tests' templates (question, criticism, thanks), and a removal notice.
GOOD = REPLIES + """    - slug: removal
      label: {fr: Retrait, en: Removal}
      text: {fr: "Retiré selon la {directive} de {institution}.", en: "Removed ({directive})."}
      suggest_for: {actions: [hide, remove, block]}
"""


def test_templates_are_suggested_in_policy_order_and_filled() -> None:
    replies = parse_policy(TEST_POLICY + GOOD).replies
    assert replies is not None
    assert replies.suggest(action="allow", question=True).slug == "question"  # type: ignore[union-attr]
    # A question that was also escalated: the first matching template wins.
    assert replies.suggest(action="escalate", categories=["negative"],
                           question=True).slug == "question"  # type: ignore[union-attr]
    assert replies.suggest(action="escalate",
                           categories=["negative"]).slug == "criticism"  # type: ignore[union-attr]
    assert replies.suggest(action="remove").slug == "removal"  # type: ignore[union-attr]
    assert replies.suggest(action="allow").slug == "thanks"  # type: ignore[union-attr]
    assert replies.suggest(action="review") is None
    values = {"author": "", "institution": "Test U", "directive": "Politique de test",
              "directive_url": "https://example.org/directive"}
    assert replies.get("question").render("fr", values) == (  # no stray space without a name
        "Bonjour, merci pour votre question. La Politique de test : https://example.org/directive")
    assert replies.get("removal").render("en", values) == "Removed (Politique de test)."
    with pytest.raises(KeyError, match="unknown reply template 'nope'; valid: question, "
                                       "criticism, thanks, removal"):
        replies.get("nope")


@pytest.mark.parametrize(("change", "message"), [
    (("Bonjour {author}, merci", "Bonjour {auteur}, merci"),
     r"replies.templates\[0\] \(question\).text.fr: unknown placeholder \{auteur\}; valid: "
     r"\{author\}, \{institution\}, \{directive\}, \{directive_url\}"),
    (("  directive_url: https://example.org/directive\n", ""),
     r"replies.templates\[0\] \(question\).text.fr uses \{directive_url\} but "
     r"replies.directive_url is not set"),
    (("Merci {author}, nous", "Merci {author, nous"),
     r"replies.templates\[1\] \(criticism\).text.fr: .*valid: \{author\}"),
    (("Merci {author}, nous", "Merci {author!r}, nous"),
     r"placeholder \{author!r\} is not a plain \{name\}"),
    (("categories: [negative]", "categories: [nope]"),
     r"replies.templates\[1\] \(criticism\).suggest_for.categories: unknown nope; valid: "
     r"hate, language, negative, spam"),
    (("slug: removal", "slug: question"),
     r"replies.templates: slugs must be unique; repeated: question"),
    (("en: \"Thank you {author}, we pass it on.\"", "en: \"\""),
     r"replies.templates\[1\].text: no text in en; a policy gives its texts in each of its "
     r"allowed_languages \(fr, en\)"),
    (("suggest_for: {question: true}", "suggest_for: {questions: true}"),
     r"questions"),
])
def test_a_broken_replies_section_names_the_place_and_the_choices(
        change: tuple[str, str], message: str) -> None:
    text = (TEST_POLICY + GOOD).replace(*change)
    assert text != TEST_POLICY + GOOD
    with pytest.raises(PolicyError, match=message):
        parse_policy(text, source="p.yaml")


def test_placeholders_are_read_in_order() -> None:
    assert placeholders_of("{author}, {{literal}} {directive}") == ("author", "directive")
    assert set(REPLY_PLACEHOLDERS) == {"author", "institution", "directive", "directive_url",
                                       "appeal_code", "appeal_url"}


def test_the_bundled_directive_has_a_template_for_each_situation() -> None:
    policy = load_policy()
    replies = policy.replies
    assert replies is not None
    assert [t.slug for t in replies.templates] == [
        "question", "criticism", "removal", "reminder", "thanks"]
    situations = {
        "question": replies.suggest(action="allow", question=True),
        "criticism": replies.suggest(action="escalate", escalations=["criticism"]),
        "removal": replies.suggest(action="remove", categories=["hate"]),
        "reminder": replies.suggest(action="review"),
        "thanks": replies.suggest(action="allow"),
    }
    assert {slug: t.slug if t else None for slug, t in situations.items()} == {
        s: s for s in situations}
    values = {"author": "Sylvie", "institution": policy.institution,
              "directive": policy.title.fr, "directive_url": "",
              # The longest code of a store with a billion comments, on a plausible host.
              "appeal_code": "XSNJG0-D1QYMS",
              "appeal_url": "https://vigie.polymtl.ca/appeal?code=XSNJG0-D1QYMS"}
    for template in replies.templates:
        for lang in ("fr", "en"):
            text = template.render(lang, values)
            assert text and "{" not in text and len(text) <= 280, (template.slug, lang, text)
