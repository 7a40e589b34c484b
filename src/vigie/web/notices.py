"""Escalation notices in the recipient's language: the words :mod:`vigie.notify` sends.

:mod:`vigie.notify` carries messages and :func:`escalation_composer` words them, here, with the
dashboard's catalogue (``notice.*`` keys, French and English) and its evidence sentences, so an
e-mail says what the escalation's page says. Each notice names the comment and its platform,
the reason (the clause, its label and what it covers, then the evidence sentence of each
finding; for a reviewer's escalation or a staff reply, who and why), the comment's text only when
asked, a link to the escalation's page in the dashboard and, where its address is known (the
record's own, on the platform's host, or one the ids give), to the comment on its platform
(:mod:`vigie.web.permalinks`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from vigie.monitoring.consultations import Consultation
from vigie.monitoring.group_tasks import GroupTask
from vigie.monitoring.page_requests import PageRequest
from vigie.notify.escalation import Composer, Escalation, Notice
from vigie.policy import Policy
from vigie.web.explain import escalation_grounds, stored_reason
from vigie.web.formats import Formats
from vigie.web.i18n import Translator, translator
from vigie.web.permalinks import (
    consultation_path,
    dashboard_url,
    escalation_path,
    page_request_path,
    platform_url,
)

__all__ = ["consultation_notice", "escalation_composer", "escalation_lines",
           "group_tasks_composer", "group_tasks_notice", "page_decision_notice",
           "page_request_notice"]

_QUOTED = 280  # characters of the comment's text a notice quotes, when it quotes any


def escalation_lines(item: Escalation, policy: Policy, t: Translator,
                     dashboard: str | None) -> list[str]:
    """The lines about one escalation (pure).

    Args:
        item: the escalation's facts.
        policy: the policy whose clause labels are used (a slug it lacks is shown as is).
        t: the recipient's translator.
        dashboard: the dashboard's address, or ``None`` (the link is then a path).
    """
    fmt = Formats(t.lang)
    lines = [t("notice.comment", comment=item.comment_id, platform=item.platform)]
    known = stored_reason(item.reason or "", t)
    if known is not None:
        lines.append(t("notice.reason", reason=known))
    grounds = escalation_grounds(item.decision or {}, policy, t, fmt)
    for ground in grounds:
        about = f" — {ground.description}" if ground.description else ""
        lines.append(t("notice.clause", clause=ground.headline, about=about))
        lines.extend(t("notice.evidence", evidence=e) for e in ground.evidence)
    if not grounds and known is None:
        lines.append(t("notice.reason", reason=t("escalations.by_policy")))
    if item.text:
        text = item.text if len(item.text) <= _QUOTED else item.text[:_QUOTED] + "…"
        lines.append(t("notice.text", text=text))
    link = dashboard_url(dashboard, escalation_path(item.pk))
    lines.append(t("notice.dashboard", url=link) if dashboard
                 else t("notice.dashboard_path", url=link))
    elsewhere = platform_url(item.platform, item.comment_id, item.post_id, item.url)
    if elsewhere:
        lines.append(t("notice.platform", url=elsewhere))
    return lines


def escalation_composer(policy: Policy, dashboard: str | None = None) -> Composer:
    """A :class:`~vigie.notify.escalation.Composer` for :func:`send_escalations`.

    Args:
        policy: the policy whose clause labels and descriptions the notices use.
        dashboard: the dashboard's address (``escalation.dashboard_url``), or ``None``.
    """

    def compose(items: Sequence[Escalation], lang: str) -> Notice:
        t = translator(lang)
        if len(items) == 1:
            item = items[0]
            grounds = escalation_grounds(item.decision or {}, policy, t, Formats(t.lang))
            clause = f" ({grounds[0].headline})" if grounds else ""
            subject = t("notice.subject_one", comment=item.comment_id, clause=clause)
            return Notice(subject, (t("notice.intro"), "",
                                    *escalation_lines(item, policy, t, dashboard)))
        lines = [t("notice.intro_many", n=len(items))]
        for item in items:
            lines.extend(["", *escalation_lines(item, policy, t, dashboard)])
        return Notice(t("notice.subject_many", n=len(items)), tuple(lines))

    return compose


def consultation_notice(item: Consultation, lang: str, dashboard: str | None = None) -> Notice:
    """The supervisor's e-mail about a draft put to them (6.3), in ``lang`` (pure).

    It names who asks, who would publish and the clauses the check cited, and links to the
    consultation's page; it never quotes the draft (it may hold what should not leave).
    """
    t = translator(lang)
    clauses = ", ".join(c for c in item.clauses if c) or t("consult.no_findings")
    lines = (t("consult.notice_intro", asker=item.asked_by), "",
             t("consult.notice_speaker", speaker=item.speaker),
             t("consult.notice_clauses", clauses=clauses),
             _link(t, dashboard, consultation_path(item.pk)),
             t("consult.notice_cli", pk=item.pk))
    return Notice(t("consult.notice_subject", pk=item.pk, asker=item.asked_by), lines)


def _link(t: Translator, dashboard: str | None, path: str) -> str:
    link = dashboard_url(dashboard, path)
    return t("notice.dashboard", url=link) if dashboard else t("notice.dashboard_path", url=link)


def page_request_notice(item: PageRequest, lang: str, dashboard: str | None = None) -> Notice:
    """The community manager's notice of a new request to create a page (6.1), pure."""
    t = translator(lang)
    lines = (t("pagereq.notice_intro", asker=item.requested_by), "",
             t("pagereq.notice_page", kind=t(f"registry.kind_{item.kind}"), name=item.name,
               platform=item.platform, url=item.url),
             t("pagereq.notice_unit", unit=item.unit, manager=item.manager),
             t("pagereq.notice_purpose", purpose=item.purpose),
             t("pagereq.notice_mandate", mandate=item.mandate),
             _link(t, dashboard, page_request_path(item.pk)),
             t("pagereq.notice_cli", pk=item.pk))
    return Notice(t("pagereq.notice_subject", pk=item.pk, platform=item.platform,
                    unit=item.unit), lines)


def page_decision_notice(item: PageRequest, lang: str, dashboard: str | None = None) -> Notice:
    """The requester's e-mail: their request approved (and listed) or refused, pure."""
    t = translator(lang)
    status = t(f"pagereq.status_{item.status}")
    lines = [t("pagereq.decision_intro", pk=item.pk, name=item.name, url=item.url,
               status=status, by=item.decided_by or "?"),
             t("pagereq.decision_note", note=item.note or "")]
    if item.status == "approved":
        lines.append(t("pagereq.decision_listed"))
    lines.append(_link(t, dashboard, page_request_path(item.pk)))
    return Notice(t("pagereq.decision_subject", pk=item.pk, status=status), tuple(lines))


def group_tasks_notice(tasks: Sequence[GroupTask], lang: str,
                       dashboard: str | None = None) -> Notice:
    """The community manager's notice of members to remove from groups (7), pure.

    It names the groups, the clauses and the task numbers; never the member (the dashboard
    shows who, behind its login).
    """
    t = translator(lang)
    lines = [t("grouptask.notice_intro", n=len(tasks)), ""]
    for task in tasks:
        clauses = ", ".join(task.clauses) or "—"
        lines.append(t("grouptask.notice_line", pk=task.pk, group=task.group_name,
                       platform=task.platform, clauses=clauses))
    lines.append(_link(t, dashboard, "/group-tasks"))
    return Notice(t("grouptask.notice_subject", n=len(tasks)), tuple(lines))


def group_tasks_composer(dashboard: str | None = None
                         ) -> Callable[[Sequence[GroupTask], str], Notice]:
    """:func:`group_tasks_notice` for :func:`vigie.monitoring.group_tasks.open_group_tasks`."""
    return lambda tasks, lang: group_tasks_notice(tasks, lang, dashboard)
