"""The BM25 index of every conversation turn (``bm25s``), built once per data version.

The index covers all turns (a system job) and keeps each turn's text, speaker and start so a
result needs no second read. Which turns a user may see is decided per query by a mask built from
the rows :meth:`SemanticLayer.scoped_table` returns for that user (a turn is in scope exactly when
its conversation is), so a hit outside the scope can never be ranked, counted or shown. The index
is kept in memory and on disk under ``<home>/cache/calls/<data version>/`` so a CLI call does not
rebuild it.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bm25s
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from revintel.conversations.text import lemma

ROLES = ("rep", "customer", "unknown")


def _stem(tokens: list[str]) -> list[str]:
    return [lemma(t) for t in tokens]


def tokenize(texts: list[str]) -> Any:
    """bm25s tokens (ids + vocabulary) with English stop words removed and lemmas as stems."""
    return bm25s.tokenize(texts, stopwords="en", stemmer=_stem, show_progress=False)


def query_tokens(text: str) -> list[str]:
    """The lemmas of a query, as the index stores them."""
    out: list[list[str]] = bm25s.tokenize(
        [text], stopwords="en", stemmer=_stem, return_ids=False, show_progress=False
    )
    return out[0]


@dataclass
class CallIndex:
    """BM25 over turns, with each turn's conversation (as a code), turn number and speaker role."""

    retriever: bm25s.BM25 | None
    conversations: np.ndarray  # conversation ids, by code
    doc_conv: np.ndarray  # int32 conversation code per turn
    doc_turn: np.ndarray  # int32 turn_index per turn
    doc_role: np.ndarray  # int8 index into ROLES per turn
    docs: pa.Table | None = None  # speaker, start_seconds, text per turn (same order)
    build_seconds: float = 0.0

    @property
    def size(self) -> int:
        return int(self.doc_conv.shape[0])

    def turn(self, i: int) -> dict[str, Any]:
        """Speaker, start (seconds) and text of turn ``i``."""
        if self.docs is None:
            return {"speaker": None, "start_seconds": None, "text": ""}
        return {c: self.docs.column(c)[i].as_py() for c in ("speaker", "start_seconds", "text")}

    @classmethod
    def build(
        cls,
        conversation_ids: list[str],
        turn_index: list[int],
        roles: list[str],
        texts: list[str],
        docs: pa.Table | None = None,
    ) -> CallIndex:
        """Index turns given as parallel lists (``docs``: their speaker, start_seconds and text)."""
        started = time.perf_counter()
        convs, codes = np.unique(np.asarray(conversation_ids, dtype=object), return_inverse=True)
        role_code = {r: i for i, r in enumerate(ROLES)}
        retriever = None
        if texts:
            retriever = bm25s.BM25()
            retriever.index(tokenize(texts), show_progress=False)
        return cls(
            retriever,
            convs.astype(str),
            codes.astype(np.int32),
            np.asarray(turn_index, dtype=np.int32),
            np.asarray([role_code.get(r or "unknown", 2) for r in roles], dtype=np.int8),
            docs,
            time.perf_counter() - started,
        )

    def scores(
        self, query: str, allowed: np.ndarray, role: str | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(turns, BM25 scores) of the turns holding a query word, inside ``allowed`` conversations
        (and ``role``); every other turn scores zero and is not listed.

        Read straight from the index's postings, so a query costs in proportion to how often its
        words are said, not to the number of turns (no dense array over every turn).
        """
        empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
        if self.retriever is None:
            return empty
        vocab = self.retriever.vocab_dict
        ids = [vocab[t] for t in query_tokens(query) if t in vocab]
        if not ids:
            return empty
        if self.retriever.nonoccurrence_array is not None:  # BM25L/BM25+: every turn has a score
            dense = self.retriever.get_scores_from_ids(ids)
            docs = np.flatnonzero(dense)
            vals = dense[docs]
        else:
            post = self.retriever.scores
            indptr, indices, data = post["indptr"], post["indices"], post["data"]
            if len(ids) == 1:  # one word: its postings are the answer (turns unique and in order)
                docs, vals = (
                    indices[indptr[ids[0]] : indptr[ids[0] + 1]],
                    data[indptr[ids[0]] : indptr[ids[0] + 1]],
                )
            else:
                docs_all = np.concatenate([indices[indptr[t] : indptr[t + 1]] for t in ids])
                vals_all = np.concatenate([data[indptr[t] : indptr[t + 1]] for t in ids])
                docs, inverse = np.unique(docs_all, return_inverse=True)
                vals = np.bincount(inverse, weights=vals_all, minlength=docs.size).astype(np.float32)
        keep = allowed[self.doc_conv[docs]] & (vals > 0)
        if role is not None:
            keep &= self.doc_role[docs] == ROLES.index(role)
        return docs[keep].astype(np.int64), vals[keep]

    def top(self, hits: tuple[np.ndarray, np.ndarray], k: int) -> list[tuple[int, float]]:
        """The ``k`` best (turn, score) of :meth:`scores`, best first (ties: earlier turn first)."""
        docs, vals = hits
        if docs.size > k:
            best = np.argpartition(-vals, k - 1)[:k]
            docs, vals = docs[best], vals[best]
        order = sorted(range(docs.size), key=lambda n: (-float(vals[n]), int(docs[n])))
        return [(int(docs[n]), float(vals[n])) for n in order]

    def save(self, folder: Path) -> None:
        """Write the index to ``folder`` (replacing it atomically)."""
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self.retriever is not None:
            self.retriever.save(str(tmp / "bm25"), show_progress=False)
        np.savez(
            tmp / "docs.npz",
            conversations=self.conversations,
            doc_conv=self.doc_conv,
            doc_turn=self.doc_turn,
            doc_role=self.doc_role,
        )
        if self.docs is not None:
            pq.write_table(self.docs, tmp / "docs.parquet")
        (tmp / "meta.json").write_text(json.dumps({"build_seconds": self.build_seconds}))
        shutil.rmtree(folder, ignore_errors=True)
        tmp.rename(folder)

    @classmethod
    def load(cls, folder: Path) -> CallIndex | None:
        """The index saved in ``folder``, or ``None`` when there is none."""
        if not (folder / "docs.npz").exists():
            return None
        with np.load(folder / "docs.npz", allow_pickle=False) as d:
            arrays = {k: d[k] for k in ("conversations", "doc_conv", "doc_turn", "doc_role")}
        retriever = None
        if (folder / "bm25").exists():
            retriever = bm25s.BM25.load(str(folder / "bm25"), show_progress=False)
        docs = pq.read_table(folder / "docs.parquet") if (folder / "docs.parquet").exists() else None
        meta = json.loads((folder / "meta.json").read_text())
        return cls(retriever, **arrays, docs=docs, build_seconds=float(meta.get("build_seconds", 0.0)))
