"""Attribution models: published definitions, exact Markov removal effects, exact Shapley values."""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict

import numpy as np
import pandas as pd
import pytest

from revintel.marketing import heuristics as h
from revintel.marketing.attribution import MODELS, attribute
from revintel.marketing.journeys import from_lists
from revintel.marketing.markov import markov
from revintel.marketing.paths import read_paths
from revintel.marketing.shapley import shapley, shapley_values


def _by_channel(j, arr):
    return dict(zip(j.channels, np.round(arr, 9), strict=True))


SMALL = from_lists(
    [["a", "b", "c"], ["a"], ["b", "a"], ["c", "direct"], ["a", "b", "b", "c", "a"]],
    conversions=[2, 1, 0, 1, 3],
    value=[20.0, 5.0, 0.0, 7.0, 60.0],
    nulls=[1, 4, 3, 2, 0],
)


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("first_touch", {"a": 6.0, "b": 0.0, "c": 1.0, "direct": 0.0}),
        ("last_touch", {"a": 4.0, "b": 0.0, "c": 2.0, "direct": 1.0}),
        ("last_non_direct", {"a": 4.0, "b": 0.0, "c": 3.0, "direct": 0.0}),
        (
            "linear",
            {"a": 2 / 3 + 1 + 3 * 2 / 5, "b": 2 / 3 + 3 * 2 / 5, "c": 2 / 3 + 0.5 + 3 / 5, "direct": 0.5},
        ),
        # 40/20/40: 3 touches -> .4/.2/.4; 5 touches -> .4, .2/3 x3, .4; 2 touches -> .5/.5
        (
            "position_based",
            {"a": 0.8 + 1 + 3 * 0.8, "b": 0.4 + 3 * 0.4 / 3, "c": 0.8 + 0.5 + 3 * 0.2 / 3, "direct": 0.5},
        ),
    ],
)
def test_heuristic_models_follow_the_published_definitions(model, expected):
    res = attribute(SMALL, (model,))
    got = _by_channel(SMALL, res.conversions[model])
    assert got == pytest.approx(expected)
    assert res.conversions[model].sum() == pytest.approx(SMALL.total_conversions)


def test_time_decay_halves_credit_per_half_life_before_conversion():
    j = from_lists([["a", "b", "c"]], conversions=[1], age_days=[[14.0, 7.0, 0.0]])
    w = h.time_decay(j, half_life=7.0)
    assert w == pytest.approx(np.array([1, 2, 4]) / 7)


def test_w_shaped_gives_thirty_percent_to_each_milestone_and_shares_ten():
    j = from_lists(
        [["a", "b", "c", "d", "e"], ["a", "b"]],
        conversions=[1, 1],
        lead_touch=[1, 0],
        opp_touch=[3, 1],
    )
    w = h.w_shaped(j)
    assert w[:5] == pytest.approx([0.3, 0.3, 0.05, 0.3, 0.05])
    # first touch and lead creation coincide: 60% + 0.1 shared by the two milestone touches
    assert w[5:] == pytest.approx([0.6 + 0.05, 0.3 + 0.05])


def test_w_shaped_is_left_out_with_a_note_when_milestones_are_unknown():
    res = attribute(SMALL)
    assert "w_shaped" not in res.models
    assert "lead-creation" in res.notes["w_shaped"]


def _dense_removal_effects(paths, conv, nulls):
    """An independent first-order computation: Python dict counting and a dense inverse."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for p, c, n in zip(paths, conv, nulls, strict=True):
        steps = ["(start)", *p]
        for a, b in itertools.pairwise(steps):
            counts[a][b] += c + n
        counts[steps[-1]]["(conversion)"] += c
        counts[steps[-1]]["(null)"] += n
    channels = sorted({c for p in paths for c in p})

    def p_conv(removed):
        states = ["(start)", *[c for c in channels if c != removed]]
        ix = {s: i for i, s in enumerate(states)}
        q = np.zeros((len(states), len(states)))
        r = np.zeros(len(states))
        for s in states:
            total = sum(counts[s].values())
            for t, k in counts[s].items():
                if t == "(conversion)":
                    r[ix[s]] += k / total
                elif t in ix:
                    q[ix[s], ix[t]] += k / total
        return (np.linalg.inv(np.eye(len(states)) - q) @ r)[0]

    base = p_conv(None)
    return {c: 1 - p_conv(c) / base for c in channels}


def test_markov_removal_effects_equal_an_independent_dense_computation():
    paths = [["a", "b", "c"], ["a"], ["b", "a"], ["c", "direct"], ["a", "b", "b", "c", "a"]]
    expected = _dense_removal_effects(paths, [2, 1, 0, 1, 3], [1, 4, 3, 2, 0])
    res = markov(SMALL, 1)
    assert _by_channel(SMALL, res.removal_conversions) == pytest.approx(expected, abs=1e-9)
    assert res.conversions.sum() == pytest.approx(SMALL.total_conversions)


def test_markov_higher_order_remembers_where_a_journey_came_from():
    # after b, journeys that came from a convert and those from c never do: order 2 sees it
    j = from_lists([["a", "b"], ["c", "b"]], conversions=[10, 0], nulls=[0, 10])
    one, two = markov(j, 1), markov(j, 2)
    assert _by_channel(j, two.conversions) == pytest.approx({"a": 5.0, "b": 5.0, "c": 0.0})
    assert one.conversions[2] > 0  # order 1 cannot tell, and credits c


def test_shapley_values_equal_brute_force_over_orderings():
    rng = np.random.default_rng(3)
    n = 4
    v = np.concatenate([[0.0], rng.random((1 << n) - 1)])
    phi = shapley_values(v, n)
    brute = np.zeros(n)
    for order in itertools.permutations(range(n)):
        mask = 0
        for i in order:
            brute[i] += v[mask | (1 << i)] - v[mask]
            mask |= 1 << i
    assert phi == pytest.approx(brute / math.factorial(n))


def test_shapley_splits_each_journey_equally_among_its_distinct_channels():
    res = shapley(SMALL)
    # the unanimity-game identity: journey credit / distinct channels
    expected = {"a": 2 / 3 + 1 + 3 / 3, "b": 2 / 3 + 3 / 3, "c": 2 / 3 + 0.5 + 3 / 3, "direct": 0.5}
    assert _by_channel(SMALL, res.conversions) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("a > b;1;1.0;0", None),
        (";1;1.0;0", "empty path"),
        ("a > b;-1;1.0;0", "negative count"),
        ("a > b;1;1.0;-2", "negative count"),
        ("a | b;1;1.0;0", "unknown separator"),
        ("a -> b;1;1.0;0", "unknown separator"),
        ("a > > b;1;1.0;0", "empty channel"),
        ("a > b;x;1.0;0", "not a number"),
    ],
)
def test_paths_file_rejects_bad_lines_with_line_and_reason(tmp_path, line, reason):
    from revintel.errors import ValidationFailed

    f = tmp_path / "paths.csv"
    f.write_text("path;total_conversions;total_conversion_value;total_null\nc > a;2;3.0;1\n" + line + "\n")
    if reason is None:
        assert len(read_paths(f)) == 2
        return
    with pytest.raises(ValidationFailed) as err:
        read_paths(f)
    problem = err.value.problems[0]
    assert problem.line == 3 and reason in problem.message and problem.file == "paths.csv"


def test_paths_file_with_unknown_column_separator_is_rejected(tmp_path):
    from revintel.errors import ValidationFailed

    f = tmp_path / "paths.csv"
    f.write_text("path|total_conversions|total_null\na > b|1|0\n")
    with pytest.raises(ValidationFailed) as err:
        read_paths(f)
    assert err.value.problems[0].line == 1


def test_every_model_runs_and_conserves_total_conversions():
    j = from_lists(
        [["a", "b"], ["b", "c", "a"], ["c"]],
        conversions=[1, 2, 0],
        value=[10.0, 30.0, 0.0],
        nulls=[1, 0, 5],
        lead_touch=[0, 1, -1],
        opp_touch=[1, 2, -1],
    )
    res = attribute(j)
    assert res.models == list(MODELS)
    for m in MODELS:
        assert res.conversions[m].sum() == pytest.approx(3.0), m
        assert res.value[m].sum() == pytest.approx(40.0), m


DATA = "attribution-paths/Data.csv"


@pytest.fixture
def shared_paths(shared_data):
    return shared_data / DATA


def _pandas_heuristics(file):
    df = pd.read_csv(file, sep=";")
    parts = df["path"].str.split(">").map(lambda p: [c.strip() for c in p])
    first = df.assign(ch=parts.str[0]).groupby("ch")["total_conversions"].sum()
    last = df.assign(ch=parts.str[-1]).groupby("ch")["total_conversions"].sum()
    ex = df.assign(ch=parts, n=parts.str.len()).explode("ch")
    linear = (ex["total_conversions"] / ex["n"]).groupby(ex["ch"]).sum()
    return {"first_touch": first, "last_touch": last, "linear": linear}


@pytest.mark.external
def test_heuristics_on_the_shared_paths_equal_an_independent_pandas_computation(shared_paths):
    j = read_paths(shared_paths)
    res = attribute(j, ("first_touch", "last_touch", "linear"))
    assert len(j) == 10_000 and len(j.channels) == 12
    for model, expected in _pandas_heuristics(shared_paths).items():
        got = pd.Series(res.conversions[model], index=list(j.channels))
        exp = expected.reindex(got.index, fill_value=0.0)
        assert np.abs(got - exp).max() < 0.5, model  # equal to the conversion


@pytest.mark.external
def test_markov_on_the_shared_paths_equals_the_independent_dense_computation(shared_paths):
    df = pd.read_csv(shared_paths, sep=";")
    paths = [[c.strip() for c in p.split(">")] for p in df["path"]]
    expected = _dense_removal_effects(paths, df["total_conversions"].tolist(), df["total_null"].tolist())
    j = read_paths(shared_paths)
    got = _by_channel(j, markov(j, 1).removal_conversions)
    for ch, re in expected.items():
        assert got[ch] == pytest.approx(re, abs=1e-8), ch


@pytest.mark.external
def test_markov_on_the_shared_paths_agrees_with_channelattribution(shared_paths):
    ca = pytest.importorskip("ChannelAttribution")
    df = pd.read_csv(shared_paths, sep=";")
    ref = ca.markov_model(
        df, "path", "total_conversions", var_value="total_conversion_value", var_null="total_null",
        order=1, out_more=True, verbose=0, flg_pro=False, nsim_start=1e6,
    )  # fmt: skip
    ref_re = ref["removal_effects"].set_index("channel_name")["removal_effects_conversion"]
    ref_conv = ref["result"].set_index("channel_name")["total_conversions"]
    j = read_paths(shared_paths)
    res = markov(j, 1)
    ours_re = pd.Series(res.removal_conversions, index=list(j.channels))
    ours_conv = pd.Series(res.conversions, index=list(j.channels))
    big = ref_conv[ref_conv > 0.05 * ref_conv.sum()].index  # the simulation is noisy on tiny channels
    assert len(big) >= 5
    for ch in big:
        assert ours_re[ch] == pytest.approx(ref_re[ch], rel=0.03), ch
        assert ours_conv[ch] == pytest.approx(ref_conv[ch], rel=0.03), ch
