"""People on demo deals: which of the account's contacts take part in each deal, in which buying role.

Planted signal (documented in ``docs/demo-data.md``, tested in ``tests/warehouse/test_demo_people.py``):
an economic buyer, an executive sponsor and a champion are each far more often on deals that were won
than on deals that were lost; a technical evaluator, an influencer and an end user appear about as
often on both (the control). Open deals take the lost deals' rates plus a share of the difference that
grows with the stage reached. The economic buyer and the executive sponsor go to the account's most
senior contacts, the other roles to its least senior first (on a small account one person may hold two
roles, as CRMs allow), so executives are on the deals that reach their economic buyer or sponsor and
deals with an executive win more often.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa

from revintel.warehouse.demo import pipeline
from revintel.warehouse.demo.common import Context, code, pick, to_table
from revintel.warehouse.demo.pipeline import Pipeline
from revintel.warehouse.people import (
    CHAMPION,
    ECONOMIC_BUYER,
    END_USER,
    EXECUTIVE_SPONSOR,
    INFLUENCER,
    SENIORITIES,
    TECHNICAL_EVALUATOR,
    seniority,
)

#: roles in the order they are handed to contacts (most senior first)
DEMO_ROLES = (ECONOMIC_BUYER, EXECUTIVE_SPONSOR, CHAMPION, TECHNICAL_EVALUATOR, INFLUENCER, END_USER)
#: roles that go to the most senior contacts (the others go to the least senior first)
SENIOR = np.array([True, True, False, False, False, False])
#: probability that a role is on a deal that was won / lost
ON_WON = np.array([0.72, 0.45, 0.80, 0.60, 0.35, 0.25])
ON_LOST = np.array([0.28, 0.15, 0.40, 0.58, 0.35, 0.25])
#: what the CRM calls each role (Salesforce's picklist words), kept as ``source_role``
SOURCE_WORDS = ("Economic Decision Maker", "Executive Sponsor", "Champion", "Technical Buyer", "Influencer",
                "Business User")  # fmt: skip


def titles(contacts: pa.Table) -> list[str | None]:
    """The job title of each demo contact."""
    return contacts.column("title").to_pylist()


def _by_seniority(ctx: Context, contacts: pa.Table, offset: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Contact indices, grouped by account (same layout as ``offset``), most senior first."""
    rank_of = {s: i for i, s in enumerate(SENIORITIES)}
    rank = np.array([rank_of.get(seniority(t) or "", len(SENIORITIES)) for t in titles(contacts)])
    account = np.repeat(np.arange(len(count)), count)
    tie = ctx.rng(70).random(len(rank))
    return np.lexsort((tie, rank, account))


def deal_contact_batches(
    ctx: Context, pipe: Pipeline, contacts: pa.Table, index: tuple[np.ndarray, np.ndarray]
) -> Iterator[pa.RecordBatch]:
    """The deal_contacts table, in slices of CHUNK_OPPS deals."""
    offset, count = index
    ordered = _by_seniority(ctx, contacts, offset, count)
    title = np.asarray(titles(contacts), dtype=object)
    level = np.asarray([seniority(t) for t in title], dtype=object)
    stage_all = pipe.final_stage()
    chunk = pipeline.CHUNK_OPPS
    for lo in range(0, pipe.n, chunk):
        sl = slice(lo, min(pipe.n, lo + chunk))
        rng = ctx.rng(71, lo // chunk)
        stage, status = stage_all[sl], pipe.status[sl]
        reach = np.where(status == 1, 1.0, np.where(status == 2, 0.0, 0.1 + 0.15 * np.minimum(stage, 3)))
        p = ON_LOST[None, :] + reach[:, None] * (ON_WON - ON_LOST)[None, :]
        present = rng.random(p.shape) < p
        acct = pipe.account[sl]
        senior = present & SENIOR[None, :]
        top = np.cumsum(senior, axis=1) - 1  # the k-th senior role: the k-th most senior contact
        bottom = np.cumsum(present & ~SENIOR[None, :], axis=1) - 1  # others: the least senior first
        deal, role = np.nonzero(present)
        n = count[acct[deal]]
        j = np.where(SENIOR[role], top[deal, role], n - 1 - bottom[deal, role]) % n  # one person, two roles
        contact = ordered[offset[acct[deal]] + j]
        yield from to_table(
            "deal_contacts",
            {
                "opportunity_id": code("O", deal + lo, 7),
                "contact_id": code("C", contact, 7),
                "buying_role": pick(DEMO_ROLES, role),
                "source_role": pick(SOURCE_WORDS, role),
                "title": title[contact],
                "seniority": level[contact],
                "is_primary": j == 0,
                "via": np.full(len(deal), "role", dtype=object),
            },
        ).to_batches()
