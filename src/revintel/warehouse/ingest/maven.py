"""The Maven Analytics "CRM Sales Opportunities" dataset (MavenTech), loaded as it is.

Files: ``sales_pipeline.csv`` (opportunities), ``accounts.csv``, ``products.csv``,
``sales_teams.csv`` (reps: ``regional_office`` -> region, ``manager`` -> manager; the team is named
after its manager). Keys are the names the dataset uses (account, product, agent names).

Quirks handled, each recorded as a data-quality finding with its row count:

* products spelt differently in the pipeline ("GTXPro") and in products.csv ("GTX Pro") are
  matched ignoring spaces and punctuation;
* a misspelt sector ("technolgy") is corrected;
* open deals have no value: the amount is imputed from the product's list price (forecasts need
  an amount); won and lost deals keep ``close_value`` (0 for lost);
* open deals without an account or a close date are kept with those fields empty;
* prospecting deals without an engage date (500 of them) existed by the dataset's as-of date, so
  their ``created_date`` is that date (``engage_date`` stays empty): every open deal counts as
  open in the pipeline snapshots (2,089 open deals, not 1,589).

Stages: Prospecting -> Prospecting, Engaging -> Qualification, Won -> Closed Won, Lost -> Closed Lost
(the source stage is kept). The dataset's as-of date is the latest date in it (2017-12-31).
"""

from __future__ import annotations

from pathlib import Path

from revintel.errors import Problem
from revintel.warehouse.ingest.base import Extract, LoadedFile, Source, register_source
from revintel.warehouse.ingest.parse import Field, read_export
from revintel.warehouse.ingest.readers import EXAMPLES, Problems, Scratch
from revintel.warehouse.quality import Finding, orphan_finding, spelling_fixes

STAGES = {
    "Prospecting": "Prospecting",
    "Engaging": "Qualification",
    "Won": "Closed Won",
    "Lost": "Closed Lost",
}

FILES: dict[str, tuple[str, dict[str, Field], list[str]]] = {
    "accounts": (
        "accounts.csv",
        {
            "account": Field("string", True),
            "sector": Field("string"),
            "year_established": Field("int"),
            "revenue": Field("float"),
            "employees": Field("int"),
            "office_location": Field("string"),
            "subsidiary_of": Field("string"),
        },
        ["account"],
    ),
    "products": (
        "products.csv",
        {
            "product": Field("string", True),
            "series": Field("string"),
            "sales_price": Field("float"),
        },
        ["product"],
    ),
    "reps": (
        "sales_teams.csv",
        {
            "sales_agent": Field("string", True),
            "manager": Field("string"),
            "regional_office": Field("string"),
        },
        ["sales_agent"],
    ),
    "opportunities": (
        "sales_pipeline.csv",
        {
            "opportunity_id": Field("string", True),
            "sales_agent": Field("string"),
            "product": Field("string"),
            "account": Field("string"),
            "deal_stage": Field("string", True),
            "engage_date": Field("date"),
            "close_date": Field("date"),
            "close_value": Field("float"),
        },
        ["opportunity_id"],
    ),
}

_SQL_PRODUCT_KEYS = """
CREATE TABLE m_product_map AS
SELECT p.product AS source_name, coalesce(min(c.product), p.product) AS product_id, min(p._line) AS line,
       count(c.product) > 0 AS known
FROM (SELECT product, min(_line) AS _line FROM m_opportunities WHERE product IS NOT NULL GROUP BY product) p
LEFT JOIN m_products c
  ON lower(regexp_replace(c.product, '[^A-Za-z0-9]', '', 'g'))
   = lower(regexp_replace(p.product, '[^A-Za-z0-9]', '', 'g'))
GROUP BY p.product
"""
_SQL_STAGES = "CREATE TABLE m_stages (deal_stage VARCHAR, stage VARCHAR, status VARCHAR)"
_SQL_OPPORTUNITIES = """
CREATE TABLE out_opportunities AS
SELECT o.opportunity_id,
       coalesce(o.account, 'No account') || ' - ' || coalesce(pm.product_id, 'No product') AS name,
       o.account AS account_id, o.sales_agent AS rep_id, pm.product_id,
       s.stage, o.deal_stage AS source_stage, s.status,
       CASE WHEN s.status = 'open' THEN coalesce(o.close_value, p.sales_price) ELSE o.close_value END
         AS amount,
       CAST(NULL AS DOUBLE) AS probability,
       coalesce(o.engage_date, CASE WHEN s.status = 'open' THEN (SELECT max(greatest(
         coalesce(close_date, engage_date), coalesce(engage_date, close_date))) FROM m_opportunities) END)
         AS created_date,
       o.engage_date, o.close_date,
       'maven' AS source,
       (s.status = 'open' AND o.close_value IS NULL AND p.sales_price IS NOT NULL) AS _imputed,
       o._line
FROM m_opportunities o
JOIN m_stages s USING (deal_stage)
LEFT JOIN m_product_map pm ON pm.source_name = o.product
LEFT JOIN m_products p ON p.product = pm.product_id
"""
_SQL_REPS = """
CREATE TABLE out_reps AS
SELECT sales_agent AS rep_id, sales_agent AS name, manager AS team, manager, regional_office AS region,
       'AE' AS role, TRUE AS active, 'maven' AS source
FROM m_reps
"""
_SQL_PRODUCTS = """
CREATE TABLE out_products AS
SELECT product AS product_id, product AS name, series, sales_price AS list_price, series AS capability,
       'maven' AS source
FROM m_products
"""
_SQL_ACCOUNTS = """
CREATE TABLE out_accounts AS
SELECT account AS account_id, account AS name, coalesce(f.fixed, a.sector) AS sector,
       office_location AS country, employees, revenue * 1e6 AS annual_revenue,
       subsidiary_of AS parent_account_id, 'maven' AS source
FROM m_accounts a LEFT JOIN m_sector_fixes f ON f.sector = a.sector
"""
_COUNT = "SELECT count(*), min(_line) FROM out_opportunities WHERE "
#: (rule, severity, query counting the rows and the first line, message)
_RULES = (
    (
        "imputed_amount",
        "info",
        _COUNT + "_imputed",
        "open deal without a value: amount imputed from the product's list price",
    ),
    (
        "missing_account",
        "info",
        _COUNT + "account_id IS NULL",
        "deal without an account: kept with no account",
    ),
    (
        "missing_close_date",
        "info",
        _COUNT + "status = 'open' AND close_date IS NULL",
        "open deal without a close date: kept with no close date",
    ),
    (
        "missing_engage_date",
        "info",
        _COUNT + "engage_date IS NULL",
        "open deal without an engage date: created on or before the dataset's as-of date, so created_date "
        "is set to it (the deal counts as open in pipeline snapshots)",
    ),
    (
        "closed_without_value",
        "warning",
        _COUNT + "status <> 'open' AND amount IS NULL",
        "won or lost deal without a close value: amount left empty",
    ),
)


@register_source
class MavenSource(Source):
    """Maven Analytics CRM Sales Opportunities."""

    name = "maven"
    description = (
        "the Maven 'CRM Sales Opportunities' folder: sales_pipeline.csv, accounts.csv, "
        "products.csv, sales_teams.csv"
    )

    def extract(self, path: Path, scratch: Scratch, problems: Problems) -> Extract:
        folder = path if path.is_dir() else path.parent
        out = Extract()
        for table, (file, fields, key) in FILES.items():
            if not (folder / file).exists():
                problems.add(Problem("file missing from the export", file=file, expected=f"{folder / file}"))
                continue
            src = read_export(
                scratch,
                folder / file,
                problems,
                fields,
                name=f"m_{table}",
                required_columns=list(fields),
                key=key,
            )
            if src is not None:
                out.files.append(LoadedFile(src.path, src.sha256, table, src.rows))
        if problems:
            return out
        self._check_stages(scratch, problems)
        if problems:
            return out
        out.findings += self._map(scratch)
        out.tables = {t: f"out_{t}" for t in FILES}
        out.as_of = scratch.con.execute(
            "SELECT max(greatest(coalesce(close_date, engage_date), coalesce(engage_date, close_date))) "
            "FROM m_opportunities"
        ).fetchall()[0][0]  # type: ignore[index]
        return out

    def _check_stages(self, scratch: Scratch, problems: Problems) -> None:
        scratch.con.execute(_SQL_STAGES)
        scratch.con.executemany(
            "INSERT INTO m_stages VALUES (?, ?, ?)",
            [
                (k, v, "won" if v == "Closed Won" else "lost" if v == "Closed Lost" else "open")
                for k, v in STAGES.items()
            ],
        )
        bad = scratch.con.execute(
            "SELECT _line, deal_stage, count(*) OVER () FROM m_opportunities "
            "WHERE deal_stage NOT IN (SELECT deal_stage FROM m_stages) ORDER BY _line LIMIT ?",
            [EXAMPLES],
        ).fetchall()
        if bad:
            problems.add_counted(
                [
                    Problem(
                        "unknown deal stage",
                        file="sales_pipeline.csv",
                        line=ln,
                        column="deal_stage",
                        value=v,
                        expected=", ".join(STAGES),
                    )
                    for ln, v, _ in bad
                ],
                int(bad[0][2]),
            )

    def _map(self, scratch: Scratch) -> list[Finding]:
        con = scratch.con
        sectors = [
            r[0]
            for r in con.execute("SELECT DISTINCT sector FROM m_accounts WHERE sector IS NOT NULL").fetchall()
        ]
        fixes = spelling_fixes(sectors)
        con.execute("CREATE TABLE m_sector_fixes (sector VARCHAR, fixed VARCHAR)")
        if fixes:
            con.executemany("INSERT INTO m_sector_fixes VALUES (?, ?)", list(fixes.items()))
        for sql in (_SQL_PRODUCT_KEYS, _SQL_OPPORTUNITIES, _SQL_REPS, _SQL_PRODUCTS, _SQL_ACCOUNTS):
            con.execute(sql)
        findings = _product_findings(scratch)
        n_fixed = con.execute(
            "SELECT count(*) FROM m_accounts a JOIN m_sector_fixes f USING (sector)"
        ).fetchall()[0]
        if fixes:
            findings.append(
                Finding(
                    "sector_typo",
                    "accounts",
                    int(n_fixed[0]),
                    column="sector",  # type: ignore[index]
                    value=", ".join(f"{k} -> {v}" for k, v in fixes.items()),
                    message="misspelt sector corrected: "
                    + ", ".join(f"{k!r} -> {v!r}" for k, v in fixes.items()),
                )
            )
        for rule, severity, query, message in _RULES:
            n, line = con.execute(query).fetchall()[0]  # type: ignore[misc]
            if n:
                findings.append(Finding(rule, "opportunities", int(n), message, severity, line=line))  # type: ignore[arg-type]
        for fk, parent, pk, what in (
            ("account_id", "out_accounts", "account_id", "account"),
            ("rep_id", "out_reps", "rep_id", "rep"),
        ):
            f = orphan_finding(
                con, "out_opportunities", fk, parent, pk, "opportunities", f"orphan_{what}", what
            )
            if f:
                findings.append(f)
        return findings


def _product_findings(scratch: Scratch) -> list[Finding]:
    findings = []
    renamed = scratch.con.execute(
        "SELECT pm.source_name, pm.product_id, count(*), min(o._line) FROM m_product_map pm "
        "JOIN m_opportunities o ON o.product = pm.source_name "
        "WHERE pm.known AND pm.source_name <> pm.product_id GROUP BY ALL ORDER BY 1"
    ).fetchall()
    for source_name, product_id, n, line in renamed:
        findings.append(
            Finding(
                "product_name_normalised",
                "opportunities",
                int(n),
                column="product",
                value=source_name,
                line=line,
                message=f"product {source_name!r} matched to {product_id!r} in products.csv",
            )
        )
    unknown = scratch.con.execute("SELECT source_name, line FROM m_product_map WHERE NOT known").fetchall()
    for source_name, line in unknown:
        findings.append(
            Finding(
                "unknown_product",
                "opportunities",
                1,
                severity="warning",
                column="product",
                value=source_name,
                line=line,
                message=f"product {source_name!r} is not in products.csv; kept as is",
            )
        )
    return findings
