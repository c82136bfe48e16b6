"""Microsoft Teams: a Bot Framework messaging endpoint that answers through the governed Ask.

Incoming activities carry a JWT from the Bot Framework: its signature is checked against the keys
published at ``REVINTEL_TEAMS_OPENID_URL``, its issuer must be the Bot Framework, its audience this
bot's app id, and its ``serviceUrl`` claim the activity's. The asker (``from.aadObjectId``, else
``from.id``) is mapped through ``REVINTEL_CHAT_USER_MAP`` (``teams:``). Answers are sent to the
conversation with a token from the Bot Framework's token endpoint (client credentials), as text plus
an Adaptive Card with the chart and a link to the evidence, only in 1:1 chats: in a channel, the bot
asks the user to write to it directly, since channel members may have other scopes.
"""

from __future__ import annotations

import base64
import functools
import logging
import time
from typing import Any

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from revintel.chat import charts
from revintel.chat.ask import ask_from_chat
from revintel.config import Settings, reveal
from revintel.errors import AuthRequired
from revintel.runtime import Runtime

log = logging.getLogger("revintel.chat.teams")
ISSUER = "https://api.botframework.com"
TIMEOUT = 15.0
PRIVATE_ONLY = "For your privacy I answer in a 1:1 chat: message me directly."


@functools.lru_cache(maxsize=4)
def _openid(url: str) -> dict[str, Any]:
    r = httpx.get(url, timeout=TIMEOUT)
    r.raise_for_status()
    return r.json()


def verify(settings: Settings, authorization: str, activity: dict[str, Any]) -> dict[str, Any]:
    """The Bot Framework token's claims, after checking signature, issuer, audience, expiry, serviceUrl.

    Raises:
        AuthRequired: Teams is not configured, or the token does not check out.
    """
    if not settings.teams_app_id:
        raise AuthRequired("Teams is not configured", hint="set REVINTEL_TEAMS_APP_ID and _APP_PASSWORD")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise AuthRequired("the Teams request carries no Bot Framework token")
    try:
        meta = _openid(settings.teams_openid_url)
        keys = KeySet.import_key_set(httpx.get(meta["jwks_uri"], timeout=TIMEOUT).json())
        claims = dict(jwt.decode(token, keys).claims)
        jwt.JWTClaimsRegistry(
            leeway=300,
            iss={"essential": True, "value": ISSUER},
            aud={"essential": True, "value": settings.teams_app_id},
            exp={"essential": True},
        ).validate(claims)
    except (JoseError, ValueError, KeyError, httpx.HTTPError) as exc:
        raise AuthRequired("the Teams request's token does not verify") from exc
    if claims.get("serviceUrl") and claims["serviceUrl"].rstrip("/") != str(
        activity.get("serviceUrl", "")
    ).rstrip("/"):
        raise AuthRequired("the Teams request's service URL does not match its token")
    return claims


def reply(rt: Runtime, activity: dict[str, Any]) -> None:
    """Background work: answer the activity (or explain why not) in its conversation."""
    text = _answer(rt, activity)
    try:
        _send(rt.settings, activity, text)
    except httpx.HTTPError:
        log.warning("could not send the reply to Teams", exc_info=True)


def _answer(rt: Runtime, activity: dict[str, Any]) -> dict[str, Any]:
    sender = activity.get("from") or {}
    chat_user = str(sender.get("aadObjectId") or sender.get("id") or "")
    if (activity.get("conversation") or {}).get("conversationType") not in (None, "personal"):
        return {"text": PRIVATE_ONLY}
    question = _strip_mentions(str(activity.get("text") or ""))
    reply = ask_from_chat(rt, "teams", chat_user, question, "What were net fees this year?")
    if reply.answer is None:
        return {"text": reply.text}
    return {"text": reply.text, "card": _card(rt, question, reply.answer)}


def _card(rt: Runtime, question: str, answer: dict[str, Any]) -> dict[str, Any]:
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": question, "weight": "Bolder", "wrap": True},
        {"type": "TextBlock", "text": str(answer.get("answer", "")), "wrap": True},
    ]
    if answer.get("reading"):
        body.append(
            {
                "type": "TextBlock",
                "text": f"Read as: {answer['reading']}",
                "isSubtle": True,
                "wrap": True,
                "size": "Small",
            }
        )
    try:
        png = charts.render_png(answer)
    except Exception:
        log.warning("could not draw the chart of a Teams answer", exc_info=True)
        png = None
    if png:  # inline, so no public URL is needed
        body.append({"type": "Image", "url": "data:image/png;base64," + base64.b64encode(png).decode()})
    card: dict[str, Any] = {"type": "AdaptiveCard", "version": "1.4", "body": body}
    base = (rt.settings.public_url or "").rstrip("/")
    if base:
        card["actions"] = [
            {
                "type": "Action.OpenUrl",
                "title": "Evidence: SQL, definitions, sources",
                "url": str(httpx.URL(f"{base}/ask", params={"q": question})),
            }
        ]
    return card


def _strip_mentions(text: str) -> str:
    import re

    return re.sub(r"<at>[^<]*</at>", "", text).strip()


_token_cache: dict[str, tuple[str, float]] = {}


def _bot_token(settings: Settings) -> str:
    cached = _token_cache.get(settings.teams_token_url)
    if cached and cached[1] > time.time() + 60:
        return cached[0]
    r = httpx.post(
        settings.teams_token_url,
        timeout=TIMEOUT,
        data={
            "grant_type": "client_credentials",
            "client_id": settings.teams_app_id,
            "client_secret": reveal(settings.teams_app_password) or "",
            "scope": "https://api.botframework.com/.default",
        },
    )
    r.raise_for_status()
    body = r.json()
    _token_cache[settings.teams_token_url] = (
        body["access_token"],
        time.time() + float(body.get("expires_in", 3600)),
    )
    return str(body["access_token"])


def _send(settings: Settings, activity: dict[str, Any], content: dict[str, Any]) -> None:
    service = str(activity.get("serviceUrl", "")).rstrip("/")
    conversation = (activity.get("conversation") or {}).get("id")
    out: dict[str, Any] = {
        "type": "message",
        "text": content["text"],
        "replyToId": activity.get("id"),
        "from": activity.get("recipient"),
        "recipient": activity.get("from"),
        "conversation": activity.get("conversation"),
    }
    if content.get("card"):
        out["attachments"] = [
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": content["card"]}
        ]
    url = f"{service}/v3/conversations/{conversation}/activities/{activity.get('id')}"
    r = httpx.post(
        url, json=out, timeout=TIMEOUT, headers={"Authorization": f"Bearer {_bot_token(settings)}"}
    )
    if r.status_code >= 300:
        log.warning("Teams answered HTTP %s to a reply", r.status_code)
