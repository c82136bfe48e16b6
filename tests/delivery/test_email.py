"""Email delivery against a local aiosmtpd server, parsed back."""

from __future__ import annotations

from revintel.briefs.scheduler import make_message
from revintel.config import Settings
from revintel.delivery import Target, channel, deliver, delivery_log
from revintel.export.sample import sample_document


def test_email_arrives_with_subject_html_body_and_pdf_attachment(rt, smtp_server):
    s = Settings(
        home=rt.settings.home,
        smtp_host=smtp_server.host,
        smtp_port=smtp_server.port,
        smtp_from="briefs@revintel.test",
        delivery_backoff_seconds=0.001,
    )
    msg = make_message(sample_document())
    out = deliver(
        rt.appdb,
        s,
        channel("email", s),
        msg,
        Target(email_to=["cfo@example.com"]),
        key="manual:1:email",
        actor="cfo",
        persona="cfo",
    )
    assert out.outcome == "sent" and out.attempts == 1
    assert len(smtp_server.messages) == 1
    mail = smtp_server.messages[0]
    assert smtp_server.rcpts[0] == ["cfo@example.com"]
    assert mail["Subject"].startswith("Daily brief")
    assert mail["From"] == "briefs@revintel.test"
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert "$4.82M" in html and "Sources" in html and "OPP-1042" in html
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert "$4.82M" in text
    pdfs = [p for p in mail.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert len(pdfs) == 1 and pdfs[0].get_filename().endswith(".pdf")
    assert pdfs[0].get_content().startswith(b"%PDF")
    assert delivery_log(rt.appdb)[0]["outcome"] == "sent"


def test_unreachable_smtp_server_is_logged_as_failed_after_retries(rt, closed_port):
    s = Settings(
        home=rt.settings.home,
        smtp_host="127.0.0.1",
        smtp_port=closed_port,
        delivery_retries=2,
        delivery_backoff_seconds=0.001,
        smtp_timeout_seconds=2,
    )
    out = deliver(
        rt.appdb,
        s,
        channel("email", s),
        make_message(sample_document()),
        Target(email_to=["cfo@example.com"]),
        key="manual:2:email",
        actor="cfo",
    )
    assert out.outcome == "failed" and out.attempts == 2
    entry = delivery_log(rt.appdb)[0]
    assert entry["outcome"] == "failed" and entry["attempts"] == 2
    assert "email delivery failed" in entry["error"] and "refused" in entry["error"].lower()


def test_missing_smtp_host_fails_at_once_with_a_hint(rt):
    s = Settings(home=rt.settings.home, delivery_backoff_seconds=0.001)
    out = deliver(
        rt.appdb,
        s,
        channel("email", s),
        make_message(sample_document()),
        Target(email_to=["cfo@example.com"]),
        key="manual:3:email",
        actor="cfo",
    )
    assert out.outcome == "failed" and out.attempts == 1
    assert "REVINTEL_SMTP_HOST" in out.error
