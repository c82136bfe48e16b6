"""Who is who: reps, accounts, contacts and deals, read once to link calls and give turns a role.

A conversation is linked to its account and deal by explicit CRM ids, else by a participant's
email (a known contact, else a domain used by exactly one account's contacts), else by the one
account whose name appears in the title. A deal found that way is the account's one deal open on
the day of the call. A speaker is a rep when the source says so (Gong ``affiliation``) or when
their email, email domain or name is a rep's.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from revintel.conversations.formats import Party, RawCall
from revintel.warehouse.turns import CUSTOMER, REP, UNKNOWN

if TYPE_CHECKING:
    from revintel.warehouse.backends import Warehouse

#: domains that never identify a company
FREE_MAIL = frozenset({"gmail.com", "outlook.com", "hotmail.com", "yahoo.com", "icloud.com", "proton.me"})


def domain(email: str | None) -> str | None:
    return email.rsplit("@", 1)[1].lower() if email and "@" in email else None


@dataclass
class Link:
    """How a call was linked: the ids and the rule that found them (``crm``, ``email``, ``title``)."""

    account_id: str | None = None
    opportunity_id: str | None = None
    rep_id: str | None = None
    how: str | None = None


@dataclass
class Directory:
    """Reps, accounts, contacts and deals, indexed for linking."""

    rep_by_email: dict[str, str] = field(default_factory=dict)
    rep_by_name: dict[str, str] = field(default_factory=dict)
    rep_domains: set[str] = field(default_factory=set)
    account_names: dict[str, str] = field(default_factory=dict)
    account_by_contact: dict[str, str] = field(default_factory=dict)
    accounts_by_domain: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    opp_account: dict[str, str] = field(default_factory=dict)
    opps_by_account: dict[str, list[tuple[str, dt.date | None, dt.date | None, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    @classmethod
    def read(cls, warehouse: Warehouse) -> Directory:
        """Index the warehouse's reps, accounts, contacts and opportunities (a system read)."""
        d = cls()

        def rows(name: str, cols: list[str]) -> list[dict[str, object]]:
            t = warehouse.table(name)
            return warehouse.execute(t.select(*cols)).to_dict("records")  # type: ignore[no-any-return]

        for r in rows("reps", ["rep_id", "name", "email"]):
            if isinstance(r["email"], str) and r["email"]:
                d.rep_by_email[r["email"].lower()] = str(r["rep_id"])
                d.rep_domains.add(domain(r["email"]) or "")
            d.rep_by_name[str(r["name"]).lower()] = str(r["rep_id"])
        d.rep_domains.discard("")
        for r in rows("accounts", ["account_id", "name"]):
            d.account_names[str(r["account_id"])] = str(r["name"])
        for r in rows("contacts", ["account_id", "email"]):
            if isinstance(r["email"], str) and r["account_id"] and "@" in r["email"]:
                d.account_by_contact[r["email"].lower()] = str(r["account_id"])
                dom = domain(r["email"])
                if dom and dom not in FREE_MAIL and dom not in d.rep_domains:
                    d.accounts_by_domain[dom].add(str(r["account_id"]))
        for r in rows(
            "opportunities", ["opportunity_id", "account_id", "created_date", "close_date", "status"]
        ):
            d.opp_account[str(r["opportunity_id"])] = str(r["account_id"])
            d.opps_by_account[str(r["account_id"])].append(
                (str(r["opportunity_id"]), _day(r["created_date"]), _day(r["close_date"]), str(r["status"]))
            )
        return d

    @property
    def rep_names(self) -> set[str]:
        return set(self.rep_by_name)

    def role(self, party: Party | None, speaker: str | None) -> str:
        """``rep``, ``customer`` or ``unknown`` for a speaker."""
        if party is not None and party.affiliation:
            return REP if party.affiliation == "internal" else CUSTOMER
        email = party.email if party else (speaker if speaker and "@" in speaker else None)
        name = (party.name if party else None) or speaker
        if email and (email in self.rep_by_email or domain(email) in self.rep_domains):
            return REP
        if name and name.strip().lower() in self.rep_by_name:
            return REP
        return CUSTOMER if (email or name) else UNKNOWN

    def rep_of(self, call: RawCall) -> str | None:
        if call.rep_id:
            return call.rep_id
        for p in call.parties:
            if p.email and p.email in self.rep_by_email:
                return self.rep_by_email[p.email]
            if p.name and p.name.lower() in self.rep_by_name:
                return self.rep_by_name[p.name.lower()]
        return None

    def link(self, call: RawCall) -> Link:
        """The account, deal and rep of a call, and which rule found them."""
        rep = self.rep_of(call)
        opp = call.opportunity_id if call.opportunity_id in self.opp_account else None
        acct = call.account_id if call.account_id in self.account_names else None
        if opp or acct:
            acct = acct or self.opp_account.get(opp or "")
            return Link(acct, opp or self._open_deal(acct or "", call.occurred_at), rep, "crm")
        acct = self._by_email(call)
        how = "email"
        if acct is None:
            acct, how = self._by_title(call.title), "title"
        if acct is None:
            return Link(rep_id=rep)
        return Link(acct, self._open_deal(acct, call.occurred_at), rep, how)

    def _by_email(self, call: RawCall) -> str | None:
        external = [p.email for p in call.parties if p.email and self.role(p, None) != REP]
        for email in external:
            if email in self.account_by_contact:
                return self.account_by_contact[email]
        found = {a for e in external for a in self.accounts_by_domain.get(domain(e) or "", set())}
        if len(found) == 1 and all(
            len(self.accounts_by_domain.get(domain(e) or "", ())) <= 1 for e in external
        ):
            return found.pop()
        return None

    def _by_title(self, title: str | None) -> str | None:
        if not title:
            return None
        low = title.lower()
        hits = [
            a
            for a, name in self.account_names.items()
            if len(name) >= 3 and re.search(rf"(?<!\w){re.escape(name.lower())}(?!\w)", low)
        ]
        return hits[0] if len(hits) == 1 else None

    def _open_deal(self, account: str, when: dt.datetime | None) -> str | None:
        day = when.date() if when else None
        live = [
            o
            for o, created, closed, status in self.opps_by_account.get(account, [])
            if day is None
            or ((created is None or created <= day) and (closed is None or closed >= day or status == "open"))
        ]
        return live[0] if len(live) == 1 else None


def _day(v: object) -> dt.date | None:
    if v is None or v != v:  # NaT / NaN
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if hasattr(v, "date"):
        return v.date()  # type: ignore[no-any-return]
    return None
